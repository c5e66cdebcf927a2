"""`coder transcript` and `coder speakers`: correcting transcripts and their speakers after import.

Each command is one transaction with its audit entry; codings stay on their transcript
through every change, and a deleted transcript can be restored with all of them.
"""

from __future__ import annotations

import click

from coder.cli.context import Context, pass_context, shared_options


@click.group("transcript")
@shared_options()
def transcript() -> None:
    """Correct a transcript after import: its title and metadata, delete or restore it.

    TRANSCRIPT is an id or a title, as `coder status` and `coder speakers` list them.
    """


@transcript.command("rename")
@click.argument("name", metavar="TRANSCRIPT")
@click.argument("title")
@shared_options()
@pass_context
def rename_command(obj: Context, name: str, title: str) -> None:
    """Give TRANSCRIPT a new TITLE."""
    _change(obj, name, {"title": title})


@transcript.command("set")
@click.argument("name", metavar="TRANSCRIPT")
@click.option("--title", help="The title.")
@click.option("--school", help="The school (a pseudonym); '' clears it.")
@click.option("--school-type", help="The school type (po, sbo, so, vso, vo, mbo); '' clears it.")
@click.option("--date", help="The interview's date (YYYY-MM-DD); '' clears it.")
@shared_options()
@pass_context
def set_command(obj: Context, name: str, **values: str | None) -> None:
    """Set TRANSCRIPT's metadata: title, school, school type, date."""
    changes = {column: value for column, value in values.items() if value is not None}
    if not changes:
        raise click.UsageError("name what to set: --title, --school, --school-type or --date")
    _change(obj, name, changes)


def _change(obj: Context, name: str, changes: dict[str, str | None]) -> None:
    from coder.coding.transcripts import change_transcript

    with obj.session() as session:
        correction = change_transcript(session, name, obj.actor, changes)
    for column, value in correction.after.items():
        click.echo(f"transcript {correction.transcript_id}: {column} '{correction.before[column] or ''}' → '{value or ''}'")


@transcript.command("delete")
@click.argument("name", metavar="TRANSCRIPT")
@click.option("--force", is_flag=True, help="Delete it even though it has codings.")
@shared_options()
@pass_context
def delete_command(obj: Context, name: str, force: bool) -> None:
    """Take TRANSCRIPT out of the study: out of every list, statistic, summary and export.

    The deletion is soft: the transcript and its codings stay in the study, and
    `coder transcript restore` brings them back. A transcript with codings needs --force.
    """
    from coder.coding.transcripts import delete_transcript

    with obj.session() as session:
        deleted = delete_transcript(session, name, obj.actor, force=force)
    coded = f" with its {deleted.codings} codings" if deleted.codings else ""
    click.echo(f"deleted '{deleted.title}'{coded}; `coder transcript restore` brings it back")


@transcript.command("restore")
@click.argument("name", metavar="TRANSCRIPT", required=False)
@shared_options()
@pass_context
def restore_command(obj: Context, name: str | None) -> None:
    """Bring a deleted TRANSCRIPT back with its codings; without one, list the deleted."""
    from coder.coding.transcripts import deleted_transcripts, restore_transcript

    with obj.session() as session:
        if name is None:
            deleted = deleted_transcripts(session)
            for row in deleted:
                click.echo(f"{row.id:>5}  {row.title}  (deleted {row.deleted_at:%Y-%m-%d %H:%M})")
            if not deleted:
                click.echo("no transcript is deleted")
            return
        restored = restore_transcript(session, name, obj.actor)
    click.echo(f"restored {restored.id} '{restored.title}'")


@click.group("speakers", invoke_without_command=True)
@click.option("--transcript", "name", metavar="TRANSCRIPT", help="Only this transcript (id or title).")
@shared_options()
@pass_context
@click.pass_context
def speakers(ctx: click.Context, obj: Context, name: str | None) -> None:
    """List the speakers of every transcript (or one) with their roles and turns;
    rename, merge or give roles with the subcommands."""
    ctx.meta["transcript"] = name
    if ctx.invoked_subcommand is not None:
        return
    from coder.coding.speakers import speaker_rows

    with obj.reader() as session:
        rows = speaker_rows(session, name)
    for row in rows:
        click.echo(f"{row.transcript_id:>5}  {row.title[:30]:<30}  {row.label:<28} {row.role or '-':<18} {row.turns:>5} turns")
    if not rows:
        click.echo("no speakers (import transcripts first)")


def _where(ctx: click.Context, name: str | None) -> str | None:
    """The transcript a subcommand is for: its own --transcript, else the group's."""
    return name if name is not None else ctx.meta.get("transcript")


_transcript_option = click.option("--transcript", "name", metavar="TRANSCRIPT",
                                  help="Only in this transcript (default: every transcript with that speaker).")


@speakers.command("rename")
@click.argument("old")
@click.argument("new")
@_transcript_option
@shared_options()
@pass_context
@click.pass_context
def rename_speaker_command(ctx: click.Context, obj: Context, old: str, new: str, name: str | None) -> None:
    """Rename speaker OLD to NEW (e.g. SPEAKER_00 to Interviewer), in every transcript or one."""
    from coder.coding.speakers import rename_speaker

    with obj.session() as session:
        changed = rename_speaker(session, old, new, obj.actor, _where(ctx, name))
    click.echo(f"renamed '{old}' to '{new}' in {changed} transcript(s)")


@speakers.command("role")
@click.argument("label")
@click.argument("role")
@_transcript_option
@shared_options()
@pass_context
@click.pass_context
def role_command(ctx: click.Context, obj: Context, label: str, role: str, name: str | None) -> None:
    """Give speaker LABEL the ROLE (interviewer, teacher, ...; '' for none), in every transcript or one.

    Interviewer turns are shown but not coded, and never count in agreement.
    """
    from coder.coding.speakers import set_role

    with obj.session() as session:
        changed = set_role(session, label, role, obj.actor, _where(ctx, name))
    click.echo(f"'{label}' is {role or 'without a role'} in {changed} more transcript(s)")


@speakers.command("merge")
@click.argument("source")
@click.argument("into")
@click.option("--transcript", "name", metavar="TRANSCRIPT", help="The transcript (id or title); required.")
@shared_options()
@pass_context
@click.pass_context
def merge_command(ctx: click.Context, obj: Context, source: str, into: str, name: str | None) -> None:
    """Give every turn of speaker SOURCE to speaker INTO in one transcript (one person heard as two)."""
    from coder.coding.speakers import merge_speakers

    where = _where(ctx, name)
    if where is None:
        raise click.UsageError("merge works in one transcript: add --transcript ID_OR_TITLE")
    with obj.session() as session:
        moved = merge_speakers(session, source, into, obj.actor, where)
    click.echo(f"merged '{source}' into '{into}': {moved} turn(s) moved")
