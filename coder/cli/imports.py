"""`coder import`: transcripts, or a REFI-QDA project, into the study (creating it if need be)."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

import click

from coder.cli.context import Context, pass_context, shared_options
from coder.storage.vocabulary import SCHOOL_TYPES

if TYPE_CHECKING:
    from coder.ingest.importer import Overrides
    from coder.ingest.pseudonymise import PseudonymKey


@click.command("import")
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option("--school-type", type=click.Choice(SCHOOL_TYPES),
              help="Set the school type of every file imported.")
@click.option("--school", help="Set the school (pseudonym) of every file imported.")
@click.option("--speaker", "speaker_names", multiple=True, metavar="LABEL=NAME",
              help='Rename a speaker as the file names them (e.g. "SPEAKER_00=Interviewer"); repeatable.')
@click.option("--role", "roles", multiple=True, metavar="LABEL=ROLE",
              help='Give a speaker a role (e.g. "Eva de Vries=interviewer"); repeatable.')
@click.option("--dry-run", is_flag=True, help="Show per file the format, speakers and first turns; store nothing.")
@click.option("--pseudonymise", "key_file", type=click.Path(dir_okay=False), metavar="KEY.csv",
              help="Replace every name in the key (name,pseudonym) before anything is stored.")
@click.option("--force", is_flag=True, help="Import with another key (or none) than the study's transcripts had.")
@shared_options()
@pass_context
def import_command(obj: Context, paths: tuple[str, ...], school_type: str | None, school: str | None,
                   speaker_names: tuple[str, ...], roles: tuple[str, ...], dry_run: bool, key_file: str | None,
                   force: bool) -> None:
    """Import transcripts, or folders of them, or a REFI-QDA project (.qdpx).

    Reads coder's own text format (.txt/.md/.docx with LABEL: turns) and what transcription
    tools write: WebVTT and SRT (Teams, Zoom, noScribe, WhisperX), Teams and Zoom text,
    Otter, noScribe HTML, WhisperX JSON, Amberscript-style Word files and f4/f5; the format
    is chosen by content. All files go in together or none does. A file already in the
    study is skipped, as are hidden and temporary files (~$*, .*) in a folder.
    Metadata for files that cannot hold front matter (.vtt, .srt, .json) come from a
    sidecar beside them: interview.yaml with the front matter's keys (title, school,
    school_type, date, participants with label and role).
    A .qdpx brings its codebook, sources, codings (its users become coders) and memos.
    """
    from coder.ingest.adjust import parse_assignments
    from coder.ingest.importer import Overrides, import_transcripts
    from coder.ingest.pseudonymise import read_key

    try:
        overrides = Overrides(school=school, school_type=school_type,
                              speakers=parse_assignments(speaker_names, "--speaker"),
                              roles=parse_assignments(roles, "--role"))
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None
    key = read_key(key_file) if key_file else None
    if dry_run:
        _preview(paths, overrides, key)
        return

    projects = [p for p in paths if p.lower().endswith(".qdpx")]
    if projects:
        if len(projects) != len(paths):
            raise click.BadParameter("import a .qdpx project on its own, not with transcripts", param_hint="PATHS")
        if key_file:
            raise click.UsageError("--pseudonymise applies to transcript files, not to a .qdpx project: "
                                   "export its sources as transcripts from the other tool and import those")
        _import_projects(obj, projects)
        return
    with obj.study(create=True) as study:
        report = import_transcripts(
            study, paths, obj.actor, overrides, progress, key, force
        )
    for title, segments in report.imported:
        click.echo(f"imported  {title} ({segments} segments)")
    for summary in report.files:
        speakers = ", ".join(f"{s.label} ({s.turns} turns)" for s in summary.speakers)
        click.echo(f"          {summary.source}: {summary.format}; {speakers}")
    for source, reason in report.skipped:
        click.echo(f"skipped   {source}: {reason}")
    click.echo(f"{len(report.imported)} imported, {len(report.skipped)} skipped, {report.segments} segments.")


def _preview(paths: tuple[str, ...], overrides: Overrides, key: PseudonymKey | None) -> None:
    """What an import would read, file by file; nothing is stored and no study is opened."""
    from coder.ingest.preview import preview

    for file in preview(paths, overrides, key=key):
        click.echo(f"{file.source}: {file.format or 'cannot be read'}" + (f" · {file.title}" if file.title else ""))
        for speaker in file.speakers:
            role = f" ({speaker.role})" if speaker.role else ""
            click.echo(f"  speaker {speaker.label}{role}: {speaker.turns} turns, {speaker.words} words")
        for turn in file.first_turns:
            when = f"[{turn.start_time}] " if turn.start_time else ""
            click.echo(f"  {when}{turn.label}: {turn.text}")
        for problem in file.problems:
            click.echo(f"  problem: {problem}")


def _import_projects(obj: Context, paths: list[str]) -> None:
    """REFI-QDA projects, each all or nothing, with everything that had to be worked around."""
    from coder.exchange.project_import import import_qdpx

    with obj.study(create=True) as study:
        for path in paths:
            report = import_qdpx(study, path, obj.actor)
            click.echo(f"imported  {path}: {report.sources} sources, {report.codings} codings by "
                       f"{', '.join(sorted(report.coders)) or 'nobody'} (offsets in {report.offset_unit})")
            click.echo("\n".join(_project_table(report)))
            for warning in report.warnings:
                click.echo(f"warning   {warning}", err=True)


def _project_table(report) -> list[str]:
    """The import of one project as tables: per source, per coder, and the totals."""
    sources = [("source", "speakers", "offsets", "codings")] + [
        (s.name, s.speakers, s.offset_unit, str(s.codings)) for s in report.per_source]
    coders = [("coder", "codings")] + [(user, str(report.per_coder[user])) for user in report.users] + [
        (coder, str(count)) for coder, count in sorted(report.per_coder.items()) if coder not in report.users]
    totals = [("codes", "memos", "codings", "already there", "not placed"),
              (str(report.codes), str(report.memos), str(report.codings), str(report.already), str(report.not_placed))]
    return [line for table in (sources, coders, totals) if len(table) > 1 for line in _aligned(table)]


def _aligned(rows: list[tuple[str, ...]]) -> list[str]:
    """Rows (the first a header) as indented columns: text left, counts right."""
    columns = list(zip(*rows, strict=True))
    widths = [max(map(len, column)) for column in columns]
    counts = [all(cell.isdigit() for cell in column[1:]) for column in columns]
    return ["  " + "  ".join(cell.rjust(width) if count else cell.ljust(width)
                             for cell, width, count in zip(row, widths, counts, strict=True)).rstrip() for row in rows]


def progress(title: str, done: int, total: int) -> None:
    """One updating line on a terminal; one line per transcript in a log (import, demo)."""
    line = f"importing {done}/{total}: {title[:50]}"
    if sys.stderr.isatty():
        click.echo(f"\r{line:<72}", nl=done == total, err=True)
    else:
        click.echo(line, err=True)
