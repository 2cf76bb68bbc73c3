#!/usr/bin/env bash
# NER benchmark: `newshound tag` over the CoNLL-2003 test set, wall time including model load, with the
# matrix kernel this CPU picks (bf16 where it has AVX-512 BF16) and with f32 forced
# (NEWSHOUND_KERNEL=f32), side by side. Prints the median of RUNS runs of each in tokens/s, and the
# entity-level F1 of each one's predictions.
#
#   scripts/bench-ner.sh [CONLL_DIR] [RUNS]
#
# CONLL_DIR defaults to ../shared/data/conll2003. The test set is read, never trained or tuned on.
set -euo pipefail
cd "$(dirname "$0")/.."
data=${1:-../shared/data/conll2003}
runs=${2:-5}
tools=$(dirname "$data")/../tools
out=target/bench-ner
mkdir -p "$out"
cargo build --release --quiet

tokens=$(grep -v -e '^-DOCSTART-' -e '^[[:space:]]*$' "$data/test.txt" | wc -l)
declare -A times
for _ in $(seq "$runs"); do
  # Interleaved, so that whatever else the machine does weighs on both alike.
  for kernel in auto f32; do
    start=$(date +%s.%N)
    if [ "$kernel" = f32 ]; then
      NEWSHOUND_KERNEL=f32 target/release/newshound -q tag --conll "$data/test.txt" > "$out/test.$kernel.pred"
    else
      env -u NEWSHOUND_KERNEL target/release/newshound -q tag --conll "$data/test.txt" > "$out/test.$kernel.pred"
    fi
    end=$(date +%s.%N)
    times[$kernel]="${times[$kernel]:-} $(python3 -c "print($end - $start)")"
  done
done
for kernel in auto f32; do
  median=$(printf '%s\n' ${times[$kernel]} | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
  printf '%-4s kernel: %d tokens, %d runs, median wall time %.2f s (model load included), %.0f tokens/s, ' \
    "$kernel" "$tokens" "$runs" "$median" "$(python3 -c "print($tokens / $median)")"
  python3 "$tools/conll_eval.py" "$data/test.txt" "$out/test.$kernel.pred" | tail -1
done
