//! Fuzzes the whole pipeline through emission: the input is split into an
//! api page, a resource page and an include file, so names, types and
//! includes from the fuzzer reach the model and the emitted crate. Every
//! `mod` item must have its file.
#![no_main]

use generator::emit::EmitOptions;
use generator::{IncludeFile, Includes, SourcePage, generate};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let mut parts = text.splitn(3, "\u{0}");
    let api = parts.next().unwrap_or_default();
    let resource = parts.next().unwrap_or_default();
    let mut includes = Includes::new();
    includes.insert(
        "includes/fuzz.md".to_owned(),
        IncludeFile::Text(parts.next().unwrap_or_default().to_owned()),
    );
    let pages = [
        SourcePage {
            path: "api/fuzz.md",
            text: api,
        },
        SourcePage {
            path: "resources/fuzz.md",
            text: resource,
        },
    ];
    let run = generate(&pages, &includes, &EmitOptions::default());
    for (path, _) in &run.files {
        assert!(!path.contains(".."), "{path}");
        if let Some(module) = path
            .strip_prefix("src/models/")
            .and_then(|f| f.strip_suffix(".rs"))
            .filter(|f| *f != "mod")
        {
            assert!(
                run.files["src/models/mod.rs"].contains(&format!("mod {module};")),
                "{path} has no mod item"
            );
        }
    }
});
