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
