//! The two seed pages the project started from: the clean one reads without
//! an error, the broken one yields at least three distinct codes.

use crate::support;

use std::collections::BTreeSet;

use generator::{Method, Severity, parse_page};

fn seed(name: &str) -> Option<String> {
    let path = support::shared("seeds")?.join(name);
    Some(std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display())))
}

#[test]
fn clean_seed_reads_without_error() {
    let Some(text) = seed("intune-deviceconfig-hardwareconfigurationuserstate-update.md") else {
        return;
    };
    let (page, diagnostics) = parse_page("clean.md", &text);
    let errors: Vec<_> = diagnostics
        .iter()
        .filter(|d| d.severity() == Severity::Error)
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    assert_eq!(page.request_lines.len(), 1);
    let line = &page.request_lines[0];
    assert_eq!(line.method, Method::Patch);
    assert_eq!(
        line.path,
        "/deviceManagement/hardwareConfigurations/{hardwareConfigurationId}/userRunStates/{hardwareConfigurationUserStateId}"
    );
    assert_eq!((line.at.pos.line, line.at.pos.column), (35, 1));
    assert_eq!(page.examples.len(), 2);
    insta::assert_yaml_snapshot!("clean_seed_page", page);
}

#[test]
fn broken_seed_yields_distinct_codes_and_still_reads() {
    let Some(text) = seed("intune-devices-devicemanagementscriptuserstate-update-template.md")
    else {
        return;
    };
    let (page, diagnostics) = parse_page("broken.md", &text);
    let codes: BTreeSet<&str> = diagnostics.iter().map(|d| d.code.as_str()).collect();
    assert!(codes.len() >= 3, "{codes:?}");
    for expected in [
        "http-block-empty",
        "placeholder-value",
        "permissions-empty",
        "example-status-line",
        "template-placeholder",
    ] {
        assert!(codes.contains(expected), "missing {expected} in {codes:?}");
    }
    // The rest of the page still counts: both examples and the property table were read.
    assert_eq!(page.examples.len(), 2);
    assert!(
        page.all_sections()
            .flat_map(|s| s.tables())
            .any(|t| t.rows.len() == 4)
    );
    insta::assert_snapshot!(
        "broken_seed_diagnostics",
        diagnostics
            .iter()
            .map(|d| format!("{d}\n"))
            .collect::<String>()
    );
}

#[test]
fn clean_seed_models_the_patch_endpoint_and_its_type() {
    let Some(text) = seed("intune-deviceconfig-hardwareconfigurationuserstate-update.md") else {
        return;
    };
    let (page, _) = parse_page(
        "api/intune-deviceconfig-hardwareconfigurationuserstate-update.md",
        &text,
    );
    let (api, diagnostics) = generator::build_model(&[page]);
    assert!(
        diagnostics.iter().all(|d| d.severity() != Severity::Error),
        "{diagnostics:#?}"
    );
    let [endpoint] = api.endpoints.as_slice() else {
        panic!("{:#?}", api.endpoints)
    };
    assert_eq!(endpoint.name.api, "hardwareConfigurationUserState.update");
    assert_eq!(endpoint.method, Method::Patch);
    assert_eq!(
        endpoint.path.written,
        "/deviceManagement/hardwareConfigurations/{hardwareConfigurationId}/userRunStates/{hardwareConfigurationUserStateId}"
    );
    assert_eq!(endpoint.response.status, Some(200));
    let ty = api
        .type_named("hardwareConfigurationUserState")
        .expect("type");
    let names: Vec<&str> = ty.properties.iter().map(|p| p.name.api.as_str()).collect();
    assert_eq!(
        names,
        [
            "id",
            "upn",
            "userEmail",
            "userName",
            "lastStateUpdateDateTime",
            "successfulDeviceCount",
            "failedDeviceCount",
            "pendingDeviceCount",
            "errorDeviceCount",
            "notApplicableDeviceCount",
            "unknownDeviceCount"
        ]
    );
    // Without a telling file name, the title names the operation.
    let (page, _) = parse_page("page.md", &text);
    let (api, _) = generator::build_model(&[page]);
    assert_eq!(
        api.endpoints[0].name.api,
        "hardwareConfigurationUserState.update"
    );
}
