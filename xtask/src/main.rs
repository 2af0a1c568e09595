//! `cargo xtask`: the command line of the project's automation. All file IO
//! happens in `xtask`; the `generator` library only transforms text.
//!
//! Default folders (`docs-input`, `generated`, the shared corpus) are found
//! from the workspace root; a path given on the command line means what it
//! says, relative to the current folder.

use xtask::{
    Failure, bench, cache, catalogue, fidelity, lint, model, note, read_docs, regen, say, say_raw,
    shared_dir, workspace_root,
};

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use xtask::output_folder::OutputFolder;

/// Regen allocates many small strings and token trees; with mimalloc instead
/// of the system allocator a cold regen of the v1.0 corpus takes about a
/// quarter less time (835 ms to 595 ms in one `cargo xtask bench` run).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

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
    Lint(LintArgs),
    /// Writes the docs' health as a static HTML page (`DIR/index.html`):
    /// counts, areas, codes, the pages with most problems, the example
    /// checks, every page's diagnostics with their lines; new and fixed
    /// against a baseline; a trend over earlier baselines.
    Report(ReportArgs),
    /// Generates the crate from the docs (by default `generated/` from `docs-input/`).
    Regen {
        /// The docs folder [default: docs-input/ of the workspace].
        #[arg(long)]
        docs: Option<PathBuf>,
        /// The crate folder to write [default: generated/ of the workspace].
        #[arg(long)]
        out: Option<PathBuf>,
        /// The package name of the crate.
        #[arg(long, default_value = "graph-sdk")]
        crate_name: String,
        /// Write nothing; fail with a diff when the crate on disk is stale.
        #[arg(long)]
        check: bool,
        /// Includes may resolve anywhere under this folder [default: the nearest
        /// ancestor of the docs folder holding `.git`, else the docs folder].
        #[arg(long)]
        include_root: Option<PathBuf>,
        /// Reuse nothing: neither read nor write the regen cache
        /// (`target/regen-cache/`), and format every file, even one the
        /// output folder holds formatted from the same draft. The output is
        /// the same either way.
        #[arg(long)]
        no_cache: bool,
        /// Print how long each stage took (stderr).
        #[arg(long)]
        timings: bool,
        /// How to print the API change report (stdout).
        #[arg(long, value_enum, default_value = "human")]
        format: ReportFormat,
        /// Set the crate's version to the one the change report's semver hint
        /// names (the version in the crate's `Cargo.toml` is kept otherwise).
        #[arg(long)]
        bump: bool,
        /// Whether `cargo publish` may publish the crate [default: what the
        /// crate's `Cargo.toml` says, else false].
        #[arg(long)]
        publish: Option<bool>,
    },
    /// Says whether a generated crate was made from a docs folder, by the
    /// content hash it records, without regenerating. Exits 1 when not.
    Provenance {
        /// The docs folder [default: docs-input/ of the workspace].
        #[arg(long)]
        docs: Option<PathBuf>,
        /// The crate folder [default: generated/ of the workspace].
        #[arg(long)]
        out: Option<PathBuf>,
        /// Includes may resolve anywhere under this folder [default: the nearest
        /// ancestor of the docs folder holding `.git`, else the docs folder].
        #[arg(long)]
        include_root: Option<PathBuf>,
    },
    /// Prints the API model of a docs folder as JSON.
    Model {
        /// The docs folder [default: docs-input/ of the workspace].
        #[arg(long)]
        docs: Option<PathBuf>,
        /// Includes may resolve anywhere under this folder [default: the nearest
        /// ancestor of the docs folder holding `.git`, else the docs folder].
        #[arg(long)]
        include_root: Option<PathBuf>,
    },
    /// Measures how faithful the model is: to the docs, and to the official schema.
    Fidelity {
        /// The docs folder (defaults to the shared corpus).
        #[arg(long)]
        docs: Option<PathBuf>,
        /// The CSDL schema (defaults to the shared v1.0 schema).
        #[arg(long)]
        schema: Option<PathBuf>,
    },
    /// Writes the diagnostics catalogue, `docs/diagnostics.md`, from the fixtures.
    Diagnostics {
        /// Write nothing; fail with a diff when the catalogue is stale.
        #[arg(long)]
        check: bool,
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

/// How `regen` prints the API change report.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
enum ReportFormat {
    /// A line per change.
    Human,
    /// A markdown table, ready to paste into a pull request.
    Markdown,
}

/// A path given on the command line, or the default below the workspace root.
/// The arguments of `cargo xtask lint`.
#[derive(clap::Args)]
struct LintArgs {
    /// The docs folder [default: docs-input/ of the workspace].
    #[arg(long)]
    docs: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value = "human")]
    format: lint::Format,
    /// When to colour human output (`auto`: on a terminal, unless `NO_COLOR` is set).
    #[arg(long, value_enum, default_value = "auto")]
    color: lint::Color,
    /// Includes may resolve anywhere under this folder [default: the nearest
    /// ancestor of the docs folder holding `.git`, else the docs folder].
    #[arg(long)]
    include_root: Option<PathBuf>,
    /// Compare with the known diagnostics in this file: fail only on new
    /// errors and warnings, and list the fixed ones. A missing file is
    /// recorded (outside CI; under CI it is an error).
    #[arg(long)]
    baseline: Option<PathBuf>,
    /// Record the current diagnostics in the `--baseline` file.
    #[arg(long, requires = "baseline")]
    update_baseline: bool,
    /// Report only on the pages changed since this git revision
    /// (committed or not, and untracked ones), and the pages their
    /// types and endpoints reach.
    #[arg(long, conflicts_with_all = ["baseline", "pages"])]
    changed_since: Option<String>,
    /// Report only on these pages (relative to the docs folder) and the
    /// pages their types and endpoints reach.
    #[arg(long, num_args = 1.., conflicts_with = "baseline")]
    pages: Vec<String>,
    /// Apply the fixes diagnostics carry to the pages (in place, each page
    /// atomically); a page is changed only when, read again, its fixed
    /// diagnostics are gone and nothing new is reported.
    #[arg(long, conflicts_with_all = ["baseline", "update_baseline"])]
    fix: bool,
    /// With `--fix`: change nothing, print the fixes as a unified diff.
    #[arg(long, requires = "fix")]
    dry_run: bool,
}

