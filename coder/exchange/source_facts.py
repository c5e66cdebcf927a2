"""What a REFI-QDA project says about its sources beyond their text: cases, variables, sets.

coder's own metadata (`school`, `school_type`, `date`, and the `participants` coder's
export lists) go to the transcript's columns and speakers. Everything else is kept as
transcript attributes (`TranscriptAttribute`), by this convention:

- a case variable, whether on a `Case` that refers to the source or on the source itself,
  is an attribute named as the variable, its value as text (`Age` = `42`);
- the case's name, when it differs from the source's, is an attribute `case`;
- each set (MAXQDA's document sets) the source is a member of is an attribute `set` whose
  value is the set's name; a source in two sets has two;
- the source's own memo (its `Description` and the notes it refers to) is an attribute `memo`.

The export writes them back the same way: attributes as case variables, `case` as the
case's name, `set` as `Sets` with the transcripts as members, `memo` as the source's
`Description`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlmodel import Session

from coder.exchange.refi_codebook import children, local, normalise_guid
from coder.storage.models import TranscriptAttribute
from coder.storage.vocabulary import Attribute

#: Case variables coder keeps in its own columns (and its speakers), not as attributes.
FIXED = ("school", "school_type", "date", "participants")


@dataclass
class SourceFacts:
    """One source's metadata: coder's own fields, and the other attributes in order."""

    fixed: dict[str, str] = field(default_factory=dict)
    attributes: list[tuple[str, str]] = field(default_factory=list)

    def add(self, name: str, value: str) -> None:
        key = name.strip().lower().replace(" ", "_")
        if key in FIXED:
            self.fixed[key] = value
        elif (name, value) not in self.attributes:
            self.attributes.append((name, value))


def _values(holder, names: dict[str, str], path: str) -> list[tuple[str, str]]:
    """The (variable name, value as text) pairs of the `VariableValue`s under `holder`."""
    found = []
    for value in children(holder, "VariableValue"):
        reference = children(value, "VariableRef")
        name = names.get(normalise_guid(reference[0].get("targetGUID"), path), "") if reference else ""
        texts = [c.text.strip() for c in value if local(c.tag) != "VariableRef" and c.text and c.text.strip()]
        if name and texts:
            found.append((name, texts[0]))
    return found


def source_facts(root, path: str) -> dict[str, SourceFacts]:
    """Source GUID -> its facts, from the project's cases, the sources' own variables and sets."""
    names = {normalise_guid(v.get("guid"), path): (v.get("name") or "").strip()
             for variables in children(root, "Variables") for v in children(variables, "Variable")}
    sources = {normalise_guid(s.get("guid"), path): s for holder in children(root, "Sources") for s in holder}
    facts: dict[str, SourceFacts] = {}
    for guid, source in sources.items():
        for name, value in _values(source, names, path):
            facts.setdefault(guid, SourceFacts()).add(name, value)
    for cases in children(root, "Cases"):
        for case in children(cases, "Case"):
            values = _values(case, names, path)
            for reference in children(case, "SourceRef"):
                guid = normalise_guid(reference.get("targetGUID"), path)
                fact = facts.setdefault(guid, SourceFacts())
                case_name = (case.get("name") or "").strip()
                if case_name and guid in sources and case_name != sources[guid].get("name"):
                    fact.add(Attribute.CASE, case_name)
                for name, value in values:
                    fact.add(name, value)
    for sets in children(root, "Sets"):
        for member_set in children(sets, "Set"):
            for member in children(member_set, "MemberSource"):
                guid = normalise_guid(member.get("targetGUID"), path)
                facts.setdefault(guid, SourceFacts()).add(Attribute.SET, (member_set.get("name") or "").strip())
    return facts


def store_attributes(session: Session, transcript_id: int, attributes: list[tuple[str, str]], actor: str) -> None:
    """A transcript's attributes, in the caller's transaction; those it already has are not doubled."""
    present = set(session.execute(
        select(TranscriptAttribute.name, TranscriptAttribute.value)
        .where(TranscriptAttribute.transcript_id == transcript_id, TranscriptAttribute.deleted_at.is_(None))
    ).all())
    session.add_all(TranscriptAttribute(transcript_id=transcript_id, name=name, value=value, created_by=actor)
                    for name, value in dict.fromkeys(attributes) if (name, value) not in present)
    session.flush()
