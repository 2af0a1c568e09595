//! The type graph's one rule for a property that a derived type declares
//! again: the base's declaration wins, at the base's place. The example
//! checks and the emitted struct both follow it, so they cannot disagree.

use crate::support;

use generator::Code;

fn resource(name: &str, base: Option<&str>, rows: &str) -> String {
    let inherits = base
        .map(|b| format!("Inherits from [{b}]({}.md).\n\n", b.to_ascii_lowercase()))
        .unwrap_or_default();
    format!(
        "---\ntitle: \"{name} resource type\"\ndoc_type: resourcePageType\n---\n# {name} resource type\n\n{inherits}## Properties\n|Property|Type|Description|\n|:---|:---|:---|\n{rows}"
    )
}

/// A page that gets a `printJob` and answers with `body` as its example.
fn get_page(body: &str) -> String {
    format!(
        "---\ntitle: \"Get printJob\"\ndoc_type: apiPageType\n---\n# Get printJob\n\n## HTTP request\n```http\nGET /print/jobs/{{id}}\n```\n\n## Response\nIf successful, this method returns a `200 OK` response code and a [printJob](../resources/printjob.md) object in the response body.\n\n## Example\n### Request\n<!-- {{ \"blockType\": \"request\", \"name\": \"get_printjob\" }} -->\n```http\nGET https://graph.microsoft.com/v1.0/print/jobs/1\n```\n### Response\n<!-- {{ \"blockType\": \"response\", \"@odata.type\": \"microsoft.graph.printJob\" }} -->\n```http\nHTTP/1.1 200 OK\nContent-Type: application/json\n\n{body}\n```\n"
    )
}

fn generate(example: &str) -> generator::Generated {
    let pages = [
        (
            "resources/printtask.md".to_owned(),
            resource(
                "printTask",
                None,
                "|id|String|Key.|\n|status|String|The status, as text.|\n",
            ),
        ),
        (
            "resources/printjob.md".to_owned(),
            resource(
                "printJob",
                Some("printTask"),
                "|status|Int32|Declared again, with another type.|\n|copies|Int32|How many.|\n",
            ),
        ),
        ("api/printjob-get.md".to_owned(), get_page(example)),
    ];
    support::generate_pages(&pages)
}

#[test]
fn a_property_declared_again_is_the_bases_at_its_place() {
    let out = generate(r#"{"id": "1", "status": "queued", "copies": 2}"#);
    let api = &out.api;
    let job = api.type_named("printJob").expect("printJob");
    let fields: Vec<(&str, &str)> = api
        .graph()
        .fields(job)
        .iter()
        .map(|f| (f.prop.name.api.as_str(), f.owner.name.api.as_str()))
        .collect();
    assert_eq!(
        fields,
        [
            ("id", "printTask"),
            ("status", "printTask"),
            ("copies", "printJob")
        ]
    );
    let status = api.graph().field(job, "status").expect("status");
    assert_eq!(status.owner.name.api, "printTask");

    // The struct decodes `status` as the base declares it: text.
    let model = out
        .files
        .iter()
        .find(|(path, _)| path.ends_with("/print_job.rs"))
        .map(|(_, text)| text)
        .expect("the printJob model file");
    assert!(model.contains("pub status: Nullable<String>"), "{model}");
    assert!(!model.contains("pub status: Nullable<i32>"), "{model}");

    // ...and the example checks read it the same way: text is right.
    let mismatches: Vec<_> = out
        .diagnostics
        .iter()
        .filter(|d| d.code == Code::ExampleKindMismatch)
        .collect();
    assert!(mismatches.is_empty(), "{mismatches:#?}");
}

#[test]
fn an_example_that_follows_the_derived_row_is_reported_against_the_base() {
    let out = generate(r#"{"id": "1", "status": 3, "copies": 2}"#);
    let found: Vec<_> = out
        .diagnostics
        .iter()
        .filter(|d| d.code == Code::ExampleKindMismatch)
        .collect();
    assert_eq!(found.len(), 1, "{found:#?}");
    assert!(
        found[0].message.contains("`status`"),
        "{}",
        found[0].message
    );
    // The base's row (text), not the derived one (a number), is the type.
    assert!(
        found[0].message.contains("sends a number"),
        "{}",
        found[0].message
    );
    assert!(found[0].help.contains("says a String"), "{}", found[0].help);
}

/// A field looked up by name (by a search of the type's names) is the one
/// a scan of the type's fields finds first, for every field of every type
/// of the v1.0 corpus; a name the type lacks finds none.
#[test]
fn a_field_by_name_is_the_field_a_scan_finds() {
    let Some(out) = support::corpus_crate() else {
        return;
    };
    let graph = out.api.graph();
    let mut looked_up = 0;
    for ty in &out.api.types {
        let fields = graph.fields(ty);
        for f in &fields {
            let name = f.prop.name.api.as_str();
            let scanned = fields.iter().find(|g| g.prop.name.api == name).unwrap();
            let found = graph.field(ty, name).expect(name);
            assert!(
                std::ptr::eq(found.prop, scanned.prop),
                "{}.{name}",
                ty.name.api
            );
            assert!(
                std::ptr::eq(found.owner, scanned.owner),
                "{}.{name}",
                ty.name.api
            );
            looked_up += 1;
        }
        assert!(graph.field(ty, "noSuchProperty").is_none());
        assert!(graph.field(ty, "").is_none());
    }
    assert!(looked_up > 5_000, "only {looked_up} fields looked up");
}
