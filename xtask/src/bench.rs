//! `cargo xtask bench`: how fast regen is on a docs folder, and how much
//! memory it takes. Figures are printed, never asserted: timings belong in
//! reports, not in tests that flake.
//!
//! In one run, on the same files, it measures:
//! - each stage on pages already in memory (read, model, emit), in pages/s
//!   and MB/s;
//! - end-to-end `regen` as the command runs it (read the folder, the
//!   output and the cache, generate, report API changes, write the crate,
//!   save the cache): reusing nothing (`--no-cache`); cold (no cache; the
//!   output folder holds the crate, as after a fresh clone), and the same
//!   without the crate's regen record; after one page
//!   changed (an api page's description, then a property of `user`; the
//!   cache and output of the run before); and into an empty folder (which
//!   adds creating every file);
//! - `xtask regen` run as a command, a process of its own timed from its
//!   start to its exit, as a user sees it: cold, and after one page
//!   changed (the in-process rows above leave out starting and ending a
//!   process, but carry the allocator's state from the runs before);
//! - a bare pass: reading each page from disk and running pulldown-cmark
//!   over it with tables on, nothing else, on one thread;
//! - each end-to-end time as a multiple of the bare pass: each regen runs
//!   right after a bare pass of its own, and the multiple given is the
//!   median of those pairs, so that both sides of a ratio see the machine
//!   alike, and beside it the fastest run over the fastest of those bare
//!   passes (each side as the machine disturbed it least); and peak
//!   memory.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use pulldown_cmark::{Options, Parser};

use crate::docs::DocsFolder;
use crate::regen;

/// Runs each measurement `runs` times on the docs in `docs_dir` and prints
/// medians and bests.
pub fn run(docs_dir: &Path, docs: &DocsFolder, runs: usize) -> Result<(), String> {
    let runs = runs.max(1);
    let sources = docs.sources();
    let pages = docs.pages.len();
    let mb = docs.bytes() as f64 / 1e6;
    crate::say!(
        "{pages} pages, {mb:.1} MB, {runs} runs each, {} threads (build with --release: cargo run --release -p xtask -- bench)",
        rayon::current_num_threads()
    );
    measure_stages(docs, &sources, runs, pages, mb);

    let scratch = Scratch::new()?;
    let copy = scratch.0.join("docs");
    copy_tree(docs_dir, &copy)?;
    let measured = measure_end_to_end(runs, &scratch.0, &copy)?;
    print_end_to_end(&measured, &copy);
    crate::say!(
        "peak resident memory: {}",
        peak_rss().unwrap_or_else(|| "unknown".to_owned())
    );
    Ok(())
}

