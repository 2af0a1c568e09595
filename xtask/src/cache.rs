//! The regen cache: what the last run lowered and made, for one output
//! folder, under the workspace's `target/regen-cache/` (never inside the
//! output). It only saves work: a missing, stale or damaged cache, or one
//! written by another build of xtask, is ignored, and a cache that cannot
//! be saved is a warning.

use std::path::{Path, PathBuf};

use generator::reuse::Cache;

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
/// the hash of the running executable. A cache from another build is never
/// read.
pub fn build() -> [u8; 32] {
    let exe = std::env::current_exe().and_then(std::fs::read);
    match exe {
        Ok(bytes) => *blake3::hash(&bytes).as_bytes(),
        // Unknown: a fingerprint no saved cache has.
        Err(_) => {
            *blake3::hash(format!("{:?}", std::time::SystemTime::now()).as_bytes()).as_bytes()
        }
    }
}

/// Reads the cache; anything unreadable is an empty cache.
pub fn load(file: &Path, build: [u8; 32]) -> Cache {
    std::fs::read(file)
        .map(|bytes| Cache::from_bytes(&bytes, build))
        .unwrap_or_else(|_| Cache::empty(build))
}

/// Writes the cache atomically (a temporary file, then a rename).
pub fn save(file: &Path, cache: &Cache) -> Result<(), String> {
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
        let reuse = generator::Reuse {
            existing: &existing,
            cache: &Cache::empty(build),
        };
        let options = generator::emit::EmitOptions::default();
        let (_, cache, _) =
            generator::generate_reusing(&pages, &generator::Includes::new(), &options, reuse);
        assert_eq!(cache.pages(), 1);
        save(&file, &cache).expect("saves");
        assert_eq!(load(&file, build), cache);
        assert_eq!(load(&file, [8; 32]).pages(), 0, "another build's cache");
        std::fs::write(&file, b"damaged").expect("writes");
        assert_eq!(load(&file, build).pages(), 0);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
