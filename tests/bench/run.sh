#!/usr/bin/env bash
# Benchmark of `aibom scan` against the practical I/O-plus-search limit (ripgrep) and of the
# model hasher against openssl / sha256sum. Prints a Markdown table (also written to
# $OUT/results.md). Not a test: figures depend on the machine; see docs/performance.md.
#
#   tests/bench/run.sh                  # 10k, 50k, 200k files; 2048 MiB real model file
#   SIZES="10000 50000" BIG_MB=512 RUNS=3 tests/bench/run.sh
#   REPOS="/src/repo-a /src/repo-b" tests/bench/run.sh   # also time real checkouts against rg
#   SHAPES=0 tests/bench/run.sh         # skip the file-shape table (on by default)
#   SIZES=1000 BIG_MB=1 tests/bench/run.sh   # (SIZES may not be empty: empty means the default)
#
# Each corpus is generated under $OUT, measured on a warm cache, then deleted (disk stays small).
set -euo pipefail

SIZES=${SIZES:-"10000 50000 200000"}
BIG_MB=${BIG_MB:-2048}
RUNS=${RUNS:-5}
OUT=${OUT:-/tmp/aibom-bench}
repo=$(cd "$(dirname "$0")/../.." && pwd)

for tool in hyperfine rg openssl sha256sum jq /usr/bin/time; do
    command -v "$tool" >/dev/null || { echo "run.sh: $tool is required" >&2; exit 2; }
done

cargo build --release --manifest-path "$repo/Cargo.toml" --bin aibom \
    --example gen-corpus --example gen-shapes --example model_bench
aibom="$repo/target/release/aibom"
gen="$repo/target/release/examples/gen-corpus"
gen_shapes="$repo/target/release/examples/gen-shapes"
model_bench="$repo/target/release/examples/model_bench"
mkdir -p "$OUT"

# The literals aibom's prefilters look for, so ripgrep searches for the same thing:
# `PREFILTER` in src/detect/source/patterns.rs (code references), `PREFILTER` and `KEY_NAMES` in
# src/detect/source/secrets.rs (key prefixes and key variable names; aibom matches the names
# case-insensitively, rg here case-sensitively, which only favours rg).
literals() {
    # a `const PREFILTER` / `const KEY_NAMES` string array, on one line or spread over several
    awk '/^(pub )?const (PREFILTER|KEY_NAMES): &\[&str\] = &\[/{ if (/\];/) { sub(/.*= &\[/, ""); print; next } on=1; next }
         on && /^\];/{on=0} on' \
        "$repo/src/detect/source/patterns.rs" "$repo/src/detect/source/secrets.rs"
}
rg_args=()
rg_pat="" # the same, quoted for hyperfine's command parser ("use " ends in a space)
while IFS= read -r lit; do
    rg_args+=(-e "$lit")
    rg_pat+=" -e '$lit'"
done < <(literals | grep -o '"[^"]*"' | sed 's/^"//; s/"$//')
[ "${#rg_args[@]}" -ge 20 ] || { echo "run.sh: could not extract the prefilter literals" >&2; exit 2; }
printf 'prefilter literals (%d): %s\n' "$((${#rg_args[@]} / 2))" "${rg_args[*]}" >&2

# $1 = hyperfine json, $2 = command index → median seconds
median() { jq -r ".results[$2].median" "$1"; }

