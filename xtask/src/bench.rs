//! `cargo xtask bench`: wall time of each pipeline stage on a docs folder, and
//! peak memory. Figures are printed, never asserted: timings belong in
//! reports, not in tests that flake.

use std::time::{Duration, Instant};

use crate::docs::DocsFolder;

/// Runs each stage `runs` times and prints the median and the best time.
pub fn run(docs: &DocsFolder, runs: usize) {
    let runs = runs.max(1);
    let sources = docs.sources();
    let pages = docs.pages.len();
    let mb = docs.bytes() as f64 / 1e6;
    println!(
        "{pages} pages, {mb:.1} MB, {runs} runs each (release build recommended: cargo run --release -p xtask -- bench)"
    );
    let read = measure(runs, || {
        let (read, diags) = generator::parse_pages(&sources, &docs.includes);
        std::hint::black_box((read.len(), diags.len()));
    });
    report("read", &read, pages, mb);
    let (read_pages, _) = generator::parse_pages(&sources, &docs.includes);
    let model = measure(runs, || {
        let (api, diags) = generator::build_model(&read_pages);
        std::hint::black_box((api.endpoints.len(), diags.len()));
    });
    report("model", &model, pages, mb);
    let (api, _) = generator::build_model(&read_pages);
    let options = generator::emit::EmitOptions::default();
    let mut emitted_bytes = 0;
    let emit = measure(runs, || {
        let files = generator::emit::emit_crate(&api, &options);
        emitted_bytes = files.values().map(String::len).sum::<usize>();
        std::hint::black_box(files.len());
    });
    report("emit", &emit, pages, mb);
    let total = measure(runs, || {
        let generated = generator::generate(&sources, &docs.includes, &options);
        std::hint::black_box(generated.files.len());
    });
    report("total", &total, pages, mb);
    println!(
        "model: {} endpoints, {} types; emitted {:.1} MB of Rust",
        api.endpoints.len(),
        api.types.len(),
        emitted_bytes as f64 / 1e6
    );
    println!(
        "peak resident memory: {}",
        peak_rss().unwrap_or_else(|| "unknown".to_owned())
    );
}

fn measure(runs: usize, mut f: impl FnMut()) -> Vec<Duration> {
    let mut times: Vec<Duration> = (0..runs)
        .map(|_| {
            let start = Instant::now();
            f();
            start.elapsed()
        })
        .collect();
    times.sort();
    times
}

fn report(stage: &str, times: &[Duration], pages: usize, mb: f64) {
    let median = times[times.len() / 2];
    let best = times[0];
    let secs = median.as_secs_f64().max(1e-9);
    println!(
        "{stage:>6}: median {:>8.1} ms, best {:>8.1} ms, {:>8.0} pages/s, {:>6.1} MB/s",
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
