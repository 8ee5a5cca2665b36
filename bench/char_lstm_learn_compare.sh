#!/usr/bin/env bash
# Learning side by side: the character LSTM of configs/char_lstm_fortunes.toml (dropout 0) trained
# by truncated BPTT on the fortunes by PyTorch (bench/pytorch_char_lstm_learn.py) and by nabla
# (build/bench/char_lstm_learn, models::CharLSTM) from the same initial weights, on the same chunks,
# with the same optimizer, validation loss over the whole validation tail every EVAL_EVERY steps.
# The Python script first writes the shared setup (initial state_dict, data checks, steps) to a
# safetensors file; then both halves train, at the same time (PARALLEL=1, the default: one core
# each on a two-core machine) or one after the other (PARALLEL=0). One thread each,
# OPENBLAS_NUM_THREADS=1.
# Usage: bash bench/char_lstm_learn_compare.sh [build]   (STEPS default 1000, EVAL_EVERY 100,
#        THREADS 1, PARALLEL 1, OUT: folder for setup.safetensors and the two logs, default a
#        temporary one)
set -euo pipefail
build=${1:-build}
bin="$build/bench/char_lstm_learn"
[[ -x "$bin" ]] || { echo "char_lstm_learn_compare.sh: $bin not found; build it (ninja -C $build char_lstm_learn)" >&2; exit 1; }
python=${PYTHON:-/usr/bin/python3}
steps=${STEPS:-1000}
every=${EVAL_EVERY:-100}
threads=${THREADS:-1}
here=$(dirname "$0")
out=${OUT:-$(mktemp -d)}
mkdir -p "$out"
export OPENBLAS_NUM_THREADS=1
"$python" "$here/pytorch_char_lstm_learn.py" --setup "$out/setup.safetensors" --steps "$steps" --write-setup
run_torch() {
  "$python" "$here/pytorch_char_lstm_learn.py" --setup "$out/setup.safetensors" --steps "$steps" \
    --eval-every "$every" --threads "$threads" > "$out/torch.log"
}
run_nabla() { "$bin" --setup "$out/setup.safetensors" --eval-every "$every" --threads "$threads" > "$out/nabla.log"; }
if [[ ${PARALLEL:-1} == 1 ]]; then
  run_torch & torch_pid=$!
  run_nabla
  wait "$torch_pid"
else
  run_torch
  run_nabla
fi
cat "$out/torch.log" "$out/nabla.log"
echo
echo "| step | PyTorch val loss | nabla val loss | PyTorch train loss | nabla train loss |"
echo "|---|---|---|---|---|"
field() { sed -n "s/.* $1=\([^ ]*\).*/\1/p"; }
paste -d' ' <(grep '^eval' "$out/torch.log" | field step) <(grep '^eval' "$out/torch.log" | field val_loss) \
  <(grep '^eval' "$out/nabla.log" | field val_loss) <(grep '^eval' "$out/torch.log" | field train_loss) \
  <(grep '^eval' "$out/nabla.log" | field train_loss) | awk '{printf "| %s | %s | %s | %s | %s |\n", $1, $2, $3, $4, $5}'
echo
for side in torch nabla; do echo "$side: $(grep '^done' "$out/$side.log")"; done