rows=()
fmt_rows=()
hash_row=""
rss_hash=""
for n in $SIZES; do
    dir="$OUT/corpus-$n"
    big=0
    # the real large model file only in the first corpus (the hashing figures come from it);
    # the others carry the sparse 8 GiB GGUF, which is never read
    [ -z "$hash_row" ] && big=$BIG_MB
    "$gen" --files "$n" --out "$dir" --big-model-mb "$big" >&2
    files=$(find "$dir" -type f | wc -l)
    # warm the page cache for both tools
    "$aibom" scan --no-hash -q -f json "$dir" >/dev/null
    rg -l -F "${rg_args[@]}" --no-ignore --hidden "$dir" >/dev/null || true
    json="$OUT/hf-$n.json"
    hyperfine -N --warmup 1 --runs "$RUNS" --export-json "$json" \
        -n aibom "$aibom scan --no-hash -q -f json -o $OUT/bom-$n.json $dir" \
        -n rg "rg -l -F$rg_pat --no-ignore --hidden $dir" \
        -n rg-skips "rg -l -F$rg_pat --no-ignore --hidden -g !node_modules -g !.venv $dir" \
        >&2 || true
    t_aibom=$(median "$json" 0)
    t_rg=$(median "$json" 1)
    t_rgs=$(median "$json" 2)
    c_rg=$(jq -r '.results[1].user + .results[1].system' "$json")
    /usr/bin/time -v "$aibom" scan --no-hash -q -f json "$dir" 2>"$OUT/time-$n.txt" >/dev/null
    user=$(awk -F': ' '/User time/{print $2}' "$OUT/time-$n.txt")
    sys=$(awk -F': ' '/System time/{print $2}' "$OUT/time-$n.txt")
    rss=$(awk -F': ' '/Maximum resident/{print $2}' "$OUT/time-$n.txt")
    walked=$(jq -r '.coverage.walked' "$OUT/bom-$n.json")
    rows+=("$(awk -v n="$n" -v f="$files" -v w="$walked" -v ta="$t_aibom" -v tr="$t_rg" \
        -v ts="$t_rgs" -v cr="$c_rg" -v u="$user" -v s="$sys" -v r="$rss" 'BEGIN {
        cpu = u + s
        printf "| %d | %d | %.3f | %.2f | %.0f | %.1f | %.3f | %.2f | %.2f | %.3f | %.2f | %.2f |",
            n, f, ta, cpu, w / ta, r / 1024, tr, cr, ta / tr, ts, ta / ts, cpu / ta }')")
    # every output format once: rendering must stay linear too (CycloneDX was once quadratic in
    # a component's evidence count, invisible below 10k files)
    for fmt in json cyclonedx sarif table; do
        out_file="$OUT/out-$n.$fmt"
        /usr/bin/time -f '%e %M' "$aibom" scan --no-hash -q -f "$fmt" -o "$out_file" "$dir" \
            2>"$OUT/time-fmt.txt" >/dev/null
        read -r f_wall f_kb < <(tail -1 "$OUT/time-fmt.txt")
        f_mib=$(stat -c %s "$out_file" | awk '{printf "%.1f", $1 / 1048576}')
        fmt_rows+=("| $n | $fmt | $f_wall | $((f_kb / 1024)) | $f_mib |")
        rm -f "$out_file"
    done
    if [ -z "$hash_row" ]; then
        model="$dir/models/large/model.safetensors"
        size=$(stat -c %s "$model")
        cat "$model" >/dev/null
        hjson="$OUT/hash.json"
        hyperfine -N --warmup 1 --runs "$RUNS" --export-json "$hjson" \
            -n aibom "$model_bench $model" \
            -n openssl "openssl dgst -sha256 $model" \
            -n sha256sum "sha256sum $model" >&2 || true
        h_a=$(median "$hjson" 0)
        h_o=$(median "$hjson" 1)
        h_s=$(median "$hjson" 2)
        hash_row=$(awk -v b="$size" -v a="$h_a" -v o="$h_o" -v s="$h_s" 'BEGIN {
            m = b / 1048576
            printf "| %.0f MiB | %.0f | %.0f | %.0f | %.2f |", m, m / a, m / o, m / s, o / a }')
        # a scan that hashes the large model: memory must not grow with the model size
        /usr/bin/time -v "$aibom" scan -q -f json "$dir" 2>"$OUT/time-hash.txt" >/dev/null
        rss_hash=$(awk -F': ' '/Maximum resident/{printf "%.1f", $2 / 1024}' "$OUT/time-hash.txt")
    fi
    rm -rf "$dir"
done