#[derive(clap::Args)]
struct ReportArgs {
    /// The docs folder [default: docs-input/ of the workspace].
    #[arg(long)]
    docs: Option<PathBuf>,
    /// The folder to write `index.html` into.
    #[arg(long)]
    out: PathBuf,
    /// Includes may resolve anywhere under this folder [default: as for lint].
    #[arg(long)]
    include_root: Option<PathBuf>,
    /// Show what is new and fixed against this baseline file.
    #[arg(long)]
    baseline: Option<PathBuf>,
    /// Earlier baseline files, oldest first, for the trend chart.
    #[arg(long, num_args = 1..)]
    history: Vec<PathBuf>,
}

fn or_default(given: Option<PathBuf>, default: &str) -> PathBuf {
    given.unwrap_or_else(|| workspace_root().join(default))
}

/// The docs folder relative to the current folder where it is below it,
/// with `/`: what SARIF and GitHub output put before each page's path.
fn prefix_of(dir: &Path) -> String {
    let canonical = |p: &Path| p.canonicalize().unwrap_or_else(|_| p.to_path_buf());
    let dir = canonical(dir);
    let relative = std::env::current_dir()
        .ok()
        .and_then(|cwd| {
            dir.strip_prefix(canonical(&cwd))
                .ok()
                .map(Path::to_path_buf)
        })
        .unwrap_or(dir);
    relative.to_string_lossy().replace('\\', "/")
}

/// The pages `--changed-since` or `--pages` name, if either is given.
fn scoped_pages(
    dir: &Path,
    changed_since: Option<&str>,
    pages: &[String],
) -> Result<Option<std::collections::BTreeSet<String>>, Failure> {
    Ok(match changed_since {
        Some(rev) => Some(xtask::annotations::changed_since(dir, rev).map_err(Failure::Other)?),
        None if !pages.is_empty() => Some(pages.iter().map(|p| p.replace('\\', "/")).collect()),
        None => None,
    })
}

