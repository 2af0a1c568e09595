//! Fuzzes the reader: any bytes, read as a page (lossily, as `xtask` would
//! if a page were not UTF-8), never panic and give positioned diagnostics.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let (_page, diagnostics) = generator::parse_page("api/fuzz.md", &text);
    for d in &diagnostics {
        assert!(d.line >= 1 && d.column >= 1, "{d}");
    }
});
