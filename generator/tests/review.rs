//! The API change report on real kinds of docs change, and the docs hash.

use crate::support;

use generator::docs_hash;
use generator::review::{Impact, Report, compare};
use generator::{IncludeFile, Includes, SourcePage};

const USER: &str = "---\ntitle: \"user resource type\"\ndescription: \"A user.\"\ndoc_type: resourcePageType\n---\n# user resource type\n\nA user account.\n\n## Properties\n\n| Property | Type | Description |\n|:---|:---|:---|\n| id | String | The key. |\n| displayName | String | The name. |\n| jobTitle | String | The job title. |\n| ageGroup | [ageGroup](#agegroup-values) | The age group. |\n\n### ageGroup values\n\n| Member | Description |\n|:---|:---|\n| null | None. |\n| minor | A minor. |\n| adult | An adult. |\n";

const USER_GET: &str = "---\ntitle: \"Get user\"\ndescription: \"Reads a user.\"\nms.prod: \"users\"\ndoc_type: apiPageType\n---\n# Get user\n\nReads a user.\n\n## HTTP request\n\n```http\nGET /users/{id}\n```\n\n## Response\n\nIf successful, this method returns a `200 OK` response code and a [user](../resources/user.md) object in the response body.\n";

const USER_DELETE: &str = "---\ntitle: \"Delete user\"\ndescription: \"Deletes a user.\"\nms.prod: \"users\"\ndoc_type: apiPageType\n---\n# Delete user\n\nDeletes a user.\n\n## HTTP request\n\n```http\nDELETE /users/{id}\n```\n\n## Response\n\nIf successful, this method returns a `204 No Content` response code.\n";

/// The report of going from the `before` pages to the `after` pages.
fn report(before: &[(&str, &str)], after: &[(&str, &str)]) -> Report {
    let surface = |pages: &[(&str, &str)]| {
        let generated = support::generate_pages(pages);
        let surface = support::surface_of(&generated.files);
        (surface, generated.api)
    };
    let (old, _) = surface(before);
    let (new, api) = surface(after);
    compare(&old, &new, &api)
}

fn find<'r>(report: &'r Report, what: &str, subject: &str) -> &'r generator::review::Change {
    report
        .changes
        .iter()
        .find(|c| c.what == what && c.subject == subject)
        .unwrap_or_else(|| panic!("no `{what}` of `{subject}` in {:#?}", report.changes))
}

#[test]
fn nothing_changed_reports_nothing() {
    let pages = [("resources/user.md", USER), ("api/user-get.md", USER_GET)];
    let report = report(&pages, &pages);
    assert!(report.changes.is_empty(), "{:#?}", report.changes);
    assert_eq!(report.semver("0.1.0").bump, "none");
    assert_eq!(report.human("0.1.0"), "API changes: none.\n");
}

#[test]
fn a_removed_property_is_breaking_and_names_its_page() {
    let without = USER.replace("| jobTitle | String | The job title. |\n", "");
    let report = report(
        &[("resources/user.md", USER)],
        &[("resources/user.md", &without)],
    );
    let change = find(&report, "property removed", "user.jobTitle");
    assert_eq!(change.impact, Impact::Breaking);
    assert!(
        change.detail.contains("User::job_title"),
        "{}",
        change.detail
    );
    assert_eq!(change.at.file, "resources/user.md");
    assert!(change.at.line.is_some());
    assert_eq!(report.changes.len(), 1, "{:#?}", report.changes);
    let hint = report.semver("0.1.0");
    assert_eq!((hint.bump, hint.next.as_str()), ("minor", "0.2.0"));
    assert_eq!(report.semver("1.4.2").next, "2.0.0");
}

#[test]
fn a_changed_type_is_breaking_at_the_table_row() {
    let changed = USER.replace(
        "| ageGroup | [ageGroup](#agegroup-values) |",
        "| ageGroup | String |",
    );
    let report = report(
        &[("resources/user.md", USER)],
        &[("resources/user.md", &changed)],
    );
    let change = find(&report, "property type changed", "user.ageGroup");
    assert_eq!(change.impact, Impact::Breaking);
    assert!(
        change.detail.contains("`ageGroup` is now `Edm.String`"),
        "{}",
        change.detail
    );
    let row = changed
        .lines()
        .position(|l| l.starts_with("| ageGroup"))
        .expect("the row")
        + 1;
    assert_eq!(change.at.line, Some(row as u32));
}

