//! An index of files by how they look: for each file of a folder, its size,
//! times, inode and device when a regen last read it, with what the regen
//! learnt from its text (a record). The next regen takes a file that still
//! looks the same on the index's word, without reading it, as git's index
//! does. An index only saves work: a missing, damaged or foreign one vouches
//! for nothing. Two use it: the docs index ([`crate::docs_index`]) and the
//! output index ([`crate::output_folder`]).
//!
//! **Why a look is enough.** A write to a file sets its change time
//! (`ctime`) to the present, and nothing sets it back. The index records a
//! file only once its change and modification times are well before the
//! run that read it began ([`SETTLED`]): any write after that gives the file
//! a newer change time, so the file no longer looks as recorded. A file
//! written just before or during a run is not recorded, and is read again
//! next time. Where the system gives no change time (not unix), the index
//! vouches for nothing.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::{Duration, SystemTime};

/// How long before a run began a file must have last changed for the index
/// to record it: more than any file system's timestamp granularity.
pub const SETTLED: Duration = Duration::from_secs(2);

/// How a file looked: what changes when it is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stamp {
    len: u64,
    modified: (i64, i64),
    changed: (i64, i64),
    inode: u64,
    device: u64,
}

impl Stamp {
    /// The stamp of a file's metadata; none where the system gives no
    /// change time.
    pub fn of(meta: &std::fs::Metadata) -> Option<Stamp> {
        #[cfg(unix)]
        {
            use std::os::unix::fs::MetadataExt;
            Some(Stamp {
                len: meta.len(),
                modified: (meta.mtime(), meta.mtime_nsec()),
                changed: (meta.ctime(), meta.ctime_nsec()),
                inode: meta.ino(),
                device: meta.dev(),
            })
        }
        #[cfg(not(unix))]
        {
            let _ = meta;
            None
        }
    }

    /// Whether the file last changed at least [`SETTLED`] before `started`.
    fn settled_before(&self, started: SystemTime) -> bool {
        let Ok(since_epoch) = started.duration_since(SystemTime::UNIX_EPOCH) else {
            return false;
        };
        let Some(limit) = since_epoch.checked_sub(SETTLED) else {
            return false;
        };
        let before = |(secs, nanos): (i64, i64)| {
            let time = i128::from(secs) * 1_000_000_000 + i128::from(nanos);
            time < limit.as_nanos() as i128
        };
        before(self.modified) && before(self.changed)
    }
}

/// What an index keeps of a file besides its look, and how it is saved.
pub trait Record: Sized {
    /// The first bytes of a saved index, with its format's version.
    const MAGIC: &'static [u8; 8];
    /// Appends the record to `out`.
    fn put(&self, out: &mut Vec<u8>);
    /// Takes a record from the front of `input`; none when damaged.
    fn take(input: &mut &[u8]) -> Option<Self>;
}

/// The index of one folder: each file's look and record, by its path
/// relative to the folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StampIndex<R> {
    /// The folder, canonical, as text.
    root: String,
    entries: BTreeMap<String, (Stamp, R)>,
}

impl<R: Record> StampIndex<R> {
    /// An empty index of the folder `root` (canonical).
    pub fn empty(root: &Path) -> StampIndex<R> {
        StampIndex {
            root: root.to_string_lossy().into_owned(),
            entries: BTreeMap::new(),
        }
    }

    /// How many files it knows.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether it knows no file.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The record of the file `rel`, if the file still looks as recorded.
    pub fn vouches(&self, rel: &str, stamp: &Stamp) -> Option<&R> {
        self.entries
            .get(rel)
            .filter(|(recorded, _)| recorded == stamp)
            .map(|(_, record)| record)
    }

    /// Records `record` for the file `rel`, which looks as `stamp` says,
    /// unless it changed too close to `started`, the time the run began
    /// reading (see the module docs).
    pub fn record(&mut self, rel: &str, stamp: Stamp, record: R, started: SystemTime) {
        if stamp.settled_before(started) {
            self.entries.insert(rel.to_owned(), (stamp, record));
        }
    }

    /// Reads the index saved in `file` for the folder `root`; anything
    /// missing, damaged or of another folder is an empty index.
    pub fn load(file: &Path, root: &Path) -> StampIndex<R> {
        let empty = StampIndex::empty(root);
        std::fs::read(file)
            .ok()
            .and_then(|bytes| StampIndex::from_bytes(&bytes))
            .filter(|index| index.root == empty.root)
            .unwrap_or(empty)
    }

    /// Saves it to `file`, atomically.
    pub fn save(&self, file: &Path) -> Result<(), String> {
        crate::cache::write_atomically(file, &self.to_bytes())
    }

    fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(64 + self.entries.len() * 128);
        out.extend_from_slice(R::MAGIC);
        put_str(&mut out, &self.root);
        put_u64(&mut out, self.entries.len() as u64);
        for (path, (stamp, record)) in &self.entries {
            put_str(&mut out, path);
            let Stamp {
                len,
                modified,
                changed,
                inode,
                device,
            } = *stamp;
            for n in [len, inode, device] {
                put_u64(&mut out, n);
            }
            for n in [modified.0, modified.1, changed.0, changed.1] {
                out.extend_from_slice(&n.to_le_bytes());
            }
            record.put(&mut out);
        }
        out
    }

    fn from_bytes(mut bytes: &[u8]) -> Option<StampIndex<R>> {
        let input = &mut bytes;
        if take(input, R::MAGIC.len())? != R::MAGIC {
            return None;
        }
        let root = take_str(input)?;
        let count = take_u64(input)?;
        let mut entries = BTreeMap::new();
        for _ in 0..count {
            let path = take_str(input)?;
            let (len, inode, device) = (take_u64(input)?, take_u64(input)?, take_u64(input)?);
            let mut times = [0i64; 4];
            for time in &mut times {
                *time = i64::from_le_bytes(take(input, 8)?.try_into().ok()?);
            }
            let stamp = Stamp {
                len,
                modified: (times[0], times[1]),
                changed: (times[2], times[3]),
                inode,
                device,
            };
            entries.insert(path, (stamp, R::take(input)?));
        }
        input.is_empty().then_some(StampIndex { root, entries })
    }
}