/// Measures and prints each stage (read, model, emit) on the pages
/// `sources`, already in memory.
fn measure_stages(
    docs: &DocsFolder,
    sources: &[generator::SourcePage<'_>],
    runs: usize,
    pages: usize,
    mb: f64,
) {
    crate::say!("stages, pages in memory:");
    let read = measure(runs, || {
        let (read, diags) = generator::parse_pages(sources, &docs.includes);
        std::hint::black_box((read.len(), diags.len()));
    });
    report("read", &read, pages, mb);
    let (read_pages, _) = generator::parse_pages(sources, &docs.includes);
    let model = measure(runs, || {
        let (api, diags) = generator::build_model(&read_pages);
        std::hint::black_box((api.endpoints.len(), diags.len()));
    });
    report("model", &model, pages, mb);
    let (api, _) = generator::build_model(&read_pages);
    drop(read_pages);
    let options = generator::emit::EmitOptions::default();
    let mut emitted_bytes = 0;
    let emit = measure(runs, || {
        let files = generator::emit::emit_crate(&api, &options);
        emitted_bytes = files.values().map(String::len).sum::<usize>();
        std::hint::black_box(files.len());
    });
    report("emit", &emit, pages, mb);
    crate::say!(
        "model: {} endpoints, {} types; emitted {:.1} MB of Rust",
        api.endpoints.len(),
        api.types.len(),
        emitted_bytes as f64 / 1e6
    );
}

/// The end-to-end measurements: the bare pass, and regen run each way.
struct EndToEnd {
    /// The bare pass alone, sorted.
    bare: Vec<Duration>,
    /// Into an empty folder.
    empty: Paired,
    /// Reusing nothing (`--no-cache`).
    scratch_run: Paired,
    /// No cache; the crate already in the output folder.
    cold: Paired,
    /// No cache; the crate in the output folder without its regen record.
    cold_unrecorded: Paired,
    /// The api page `changed` edited before each run.
    changed: PathBuf,
    /// After `changed` was edited.
    warm: Paired,
    /// How many Rust files each run after `changed` was edited made again.
    remade: Vec<usize>,
    /// After `resources/user.md` was edited (when the docs have it), and
    /// the Rust files each run made again.
    type_change: Option<(Paired, Vec<usize>)>,
    /// `xtask regen` run as a command, from its start to its exit: cold,
    /// then after `changed` was edited.
    command_cold: Paired,
    /// The same, after `changed` was edited.
    command_warm: Paired,
}

/// Measures the bare pass and end-to-end regen of `copy` (a copy of the
/// docs) into a folder below `scratch`, with a cache there.
fn measure_end_to_end(runs: usize, scratch: &Path, copy: &Path) -> Result<EndToEnd, String> {
    let out = scratch.join("out");
    let cache_file = scratch.join("regen-cache.bin");
    let cached = Some(cache_file.as_path());

    let bare = measure(runs, || {
        std::hint::black_box(bare_pass(copy));
    });
    // Each regen below runs right after a bare pass of its own, and its
    // multiple is of that pass: this machine's speed drifts over seconds,
    // and pairs see the same machine.
    // No cache: neither its records nor its docs and output indexes.
    let forget = || {
        let _ = std::fs::remove_file(&cache_file);
        let _ = std::fs::remove_file(crate::cache::docs_index_for(&cache_file));
        let _ = std::fs::remove_file(crate::cache::output_index_for(&cache_file));
    };
    let empty = paired(runs, copy, || {
        let _ = std::fs::remove_dir_all(&out);
        forget();
        end_to_end(copy, &out, cached).map(|(_, left)| left)
    })?;
    // Nothing reused: every page parsed, every file made and formatted
    // (`regen --no-cache`).
    let scratch_run = paired(runs, copy, || {
        end_to_end(copy, &out, None).map(|(_, left)| left)
    })?;
    // Cold: no cache; the crate already in the output folder, as after a
    // fresh clone.
    let cold = paired(runs, copy, || {
        forget();
        end_to_end(copy, &out, cached).map(|(_, left)| left)
    })?;
    // The same without the crate's regen record (which the run writes
    // back): every file is drafted to compare with its signature.
    let record = out.join(generator::reuse::RECORD_DIR);
    let cold_unrecorded = paired(runs, copy, || {
        forget();
        let _ = std::fs::remove_dir_all(&record);
        end_to_end(copy, &out, cached).map(|(_, left)| left)
    })?;
    // One page changed: an api page's description, then a property of
    // the user type (the type most pages refer to). Each run changes the
    // page again, so the run before it is the cache.
    let changed = page_to_change(copy, &out)?;
    let (warm, remade) = one_page_changed(runs, copy, &out, cached, &changed, |text, round| {
        text.replacen("description: ", &format!("description: Edit {round}. "), 1)
    })?;
    let type_page = copy.join("resources/user.md");
    let type_change = if type_page.is_file() {
        Some(one_page_changed(
            runs,
            copy,
            &out,
            cached,
            &type_page,
            edit_first_property,
        )?)
    } else {
        None
    };
    // The command itself, as a user runs it: a process of its own, its
    // cache under a target folder of its own in `scratch`.
    let target = scratch.join("target");
    let command = || run_command(copy, &out, &target).map(|()| Box::new(()) as Leftover);
    let command_cold = paired(runs, copy, || {
        let _ = std::fs::remove_dir_all(target.join("regen-cache"));
        command()
    })?;
    let mut round = 0;
    let mut edited = || -> Result<(), String> {
        round += 1;
        let text = std::fs::read_to_string(&changed).map_err(|e| e.to_string())?;
        let text = text.replacen("description: ", &format!("description: Run {round}. "), 1);
        std::fs::write(&changed, text).map_err(|e| e.to_string())
    };
    let command_warm = paired_after(runs, copy, &mut edited, command)?;
    Ok(EndToEnd {
        bare,
        empty,
        scratch_run,
        cold,
        cold_unrecorded,
        changed,
        warm,
        remade,
        type_change,
        command_cold,
        command_warm,
    })
}

/// Runs this executable as `xtask regen` of `docs` into `out`, with its
/// cache under `target`, to its exit.
fn run_command(docs: &Path, out: &Path, target: &Path) -> Result<(), String> {
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let status = std::process::Command::new(exe)
        .arg("regen")
        .arg("--docs")
        .arg(docs)
        .arg("--out")
        .arg(out)
        .env("CARGO_TARGET_DIR", target)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .map_err(|e| e.to_string())?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("xtask regen failed ({status})"))
    }
}

