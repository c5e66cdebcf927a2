"""`preview`: what an import would make of files, with nothing stored (issue #12, point 3)."""

from __future__ import annotations

from coder.ingest.formats.parsed import SpeakerCount
from coder.ingest.preview import FilePreview, TurnPreview, preview
from tests.conftest import TRANSCRIPT, write
from tests.test_formats_subtitles import TEAMS_VTT


def test_a_preview_shows_format_speakers_with_turns_and_words_and_the_first_turns(tmp_path):
    [shown] = preview([write(tmp_path, "teams.vtt", TEAMS_VTT)], first_turns=2)
    assert shown == FilePreview(
        source=str(tmp_path / "teams.vtt"),
        format="WebVTT (Teams)",
        title="teams",
        speakers=(SpeakerCount("Eva de Vries", None, 2, 14), SpeakerCount("Anne-Marie van den Berg", None, 1, 7)),
        first_turns=(
            TurnPreview("Eva de Vries", "00:00:03", "Goedemorgen, fijn dat je tijd hebt. Zullen we beginnen?"),
            TurnPreview("Anne-Marie van den Berg", "00:00:08", "Ja hoor, ik ben er klaar voor."),
        ),
        problems=(),
    )


def test_problems_are_listed_per_file_and_do_not_stop_the_preview(tmp_path):
    folder = tmp_path / "map"
    folder.mkdir()
    write(folder, "a.txt", TRANSCRIPT)
    write(folder, "b.txt", "---\nparticipants: [L]\n---\nL: Hoi.\nJ: Hallo.\n")
    write(folder, "c.txt", TRANSCRIPT.replace("\n", "\r\n"))
    write(folder, "d.txt", "Interviewer: Alleen ik spreek hier.\n")
    write(folder, "~$e.docx", b"\x05anna")
    shown = {p.source.rsplit("/", 1)[-1]: p for p in preview([folder])}
    assert shown["a.txt"].readable and shown["a.txt"].problems == ()
    assert not shown["b.txt"].readable
    assert shown["b.txt"].problems == ("line 5: 'J' starts a turn but is not among the participants (L): add it to the "
                                       "participants in the front matter, or indent the line if it is no speaker",)
    assert shown["c.txt"].problems == (f"the same content as {folder / 'a.txt'}: an import takes it once",)
    assert shown["d.txt"].problems == ("only one speaker found ('Interviewer'): were the speakers recognised?",)
    assert shown["~$e.docx"].problems[0].startswith("skipped: hidden or temporary file")


def test_a_listed_participant_who_never_speaks_is_a_problem(tmp_path):
    [shown] = preview([write(tmp_path, "a.txt", TRANSCRIPT.replace("J: [pauze] Ja. Ik heb haar echt nodig.\n", ""))])
    assert shown.problems == ("'J' is listed as a participant but has no turns",)
    assert [(s.label, s.turns) for s in shown.speakers] == [("I", 1), ("L", 1), ("J", 0)]


def test_a_preview_stores_nothing_and_needs_no_study(tmp_path):
    write(tmp_path, "a.txt", TRANSCRIPT)
    preview([tmp_path])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.txt"]
