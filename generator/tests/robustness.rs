//! The pipeline never panics, whatever the input: every fixture page and
//! seed is cut short at many points and mutated line by line, and each result
//! goes through reading, modelling and emission.

use crate::support;

use generator::emit::EmitOptions;
use generator::{Code, Includes, SourcePage, generate};

/// Deterministic pseudo-random numbers (an LCG), so a failure reproduces.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self, bound: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        ((self.0 >> 33) as usize) % bound.max(1)
    }
}

fn pages() -> Vec<(String, String)> {
    let mut out = Vec::new();
    for stage in ["parse", "model", "emit"] {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures")
            .join(stage);
        out.extend(support::read_md_tree(&root));
    }
    if let Some(seeds) = support::shared("seeds") {
        out.extend(support::read_md_tree(&seeds));
    }
    out
}

/// Cuts at a char boundary at or before `at`.
fn cut(text: &str, mut at: usize) -> &str {
    at = at.min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    &text[..at]
}

fn mutate(text: &str, rng: &mut Lcg) -> String {
    let mut lines: Vec<&str> = text.lines().collect();
    for _ in 0..4 {
        if lines.is_empty() {
            break;
        }
        let i = rng.next(lines.len());
        match rng.next(4) {
            0 => {
                lines.remove(i);
            }
            1 => lines.insert(i, lines[i]),
            2 => lines.insert(
                i,
                [
                    "```",
                    "|",
                    "<!-- {",
                    "---",
                    "# ",
                    "| a | b |",
                    "GET",
                    "HTTP/1.1",
                ][rng.next(8)],
            ),
            _ => {
                let j = rng.next(lines.len());
                lines.swap(i, j);
            }
        }
    }
    lines.join("\n")
}

#[test]
fn truncated_and_mutated_pages_never_panic() {
    use rayon::prelude::*;
    let options = EmitOptions::default();
    let mut rng = Lcg(0x5eed);
    // The variants first, in order (the mutations are reproducible), then
    // tried on every core: each is a whole run of the pipeline.
    let mut variants: Vec<(String, String)> = Vec::new();
    for (path, text) in pages() {
        let step = (text.len() / 40).max(1);
        for at in (0..text.len()).step_by(step) {
            variants.push((path.clone(), cut(&text, at).to_owned()));
        }
        for _ in 0..20 {
            variants.push((path.clone(), mutate(&text, &mut rng)));
        }
    }
    variants.par_iter().for_each(|(path, variant)| {
        let result = std::panic::catch_unwind(|| {
            generate(
                &[SourcePage {
                    path,
                    text: variant,
                }],
                &Includes::new(),
                &options,
            )
        });
        assert!(result.is_ok(), "panic on a variant of {path}:\n{variant}");
    });
    assert!(
        variants.len() > 1_000,
        "only {} variants were tried",
        variants.len()
    );
}

#[test]
fn hostile_bytes_never_panic() {
    let options = EmitOptions::default();
    let hostile = [
        "",
        "\u{feff}",
        "---",
        "---\n---\n",
        "\0\0\0",
        "# \n## \n### HTTP request\n```http\nGET /{\n```",
        "## HTTP request\n```http\nGET /a/{id}/b/{id}/c/{id}\nPOST /x(a='{a}',b={b},c)\nGET /root:/{p}:/\nGET /items('{id}')/$value\n```",
        "| a |\n|---|\n| b | c | d |\n|",
        "<!-- { \"blockType\": \"request\"",
        "```\n```\n```",
        "---\ntitle: [unclosed\n---\n",
        "## Properties\n|Property|Type|Description|\n|-|-|-|\n|self|[self](self.md) collection|x|\n|type|Collection(|y|",
    ];
    for text in hostile {
        let result = std::panic::catch_unwind(|| {
            generate(
                &[SourcePage {
                    path: "hostile.md",
                    text,
                }],
                &Includes::new(),
                &options,
            )
        });
        assert!(result.is_ok(), "panic on {text:?}");
    }
}

/// Every word a module could not be named, with case variants.
fn awkward_names() -> Vec<String> {
    let words = [
        "abstract", "as", "async", "await", "become", "box", "break", "const", "continue", "crate",
        "do", "dyn", "else", "enum", "extern", "false", "final", "fn", "for", "gen", "if", "impl",
        "in", "let", "loop", "macro", "match", "mod", "move", "mut", "override", "priv", "pub",
        "ref", "return", "self", "Self", "static", "struct", "super", "trait", "true", "try",
        "type", "typeof", "union", "unsafe", "unsized", "use", "virtual", "where", "while",
        "yield", "con", "prn", "aux", "nul", "com1", "lpt9", "lib", "main", "runtime", "models",
        "client", "std", "core", "serde",
    ];
    let mut names = Vec::new();
    for word in words {
        names.push(word.to_owned());
        names.push(word.to_uppercase());
        let mut chars = word.chars();
        if let Some(first) = chars.next() {
            names.push(first.to_uppercase().chain(chars).collect());
        }
    }
    names.sort();
    names.dedup();
    names
}