/// Prints the end-to-end measurements; `copy` is the docs folder they ran on.
fn print_end_to_end(measured: &EndToEnd, copy: &Path) {
    let EndToEnd {
        bare,
        empty,
        scratch_run,
        cold,
        cold_unrecorded,
        changed,
        warm,
        remade,
        type_change,
        command_cold,
        command_warm,
    } = measured;
    crate::say!(
        "end to end (read the folder and the cache, generate, report, write, save the cache);"
    );
    crate::say!("multiples: the median of each run over the bare pass run just before it");
    crate::say!("  (best over best: the fastest run over the fastest bare pass beside the runs)");
    let median = |t: &[Duration]| t[t.len() / 2].as_secs_f64();
    crate::say!(
        "{:>22}: median {:>8.1} ms, best {:>8.1} ms",
        "bare pulldown-cmark",
        median(bare) * 1e3,
        bare[0].as_secs_f64() * 1e3,
    );
    let line = |name: &str, run: &Paired| {
        crate::say!(
            "{name:>22}: median {:>8.1} ms, best {:>8.1} ms, {:>5.2}x the bare pass (best over best {:.2}x)",
            median(&run.times) * 1e3,
            run.times[0].as_secs_f64() * 1e3,
            run.ratio(),
            run.best_ratio(),
        );
    };
    line("regen, --no-cache", scratch_run);
    line("regen, cold", cold);
    line("cold, without record", cold_unrecorded);
    line("regen, 1 page changed", warm);
    if let Some((run, _)) = type_change {
        line("regen, user.md changed", run);
    }
    line("regen, empty folder", empty);
    line("command, cold", command_cold);
    line("command, 1 page changed", command_warm);
    let changed = changed.strip_prefix(copy).unwrap_or(changed);
    crate::say!(
        "  (the changed page: {}; Rust files made again: {remade:?})",
        changed.display()
    );
    if let Some((_, remade)) = type_change {
        crate::say!(
            "  (resources/user.md: a property's description; Rust files made again: {remade:?})"
        );
    }
}

/// What a regen leaves for the end of the process, as the command does:
/// its inputs, model, files and cache. The benchmark drops it after the
/// clock stops.
type Leftover = Box<dyn std::any::Any>;

/// One `regen` as the command runs it: read the docs, the output folder
/// and the cache in `cache_file` (none: `--no-cache`), generate, report API
/// changes, write, save the cache.
fn end_to_end(
    docs_dir: &Path,
    out: &Path,
    cache_file: Option<&Path>,
) -> Result<(generator::RunStats, Leftover), String> {
    let inputs = regen::Inputs::read(docs_dir, None, out, cache_file).map_err(|e| e.to_string())?;
    let options = regen::options(
        &crate::workspace_root(),
        docs_dir,
        out,
        "graph-sdk".to_owned(),
    );
    let (run, next, stats) = inputs
        .generate(&options, cache_file)
        .map_err(|e| e.to_string())?;
    let existing = inputs.existing().map_err(|e| e.to_string())?;
    let report = regen::change_report(out, &existing.read, &run, false);
    // As the command does: the cache saved beside the writing.
    let (saved, written) = rayon::join(
        || cache_file.map_or(Ok(false), |file| inputs.save_cache(file, &next)),
        || regen::write_over(out, &run.files, &run.unchanged, existing),
    );
    saved?;
    written?;
    Ok((stats, Box::new((inputs, run, next, report))))
}

