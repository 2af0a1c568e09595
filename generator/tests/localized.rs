//! The localized editions (pt-BR, zh-CN, ru-RU, ja-JP, de-DE): headings
//! translated behind their English anchors (`## <a name="http-request"></a>
//! Solicitação HTTP`), tables with translated headers, translated type
//! names, permission types and header names. Fixture pages in
//! `tests/fixtures/localized/<language>/`, written for these tests in the
//! conventions of the real editions.

use std::collections::BTreeSet;
use std::path::Path;

use generator::model::{RequestBody, TypeRef};
use generator::{Api, Code, Diagnostic, Includes, SourcePage};

/// The model and diagnostics of one language's fixture pages.
fn read(language: &str) -> (Api, Vec<Diagnostic>) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/localized")
        .join(language);
    let mut files = Vec::new();
    for sub in ["api", "resources"] {
        for entry in std::fs::read_dir(dir.join(sub))
            .into_iter()
            .flatten()
            .flatten()
        {
            let text = std::fs::read_to_string(entry.path()).expect("a page");
            files.push((
                format!("{sub}/{}", entry.file_name().to_string_lossy()),
                text,
            ));
        }
    }
    files.sort();
    let sources: Vec<SourcePage<'_>> = files
        .iter()
        .map(|(path, text)| SourcePage { path, text })
        .collect();
    generator::read_model(&sources, &Includes::new())
}

/// `METHOD /path` of every endpoint, its alternate paths (`/me` of
/// `/users/{id}`) included.
fn endpoints(api: &Api) -> BTreeSet<String> {
    api.endpoints
        .iter()
        .flat_map(|e| {
            std::iter::once(&e.path)
                .chain(&e.alternate_paths)
                .map(move |p| format!("{} {}", e.method.as_str(), p.written))
        })
        .collect()
}

fn codes(diagnostics: &[Diagnostic]) -> BTreeSet<Code> {
    diagnostics.iter().map(|d| d.code).collect()
}

#[test]
fn portuguese_pages_read_by_their_anchors() {
    let (api, diagnostics) = read("pt-BR");
    let found = endpoints(&api);
    for want in [
        "GET /users/{id | userPrincipalName}",
        "GET /me",
        "GET /groups",
    ] {
        assert!(found.contains(want), "{want} not in {found:?}");
    }
    let codes = codes(&diagnostics);
    for absent in [
        Code::HttpSectionMissing,
        Code::SectionNameNearMiss,
        Code::PermissionsMissing,
    ] {
        assert!(!codes.contains(&absent), "{absent}: {diagnostics:#?}");
    }
    let user = api
        .endpoints
        .iter()
        .find(|e| e.alternate_paths.iter().any(|p| p.written == "/me"))
        .expect("GET /me");
    // `Tipo de permissão | Permissões (...)`, rows `Delegado (...)`, `Aplicativo`.
    assert!(
        user.permissions
            .delegated_work
            .contains(&"User.Read".to_owned())
    );
    assert_eq!(
        user.permissions.delegated_personal,
        ["User.Read", "User.ReadWrite"]
    );
    assert!(
        user.permissions
            .application
            .contains(&"User.Read.All".to_owned())
    );
    // `Autorização | {token} de portador. Obrigatório.`
    let auth = user
        .headers
        .iter()
        .find(|h| h.name == "Authorization")
        .expect("the Authorization header, in English");
    assert!(auth.required);
    assert!(
        matches!(user.response.body, Some(TypeRef::Named(ref n)) | Some(TypeRef::Unresolved(ref n)) if n == "user")
    );

    // `Propriedade | Tipo | Descrição`, with `Cadeia de caracteres`,
    // `Booliano` and `Coleção de cadeias de caracteres`.
    let group = api.type_named("group").expect("the group type");
    let property = |name: &str| {
        group
            .properties
            .iter()
            .find(|p| p.name.api == name)
            .unwrap_or_else(|| {
                panic!(
                    "{name} in {:?}",
                    group
                        .properties
                        .iter()
                        .map(|p| &p.name.api)
                        .collect::<Vec<_>>()
                )
            })
    };
    assert_eq!(
        property("displayName").ty,
        TypeRef::Primitive(generator::model::Primitive::String)
    );
    assert_eq!(
        property("mailEnabled").ty,
        TypeRef::Primitive(generator::model::Primitive::Boolean)
    );
    let group_types = property("groupTypes");
    assert_eq!(
        group_types.ty,
        TypeRef::Primitive(generator::model::Primitive::String)
    );
    assert!(group_types.collection);
    assert!(!codes.contains(&Code::TypeCellInvalid), "{diagnostics:#?}");
    let listing = api
        .endpoints
        .iter()
        .find(|e| e.path.written == "/groups")
        .expect("GET /groups");
    assert!(listing.response.collection);
    assert!(matches!(listing.request_body, RequestBody::None));
}

#[test]
fn chinese_russian_and_japanese_pages_read_by_their_anchors() {
    for (language, wanted) in [
        ("zh-CN", &["GET /users"][..]),
        ("ru-RU", &["GET /groups/{id}"][..]),
        (
            "ja-JP",
            &["GET /users/{id | userPrincipalName}", "GET /me"][..],
        ),
    ] {
        let (api, diagnostics) = read(language);
        let found = endpoints(&api);
        for want in wanted {
            assert!(found.contains(*want), "{language}: {want} not in {found:?}");
        }
        let codes = codes(&diagnostics);
        assert!(
            !codes.contains(&Code::HttpSectionMissing)
                && !codes.contains(&Code::PermissionsMissing),
            "{language}: {diagnostics:#?}"
        );
        // Permissions are read from translated tables, split on `、` too.
        for e in &api.endpoints {
            assert!(
                !e.permissions.delegated_work.is_empty(),
                "{language}: {} has no delegated permission",
                e.path.written
            );
            assert!(
                e.permissions
                    .delegated_work
                    .iter()
                    .all(|p| !p.contains('、') && !p.contains(' ')),
                "{language}: {:?}",
                e.permissions.delegated_work
            );
        }
    }
}

#[test]
fn a_broken_translated_fence_is_reported_and_the_page_still_counts() {
    // de-DE: the translator rewrote the request fence as `'''http`, so a
    // bare fence below opens a code block that swallows the English
    // headings up to the example (as in the real edition).
    let (api, diagnostics) = read("de-DE");
    assert!(
        !diagnostics.is_empty(),
        "the broken page is reported, not silently read"
    );
    for d in &diagnostics {
        assert_eq!(d.file, "api/educationroot-list-classes.md");
        assert!(d.line > 0 && !d.help.is_empty(), "{d:?}");
    }
    // The mangled request line is reported where it is...
    let codes = codes(&diagnostics);
    assert!(codes.contains(&Code::RequestLineInvalid), "{codes:?}");
    // ...and what could be read is kept: the endpoint, from the request
    // line the example gives.
    let found = endpoints(&api);
    assert_eq!(found, BTreeSet::from(["GET /education/classes".to_owned()]));
}