#[test]
fn a_new_endpoint_and_a_new_member_are_compatible() {
    let more = USER.replace(
        "| adult | An adult. |\n",
        "| adult | An adult. |\n| unknownFutureValue | Later. |\n",
    );
    let report = report(
        &[("resources/user.md", USER), ("api/user-get.md", USER_GET)],
        &[
            ("resources/user.md", &more),
            ("api/user-get.md", USER_GET),
            ("api/user-delete.md", USER_DELETE),
        ],
    );
    let added = find(&report, "endpoint added", "user.delete");
    assert_eq!(added.impact, Impact::Compatible);
    assert!(
        added.detail.contains("DELETE /users/{id}"),
        "{}",
        added.detail
    );
    assert_eq!(added.at.file, "api/user-delete.md");
    let member = find(&report, "enum member added", "ageGroup");
    assert_eq!(member.impact, Impact::Compatible);
    assert_eq!(report.breaking(), 0, "{:#?}", report.changes);
    let hint = report.semver("0.1.0");
    assert_eq!((hint.bump, hint.next.as_str()), ("patch", "0.1.1"));
    assert_eq!(report.semver("1.4.2").next, "1.5.0");
}

#[test]
fn a_renamed_path_parameter_is_compatible_and_a_moved_path_is_not() {
    let renamed = USER_GET.replace("GET /users/{id}", "GET /users/{user-id}");
    let report_renamed = report(
        &[("api/user-get.md", USER_GET)],
        &[("api/user-get.md", &renamed)],
    );
    let change = find(&report_renamed, "path parameter renamed", "user.get");
    assert_eq!(change.impact, Impact::Compatible);
    assert!(
        change.detail.contains("/users/{user-id}"),
        "{}",
        change.detail
    );
    assert_eq!(
        report_renamed.breaking(),
        0,
        "{:#?}",
        report_renamed.changes
    );

    let moved = USER_GET.replace("GET /users/{id}", "GET /people/{id}");
    let report_moved = report(
        &[("api/user-get.md", USER_GET)],
        &[("api/user-get.md", &moved)],
    );
    let change = find(&report_moved, "path changed", "user.get");
    assert_eq!(change.impact, Impact::Breaking);
    // The path moved the endpoint into another area, and so another feature.
    find(&report_moved, "feature changed", "user.get");
}

#[test]
fn a_removed_endpoint_is_breaking_and_the_markdown_is_a_table() {
    let report = report(
        &[
            ("api/user-get.md", USER_GET),
            ("api/user-delete.md", USER_DELETE),
        ],
        &[("api/user-get.md", USER_GET)],
    );
    let change = find(&report, "endpoint removed", "user.delete");
    assert_eq!(change.impact, Impact::Breaking);
    assert_eq!(change.at.file, "api/user-delete.md");
    let markdown = report.markdown("0.1.0");
    assert!(markdown.starts_with("### API changes\n"), "{markdown}");
    assert!(
        markdown.contains("| **breaking** | endpoint removed | `user.delete` |"),
        "{markdown}"
    );
    assert!(markdown.contains("0.1.0 -> 0.2.0"), "{markdown}");
}

