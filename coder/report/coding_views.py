"""What the coding screen can show over a transcript besides one's own coding: a coder
pair's final coding (as the peer-debriefing summary counts it: the consensus where the
pair's review decided a fragment, the first coder's coding elsewhere) or another coder's
coding, read-only.

Blindness decides what is offered: a coder who still has a pending blind fragment in the
transcript is offered only their own coding there. Beyond that, the study's viewer
session (`coder.storage.visibility`) hides what it always hides.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session

from coder.coding.blind_pass import blind_queue
from coder.coding.queries import CodingRow, live_codings, transcript_codings
from coder.report.debrief_data import pair_final
from coder.stats.units import coder_pairs
from coder.storage.models import Coder, Coding
from coder.storage.vocabulary import Pass


@dataclass(frozen=True)
class CodingView:
    """One way to show a transcript's codings: one's own (editable), a pair's final
    coding, or another coder's."""

    label: str
    pair: tuple[str, str] | None = None
    coder: str | None = None

    @property
    def mine(self) -> bool:
        return self.pair is None and self.coder is None


MINE = CodingView("mine")


def still_blind(session: Session, viewer: str | None, transcript_id: int) -> bool:
    """Whether `viewer` has a fragment in the transcript still to code blind."""
    return viewer is not None and any(
        item.pending and item.transcript_id == transcript_id for item in blind_queue(session, viewer))


def views_offered(session: Session, viewer: str | None, transcript_id: int) -> list[CodingView]:
    """One's own coding first; then, unless the viewer still codes blind here, each coder
    pair's final coding and each other coder who coded in the transcript."""
    if still_blind(session, viewer, transcript_id):
        return [MINE]
    others = session.execute(
        live_codings(Coder.name).where(Coding.transcript_id == transcript_id, Coding.pass_ != Pass.CONSENSUS,
                                       Coder.name != (viewer or "")).distinct().order_by(Coder.name)
    ).scalars()
    return [MINE, *(CodingView(f"final {a} & {b}", pair=(a, b)) for a, b in coder_pairs(session)),
            *(CodingView(name, coder=name) for name in others)]


def view_codings(session: Session, viewer: str | None, transcript_id: int, view: CodingView) -> list[CodingRow]:
    """The codings `view` shows on the transcript: one's own primary coding; a pair's final
    coding; another coder's primary and blind codings."""
    if view.pair is not None:
        final = {record.coding_id for record in pair_final(session, view.pair)
                 if record.fragment.transcript_id == transcript_id}
        return [row for row in transcript_codings(session, transcript_id) if row.id in final]
    if view.coder is not None:
        return [row for row in transcript_codings(session, transcript_id, view.coder) if row.pass_ != Pass.CONSENSUS]
    return [row for row in transcript_codings(session, transcript_id, viewer) if row.pass_ == Pass.PRIMARY]
