//! Writing results: stdout (a broken pipe is not an error) or a file replaced atomically.

use anyhow::Context;
use std::fs::File;
use std::io::{BufWriter, StdoutLock, Write};
use std::path::Path;

/// Write `bytes` to `path` via a temporary file in the same directory and a rename, so an
/// interrupted run never leaves a truncated BOM where a good one was. A path that exists and
/// is not a regular file (a device, a FIFO) is written in place.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    write_atomic_with(path, |w| w.write_all(bytes))
}

/// [`write_atomic`] for output produced piece by piece: `write` streams into the temporary
/// file through a buffer, so a large BOM is never held in memory whole.
pub fn write_atomic_with(
    path: &Path,
    write: impl FnOnce(&mut BufWriter<File>) -> std::io::Result<()>,
) -> anyhow::Result<()> {
    // `-o /dev/null`, `-o /dev/stdout`, a FIFO: not a file to replace. A rename over it would
    // put a regular file where the device or pipe was (as root, for every later user of it).
    if let Ok(meta) = std::fs::metadata(path) {
        if !meta.is_file() && !meta.is_dir() {
            let result = (|| -> std::io::Result<()> {
                let mut w =
                    BufWriter::with_capacity(256 * 1024, File::options().write(true).open(path)?);
                write(&mut w)?;
                w.flush()
            })();
            return result.with_context(|| format!("writing {}", path.display()));
        }
    }
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = dir.join(format!(".{name}.aibom-tmp-{}", std::process::id()));
    let result = (|| -> std::io::Result<()> {
        let mut w = BufWriter::with_capacity(256 * 1024, File::create(&tmp)?);
        write(&mut w)?;
        let f = w.into_inner().map_err(|e| e.into_error())?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result.with_context(|| format!("writing {}", path.display()))
}

/// Write to stdout. A closed pipe (`aibom scan | head`) is success, as in ripgrep.
pub fn write_stdout(bytes: &[u8]) -> anyhow::Result<()> {
    write_stdout_with(|w| w.write_all(bytes))
}

/// [`write_stdout`] for output produced piece by piece.
pub fn write_stdout_with(
    write: impl FnOnce(&mut BufWriter<StdoutLock<'static>>) -> std::io::Result<()>,
) -> anyhow::Result<()> {
    let mut out = BufWriter::with_capacity(256 * 1024, std::io::stdout().lock());
    match write(&mut out).and_then(|_| out.flush()) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(e).context("writing to stdout"),
    }
}

/// Whether colour may be used on a stream: it must be a terminal and NO_COLOR unset or empty.
pub fn color_allowed(is_terminal: bool) -> bool {
    is_terminal && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}
