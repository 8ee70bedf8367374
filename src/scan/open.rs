//! Opening walked files by name within their directory.
//!
//! `open("a/b/c/d/file")` makes the kernel look up every component of the path again for each
//! file; opening `"file"` relative to a handle on `a/b/c/d` looks up one. On a 200k-file tree
//! that was a sixth of the scan's system time (docs/performance.md). The walker
//! hands a thread the files of one directory mostly together, interleaved with those of the
//! subdirectories it descends into, so a few recent directory handles per thread cover nearly
//! every open. Linux only (`O_PATH`); elsewhere files are opened by their full path.

use std::fs::File;
use std::path::Path;

/// How many directory handles a walker thread keeps.
#[cfg(target_os = "linux")]
const KEPT: usize = 8;

/// A walker thread's recent directory handles (`O_PATH`: they grant no access of their own).
#[derive(Default)]
pub struct DirHandles {
    #[cfg(target_os = "linux")]
    recent: Vec<(std::path::PathBuf, rustix::fd::OwnedFd)>,
}

impl DirHandles {
    /// Open `path` for reading, as `File::open` would (symbolic links in it are followed),
    /// except that on Linux a FIFO put where the walker saw a regular file does not block the
    /// open.
    pub fn open(&mut self, path: &Path) -> std::io::Result<File> {
        #[cfg(target_os = "linux")]
        if let (Some(dir), Some(name)) = (path.parent(), path.file_name()) {
            if !dir.as_os_str().is_empty() {
                if let Some(handle) = self.handle(dir) {
                    use rustix::fs::{Mode, OFlags};
                    let flags =
                        OFlags::RDONLY | OFlags::CLOEXEC | OFlags::NOCTTY | OFlags::NONBLOCK;
                    let fd = rustix::fs::openat(handle, name, flags, Mode::empty())?;
                    return Ok(File::from(fd));
                }
            }
        }
        File::open(path)
    }

    /// The handle on `dir`, opened now if it is not among the recent ones. `None` when it
    /// cannot be opened: the caller then opens by full path and reports that error.
    #[cfg(target_os = "linux")]
    fn handle(&mut self, dir: &Path) -> Option<&rustix::fd::OwnedFd> {
        use rustix::fs::{Mode, OFlags};
        let known = self
            .recent
            .iter()
            .position(|(d, _)| d.as_os_str() == dir.as_os_str());
        let at = match known {
            Some(i) => i,
            None => {
                let flags = OFlags::PATH | OFlags::DIRECTORY | OFlags::CLOEXEC;
                let fd = rustix::fs::open(dir, flags, Mode::empty()).ok()?;
                if self.recent.len() == KEPT {
                    // the oldest goes: new handles are put first
                    self.recent.pop();
                }
                self.recent.insert(0, (dir.to_path_buf(), fd));
                0
            }
        };
        self.recent.get(at).map(|(_, fd)| fd)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    fn read(handles: &mut DirHandles, path: &Path) -> std::io::Result<String> {
        let mut s = String::new();
        handles.open(path)?.read_to_string(&mut s)?;
        Ok(s)
    }

    #[test]
    fn opens_files_across_more_directories_than_it_keeps() {
        let tmp = tempfile::tempdir().unwrap();
        let mut paths = Vec::new();
        for d in 0..20 {
            let dir = tmp.path().join(format!("d{d}")).join("inner");
            std::fs::create_dir_all(&dir).unwrap();
            for f in 0..3 {
                let p = dir.join(format!("f{f}.txt"));
                std::fs::write(&p, format!("{d}/{f}")).unwrap();
                paths.push((p, format!("{d}/{f}")));
            }
        }
        let mut handles = DirHandles::default();
        // twice, in an order that revisits directories after their handle was dropped
        for _ in 0..2 {
            for (p, want) in paths.iter().rev().chain(paths.iter()) {
                assert_eq!(read(&mut handles, p).unwrap(), *want, "{}", p.display());
            }
        }
        #[cfg(target_os = "linux")]
        assert_eq!(handles.recent.len(), KEPT);
    }

    #[test]
    fn errors_are_those_of_a_plain_open() {
        let tmp = tempfile::tempdir().unwrap();
        let mut handles = DirHandles::default();
        let missing = tmp.path().join("missing.txt");
        let ours = handles.open(&missing).unwrap_err();
        let plain = File::open(&missing).unwrap_err();
        assert_eq!(ours.kind(), plain.kind());
        assert_eq!(ours.to_string(), plain.to_string());
        // a missing directory: the plain open's error too
        let deeper = tmp.path().join("no-dir").join("x.txt");
        assert_eq!(
            handles.open(&deeper).unwrap_err().to_string(),
            File::open(&deeper).unwrap_err().to_string()
        );
    }

    #[test]
    fn a_file_name_alone_opens_in_the_working_directory() {
        // `aibom scan Cargo.toml`: the walker's path has no directory part
        let mut handles = DirHandles::default();
        let text = read(&mut handles, Path::new("Cargo.toml")).unwrap();
        assert!(text.contains("[package]"));
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn a_fifo_does_not_block_the_open() {
        use std::os::unix::fs::FileTypeExt;
        let tmp = tempfile::tempdir().unwrap();
        let fifo = tmp.path().join("pipe");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status();
        assert!(made.unwrap().success());
        // with no writer, a blocking open would wait here for ever
        let f = DirHandles::default().open(&fifo).unwrap();
        assert!(f.metadata().unwrap().file_type().is_fifo());
    }
}