/// Runs regen `runs` times, each after `edit` changed `page` again (its
/// text and the round); returns the times and how many Rust files each run
/// made again.
fn one_page_changed(
    runs: usize,
    docs: &Path,
    out: &Path,
    cache_file: Option<&Path>,
    page: &Path,
    edit: impl Fn(&str, usize) -> String,
) -> Result<(Paired, Vec<usize>), String> {
    let mut remade = Vec::new();
    let mut round = 0;
    let mut edited = || -> Result<(), String> {
        round += 1;
        let text = std::fs::read_to_string(page).map_err(|e| e.to_string())?;
        std::fs::write(page, edit(&text, round)).map_err(|e| e.to_string())
    };
    let times = paired_after(runs, docs, &mut edited, || {
        let (stats, left) = end_to_end(docs, out, cache_file)?;
        remade.push(stats.format.formatted + stats.format.kept);
        Ok(left)
    })?;
    Ok((times, remade))
}

/// Runs of a regen, each with the bare pass run just before it.
struct Paired {
    /// The regen's times, sorted.
    times: Vec<Duration>,
    /// Each run's time over its bare pass's, sorted.
    ratios: Vec<f64>,
    /// The fastest of the bare passes run beside them.
    best_bare: Duration,
}

impl Paired {
    /// The fastest run over the fastest bare pass beside them: each side
    /// as the machine disturbed it least, a second view for a busy machine,
    /// where the median multiple moves by a fifth from one bench to the
    /// next. (The lowest multiple of a pair would not do: it is the pair
    /// whose bare pass was disturbed most.)
    fn best_ratio(&self) -> f64 {
        self.times.first().map_or(0.0, |best| {
            best.as_secs_f64() / self.best_bare.as_secs_f64().max(1e-9)
        })
    }

    /// The median multiple.
    fn ratio(&self) -> f64 {
        self.ratios
            .get(self.ratios.len() / 2)
            .copied()
            .unwrap_or(0.0)
    }
}

/// Runs `f` `runs` times, each right after a bare pass over `docs`; what
/// `f` leaves is dropped after its time is taken.
fn paired(
    runs: usize,
    docs: &Path,
    f: impl FnMut() -> Result<Leftover, String>,
) -> Result<Paired, String> {
    paired_after(runs, docs, &mut || Ok(()), f)
}

/// [`paired`], with `prepare` run before each pair, untimed.
fn paired_after(
    runs: usize,
    docs: &Path,
    prepare: &mut dyn FnMut() -> Result<(), String>,
    mut f: impl FnMut() -> Result<Leftover, String>,
) -> Result<Paired, String> {
    let mut times = Vec::with_capacity(runs);
    let mut ratios = Vec::with_capacity(runs);
    let mut best_bare = Duration::MAX;
    for _ in 0..runs {
        prepare()?;
        let start = Instant::now();
        std::hint::black_box(bare_pass(docs));
        let bare = start.elapsed();
        let start = Instant::now();
        let left = f()?;
        let took = start.elapsed();
        drop(left);
        times.push(took);
        ratios.push(took.as_secs_f64() / bare.as_secs_f64().max(1e-9));
        best_bare = best_bare.min(bare);
    }
    times.sort();
    ratios.sort_by(f64::total_cmp);
    Ok(Paired {
        times,
        ratios,
        best_bare,
    })
}

/// `text` with the first row of its properties table edited: the last
/// cell, a property's description.
fn edit_first_property(text: &str, round: usize) -> String {
    let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
    let properties = lines
        .iter()
        .position(|l| l.trim_start_matches('#').trim() == "Properties")
        .unwrap_or(0);
    if let Some(row) = lines
        .iter()
        .skip(properties)
        .position(|l| l.starts_with('|') && l.contains("---"))
        .map(|i| properties + i + 1)
        .filter(|&i| i < lines.len() && lines[i].ends_with('|'))
    {
        let cell = lines[row].trim_end_matches('|').to_owned();
        lines[row] = format!("{cell} Edit {round}.|");
    }
    lines.join("\n") + "\n"
}

