//! The regen cache: what the last run lowered and made, for one output
//! folder, under the workspace's `target/regen-cache/` (never inside the
//! output), in two files: `<name>.bin`, the records (rewritten each time),
//! and `<name>.pages`, the log of lowered pages, which a run appends the
//! pages it read to, and rewrites whole only once it holds more than twice
//! the pages in use. It only saves work: a missing, stale or damaged cache,
//! or one written by another build of xtask, is ignored, and a cache that
//! cannot be saved is a warning.

use std::path::{Path, PathBuf};

use std::io::Write as _;

use generator::reuse::{Cache, PageLog};

/// The cache file for the output folder `out`: one per folder, named by the
/// hash of its absolute path, so regenerating two crates in turn does not
/// evict the other's entries.
pub fn file_for(target_dir: &Path, out: &Path) -> PathBuf {
    let absolute = std::path::absolute(out).unwrap_or_else(|_| out.to_path_buf());
    let hash = blake3::hash(absolute.to_string_lossy().as_bytes());
    let name = format!("{}.bin", &hash.to_hex()[..16]);
    target_dir.join("regen-cache").join(name)
}

/// The workspace's target folder: `CARGO_TARGET_DIR`, else `target/`.
pub fn target_dir(workspace_root: &Path) -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .map(|dir| {
            if dir.is_absolute() {
                dir
            } else {
                workspace_root.join(dir)
            }
        })
        .unwrap_or_else(|| workspace_root.join("target"))
}

/// The fingerprint of this build of xtask, and so of the generator in it:
/// the running executable's path, size, inode and modification time. A
/// build writes a new executable (a new time, and most often a new size
/// and inode), so a cache from another build is never read. Hashing the
/// executable's bytes instead (10 MB in a release build, five times that
/// with debug info) cost every run a read and a hash of all of it.
pub fn build() -> [u8; 32] {
    let exe = std::env::current_exe().and_then(|path| {
        let meta = std::fs::metadata(&path)?;
        let modified = meta.modified()?;
        Ok((path, meta, modified))
    });
    match exe {
        Ok((path, meta, modified)) => {
            let mut hasher = blake3::Hasher::new();
            hasher.update(env!("CARGO_PKG_VERSION").as_bytes());
            hasher.update(path.to_string_lossy().as_bytes());
            hasher.update(&meta.len().to_le_bytes());
            hasher.update(format!("{modified:?}").as_bytes());
            #[cfg(unix)]
            {
                use std::os::unix::fs::MetadataExt;
                hasher.update(&meta.ino().to_le_bytes());
                hasher.update(&meta.dev().to_le_bytes());
            }
            *hasher.finalize().as_bytes()
        }
        // Unknown: a fingerprint no saved cache has.
        Err(_) => {
            *blake3::hash(format!("{:?}", std::time::SystemTime::now()).as_bytes()).as_bytes()
        }
    }
}

/// The docs index beside the records `file` (see [`crate::docs_index`]).
pub fn docs_index_for(file: &Path) -> PathBuf {
    file.with_extension("docs")
}

/// The output index beside the regen cache `file` (see
/// [`crate::output_folder`]).
pub fn output_index_for(file: &Path) -> PathBuf {
    file.with_extension("out")
}

/// The page log beside the records `file`.
fn log_for(file: &Path) -> PathBuf {
    file.with_extension("pages")
}

/// Reads the cache; anything unreadable is an empty cache.
pub fn load(file: &Path, build: [u8; 32]) -> Cache {
    let Ok(records) = std::fs::read(file) else {
        return Cache::empty(build);
    };
    let log = std::fs::read(log_for(file)).unwrap_or_default();
    Cache::from_bytes(&records, log, build)
}

/// Saves `next`, the cache after a run that loaded `previous` from `file`:
/// its page log (see [`save_log`]), then its records.
pub fn save(file: &Path, next: &Cache, previous: &Cache) -> Result<(), String> {
    save_log(file, &next.page_log_after(previous))?;
    save_records(file, next)
}

/// Writes the page log beside the records `file`: rewrites it whole
/// (atomically: a temporary file, then a rename), or appends to it. An
/// append cut short leaves whole entries before it, which is all a later
/// load reads. The entries go to the file as they are, never gathered in
/// one buffer.
pub fn save_log(file: &Path, log: &PageLog) -> Result<(), String> {
    if log.is_empty() {
        return Ok(());
    }
    let path = log_for(file);
    let failed = |e: std::io::Error| format!("{}: {e}", path.display());
    if log.rewrites() {
        write_atomically_with(&path, |out| log.write_to(out))
    } else {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        }
        let file = std::fs::OpenOptions::new()
            .append(true)
            .create(true)
            .open(&path)
            .map_err(failed)?;
        let mut out = std::io::BufWriter::with_capacity(1 << 16, file);
        log.write_to(&mut out)
            .and_then(|()| out.flush())
            .map_err(failed)
    }
}

