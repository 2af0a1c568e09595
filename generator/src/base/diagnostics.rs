//! Diagnostics: what went wrong in a page, where, and how to fix it.
//!
//! Reading and lowering never fail; they return their result together with
//! diagnostics. Each diagnostic has a stable [`Code`], so tools and tests can
//! match on it while the message wording stays free to improve.

use std::fmt;

use serde::Serialize;

use crate::base::source::{SourceMap, Span};

/// How serious a diagnostic is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Worth knowing; nothing was lost.
    Note,
    /// Something was recovered or guessed; the output may be less precise.
    Warning,
    /// Something could not be used; the output lacks it.
    Error,
}

impl Severity {
    /// The lowercase name used in human and JSON output.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Note => "note",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

macro_rules! codes {
    ($( #[doc = $doc:literal] $variant:ident = $name:literal, $severity:ident; )*) => {
        /// A stable diagnostic code. The string form never changes once released.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Code {
            $( #[doc = $doc] $variant, )*
        }

        impl Code {
            /// Every code, in declaration order.
            pub const ALL: &'static [Code] = &[$(Code::$variant,)*];

            /// The stable kebab-case name of the code.
            pub fn as_str(self) -> &'static str {
                match self { $( Code::$variant => $name, )* }
            }

            /// The severity a diagnostic with this code has.
            pub fn severity(self) -> Severity {
                match self { $( Code::$variant => Severity::$severity, )* }
            }

            /// What the code means: its doc comment.
            pub fn meaning(self) -> &'static str {
                match self { $( Code::$variant => $doc.trim_ascii_start(), )* }
            }
        }
    };
}

