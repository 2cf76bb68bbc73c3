#!/usr/bin/env python3
"""Precision and recall of the list linker on labelled (designee, entry) pairs.

Usage: scripts/link_eval.py PAIRS.jsonl [--newshound BIN] [--lists DIR]

PAIRS.jsonl: one designee a line, labelled by hand against the list files: {"name", "schema",
"aliases", "country", "imo", "date", "list", "entries": [entry ids]} ("list" defaults to ofac-sdn). Each
designee goes to `newshound lists match --jsonl` as the target an article reports (its name,
aliases, type and country, and the article's date); a predicted pair is a (designee, entry) match
on the labelled list. Labels stay outside the repository (they name the texts' designees).
"""
import argparse
import json
import subprocess

SCHEMA_TYPES = {"person": "person", "company": "company", "vessel": "vessel", "airplane": "aircraft",
                "aircraft": "aircraft"}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("pairs")
    parser.add_argument("--newshound", default="target/release/newshound")
    parser.add_argument("--lists", help="the list store (default: the config's)")
    args = parser.parse_args()
    labelled = [json.loads(line) for line in open(args.pairs, encoding="utf-8") if line.strip()]
    queries = []
    for d in labelled:
        country = (d.get("country") or [None])[0]
        imo = "".join(c for c in (d.get("imo") or [""])[0] if c.isdigit()) or None
        queries.append(json.dumps({
            "name": d["name"], "aliases": d.get("aliases") or [], "country": country, "date": d.get("date"),
            "type": SCHEMA_TYPES.get(d["schema"].lower(), "organisation"), "imo": imo,
        }))
    command = [args.newshound, "-q"] + (["--lists", args.lists] if args.lists else []) + ["lists", "match", "--jsonl"]
    run = subprocess.run(command, input="\n".join(queries) + "\n", capture_output=True, text=True, check=True)
    answers = [json.loads(line) for line in run.stdout.splitlines()]
    assert len(answers) == len(labelled), (len(answers), len(labelled))
    tp = fp = fn = 0
    by_set = {}
    for d, answer in zip(labelled, answers):
        list_id = d.get("list", "ofac-sdn")
        gold = {str(e) for e in d["entries"]}
        predicted = {m["entry_id"] for m in answer["matches"] if m["list"] == list_id}
        counts = by_set.setdefault(d.get("set", "all"), [0, 0, 0])
        for i, n in enumerate((len(gold & predicted), len(predicted - gold), len(gold - predicted))):
            counts[i] += n
        tp, fp, fn = tp + len(gold & predicted), fp + len(predicted - gold), fn + len(gold - predicted)
    def line(name, tp, fp, fn):
        p = tp / (tp + fp) if tp + fp else 1.0
        r = tp / (tp + fn) if tp + fn else 1.0
        print(f"{name:<16} pairs: gold {tp + fn:>4}  predicted {tp + fp:>4}  right {tp:>4}   P {p:.3f}  R {r:.3f}")
    print(f"{len(labelled)} labelled designees")
    for name, (t, f, n) in sorted(by_set.items()):
        line(name, t, f, n)
    line("all", tp, fp, fn)


if __name__ == "__main__":
    main()
