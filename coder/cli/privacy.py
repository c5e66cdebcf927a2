"""Privacy (DESIGN §7): `coder pseudonymise` (suggest a key, check a study against one) and `coder purge`."""

from __future__ import annotations

import click

from coder.cli.context import Context, pass_context, shared_options


@click.command("purge")
@click.option("--transcript", required=True, metavar="ID_OR_TITLE", help="The transcript to purge.")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@shared_options()
@pass_context
def purge_command(obj: Context, transcript: str, yes: bool) -> None:
    """Purge a transcript for a participant who withdraws: it goes with everything on it.

    Its segments, turns, participants, the codings of every pass with their memos, the
    assignments, review decisions and its audit entries are deleted, and the study file is
    rewritten so that its text is in no byte of it (nor of its write-ahead log). The audit log
    keeps that you purged it, when, its id and how much went; agreement and the summary simply
    no longer include it. This is the one thing coder does that cannot be undone: everything
    else keeps what it replaces.
    """
    from coder.storage.purge import plan_purge, purge_transcript

    with obj.study() as study:
        plan = plan_purge(study, transcript)
        counts = plan.counts
        click.echo(f"Transcript {plan.transcript} '{plan.title}': {counts.segments} segments, {counts.codings} codings "
                   f"({counts.memos} with a memo), {counts.assignments} assignments, {counts.decisions} decisions, "
                   f"{counts.audit_entries} audit entries.")
        if not yes:
            click.confirm("Purge it for good? This cannot be undone", abort=True)
        report = purge_transcript(study, plan.transcript, obj.actor)
    click.echo(f"purged    transcript {plan.transcript}")
    if not report.compacted:
        click.echo("warning   another program has the study open, so the file could not yet be rewritten: the "
                   "purged text is zeroed but the write-ahead log may hold it until every coder on the study "
                   "closes it", err=True)
    for backup in report.backups:
        click.echo(f"warning   {backup} is an older copy of the study that still holds the transcript: "
                   "delete it if you no longer need it", err=True)
    click.echo("Exports made before the purge still hold the transcript; delete them too.")


@click.group("pseudonymise")
@shared_options()
def pseudonymise() -> None:
    """Pseudonymise interviews: suggest a key of names to replace, check a study against a key.

    Then import with `coder import --pseudonymise KEY.csv FILES`. Keep the key outside the study.
    """


@pseudonymise.command("suggest")
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option("-o", "--output", type=click.Path(dir_okay=False), metavar="KEY.csv",
              help="Write the candidates as a key file (name,pseudonym) to edit; an existing file is kept.")
@click.option("--finder", type=click.Choice(("auto", "builtin", "deduce")), default="auto", show_default=True,
              help="deduce (the 'deidentify' extra) when installed, else the built-in finder.")
@shared_options()
def suggest_command(paths: tuple[str, ...], output: str | None, finder: str) -> None:
    """List candidate names in transcripts (people, schools, places, e-mail, phone numbers, dates)
    with how often they occur and a context, and propose a pseudonym for each.

    Reads every format `coder import` reads. With deduce installed (pip install
    'coder-qda[deidentify]') it finds names with deduce's Dutch lookup lists, built once into
    your cache folder; the built-in finder misses names it cannot see (written in lower case, or
    only ever at the start of a sentence). Either way, read the transcripts and complete the key.
    """
    from pathlib import Path

    from coder.ingest import deduce_finder
    from coder.ingest.importer import expand_paths
    from coder.ingest.name_finder import builtin_names, suggest
    from coder.ingest.pseudonymise import write_key
    from coder.ingest.transcript_formats import read_transcript

    if output and Path(output).exists():
        raise click.BadParameter(f"{output} exists: edit it, or name another file", param_hint="-o")
    if finder == "deduce" and not deduce_finder.available():
        raise click.BadParameter("deduce is not installed: pip install 'coder-qda[deidentify]'", param_hint="--finder")
    use_deduce = finder == "deduce" or (finder == "auto" and deduce_finder.available())
    find = deduce_finder.deduce_finder(lambda line: click.echo(line, err=True)) if use_deduce else builtin_names
    candidates = suggest((read_transcript(path) for path in expand_paths(paths).files), find)
    for c in candidates:
        click.echo(f"{c.kind:<11} {c.count:>4}  {c.name} → {c.pseudonym}    …{c.context}…")
    if output:
        write_key(output, ((c.name, c.pseudonym) for c in candidates))
        click.echo(f"{len(candidates)} candidates written to {output}: check every row, add what is missing, "
                   "then coder import --pseudonymise " + output, err=True)
    else:
        click.echo(f"{len(candidates)} candidates; write them to a key file with -o KEY.csv", err=True)


@pseudonymise.command("check")
@click.argument("key_file", metavar="KEY.csv", type=click.Path(dir_okay=False))
@click.argument("exports", nargs=-1, type=click.Path(dir_okay=False, exists=True))
@shared_options()
@pass_context
def check_command(obj: Context, key_file: str, exports: tuple[str, ...]) -> None:
    """Report every name of the key still found in the study (its tables and, for a SQLite study,
    every byte of its file, log and backups) and in the export files given. Exits with status 1
    when one is found."""
    from coder.ingest.key_check import check_files, check_study, study_files
    from coder.ingest.pseudonymise import read_key
    from coder.storage.database import sqlite_path

    key = read_key(key_file)
    with obj.study() as study, study.reader() as session:
        found = check_study(session, key)
    path = sqlite_path(study.target)
    found += check_files([*(study_files(path) if path is not None else ()), *exports], key)
    for finding in found:
        click.echo(f"found     '{finding.name}' in {finding.where}: …{finding.context}…")
    if found:
        click.echo(f"{len(found)} occurrences of names of {key_file}", err=True)
        raise SystemExit(1)
    click.echo(f"no name of {key_file} in the study{' or the exports' if exports else ''}")
