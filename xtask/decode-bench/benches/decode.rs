//! How fast the generated models decode, against serde's own ways, in one
//! run on the same payloads: `cargo bench -p decode-bench`.
//!
//! The payloads are made from the docs' own response examples
//! (`docs-input/api/user-get.md`, `docs-input/api/group-list-members.md`),
//! each item given two properties the crate does not declare, scaled to
//! thousands of items. Each row is the median of 51 rounds (every decoder
//! once a round, in turn); the ratio is
//! against serde's derive that drops unknown properties (the fastest
//! typed decoder, and a lossy one). Allocations per item are counted on
//! one run by the global allocator (the system's, counting).
//!
//! In the same run, it measures what the models cost to compile:
//! `cargo check --features full` of the crate made from the v1.0 corpus.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use serde::Deserialize;
use serde::de::IgnoredAny;
use serde_json::{Value, json};

use graph_sdk::models::{AnyDirectoryObject, User};
use graph_sdk::runtime::Page;

/// The system allocator, counting allocations: one relaxed atomic add on
/// each, so that every row's time is the allocator an application has,
/// nearly unburdened (a profiling allocator would weigh on the rows that
/// allocate most).
struct Counting;

static ALLOCATIONS: AtomicUsize = AtomicUsize::new(0);

// SAFETY: every call is passed unchanged to the system allocator.
#[allow(unsafe_code)]
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        // SAFETY: the caller's contract is the system allocator's.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: as above.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        // SAFETY: as above.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOC: Counting = Counting;

/// How many items a page has.
const ITEMS: usize = 2_000;
/// How many runs a row's median is of.
const RUNS: usize = 51;

/// The user of the docs' example, with the properties a directory
/// listing commonly returns.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
#[allow(dead_code)]
struct UserDerive {
    id: Option<String>,
    business_phones: Option<Vec<String>>,
    display_name: Option<String>,
    given_name: Option<String>,
    job_title: Option<String>,
    mail: Option<String>,
    mobile_phone: Option<String>,
    office_location: Option<String>,
    preferred_language: Option<String>,
    surname: Option<String>,
    user_principal_name: Option<String>,
    account_enabled: Option<bool>,
    city: Option<String>,
    country: Option<String>,
    department: Option<String>,
    created_date_time: Option<chrono::DateTime<chrono::FixedOffset>>,
}

/// The same, keeping what it does not declare.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
#[allow(dead_code)]
struct UserFlatten {
    #[serde(flatten)]
    user: UserDerive,
    #[serde(flatten)]
    rest: std::collections::BTreeMap<String, Value>,
}

/// The same, decoded as the generated models did before: the object read
/// into a map first, then each property taken from it.
#[derive(Default)]
#[allow(dead_code)]
struct UserBuffered {
    id: Option<String>,
    business_phones: Option<Vec<String>>,
    display_name: Option<String>,
    given_name: Option<String>,
    job_title: Option<String>,
    mail: Option<String>,
    mobile_phone: Option<String>,
    office_location: Option<String>,
    preferred_language: Option<String>,
    surname: Option<String>,
    user_principal_name: Option<String>,
    account_enabled: Option<bool>,
    city: Option<String>,
    country: Option<String>,
    department: Option<String>,
    created_date_time: Option<chrono::DateTime<chrono::FixedOffset>>,
    rest: std::collections::BTreeMap<String, Value>,
}

impl<'de> Deserialize<'de> for UserBuffered {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let mut object = graph_sdk::runtime::ObjectReader::new(deserializer)?;
        let value = Self {
            id: object.take("id"),
            business_phones: object.take("businessPhones"),
            display_name: object.take("displayName"),
            given_name: object.take("givenName"),
            job_title: object.take("jobTitle"),
            mail: object.take("mail"),
            mobile_phone: object.take("mobilePhone"),
            office_location: object.take("officeLocation"),
            preferred_language: object.take("preferredLanguage"),
            surname: object.take("surname"),
            user_principal_name: object.take("userPrincipalName"),
            account_enabled: object.take("accountEnabled"),
            city: object.take("city"),
            country: object.take("country"),
            department: object.take("department"),
            created_date_time: object.take("createdDateTime"),
            rest: object.rest(),
        };
        object.finish(value)
    }
}