repo_rows=()
for r in ${REPOS:-}; do
    [ -d "$r" ] || { echo "run.sh: $r is not a directory" >&2; continue; }
    "$aibom" scan --no-hash -q -f json "$r" >/dev/null
    rg -l -F "${rg_args[@]}" --no-ignore --hidden "$r" >/dev/null || true
    json="$OUT/hf-repo.json"
    hyperfine -N --warmup 2 --runs "$((RUNS * 2))" --export-json "$json" \
        -n aibom "$aibom scan --no-hash -q -f json -o $OUT/bom-repo.json $r" \
        -n rg "rg -l -F$rg_pat --no-ignore --hidden $r" >&2 || true
    files=$(find "$r" -type f | wc -l)
    repo_rows+=("$(jq -r --arg n "$(basename "$r")" --arg f "$files" '
        .results as $x
        | "| \($n) | \($f) | \($x[0].median * 1000 | floor) | \(($x[0].user + $x[0].system) * 1000 | floor) | \($x[1].median * 1000 | floor) | \(($x[0].median / $x[1].median) * 10 | floor / 10) |"' "$json")")
done

# Files of unusual size and shape (gen_shapes.rs), each scanned alone at 5 000 and 20 000
# entries: linear growth means the second takes about four times the first (less while the
# fixed start-up cost dominates). Anything above 6x is flagged.
shape_rows=()
if [ "${SHAPES:-1}" != 0 ]; then
    "$gen_shapes" --entries 5000 --out "$OUT/shapes-5000" >&2
    "$gen_shapes" --entries 20000 --out "$OUT/shapes-20000" >&2
    for d in "$OUT"/shapes-20000/*/; do
        shape=$(basename "$d")
        json="$OUT/hf-shape.json"
        hyperfine -N --warmup 1 --runs "$RUNS" --export-json "$json" \
            -n small "$aibom scan --no-hash -q -f json -o $OUT/shape.json $OUT/shapes-5000/$shape" \
            -n large "$aibom scan --no-hash -q -f json -o $OUT/shape.json $d" >&2 || true
        /usr/bin/time -v "$aibom" scan --no-hash -q -f json "$d" 2>"$OUT/time-shape.txt" >/dev/null
        rss=$(awk -F': ' '/Maximum resident/{print $2}' "$OUT/time-shape.txt")
        bytes=$(du -sb "$d" | cut -f1)
        shape_rows+=("$(jq -r --arg s "$shape" --arg r "$rss" --arg b "$bytes" '
            .results as $x | ($x[1].median / $x[0].median) as $g
            | "| \($s) | \($b | tonumber / 1024 | floor) | \($x[0].median * 1000 | floor) | \($x[1].median * 1000 | floor) | \($g * 10 | floor / 10)\(if $g > 6 then " **superlinear**" else "" end) | \($r | tonumber / 1024 | floor) |"' "$json")")
    done
    rm -rf "$OUT/shapes-5000" "$OUT/shapes-20000"
fi

{
    echo "| files asked | files on disk | aibom wall s | aibom CPU s | files/s | peak RSS MiB | rg s | rg CPU s | aibom/rg | rg (skips) s | aibom/rg (skips) | CPU/wall |"
    echo "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
    printf '%s\n' "${rows[@]}"
    echo
    echo "| files asked | format | wall s | peak RSS MiB | output MiB |"
    echo "|---:|---|---:|---:|---:|"
    printf '%s\n' "${fmt_rows[@]}"
    echo
    echo "| model file | aibom MiB/s | openssl MiB/s | sha256sum MiB/s | aibom/openssl |"
    echo "|---:|---:|---:|---:|---:|"
    echo "$hash_row"
    echo
    echo "peak RSS of a hashing scan (with the ${BIG_MB} MiB model): ${rss_hash} MiB"
    if [ "${#repo_rows[@]}" -gt 0 ]; then
        echo
        echo "| repository | files | aibom ms | aibom CPU ms | rg ms | aibom/rg |"
        echo "|---|---:|---:|---:|---:|---:|"
        printf '%s\n' "${repo_rows[@]}"
    fi
    if [ "${#shape_rows[@]}" -gt 0 ]; then
        echo
        echo "| file shape | KiB at 20k | ms at 5k entries | ms at 20k entries | growth (4x entries) | peak RSS MiB at 20k |"
        echo "|---|---:|---:|---:|---:|---:|"
        printf '%s\n' "${shape_rows[@]}"
    fi
} | tee "$OUT/results.md"
