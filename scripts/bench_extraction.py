"""Runs newshound and trafilatura over the article-extraction benchmark and compares them; with
--eval-set, also over trafilatura's 990-page evaluation set, split into its even pages (the half
extraction rules are tuned on) and its odd pages (the half they are checked on), scoring body, title,
date and author of both systems with metadata_eval.py.

Timing: newshound is timed as a whole process, once on all cores and once on one thread (start-up, reading, decompressing, extracting, writing
JSON); trafilatura only for its extract() calls on pages already read and decompressed. Each is run
--repeat times, in rounds that take turns, and the median is reported.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

TRAFILATURA_RUNNER = r"""
import gzip, json, sys, time
from pathlib import Path
import trafilatura
pages = {p.name[:-len('.html.gz')]: gzip.open(p).read() for p in sorted(Path(sys.argv[1]).glob('*.html.gz'))}
start = time.perf_counter()
out = {k: {'articleBody': trafilatura.extract(v) or ''} for k, v in pages.items()}
elapsed = time.perf_counter() - start
json.dump(out, open(sys.argv[2], 'w'))
print(elapsed)
"""


TRAFILATURA_METADATA_RUNNER = r"""
import gzip, json, sys
from pathlib import Path
import trafilatura
with open(sys.argv[2], 'w') as out:
    for p in sorted(Path(sys.argv[1]).glob('*.html.gz')):
        found = trafilatura.extract(gzip.open(p).read(), output_format='json', with_metadata=True)
        found = json.loads(found) if found else {}
        out.write(json.dumps({'file': p.name[:-len('.html.gz')], 'title': found.get('title'),
                              'published': found.get('date'), 'byline': found.get('author'),
                              'body': found.get('text')}) + '\n')
"""


# htmldate, the date extractor trafilatura itself calls, run as its documentation advises for the
# publication date: the extensive search on, the original date rather than the last change.
HTMLDATE_RUNNER = r"""
import gzip, json, sys
from pathlib import Path
from htmldate import find_date
with open(sys.argv[2], 'w') as out:
    for p in sorted(Path(sys.argv[1]).glob('*.html.gz')):
        date = find_date(gzip.open(p).read().decode('utf-8', 'replace'), extensive_search=True, original_date=True)
        out.write(json.dumps({'file': p.name[:-len('.html.gz')], 'published': date}) + '\n')
