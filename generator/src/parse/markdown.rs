//! Markdown body -> a flat list of positioned blocks (headings, paragraphs,
//! tables, code, HTML comments), using pulldown-cmark's offset iterator.

use std::ops::Range;

use pulldown_cmark::{CodeBlockKind, CowStr, Event, HeadingLevel, Options, Parser, Tag, TagEnd};

use crate::base::Loc;
use crate::base::diagnostics::{Code, Diagnostics};
use crate::base::source::Span;
use crate::parse::page::{Inline, Link, Row, Table};

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
        collapse_whitespace(&mut self.inline.text);
        for link in &mut self.inline.links {
            collapse_whitespace(&mut link.text);
        }
        self.inline
    }
}

/// Turns every run of whitespace in `text` into one space and trims it:
/// `text.split_whitespace().collect::<Vec<_>>().join(" ")`, made in place
/// and without looking at characters one by one where `text` is ASCII
/// (most is), or is already so.
fn collapse_whitespace(text: &mut String) {
    // The ASCII characters `char::is_whitespace` takes: tab to carriage
    // return (with the vertical tab), and space.
    let space = |b: u8| matches!(b, b'\t'..=b'\r' | b' ');
    if !text.is_ascii() {
        let mut out = String::with_capacity(text.len());
        for word in text.split_whitespace() {
            if !out.is_empty() {
                out.push(' ');
            }
            out.push_str(word);
        }
        *text = out;
        return;
    }
    let bytes = text.as_bytes();
    // Tidy already: no whitespace but single spaces between words.
    let mut after_space = true;
    let mut tidy = true;
    for &b in bytes {
        if space(b) {
            if b != b' ' || after_space {
                tidy = false;
                break;
            }
            after_space = true;
        } else {
            after_space = false;
        }
    }
    if tidy && bytes.last() != Some(&b' ') {
        return;
    }
    let mut out = Vec::with_capacity(bytes.len());
    for word in bytes.split(|&b| space(b)).filter(|w| !w.is_empty()) {
        if !out.is_empty() {
            out.push(b' ');
        }
        out.extend_from_slice(word);
    }
    // ASCII in, ASCII out.
    *text = String::from_utf8(out).unwrap_or_default();
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
    let mut walker = Walker {
        body,
        base,
        diags,
        blocks: Vec::new(),
        st: State::default(),
    };
    for (event, range) in parser.into_offset_iter() {
        walker.event(event, range);
    }
    walker.finish()
}

/// Turns pulldown-cmark's events into positioned blocks.
struct Walker<'b, 'd, 'm> {
    body: &'b str,
    /// Where `body` starts in the text being read.
    base: usize,
    diags: &'d mut Diagnostics<'m>,
    blocks: Vec<RawBlock>,
    st: State,
}