#[derive(Deserialize)]
#[allow(dead_code)]
struct PageOf<T> {
    value: Vec<T>,
}

/// The first JSON response example of a docs-input page: the body of the
/// first code block after a `"blockType": "response"` annotation, past its
/// status line and headers. (The generator reads examples more leniently;
/// the pages this benchmark uses are strict JSON, and it says so if not.)
fn example(page: &str) -> Value {
    use pulldown_cmark::{Event, Parser, Tag, TagEnd};

    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../docs-input")
        .join(page);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let (mut annotated, mut in_block, mut block) = (false, false, String::new());
    for event in Parser::new(&text) {
        match event {
            Event::Html(html) | Event::InlineHtml(html)
                if html.contains("\"blockType\": \"response\"") =>
            {
                annotated = true;
            }
            Event::Start(Tag::CodeBlock(_)) if annotated => in_block = true,
            Event::Text(t) if in_block => block.push_str(&t),
            Event::End(TagEnd::CodeBlock) if in_block => break,
            _ => {}
        }
    }
    let body = block
        .split_once("\n\n")
        .map_or(block.as_str(), |(_, body)| body);
    serde_json::from_str(body)
        .unwrap_or_else(|e| panic!("{page}: the response example is not strict JSON: {e}"))
}

/// A page of `ITEMS` users: the docs' user, with common properties, two
/// undeclared ones (if `undeclared`), and an id of its own each.
fn users_page(undeclared: bool) -> String {
    let mut user = example("api/user-get.md");
    let object = user.as_object_mut().expect("an object");
    object.remove("@odata.context");
    for (key, value) in [
        ("accountEnabled", json!(true)),
        ("city", json!("Redmond")),
        ("country", json!("United States")),
        ("department", json!("Finance")),
        ("createdDateTime", json!("2021-03-11T09:30:12Z")),
    ] {
        object.insert(key.to_owned(), value);
    }
    for (key, value) in [
        ("extensionAttribute7", json!("cost-center-42")),
        (
            "onPremisesSyncState",
            json!({"lastSync": "2021-03-10T00:00:00Z", "errors": []}),
        ),
    ] {
        if undeclared {
            object.insert(key.to_owned(), value);
        }
    }
    let items: Vec<Value> = (0..ITEMS)
        .map(|i| {
            let mut u = user.clone();
            u["id"] = json!(format!("48d31887-5fad-4d73-a9f5-{i:012x}"));
            u
        })
        .collect();
    serde_json::to_string(&json!({ "value": items })).expect("writes")
}

/// A page of `ITEMS` directory objects, users and groups by turns, each
/// with `@odata.type` first as Graph writes it.
fn members_page() -> String {
    let members = example("api/group-list-members.md");
    let sample: Vec<Value> = members["value"].as_array().cloned().unwrap_or_default();
    assert!(!sample.is_empty(), "group-list-members has members");
    let items: Vec<Value> = (0..ITEMS)
        .map(|i| {
            let mut m = sample[i % sample.len()].clone();
            m["id"] = json!(format!("{i:08x}-0000-0000-0000-000000000000"));
            m["extensionAttribute7"] = json!("x");
            m
        })
        .collect();
    serde_json::to_string(&json!({ "value": items })).expect("writes")
}

/// The median time of each decoder on `text`, over `RUNS` rounds in which
/// every decoder runs once in turn, so that the machine's drift reaches
/// every row alike; after one round to warm up.
fn medians(text: &str, rows: &[Row<'_>]) -> Vec<Duration> {
    let mut times: Vec<Vec<Duration>> = vec![Vec::with_capacity(RUNS); rows.len()];
    for round in 0..=RUNS {
        for (i, (_, decode)) in rows.iter().enumerate() {
            let start = Instant::now();
            decode(text);
            if round > 0 {
                times[i].push(start.elapsed());
            }
        }
    }
    times
        .into_iter()
        .map(|mut t| {
            t.sort();
            t[RUNS / 2]
        })
        .collect()
}

/// Allocations of one decode, per item.
fn allocations(text: &str, decode: &dyn Fn(&str)) -> f64 {
    let before = ALLOCATIONS.load(Ordering::Relaxed);
    decode(text);
    let after = ALLOCATIONS.load(Ordering::Relaxed);
    (after - before) as f64 / ITEMS as f64
}

type Row<'a> = (&'a str, fn(&str));

