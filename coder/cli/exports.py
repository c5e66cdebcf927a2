"""`coder export`: codings, transcripts, the peer-debriefing summary and the whole study as a REFI-QDA project."""

from __future__ import annotations

import sys
from functools import partial
from pathlib import Path

import click

from coder.cli.context import Context, CoreChoice, coder_pair, pass_context, shared_options
from coder.storage.vocabulary import Pass


@click.group()
@shared_options()
def export() -> None:
    """Export from the study."""


@export.command("codings")
@click.option("--format", "fmt", type=CoreChoice("coder.report.codings_export:FORMATS"), default="csv", show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write to this file (default: standard output).")
@click.option("--bom", is_flag=True, help="Start the file with a UTF-8 byte-order mark, for Excel.")
@click.option("--coder", help="Only this coder's codings.")
@click.option("--pass", "pass_", type=click.Choice(tuple(Pass)), help="Only codings of this pass.")
@shared_options()
@pass_context
def export_codings(obj: Context, fmt: str, output: str | None, bom: bool, coder: str | None, pass_: str | None) -> None:
    """One row per coding: transcript, speaker, segments, offsets, code, theme, coder, pass, memo, text.

    In CSV, a text cell starting with =, +, -, @, a tab or a carriage return gets a
    leading ' so that a spreadsheet shows it instead of running it as a formula
    (OWASP's advice on CSV injection); JSON keeps every value as it is.
    """
    from coder.files import write_file
    from coder.report.codings_export import WRITERS, coding_rows

    with obj.reader() as session:
        rows = coding_rows(session, coder, pass_)
    write = partial(WRITERS[fmt], rows)
    if output:
        write_file(output, write, bom=bom)
        click.echo(f"{len(rows)} codings written to {output}", err=True)
    else:
        if bom:
            click.echo("\ufeff", nl=False)
        write(sys.stdout)


@export.command("transcripts")
@click.option("--format", "fmt", type=CoreChoice("coder.report.transcripts_export:FORMATS"), default="json",
              show_default=True)
@click.option("-o", "--output", type=click.Path(),
              help="Write to this file; for txt of several transcripts, this folder (default: standard output).")
@click.option("--transcript", metavar="ID_OR_TITLE", help="Only this transcript.")
@shared_options()
@pass_context
def export_transcripts(obj: Context, fmt: str, output: str | None, transcript: str | None) -> None:
    """The transcripts with their metadata, speakers, roles and turns (each with its start time).

    json is a list of transcripts for programs; txt is coder's own transcript format,
    which `coder import` reads again to the same turns: one transcript to a file or
    standard output, several to a folder (a file each).
    """
    from coder.files import write_file
    from coder.report.transcripts_export import WRITERS, file_name, transcript_records

    with obj.reader() as session:
        records = transcript_records(session, transcript)
    if fmt == "txt" and len(records) != 1:
        if not output:
            raise click.UsageError("txt holds one transcript a file: name a folder with -o, or one --transcript")
        folder = Path(output)
        folder.mkdir(parents=True, exist_ok=True)
        for record in records:
            write_file(folder / file_name(record), partial(WRITERS[fmt], [record]))
        click.echo(f"{len(records)} transcripts written to {folder}", err=True)
    elif output:
        write_file(output, partial(WRITERS[fmt], records))
        click.echo(f"{len(records)} transcript(s) written to {output}", err=True)
    else:
        WRITERS[fmt](records, sys.stdout)


@export.command("debrief")
@click.option("--format", "fmt", type=CoreChoice("coder.report.debrief_export:FORMATS"),
              help="md or html [default: from -o's suffix, else md].")
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write to this file (default: standard output).")
@click.option("--level", type=CoreChoice("coder.stats.units:LEVELS"), default="theme", show_default=True,
              help="Agreement per theme (core elements count as their theme) or per code.")
@click.option("--lang", type=CoreChoice("coder.report.debrief_text:LANGUAGES"), default="en", show_default=True,
              help="Language of the labels.")
@click.option("--coders", metavar="A,B", help="The coder pair (default: the pair with assignments).")
@shared_options()
@pass_context
def export_debrief(obj: Context, fmt: str | None, output: str | None, level: str, lang: str,
                   coders: str | None) -> None:
    """The peer-debriefing summary: study at a glance, agreement, themes per school type,
    quotes, what was disputed and how it was decided, flagged memos and open questions.

    Tags in memos and notes bring them in: #debrief, #question, and #exemplary for a
    fragment to quote first.
    """
    from coder.report.debrief_export import debrief_document, format_for, write_debrief

    fmt = fmt or (format_for(output) if output else "md")
    with obj.reader() as session:
        document = debrief_document(session, fmt, level, lang, coder_pair(coders))
    if output:
        write_debrief(output, document)
        click.echo(f"wrote the {fmt} summary to {output}", err=True)
    else:
        click.echo(document, nl=False)


@export.command("qdpx")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False), help="The .qdpx file to write.")
@shared_options()
@pass_context
def export_qdpx_command(obj: Context, output: str) -> None:
    """The whole study as a REFI-QDA project, for ATLAS.ti, MAXQDA, NVivo and QualCoder."""
    from coder.exchange.project_export import export_qdpx

    with obj.reader() as session:
        summary = export_qdpx(session, output)
    click.echo(f"{output}: {summary.sources} sources, {summary.selections} coded selections, "
               f"{summary.users} users, {summary.notes} memos")
