#!/usr/bin/env bash
# Designation benchmark: reproduces every figure of the designation head's model card.
#
#   scripts/bench-designations.sh [SHARED_DIR] [SEEDS]
#
# 1. Cross-validation by document (5 folds, one run per seed; default seeds 13,14,15):
#    `train-designations` with the shipped settings and texts (the shared sets, corpus/designations.jsonl,
#    and as general news the 181 article-extraction pages, the two halves of the 990-page set and the
#    documents of CoNLL-2003's train.txt, scripts/conll_documents.py),
#    written to target/bench-designations/head (never over the shipped model). Each text is predicted
#    by a gate, a head and thresholds trained and chosen without it. Per seed and set: designee P/R/F1
#    (the labelled sets) or the pages that give any designation (general news); then the mean and
#    range over the seeds, and designation_eval.py on the first seed's out-of-fold predictions.
# 1b. The same cross-validation with the official lists' evidence (`--list-evidence`): the real list
#    files of the shared folder imported by their dates into target/bench-designations/lists, each
#    text's candidates told what the lists said on its day, from the snapshots of that day or before
#    (LIST_SEEDS, default the first seed; LIST_SEEDS= skips it).
# 1c. With TUNE_SEEDS (e.g. 13,14,15; unset skips it): the cross-validation with the encoder layer
#    fine-tuned with the candidate scorer (--tune-epochs 4), each fold's figures before tuning beside.
# 2. In-sample: the shipped binary (`extract --jsonl`) on the same texts, which it was trained on; and
#    out of sample, CoNLL-2003's valid.txt and test.txt documents, which no head was trained on.
# 3. The example sentences of issues 11 and 31, and the seed article.
# 4. What designations add to annotation time: `cargo bench --bench annotation`.
set -euo pipefail
cd "$(dirname "$0")/.."
shared=${1:-../shared}
seeds=${2:-13,14,15}
news=$shared/data/sanctions-news
dev=$shared/data/sanctions-dev
eval_py=$shared/tools/designation_eval.py
out=target/bench-designations
mkdir -p "$out/head"
cargo build --release --quiet
bin=target/release/newshound