codes! {
    /// The page has no YAML front matter.
    FrontMatterMissing = "front-matter-missing", Warning;
    /// The front matter has no closing `---`.
    FrontMatterUnterminated = "front-matter-unterminated", Warning;
    /// The front matter is not valid YAML; fields were recovered line by line.
    FrontMatterInvalid = "front-matter-invalid", Warning;
    /// A front matter field is missing or empty.
    FrontMatterField = "front-matter-field", Warning;
    /// `doc_type` has a value this tool does not know.
    DocTypeUnknown = "doc-type-unknown", Warning;
    /// A value still holds a template placeholder such as `$(metadata.owner)`.
    TemplatePlaceholder = "template-placeholder", Warning;
    /// A heading looks like a known section name with a typo.
    SectionNameNearMiss = "section-name-near-miss", Warning;
    /// An api page has no `HTTP request` section.
    HttpSectionMissing = "http-section-missing", Error;
    /// Request lines were found outside an `HTTP request` section.
    RequestLinesOutsideSection = "request-lines-outside-section", Warning;
    /// A code block in the `HTTP request` section has no request line.
    HttpBlockEmpty = "http-block-empty", Error;
    /// A request line has a method but no usable path.
    RequestLineNoPath = "request-line-no-path", Error;
    /// A line in the `HTTP request` section is not a request line.
    RequestLineInvalid = "request-line-invalid", Warning;
    /// A request line was read, but was written in an irregular way.
    RequestLineIrregular = "request-line-irregular", Note;
    /// A table row has a different number of cells than its header.
    TableRowWidth = "table-row-width", Warning;
    /// A permissions table exists but names no permission.
    PermissionsEmpty = "permissions-empty", Warning;
    /// An HTML-comment annotation was not valid JSON but was recovered.
    AnnotationRecovered = "annotation-recovered", Warning;
    /// An HTML-comment annotation could not be read at all.
    AnnotationInvalid = "annotation-invalid", Error;
    /// An example block's body is not valid JSON.
    ExampleJsonInvalid = "example-json-invalid", Warning;
    /// An example body has comments or trailing commas; it was read leniently.
    ExampleJsonRecovered = "example-json-recovered", Warning;
    /// An example body that the annotation marks as truncated is not valid JSON.
    ExampleJsonTruncated = "example-json-truncated", Note;
    /// An example response's status line is irregular or missing.
    ExampleStatusLine = "example-status-line", Warning;
    /// An example request's first line is not `METHOD URL`.
    ExampleRequestLine = "example-request-line", Warning;
    /// An example sends a property (or action parameter) the model does not declare.
    ExamplePropertyUnknown = "example-property-unknown", Warning;
    /// An example sends the wrong JSON kind for a property: a string where the table says a collection.
    ExampleKindMismatch = "example-kind-mismatch", Warning;
    /// An example sends a value that is not a member of the property's enum.
    ExampleEnumValue = "example-enum-value", Warning;
    /// An example sends a malformed date, time, GUID or duration.
    ExampleValueMalformed = "example-value-malformed", Warning;
    /// An example request leaves out an action parameter the page marks required, or sends null for it.
    ExampleParameterMissing = "example-parameter-missing", Warning;
    /// An example sends a property of a derived type without `@odata.type`.
    ExampleODataTypeMissing = "example-odata-type-missing", Warning;
    /// An example contains a placeholder where a value belongs: a type name (`"Int32"`), or `"datetime-value"` where a date is due.
    PlaceholderValue = "placeholder-value", Warning;
    /// An example request/response pair cannot be replayed as a generated test of the client.
    ExampleNotTestable = "example-not-testable", Note;
    /// An example code block could not be told apart as request or response.
    ExampleUnclassified = "example-unclassified", Note;
    /// A code fence in the examples is empty.
    CodeBlockEmpty = "code-block-empty", Note;
    /// A path's first segment is cased unlike the same root on other pages; its endpoint joins their area.
    PathRootCase = "path-root-case", Warning;
    /// An api page yields no endpoint.
    EndpointMissing = "endpoint-missing", Error;
    /// Request lines of one page disagree on the HTTP method.
    EndpointMethodsDiffer = "endpoint-methods-differ", Note;
    /// A type reference names no known type; a fallback type is used.
    TypeUnresolved = "type-unresolved", Warning;
    /// A type cell could not be read as a type at all.
    TypeCellInvalid = "type-cell-invalid", Warning;
    /// A resource page declares a base type in two places that disagree.
    BaseTypeConflict = "base-type-conflict", Warning;
    /// A base type names no known type.
    BaseTypeUnresolved = "base-type-unresolved", Warning;
    /// Two definitions of one type or property disagree.
    DefinitionConflict = "definition-conflict", Warning;
    /// A type is defined on more than one page.
    TypeDuplicate = "type-duplicate", Note;
    /// A resource or enum page declares no type.
    TypeMissing = "type-missing", Warning;
    /// An enum member has no usable name or value.
    EnumMemberInvalid = "enum-member-invalid", Warning;
    /// The response status code could not be determined.
    ResponseStatusUnknown = "response-status-unknown", Note;
    /// The response body type could not be determined.
    ResponseTypeUnknown = "response-type-unknown", Note;
    /// Two API names map to one Rust identifier; the later one was renamed.
    NameCollision = "name-collision", Warning;
    /// An operation documented on several pages that agree; the operation's own page keeps it, and a page left with no path joins it.
    EndpointMerged = "endpoint-merged", Note;
    /// Two endpoints would share one name or one method and path.
    EndpointDuplicate = "endpoint-duplicate", Warning;
    /// Two pages document one method and path with different bodies or responses; the operation's own page keeps it.
    EndpointConflict = "endpoint-conflict", Warning;
    /// A request line queries another operation's path (`GET /me?$expand=manager` on a page about the manager); it is not made part of this page's operation.
    RequestLineQueryVariant = "request-line-query-variant", Note;
    /// A request line has a segment that is no path name (`{user-id} | user-principal-name`, `...`, a GUID or an id from an example); it makes no method.
    RequestLineBroken = "request-line-broken", Warning;
    /// An entry of the names file (`names.yaml`) cannot be used: the file does not read, or the name is no Rust name of its kind.
    NamesEntryInvalid = "names-entry-invalid", Warning;
    /// An entry of the names file names nothing the docs describe (a stale entry), or a name already taken.
    NamesEntryUnknown = "names-entry-unknown", Warning;
    /// A builder is named from its whole path because a shorter path has the name it wanted; a names file entry can name it.
    NamesSuggested = "names-suggested", Note;
    /// A request line addresses a resource below the page's operation (`.../special/{name}/children` beside `.../special/{name}`); it becomes an untyped endpoint of its own.
    RequestLineSubresource = "request-line-subresource", Warning;
    /// An example sends or answers content that is not JSON (its `Content-Type` says so), but the page's sections make the method send or decode JSON.
    ContentKindUnclear = "content-kind-unclear", Warning;
    /// The Response section names one object, but the examples answer a collection page; the collection path is typed as a collection.
    ResponseShapeFromExample = "response-shape-from-example", Warning;
    /// An `[!INCLUDE]` target does not exist; the page is read without it.
    IncludeMissing = "include-missing", Warning;
    /// An `[!INCLUDE]` target lies outside the include root, or is absolute; it was not read.
    IncludeRefused = "include-refused", Warning;
    /// An `[!INCLUDE]` target exists but could not be read.
    IncludeUnreadable = "include-unreadable", Warning;
    /// Includes form a cycle; it was cut.
    IncludeCycle = "include-cycle", Warning;
    /// Includes nest too deep; the deepest were not read.
    IncludeTooDeep = "include-too-deep", Warning;
    /// A page file could not be read as UTF-8 text; it was skipped.
    PageUnreadable = "page-unreadable", Error;
    /// An api page lists no permissions at all.
    PermissionsMissing = "permissions-missing", Warning;
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for Code {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

/// One problem found in one page. How serious it is follows from its code
/// ([`Diagnostic::severity`]), so no two diagnostics of one code differ.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// Stable code.
    pub code: Code,
    /// The page's path as it was given to the generator.
    pub file: String,
    /// 1-based line.
    pub line: u32,
    /// 1-based column, in characters.
    pub column: u32,
    /// Byte range in the page text, for renderers that show the source.
    pub span: Span,
    /// Lowercase message, no trailing period.
    pub message: String,
    /// How to fix it, or what was assumed. Every diagnostic has one.
    pub help: String,
    /// Other places that explain this one: the directives that included the
    /// text, or the other side of a conflict.
    pub related: Vec<Related>,
    /// A mechanical change that resolves it, when there is one.
    pub fix: Option<Fix>,
}

/// A mechanical change that resolves a diagnostic: edits to the file the
/// diagnostic is in (`lint --fix` applies it; see [`crate::fixes`]).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Fix {
    /// The fix in words, for people: ``write `HTTP/1.1 200 OK` ``.
    pub description: String,
    /// The edits, in the file's order.
    pub edits: Vec<Edit>,
}

