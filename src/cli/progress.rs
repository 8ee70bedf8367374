//! A progress line on stderr for scans that take more than a moment: only when stderr is a
//! terminal and not `--quiet`, never in pipes or CI logs, and erased when the scan ends.

use std::io::{IsTerminal, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Shows `aibom: scanning <what>… 3s` after a second; stops on drop.
pub struct Progress {
    stop: Arc<AtomicBool>,
    handle: Option<std::thread::JoinHandle<()>>,
}

impl Progress {
    /// `None` when stderr is not a terminal or `quiet` is set.
    pub fn start(what: &str, quiet: bool) -> Option<Progress> {
        if quiet || !std::io::stderr().is_terminal() {
            return None;
        }
        let stop = Arc::new(AtomicBool::new(false));
        let flag = stop.clone();
        let what = what.to_string();
        let handle = std::thread::spawn(move || {
            let started = Instant::now();
            let mut shown = false;
            let mut last = 0;
            while !flag.load(Ordering::Relaxed) {
                std::thread::sleep(Duration::from_millis(100));
                let secs = started.elapsed().as_secs();
                if secs >= 1 && secs != last && !flag.load(Ordering::Relaxed) {
                    last = secs;
                    let _ = write!(std::io::stderr(), "\raibom: scanning{what}… {secs}s");
                    shown = true;
                }
            }
            if shown {
                let _ = write!(std::io::stderr(), "\r\x1b[2K");
            }
        });
        Some(Progress {
            stop,
            handle: Some(handle),
        })
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(h) = self.handle.take() {
            let _ = h.join();
        }
    }
}
