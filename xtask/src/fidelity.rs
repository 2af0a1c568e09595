//! `cargo xtask fidelity`: how faithful the model drawn from the docs is.
//!
//! Four ratios, each against what the docs themselves say or against the
//! official CSDL schema: api pages that yield an endpoint, request lines that
//! are in the model, property table rows of resource pages that are in the
//! model's types, and the model's (type, property) pairs that the schema has
//! (inherited members counted).

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use generator::lower::{property_name, property_tables};
use generator::model::PathTemplate;
use generator::parse::DocType;
use generator::{Api, Page};

/// Declared members and base type of each schema type, by lowercased name.
#[derive(Debug, Default)]
pub struct Schema {
    types: BTreeMap<String, SchemaType>,
}

#[derive(Debug, Default)]
struct SchemaType {
    base: Option<String>,
    members: BTreeSet<String>,
}

impl Schema {
    /// Reads the CSDL (`v1.0-Prod.csdl`).
    pub fn from_csdl(xml: &str) -> Result<Schema, String> {
        let doc = roxmltree::Document::parse_with_options(
            xml,
            roxmltree::ParsingOptions {
                allow_dtd: true,
                ..Default::default()
            },
        )
        .map_err(|e| format!("CSDL: {e}"))?;
        let mut schema = Schema::default();
        for node in doc.descendants().filter(|n| n.is_element()) {
            let tag = node.tag_name().name();
            if !matches!(tag, "EntityType" | "ComplexType" | "EnumType") {
                continue;
            }
            let Some(name) = node.attribute("Name") else {
                continue;
            };
            let entry = schema.types.entry(name.to_ascii_lowercase()).or_default();
            if let Some(base) = node.attribute("BaseType") {
                entry.base = Some(base.rsplit('.').next().unwrap_or(base).to_ascii_lowercase());
            }
            for child in node.children().filter(|c| c.is_element()) {
                if matches!(
                    child.tag_name().name(),
                    "Property" | "NavigationProperty" | "Member"
                ) {
                    if let Some(member) = child.attribute("Name") {
                        entry.members.insert(member.to_owned());
                    }
                }
            }
        }
        Ok(schema)
    }

    /// Whether `ty` (or one of its bases) declares `member`.
    pub fn has(&self, ty: &str, member: &str) -> bool {
        let mut current = Some(ty.to_ascii_lowercase());
        let mut hops = 0;
        while let Some(name) = current {
            let Some(t) = self.types.get(&name) else {
                return false;
            };
            if t.members.contains(member) {
                return true;
            }
            hops += 1;
            if hops > 64 {
                return false;
            }
            current = t.base.clone();
        }
        false
    }

    /// Whether the schema has a type of that name.
    pub fn has_type(&self, ty: &str) -> bool {
        self.types.contains_key(&ty.to_ascii_lowercase())
    }
}

/// A count of hits out of a total.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Ratio {
    /// Hits.
    pub hits: usize,
    /// Total.
    pub total: usize,
}

impl Ratio {
    /// The ratio in percent (100 for an empty total).
    pub fn percent(&self) -> f64 {
        if self.total == 0 {
            100.0
        } else {
            self.hits as f64 * 100.0 / self.total as f64
        }
    }
}

impl fmt::Display for Ratio {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:6.2}% ({} of {})",
            self.percent(),
            self.hits,
            self.total
        )
    }
}

