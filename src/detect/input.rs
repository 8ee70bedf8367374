//! What a detector is given: a candidate for claiming (no I/O) and, once claimed, a file input
//! with bounded, cached reads.

use std::cell::{Cell, OnceCell};
use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::PathBuf;

/// The largest text file a detector reads whole. Larger manifests are reported, not read: no
/// real lock file comes near this, and a bound keeps memory flat on hostile trees.
pub const MAX_TEXT_BYTES: u64 = 32 * 1024 * 1024;

/// Files up to this size are read whole when first sniffed.
const WHOLE_ON_SNIFF: u64 = 64 * 1024;

/// A walked file, described without opening it.
#[derive(Debug, Clone)]
pub struct Candidate<'a> {
    /// Path relative to the scan root, forward slashes.
    pub rel_path: &'a str,
    /// The file name as written.
    pub file_name: &'a str,
    /// The file name, lowercased.
    pub name_lower: &'a str,
    /// The extension after the last dot, lowercased ("" when none).
    pub ext: &'a str,
    pub size: u64,
    /// Given with `--cloud` rather than found under a scanned path.
    pub cloud: bool,
}

impl Candidate<'_> {
    /// True when any directory component of the path equals `dir`.
    pub fn in_dir(&self, dir: &str) -> bool {
        self.rel_path.split('/').rev().skip(1).any(|c| c == dir)
    }
}

/// A claimed file: its path and bounded, cached access to its bytes.
#[derive(Debug)]
pub struct FileInput {
    /// Path relative to the scan root, forward slashes; what evidence records.
    pub rel_path: String,
    /// Path to open.
    pub abs_path: PathBuf,
    pub file_name: String,
    pub size: u64,
    pub cloud: bool,
    bytes: OnceCell<Result<Vec<u8>, String>>,
    head: OnceCell<Result<Vec<u8>, String>>,
    /// The file, when the walker already opened it: reads reuse it instead of opening the
    /// path again.
    opened: Option<File>,
    read_before: Cell<bool>,
}

impl FileInput {
    pub fn new(rel_path: String, abs_path: PathBuf, size: u64, cloud: bool) -> Self {
        let file_name = rel_path.rsplit('/').next().unwrap_or(&rel_path).to_string();
        FileInput {
            rel_path,
            abs_path,
            file_name,
            size,
            cloud,
            bytes: OnceCell::new(),
            head: OnceCell::new(),
            opened: None,
            read_before: Cell::new(false),
        }
    }

    /// Read through `file` (the file at `abs_path`, already open) rather than reopening it.
    pub fn with_open_file(mut self, file: File) -> Self {
        self.opened = Some(file);
        self
    }

    /// A handle positioned at the start of the file.
    fn reader(&self) -> Result<ReadFrom<'_>, String> {
        match &self.opened {
            Some(f) => {
                let mut r = f;
                // the first read starts where the open left the handle; later ones rewind
                if self.read_before.replace(true) {
                    r.seek(SeekFrom::Start(0))
                        .map_err(|e| format!("cannot read: {e}"))?;
                }
                Ok(ReadFrom::Shared(r))
            }
            None => File::open(&self.abs_path)
                .map(ReadFrom::Owned)
                .map_err(|e| format!("cannot open: {e}")),
        }
    }

    /// A file input for in-memory tests and fuzzing: the bytes are given, nothing is opened.
    pub fn from_bytes(rel_path: &str, bytes: Vec<u8>) -> Self {
        let input = FileInput::new(
            rel_path.to_string(),
            PathBuf::from(rel_path),
            bytes.len() as u64,
            false,
        );
        let _ = input
            .head
            .set(Ok(bytes.iter().take(super::SNIFF_BYTES).copied().collect()));
        let _ = input.bytes.set(Ok(bytes));
        input
    }

    /// The whole file, read once, if it is at most [`MAX_TEXT_BYTES`].
    pub fn bytes(&self) -> Result<&[u8], String> {
        self.bytes
            .get_or_init(|| read_bounded(self.reader()?, self.size, MAX_TEXT_BYTES))
            .as_deref()
            .map_err(Clone::clone)
    }

    /// The whole file as UTF-8 text (a leading BOM removed). Binary content is an error.
    pub fn text(&self) -> Result<&str, String> {
        let bytes = self.bytes()?;
        let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
        if memchr::memchr(0, bytes).is_some() {
            return Err("binary content (NUL bytes) in a text file".to_string());
        }
        std::str::from_utf8(bytes).map_err(|e| format!("not UTF-8 text: {e}"))
    }

    /// The first [`super::SNIFF_BYTES`] bytes (fewer for a shorter file). A small file is
    /// read whole at once: a detector that claims it after sniffing reads it all anyway, and
    /// one read costs less than a read, a rewind and a second read.
    pub fn head(&self) -> Result<&[u8], String> {
        if self.bytes.get().is_none() && self.size > 0 && self.size <= WHOLE_ON_SNIFF {
            let _ = self.bytes();
        }
        if let Some(Ok(all)) = self.bytes.get() {
            return Ok(&all[..all.len().min(super::SNIFF_BYTES)]);
        }
        self.head
            .get_or_init(|| read_bounded_prefix(self.reader()?, super::SNIFF_BYTES as u64))
            .as_deref()
            .map_err(Clone::clone)
    }

    /// Open the file for streaming (hashing, header parsing of large binaries).
    pub fn open(&self) -> std::io::Result<File> {
        File::open(&self.abs_path)
    }

    /// The in-memory bytes when this input was built by [`FileInput::from_bytes`] or the file
    /// was already read whole; binary parsers use it to avoid a second read.
    pub fn cached_bytes(&self) -> Option<&[u8]> {
        match self.bytes.get() {
            Some(Ok(b)) => Some(b),
            _ => None,
        }
    }
}

