"""Roles, renames and sidecar metadata at import; correcting transcripts and speakers after it;
the transcripts export and its round trip through every reader (issue: real transcripts)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import select

from coder.coding.actions import toggle_code
from coder.storage.database import open_study
from coder.storage.models import Transcript
from tests.cli_helpers import run_cli
from tests.conftest import SHIPPED_CODEBOOK, write
from tests.formats_helpers import word_file
from tests.test_formats_subtitles import TEAMS_2020_VTT, TEAMS_VTT, ZOOM_VTT
from tests.test_formats_text import F4, NOSCRIBE_HTML, NOSCRIBE_TEXT, OTTER, TEAMS_TEXT

WHISPERX_VTT = """WEBVTT

00:00:03.100 --> 00:00:05.000
[SPEAKER_00]: Goedemiddag, welkom bij dit gesprek.

00:00:05.500 --> 00:00:09.000
[SPEAKER_01]: Dank je. Ik werk hier nu drie jaar.

00:01:10.000 --> 00:01:12.000
[SPEAKER_00]: Wat doe je samen met de jeugdzorg?
"""

SIDECAR = """title: Gesprek met intern begeleider
school: School Oost (pseudoniem)
school_type: PO
date: 2024-03-12
participants:
  - {label: SPEAKER_01, role: teacher}
