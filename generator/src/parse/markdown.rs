//! Markdown body -> a flat list of positioned blocks (headings, paragraphs,
//! tables, code, HTML comments), using pulldown-cmark's offset iterator.

use pulldown_cmark::{CodeBlockKind, CowStr, Event, HeadingLevel, Options, Parser, Tag, TagEnd};

use crate::diagnostics::{Code, Diagnostics};
use crate::parse::page::{Inline, Link, Loc, Row, Table};
use crate::source::Span;

/// A block of the markdown body, before it is placed in the heading tree.
#[derive(Debug)]
pub enum RawBlock {
    /// A heading.
    Heading {
        /// Where it is.
        at: Loc,
        /// 1 to 6.
        level: u8,
        /// Its text and links.
        inline: Inline,
    },
    /// Running text.
    Paragraph {
        /// Where it starts.
        at: Loc,
        /// Its text and links.
        inline: Inline,
        /// The admonition it belongs to (`NOTE` for `> [!NOTE]`), if any.
        admonition: Option<String>,
    },
    /// A table.
    Table(Table),
    /// A code block.
    Code {
        /// Where the fence starts.
        at: Loc,
        /// The info string's first word, lowercased.
        lang: String,
        /// The content.
        text: String,
        /// Byte offset of each content line's start.
        line_offsets: Vec<usize>,
    },
    /// An HTML block (comments included).
    Html {
        /// Where it starts.
        at: Loc,
        /// The raw HTML.
        text: String,
    },
}

/// Inline content being collected.
#[derive(Default)]
struct InlineBuf {
    start: usize,
    inline: Inline,
    /// Open links: target and where their text starts in `inline.text`.
    open_links: Vec<(String, usize)>,
}

impl InlineBuf {
    fn new(start: usize) -> Self {
        Self {
            start,
            ..Self::default()
        }
    }

    fn push_text(&mut self, text: &str) {
        self.inline.text.push_str(text);
    }

    fn finish(mut self) -> Inline {
        let collapsed = self
            .inline
            .text
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        self.inline.text = collapsed;
        for link in &mut self.inline.links {
            link.text = link.text.split_whitespace().collect::<Vec<_>>().join(" ");
        }
        self.inline
    }
}

struct TableBuf {
    at: Loc,
    header: Vec<Inline>,
    rows: Vec<Row>,
    row: Vec<Inline>,
    row_start: usize,
    cell: Option<InlineBuf>,
}

struct CodeBuf {
    at: Loc,
    lang: String,
    text: String,
    /// (offset in `text`, offset in the page) for each text event.
    pieces: Vec<(usize, usize)>,
}

/// The walker's open containers.
#[derive(Default)]
struct State {
    para: Option<InlineBuf>,
    heading: Option<(u8, InlineBuf)>,
    table: Option<TableBuf>,
    code: Option<CodeBuf>,
    html: Option<(usize, String)>,
    /// How many block quotes are open.
    quotes: usize,
    /// The kind of the admonition the open quote is (`> [!NOTE]`).
    admonition: Option<String>,
}

impl State {
    /// Where inline content goes right now: a table cell, a heading, or a
    /// paragraph (opened at `start` if none is open).
    fn inline(&mut self, start: usize) -> Option<&mut InlineBuf> {
        if let Some(t) = self.table.as_mut() {
            return t.cell.as_mut();
        }
        if let Some((_, h)) = self.heading.as_mut() {
            return Some(h);
        }
        Some(self.para.get_or_insert_with(|| InlineBuf::new(start)))
    }
}

/// Whether an inline HTML tag separates text: `<br>`, `<li>`, `</p>`, ...
fn is_break_tag(html: &str) -> bool {
    let tag = html
        .trim()
        .trim_start_matches('<')
        .trim_start_matches('/')
        .to_ascii_lowercase();
    ["br", "li", "ul", "ol", "p", "div", "tr", "td"]
        .iter()
        .any(|t| {
            tag.strip_prefix(t)
                .is_some_and(|rest| rest.starts_with(['>', ' ', '/']))
        })
}

/// The kind of an admonition opened by `[!NOTE]`, `[!Note]` or `[! TIP ]`
/// at the start of a quote's text, uppercased.
fn admonition_kind(text: &str) -> Option<String> {
    let rest = text.trim_start().strip_prefix("[!")?;
    let (kind, _) = rest.split_once(']')?;
    let kind = kind.trim();
    (!kind.is_empty() && kind.chars().all(|c| c.is_ascii_alphabetic()))
        .then(|| kind.to_ascii_uppercase())
        .filter(|k| k != "INCLUDE")
}

