//! Source positions: byte spans and their 1-based line and column.

use serde::{Deserialize, Serialize};

/// A half-open byte range in a page's text.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Default, PartialOrd, Ord, Serialize, Deserialize,
)]
pub struct Span {
    /// First byte.
    pub start: usize,
    /// One past the last byte.
    pub end: usize,
}

impl Span {
    /// A span from `start` to `end`.
    pub fn new(start: usize, end: usize) -> Self {
        Self { start, end }
    }

    /// Shifts the span by `offset` bytes.
    pub fn offset(self, offset: usize) -> Self {
        Self::new(self.start + offset, self.end + offset)
    }
}

impl From<std::ops::Range<usize>> for Span {
    fn from(r: std::ops::Range<usize>) -> Self {
        Self::new(r.start, r.end)
    }
}

/// A 1-based line and column (column counted in characters).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Position {
    /// 1-based line.
    pub line: u32,
    /// 1-based column in characters.
    pub column: u32,
}

/// The line starts of a text, for turning byte offsets into positions.
#[derive(Debug, Clone)]
struct Lines<'a> {
    text: &'a str,
    starts: Vec<usize>,
}

impl<'a> Lines<'a> {
    fn new(text: &'a str) -> Self {
        let starts = std::iter::once(0)
            .chain(memchr::memchr_iter(b'\n', text.as_bytes()).map(|i| i + 1))
            .collect();
        Self { text, starts }
    }

    fn position(&self, offset: usize) -> Position {
        let mut offset = offset.min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line = self.starts.partition_point(|&s| s <= offset);
        let start = self.starts[line - 1];
        let column = self.text[start..offset].chars().count() + 1;
        Position {
            line: u32::try_from(line).unwrap_or(u32::MAX),
            column: u32::try_from(column).unwrap_or(u32::MAX),
        }
    }
}

/// Where a stretch of spliced text came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin<'a> {
    /// The page itself, from byte `at` of the page text on.
    Page {
        /// Offset in the page text.
        at: usize,
    },
    /// An include file, from byte `at` of its text on.
    Include {
        /// The include's key (its path relative to the docs folder).
        file: &'a str,
        /// The include file's whole text.
        text: &'a str,
        /// Offset in `text`.
        at: usize,
        /// Whether every byte of the stretch maps to `at` (text the reader
        /// added, such as `>` markers repeated inside a quote).
        fixed: bool,
        /// The directives that led here, outermost (on the page) first.
        sites: std::rc::Rc<[IncludeSite<'a>]>,
    },
}

/// An include directive that led to included text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IncludeSite<'a> {
    /// The file holding the directive: `None` for the page, else an include key.
    pub file: Option<&'a str>,
    /// That file's text.
    pub text: &'a str,
    /// The directive's span in that text.
    pub span: Span,
}

/// A stretch of spliced text: from byte `start` of the spliced text on, up
/// to the next piece's start.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Piece<'a> {
    /// Offset in the spliced text.
    pub start: usize,
    /// Where the stretch came from.
    pub origin: Origin<'a>,
}

/// A place in an include file, for diagnostics raised in included text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IncludedAt<'a> {
    /// The include's key.
    pub file: &'a str,
    /// Line and column in the include file.
    pub pos: Position,
    /// Span in the include file's text.
    pub span: Span,
    /// The directives that led there, innermost first, each with its file
    /// (`None` for the page), position and span.
    pub sites: Vec<(Option<&'a str>, Position, Span)>,
}

/// Maps byte offsets of the text being read to line and column of the page.
///
/// When includes were spliced in, the text being read differs from the
/// page: offsets in page stretches map back to the page, and offsets in
/// included stretches map to the directive on the page that brought them
/// ([`SourceMap::position`]) or, for diagnostics, into the include file
/// ([`SourceMap::included_at`]).
#[derive(Debug)]
pub struct SourceMap<'a> {
    text: &'a str,
    page: Lines<'a>,
    pieces: Vec<Piece<'a>>,
}

impl<'a> SourceMap<'a> {
    /// Indexes the line starts of `text`, a page read as it is.
    pub fn new(text: &'a str) -> Self {
        Self {
            text,
            page: Lines::new(text),
            pieces: Vec::new(),
        }
    }