"""


run = run_cli


def exported(db: Path, *args: str) -> list[dict]:
    result = run("--db", str(db), "export", "transcripts", "--format", "json", *args)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def log_kinds(run_as: tuple[str, ...]) -> list[str]:
    return [json.loads(line)["kind"] for line in run(*run_as, "log", "--json").stdout.splitlines()]


@pytest.fixture(scope="module")
def imported(tmp_path_factory) -> Path:
    """One study: a WhisperX subtitle file with a sidecar, imported with a rename and a role."""
    folder = tmp_path_factory.mktemp("import")
    write(folder, "gesprek.vtt", WHISPERX_VTT)
    write(folder, "gesprek.yaml", SIDECAR)
    db = folder / "study.db"
    result = run("--db", str(db), "--as", "anna", "import", str(folder / "gesprek.vtt"),
                 "--speaker", "SPEAKER_00=Interviewer", "--role", "Interviewer=interviewer")
    assert result.exit_code == 0, result.output
    return db


def test_sidecar_rename_and_role_reach_the_study_with_start_times(imported):
    [transcript] = exported(imported)
    assert (transcript["title"], transcript["school"], transcript["school_type"], transcript["date"]) == (
        "Gesprek met intern begeleider", "School Oost (pseudoniem)", "po", "2024-03-12")
    assert transcript["participants"] == [{"label": "Interviewer", "role": "interviewer"},
                                          {"label": "SPEAKER_01", "role": "teacher"}]
    assert [(t["speaker"], t["role"], t["start"]) for t in transcript["turns"]] == [
        ("Interviewer", "interviewer", "00:00:03"), ("SPEAKER_01", "teacher", "00:00:05"),
        ("Interviewer", "interviewer", "00:01:10")]
    assert transcript["turns"][1]["text"] == "Dank je. Ik werk hier nu drie jaar."
    study = open_study(str(imported), create=False)
    with study.reader() as session:
        [stored] = session.execute(select(Transcript)).scalars().all()
    study.close()
    assert "Interviewer: Goedemiddag" in stored.text and "SPEAKER_00" not in stored.text


def test_a_rename_or_role_for_nobody_is_refused_and_nothing_is_stored(tmp_path):
    path = write(tmp_path, "gesprek.vtt", WHISPERX_VTT)
    db = tmp_path / "study.db"
    result = run("--db", str(db), "import", str(path), "--speaker", "SPEAKER_09=Interviewer")
    assert result.exit_code == 1 and "--speaker names 'SPEAKER_09'" in result.output
    assert "SPEAKER_00" in result.output  # it lists who does speak
    result = run("--db", str(db), "import", str(path), "--role", "interviewer")
    assert result.exit_code == 2 and "LABEL=VALUE" in result.output
    if db.exists():
        assert exported(db) == []


def test_a_sidecar_naming_a_speaker_who_is_not_there_names_the_sidecar(tmp_path):
    path = write(tmp_path, "gesprek.vtt", WHISPERX_VTT)
    write(tmp_path, "gesprek.vtt.yaml", "participants:\n  - {label: Jan, role: teacher}\n")
    result = run("--db", str(tmp_path / "s.db"), "import", str(path))
    assert result.exit_code == 1
    assert "gesprek.vtt.yaml" in result.output and "'Jan'" in result.output


def test_dry_run_shows_what_the_sidecar_and_options_make_of_a_file(tmp_path):
    path = write(tmp_path, "gesprek.vtt", WHISPERX_VTT)
    write(tmp_path, "gesprek.yaml", SIDECAR)
    result = run("import", "--dry-run", str(path), "--speaker", "SPEAKER_00=I")
    assert result.exit_code == 0
    assert "Gesprek met intern begeleider" in result.output
    assert "speaker I (interviewer): 2 turns" in result.output and "speaker SPEAKER_01 (teacher)" in result.output


def test_correcting_metadata_and_speakers_is_audited_and_keeps_codings(tmp_path):
    db = tmp_path / "study.db"
    source = write(tmp_path, "gesprek.vtt", WHISPERX_VTT)
    assert run("--db", str(db), "init", "--codebook", str(SHIPPED_CODEBOOK)).exit_code == 0
    assert run("--db", str(db), "--as", "anna", "import", str(source)).exit_code == 0
    study = open_study(str(db), create=False)
    with study.session() as session:
        toggle_code(session, "anna", "interdependence", 1, 1, 1)
    run_as = ("--db", str(db), "--as", "anna")
    result = run(*run_as, "transcript", "set", "gesprek", "--school-type", "vo", "--date", "2024-04-01")
    assert result.exit_code == 0 and "school_type '' → 'vo'" in result.output
    assert run(*run_as, "transcript", "rename", "1", "Gesprek 1").exit_code == 0
    result = run(*run_as, "transcript", "set", "Gesprek 1", "--school-type", "hbo")
    assert result.exit_code == 1 and "not one of" in result.output
    assert run(*run_as, "speakers", "rename", "SPEAKER_00", "Interviewer").exit_code == 0
    assert run(*run_as, "speakers", "role", "Interviewer", "interviewer").exit_code == 0
    clash = run(*run_as, "speakers", "rename", "SPEAKER_01", "Interviewer")
    assert clash.exit_code == 1 and "coder speakers merge" in clash.output
    listing = run(*run_as, "speakers")
    assert "Interviewer" in listing.output and "interviewer" in listing.output and "2 turns" in listing.output

    [transcript] = exported(db)
    assert (transcript["title"], transcript["school_type"], transcript["date"]) == ("Gesprek 1", "vo", "2024-04-01")
    assert [t["speaker"] for t in transcript["turns"]] == ["Interviewer", "SPEAKER_01", "Interviewer"]
    kinds = log_kinds(run_as)
    assert kinds.count("transcript.update") == 2 and kinds.count("speaker.update") == 2

    assert run(*run_as, "speakers", "merge", "SPEAKER_01", "Interviewer", "--transcript", "1").exit_code == 0
    [transcript] = exported(db)
    assert transcript["participants"] == [{"label": "Interviewer", "role": "interviewer"}]
    study.close()
    codings = json.loads(run(*run_as, "export", "codings", "--format", "json").stdout)
    assert [(c["transcript"], c["code_id"], c["speaker"], c["time"]) for c in codings] == [
        ("Gesprek 1", "interdependence", "Interviewer", "00:00:05")]


def test_a_deleted_transcript_leaves_every_list_and_comes_back_whole(tmp_path):
    db = tmp_path / "study.db"
    first, second = write(tmp_path, "a.vtt", WHISPERX_VTT), write(tmp_path, "b.vtt", TEAMS_VTT)
    assert run("--db", str(db), "init", "--codebook", str(SHIPPED_CODEBOOK)).exit_code == 0
    assert run("--db", str(db), "--as", "anna", "import", str(first), str(second)).exit_code == 0
    study = open_study(str(db), create=False)
    with study.session() as session:
        toggle_code(session, "anna", "interdependence", 1, 0, 0)
    run_as = ("--db", str(db), "--as", "anna")
    refused = run(*run_as, "transcript", "delete", "a")
    assert refused.exit_code == 1 and "--force" in refused.output
    assert run(*run_as, "transcript", "delete", "a", "--force").exit_code == 0

    assert [t["title"] for t in exported(db)] == ["b"]
    status = json.loads(run(*run_as, "status", "--json").stdout)
    assert status["transcripts"] == 1
    codings = run(*run_as, "export", "codings", "--format", "json")
    assert json.loads(codings.stdout) == []
    again = run(*run_as, "import", str(first))
    assert "already imported" in again.output and "restore" in again.output
    assert "deleted" in run(*run_as, "transcript", "restore").output

    assert run(*run_as, "transcript", "restore", "a").exit_code == 0
    assert [t["title"] for t in exported(db)] == ["a", "b"]
    assert len(json.loads(run(*run_as, "export", "codings", "--format", "json").stdout)) == 1
    kinds = log_kinds(run_as)
    assert "transcript.delete" in kinds and "transcript.restore" in kinds
    study.close()


def _turns(records: list[dict]) -> dict[str, list[tuple]]:
    return {r["title"]: [(t["speaker"], t["role"], t["start"], t["text"]) for t in r["turns"]] for r in records}


def test_txt_export_imports_again_to_the_same_turns_for_every_reader(tmp_path):
    """One file per reader, imported, exported as coder's text, imported into a new study."""
    files = tmp_path / "in"
    files.mkdir()
    for name, content in [("teams.vtt", TEAMS_VTT), ("teams2020.vtt", TEAMS_2020_VTT), ("zoom.vtt", ZOOM_VTT),
                          ("whisperx.vtt", WHISPERX_VTT), ("teams.txt", TEAMS_TEXT), ("otter.txt", OTTER),
                          ("noscribe.txt", NOSCRIBE_TEXT), ("noscribe.html", NOSCRIBE_HTML)]:
        write(files, name, content)
    word_file(files / "f4.docx", F4.split("\n"))
    word_file(files / "amberscript.docx", ["Interview 4", "Spreker 1 [00:00:03]", "Goedemorgen.",
                                           "Datum: dat weet ik niet meer.", "Spreker 2 [00:00:09]", "Goed."])
    (files / "coder.txt").write_text((Path(SHIPPED_CODEBOOK).parent.parent / "transcripts"
                                      / "01-po-basisschool-noord.txt").read_text(encoding="utf-8"), encoding="utf-8")
    first, second = tmp_path / "first.db", tmp_path / "second.db"
    assert run("--db", str(first), "import", str(files)).exit_code == 0
    out = tmp_path / "out"
    result = run("--db", str(first), "export", "transcripts", "--format", "txt", "-o", str(out))
    assert result.exit_code == 0, result.output
    assert len(list(out.iterdir())) == 11
    result = run("--db", str(second), "import", str(out))
    assert result.exit_code == 0, result.output

    before, after = _turns(exported(first)), _turns(exported(second))
    assert after.keys() == before.keys()
    for title, turns in before.items():
        # A line inside a turn that would read as a new turn comes back indented, nothing else differs.
        assert [(s, r, t, " ".join(x.split())) for s, r, t, x in after[title]] == \
               [(s, r, t, " ".join(x.split())) for s, r, t, x in turns], title
    assert before["amberscript"][0][3] == "Goedemorgen.\nDatum: dat weet ik niet meer."