impl Walker<'_, '_, '_> {
    /// The place of the block starting at `offset` of the body. A block's
    /// span covers its first line, which is what a renderer underlines.
    fn loc(&self, offset: usize) -> Loc {
        let start = self.base + offset;
        let rest = &self.body[offset..];
        let line = &rest[..memchr::memchr(b'\n', rest.as_bytes()).unwrap_or(rest.len())];
        Loc::at(
            self.diags.map(),
            Span::new(start, start + line.trim_end().len()),
        )
    }

    fn event(&mut self, event: Event<'_>, range: Range<usize>) {
        match event {
            Event::Start(Tag::Heading { level, .. }) => {
                self.flush_para();
                self.st.heading = Some((heading_level(level), InlineBuf::new(range.start)));
            }
            Event::End(TagEnd::Heading(_)) => {
                if let Some((level, buf)) = self.st.heading.take() {
                    let at = self.loc(buf.start);
                    self.blocks.push(RawBlock::Heading {
                        at,
                        level,
                        inline: buf.finish(),
                    });
                }
            }
            Event::Start(Tag::Paragraph)
                if self.st.table.is_none()
                    && self.st.heading.is_none()
                    && self.st.para.is_none() =>
            {
                self.st.para = Some(InlineBuf::new(range.start));
            }
            Event::Start(Tag::BlockQuote(_)) => {
                self.flush_para();
                self.st.quotes += 1;
            }
            Event::End(TagEnd::BlockQuote(_)) => {
                self.flush_para();
                self.st.quotes = self.st.quotes.saturating_sub(1);
                if self.st.quotes == 0 {
                    self.st.admonition = None;
                }
            }
            Event::End(TagEnd::Paragraph) | Event::Start(Tag::Item) | Event::End(TagEnd::Item) => {
                self.flush_para()
            }
            Event::Start(Tag::Table(_))
            | Event::Start(Tag::TableHead)
            | Event::Start(Tag::TableRow)
            | Event::Start(Tag::TableCell)
            | Event::End(TagEnd::TableHead)
            | Event::End(TagEnd::TableRow)
            | Event::End(TagEnd::TableCell)
            | Event::End(TagEnd::Table) => self.table_event(event, range),
            Event::Start(Tag::CodeBlock(_)) | Event::End(TagEnd::CodeBlock) => {
                self.code_event(event, range)
            }
            Event::Start(Tag::HtmlBlock)
            | Event::End(TagEnd::HtmlBlock)
            | Event::Html(_)
            | Event::InlineHtml(_) => self.html_event(event, range),
            _ => self.inline_event(event, range),
        }
    }

    /// Table structure: rows, cells, and rows whose width is off.
    fn table_event(&mut self, event: Event<'_>, range: Range<usize>) {
        if let Event::Start(Tag::Table(_)) = event {
            self.flush_para();
            self.st.table = Some(TableBuf {
                at: self.loc(range.start),
                header: Vec::new(),
                rows: Vec::new(),
                row: Vec::new(),
                row_start: range.start,
                cell: None,
            });
            return;
        }
        if let Event::End(TagEnd::TableRow) = event {
            self.end_row(range);
            return;
        }
        let Some(t) = self.st.table.as_mut() else {
            return;
        };
        match event {
            Event::Start(Tag::TableHead) | Event::Start(Tag::TableRow) => {
                t.row_start = range.start;
            }
            Event::End(TagEnd::TableHead) => t.header = std::mem::take(&mut t.row),
            Event::Start(Tag::TableCell) => t.cell = Some(InlineBuf::new(range.start)),
            Event::End(TagEnd::TableCell) => {
                if let Some(cell) = t.cell.take() {
                    t.row.push(cell.finish());
                }
            }
            Event::End(TagEnd::Table) => {
                if let Some(t) = self.st.table.take() {
                    self.blocks.push(RawBlock::Table(Table {
                        at: t.at,
                        header: t.header,
                        rows: t.rows,
                    }));
                }
            }
            _ => {}
        }
    }

    /// Ends a body row, reporting a width that differs from the header's:
    /// GFM pads or drops cells silently.
    fn end_row(&mut self, range: Range<usize>) {
        let Some(row_start) = self.st.table.as_ref().map(|t| t.row_start) else {
            return;
        };
        let at = self.loc(row_start);
        let written = count_cells(&self.body[range.clone()]);
        let raw = self.body[range.clone()].trim();
        let Some(t) = self.st.table.as_mut() else {
            return;
        };
        let cells = std::mem::take(&mut t.row);
        let width = t.header.len();
        t.rows.push(Row { at, cells });
        if written != width {
            self.diags.push(
                Code::TableRowWidth,
                Span::new(self.base + range.start, self.base + range.end),
                format!("table row has {written} cells but the header has {width}"),
                if written > width {
                    format!("the extra cells were dropped; the row reads `{raw}`")
                } else {
                    "the missing cells were read as empty".to_owned()
                },
            );
        }
    }

    /// Code blocks, with the page offset of each content line.
    fn code_event(&mut self, event: Event<'_>, range: Range<usize>) {
        match event {
            Event::Start(Tag::CodeBlock(kind)) => {
                self.flush_para();
                let lang = match &kind {
                    CodeBlockKind::Fenced(info) => info
                        .split_whitespace()
                        .next()
                        .unwrap_or("")
                        .to_ascii_lowercase(),
                    CodeBlockKind::Indented => String::new(),
                };
                self.st.code = Some(CodeBuf {
                    at: self.loc(range.start),
                    lang,
                    text: String::new(),
                    pieces: Vec::new(),
                });
            }
            Event::End(TagEnd::CodeBlock) => {
                if let Some(c) = self.st.code.take() {
                    let line_offsets = line_offsets(&c.text, &c.pieces, self.base + range.start);
                    self.blocks.push(RawBlock::Code {
                        at: c.at,
                        lang: c.lang,
                        text: c.text,
                        line_offsets,
                    });
                }
            }
            _ => {}
        }
    }

    /// HTML blocks (comments and annotations), and inline HTML: an inline
    /// comment is its own block, a break tag reads as a space.
    fn html_event(&mut self, event: Event<'_>, range: Range<usize>) {
        match event {
            Event::Start(Tag::HtmlBlock) => {
                self.flush_para();
                self.st.html = Some((range.start, String::new()));
            }
            Event::End(TagEnd::HtmlBlock) => self.flush_html(),
            Event::Html(text) => {
                if let Some((_, buf)) = self.st.html.as_mut() {
                    buf.push_str(&text);
                }
            }
            Event::InlineHtml(text) => {
                if text.trim_start().starts_with("<!--")
                    && self.st.heading.is_none()
                    && self.st.table.is_none()
                {
                    // An annotation written inline after text: keep it as its own block.
                    self.flush_para();
                    let at = self.loc(range.start);
                    self.blocks.push(RawBlock::Html {
                        at,
                        text: text.to_string(),
                    });
                } else if let Some(anchor) = self.st.heading.as_ref().and(anchor_name(&text)) {
                    // `## <a name="http-request"></a>Solicitação HTTP`
                    if let Some((_, buf)) = self.st.heading.as_mut() {
                        buf.inline.anchor.get_or_insert(anchor);
                    }
                } else if is_break_tag(&text) {
                    // `<br>`, `<li>`, `<p>`: a line or item boundary reads as a space.
                    if let Some(t) = self.st.inline(range.start) {
                        t.push_text(" ");
                    }
                }
            }
            _ => {}
        }
    }

    /// Text, code spans, breaks and links, into the open inline container.
    fn inline_event(&mut self, event: Event<'_>, range: Range<usize>) {
        match event {
            Event::Text(text) => {
                if let Some(c) = self.st.code.as_mut() {
                    c.pieces.push((c.text.len(), self.base + range.start));
                    c.text.push_str(&text);
                } else if let Some(t) = self.st.inline(range.start) {
                    t.push_text(&text);
                }
            }
            Event::Code(text) => {
                if let Some(t) = self.st.inline(range.start) {
                    t.push_text(&format!("`{text}`"));
                }
            }
            Event::SoftBreak | Event::HardBreak => {
                if let Some(t) = self.st.inline(range.start) {
                    t.push_text(" ");
                }
            }
            Event::Start(Tag::Link { dest_url, .. }) => {
                if let Some(t) = self.st.inline(range.start) {
                    let at = t.inline.text.len();
                    t.open_links.push((dest_url.to_string(), at));
                }
            }
            Event::End(TagEnd::Link) => {
                if let Some(t) = self.st.inline(range.start) {
                    if let Some((target, at)) = t.open_links.pop() {
                        let text = t.inline.text[at..].to_owned();
                        t.inline.links.push(Link { text, target });
                    }
                }
            }
            _ => {}
        }
    }

    /// Ends the open paragraph, marking it as part of an admonition when a
    /// quote opened with `[!NOTE]`.
    fn flush_para(&mut self) {
        let Some(buf) = self.st.para.take() else {
            return;
        };
        let at = self.loc(buf.start);
        let inline = buf.finish();
        if self.st.quotes > 0 && self.st.admonition.is_none() {
            self.st.admonition = admonition_kind(&inline.text);
        }
        if !inline.text.is_empty() || !inline.links.is_empty() {
            self.blocks.push(RawBlock::Paragraph {
                at,
                inline,
                admonition: self.st.admonition.clone(),
            });
        }
    }

    fn flush_html(&mut self) {
        if let Some((start, text)) = self.st.html.take() {
            let at = self.loc(start);
            self.blocks.push(RawBlock::Html { at, text });
        }
    }

    fn finish(mut self) -> Vec<RawBlock> {
        self.flush_para();
        self.flush_html();
        self.blocks
    }
}

