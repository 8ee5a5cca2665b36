#!/usr/bin/env bash
# One device seam (docs/design.md, "Devices"): only the dispatch layer (src/ops) and the kernels
# themselves (src/kernels) may include a kernels/cpu/ header or call a cpu:: kernel. No source file
# may include a header by a path that climbs out of its folder ("../"): that would step around the
# per-layer include folders the build compiles each layer with (cmake/layers.cmake).
# Everything else (nn, optim, data, io, models, classic, tools, public headers) calls tensor-level
# ops. Prints each offending file:line and exits non-zero when there is one.
#
# Usage: tools/check_layers.sh [repository root]   (default: the parent of this script's folder)
set -euo pipefail

root="${1:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}"
cd "$root"

# Files not moved behind the seam yet. Each entry: path, then a one-line reason. Anything not
# listed here fails; remove an entry as soon as its file is moved.
allowlist=()

pattern='#[[:space:]]*include[[:space:]]*[<"]kernels/cpu/|(^|[^[:alnum:]_])cpu::'

is_allowed() {
  local f="$1" a
  for a in "${allowlist[@]}"; do [[ "$f" == "$a" ]] && return 0; done
  return 1
}

status=0
offenders=""
while IFS= read -r -d '' file; do
  case "$file" in
    src/kernels/*|src/ops/*) continue ;;
  esac
  # Matches in code only: a `//` comment's text (to the end of the line) is dropped first.
  hits=$(sed -e 's#//.*$##' "$file" | grep -nE "$pattern" || true)
  [[ -z "$hits" ]] && continue
  if is_allowed "$file"; then continue; fi
  while IFS= read -r hit; do offenders+="$file:$hit"$'\n'; done <<<"$hits"
  status=1
done < <(find src include tools -type f \( -name '*.cpp' -o -name '*.h' -o -name '*.hpp' -o -name '*.cc' \) -print0 | sort -z)

# Includes that climb out of their folder.
climbers=$(grep -rnE '#[[:space:]]*include[[:space:]]*"\.\./' src include tools || true)
if [[ -n "$climbers" ]]; then
  echo "check_layers: include paths may not climb out of their folder (\"../\"); include by the layer path instead:" >&2
  printf '%s\n' "$climbers" >&2
  status=1
fi

# An allowlisted file that no longer needs its entry is reported too, so the list only shrinks.
for a in "${allowlist[@]}"; do
  if [[ ! -f "$a" ]] || ! sed -e 's#//.*$##' "$a" | grep -E "$pattern" >/dev/null; then
    echo "check_layers: $a is allowlisted but no longer calls kernels/cpu: remove it from the allowlist" >&2
    status=1
  fi
done

if [[ -n "$offenders" ]]; then
  echo "check_layers: only src/kernels and src/ops may include kernels/cpu/ headers or call cpu:: (docs/design.md, Devices):" >&2
  printf '%s' "$offenders" >&2
fi
# Raw element reads above the seam: `data_ptr<` per layer folder may not exceed its budget, so the
# count only shrinks (docs/design.md, "Devices": what remains and why). src/core, src/kernels,
# src/ops and src/io own raw memory and are not counted; a folder not listed has a budget of 0.
# onnx: the initializers' raw_data bytes (float32, int64), a file writer as io's are.
declare -A data_ptr_budget=([checkpoint]=1 [classic]=20 [data]=7 [onnx]=2 [train]=3 [viz]=3)
for dir in src/*/; do
  layer=$(basename "$dir")
  case "$layer" in core|kernels|ops|io) continue ;; esac
  count=$( (find "$dir" -type f \( -name '*.cpp' -o -name '*.h' \) -print0 | xargs -0 sed -e 's#//.*$##' |
    grep -o 'data_ptr<' || true) | wc -l)
  budget=${data_ptr_budget[$layer]:-0}
  if (( count > budget )); then
    echo "check_layers: src/$layer reads raw data $count times (data_ptr<), over its budget of $budget; call a" \
      "tensor-level op, or move the loop into src/ops (docs/design.md, Devices)" >&2
    status=1
  fi
done

[[ $status -eq 0 ]] && echo "check_layers: ok (allowlisted, not yet moved: ${#allowlist[@]})"
exit $status