/// `cargo xtask lint`: whether an error was reported.
fn run_lint(args: LintArgs) -> Result<bool, Failure> {
    let dir = or_default(args.docs, "docs-input");
    let docs = read_docs(&dir, args.include_root.as_deref())?;
    if let Some(file) = &args.baseline {
        return Ok(lint::run_baseline(
            &docs,
            file,
            args.update_baseline,
            args.color,
        )?);
    }
    if args.fix {
        let only = scoped_pages(&dir, args.changed_since.as_deref(), &args.pages)?;
        let plan = xtask::fix::plan(&docs, only.as_ref());
        if args.dry_run {
            print!("{}", xtask::fix::diff(&plan, &prefix_of(&dir)));
        } else {
            xtask::fix::write(&docs.root, &plan).map_err(Failure::Other)?;
        }
        xtask::note!("{}", xtask::fix::summary(&plan, args.dry_run));
        return Ok(false);
    }
    let scope = match (args.changed_since, args.pages) {
        (Some(rev), _) => lint::Scope::Pages(
            xtask::annotations::changed_since(&dir, &rev).map_err(Failure::Other)?,
        ),
        (None, pages) if !pages.is_empty() => {
            lint::Scope::Pages(pages.iter().map(|p| p.replace('\\', "/")).collect())
        }
        (None, _) => lint::Scope::All,
    };
    let output = lint::Output {
        format: args.format,
        color: args.color,
        prefix: prefix_of(&dir),
    };
    Ok(lint::run(&docs, &output, &scope)?)
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Lint(args) => run_lint(args).map(|has_error| {
            if has_error {
                ExitCode::from(1)
            } else {
                ExitCode::SUCCESS
            }
        }),
        Command::Regen {
            docs,
            out,
            crate_name,
            check,
            include_root,
            no_cache,
            timings,
            format,
            bump,
            publish,
        } => run_regen(Regen {
            docs_dir: or_default(docs, "docs-input"),
            include_root,
            out: or_default(out, "generated"),
            crate_name,
            check,
            reuse: !no_cache,
            timings,
            format,
            bump,
            publish,
        }),
        Command::Provenance {
            docs,
            out,
            include_root,
        } => {
            read_docs(&or_default(docs, "docs-input"), include_root.as_deref()).and_then(|folder| {
                let out = or_default(out, "generated");
                let matches = regen::provenance(&folder, &out).map_err(Failure::Output)?;
                Ok(if matches {
                    ExitCode::SUCCESS
                } else {
                    ExitCode::from(1)
                })
            })
        }
        Command::Report(args) => {
            let dir = or_default(args.docs, "docs-input");
            read_docs(&dir, args.include_root.as_deref()).and_then(|docs| {
                let inputs = xtask::report::Inputs {
                    docs: &docs,
                    label: prefix_of(&dir),
                    baseline: args.baseline,
                    history: args.history,
                };
                let file = xtask::report::write(&inputs, &args.out).map_err(Failure::Other)?;
                xtask::note!("wrote {}", file.display());
                Ok(ExitCode::SUCCESS)
            })
        }
        Command::Model { docs, include_root } => {
            read_docs(&or_default(docs, "docs-input"), include_root.as_deref())
                .and_then(|docs| Ok(model::run(&docs)?))
                .map(|()| ExitCode::SUCCESS)
        }
        Command::Fidelity { docs, schema } => {
            let docs = docs.unwrap_or_else(|| shared_dir().join("corpus/graph-docs-v1.0"));
            let schema = schema
                .unwrap_or_else(|| shared_dir().join("corpus/graph-schema-v1.0/v1.0-Prod.csdl"));
            read_docs(&docs, None).and_then(|docs| {
                let xml = std::fs::read_to_string(&schema)
                    .map_err(|e| format!("{}: {e}", schema.display()))?;
                let schema = fidelity::Schema::from_csdl(&xml)?;
                let (pages, _) = generator::parse_pages(&docs.sources(), &docs.includes);
                let (api, _) = generator::build_model(&pages);
                say_raw!("{}", fidelity::measure(&pages, &api, &schema));
                Ok(ExitCode::SUCCESS)
            })
        }
        Command::Diagnostics { check } => run_catalogue(check),
        Command::Bench { docs, runs } => {
            let docs = docs.unwrap_or_else(|| shared_dir().join("corpus/graph-docs-v1.0"));
            read_docs(&docs, None).and_then(|folder| {
                bench::run(&docs, &folder, runs).map_err(Failure::Other)?;
                Ok(ExitCode::SUCCESS)
            })
        }
    };
    result.unwrap_or_else(|e| {
        note!("error: {e}");
        ExitCode::from(e.exit_code())
    })
}