async def test_the_coding_screen_shows_when_a_turn_starts(tmp_path):
    """The time of the turn under the cursor in the status line, and beside a longer turn's speaker."""
    from textual.widgets import Static

    from coder.tui.app import WorkbenchApp
    from coder.tui.pilot import drive
    from coder.tui.screens.coding import TranscriptOpened
    from coder.tui.screens.study import StudyRead
    from coder.tui.widgets.transcript_pane import TranscriptPane

    long_turn = "Ik werk hier nu drie jaar, en in die tijd is er veel veranderd in hoe we samenwerken. " * 2
    vtt = WHISPERX_VTT.replace("Dank je. Ik werk hier nu drie jaar.", long_turn.strip())
    db = tmp_path / "study.db"
    assert run("--db", str(db), "import", str(write(tmp_path, "gesprek.vtt", vtt))).exit_code == 0
    study = open_study(str(db), create=False)
    app = WorkbenchApp(study, "anna")
    async with drive(app, size=(100, 30)) as pilot:
        await pilot.wait_for(StudyRead)
        await pilot.press("enter", until=TranscriptOpened)
        pane = app.screen.query_one(TranscriptPane)
        status = app.screen.query_one("#coding-status", Static)
        assert "00:00:03" in str(status.render())
        await pilot.press("down")
        await pilot.pause()
        assert "00:00:05" in str(status.render())
        gutters = [pane.render_line(y).text.split("  ")[0].strip() for y in range(8)]
        second_turn = gutters.index("SPEAKER_01")
        assert gutters[second_turn + 1] == "00:00:05"  # the long turn's second line
        assert gutters[0] == "SPEAKER_00" and set(gutters[second_turn + 2 :]) == {""}
    study.close()


