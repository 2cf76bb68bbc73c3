"""Writes each document of a CoNLL-2003 file as a plain text (headline, blank line, one sentence a
line), for train-designations' --general: Reuters news of 1996 (sport, markets, politics) that reports
no sanctions action. Documents that say "sanction", "embargo", "blacklist", an asset freeze or a
travel ban are left out rather than taken as reporting none.

    python3 scripts/conll_documents.py CONLL_FILE OUT_DIR
"""
import re
import sys
from pathlib import Path

MENTIONS_SANCTIONS = re.compile(
    r"(?i)sanction|embargo|blacklist|freez\w*\s+(?:\S+\s+){0,3}?(?:assets|funds)|travel ban")


def documents(path):
    document, sentence = [], []
    for line in open(path, encoding="utf-8"):
        line = line.rstrip("\n")
        if line.startswith("-DOCSTART-") or not line.strip():
            if sentence:
                document.append(sentence)
                sentence = []
            if line.startswith("-DOCSTART-") and document:
                yield document
                document = []
            continue
        sentence.append(line.split()[0])
    if sentence:
        document.append(sentence)
    if document:
        yield document


def detokenise(tokens):
    text = " ".join(tokens)
    text = re.sub(r" ([,.;:!?%)])", r"\1", text)
    text = re.sub(r"([($]) ", r"\1", text)
    return re.sub(r" (n't|'s|'re|'ve|'ll|'d|'m)\b", r"\1", text)


def main():
    source, out = Path(sys.argv[1]), Path(sys.argv[2])
    out.mkdir(parents=True, exist_ok=True)
    written = left_out = 0
    for number, document in enumerate(documents(source)):
        text = detokenise(document[0]) + "\n\n" + "\n".join(detokenise(s) for s in document[1:]) + "\n"
        if MENTIONS_SANCTIONS.search(text):
            left_out += 1
            continue
        (out / f"{source.stem}-{number:04d}.txt").write_text(text, encoding="utf-8")
        written += 1
    print(f"{source}: {written} documents written to {out}, {left_out} that mention sanctions left out")


if __name__ == "__main__":
    main()
