//! What the tests share: inputs that must be there under CI (`CI=true`,
//! where `.ci/run` installs them and `../shared` is beside the checkout)
//! and that a test elsewhere skips, saying what it looked for.

use std::path::PathBuf;

/// `found`, after saying what is missing: under CI a missing input fails
/// the test; elsewhere the test is skipped with a note of where it looked.
pub fn needed(found: bool, what: &str) -> bool {
    let under_ci = std::env::var("CI").is_ok_and(|v| v == "true" || v == "1");
    assert!(found || !under_ci, "under CI, {what} must be there");
    if !found {
        eprintln!("skipped: no {what}");
    }
    found
}

/// `../shared/corpus`, if it is there (see [`needed`]).
pub fn shared_corpus() -> Option<PathBuf> {
    let corpus = xtask::shared_dir().join("corpus");
    let what = format!(
        "test data at {} (../shared beside the checkout)",
        corpus.display()
    );
    needed(corpus.exists(), &what).then_some(corpus)
}

/// `output`, after checking that its process succeeded (else the test
/// fails with what it wrote to stderr).
pub fn succeeded(output: std::process::Output) -> std::process::Output {
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    output
}
