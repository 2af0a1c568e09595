//! The project's automation as a library, so that tests can run the same
//! code as `cargo xtask`. All file IO of the generator happens here.

/// Prints a line on stdout. A closed stdout (`| head -1`) is not an error:
/// the command goes on and writes its files.
#[macro_export]
macro_rules! say {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout(), $($arg)*);
    }};
}

/// Prints on stdout without a newline; see [`say!`].
#[macro_export]
macro_rules! say_raw {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = write!(std::io::stdout(), $($arg)*);
    }};
}

/// Prints a line on stderr; a closed stderr is not an error (see [`say!`]).
#[macro_export]
macro_rules! note {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr(), $($arg)*);
    }};
}

pub mod annotations;
pub mod baseline;
pub mod bench;
pub mod cache;
pub mod catalogue;
pub mod docs;
pub mod docs_index;
pub mod fidelity;
pub mod fix;
pub mod lint;
pub mod model;
pub mod output_folder;
pub mod regen;
pub mod report;
pub mod stamp_index;

use std::path::PathBuf;

/// Why a command failed, with its exit code (README lists them).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    /// The docs folder is missing, not a folder, or unreadable (exit 3).
    Docs(String),
    /// The docs folder holds no page (exit 4).
    NoPages(String),
    /// The output folder cannot be written: a file is in the way, it is not
    /// ours, or a write failed (exit 5). Nothing was changed.
    Output(String),
    /// Anything else, such as an unreadable schema (exit 2).
    Other(String),
}

impl Failure {
    /// The process exit code.
    pub fn exit_code(&self) -> u8 {
        match self {
            Failure::Other(_) => 2,
            Failure::Docs(_) => 3,
            Failure::NoPages(_) => 4,
            Failure::Output(_) => 5,
        }
    }
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Failure::Docs(m) | Failure::NoPages(m) | Failure::Output(m) | Failure::Other(m) => {
                f.write_str(m)
            }
        }
    }
}

impl From<String> for Failure {
    fn from(message: String) -> Self {
        Failure::Other(message)
    }
}

/// Reads a docs folder for a command that needs pages: a missing folder and
/// a folder without pages are failures of their own.
pub fn read_docs(
    dir: &std::path::Path,
    include_root: Option<&std::path::Path>,
) -> Result<docs::DocsFolder, Failure> {
    let docs = docs::DocsFolder::read_with(dir, include_root).map_err(Failure::Docs)?;
    no_pages(&docs, dir)?;
    Ok(docs)
}

/// Fails when `docs`, read from `dir`, holds no page and no unreadable file.
pub fn no_pages(docs: &docs::DocsFolder, dir: &std::path::Path) -> Result<(), Failure> {
    if docs.page_count() == 0 && docs.problems.is_empty() {
        return Err(Failure::NoPages(format!(
            "docs folder `{}` holds no pages (`.md` files outside `includes/` folders)",
            dir.display()
        )));
    }
    Ok(())
}

/// The workspace root, so commands work from any folder.
pub fn workspace_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(PathBuf::from)
        .unwrap_or_default()
}

/// The shared test data folder beside the workspace.
pub fn shared_dir() -> PathBuf {
    workspace_root().join("../shared")
}
