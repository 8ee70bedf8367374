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

printf '%-14s %8s %14s %9s  %s\n' target fuzzed_s executions findings artifacts
for t in "${targets[@]}"; do
    art="$here/artifacts/$t"
    mkdir -p "$art" "$here/corpus/$t"
    before="$(ls "$art" | sort)"
    log="$here/artifacts/$t.log"
    : >"$log"
    execs=0
    seen="$(ls "$art" | wc -l)"
    fuzzed=0
    while [ "$fuzzed" -lt "$secs" ]; do
        # (re)build outside the timed part: a fix in src/ between runs rebuilds the crate
        "${fuzz[@]}" build -a --fuzz-dir tests/fuzz "$t" >/dev/null 2>&1 || break
        t0=$(date +%s)
        "${fuzz[@]}" run -a --fuzz-dir tests/fuzz "$t" -- \
            -max_total_time="$((secs - fuzzed))" -rss_limit_mb=2048 -timeout=10 \
            -print_final_stats=1 >"$log.run" 2>&1
        rc=$?
        fuzzed=$((fuzzed + $(date +%s) - t0))
        # executions of this run: the final stats line, else the last "#N ..." status line
        n="$(sed -n 's/^stat::number_of_executed_units: *\([0-9]*\).*/\1/p' "$log.run" | tail -n1)"
        if [ -z "$n" ]; then
            n="$(sed -n 's/^#\([0-9][0-9]*\)[[:space:]].*/\1/p' "$log.run" | tail -n1)"
        fi
        execs=$((execs + ${n:-0}))
        cat "$log.run" >>"$log" && rm -f "$log.run"
        [ "$rc" -eq 0 ] && break
        # a failure that left no artifact (bad flags, a crash in startup) would only repeat
        [ "$(ls "$art" | wc -l)" -gt "$seen" ] || break
        seen="$(ls "$art" | wc -l)"
    done
    new="$(comm -13 <(printf '%s\n' "$before") <(ls "$art" | sort) | grep -v '^$' || true)"
    count="$(printf '%s' "$new" | grep -c . || true)"
    printf '%-14s %8s %14s %9s  %s\n' "$t" "$fuzzed" "$execs" "$count" "$(echo $new)"
done