fn run_catalogue(check: bool) -> Result<ExitCode, Failure> {
    let root = workspace_root();
    let fresh = catalogue::render(&catalogue::collect(&root)?);
    let path = root.join(catalogue::PATH);
    let on_disk = std::fs::read_to_string(&path).unwrap_or_default();
    if check {
        return Ok(match catalogue::stale(&on_disk, &fresh) {
            None => ExitCode::SUCCESS,
            Some(diff) => {
                say!("{diff}");
                note!(
                    "error: {} is stale; run `cargo xtask diagnostics`",
                    catalogue::PATH
                );
                ExitCode::from(1)
            }
        });
    }
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)
            .map_err(|e| Failure::Output(format!("{}: {e}", dir.display())))?;
    }
    std::fs::write(&path, fresh)
        .map_err(|e| Failure::Output(format!("{}: {e}", path.display())))?;
    note!("wrote {}", catalogue::PATH);
    Ok(ExitCode::SUCCESS)
}

/// What `cargo xtask regen` was asked to do.
struct Regen {
    docs_dir: PathBuf,
    include_root: Option<PathBuf>,
    out: PathBuf,
    crate_name: String,
    check: bool,
    reuse: bool,
    timings: bool,
    format: ReportFormat,
    bump: bool,
    publish: Option<bool>,
}

fn run_regen(args: Regen) -> Result<ExitCode, Failure> {
    let Regen {
        docs_dir,
        include_root,
        out,
        crate_name,
        check,
        reuse,
        timings,
        format,
        bump,
        publish,
    } = args;
    let mut stats = generator::RunStats::default();
    let root = workspace_root();
    let cache_file = reuse.then(|| cache::file_for(&cache::target_dir(&root), &out));
    let inputs = stats.time("read the docs, the output folder and the cache", || {
        regen::Inputs::read(
            &docs_dir,
            include_root.as_deref(),
            &out,
            cache_file.as_deref(),
        )
    })?;
    let mut options = regen::options(&root, &docs_dir, &out, crate_name);
    options.names = inputs.docs.names.clone();
    if let Some(publish) = publish {
        options.publish = publish;
    }
    // `--check` writes nothing, not even the cache.
    let save_log = cache_file.as_deref().filter(|_| !check);
    let (mut run, mut next, mut generated) = inputs.generate(&options, save_log)?;
    let existing = inputs.existing()?;
    let review = stats.time("report API changes", || regen::review(&existing.read, &run));
    let released = options.version.clone();
    let report = regen::render(&review, &released, format == ReportFormat::Markdown, &out);
    if let Some(version) = bumped_version(bump, &review, &released) {
        options.version = version;
        (run, next, generated) = inputs.generate(&options, save_log)?;
    }
    stats.timings.extend(generated.timings.clone());
    note!("{}", regen::summary(&run));
    say_raw!("{report}");
    regen::add_changelog(&out, &mut run.files, &review, &released, &options.version);
    note_generated(
        &generated,
        inputs.pages_not_read(),
        run.unchanged.len(),
        timings,
    );
    // `--check` writes nothing, not even the cache.
    let result = if check {
        check_output(&mut stats, &out, &run, existing, timings)
    } else {
        let save = || {
            let file = cache_file.as_ref()?;
            Some(inputs.save_cache(file, &next))
        };
        write_output(&mut stats, &out, &run, existing, timings, save)
    };
    // The process ends next, and the system takes its memory back at once:
    // freeing the docs, the output folder's files, the model and the cache
    // piece by piece first would only add to the run's time.
    std::mem::forget((inputs, run, next, generated, review));
    result
}