/// One edit of a [`Fix`]: within `span` of the file, the one occurrence of
/// `find` becomes `replace`. A diagnostic made from the model knows where a
/// thing is written (a table row, an example), not its bytes; the edit is
/// placed on the file's text when it is applied, and refused unless `find`
/// is there exactly once (see [`crate::fixes::place`]).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Edit {
    /// Where in the file to look, in bytes.
    #[serde(skip)]
    pub span: Span,
    /// The text to replace.
    pub find: String,
    /// Its replacement.
    pub replace: String,
}

impl Fix {
    /// A fix of one edit.
    pub fn one(
        description: impl Into<String>,
        span: Span,
        find: impl Into<String>,
        replace: impl Into<String>,
    ) -> Fix {
        Fix {
            description: description.into(),
            edits: vec![Edit {
                span,
                find: find.into(),
                replace: replace.into(),
            }],
        }
    }
}

/// A secondary place of a diagnostic.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Related {
    /// The file, as given to the generator (a page or an include key).
    pub file: String,
    /// 1-based line.
    pub line: u32,
    /// 1-based column, in characters.
    pub column: u32,
    /// Byte range in that file's text.
    #[serde(skip)]
    pub span: Span,
    /// What is there, lowercase.
    pub message: String,
}

impl Diagnostic {
    /// The order diagnostics are reported in: by file, then position, then
    /// code, then message.
    fn sort_key(&self) -> (&str, u32, u32, Code, &str) {
        (&self.file, self.line, self.column, self.code, &self.message)
    }
}

impl Diagnostic {
    /// How serious it is: its code's one severity.
    pub fn severity(&self) -> Severity {
        self.code.severity()
    }
}