/// The four measures, with examples of misses to guide improvement.
#[derive(Debug, Default)]
pub struct Report {
    /// Api pages that yield at least one endpoint.
    pub api_pages_with_endpoint: Ratio,
    /// Request lines of the `HTTP request` sections that are in the model,
    /// of those whose every segment is a path name.
    pub request_lines_in_model: Ratio,
    /// Request lines with a segment that is no path name (a GUID, `...`),
    /// reported as `request-line-broken` and left out of the model.
    pub broken_lines: usize,
    /// Api pages whose every request line is such a line.
    pub broken_pages: usize,
    /// Rows of resource pages' Properties and Relationships tables that are in the model.
    pub property_rows_in_model: Ratio,
    /// The model's (type, property) pairs that the schema declares.
    pub pairs_in_schema: Ratio,
    /// A few (type, property) pairs the schema lacks.
    pub schema_misses: Vec<String>,
    /// A few table rows the model lacks.
    pub row_misses: Vec<String>,
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "api pages yielding an endpoint     {}",
            self.api_pages_with_endpoint
        )?;
        writeln!(
            f,
            "request lines in the model         {}",
            self.request_lines_in_model
        )?;
        writeln!(
            f,
            "request lines that are no path     {} (on {} pages with no other line), reported and left out",
            self.broken_lines, self.broken_pages
        )?;
        writeln!(
            f,
            "resource table rows in the model   {}",
            self.property_rows_in_model
        )?;
        writeln!(
            f,
            "(type, property) pairs in schema   {}",
            self.pairs_in_schema
        )?;
        if !self.row_misses.is_empty() {
            writeln!(
                f,
                "rows missing from the model, e.g.: {}",
                self.row_misses.join(", ")
            )?;
        }
        if !self.schema_misses.is_empty() {
            writeln!(
                f,
                "pairs missing from the schema, e.g.: {}",
                self.schema_misses.join(", ")
            )?;
        }
        Ok(())
    }
}

/// Measures the model of `pages` against the pages and the schema.
pub fn measure(pages: &[Page], api: &Api, schema: &Schema) -> Report {
    let mut report = Report::default();
    // A page yields an endpoint when it documents one (merged operations
    // name every page); a request line is in the model when an endpoint has
    // its method and a path of the same shape: the operation is there,
    // whichever page is its own (a query on another operation's path counts
    // as that operation).
    let mut endpoint_lines: BTreeSet<(&str, String)> = BTreeSet::new();
    let mut endpoint_files: BTreeSet<&str> = BTreeSet::new();
    for e in &api.endpoints {
        for page in &e.pages {
            endpoint_files.insert(page);
        }
        for p in std::iter::once(&e.path).chain(&e.alternate_paths) {
            endpoint_lines.insert((e.method.as_str(), p.shape()));
        }
    }
    // A row is in the model when a type that its page contributed to has it.
    let mut model_props: BTreeSet<(&str, &str)> = BTreeSet::new();
    for t in &api.types {
        for page in &t.pages {
            for p in &t.properties {
                model_props.insert((page, &p.name.api));
            }
        }
    }
    for page in pages {
        let broken = |line: &&generator::parse::RequestLine| {
            generator::model::broken_segment(&line.path).is_some()
        };
        let all_broken =
            !page.request_lines.is_empty() && page.request_lines.iter().all(|l| broken(&l));
        if page.doc_type() == Some(&DocType::Api) {
            if all_broken {
                report.broken_pages += 1;
            } else {
                report.api_pages_with_endpoint.total += 1;
                report.api_pages_with_endpoint.hits +=
                    usize::from(endpoint_files.contains(page.file.as_str()));
            }
        }
        for line in &page.request_lines {
            if broken(&line) {
                report.broken_lines += 1;
                continue;
            }
            report.request_lines_in_model.total += 1;
            report.request_lines_in_model.hits += usize::from(endpoint_lines.contains(&(
                line.method.as_str(),
                PathTemplate::parse(&line.path).shape(),
            )));
        }
        if page.doc_type() != Some(&DocType::Resource) {
            continue;
        }
        for (table, _) in property_tables(page) {
            if table.column(&["type"]).is_none() {
                continue;
            }
            for row in &table.rows {
                let Some(cell) = row.cells.first() else {
                    continue;
                };
                if cell.text.trim().is_empty() {
                    continue;
                }
                report.property_rows_in_model.total += 1;
                let hit = property_name(cell)
                    .is_some_and(|n| model_props.contains(&(page.file.as_str(), n.as_str())));
                if hit {
                    report.property_rows_in_model.hits += 1;
                } else if report.row_misses.len() < 40 {
                    report.row_misses.push(format!(
                        "{}:{} `{}`",
                        page.file,
                        row.at.line(),
                        cell.text
                    ));
                }
            }
        }
    }
    for t in api
        .types
        .iter()
        .filter(|t| t.kind != generator::model::TypeKind::Enum)
    {
        for p in &t.properties {
            report.pairs_in_schema.total += 1;
            if schema.has(&t.name.api, &p.name.api) {
                report.pairs_in_schema.hits += 1;
            } else if report.schema_misses.len() < 12 {
                report
                    .schema_misses
                    .push(format!("{}.{}", t.name.api, p.name.api));
            }
        }
    }
    report
}