/// With `--bump`, the version the change report's semver hint names, when
/// it names a bump (and says so).
fn bumped_version(bump: bool, review: &regen::Review, released: &str) -> Option<String> {
    if let (true, regen::Review::Changed(changes)) = (bump, review) {
        let hint = changes.semver(released);
        if hint.bump != "none" {
            note!("version: {released} -> {}", hint.next);
            return Some(hint.next);
        }
    }
    None
}

/// Says what the generation read and made; with `--timings`, every Rust
/// file it made, when they are few.
fn note_generated(
    generated: &generator::RunStats,
    not_read: usize,
    files_not_read: usize,
    timings: bool,
) {
    note!(
        "pages: {} read, {} from the cache ({} of them not read from disk: their files are as the docs index saw them); Rust files: {} formatted, {} kept as formatted from the same draft, {} reused unchanged{} ({} of the kept and reused not read from disk: they are as the output index saw them); API surface record: {}",
        generated.pages.read,
        generated.pages.reused,
        not_read,
        generated.format.formatted,
        generated.format.kept,
        generated.format.reused,
        if generated.by_record {
            " by the crate's regen record"
        } else {
            ""
        },
        files_not_read,
        if generated.surface_reused {
            "reused unchanged"
        } else {
            "made"
        }
    );
    if timings && generated.made.len() <= 20 {
        for path in &generated.made {
            note!("made: {path}");
        }
    }
}

/// With `--timings`, how long each stage took.
fn print_timings(stats: &generator::RunStats, timings: bool) {
    if timings {
        for (stage, took) in &stats.timings {
            note!("{:>9.1} ms  {stage}", took.as_secs_f64() * 1e3);
        }
    }
}

/// `--check`: compares the files of `run` with the output folder `out`
/// (`existing`, as read) and fails with a diff when it is stale.
fn check_output(
    stats: &mut generator::RunStats,
    out: &Path,
    run: &generator::Generated,
    existing: &OutputFolder,
    timings: bool,
) -> Result<ExitCode, Failure> {
    let stale = stats
        .time("compare with the output folder", || {
            regen::check_over(out, &run.files, &run.unchanged, existing)
        })
        .map_err(Failure::Output)?;
    print_timings(stats, timings);
    match stale {
        None => {
            note!("{} is up to date", out.display());
            Ok(ExitCode::SUCCESS)
        }
        Some(diff) => {
            say!("{diff}");
            note!(
                "error: {} is stale; run `cargo xtask regen` and commit the result",
                out.display()
            );
            Ok(ExitCode::from(1))
        }
    }
}

/// Writes the files of `run` over the output folder `out` (`existing`, as
/// read), and
/// beside it runs `save_cache` (which saves the regen cache, if there is
/// one): both mostly wait on the disk. A cache saved for files whose
/// writing then fails costs nothing: a file is reused only as the output
/// folder holds it.
fn write_output(
    stats: &mut generator::RunStats,
    out: &Path,
    run: &generator::Generated,
    existing: &OutputFolder,
    timings: bool,
    save_cache: impl FnOnce() -> Option<Result<bool, String>> + Send,
) -> Result<ExitCode, Failure> {
    fn timed<T>(f: impl FnOnce() -> T) -> (T, std::time::Duration) {
        let start = std::time::Instant::now();
        (f(), start.elapsed())
    }
    let ((written, write_took), (saved, save_took)) = rayon::join(
        || timed(|| regen::write_over(out, &run.files, &run.unchanged, existing)),
        || timed(save_cache),
    );
    if let Some(saved) = saved {
        stats
            .timings
            .push(("save the regen cache (beside the writing)", save_took));
        if let Err(e) = saved {
            note!("warning: the regen cache was not saved: {e}");
        }
    }
    stats.timings.push(("write", write_took));
    let report = written.map_err(Failure::Output)?;
    print_timings(stats, timings);
    note!(
        "wrote {}: {} changed, {} unchanged, {} removed",
        out.display(),
        report.written,
        report.unchanged,
        report.removed
    );
    Ok(ExitCode::SUCCESS)
}
