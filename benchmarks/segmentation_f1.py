"""Segmentation quality: exact-match sentence F1 against gold Dutch sentences.

Gold: the development part of UD Dutch LassySmall (Wikipedia text, CC BY-SA 4.0), read
from `../shared/data/nl_lassysmall-ud-dev.conllu` beside the repository (never copied
into it; see that folder's README). Each sentence's `sent_id` ("wiki-1181.p.12.s.2")
names its document and paragraph; the sentences of one paragraph are joined by a single
space into one text, as a speaker turn reaches the segmenter, and segmented whole
(or, with `--by-document`, a document's paragraphs are joined by blank lines).

A predicted sentence counts when its character span, stripped of surrounding
whitespace, equals a gold sentence's span exactly (the usual exact-match measure of
sentence segmentation, e.g. Read et al. 2012, "Sentence boundary detection: a long
solved problem?"). Precision = matches / predicted, recall = matches / gold.

    uv run python benchmarks/segmentation_f1.py [--misses N] [--by-document]

prints F1, precision and recall of coder's segmenter and of the raw `blank("nl")`
sentencizer on the same texts, and the first N misses of coder's.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from coder.ingest.segmentation import Span, segment_texts, sentence_spans  # noqa: E402

LASSY_DEV = REPO.parent / "shared" / "data" / "nl_lassysmall-ud-dev.conllu"
_PARAGRAPH = re.compile(r"^(?P<doc>.+?)\.p\.(?P<par>\d+)\.s\.\d+$")

#: A segmenter: texts in, for each text its sentence spans out.
Segmenter = Callable[[Sequence[str]], Iterable[list[Span]]]
#: A text the segmenter got wrong: the text, its gold sentences, the predicted ones.
Miss = tuple[str, list[str], list[str]]


@dataclass(frozen=True)
class GoldText:
    """One text to segment and the spans of its gold sentences."""

    text: str
    spans: tuple[Span, ...]


@dataclass(frozen=True)
class Score:
    """Exact-match counts and the figures derived from them."""

    gold: int
    predicted: int
    matched: int

    @property
    def precision(self) -> float:
        return self.matched / self.predicted if self.predicted else 0.0

    @property
    def recall(self) -> float:
        return self.matched / self.gold if self.gold else 0.0

    @property
    def f1(self) -> float:
        total = self.precision + self.recall
        return 2 * self.precision * self.recall / total if total else 0.0


def join_paragraphs(paragraphs: Sequence[Sequence[str]]) -> GoldText:
    """The text a segmenter sees for these gold sentences, with their spans in it.

    Sentences of a paragraph are joined by a space, paragraphs by a blank line, as a
    document lays them out.
    """
    spans, parts, position = [], [], 0
    for sentences in paragraphs:
        for s, sentence in enumerate(sentences):
            separator = "" if not parts else " " if s else "\n\n"
            position += len(separator)
            parts.append(separator + sentence)
            spans.append((position, position + len(sentence)))
            position += len(sentence)
    return GoldText("".join(parts), tuple(spans))


def read_conllu(path: Path = LASSY_DEV, by_document: bool = False) -> list[GoldText]:
    """Gold texts from a CoNLL-U file: one per paragraph, or per document with `by_document`.

    Fails with a message naming the file when it is missing: the gold data lives in
    `../shared/data/` beside the clone (CI lays it there), and a check that silently
    skipped would report nothing.
    """
    if not path.is_file():
        raise FileNotFoundError(
            f"gold sentences not found at {path}: UD Dutch LassySmall dev (CC BY-SA 4.0) must sit in "
            "../shared/data/ beside the repository (see its README)"
        )
    documents: dict[str, dict[str, list[str]]] = {}
    sent_id = ""
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("# sent_id = "):
            sent_id = line.removeprefix("# sent_id = ").strip()
        elif line.startswith("# text = "):
            match = _PARAGRAPH.match(sent_id)
            document, paragraph = (match["doc"], match["par"]) if match else (sent_id, "")
            documents.setdefault(document, {}).setdefault(paragraph, []).append(line.removeprefix("# text = ").strip())
    if by_document:
        return [join_paragraphs(list(paragraphs.values())) for paragraphs in documents.values()]
    return [join_paragraphs([sentences]) for paragraphs in documents.values() for sentences in paragraphs.values()]


def evaluate(gold: Sequence[GoldText], segmenter: Segmenter = segment_texts) -> tuple[Score, list[Miss]]:
    """Score `segmenter` on `gold`; also return the misses as (text, gold, predicted) sentences."""
    gold_count = predicted_count = matched = 0
    misses = []
    for item, predicted in zip(gold, segmenter([g.text for g in gold]), strict=True):
        hits = set(item.spans) & set(predicted)
        gold_count += len(item.spans)
        predicted_count += len(predicted)
        matched += len(hits)
        if len(hits) < max(len(item.spans), len(predicted)):
            misses.append((item.text, [item.text[a:b] for a, b in item.spans], [item.text[a:b] for a, b in predicted]))
    return Score(gold_count, predicted_count, matched), misses


def raw_sentencizer(texts: Sequence[str]) -> Iterator[list[Span]]:
    """The reference: spaCy's `blank("nl")` with the standard sentencizer, nothing else."""
    import spacy

    nlp = spacy.blank("nl")
    nlp.add_pipe("sentencizer")
    for doc in nlp.pipe(texts, batch_size=256):
        yield sentence_spans(doc)  # trimmed the same way as coder's


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--misses", type=int, default=0, help="print this many of coder's misses")
    parser.add_argument("--by-document", action="store_true", help="segment whole documents, paragraphs apart by a blank line")
    args = parser.parse_args()
    gold = read_conllu(by_document=args.by_document)
    print(f"gold: {LASSY_DEV.name}, {len(gold)} texts, {sum(len(g.spans) for g in gold)} sentences")
    print(f"{'segmenter':<22} {'F1':>6} {'prec':>6} {'recall':>6}")
    misses: list[Miss] = []
    for name, segmenter in (("raw blank('nl')", raw_sentencizer), ("coder", segment_texts)):
        score, found = evaluate(gold, segmenter)
        misses = found
        print(f"{name:<22} {score.f1:>6.3f} {score.precision:>6.3f} {score.recall:>6.3f}")
    for text, expected, predicted in misses[: args.misses]:
        print("\n---", text[:300])
        print("  gold:", *expected, sep="\n    | ")
        print("  coder:", *predicted, sep="\n    | ")


if __name__ == "__main__":
    main()