def test_deleting_hides_the_transcript_from_every_query_on_both_backends(study, tmp_path):
    """The core rule (not only the CLI): lists, counts, codings, agreement units and blind
    fragments leave out a deleted transcript; restoring brings back what it had."""
    from coder.codebook.codebook_file import read_codebook
    from coder.codebook.study_codebook import apply_codebook
    from coder.coding.queries import coding_records, study_status, transcript_overview
    from coder.coding.transcripts import delete_transcript, restore_transcript
    from coder.ingest.importer import import_transcripts
    from coder.stats.units import UnitFilter

    with study.session() as session:
        apply_codebook(session, read_codebook(SHIPPED_CODEBOOK), "anna")
    import_transcripts(study, [write(tmp_path, "a.vtt", WHISPERX_VTT), write(tmp_path, "b.vtt", TEAMS_VTT)], "anna")
    with study.session() as session:
        toggle_code(session, "anna", "interdependence", 1, 1, 1)
        toggle_code(session, "anna", "flexibility", 2, 0, 0)
    with study.session() as session:
        delete_transcript(session, "1", "anna", force=True)
        # the same transaction already sees it gone
        assert [row.id for row in transcript_overview(session)] == [2]
    with study.reader() as session:
        assert study_status(session).transcripts == 1
        assert [r.code_id for r in coding_records(session)] == ["flexibility"]
        assert UnitFilter().transcript_ids(session) == [2]
        assert session.get(Transcript, 1) is None
    with study.session() as session:
        restore_transcript(session, "1", "anna")
    with study.reader() as session:
        assert sorted(r.code_id for r in coding_records(session)) == ["flexibility", "interdependence"]
        assert [row.id for row in transcript_overview(session)] == [1, 2]


def test_a_file_of_more_turns_than_any_interview_is_refused_before_segmenting(tmp_path):
    from coder.ingest.formats.parsed import MAX_TURNS

    lines = [f"{'A' if i % 2 else 'B'}: ja." for i in range(MAX_TURNS + 1)]
    result = run("--db", str(tmp_path / "s.db"), "import", str(write(tmp_path, "veel.txt", "\n".join(lines))))
    assert result.exit_code == 1 and "100,001 speaker turns" in result.output and "split the file" in result.output


