#!/usr/bin/env bash
# Seeds tests/fuzz/corpus/<target>/ from the repository's fixtures (real files of each format).
# Targets that read a selector byte first (zip_formats, tokenizer) get it prepended.
# The corpora grow while fuzzing and are never committed.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
corpus="$here/corpus"

# seed TARGET PREFIX_BYTE(or -) FIND_ARGS...
seed() {
    local target="$1" prefix="$2"
    shift 2
    mkdir -p "$corpus/$target"
    local n=0
    while IFS= read -r -d '' f; do
        local out
        out="$corpus/$target/seed-$(printf '%s' "${f#"$root"/}" | tr '/' '_')"
        if [ "$prefix" = "-" ]; then
            cp "$f" "$out"
        else
            { printf "\\x$prefix"; cat "$f"; } >"$out"
        fi
        n=$((n + 1))
    done < <(find "$root/fixtures" -type f \( "$@" \) -print0)
    # never start from nothing: libFuzzer would, but a tiny seed helps the text targets
    if [ "$n" -eq 0 ]; then printf '' >"$corpus/$target/seed-empty"; fi
    echo "$target: $n seeds"
}

seed safetensors - -name '*.safetensors'
seed gguf - -name '*.gguf' -o -name '*.llamafile'
seed onnx - -name '*.onnx'
seed pickle - -name '*.pkl' -o -name '*.pickle' -o -name '*.joblib' -o -name 'legacy.pth'
seed zip_formats 00 -name '*.pt' -o -name '*.pth' -o -name '*.bin'
seed zip_formats 01 -name '*.npz'
seed zip_formats 02 -name '*.keras'
seed npy - -name '*.npy'
seed requirements - -name 'requirements*.txt' -o -name '*.in'
seed yarn_lock - -name 'yarn.lock'
seed pnpm_lock - -name 'pnpm-lock.yaml'
seed notebook - -name '*.ipynb'
seed jsonc - -path '*/config/*' -name '*.json'
seed toml_lock - -name 'uv.lock' -o -name 'poetry.lock' -o -name 'Cargo.lock'
seed yaml_block - -name '*.yaml' -o -name '*.yml'
seed tokenizer 00 -name '*.py'
seed tokenizer 01 -name '*.ts' -o -name '*.js' -o -name '*.mjs'
seed tokenizer 02 -name '*.go'
seed tokenizer 03 -name '*.rs'
seed tokenizer 04 -name '*.java' -o -name '*.kt' -o -name '*.kts'