#[test]
fn what_the_runtime_puts_in_the_api_is_recorded_and_its_changes_reported() {
    let pages = [("resources/user.md", USER), ("api/user-get.md", USER_GET)];
    let generated = support::generate_pages(&pages);
    let new = support::surface_of(&generated.files);
    let record = generated
        .files
        .get("api-surface/runtime.json")
        .expect("the record has the runtime's file");
    assert!(
        record.contains("\"model.additional_properties\": \"runtime::AdditionalProperties\""),
        "{record}"
    );
    // A record written before the file existed: the runtime as it was then.
    let mut old = new.clone();
    old.runtime = generator::review::surface::RuntimeSurface::before_record();
    let report = compare(&old, &new, &generated.api);
    let field = find(
        &report,
        "runtime field changed",
        "model.additional_properties",
    );
    assert_eq!(field.impact, Impact::Breaking);
    assert_eq!(
        field.detail,
        "every model's `additional_properties`: `std::collections::BTreeMap<String, serde_json::Value>` is now `runtime::AdditionalProperties`"
    );
    let page = find(
        &report,
        "runtime field changed",
        "Page.additional_properties",
    );
    assert!(
        page.detail.starts_with("`Page::additional_properties`: "),
        "{}",
        page.detail
    );
    let version = find(&report, "runtime version changed", "graph-sdk-runtime");
    assert_eq!(version.impact, Impact::Breaking);
    assert_eq!(report.semver("0.1.1").next, "0.2.0");
    // A patch of the runtime is compatible; a new field too.
    let mut patched = new.clone();
    let (minor, _) = new.runtime.version.rsplit_once('.').expect("x.y.z");
    patched.runtime.version = format!("{minor}.7");
    patched
        .runtime
        .fields
        .insert("model.etag".to_owned(), "Option<String>".to_owned());
    let report = compare(&new, &patched, &generated.api);
    assert_eq!(report.breaking(), 0, "{:#?}", report.changes);
    find(&report, "runtime version changed", "graph-sdk-runtime");
    find(&report, "runtime field added", "model.etag");
    // The same runtime: nothing.
    assert!(compare(&new, &new, &generated.api).changes.is_empty());
}

#[test]
fn the_docs_hash_covers_content_paths_and_includes_but_not_order() {
    let a = SourcePage {
        path: "api/a.md",
        text: "one",
    };
    let b = SourcePage {
        path: "api/b.md",
        text: "two",
    };
    let none = Includes::new();
    let hash = docs_hash(&[a, b], &none);
    assert!(
        hash.starts_with("blake3:") && hash.len() == 7 + 64,
        "{hash}"
    );
    assert_eq!(hash, docs_hash(&[b, a], &none));
    let edited = SourcePage {
        path: "api/b.md",
        text: "two!",
    };
    assert_ne!(hash, docs_hash(&[a, edited], &none));
    let moved = SourcePage {
        path: "api/c.md",
        text: "two",
    };
    assert_ne!(hash, docs_hash(&[a, moved], &none));
    // Path and text are framed, so text cannot pass for a path.
    let shifted = SourcePage {
        path: "api/a.mdo",
        text: "ne",
    };
    assert_ne!(hash, docs_hash(&[shifted, b], &none));
    let mut includes = Includes::new();
    includes.insert(
        "includes/note.md".to_owned(),
        IncludeFile::Text("a note".to_owned()),
    );
    assert_ne!(hash, docs_hash(&[a, b], &includes));
}

const USER_LIST: &str = "---\ntitle: \"List users\"\ndescription: \"Lists users.\"\nms.prod: \"users\"\ndoc_type: apiPageType\n---\n# List users\n\nLists users.\n\n## HTTP request\n\n```http\nGET /users\n```\n\n## Response\n\nIf successful, this method returns a `200 OK` response code and a collection of [user](../resources/user.md) objects in the response body.\n";

const UNIT_USERS: &str = "---\ntitle: \"List members of an administrative unit\"\ndescription: \"Lists the users of a unit.\"\nms.prod: \"directory\"\ndoc_type: apiPageType\n---\n# List members\n\nLists the users of a unit.\n\n## HTTP request\n\n```http\nGET /directory/administrativeUnits/{id}/users\n```\n\n## Response\n\nIf successful, this method returns a `200 OK` response code and a collection of [user](../resources/user.md) objects in the response body.\n";

