//! The regen cache: formatted files from the last run for one output
//! folder, under the workspace's `target/regen-cache/` (never inside the
//! output). It only saves work: a missing, stale or damaged cache is
//! ignored, and a cache that cannot be saved is a warning.

use std::path::{Path, PathBuf};

use generator::emit::format::FormatCache;

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

/// Reads the cache; anything unreadable is an empty cache.
pub fn load(file: &Path) -> FormatCache {
    std::fs::read(file)
        .map(|bytes| FormatCache::from_bytes(&bytes))
        .unwrap_or_default()
}

/// Writes the cache atomically (a temporary file, then a rename).
pub fn save(file: &Path, cache: &FormatCache) -> Result<(), String> {
    let dir = file.parent().ok_or("the cache file has no folder")?;
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let temporary = file.with_extension(format!("tmp{}", std::process::id()));
    std::fs::write(&temporary, cache.to_bytes())
        .and_then(|()| std::fs::rename(&temporary, file))
        .map_err(|e| {
            let _ = std::fs::remove_file(&temporary);
            format!("{}: {e}", file.display())
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_saved_cache_loads_and_a_damaged_one_is_empty() {
        let dir = std::env::temp_dir().join(format!("xtask-cache-{}", std::process::id()));
        let file = file_for(&dir, Path::new("some/out"));
        assert!(file.starts_with(dir.join("regen-cache")));
        assert_ne!(file, file_for(&dir, Path::new("other/out")));
        assert!(load(&file).is_empty());
        let files: generator::emit::format::Drafts = [(
            "src/a.rs".to_owned(),
            generator::emit::format::Draft::Rust {
                header: vec![],
                code: "struct A;".to_owned(),
            },
        )]
        .into();
        let (_, cache, _) = generator::emit::format::format_all(files, &FormatCache::new());
        save(&file, &cache).expect("saves");
        assert_eq!(load(&file), cache);
        std::fs::write(&file, b"damaged").expect("writes");
        assert!(load(&file).is_empty());
        let _ = std::fs::remove_dir_all(&dir);
    }
}