/// Writes the records of `next` to `file`, atomically.
pub fn save_records(file: &Path, next: &Cache) -> Result<(), String> {
    write_atomically(file, &next.records_to_bytes())
}

/// Writes `bytes` to `file` through a temporary file and a rename, making
/// its folder first if need be.
pub fn write_atomically(file: &Path, bytes: &[u8]) -> Result<(), String> {
    write_atomically_with(file, |out| out.write_all(bytes))
}

/// Writes what `write` writes to `file` through a temporary file (buffered)
/// and a rename, making its folder first if need be.
fn write_atomically_with(
    file: &Path,
    write: impl FnOnce(&mut std::io::BufWriter<std::fs::File>) -> std::io::Result<()>,
) -> Result<(), String> {
    if let Some(dir) = file.parent() {
        std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    }
    let temporary = file.with_extension(format!("tmp{}", std::process::id()));
    let written = std::fs::File::create(&temporary).and_then(|created| {
        let mut out = std::io::BufWriter::with_capacity(1 << 16, created);
        write(&mut out)?;
        out.into_inner()
            .map_err(std::io::IntoInnerError::into_error)?;
        std::fs::rename(&temporary, file)
    });
    written.map_err(|e| {
        let _ = std::fs::remove_file(&temporary);
        format!("{}: {e}", file.display())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_saved_cache_loads_and_a_damaged_or_foreign_one_is_empty() {
        let dir = std::env::temp_dir().join(format!("xtask-cache-{}", std::process::id()));
        let file = file_for(&dir, Path::new("some/out"));
        assert!(file.starts_with(dir.join("regen-cache")));
        assert_ne!(file, file_for(&dir, Path::new("other/out")));
        let build = [7; 32];
        assert_eq!(load(&file, build).pages(), 0);
        let page = "---\ntitle: user resource type\ndoc_type: resourcePageType\n---\n\n# user resource type\n\n## Properties\n\n| Property | Type | Description |\n|:---|:---|:---|\n| id | String | The id. |\n";
        let pages = [generator::SourcePage {
            path: "resources/user.md",
            text: page,
        }];
        let existing = generator::emit::Emitted::new();
        let empty = Cache::empty(build);
        let reuse = generator::Reuse::new(&existing, &empty);
        let options = generator::emit::EmitOptions::default();
        let (_, cache, _) =
            generator::generate_reusing(&pages, &generator::Includes::new(), &options, reuse);
        assert_eq!(cache.pages(), 1);
        save(&file, &cache, &Cache::empty(build)).expect("saves");
        assert_eq!(load(&file, build), cache);
        assert_eq!(load(&file, [8; 32]).pages(), 0, "another build's cache");
        // An edited page is appended to the log; both versions load, and
        // the one in use is found.
        let edited = page.replace("The id.", "The identifier.");
        let pages = [generator::SourcePage {
            path: "resources/user.md",
            text: &edited,
        }];
        let reuse = generator::Reuse::new(&existing, &cache);
        let (_, next, stats) =
            generator::generate_reusing(&pages, &generator::Includes::new(), &options, reuse);
        assert_eq!(stats.pages.read, 1);
        let log_before = std::fs::metadata(log_for(&file)).expect("log").len();
        save(&file, &next, &cache).expect("saves");
        let log_after = std::fs::metadata(log_for(&file)).expect("log").len();
        assert!(log_after > log_before, "appended");
        let loaded = load(&file, build);
        assert_eq!(loaded.pages(), 2);
        let reuse = generator::Reuse::new(&existing, &loaded);
        let (_, _, stats) =
            generator::generate_reusing(&pages, &generator::Includes::new(), &options, reuse);
        assert_eq!(stats.pages.reused, 1);
        // An append cut short keeps the whole entries before it.
        let log = std::fs::read(log_for(&file)).expect("log");
        std::fs::write(log_for(&file), &log[..log.len() - 3]).expect("writes");
        assert_eq!(load(&file, build).pages(), 1);
        std::fs::write(&file, b"damaged").expect("writes");
        assert_eq!(load(&file, build).pages(), 0);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