/// As JSON: `severity`, `code`, `file`, `line`, `column`, `message`, `help`,
/// and `related` when there are related places.
impl Serialize for Diagnostic {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let fields = 7 + usize::from(!self.related.is_empty()) + usize::from(self.fix.is_some());
        let mut s = serializer.serialize_struct("Diagnostic", fields)?;
        s.serialize_field("severity", &self.severity())?;
        s.serialize_field("code", &self.code)?;
        s.serialize_field("file", &self.file)?;
        s.serialize_field("line", &self.line)?;
        s.serialize_field("column", &self.column)?;
        s.serialize_field("message", &self.message)?;
        s.serialize_field("help", &self.help)?;
        if !self.related.is_empty() {
            s.serialize_field("related", &self.related)?;
        }
        if let Some(fix) = &self.fix {
            s.serialize_field("fix", fix)?;
        }
        s.end()
    }
}

impl PartialOrd for Diagnostic {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

/// The one order diagnostics are reported in, everywhere: file, line,
/// column, code, message (and the rest, so that the order is total).
impl Ord for Diagnostic {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.sort_key()
            .cmp(&other.sort_key())
            .then_with(|| self.help.cmp(&other.help))
            .then_with(|| self.span.cmp(&other.span))
            .then_with(|| self.related.cmp(&other.related))
            .then_with(|| self.fix.cmp(&other.fix))
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}:{}: {}[{}]: {}",
            self.file,
            self.line,
            self.column,
            self.severity(),
            self.code,
            self.message
        )?;
        write!(f, " (help: {})", self.help)?;
        for r in &self.related {
            write!(f, " [{}:{}:{}: {}]", r.file, r.line, r.column, r.message)?;
        }
        Ok(())
    }
}

/// Collects the diagnostics of one page, resolving byte offsets to lines.
#[derive(Debug)]
pub struct Diagnostics<'a> {
    file: &'a str,
    map: &'a SourceMap<'a>,
    items: Vec<Diagnostic>,
}

impl<'a> Diagnostics<'a> {
    /// Starts an empty collection for one page.
    pub fn new(file: &'a str, map: &'a SourceMap<'a>) -> Self {
        Self {
            file,
            map,
            items: Vec::new(),
        }
    }

    /// Records a diagnostic at `span` of the text being read. In text
    /// spliced in from an include, it is placed in the include file, with
    /// the directives that led there as related places.
    pub fn push(
        &mut self,
        code: Code,
        span: Span,
        message: impl Into<String>,
        help: impl Into<String>,
    ) {
        self.push_fixed(code, span, message, help, None);
    }

    /// Records a diagnostic with the fix that resolves it (its edits' spans
    /// in the text being read, like `span`). A fix inside an included file
    /// is dropped: its edits would be placed on the page.
    pub fn push_fixed(
        &mut self,
        code: Code,
        span: Span,
        message: impl Into<String>,
        help: impl Into<String>,
        fix: Option<Fix>,
    ) {
        let (file, pos, span, related) = match self.map.included_at(span) {
            Some(inc) => {
                let related = inc
                    .sites
                    .iter()
                    .map(|(file, pos, span)| Related {
                        file: file.unwrap_or(self.file).to_owned(),
                        line: pos.line,
                        column: pos.column,
                        span: *span,
                        message: "included from here".to_owned(),
                    })
                    .collect();
                (inc.file, inc.pos, inc.span, related)
            }
            None => (
                self.file,
                self.map.position(span.start),
                self.map.page_span(span),
                Vec::new(),
            ),
        };
        self.items.push(Diagnostic {
            code,
            file: file.to_owned(),
            line: pos.line,
            column: pos.column,
            span,
            message: message.into(),
            help: help.into(),
            fix: fix.filter(|_| related.is_empty()).map(|fix| Fix {
                edits: fix
                    .edits
                    .into_iter()
                    .map(|edit| Edit {
                        span: self.map.page_span(edit.span),
                        ..edit
                    })
                    .collect(),
                ..fix
            }),
            related,
        });
    }

    /// The page's path.
    pub fn file(&self) -> &'a str {
        self.file
    }

    /// The page's source map.
    pub fn map(&self) -> &'a SourceMap<'a> {
        self.map
    }

    /// Returns the collected diagnostics in source order.
    pub fn finish(mut self) -> Vec<Diagnostic> {
        self.items.sort();
        self.items
    }
}

