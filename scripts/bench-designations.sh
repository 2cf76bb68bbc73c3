#!/usr/bin/env bash
# Designation benchmark: reproduces every figure of the designation head's model card.
#
#   scripts/bench-designations.sh [SHARED_DIR]
#
# 1. Cross-validation by document (5 folds): `train-designations` with the shipped settings and texts
#    (the shared sets and corpus/designations.jsonl), written to
#    target/bench-designations/head (never over the shipped model). Each text is predicted by a head,
#    and a threshold, trained without it; designation_eval.py scores those predictions per set.
# 2. In-sample: the shipped binary (`extract --jsonl`) on the same texts, which it was trained on.
# 3. The example sentence of issue 11, and the seed article.
# 4. What designations add to annotation time: `cargo bench --bench annotation`.
set -euo pipefail
cd "$(dirname "$0")/.."
shared=${1:-../shared}
news=$shared/data/sanctions-news
dev=$shared/data/sanctions-dev
eval_py=$shared/tools/designation_eval.py
out=target/bench-designations
mkdir -p "$out/head"
cargo build --release --quiet
bin=target/release/newshound

echo "== 1. cross-validated (5 folds by document; each fold's head and threshold never saw its texts)"
cp models/ner/config.json models/ner/model.safetensors models/ner/tokenizer.json "$out/head/"
"$bin" -q train-designations --model "$out/head" --out "$out/head" \
  --gold "$news/gold.jsonl" --gold "$dev/gold_designees_narrow.jsonl" --gold "$dev/seed_gold.jsonl" \
  --gold corpus/designations.jsonl --predictions "$out/cv.jsonl" | sed 's/^/   /'
for gold in "$news/gold.jsonl" "$dev/gold_designees_narrow.jsonl" "$dev/seed_gold.jsonl" corpus/designations.jsonl; do
  printf '   %-60s ' "$gold"
  python3 "$eval_py" "$gold" "$out/cv.jsonl" 2>/dev/null | tr '\n' ' ' | sed 's/documents.*matched [0-9]*  //'
  echo
done

echo "== 2. in-sample (the shipped model on the texts it was trained on)"
"$bin" -q extract --jsonl "$news/sources" > "$out/news.jsonl"
"$bin" -q extract --jsonl "$dev/sources" "$shared/seed/000_f293cfb5a39cabc5.txt" > "$out/dev.jsonl"
"$bin" -q extract --jsonl corpus/ > "$out/corpus.jsonl"
for pair in "$news/gold.jsonl:$out/news.jsonl" "$dev/gold_designees_narrow.jsonl:$out/dev.jsonl" \
  "$dev/seed_gold.jsonl:$out/dev.jsonl" "corpus/designations.jsonl:$out/corpus.jsonl"; do
  printf '   %-60s ' "${pair%%:*}"
  python3 "$eval_py" "${pair%%:*}" "${pair##*:}" 2>/dev/null | tr '\n' ' ' | sed 's/documents.*matched [0-9]*  //'
  echo
done

echo "== 3. the example sentence, and the seed article"
printf '%s\n' "Ship manager and owner sanctioned" \
  "The measures target Baltic Freight Lines FZE, a Sharjah-registered ship manager, and its owner Anton Viktorovich Kessler, who are now subject to an asset freeze and a travel ban." \
  > "$out/example.txt"
"$bin" -q extract --jsonl "$out/example.txt" "$shared/seed/000_f293cfb5a39cabc5.txt" | python3 -c '
import json, sys
for line in sys.stdin:
    d = json.loads(line)
    print("  ", d["id"][:40], [(x["target"]["name"], x["action"]) for x in d["designations"]])'

echo "== 4. annotation time"
cargo bench --quiet --bench annotation 2>/dev/null | sed 's/^/   /'
