#!/usr/bin/env bash
# The steps of the aibom GitHub Action, as a plain script so they run the same anywhere
# (GitHub, GitLab, a laptop). Inputs come from the environment, never from string interpolation:
#   AIBOM_PATH (.)  AIBOM_INVENTORY (aibom.json)  AIBOM_SARIF (aibom.sarif)
#   AIBOM_BASE ("" = no diff)  AIBOM_FAIL_ON ("")  AIBOM_POLICY ("" = default, "none" = skip)
# Exit status: the first failing gate's (1), or 2 on errors; every step still runs.
set -uo pipefail
path="${AIBOM_PATH:-.}"
status=0
note() { printf 'aibom-ci: %s\n' "$*" >&2; }
keep() { local s=$1; if [ "$s" -ne 0 ] && [ "$status" -eq 0 ]; then status=$s; fi; }

inventory="${AIBOM_INVENTORY-aibom.json}"
sarif="${AIBOM_SARIF-aibom.sarif}"
if [ -n "$inventory" ]; then
  note "inventory -> $inventory"
  aibom scan "$path" -q -o "$inventory"; keep $?
fi
if [ -n "$sarif" ]; then
  note "risks as SARIF -> $sarif"
  aibom scan "$path" -q -o "$sarif"; keep $?
fi
if [ -n "${AIBOM_BASE:-}" ]; then
  md="aibom-diff.md"
  args=(diff --git "$AIBOM_BASE...HEAD" "$path" -f markdown -o "$md")
  if [ -n "${AIBOM_FAIL_ON:-}" ]; then args+=(--fail-on "$AIBOM_FAIL_ON"); fi
  note "diff against $AIBOM_BASE"
  aibom "${args[@]}"; keep $?
  if [ -n "${GITHUB_OUTPUT:-}" ]; then echo "diff-markdown=$md" >>"$GITHUB_OUTPUT"; fi
  if [ -n "${GITHUB_STEP_SUMMARY:-}" ]; then cat "$md" >>"$GITHUB_STEP_SUMMARY"; fi
fi
if [ "${AIBOM_POLICY:-}" != "none" ]; then
  args=(check "$path")
  if [ -n "${AIBOM_POLICY:-}" ]; then args+=(--policy "$AIBOM_POLICY"); fi
  note "policy check"
  aibom "${args[@]}"; keep $?
fi
exit "$status"