/// Suggests the candidate closest to `word`, if one is close enough to be a typo.
pub fn did_you_mean<'c>(
    word: &str,
    candidates: impl IntoIterator<Item = &'c str>,
) -> Option<&'c str> {
    let candidates: Vec<&str> = candidates.into_iter().collect();
    let suggester = Suggester::new(candidates.iter().copied());
    let found = suggester.suggest(word)?;
    candidates.into_iter().find(|c| *c == found)
}

/// [`did_you_mean`] over one list of candidates, asked many times: the
/// candidates are lowercased once, and those that cannot reach the
/// threshold are ruled out by a cheap bound before scoring.
#[derive(Debug, Clone)]
pub struct Suggester {
    candidates: Vec<Candidate>,
}

#[derive(Debug, Clone)]
struct Candidate {
    lower: String,
    given: String,
    chars: usize,
    histogram: Histogram,
}

/// How often each byte occurs (non-ASCII bytes share one bucket).
type Histogram = [u16; 128];

fn histogram(text: &str) -> Histogram {
    let mut h = [0u16; 128];
    for b in text.bytes() {
        let slot = &mut h[usize::from(b.min(127))];
        *slot = slot.saturating_add(1);
    }
    h
}

impl Suggester {
    /// Prepares the candidates.
    pub fn new<'c>(candidates: impl IntoIterator<Item = &'c str>) -> Self {
        let candidates = candidates
            .into_iter()
            .map(|c| {
                let lower = c.to_ascii_lowercase();
                Candidate {
                    chars: lower.chars().count(),
                    histogram: histogram(&lower),
                    lower,
                    given: c.to_owned(),
                }
            })
            .collect();
        Suggester { candidates }
    }

    /// The candidate closest to `word` (Jaro-Winkler of at least 0.9,
    /// ignoring ASCII case; on a tie, the first in byte order).
    pub fn suggest(&self, word: &str) -> Option<&str> {
        let word_lower = word.to_ascii_lowercase();
        let len = word_lower.chars().count();
        let word_histogram = histogram(&word_lower);
        // Jaro-Winkler is at most 0.6 * jaro + 0.4, so 0.9 needs a jaro of
        // 5/6. Jaro is at most (m/a + m/b + 1) / 3 for m matching characters,
        // and m is at most the characters the two have in common.
        let reaches = |m: usize, c: &Candidate| {
            let m = m as f64;
            m > 0.0 && (m / len as f64 + m / c.chars as f64 + 1.0) / 3.0 >= 0.833
        };
        let may_reach = |c: &Candidate| {
            // The lengths alone first: m is at most the shorter.
            if !reaches(len.min(c.chars), c) {
                return false;
            }
            let common: usize = word_histogram
                .iter()
                .zip(&c.histogram)
                .map(|(a, b)| usize::from(*a.min(b)))
                .sum();
            reaches(common.min(len).min(c.chars), c)
        };
        self.candidates
            .iter()
            .filter(|c| may_reach(c))
            .map(|c| {
                (
                    strsim::jaro_winkler(&word_lower, &c.lower),
                    c.given.as_str(),
                )
            })
            .filter(|(score, _)| *score >= 0.9)
            .max_by(|a, b| a.0.total_cmp(&b.0).then_with(|| b.1.cmp(a.1)))
            .map(|(_, c)| c)
    }
}

/// A secondary place for a model diagnostic: the other side of a conflict.
pub(crate) fn related(file: &str, at: crate::base::Loc, message: &str) -> Related {
    Related {
        file: file.to_owned(),
        line: at.pos.line,
        column: at.pos.column,
        span: at.span,
        message: message.to_owned(),
    }
}

/// A model diagnostic at a place in a page.
pub(crate) fn diag(
    file: &str,
    at: crate::base::Loc,
    code: Code,
    message: String,
    help: String,
) -> Diagnostic {
    Diagnostic {
        code,
        file: file.to_owned(),
        line: at.pos.line,
        column: at.pos.column,
        span: at.span,
        message,
        help,
        related: Vec::new(),
        fix: None,
    }
}