/// Appends a number.
pub fn put_u64(out: &mut Vec<u8>, n: u64) {
    out.extend_from_slice(&n.to_le_bytes());
}

/// Appends a string, its length first.
pub fn put_str(out: &mut Vec<u8>, s: &str) {
    put_u64(out, s.len() as u64);
    out.extend_from_slice(s.as_bytes());
}

/// Takes `n` bytes from the front of `input`.
pub fn take<'a>(input: &mut &'a [u8], n: usize) -> Option<&'a [u8]> {
    if input.len() < n {
        return None;
    }
    let (head, rest) = input.split_at(n);
    *input = rest;
    Some(head)
}

/// Takes a number.
pub fn take_u64(input: &mut &[u8]) -> Option<u64> {
    Some(u64::from_le_bytes(take(input, 8)?.try_into().ok()?))
}

/// Takes a string written by [`put_str`].
pub fn take_str(input: &mut &[u8]) -> Option<String> {
    let len = usize::try_from(take_u64(input)?).ok()?;
    String::from_utf8(take(input, len)?.to_vec()).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stamp(changed_secs: i64) -> Stamp {
        Stamp {
            len: 10,
            modified: (changed_secs - 5, 1),
            changed: (changed_secs, 2),
            inode: 3,
            device: 4,
        }
    }

    /// A record of a few bytes.
    #[derive(Debug, Clone, PartialEq, Eq)]
    struct Note(String);

    impl Record for Note {
        const MAGIC: &'static [u8; 8] = b"gdtest01";
        fn put(&self, out: &mut Vec<u8>) {
            put_str(out, &self.0);
        }
        fn take(input: &mut &[u8]) -> Option<Note> {
            take_str(input).map(Note)
        }
    }

    fn note() -> Note {
        Note("../includes/a.md".to_owned())
    }

    fn at(secs: u64) -> SystemTime {
        SystemTime::UNIX_EPOCH + Duration::from_secs(secs)
    }

    #[test]
    fn records_only_settled_files_and_vouches_only_for_the_same_look() {
        let mut index = StampIndex::empty(Path::new("/docs"));
        // Changed 10 s before the run: recorded.
        index.record("api/a.md", stamp(1_000), note(), at(1_010));
        // Changed a second before the run: a write in the same tick after
        // the read could leave it looking the same, so it is not recorded.
        index.record("api/b.md", stamp(1_009), note(), at(1_010));
        assert_eq!(index.len(), 1);
        assert!(index.vouches("api/a.md", &stamp(1_000)).is_some());
        assert!(index.vouches("api/b.md", &stamp(1_009)).is_none());
        // Any difference in the look (here the change time) vouches for
        // nothing.
        assert!(index.vouches("api/a.md", &stamp(1_011)).is_none());
        let mut longer = stamp(1_000);
        longer.len = 11;
        assert!(index.vouches("api/a.md", &longer).is_none());
    }

    #[test]
    fn saves_and_loads_and_ignores_a_damaged_or_foreign_index() {
        let dir = std::env::temp_dir().join(format!("xtask-docs-index-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("makes the folder");
        let file = dir.join("index.docs");
        let root = Path::new("/docs");
        let mut index = StampIndex::empty(root);
        index.record("api/a.md", stamp(1_000), note(), at(1_010));
        index.record("resources/user.md", stamp(900), note(), at(1_010));
        index.save(&file).expect("saves");
        assert_eq!(StampIndex::<Note>::load(&file, root), index);
        assert!(StampIndex::<Note>::load(&file, Path::new("/other")).is_empty());
        let bytes = std::fs::read(&file).expect("reads");
        std::fs::write(&file, &bytes[..bytes.len() - 1]).expect("writes");
        assert!(
            StampIndex::<Note>::load(&file, root).is_empty(),
            "cut short"
        );
        assert!(StampIndex::<Note>::load(&dir.join("missing"), root).is_empty());
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[cfg(unix)]
    #[test]
    fn a_write_gives_a_file_another_look() {
        let dir = std::env::temp_dir().join(format!("xtask-docs-look-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("makes the folder");
        let file = dir.join("page.md");
        std::fs::write(&file, "one").expect("writes");
        let before = Stamp::of(&std::fs::metadata(&file).expect("stat")).expect("a stamp");
        std::thread::sleep(Duration::from_millis(20));
        // The same length, and the modification time set back as it was:
        // the change time still tells.
        std::fs::write(&file, "two").expect("writes");
        let opened = std::fs::File::options()
            .write(true)
            .open(&file)
            .expect("opens");
        let times = std::fs::FileTimes::new().set_modified(
            SystemTime::UNIX_EPOCH
                + Duration::new(before.modified.0 as u64, before.modified.1 as u32),
        );
        opened.set_times(times).expect("sets the time back");
        let after = Stamp::of(&std::fs::metadata(&file).expect("stat")).expect("a stamp");
        assert_eq!(after.modified, before.modified);
        assert_eq!(after.len, before.len);
        assert_ne!(after, before);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
