#!/usr/bin/env bash
# Article-extraction benchmark: newshound against trafilatura on the same 181 pages, in one run.
# Prints both F1 scores (the benchmark's own metric) and the pages/s of each.
#
#   scripts/bench-extraction.sh [BENCH_DIR]
#
# BENCH_DIR defaults to ../shared/bench/article-extraction (html/*.html.gz + ground-truth.json).
# trafilatura is installed into target/bench-venv on first use.
set -euo pipefail
cd "$(dirname "$0")/.."
bench=${1:-../shared/bench/article-extraction}
tools=$(dirname "$bench")/../tools
venv=target/bench-venv
out=target/bench-extraction
mkdir -p "$out"

if ! "$venv/bin/python" -c "import trafilatura" 2>/dev/null; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet "trafilatura==2.3.1" lxml_html_clean
fi
cargo build --release --quiet

python3 scripts/bench_extraction.py \
  --bench "$bench" --out "$out" \
  --newshound target/release/newshound \
  --trafilatura-python "$venv/bin/python" \
  --eval "$tools/extraction_eval.py"
