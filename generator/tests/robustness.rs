//! The pipeline never panics, whatever the input: every fixture page and
//! seed is cut short at many points and mutated line by line, and each result
//! goes through reading, modelling and emission.

mod support;

use generator::emit::EmitOptions;
use generator::{SourcePage, generate};

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
    for stage in ["read", "model", "emit"] {
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
    let options = EmitOptions::default();
    let mut rng = Lcg(0x5eed);
    let mut runs = 0;
    for (path, text) in pages() {
        let step = (text.len() / 40).max(1);
        let mut variants: Vec<String> = (0..text.len())
            .step_by(step)
            .map(|at| cut(&text, at).to_owned())
            .collect();
        variants.extend((0..20).map(|_| mutate(&text, &mut rng)));
        for variant in &variants {
            let result = std::panic::catch_unwind(|| {
                generate(
                    &[SourcePage {
                        path: &path,
                        text: variant,
                    }],
                    &options,
                )
            });
            assert!(result.is_ok(), "panic on a variant of {path}:\n{variant}");
            runs += 1;
        }
    }
    assert!(runs > 1_000, "only {runs} variants were tried");
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
                &options,
            )
        });
        assert!(result.is_ok(), "panic on {text:?}");
    }
}