/// The `mod` items of a `mod.rs`.
fn declared_modules(mod_rs: &str) -> Vec<String> {
    let file = syn::parse_file(mod_rs).expect("mod.rs parses");
    file.items
        .iter()
        .filter_map(|item| match item {
            syn::Item::Mod(m) => Some(m.ident.to_string()),
            _ => None,
        })
        .collect()
}

/// Module declarations and files agree for types and top-level path segments
/// named after every keyword, reserved name and case variant: `mod x;`
/// always has its `x.rs`, and no file is left undeclared or overwritten.
#[test]
fn module_names_and_file_names_agree_for_every_awkward_name() {
    let names = awkward_names();
    let mut texts = Vec::new();
    for (i, name) in names.iter().enumerate() {
        texts.push((
            format!("resources/r{i}.md"),
            format!(
                "---\ntitle: \"{name} resource type\"\ndoc_type: resourcePageType\n---\n\n# {name} resource type\n\n## Properties\n|Property|Type|Description|\n|:---|:---|:---|\n|{name}|String|A property named {name}.|\n"
            ),
        ));
        texts.push((
            format!("api/a{i}.md"),
            format!(
                "---\ntitle: \"Get {name}\"\ndoc_type: apiPageType\n---\n\n# Get {name}\n\n## HTTP request\n```http\nGET /{name}/{{id}}\n```\n\n## Response\nReturns a [{name}](../resources/r{i}.md) object.\n"
            ),
        ));
    }
    let pages: Vec<SourcePage<'_>> = texts
        .iter()
        .map(|(path, text)| SourcePage { path, text })
        .collect();
    let run = generate(&pages, &Includes::new(), &EmitOptions::default());
    for dir in ["src/models", "src/client"] {
        let declared = declared_modules(&run.files[&format!("{dir}/mod.rs")]);
        let files: Vec<String> = run
            .files
            .keys()
            .filter_map(|path| path.strip_prefix(&format!("{dir}/")))
            .filter(|file| *file != "mod.rs")
            .map(|file| file.trim_end_matches(".rs").to_owned())
            .collect();
        let mut sorted = declared.clone();
        sorted.sort();
        assert_eq!(sorted, files, "{dir}: `mod` items and files differ");
        for module in &declared {
            assert!(!module.starts_with("r#"), "{dir}: raw module {module}");
        }
    }
    // Pages whose type names differ only in case define one type, and say so;
    // every type got its own file, so nothing was overwritten.
    let distinct: std::collections::BTreeSet<String> =
        names.iter().map(|n| n.to_ascii_lowercase()).collect();
    let duplicates = run
        .diagnostics
        .iter()
        .filter(|d| d.code == generator::Code::TypeDuplicate)
        .count();
    assert_eq!(duplicates, names.len() - distinct.len());
    let types = run.api.types.len();
    let model_files = run
        .files
        .keys()
        .filter(|p| p.starts_with("src/models/") && !p.ends_with("mod.rs"))
        .count();
    assert_eq!(types, model_files);
    assert_eq!(types, distinct.len());
}

/// Runs the whole pipeline on one page and says how long it took.
fn run_page(text: &str) -> (generator::Generated, std::time::Duration) {
    let started = std::time::Instant::now();
    let run = generate(
        &[SourcePage {
            path: "api/huge.md",
            text,
        }],
        &Includes::new(),
        &EmitOptions::default(),
    );
    (run, started.elapsed())
}

const FRONT: &str = "---\ntitle: \"Get thing\"\ndoc_type: apiPageType\n---\n# Get thing\n\n";

