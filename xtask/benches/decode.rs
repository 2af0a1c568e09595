//! How fast the generated models decode, against serde's own ways, in one
//! run on the same payloads: `cargo bench -p xtask --bench decode --features bench`.
//!
//! The payloads are made from the docs' own response examples
//! (`docs-input/api/user-get.md`, `docs-input/api/group-list-members.md`),
//! each item given two properties the crate does not declare, scaled to
//! thousands of items. Each row is the median of 51 rounds (every decoder
//! once a round, in turn); the ratio is
//! against serde's derive that drops unknown properties (the fastest
//! typed decoder, and a lossy one). Allocations per item are counted with
//! dhat on one run.

use std::time::{Duration, Instant};

use serde::Deserialize;
use serde::de::IgnoredAny;
use serde_json::{Value, json};

#[global_allocator]
static ALLOC: dhat::Alloc = dhat::Alloc;

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

/// The first JSON response example of a docs-input page.
fn example(page: &str) -> Value {
    let root = xtask::workspace_root();
    let text = std::fs::read_to_string(root.join("docs-input").join(page))
        .unwrap_or_else(|e| panic!("{page}: {e}"));
    let (parsed, _) = generator::parse_page(page, &text);
    parsed
        .examples
        .iter()
        .find_map(|example| match &example.message {
            generator::parse::ExampleMessage::Response(response) => match &response.body {
                generator::parse::ExampleBody::Json(v) => Some(v.clone()),
                _ => None,
            },
            _ => None,
        })
        .unwrap_or_else(|| panic!("{page} has a JSON response example"))
}

/// A page of `ITEMS` users: the docs' user, with common properties, two
/// undeclared ones, and an id of its own each.
fn users_page() -> String {
    let mut user = example("api/user-get.md");
    let object = user.as_object_mut().expect("an object");
    object.remove("@odata.context");
    for (key, value) in [
        ("accountEnabled", json!(true)),
        ("city", json!("Redmond")),
        ("country", json!("United States")),
        ("department", json!("Finance")),
        ("createdDateTime", json!("2021-03-11T09:30:12Z")),
        ("extensionAttribute7", json!("cost-center-42")),
        (
            "onPremisesSyncState",
            json!({"lastSync": "2021-03-10T00:00:00Z", "errors": []}),
        ),
    ] {
        object.insert(key.to_owned(), value);
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
    let _profiler = dhat::Profiler::builder().testing().build();
    let before = dhat::HeapStats::get().total_blocks;
    decode(text);
    let after = dhat::HeapStats::get().total_blocks;
    (after - before) as f64 / ITEMS as f64
}

type Row<'a> = (&'a str, Box<dyn Fn(&str)>);

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
    use graph_sdk::models::{AnyDirectoryObject, User};
    use graph_sdk::runtime::Page;

    println!(
        "size of a value: User {} bytes, UserDerive {} bytes",
        std::mem::size_of::<User>(),
        std::mem::size_of::<UserDerive>()
    );
    let users = users_page();
    table(
        "Page<User>",
        &users,
        vec![
            (
                "parse only (IgnoredAny)",
                Box::new(|t| {
                    serde_json::from_str::<IgnoredAny>(t).expect("parses");
                }),
            ),
            (
                "serde derive, unknown fields dropped",
                Box::new(|t| {
                    serde_json::from_str::<PageOf<UserDerive>>(t).expect("decodes");
                }),
            ),
            (
                "serde derive with a flatten map (lossless)",
                Box::new(|t| {
                    serde_json::from_str::<PageOf<UserFlatten>>(t).expect("decodes");
                }),
            ),
            (
                "serde_json::Value",
                Box::new(|t| {
                    serde_json::from_str::<Value>(t).expect("decodes");
                }),
            ),
            (
                "the models' previous decoder (object buffered first)",
                Box::new(|t| {
                    serde_json::from_str::<PageOf<UserBuffered>>(t).expect("decodes");
                }),
            ),
            (
                "generated Page<User> (lossless)",
                Box::new(|t| {
                    let page = serde_json::from_str::<Page<User>>(t).expect("decodes");
                    assert_eq!(page.value.len(), ITEMS);
                }),
            ),
        ],
        "serde derive, unknown fields dropped",
    );

    let members = members_page();
    table(
        "Page<AnyDirectoryObject> (users and groups, `@odata.type` first)",
        &members,
        vec![
            (
                "parse only (IgnoredAny)",
                Box::new(|t| {
                    serde_json::from_str::<IgnoredAny>(t).expect("parses");
                }),
            ),
            (
                "serde_json::Value",
                Box::new(|t| {
                    serde_json::from_str::<Value>(t).expect("decodes");
                }),
            ),
            (
                "generated Page<AnyDirectoryObject>",
                Box::new(|t| {
                    let page =
                        serde_json::from_str::<Page<AnyDirectoryObject>>(t).expect("decodes");
                    assert_eq!(page.value.len(), ITEMS);
                }),
            ),
        ],
        "serde_json::Value",
    );
}