    /// A map for `spliced`, made from `page` by splicing in includes, where
    /// `pieces` (sorted by start, the first at 0) say where each stretch came from.
    pub fn spliced(spliced: &'a str, page: &'a str, pieces: Vec<Piece<'a>>) -> Self {
        Self {
            text: spliced,
            page: Lines::new(page),
            pieces,
        }
    }

    /// The piece holding `offset` of the spliced text, and the offset into it.
    fn piece(&self, offset: usize) -> Option<(&Piece<'a>, usize)> {
        let i = self.pieces.partition_point(|p| p.start <= offset);
        let piece = self.pieces.get(i.checked_sub(1)?)?;
        Some((piece, offset - piece.start))
    }

    /// The page offset of `offset`: itself when nothing was spliced in; the
    /// directive's start for included text.
    fn page_offset(&self, offset: usize) -> usize {
        match self.piece(offset) {
            None => offset,
            Some((piece, into)) => match &piece.origin {
                Origin::Page { at } => at + into,
                Origin::Include { sites, .. } => sites.first().map_or(0, |s| s.span.start),
            },
        }
    }

    /// The page line and column of byte `offset` (clamped to the text).
    pub fn position(&self, offset: usize) -> Position {
        self.page.position(self.page_offset(offset))
    }

    /// `span` in page coordinates. Included text maps to its directive.
    pub fn page_span(&self, span: Span) -> Span {
        if self.pieces.is_empty() {
            return span;
        }
        if let Some((piece, _)) = self.piece(span.start) {
            if let Origin::Include { sites, .. } = &piece.origin {
                return sites.first().map_or(span, |s| s.span);
            }
        }
        let start = self.page_offset(span.start);
        let end = self.page_offset(span.end.max(span.start)).max(start);
        Span::new(start, end)
    }

    /// Where `span` is, when it lies in included text.
    pub fn included_at(&self, span: Span) -> Option<IncludedAt<'a>> {
        let (piece, into) = self.piece(span.start)?;
        let Origin::Include {
            file,
            text,
            at,
            fixed,
            sites,
        } = &piece.origin
        else {
            return None;
        };
        let start = if *fixed { *at } else { at + into };
        let len = if *fixed {
            0
        } else {
            span.end.saturating_sub(span.start)
        };
        let end = (start + len).min(text.len());
        let sites = sites
            .iter()
            .rev()
            .map(|s| (s.file, Lines::new(s.text).position(s.span.start), s.span))
            .collect();
        Some(IncludedAt {
            file,
            pos: Lines::new(text).position(start),
            span: Span::new(start, end.max(start)),
            sites,
        })
    }

    /// The text being read.
    pub fn text(&self) -> &'a str {
        self.text
    }
}

/// The lines of `text`, each with its `\n`: what `text.split_inclusive('\n')`
/// gives, found with memchr's vectorised search rather than one `char`
/// search per line (pages have some 400,000 lines).
pub fn lines_inclusive(text: &str) -> impl Iterator<Item = &str> {
    let mut rest = text;
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        let end = memchr::memchr(b'\n', rest.as_bytes()).map_or(rest.len(), |i| i + 1);
        let (line, after) = rest.split_at(end);
        rest = after;
        Some(line)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        #[test]
        fn lines_inclusive_is_split_inclusive(text in "[a\n\r ç]{0,40}") {
            let ours: Vec<&str> = lines_inclusive(&text).collect();
            let std: Vec<&str> = text.split_inclusive('\n').collect();
            proptest::prop_assert_eq!(ours, std);
        }
    }

    #[test]
    fn positions_are_one_based_and_count_characters() {
        let map = SourceMap::new("ab\nçd\n\nx");
        assert_eq!(map.position(0), Position { line: 1, column: 1 });
        assert_eq!(map.position(3), Position { line: 2, column: 1 });
        // 'ç' is two bytes; 'd' is the second character of line 2.
        assert_eq!(map.position(5), Position { line: 2, column: 2 });
        assert_eq!(map.position(7), Position { line: 3, column: 1 });
        assert_eq!(map.position(999), Position { line: 4, column: 2 });
        // Inside a multibyte character: clamp back to its start.
        assert_eq!(map.position(4), Position { line: 2, column: 1 });
    }
}