async def test_the_study_screen_corrects_metadata_renames_merges_and_deletes(tmp_path):
    from textual.widgets import DataTable, Input, Select

    from coder.codebook.codebook_file import read_codebook
    from coder.codebook.study_codebook import apply_codebook
    from coder.coding.transcripts import restore_transcript
    from coder.ingest.importer import import_transcripts
    from coder.tui.actions import ActionDone
    from coder.tui.app import WorkbenchApp
    from coder.tui.pilot import drive
    from coder.tui.screens.study import StudyRead
    from coder.tui.screens.transcript_form import TranscriptForm

    study = open_study(str(tmp_path / "s.db"))
    import_transcripts(study, [write(tmp_path, "gesprek.vtt", WHISPERX_VTT)], "anna")
    with study.session() as session:
        apply_codebook(session, read_codebook(SHIPPED_CODEBOOK), "anna")
    with study.session() as session:
        toggle_code(session, "anna", "interdependence", 1, 1, 1)
    app = WorkbenchApp(study, "anna")

    async def open_form(pilot) -> TranscriptForm:
        await pilot.press("E")
        return await pilot.until_screen(TranscriptForm)

    async with drive(app, size=(100, 30)) as pilot:
        await pilot.wait_for(StudyRead)
        table = app.screen.query_one("#transcripts", DataTable)
        form = await open_form(pilot)
        await pilot.press("ctrl+s")  # an untouched form writes nothing
        assert not isinstance(app.screen, TranscriptForm)
        form = await open_form(pilot)
        form.query_one("#form-title", Input).value = "Gesprek 1"
        form.query_one("#form-school_type", Select).value = "vo"
        form.query_one("#speaker-label-0", Input).value = "Interviewer"
        form.query_one("#speaker-role-0", Input).value = "interviewer"
        done = await pilot.press("ctrl+s", until=ActionDone)
        assert "set title, school_type" in done.result and "SPEAKER_00 renamed Interviewer" in done.result
        assert table.get_row_at(0)[0] == "Gesprek 1"

        form = await open_form(pilot)
        assert form.query_one("#form-title", Input).value == "Gesprek 1"
        form.query_one("#speaker-label-1", Input).value = "Interviewer"
        done = await pilot.press("ctrl+s", until=ActionDone)
        assert "SPEAKER_01 merged into Interviewer" in done.result

        await pilot.press("D", "n")
        assert table.row_count == 1
        done = await pilot.press("D", "y", until=ActionDone)
        assert "with its 1 codings" in done.result and "coder transcript restore 1" in done.result
        assert table.row_count == 0

    with study.session() as session:
        restored = restore_transcript(session, "1", "anna")
        assert (restored.title, restored.school_type) == ("Gesprek 1", "vo")
    [transcript] = exported(tmp_path / "s.db")
    assert transcript["participants"] == [{"label": "Interviewer", "role": "interviewer"}]
    assert [turn["speaker"] for turn in transcript["turns"]] == ["Interviewer"] * 3
    study.close()


def test_a_form_whose_renames_clash_is_refused_whole(tmp_path):
    from coder.coding.speakers import speaker_rows
    from coder.coding.transcripts import SpeakerEdit, correct_transcript
    from coder.errors import StudyError
    from coder.ingest.importer import import_transcripts

    study = open_study(str(tmp_path / "s.db"))
    import_transcripts(study, [write(tmp_path, "gesprek.vtt", WHISPERX_VTT)], "anna")
    swap = [SpeakerEdit("SPEAKER_00", "SPEAKER_01", ""), SpeakerEdit("SPEAKER_01", "SPEAKER_00", "")]
    with pytest.raises(StudyError, match="already has a speaker 'SPEAKER_01'"):
        with study.session() as session:
            correct_transcript(session, 1, "anna", {"title": "Nieuw"}, swap)
    with study.reader() as session:
        assert session.get(Transcript, 1).title == "gesprek"
        assert [row.label for row in speaker_rows(session)] == ["SPEAKER_00", "SPEAKER_01"]
    study.close()
