//! Benchmark (not a test): time to render a BOM in every output format, in memory.
//!
//! cargo run --release --example render_bench -- BOM.json [RUNS]
//! BOM.json is an aibom/v1 document, e.g. from `aibom scan -f json -o BOM.json CORPUS`.

use aibom::render::{self, Format, RenderOptions};
use std::time::Instant;

fn main() {
    let mut args = std::env::args().skip(1);
    let Some(path) = args.next() else {
        eprintln!("usage: render_bench BOM.json [RUNS]");
        std::process::exit(2);
    };
    let runs: usize = args.next().and_then(|r| r.parse().ok()).unwrap_or(5);
    let bytes = std::fs::read(&path).expect("read BOM");
    let bom = render::json::parse(&bytes).expect("parse BOM");
    let opts = RenderOptions::default();
    for format in [
        Format::Json,
        Format::Cyclonedx,
        Format::Sarif,
        Format::Table,
        Format::Markdown,
    ] {
        let mut out = Vec::with_capacity(bytes.len() * 2);
        let mut times = Vec::new();
        for _ in 0..runs {
            out.clear();
            let t = Instant::now();
            render::render_to(&bom, format, &opts, &mut out).expect("render");
            times.push(t.elapsed().as_secs_f64());
        }
        times.sort_by(f64::total_cmp);
        let median = times[times.len() / 2];
        println!(
            "{format:?}: {} bytes, median {:.1} ms of {runs} = {:.0} MiB/s",
            out.len(),
            median * 1e3,
            out.len() as f64 / median / 1048576.0
        );
    }
}