"""


def run_newshound(binary, html_dir, pred_path, threads=None):
    env = dict(os.environ)
    if threads:
        env["RAYON_NUM_THREADS"] = str(threads)
    start = time.perf_counter()
    result = subprocess.run(
        [binary, "extract", "--no-annotate", "--jsonl", "--quiet", str(html_dir)],
        check=True, capture_output=True, text=True, env=env,
    )
    elapsed = time.perf_counter() - start
    pred = {}
    for line in result.stdout.splitlines():
        doc = json.loads(line)
        pred[doc["id"]] = {"articleBody": doc["body"]}
    pred_path.write_text(json.dumps(pred))
    return elapsed, len(pred)


def run_trafilatura(python, html_dir, pred_path):
    result = subprocess.run([python, "-c", TRAFILATURA_RUNNER, str(html_dir), str(pred_path)],
                            check=True, capture_output=True, text=True)
    return float(result.stdout.strip().splitlines()[-1])


def f1(eval_script, gold, pred):
    result = subprocess.run([sys.executable, str(eval_script), str(gold), str(pred)],
                            check=True, capture_output=True, text=True)
    # The row is named after the prediction file: "newshound   0.967 ± 0.005 …".
    line = [l for l in result.stdout.splitlines() if l.startswith(pred.stem)][-1]
    return float(line.split()[1])


def compare_on_eval_set(args):
    """Both systems on the 990 pages, each half scored on its own, and htmldate on their dates."""
    pages = args.eval_set / "pages"
    gold = json.loads((args.eval_set / "evaldata.json").read_text())
    ours, theirs = args.out / "eval-newshound.jsonl", args.out / "eval-trafilatura.jsonl"
    dates = args.out / "eval-htmldate.jsonl"
    result = subprocess.run([args.newshound, "extract", "--no-annotate", "--jsonl", "--quiet", str(pages)],
                            check=True, capture_output=True, text=True)
    ours.write_text(result.stdout)
    subprocess.run([args.trafilatura_python, "-c", TRAFILATURA_METADATA_RUNNER, str(pages), str(theirs)], check=True)
    subprocess.run([args.trafilatura_python, "-c", HTMLDATE_RUNNER, str(pages), str(dates)], check=True)
    rows = []
    for half, parity in (("even (tuned on)", 0), ("odd (checked on)", 1)):
        half_gold = {url: v for url, v in gold.items() if int(v["file"][1:]) % 2 == parity}
        gold_path = args.out / f"evaldata-{parity}.json"
        gold_path.write_text(json.dumps(half_gold))
        for system, pred in (("newshound", ours), ("trafilatura", theirs), ("htmldate", dates)):
            summary_path = args.out / f"eval-{system}-{parity}.json"
            subprocess.run([sys.executable, str(args.metadata_eval), "--gold", str(gold_path), "--pred", str(pred),
                            "--json", str(summary_path)], check=True, capture_output=True)
            s = json.loads(summary_path.read_text())
            fields = s["fields"]
            dates_only = system == "htmldate"
            rows.append((half, system, None if dates_only else s["body"]["f1"], fields["date"]["strict_acc"],
                         fields["date"]["labelled"] - fields["date"]["predicted"],
                         None if dates_only else fields["author"]["lenient_acc"],
                         None if dates_only else fields["title"]["lenient_acc"]))
    print(f"\ntrafilatura-eval, {len(gold)} pages, halves by page number")
    print(f"{'half':<18}{'system':<13}{'body F1':>9}{'date':>8}{'no date':>9}{'author~':>9}{'title~':>8}")
    shown = lambda v, f: "-" if v is None else format(v, f)
    for half, system, body, date, undated, author, title in rows:
        print(f"{half:<18}{system:<13}{shown(body, '.3f'):>9}{date:>8.1%}{undated:>9}{shown(author, '.1%'):>9}"
              f"{shown(title, '.1%'):>8}")
    print("(date: same day; no date: labelled pages given none; author~ and title~: lenient, as metadata_eval.py"
          " counts them; htmldate reads dates only)")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--bench", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--newshound", required=True)
    parser.add_argument("--trafilatura-python", required=True)
    parser.add_argument("--eval", type=Path, required=True)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--eval-set", type=Path, help="trafilatura-eval folder (pages/, evaldata.json)")
    parser.add_argument("--metadata-eval", type=Path, help="metadata_eval.py")
    args = parser.parse_args()

    html_dir = args.bench / "html"
    gold = args.bench / "ground-truth.json"
    pages = len(list(html_dir.glob("*.html.gz")))
    ours, theirs = args.out / "newshound.json", args.out / "trafilatura.json"

    # Rounds alternate the systems, so that a slower spell of the machine falls on both.
    ours_times, single_times, theirs_times = [], [], []
    for _ in range(args.repeat):
        ours_times.append(run_newshound(args.newshound, html_dir, ours)[0])
        single_times.append(run_newshound(args.newshound, html_dir, ours, threads=1)[0])
        theirs_times.append(run_trafilatura(args.trafilatura_python, html_dir, theirs))
    ours_rate = pages / statistics.median(ours_times)
    theirs_rate = pages / statistics.median(theirs_times)
    single_rate = pages / statistics.median(single_times)

    print(f"pages: {pages}, runs: {args.repeat} each (median)")
    print(f"{'system':<14}{'F1':>8}{'pages/s':>12}")
    print(f"{'newshound':<14}{f1(args.eval, gold, ours):>8.3f}{ours_rate:>12.1f}")
    print(f"{'  1 thread':<14}{'':>8}{single_rate:>12.1f}")
    print(f"{'trafilatura':<14}{f1(args.eval, gold, theirs):>8.3f}{theirs_rate:>12.1f}")
    print(f"speed ratio newshound/trafilatura: {ours_rate / theirs_rate:.1f}x (all cores), "
          f"{single_rate / theirs_rate:.1f}x (one thread each)")
    if args.eval_set:
        compare_on_eval_set(args)


if __name__ == "__main__":
    main()
