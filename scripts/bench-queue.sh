#!/usr/bin/env bash
# The shared queue against in-process ingest, and one worker against two (one thread each), on the
# same pages in one run; needs redis-server and redis-cli (Debian's redis-server package).
#
#   scripts/bench-queue.sh [PAGES_DIR] [RUNS]
#
# PAGES_DIR defaults to ../shared/bench/article-extraction/html; RUNS (default 3) runs of each.
set -euo pipefail
cd "$(dirname "$0")/.."
pages=${1:-../shared/bench/article-extraction/html}
runs=${2:-3}
command -v redis-server >/dev/null || { echo "redis-server not found: install Debian's redis-server package" >&2; exit 1; }
cargo build --release --quiet
python3 scripts/bench_queue.py --pages "$pages" --newshound target/release/newshound --repeat "$runs"
