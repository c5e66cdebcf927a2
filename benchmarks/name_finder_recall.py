"""How well `coder pseudonymise suggest` finds what a key needs, on `benchmarks/pseudonym_set`.

The set is four made-up interviews (coder's text format and a Teams WebVTT file) and
`gold.csv`, every string in them that identifies someone (people, schools, institutions,
places, e-mail addresses, phone numbers, dates of birth). The built-in finder's candidates
are taken as the key, unedited, and the transcripts are pseudonymised with it as
`coder import --pseudonymise` would:

- recall: the share of the gold strings' occurrences (title, school, speaker labels and text)
  that the unedited key replaces, per kind;
- precision: the share of candidates that are a gold string, part of one ("Femke" of
  "Femke Jansen") or hold one ("OBS De Klimop").

    uv run python benchmarks/name_finder_recall.py [--misses] [--deduce]

prints both per kind and, with --misses, each gold occurrence left and each wrong candidate;
with --deduce, for the finder backed by deduce (the `deidentify` extra; its lookup tables are
built into the cache the first time, which takes minutes).
"""

from __future__ import annotations

import argparse
import csv
import sys
from collections import Counter, defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from coder.ingest.formats.parsed import ParsedTranscript  # noqa: E402
from coder.ingest.name_finder import KINDS, Candidate, TextFinder, builtin_names, suggest  # noqa: E402
from coder.ingest.pseudonymise import PseudonymKey, normal_name  # noqa: E402
from coder.ingest.transcript_formats import read_transcript  # noqa: E402

SET = REPO / "benchmarks" / "pseudonym_set"


def _texts(parsed: ParsedTranscript) -> list[str]:
    return [parsed.title, parsed.school or "", parsed.text]


def _gold() -> dict[str, dict[str, str]]:
    """file -> normalised gold name -> kind."""
    gold: dict[str, dict[str, str]] = defaultdict(dict)
    with open(SET / "gold.csv", encoding="utf-8") as rows:
        for row in csv.DictReader(rows):
            gold[row["file"]][normal_name(row["name"])] = row["kind"]
    return gold


def _correct(candidate: Candidate, gold: dict[str, str]) -> bool:
    name = f" {normal_name(candidate.name)} "
    return any(name in f" {g} " or f" {g} " in name for g in gold)


def measure(show_misses: bool, finder: TextFinder) -> None:
    found, left = Counter(), Counter()
    right, proposed = Counter(), Counter()
    for file, gold in _gold().items():
        parsed = read_transcript(SET / file)
        candidates = suggest([parsed], finder)
        key = PseudonymKey({normal_name(c.name): "[x]" for c in candidates})
        gold_key = PseudonymKey(dict.fromkeys(gold, ""))
        for text in _texts(parsed):
            for match in gold_key.find(text):
                kind = gold[normal_name(match.group("name"))]
                found[kind] += 1
            for match in gold_key.find(key.replace(text)):
                kind = gold[normal_name(match.group("name"))]
                left[kind] += 1
                if show_misses:
                    print(f"left      {file}: {match.group()} ({kind})")
        for candidate in candidates:
            proposed[candidate.kind] += 1
            if _correct(candidate, gold):
                right[candidate.kind] += 1
            elif show_misses:
                print(f"wrong     {file}: {candidate.name} ({candidate.kind})")
    print(f"{'kind':<12} {'occurrences':>11} {'replaced':>9} {'recall':>7} {'candidates':>11} {'precision':>9}")
    for kind in (*KINDS, "all"):
        total = sum(found.values()) if kind == "all" else found[kind]
        missed = sum(left.values()) if kind == "all" else left[kind]
        named = sum(proposed.values()) if kind == "all" else proposed[kind]
        correct = sum(right.values()) if kind == "all" else right[kind]
        recall = f"{1 - missed / total:.2f}" if total else "-"
        precision = f"{correct / named:.2f}" if named else "-"
        print(f"{kind:<12} {total:>11} {total - missed:>9} {recall:>7} {named:>11} {precision:>9}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--misses", action="store_true", help="print each occurrence left and each wrong candidate")
    parser.add_argument("--deduce", action="store_true", help="measure the finder backed by deduce")
    args = parser.parse_args()
    if args.deduce:
        from coder.ingest.deduce_finder import deduce_finder

        measure(args.misses, deduce_finder(print))
    else:
        measure(args.misses, builtin_names)