/// Reads the markdown `body` that starts at byte `base` of the page.
pub fn parse_blocks(body: &str, base: usize, diags: &mut Diagnostics<'_>) -> Vec<RawBlock> {
    let options = Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH;
    // Reference-style links with no definition (`[identitySet][]`) are kept as
    // links with an empty target, so the type they name is not lost.
    let mut broken = |link: pulldown_cmark::BrokenLink<'_>| {
        if link.link_type == pulldown_cmark::LinkType::ShortcutUnknown {
            return None;
        }
        Some((CowStr::Borrowed(""), CowStr::Borrowed("")))
    };
    let parser = Parser::new_with_broken_link_callback(body, options, Some(&mut broken));
    let map = diags.map();
    // A block's span covers its first line, which is what a renderer underlines.
    let loc = |offset: usize| -> Loc {
        let start = base + offset;
        let line_len = body[offset..].find('\n').unwrap_or(body.len() - offset);
        Loc::at(
            map,
            Span::new(
                start,
                start + body[offset..offset + line_len].trim_end().len(),
            ),
        )
    };
    let mut blocks = Vec::new();
    let mut st = State::default();

    let flush_para = |st: &mut State, blocks: &mut Vec<RawBlock>| {
        if let Some(buf) = st.para.take() {
            let at = loc(buf.start);
            let inline = buf.finish();
            if st.quotes > 0 && st.admonition.is_none() {
                st.admonition = admonition_kind(&inline.text);
            }
            if !inline.text.is_empty() || !inline.links.is_empty() {
                blocks.push(RawBlock::Paragraph {
                    at,
                    inline,
                    admonition: st.admonition.clone(),
                });
            }
        }
    };

    for (event, range) in parser.into_offset_iter() {
        match event {
            Event::Start(Tag::Heading { level, .. }) => {
                flush_para(&mut st, &mut blocks);
                st.heading = Some((heading_level(level), InlineBuf::new(range.start)));
            }
            Event::End(TagEnd::Heading(_)) => {
                if let Some((level, buf)) = st.heading.take() {
                    let at = loc(buf.start);
                    blocks.push(RawBlock::Heading {
                        at,
                        level,
                        inline: buf.finish(),
                    });
                }
            }
            Event::Start(Tag::Paragraph)
                if st.table.is_none() && st.heading.is_none() && st.para.is_none() =>
            {
                st.para = Some(InlineBuf::new(range.start));
            }
            Event::Start(Tag::BlockQuote(_)) => {
                flush_para(&mut st, &mut blocks);
                st.quotes += 1;
            }
            Event::End(TagEnd::BlockQuote(_)) => {
                flush_para(&mut st, &mut blocks);
                st.quotes = st.quotes.saturating_sub(1);
                if st.quotes == 0 {
                    st.admonition = None;
                }
            }
            Event::End(TagEnd::Paragraph) | Event::Start(Tag::Item) | Event::End(TagEnd::Item) => {
                flush_para(&mut st, &mut blocks)
            }
            Event::Start(Tag::Table(_)) => {
                flush_para(&mut st, &mut blocks);
                st.table = Some(TableBuf {
                    at: loc(range.start),
                    header: Vec::new(),
                    rows: Vec::new(),
                    row: Vec::new(),
                    row_start: range.start,
                    cell: None,
                });
            }
            Event::Start(Tag::TableHead) | Event::Start(Tag::TableRow) => {
                if let Some(t) = st.table.as_mut() {
                    t.row_start = range.start;
                }
            }
            Event::End(TagEnd::TableHead) => {
                if let Some(t) = st.table.as_mut() {
                    t.header = std::mem::take(&mut t.row);
                }
            }
            Event::End(TagEnd::TableRow) => {
                if let Some(t) = st.table.as_mut() {
                    let cells = std::mem::take(&mut t.row);
                    let written = count_cells(&body[range.clone()]);
                    let at = loc(t.row_start);
                    if written != t.header.len() {
                        let raw = body[range.clone()].trim();
                        diags.push(
                            Code::TableRowWidth,
                            Span::new(base + range.start, base + range.end),
                            format!(
                                "table row has {written} cells but the header has {}",
                                t.header.len()
                            ),
                            if written > t.header.len() {
                                format!("the extra cells were dropped; the row reads `{raw}`")
                            } else {
                                "the missing cells were read as empty".to_owned()
                            },
                        );
                    }
                    t.rows.push(Row { at, cells });
                }
            }
            Event::Start(Tag::TableCell) => {
                if let Some(t) = st.table.as_mut() {
                    t.cell = Some(InlineBuf::new(range.start));
                }
            }
            Event::End(TagEnd::TableCell) => {
                if let Some(t) = st.table.as_mut() {
                    if let Some(cell) = t.cell.take() {
                        t.row.push(cell.finish());
                    }
                }
            }
            Event::End(TagEnd::Table) => {
                if let Some(t) = st.table.take() {
                    blocks.push(RawBlock::Table(Table {
                        at: t.at,
                        header: t.header,
                        rows: t.rows,
                    }));
                }
            }
            Event::Start(Tag::CodeBlock(kind)) => {
                flush_para(&mut st, &mut blocks);
                let lang = match &kind {
                    CodeBlockKind::Fenced(info) => info
                        .split_whitespace()
                        .next()
                        .unwrap_or("")
                        .to_ascii_lowercase(),
                    CodeBlockKind::Indented => String::new(),
                };
                st.code = Some(CodeBuf {
                    at: loc(range.start),
                    lang,
                    text: String::new(),
                    pieces: Vec::new(),
                });
            }
            Event::End(TagEnd::CodeBlock) => {
                if let Some(c) = st.code.take() {
                    let line_offsets = line_offsets(&c.text, &c.pieces, base + range.start);
                    blocks.push(RawBlock::Code {
                        at: c.at,
                        lang: c.lang,
                        text: c.text,
                        line_offsets,
                    });
                }
            }
            Event::Start(Tag::HtmlBlock) => {
                flush_para(&mut st, &mut blocks);
                st.html = Some((range.start, String::new()));
            }
            Event::End(TagEnd::HtmlBlock) => {
                if let Some((start, text)) = st.html.take() {
                    blocks.push(RawBlock::Html {
                        at: loc(start),
                        text,
                    });
                }
            }
            Event::Html(text) => {
                if let Some((_, buf)) = st.html.as_mut() {
                    buf.push_str(&text);
                }
            }
            Event::InlineHtml(text) => {
                if text.trim_start().starts_with("<!--")
                    && st.heading.is_none()
                    && st.table.is_none()
                {
                    // An annotation written inline after text: keep it as its own block.
                    flush_para(&mut st, &mut blocks);
                    blocks.push(RawBlock::Html {
                        at: loc(range.start),
                        text: text.to_string(),
                    });
                } else if is_break_tag(&text) {
                    // `<br>`, `<li>`, `<p>`: a line or item boundary reads as a space.
                    if let Some(t) = st.inline(range.start) {
                        t.push_text(" ");
                    }
                }
            }
            Event::Text(text) => {
                if let Some(c) = st.code.as_mut() {
                    c.pieces.push((c.text.len(), base + range.start));
                    c.text.push_str(&text);
                } else if let Some(t) = st.inline(range.start) {
                    t.push_text(&text);
                }
            }
            Event::Code(text) => {
                if let Some(t) = st.inline(range.start) {
                    t.push_text(&format!("`{text}`"));
                }
            }
            Event::SoftBreak | Event::HardBreak => {
                if let Some(t) = st.inline(range.start) {
                    t.push_text(" ");
                }
            }
            Event::Start(Tag::Link { dest_url, .. }) => {
                if let Some(t) = st.inline(range.start) {
                    let at = t.inline.text.len();
                    t.open_links.push((dest_url.to_string(), at));
                }
            }
            Event::End(TagEnd::Link) => {
                if let Some(t) = st.inline(range.start) {
                    if let Some((target, at)) = t.open_links.pop() {
                        let text = t.inline.text[at..].to_owned();
                        t.inline.links.push(Link { text, target });
                    }
                }
            }
            _ => {}
        }
    }
    flush_para(&mut st, &mut blocks);
    if let Some((start, text)) = st.html.take() {
        blocks.push(RawBlock::Html {
            at: loc(start),
            text,
        });
    }
    blocks
}

