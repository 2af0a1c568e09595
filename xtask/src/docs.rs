//! Loading a docs folder: every `.md` file below it, in a stable order.

use std::fs;
use std::path::Path;

/// The pages of a docs folder, read into memory.
pub struct DocsFolder {
    /// (path relative to `root` with `/` separators, text), sorted by path.
    pub pages: Vec<(String, String)>,
}

impl DocsFolder {
    /// Reads every `.md` file below `root`, skipping `README.md` at the top.
    pub fn read(root: &Path) -> Result<DocsFolder, String> {
        if !root.is_dir() {
            return Err(format!(
                "docs folder `{}` does not exist or is not a folder",
                root.display()
            ));
        }
        let mut files = Vec::new();
        collect(root, root, &mut files).map_err(|e| io_error(root, e))?;
        files.sort();
        let mut pages = Vec::with_capacity(files.len());
        for rel in files {
            let path = root.join(&rel);
            let bytes = fs::read(&path).map_err(|e| io_error(&path, e))?;
            // Invalid UTF-8 is replaced rather than rejected: the reader reports
            // what it cannot understand, and the rest of the page still counts.
            let text = String::from_utf8(bytes)
                .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned());
            pages.push((rel, text));
        }
        Ok(DocsFolder { pages })
    }

    /// The pages as the generator takes them.
    pub fn sources(&self) -> Vec<generator::SourcePage<'_>> {
        self.pages
            .iter()
            .map(|(path, text)| generator::SourcePage { path, text })
            .collect()
    }

    /// Total size of the pages in bytes.
    pub fn bytes(&self) -> usize {
        self.pages.iter().map(|(_, t)| t.len()).sum()
    }
}

fn collect(root: &Path, dir: &Path, out: &mut Vec<String>) -> std::io::Result<()> {
    for entry in fs::read_dir(dir)? {
        let entry = entry?;
        let path = entry.path();
        let kind = entry.file_type()?;
        if kind.is_dir() {
            collect(root, &path, out)?;
        } else if kind.is_file() && path.extension().is_some_and(|e| e == "md") {
            let rel = path.strip_prefix(root).unwrap_or(&path);
            let rel = rel
                .components()
                .map(|c| c.as_os_str().to_string_lossy())
                .collect::<Vec<_>>()
                .join("/");
            if rel.eq_ignore_ascii_case("readme.md") {
                continue;
            }
            out.push(rel);
        }
    }
    Ok(())
}

/// An IO error that names the path it concerns.
fn io_error(path: &Path, e: std::io::Error) -> String {
    format!("{}: {e}", path.display())
}
