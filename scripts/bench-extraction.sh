#!/usr/bin/env bash
# Article-extraction benchmark: newshound against trafilatura in one run, on the 181 pages of the
# article-extraction benchmark (body F1 and pages/s of each), then on trafilatura's own 990-page
# evaluation set, each half on its own: even pages (the half rules are tuned on) and odd pages (the
# half they are checked on); body F1, date, author and title of both systems, and the dates of
# htmldate (the date extractor trafilatura calls, in its extensive search for the original date).
#
#   scripts/bench-extraction.sh [BENCH_DIR [EVAL_SET_DIR]]
#
# BENCH_DIR defaults to ../shared/bench/article-extraction (html/*.html.gz + ground-truth.json),
# EVAL_SET_DIR to ../shared/bench/trafilatura-eval (pages/*.html.gz + evaldata.json).
# trafilatura is installed into target/bench-venv on first use.
set -euo pipefail
cd "$(dirname "$0")/.."
bench=${1:-../shared/bench/article-extraction}
eval_set=${2:-$(dirname "$bench")/trafilatura-eval}
tools=$(dirname "$bench")/../tools
venv=target/bench-venv
out=target/bench-extraction
mkdir -p "$out"

if ! "$venv/bin/python" -c "import trafilatura" 2>/dev/null; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet "trafilatura==2.3.1" "htmldate==1.11.0" lxml_html_clean
fi
cargo build --release --quiet

python3 scripts/bench_extraction.py \
  --bench "$bench" --out "$out" \
  --newshound target/release/newshound \
  --trafilatura-python "$venv/bin/python" \
  --eval "$tools/extraction_eval.py" \
  --eval-set "$eval_set" --metadata-eval "$tools/metadata_eval.py"