fn heading_level(level: HeadingLevel) -> u8 {
    match level {
        HeadingLevel::H1 => 1,
        HeadingLevel::H2 => 2,
        HeadingLevel::H3 => 3,
        HeadingLevel::H4 => 4,
        HeadingLevel::H5 => 5,
        HeadingLevel::H6 => 6,
    }
}

/// Counts the cells a table row's source writes, as GFM does: only an
/// escaped pipe does not split, even inside a code span.
fn count_cells(row: &str) -> usize {
    let row = row.trim();
    let inner = row.strip_prefix('|').unwrap_or(row);
    let mut cells = 1;
    let mut escaped = false;
    let mut chars = inner.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            _ if escaped => escaped = false,
            '\\' => escaped = true,
            '|' if chars.peek().is_some_and(|n| !n.is_whitespace())
                || chars.clone().any(|n| !n.is_whitespace()) =>
            {
                cells += 1
            }
            _ => {}
        }
    }
    cells
}

/// Maps each line of a code block's content to its byte offset in the page.
fn line_offsets(text: &str, pieces: &[(usize, usize)], base: usize) -> Vec<usize> {
    let to_page = |offset: usize| -> usize {
        let idx = pieces.partition_point(|(start, _)| *start <= offset);
        match idx.checked_sub(1).and_then(|i| pieces.get(i)) {
            Some((start, page)) => page + (offset - start),
            None => base,
        }
    };
    let mut out = Vec::new();
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        out.push(to_page(offset));
        offset += line.len();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::count_cells;

    #[test]
    fn cells_are_counted_like_gfm() {
        assert_eq!(count_cells("|a|b|c|"), 3);
        assert_eq!(count_cells("a|b|c"), 3);
        assert_eq!(count_cells("|a|`x|y`|c|"), 4);
        assert_eq!(count_cells("|a|b|  "), 2);
        assert_eq!(count_cells("|a|b\\|c|"), 2);
        assert_eq!(count_cells("| **Teamwork** |||"), 3);
        assert_eq!(count_cells("|a|b|c|d|"), 4);
    }
}
