//! `cargo xtask bench`: wall time and peak memory of each pipeline stage on a
//! docs folder. Figures are printed, never asserted: timings belong in
//! reports, not in tests that flake.

use std::time::{Duration, Instant};

use crate::docs::DocsFolder;

/// Runs each stage `runs` times and prints the median and the best time.
pub fn run(docs: &DocsFolder, runs: usize) {
    let runs = runs.max(1);
    let sources = docs.sources();
    let mb = docs.bytes() as f64 / 1e6;
    println!("{} pages, {mb:.1} MB, {runs} runs each", docs.pages.len());
    let read = measure(runs, || {
        let (pages, diags) = generator::parse_pages(&sources);
        std::hint::black_box((pages.len(), diags.len()));
    });
    report("read", &read, docs.pages.len(), mb);
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
    let secs = median.as_secs_f64();
    println!(
        "{stage:>8}: median {:>8.1} ms, best {:>8.1} ms, {:>8.0} pages/s, {:>6.1} MB/s",
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
