//! `cargo xtask`: the project's automation. All file IO of the generator
//! happens here; the `generator` library only transforms text.

mod bench;
mod docs;
mod lint;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Project automation for the Graph docs -> Rust SDK generator.
#[derive(Parser)]
#[command(name = "cargo xtask")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Reads a docs folder and reports every diagnostic.
    Lint {
        /// The docs folder.
        #[arg(long, default_value = "docs-input")]
        docs: PathBuf,
        /// Output format.
        #[arg(long, value_enum, default_value = "human")]
        format: lint::Format,
    },
    /// Measures how fast pages are read, and how much memory it takes.
    Bench {
        /// The docs folder (defaults to the shared corpus).
        #[arg(long)]
        docs: Option<PathBuf>,
        /// How many times to repeat each measurement.
        #[arg(long, default_value_t = 5)]
        runs: usize,
    },
}

/// The workspace root, so commands work from any folder.
fn workspace_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(PathBuf::from)
        .unwrap_or_default()
}

/// Resolves a path given on the command line against the workspace root.
fn resolve(path: PathBuf) -> PathBuf {
    if path.is_absolute() || path.exists() {
        path
    } else {
        workspace_root().join(path)
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Lint { docs, format } => docs::DocsFolder::read(&resolve(docs))
            .and_then(|docs| lint::run(&docs, format))
            .map(|has_error| {
                if has_error {
                    ExitCode::from(1)
                } else {
                    ExitCode::SUCCESS
                }
            }),
        Command::Bench { docs, runs } => {
            let docs =
                docs.unwrap_or_else(|| workspace_root().join("../shared/corpus/graph-docs-v1.0"));
            docs::DocsFolder::read(&resolve(docs)).map(|docs| {
                bench::run(&docs, runs);
                ExitCode::SUCCESS
            })
        }
    };
    result.unwrap_or_else(|e| {
        eprintln!("error: {e}");
        ExitCode::from(2)
    })
}
