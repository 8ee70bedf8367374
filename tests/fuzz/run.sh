#!/usr/bin/env bash
# Runs each fuzz target for a set time and prints executions and findings per target.
#
#   tests/fuzz/run.sh [SECONDS] [TARGET...]      (default 60 s, every target)
#
# Needs a nightly toolchain and cargo-fuzz (`cargo install cargo-fuzz`). Seeds the corpora
# from fixtures/ first when they are missing. A crash, timeout or OOM stops libFuzzer, so the
# target is restarted for the rest of its time; every artifact it wrote is a finding, listed
# with its file under tests/fuzz/artifacts/<target>/ (reproduce: cargo +nightly fuzz run
# --fuzz-dir tests/fuzz <target> <artifact>).
set -uo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
cd "$root"
secs="${1:-60}"
shift || true
fuzz=(cargo +nightly fuzz)
if [ "$#" -gt 0 ]; then
    targets=("$@")
else
    mapfile -t targets < <("${fuzz[@]}" list --fuzz-dir tests/fuzz)
fi
[ -d "$here/corpus" ] || "$here/seed.sh" >/dev/null

# -a: debug assertions and overflow checks on, so an arithmetic overflow is a finding too
"${fuzz[@]}" build -a --fuzz-dir tests/fuzz || exit 1

printf '%-14s %8s %14s %9s  %s\n' target seconds executions findings artifacts
for t in "${targets[@]}"; do
    art="$here/artifacts/$t"
    mkdir -p "$art" "$here/corpus/$t"
    before="$(ls "$art" | sort)"
    log="$here/artifacts/$t.log"
    : >"$log"
    execs=0
    seen="$(ls "$art" | wc -l)"
    start=$(date +%s)
    while :; do
        left=$((secs - ($(date +%s) - start)))
        [ "$left" -gt 0 ] || break
        "${fuzz[@]}" run -a --fuzz-dir tests/fuzz "$t" -- \
            -max_total_time="$left" -rss_limit_mb=2048 -timeout=10 -print_final_stats=1 \
            >>"$log" 2>&1
        rc=$?
        # executions of this run: the final stats line, else the last "#N DONE"/status line
        n="$(sed -n 's/^stat::number_of_executed_units: *\([0-9]*\).*/\1/p' "$log" | tail -n1)"
        if [ -z "$n" ]; then
            n="$(sed -n 's/^#\([0-9][0-9]*\)[[:space:]].*/\1/p' "$log" | tail -n1)"
        fi
        execs=$((execs + ${n:-0}))
        # keep only this run's numbers for the next parse
        mv "$log" "$log.prev" && cat "$log.prev" >>"$log.all" && rm -f "$log.prev" && : >"$log"
        [ "$rc" -eq 0 ] && break
        # a failure that left no artifact (bad flags, build error) would only repeat
        [ "$(ls "$art" | wc -l)" -gt "$seen" ] || break
        seen="$(ls "$art" | wc -l)"
    done
    took=$(($(date +%s) - start))
    new="$(comm -13 <(printf '%s\n' "$before") <(ls "$art" | sort) | grep -v '^$' || true)"
    count="$(printf '%s' "$new" | grep -c . || true)"
    printf '%-14s %8s %14s %9s  %s\n' "$t" "$took" "$execs" "$count" "$(echo $new)"
    [ -f "$log.all" ] && mv "$log.all" "$log"
done
