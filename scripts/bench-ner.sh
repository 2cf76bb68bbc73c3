#!/usr/bin/env bash
# NER benchmark: `newshound tag` over the CoNLL-2003 test set, wall time including model load.
# Prints the median of RUNS runs in tokens/s, then the entity-level F1 of the predictions.
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
times=()
for _ in $(seq "$runs"); do
  start=$(date +%s.%N)
  target/release/newshound -q tag --conll "$data/test.txt" > "$out/test.pred"
  end=$(date +%s.%N)
  times+=("$(python3 -c "print($end - $start)")")
done
median=$(printf '%s\n' "${times[@]}" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
printf 'tokens: %d, runs: %d, median wall time: %.2f s (model load included)\n' "$tokens" "$runs" "$median"
printf 'throughput: %.0f tokens/s\n' "$(python3 -c "print($tokens / $median)")"
python3 "$tools/conll_eval.py" "$data/test.txt" "$out/test.pred"