#[test]
fn the_surface_records_the_methods_the_crate_has() {
    let generated = generator::generate(
        &[
            SourcePage {
                path: "resources/user.md",
                text: USER,
            },
            SourcePage {
                path: "api/user-list.md",
                text: USER_LIST,
            },
        ],
        &Includes::new(),
        &generator::emit::EmitOptions::default(),
    );
    let surface = support::surface_of(&generated.files);
    let list = &surface.endpoints["user.list"];
    assert_eq!(list.rust, "list");
    assert_eq!(list.calls, ["UserCollection::list"]);
    let client = &generated.files["src/client/users.rs"];
    assert!(client.contains("impl UserCollection {"), "{client}");
    assert!(client.contains("pub fn list(&self)"), "{client}");
}

#[test]
fn a_page_about_another_path_moves_no_name() {
    // `/directory/administrativeUnits/{id}/users` wants `UserCollection`
    // too; `/users` keeps it (the shorter path), so callers of
    // `client.users()` see no change.
    let before = [("resources/user.md", USER), ("api/user-list.md", USER_LIST)];
    let mut after = before.to_vec();
    after.push(("api/administrativeunit-list-users.md", UNIT_USERS));
    let report = report(&before, &after);
    assert!(
        report.changes.iter().all(|c| c.subject != "user.list"),
        "{:#?}",
        report.changes
    );
    assert!(
        report
            .changes
            .iter()
            .all(|c| c.impact == Impact::Compatible),
        "{:#?}",
        report.changes
    );
    // And the new endpoint is reported.
    assert!(
        report.changes.iter().any(|c| c.what == "endpoint added"),
        "{:#?}",
        report.changes
    );
}

#[test]
fn a_name_made_from_a_path_is_suggested_for_the_names_file_and_an_entry_pins_it() {
    use generator::names::NameOverrides;
    let pages = [
        SourcePage {
            path: "resources/user.md",
            text: USER,
        },
        SourcePage {
            path: "api/user-list.md",
            text: USER_LIST,
        },
        SourcePage {
            path: "api/administrativeunit-list-users.md",
            text: UNIT_USERS,
        },
    ];
    let generate = |names: NameOverrides| {
        let options = generator::emit::EmitOptions {
            names,
            ..generator::emit::EmitOptions::default()
        };
        generator::generate(&pages, &Includes::new(), &options)
    };
    let plain = generate(NameOverrides::default());
    let suggestion = plain
        .diagnostics
        .iter()
        .find(|d| d.code == generator::Code::NamesSuggested)
        .expect("a suggestion");
    assert_eq!(suggestion.file, "api/administrativeunit-list-users.md");
    assert!(
        suggestion.help.contains(
            "\"/directory/administrativeUnits/{id}/users\": DirectoryAdministrativeUnitsItemUsers"
        ),
        "{}",
        suggestion.help
    );
    // The entry the help suggests, with a name of the reviewer's choosing.
    let names = NameOverrides::read(
        "names.yaml",
        "builders:\n  \"/directory/administrativeUnits/{id}/users\": AdministrativeUnitUsers\nmethods:\n  user.list: list_users\ntypes:\n  user: GraphUser\n  nobody: Nobody\n",
    );
    assert!(names.problems.is_empty(), "{:?}", names.problems);
    let pinned = generate(names);
    let client: String = pinned
        .files
        .iter()
        .filter(|(p, _)| p.starts_with("src/client/"))
        .map(|(_, t)| t.as_str())
        .collect();
    assert!(
        client.contains("pub struct AdministrativeUnitUsers"),
        "{client}"
    );
    assert!(client.contains("pub fn list_users(&self) -> Request<Page<models::GraphUser>>"));
    assert!(pinned.files.contains_key("src/models/graph_user.rs"));
    assert!(
        !pinned
            .diagnostics
            .iter()
            .any(|d| d.code == generator::Code::NamesSuggested)
    );
    // The entry for a type no page defines is stale.
    let stale: Vec<_> = pinned
        .diagnostics
        .iter()
        .filter(|d| d.code == generator::Code::NamesEntryUnknown)
        .collect();
    assert_eq!(stale.len(), 1, "{stale:#?}");
    assert_eq!((stale[0].file.as_str(), stale[0].line), ("names.yaml", 7));
}
