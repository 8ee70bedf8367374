//! Benchmark (not a test): sha256 throughput of the model hasher on one file, and header-parse
//! time per model file of a directory with hashing off.
//!
//! cargo run --release --example model_bench -- BIG_FILE [MODEL_DIR]
//! Compare the first figure with `openssl dgst -sha256 BIG_FILE`.

use aibom::catalog::Catalog;
use aibom::detect::Context;
use aibom::scan::{run_scan, ScanOptions};
use std::time::Instant;

fn main() {
    let mut args = std::env::args().skip(1);
    let Some(big) = args.next() else {
        eprintln!("usage: model_bench BIG_FILE [MODEL_DIR]");
        std::process::exit(2);
    };
    let size = std::fs::metadata(&big).map(|m| m.len()).unwrap_or(0);
    let t = Instant::now();
    let f = std::fs::File::open(&big).expect("open");
    let digest = aibom::detect::model::hash::sha256_reader(f).expect("hash");
    let secs = t.elapsed().as_secs_f64();
    println!(
        "sha256 {digest}  {size} bytes in {secs:.3} s = {:.0} MiB/s",
        size as f64 / secs / 1048576.0
    );
    if let Some(dir) = args.next() {
        let opts = ScanOptions {
            paths: vec![dir.into()],
            threads: 1,
            context: Context {
                catalog: Catalog::builtin(),
                hash: false,
                ..Default::default()
            },
            ..Default::default()
        };
        let runs = 20;
        let t = Instant::now();
        let mut claimed = 0;
        for _ in 0..runs {
            claimed = run_scan(&opts).expect("scan").coverage.claimed;
        }
        let per = t.elapsed().as_secs_f64() / runs as f64;
        println!(
            "header parse: {claimed} claimed files in {:.2} ms per scan = {:.1} µs per file",
            per * 1e3,
            per * 1e6 / claimed.max(1) as f64
        );
    }
}