/// Inputs far beyond real pages finish in bounded time, with diagnostics
/// where something was cut short, and never overflow the stack. The bound
/// is generous (a debug build on a loaded CI machine); what it catches is
/// quadratic or worse behaviour, which takes minutes here.
#[test]
fn huge_and_deeply_nested_inputs_finish_in_bounded_time() {
    // Each case: what it is, the page, and the diagnostic that shows it was
    // read to the end (with how many of them, where that is known).
    let mut cases: Vec<(&str, String, Code, Option<usize>)> = Vec::new();
    let mut rows = String::from(FRONT);
    rows.push_str("## Properties\n|Property|Type|Description|\n|:---|:---|:---|\n");
    for i in 0..100_000 {
        rows.push_str(&format!("|p{i}|String|Row {i}.|\n"));
    }
    cases.push((
        "a table with 100,000 rows",
        rows,
        Code::TypeMissing,
        Some(1),
    ));
    let mut big = String::from(FRONT);
    while big.len() < 10_000_000 {
        big.push_str("Some prose about the thing, repeated to make a page of ten megabytes. ");
    }
    cases.push(("a 10 MB page", big, Code::EndpointMissing, Some(1)));
    cases.push((
        "10,000 nested block quotes",
        format!("{FRONT}{} deep\n", ">".repeat(10_000)),
        Code::EndpointMissing,
        Some(1),
    ));
    // `- - - item` opens a list inside a list on one line.
    cases.push((
        "10,000 list levels",
        format!("{FRONT}{}item\n", "- ".repeat(10_000)),
        Code::EndpointMissing,
        Some(1),
    ));
    let deep_json = format!("{}{}", "[".repeat(20_000), "]".repeat(20_000));
    cases.push((
        "JSON nested 20,000 deep in an example",
        format!("{FRONT}## Example\n### Response\n<!-- {{ \"blockType\": \"response\" }} -->\n```http\nHTTP/1.1 200 OK\n\n{deep_json}\n```\n"),
        Code::ExampleJsonInvalid,
        Some(1),
    ));
    cases.push((
        "JSON nested 20,000 deep in an annotation",
        format!(
            "{FRONT}<!-- {{ \"a\": {}{} }} -->\n```http\nGET /x\n```\n",
            "[".repeat(20_000),
            "]".repeat(20_000)
        ),
        Code::AnnotationInvalid,
        Some(1),
    ));
    cases.push((
        "JSON nested 20,000 deep with a trailing comma",
        format!("{FRONT}## Example\n### Response\n<!-- {{ \"blockType\": \"response\" }} -->\n```http\nHTTP/1.1 200 OK\n\n{{\"a\": {}1,{} }}\n```\n", "[".repeat(20_000), "]".repeat(20_000)),
        Code::ExampleJsonInvalid,
        Some(1),
    ));
    let mut bomb = String::from(
        "---\na: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n",
    );
    for (i, prev) in ["b", "c", "d", "e", "f", "g", "h", "i"]
        .iter()
        .zip(["a", "b", "c", "d", "e", "f", "g", "h"])
    {
        bomb.push_str(&format!(
            "{i}: &{i} [*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev}]\n"
        ));
    }
    bomb.push_str("title: bomb\ndoc_type: apiPageType\n---\n# Bomb\n");
    cases.push(("a YAML alias bomb", bomb, Code::FrontMatterInvalid, Some(1)));
    cases.push((
        "an unterminated fence",
        format!(
            "{FRONT}## HTTP request\n```http\nGET /x\n{}",
            "line\n".repeat(50_000)
        ),
        Code::RequestLineInvalid,
        Some(1),
    ));
    cases.push((
        "an unterminated comment",
        format!(
            "{FRONT}<!-- {{ \"blockType\": \"request\"\n{}",
            "x\n".repeat(50_000)
        ),
        Code::AnnotationRecovered,
        Some(1),
    ));
    cases.push((
        "an include directive repeated 100,000 times",
        format!("{FRONT}{}", "[!INCLUDE [x](x.md)]\n".repeat(100_000)),
        Code::IncludeMissing,
        Some(100_000),
    ));
    for (what, text, code, count) in &cases {
        let (run, took) = run_page(text);
        assert!(
            took < std::time::Duration::from_secs(60),
            "{what} took {took:?}"
        );
        let found = run.diagnostics.iter().filter(|d| d.code == *code).count();
        match count {
            Some(n) => assert_eq!(found, *n, "{what}: {code} diagnostics"),
            None => assert!(found > 0, "{what}: no {code} diagnostic"),
        }
        assert!(
            run.files.contains_key("src/lib.rs"),
            "{what}: no crate was emitted"
        );
    }
    // Nothing is lost in the big table: every row is read.
    let (page, _) = generator::parse_page("api/huge.md", &cases[0].1);
    let rows: usize = page
        .all_sections()
        .flat_map(|s| s.tables())
        .map(|t| t.rows.len())
        .sum();
    assert_eq!(rows, 100_000);
}

/// Bytes that are not text, a byte-order mark and CRLF line ends read like
/// any other page.
#[test]
fn bom_crlf_and_control_bytes_read_cleanly() {
    let page = "\u{feff}---\r\ntitle: \"Get thing\"\r\ndoc_type: apiPageType\r\n---\r\n# Get thing\r\n\r\n## HTTP request\r\n```http\r\nGET /things/{id}\r\n```\r\n";
    let (run, _) = run_page(page);
    assert_eq!(run.api.endpoints.len(), 1, "{:#?}", run.diagnostics);
    assert_eq!(run.api.endpoints[0].path.written, "/things/{id}");
    let lossy = String::from_utf8_lossy(&[0xff, 0xfe, 0x00, 0x1b, b'[', b'3', b'1', b'm', 0x7f])
        .into_owned();
    let (run, _) = run_page(&lossy);
    assert!(
        run.diagnostics
            .iter()
            .any(|d| d.code == generator::Code::FrontMatterMissing)
    );
}