# General news as three sets: the 181 article-extraction pages, and the 990 pages' even and odd halves.
general=$out/general
rm -rf "$general"
mkdir -p "$general/article-extraction" "$general/trafilatura-even" "$general/trafilatura-odd"
ln -s "$(realpath "$shared/bench/article-extraction/html")"/* "$general/article-extraction/"
for page in "$shared"/bench/trafilatura-eval/pages/p*; do
  number=$(basename "$page"); number=${number#p}; number=${number%%.*}
  half=$([ $((10#$number % 2)) -eq 0 ] && echo even || echo odd)
  ln -s "$(realpath "$page")" "$general/trafilatura-$half/"
done
for split in train valid test; do
  python3 scripts/conll_documents.py "$shared/data/conll2003/$split.txt" "$general/conll-$split" | sed 's/^/   /'
done

echo "== 1. cross-validated (5 folds by document, seeds $seeds; each fold's gate, head and thresholds never saw its texts)"
cp models/ner/config.json models/ner/model.safetensors models/ner/tokenizer.json "$out/head/"
seed_args=()
IFS=, read -ra seed_list <<< "$seeds"
for seed in "${seed_list[@]}"; do seed_args+=(--seed "$seed"); done
"$bin" -q train-designations --model "$out/head" --out "$out/head" \
  --gold "$news/gold.jsonl" --gold "$dev/gold_designees_narrow.jsonl" --gold "$dev/seed_gold.jsonl" \
  --gold corpus/designations.jsonl \
  --general "$general/article-extraction" --general "$general/trafilatura-even" --general "$general/trafilatura-odd" \
  --general "$general/conll-train" \
  "${seed_args[@]}" --predictions "$out/cv.jsonl" | sed 's/^/   /'
echo "   mean [min, max] over the seeds:"
python3 - "$out/head/designations-training.json" <<'PY'
import json, sys
report = json.load(open(sys.argv[1]))
sets = {}
for cv in report["cross_validated"]:
    for name, score in cv["by_set"]:
        sets.setdefault(name, []).append(score)
    # With fine-tuning, the same folds before it: the frozen scorer at the same thresholds.
    for name, score in cv.get("untuned_by_set") or []:
        sets.setdefault(f"{name} (before tuning)", []).append(score)
for name, scores in sets.items():
    if "Designees" in scores[0]:
        parts = []
        for key in ("precision", "recall", "f1"):
            values = [s["Designees"][key] for s in scores]
            parts.append(f"{key[0].upper() if key != 'f1' else 'F1'} {sum(values) / len(values):.3f} [{min(values):.3f}, {max(values):.3f}]")
        print(f"   {name:<40} " + "  ".join(parts))
    else:
        values = [s["General"]["per_thousand"] for s in scores]
        pages = [s["General"]["pages_with_any"] for s in scores]
        print(f"   {name:<40} pages with any designation per 1,000: {sum(values) / len(values):.1f} "
              f"[{min(values):.1f}, {max(values):.1f}] ({pages} of {scores[0]['General']['pages']})")
        for seed_scores, cv in zip(scores, report["cross_validated"]):
            for page, count in seed_scores["General"]["which"]:
                print(f"      seed {cv['seed']}: {page}: {count} designations")
PY
echo "   designation_eval.py on the first seed's out-of-fold predictions:"
for gold in "$news/gold.jsonl" "$dev/gold_designees_narrow.jsonl" "$dev/seed_gold.jsonl" corpus/designations.jsonl; do
  printf '   %-60s ' "$gold"
  python3 "$eval_py" "$gold" "$out/cv.jsonl" 2>/dev/null | tr '\n' ' ' | sed 's/documents.*matched [0-9]*  //'
  echo
done

list_seeds=${LIST_SEEDS-${seed_list[0]}}
if [ -n "$list_seeds" ]; then
  echo "== 1b. cross-validated with the lists' evidence (seeds $list_seeds)"
  lists=$out/lists
  rm -rf "$lists"
  import() { "$bin" -q --lists "$lists" lists import "$1" --list "$2" --date "$3" > /dev/null; }
  for day in 2021-08-18 2024-04-26 2024-05-03; do
    import "$shared/data/ofac-sdn-history/snapshots/sdn-$day.csv" ofac-sdn "$day"
  done
  lists_dir=$shared/data/official-lists
  import "$lists_dir/uk-ofsi/ConList_2023-06-05.xlsx" uk-ofsi 2023-06-05
  import "$lists_dir/uk-ofsi/ConList_2025-04-14.xlsx" uk-ofsi 2025-04-14
  import "$lists_dir/un/consolidated_2020-11-30.xml" un-sc 2020-11-30
  import "$lists_dir/un/consolidated_2025-04-19.xml" un-sc 2025-04-19
  import "$lists_dir/canada/sema-lmes_2025-05-25.xml" ca-sema 2025-05-25
  import "$lists_dir/australia/regulation8_consolidated_2024-12-17.xlsx" au-dfat 2024-12-17
  "$bin" -q --lists "$lists" lists status | sed 's/^/   /'
  mkdir -p "$out/head-lists"
  cp models/ner/config.json models/ner/model.safetensors models/ner/tokenizer.json "$out/head-lists/"
  list_seed_args=()
  IFS=, read -ra list_seed_list <<< "$list_seeds"
  for seed in "${list_seed_list[@]}"; do list_seed_args+=(--seed "$seed"); done
  "$bin" -q --lists "$lists" train-designations --list-evidence --model "$out/head-lists" --out "$out/head-lists" \
    --gold "$news/gold.jsonl" --gold "$dev/gold_designees_narrow.jsonl" --gold "$dev/seed_gold.jsonl" \
    --gold corpus/designations.jsonl \
    --general "$general/article-extraction" --general "$general/trafilatura-even" --general "$general/trafilatura-odd" \
    --general "$general/conll-train" \
    "${list_seed_args[@]}" --predictions "$out/cv-lists.jsonl" | sed 's/^/   /'
fi

tune_seeds=${TUNE_SEEDS-}
if [ -n "$tune_seeds" ]; then
  echo "== 1c. cross-validated with the encoder layer fine-tuned (--tune-epochs 4, seeds $tune_seeds), beside the same folds before tuning"
  mkdir -p "$out/head-tuned"
  cp models/ner/config.json models/ner/model.safetensors models/ner/tokenizer.json "$out/head-tuned/"
  tune_seed_args=()
  IFS=, read -ra tune_seed_list <<< "$tune_seeds"
  for seed in "${tune_seed_list[@]}"; do tune_seed_args+=(--seed "$seed"); done
  "$bin" -q train-designations --tune-epochs 4 --model "$out/head-tuned" --out "$out/head-tuned" \
    --gold "$news/gold.jsonl" --gold "$dev/gold_designees_narrow.jsonl" --gold "$dev/seed_gold.jsonl" \
    --gold corpus/designations.jsonl \
    --general "$general/article-extraction" --general "$general/trafilatura-even" --general "$general/trafilatura-odd" \
    --general "$general/conll-train" \
    "${tune_seed_args[@]}" | sed 's/^/   /'
fi

echo "== 2. the shipped model on the texts it was trained on (in-sample), and on CoNLL-2003 valid and test (out of sample)"
"$bin" -q extract --jsonl "$news/sources" > "$out/news.jsonl"
"$bin" -q extract --jsonl "$dev/sources" "$shared/seed/000_f293cfb5a39cabc5.txt" > "$out/dev.jsonl"
"$bin" -q extract --jsonl corpus/ > "$out/corpus.jsonl"
for pair in "$news/gold.jsonl:$out/news.jsonl" "$dev/gold_designees_narrow.jsonl:$out/dev.jsonl" \
  "$dev/seed_gold.jsonl:$out/dev.jsonl" "corpus/designations.jsonl:$out/corpus.jsonl"; do
  printf '   %-60s ' "${pair%%:*}"
  python3 "$eval_py" "${pair%%:*}" "${pair##*:}" 2>/dev/null | tr '\n' ' ' | sed 's/documents.*matched [0-9]*  //'
  echo
done
for set in article-extraction trafilatura-even trafilatura-odd conll-train conll-valid conll-test; do
  "$bin" -q extract --jsonl "$general/$set" | python3 -c '
import json, sys
docs = [json.loads(line) for line in sys.stdin]
flagged = [(d["id"], [x["target"]["name"] for x in d.get("designations") or []]) for d in docs if d.get("designations")]
print(f"   {sys.argv[1]:<40} {len(flagged)} of {len(docs)} pages give any designation ({1000 * len(flagged) / len(docs):.1f} per 1,000)")
for page, names in flagged:
    print(f"      {page}: {names}")' "$set"
done

echo "== 3. the example sentences, and the seed article"
printf '%s\n' "Ship manager and owner sanctioned" \
  "The measures target Baltic Freight Lines FZE, a Sharjah-registered ship manager, and its owner Anton Viktorovich Kessler, who are now subject to an asset freeze and a travel ban." \
  > "$out/example.txt"
printf '%s\n' "EU ministers proposed adding the tanker SEA DRAGON to the list." > "$out/proposal.txt"
"$bin" -q extract --jsonl "$out/example.txt" "$out/proposal.txt" "$shared/seed/000_f293cfb5a39cabc5.txt" | python3 -c '
import json, sys
for line in sys.stdin:
    d = json.loads(line)
    print("  ", d["id"][:40], [(x["target"]["name"], x["action"]) for x in d["designations"]])'

echo "== 4. annotation time"
cargo bench --quiet --bench annotation 2>/dev/null | sed 's/^/   /'