/// An open file: the walker's handle (borrowed) or one opened for this read.
enum ReadFrom<'a> {
    Shared(&'a File),
    Owned(File),
}

impl ReadFrom<'_> {
    /// Append at most `limit` bytes to `buf`. `Take<File>` reads straight into the vector's
    /// spare capacity; a `Read` wrapper of our own would have it zeroed first, the whole file
    /// again in memset.
    fn read_to_end_within(self, limit: u64, buf: &mut Vec<u8>) -> std::io::Result<usize> {
        match self {
            ReadFrom::Shared(f) => f.take(limit).read_to_end(buf),
            ReadFrom::Owned(f) => f.take(limit).read_to_end(buf),
        }
    }
}

/// Read a file whole, at most `cap` bytes. `size` is the walker's stat of it: the buffer is
/// sized from it (no second stat, no regrowth), and the file is read as it was at that stat.
/// Stopping at `size` bytes spares the read that only finds the end of the file, a system
/// call per file of the tree. A file that stats as empty is read to its end, up to `cap`
/// (files of pseudo file systems have content and no size).
fn read_bounded(file: ReadFrom<'_>, size: u64, cap: u64) -> Result<Vec<u8>, String> {
    if size > cap {
        return Err(format!(
            "file is {size} bytes, over the {cap}-byte limit for text files; not read"
        ));
    }
    let mut buf = Vec::with_capacity(size as usize);
    let limit = if size == 0 { cap + 1 } else { size };
    file.read_to_end_within(limit, &mut buf)
        .map_err(|e| format!("read error: {e}"))?;
    if buf.len() as u64 > cap {
        return Err(format!(
            "file grew past the {cap}-byte limit while being read; not read"
        ));
    }
    Ok(buf)
}

fn read_bounded_prefix(file: ReadFrom<'_>, n: u64) -> Result<Vec<u8>, String> {
    let mut buf = Vec::with_capacity(n as usize);
    file.read_to_end_within(n, &mut buf)
        .map_err(|e| format!("read error: {e}"))?;
    Ok(buf)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn file_with(content: &[u8]) -> (tempfile::TempDir, PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f.txt");
        std::fs::File::create(&path)
            .unwrap()
            .write_all(content)
            .unwrap();
        (dir, path)
    }

    #[test]
    fn a_file_is_read_as_it_was_at_its_stat() {
        let (_dir, path) = file_with(b"abcdef");
        let open = || ReadFrom::Owned(File::open(&path).unwrap());
        assert_eq!(read_bounded(open(), 6, 100).unwrap(), b"abcdef");
        // it grew after the stat: the stat's length is read
        assert_eq!(read_bounded(open(), 4, 100).unwrap(), b"abcd");
        // it shrank: what is there
        assert_eq!(read_bounded(open(), 50, 100).unwrap(), b"abcdef");
        // no size (pseudo file systems): to the end, within the cap
        assert_eq!(read_bounded(open(), 0, 100).unwrap(), b"abcdef");
        assert!(read_bounded(open(), 0, 3).unwrap_err().contains("limit"));
        assert!(read_bounded(open(), 6, 3).unwrap_err().contains("limit"));
    }

    #[test]
    fn sniffing_a_small_file_reads_it_once_and_a_large_one_only_its_head() {
        let (_dir, path) = file_with(b"apiVersion: v1\nkind: Pod\n");
        let input = FileInput::new("f.txt".into(), path.clone(), 25, false)
            .with_open_file(File::open(&path).unwrap());
        assert_eq!(input.head().unwrap(), b"apiVersion: v1\nkind: Pod\n");
        assert!(
            input.cached_bytes().is_some(),
            "read whole on the first sniff"
        );
        assert_eq!(input.text().unwrap(), "apiVersion: v1\nkind: Pod\n");

        let big = vec![b'x'; WHOLE_ON_SNIFF as usize + 1];
        let (_dir2, path2) = file_with(&big);
        let input = FileInput::new("g.txt".into(), path2.clone(), big.len() as u64, false)
            .with_open_file(File::open(&path2).unwrap());
        assert_eq!(input.head().unwrap().len(), crate::detect::SNIFF_BYTES);
        assert!(input.cached_bytes().is_none());
        assert_eq!(input.bytes().unwrap().len(), big.len());
    }
}