/// Reads every page below `dir` and runs pulldown-cmark over it, tables on.
/// Returns the number of events, so nothing is optimised away.
fn bare_pass(dir: &Path) -> usize {
    let mut files = Vec::new();
    markdown_files(dir, &mut files);
    files
        .iter()
        .filter_map(|f| std::fs::read_to_string(f).ok())
        .map(|text| Parser::new_ext(&text, Options::ENABLE_TABLES).count())
        .sum()
}

fn markdown_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            markdown_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "md") {
            out.push(path);
        }
    }
}

/// The page the one-page-changed run edits: the first page, in path order,
/// whose front matter `description` the crate in `out` quotes, so that the
/// edit reaches the output.
fn page_to_change(dir: &Path, out: &Path) -> Result<PathBuf, String> {
    let mut emitted = Vec::new();
    rust_files(&out.join("src"), &mut emitted);
    let emitted: Vec<String> = emitted
        .iter()
        .filter_map(|f| std::fs::read_to_string(f).ok())
        .collect();
    let mut files = Vec::new();
    markdown_files(dir, &mut files);
    files
        .into_iter()
        .find(|f| {
            let Ok(text) = std::fs::read_to_string(f) else {
                return false;
            };
            let description = text
                .lines()
                .take_while(|l| !l.is_empty())
                .find_map(|l| l.strip_prefix("description: "))
                .map(|d| d.trim().trim_matches('"'))
                .filter(|d| d.len() > 20);
            description.is_some_and(|d| emitted.iter().any(|e| e.contains(d)))
        })
        .ok_or_else(|| "no page's description reaches the crate".to_owned())
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for path in entries.filter_map(|e| e.ok().map(|e| e.path())) {
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

fn copy_tree(from: &Path, to: &Path) -> Result<(), String> {
    std::fs::create_dir_all(to).map_err(|e| format!("{}: {e}", to.display()))?;
    let entries = std::fs::read_dir(from).map_err(|e| format!("{}: {e}", from.display()))?;
    for entry in entries {
        let entry = entry.map_err(|e| e.to_string())?;
        let (src, dst) = (entry.path(), to.join(entry.file_name()));
        if src.is_dir() {
            copy_tree(&src, &dst)?;
        } else {
            std::fs::copy(&src, &dst).map_err(|e| format!("{}: {e}", src.display()))?;
        }
    }
    Ok(())
}

/// A temporary folder, removed when dropped.
struct Scratch(PathBuf);

impl Scratch {
    fn new() -> Result<Scratch, String> {
        let dir = std::env::temp_dir().join(format!("xtask-bench-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        Ok(Scratch(dir))
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn measure(runs: usize, mut f: impl FnMut()) -> Vec<Duration> {
    try_measure(runs, || {
        f();
        Ok(())
    })
    .unwrap_or_default()
}

fn try_measure(
    runs: usize,
    mut f: impl FnMut() -> Result<(), String>,
) -> Result<Vec<Duration>, String> {
    let mut times = Vec::with_capacity(runs);
    for _ in 0..runs {
        let start = Instant::now();
        f()?;
        times.push(start.elapsed());
    }
    times.sort();
    Ok(times)
}

fn report(stage: &str, times: &[Duration], pages: usize, mb: f64) {
    let median = times[times.len() / 2];
    let best = times[0];
    let secs = median.as_secs_f64().max(1e-9);
    crate::say!(
        "{stage:>20}: median {:>8.1} ms, best {:>8.1} ms, {:>8.0} pages/s, {:>6.1} MB/s",
        secs * 1e3,
        best.as_secs_f64() * 1e3,
        pages as f64 / secs,
        mb / secs
    );
}

/// Peak resident set size of this process, from `/proc/self/status` (Linux).
fn peak_rss() -> Option<String> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .map(|l| l.trim_start_matches("VmHWM:").trim().to_owned())
}