fn table(title: &str, text: &str, rows: Vec<Row<'_>>, baseline: &str) {
    let mb = text.len() as f64 / 1e6;
    println!("\n{title}: {ITEMS} items, {mb:.2} MB, median of {RUNS} runs");
    println!("| decoder | time | throughput | vs {baseline} | allocations per item |");
    println!("|---|---|---|---|---|");
    let times = medians(text, &rows);
    let measured: Vec<(&str, Duration, f64)> = rows
        .iter()
        .zip(times)
        .map(|((name, decode), time)| (*name, time, allocations(text, decode)))
        .collect();
    let base = measured
        .iter()
        .find(|(n, _, _)| *n == baseline)
        .map_or(Duration::from_nanos(1), |(_, t, _)| *t);
    for (name, time, allocs) in measured {
        println!(
            "| {name} | {:.2} ms | {:.0} MB/s | {:.2}x | {allocs:.1} |",
            time.as_secs_f64() * 1e3,
            mb / time.as_secs_f64(),
            time.as_secs_f64() / base.as_secs_f64(),
        );
    }
}

fn main() {
    if std::env::args().nth(1).as_deref() == Some(CHECK_CHILD) {
        return check_child();
    }
    decode_tables();
    compile_cost();
}

/// The argument with which the benchmark runs itself to time one
/// `cargo check` and read its peak memory.
const CHECK_CHILD: &str = "--check-child";

/// How many timed `cargo check` runs the compile cost is the median of.
const CHECK_RUNS: usize = 3;

/// What the models cost to compile, in the same run as their decode:
/// `cargo check --features full` of the crate made from the v1.0 corpus
/// (`../shared/corpus/graph-docs-v1.0`), after its dependencies are built,
/// each run after `src/lib.rs` is touched; the median time and the peak
/// memory of any process the check started.
fn compile_cost() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let corpus = root.join("../shared/corpus/graph-docs-v1.0");
    if !corpus.is_dir() {
        println!(
            "\ncompile cost of the models: not measured, no corpus at {}",
            corpus.display()
        );
        return;
    }
    let scratch = std::env::temp_dir().join(format!("decode-bench-{}", std::process::id()));
    let krate = scratch.join("crate");
    let regen = std::process::Command::new(env!("CARGO"))
        .current_dir(&root)
        .args([
            "run",
            "--release",
            "--quiet",
            "-p",
            "xtask",
            "--",
            "regen",
            "--docs",
        ])
        .arg(&corpus)
        .arg("--out")
        .arg(&krate)
        .args(["--crate-name", "graph-corpus"])
        .output()
        .expect("runs cargo");
    assert!(
        regen.status.success(),
        "regen of the corpus failed: {}",
        String::from_utf8_lossy(&regen.stderr)
    );
    let check = |timed: bool| -> (Duration, u64) {
        let output = std::process::Command::new(std::env::current_exe().expect("own path"))
            .arg(CHECK_CHILD)
            .arg(&krate)
            .env("CARGO_TARGET_DIR", scratch.join("target"))
            .output()
            .expect("runs itself");
        let text = String::from_utf8_lossy(&output.stdout);
        assert!(
            output.status.success() || !timed,
            "cargo check failed: {text}"
        );
        let mut fields = text
            .split_whitespace()
            .map(|f| f.parse::<u64>().unwrap_or(0));
        let (nanos, kib) = (fields.next().unwrap_or(0), fields.next().unwrap_or(0));
        (Duration::from_nanos(nanos), kib)
    };
    check(false);
    let lib = krate.join("src/lib.rs");
    let text = std::fs::read(&lib).expect("reads lib.rs");
    let mut runs: Vec<(Duration, u64)> = (0..CHECK_RUNS)
        .map(|_| {
            std::fs::write(&lib, &text).expect("touches lib.rs");
            check(true)
        })
        .collect();
    runs.sort();
    let (time, _) = runs[CHECK_RUNS / 2];
    let peak = runs.iter().map(|(_, kib)| *kib).max().unwrap_or(0);
    let rust_bytes: u64 = rust_files(&krate.join("src"))
        .iter()
        .map(|p| p.metadata().map_or(0, |m| m.len()))
        .sum();
    println!(
        "\ncompile cost of the models: `cargo check --features full` of the v1.0 corpus crate ({:.1} MB of Rust), median of {CHECK_RUNS}: {:.1} s, peak memory {:.2} GB",
        rust_bytes as f64 / 1e6,
        time.as_secs_f64(),
        peak as f64 * 1024.0 / 1e9
    );
    let _ = std::fs::remove_dir_all(&scratch);
}

