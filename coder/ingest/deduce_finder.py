"""Candidate names found by `deduce` (Menger et al. 2018), when the `deidentify` extra is installed.

deduce is a rule-based de-identifier for Dutch (clinical) text that works offline, with lookup
lists of Dutch first names, surnames, places, streets and institutions. It finds what the
built-in finder cannot: a name at the start of a sentence, a street, a hospital or care
institution. Its lookup tables take a minute or two to build the first time; they are built
once into `cache_dir()` (the user's cache folder, where they can see and delete them), and
loaded from there afterwards.

Only the text is given to deduce; the speakers and school of the front matter come from the
built-in finder either way (`name_finder.suggest`), and so do the built-in finder's names in
the text: deduce, made for clinical notes, knows no schools. On `benchmarks/pseudonym_set`
the two together find more than either alone (README §Privacy).
"""

from __future__ import annotations

import importlib.util
import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path

from coder.ingest.name_finder import (
    DATE,
    EMAIL,
    INSTITUTION,
    PERSON,
    PHONE,
    PLACE,
    TextFinder,
    builtin_names,
    without_title,
)

#: deduce's tags (the start of them: "persoon", "patient", "locatie", "zorginstelling", ...) by kind.
_KINDS = {"persoon": PERSON, "patient": PERSON, "voornaam": PERSON, "achternaam": PERSON, "pseudo": PERSON,
          "locatie": PLACE, "straat": PLACE, "instelling": INSTITUTION, "zorginstelling": INSTITUTION,
          "ziekenhuis": INSTITUTION, "datum": DATE, "telefoonnummer": PHONE, "emailadres": EMAIL}


#: What deduce may include inside one annotation of a person, though it parts two names.
_BETWEEN = re.compile(r"[.,;:!?]\s*")


def available() -> bool:
    """Whether deduce is installed (`pip install coder-qda[deidentify]`)."""
    return importlib.util.find_spec("deduce") is not None


def cache_dir() -> Path:
    """Where deduce's lookup tables are kept: `$XDG_CACHE_HOME/coder/deduce`, else `~/.cache/coder/deduce`."""
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "coder" / "deduce"


def is_built() -> bool:
    """Whether the lookup tables are in the cache already (deduce's own cache file)."""
    return (cache_dir() / "cache" / "lookup_structs.pickle").exists()


def deduce_finder(say: Callable[[str], None]) -> TextFinder:
    """A text finder: deduce's names, then the built-in finder's; deduce's lookup tables are
    built into `cache_dir()` the first time, and `say` tells the user so."""
    from deduce import Deduce

    if not is_built():
        say(f"building deduce's lookup tables once, into {cache_dir()}; this takes a minute or two")
    cache_dir().mkdir(parents=True, exist_ok=True)
    model = Deduce(cache_path=cache_dir())
    say("deduce is ready")

    def find(text: str) -> Iterator[tuple[str, str]]:
        for annotation in model.deidentify(text).annotations.sorted(by=("start_char",)):
            kind = next((k for tag, k in _KINDS.items() if annotation.tag.startswith(tag)), None)
            if kind == PERSON:  # deduce joins names across punctuation ("Sophie. Sophie") and keeps titles
                yield from ((without_title(part.strip()), kind) for part in _BETWEEN.split(annotation.text) if part.strip())
            elif kind is not None:
                yield annotation.text, kind
        yield from builtin_names(text)  # schools, numbers without separators: what deduce leaves

    return find