/// The name of an anchor tag, `<a name="x">` or `<a id="x">`.
fn anchor_name(html: &str) -> Option<String> {
    let tag = html.trim().strip_prefix("<a")?;
    let tag = tag.split('>').next()?;
    ["name=", "id="].iter().find_map(|attr| {
        let at = tag.find(attr)? + attr.len();
        let rest = &tag[at..];
        let quote = rest.chars().next().filter(|c| *c == '"' || *c == '\'')?;
        let value = rest[1..].split(quote).next()?;
        (!value.is_empty()).then(|| value.to_owned())
    })
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
    for line in crate::base::source::lines_inclusive(text) {
        out.push(to_page(offset));
        offset += line.len();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::{collapse_whitespace, count_cells};

    #[test]
    fn whitespace_collapses_as_split_whitespace_and_join_do() {
        let texts = [
            "",
            " ",
            "one",
            "one two",
            " one  two ",
            "one\ttwo\nthree\r\nfour",
            "vertical\u{b}tab and form\u{c}feed",
            "no\u{a0}break and\u{2003}em space",
            "caf\u{e9}  au lait",
            "\n\n",
            "a \u{1c} b",
        ];
        for text in texts {
            let mut collapsed = text.to_owned();
            collapse_whitespace(&mut collapsed);
            let expected = text.split_whitespace().collect::<Vec<_>>().join(" ");
            assert_eq!(collapsed, expected, "{text:?}");
        }
    }

    proptest::proptest! {
        #[test]
        fn whitespace_collapses_as_split_whitespace_and_join_do_on_any_text(
            text in "[a \t\n\r\u{b}\u{c}\u{a0}\u{2003}\u{e9}]{0,24}"
        ) {
            let mut collapsed = text.clone();
            collapse_whitespace(&mut collapsed);
            let expected = text.split_whitespace().collect::<Vec<_>>().join(" ");
            proptest::prop_assert_eq!(collapsed, expected);
        }
    }

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
