#!/usr/bin/env bash
# Learning side by side: nanoGPT's baby GPT trained on the character-level fortunes corpus by
# PyTorch (bench/pytorch_gpt_learn.py, nanoGPT's model) and by nabla (build/bench/gpt_learn,
# models::GPT) from the same initial weights, on the same batches, with the same optimizer and
# lr schedule, validation loss on the same fixed blocks every EVAL_EVERY steps. The Python half
# runs first: it draws the shared setup (weights, batch offsets, validation blocks) into a
# safetensors file, which the nabla half reads. One thread each, OPENBLAS_NUM_THREADS=1.
# Usage: bash bench/gpt_learn_compare.sh [build]   (STEPS default 2000, EVAL_EVERY 100,
#        THREADS 1, OUT: folder for setup.safetensors and the two logs, default a temporary one)
set -euo pipefail
build=${1:-build}
bin="$build/bench/gpt_learn"
[[ -x "$bin" ]] || { echo "gpt_learn_compare.sh: $bin not found; build it (ninja -C $build gpt_learn)" >&2; exit 1; }
python=${PYTHON:-/usr/bin/python3}
steps=${STEPS:-2000}
every=${EVAL_EVERY:-100}
threads=${THREADS:-1}
here=$(dirname "$0")
out=${OUT:-$(mktemp -d)}
mkdir -p "$out"
OPENBLAS_NUM_THREADS=1 "$python" "$here/pytorch_gpt_learn.py" --setup "$out/setup.safetensors" --steps "$steps" \
  --eval-every "$every" --threads "$threads" | tee "$out/torch.log"
OPENBLAS_NUM_THREADS=1 "$bin" --setup "$out/setup.safetensors" --eval-every "$every" --threads "$threads" |
  tee "$out/nabla.log"
echo
echo "| step | PyTorch val loss | nabla val loss | PyTorch train loss | nabla train loss |"
echo "|---|---|---|---|---|"
field() { sed -n "s/.* $1=\([^ ]*\).*/\1/p"; }
paste -d' ' <(grep '^eval' "$out/torch.log" | field step) <(grep '^eval' "$out/torch.log" | field val_loss) \
  <(grep '^eval' "$out/nabla.log" | field val_loss) <(grep '^eval' "$out/torch.log" | field train_loss) \
  <(grep '^eval' "$out/nabla.log" | field train_loss) | awk '{printf "| %s | %s | %s | %s | %s |\n", $1, $2, $3, $4, $5}'
echo
for side in torch nabla; do echo "$side: $(grep '^done' "$out/$side.log")"; done