/// Every `.rs` file under `dir`.
fn rust_files(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(rust_files(&path));
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
    out
}

/// In the child: runs `cargo check --features full` in the crate given,
/// and prints its time in nanoseconds and the peak resident memory of the
/// processes it started, in KiB.
fn check_child() {
    let krate = std::env::args().nth(2).expect("a crate folder");
    let start = Instant::now();
    let status = std::process::Command::new(env!("CARGO"))
        .current_dir(&krate)
        .args(["check", "--quiet", "--features", "full"])
        .status()
        .expect("runs cargo");
    let elapsed = start.elapsed();
    // SAFETY: `getrusage` writes only into the struct it is given.
    #[allow(unsafe_code)]
    let usage = unsafe {
        let mut usage: libc::rusage = std::mem::zeroed();
        libc::getrusage(libc::RUSAGE_CHILDREN, &mut usage);
        usage
    };
    println!("{} {}", elapsed.as_nanos(), usage.ru_maxrss);
    if !status.success() {
        std::process::exit(1);
    }
}

/// Parses without keeping anything.
fn parse_only(text: &str) {
    serde_json::from_str::<IgnoredAny>(text).expect("parses");
}

/// serde's derive, dropping what it does not declare.
fn lossy_derive(text: &str) {
    serde_json::from_str::<PageOf<UserDerive>>(text).expect("decodes");
}

/// serde's derive, keeping the rest in a flattened map.
fn flatten_derive(text: &str) {
    serde_json::from_str::<PageOf<UserFlatten>>(text).expect("decodes");
}

/// An untyped value.
fn untyped(text: &str) {
    serde_json::from_str::<Value>(text).expect("decodes");
}

/// The models' previous decoder: each object buffered into a map first.
fn buffered(text: &str) {
    serde_json::from_str::<PageOf<UserBuffered>>(text).expect("decodes");
}

/// The generated `Page<User>`.
fn generated_users(text: &str) {
    let page = serde_json::from_str::<Page<User>>(text).expect("decodes");
    assert_eq!(page.value.len(), ITEMS);
}

/// The generated dispatch enum.
fn generated_members(text: &str) {
    let page = serde_json::from_str::<Page<AnyDirectoryObject>>(text).expect("decodes");
    assert_eq!(page.value.len(), ITEMS);
}

const PARSE_ONLY: &str = "parse only (IgnoredAny)";
const LOSSY: &str = "serde derive, unknown fields dropped";
const UNTYPED: &str = "serde_json::Value";
const GENERATED: &str = "generated Page<User> (lossless)";

/// Decodes the payloads with every decoder and prints the tables.
fn decode_tables() {
    println!(
        "size of a value: User {} bytes, UserDerive {} bytes",
        std::mem::size_of::<User>(),
        std::mem::size_of::<UserDerive>()
    );
    table(
        "Page<User>",
        &users_page(true),
        vec![
            (PARSE_ONLY, parse_only),
            (LOSSY, lossy_derive),
            ("serde derive with a flatten map (lossless)", flatten_derive),
            (UNTYPED, untyped),
            (
                "the models' previous decoder (object buffered first)",
                buffered,
            ),
            (GENERATED, generated_users),
        ],
        LOSSY,
    );
    table(
        "Page<User>, every property declared (the same users without the two undeclared ones)",
        &users_page(false),
        vec![
            (PARSE_ONLY, parse_only),
            (LOSSY, lossy_derive),
            (GENERATED, generated_users),
        ],
        LOSSY,
    );
    table(
        "Page<AnyDirectoryObject> (users and groups, `@odata.type` first)",
        &members_page(),
        vec![
            (PARSE_ONLY, parse_only),
            (UNTYPED, untyped),
            ("generated Page<AnyDirectoryObject>", generated_members),
        ],
        UNTYPED,
    );
}
