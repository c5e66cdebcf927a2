"""Commands about the study itself: create it, show what it holds, set its roles, migrate it."""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import TYPE_CHECKING

import click

from coder.cli.codebook import load_codebook
from coder.cli.context import Context, pass_context, shared_options

if TYPE_CHECKING:
    from coder.coding.queries import StudyStatus
    from coder.coding.review import PairProgress


@click.command()
@click.option("--codebook", "codebook_path", type=click.Path(dir_okay=False), help="Load this codebook into the new study.")
@shared_options()
@pass_context
def init(obj: Context, codebook_path: str | None) -> None:
    """Create a study (or check that an existing one opens)."""
    from coder.storage.migrations import SCHEMA_VERSION

    with obj.study(create=True) as study:
        if codebook_path:
            load_codebook(study, codebook_path, obj.actor, retire=False)
        click.echo(f"Study {study.target} is ready (schema version {SCHEMA_VERSION}).")


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print the counts as JSON.")
@shared_options()
@pass_context
def status(obj: Context, as_json: bool) -> None:
    """Show what the study holds: transcripts, segments, codings per coder and pass,
    and whether it is read-only for you."""
    from coder.coding.queries import study_status
    from coder.coding.review import pair_progress
    from coder.storage.database import resolve_target
    from coder.storage.settings import pseudonym_key

    with obj.study() as opened, opened.reader(viewer=obj.actor) as session:
        counts = study_status(session)
        pairs = pair_progress(session)
        key = pseudonym_key(session)
    if as_json:
        click.echo(json.dumps(asdict(counts) | {"second_coding": [asdict(p) for p in pairs],
                                                "read_only": opened.read_only, "pseudonym_key_sha256": key,
                                                "team_role": opened.identity}, indent=2))
    else:
        click.echo(format_status(resolve_target(obj.db), counts, pairs, opened.read_only, key, opened.identity))


def format_status(target: str, counts: StudyStatus, pairs: list[PairProgress], read_only: str | None = None,
                  key: str | None = None, team_role: str | None = None) -> str:
    """The human-readable form of `coder status`; `read_only` is why the user may not write the study,
    `key` the hash of its pseudonym key, `team_role` who a team study's connection acts as."""
    types = ", ".join(f"{k} {v}" for k, v in counts.transcripts_by_school_type.items()) or "none"
    roles = ", ".join(f"{k} {v}" for k, v in counts.participants_by_role.items()) or "none"
    lines = [
        f"study        {target}",
        *([f"access       read-only for you ({read_only})"] if read_only else []),
        *([f"team         you act as {team_role} (team mode: the server enforces blind coding)"] if team_role else []),
        *([f"privacy      pseudonymised with the key {key[:12]}… (coder pseudonymise check KEY.csv)"] if key else []),
        f"transcripts  {counts.transcripts} ({types})",
        f"participants {roles}",
        f"segments     {counts.segments} ({counts.words} words)",
        f"codes        {counts.codes}",
        *([f"attributes   {', '.join(f'{k} ({v})' for k, v in counts.attributes.items())}"] if counts.attributes else []),
    ]
    if counts.codings:
        lines.append("codings      coder            pass        codings")
        lines += [f"             {c.coder:<16} {c.pass_:<11} {c.codings:>7}" for c in counts.codings]
    else:
        lines.append("codings      none yet")
    for p in pairs:
        lines.append(f"blind pass   {p.second_coder} codes {p.first_coder}'s fragments: {p.assigned} assigned, "
                     f"{p.finished} finished, {p.revealed} revealed, {p.pending} to go; {p.decided} decided in review")
    return "\n".join(lines)


@click.command("roles")
@click.option("--uncodable", metavar="ROLE,ROLE", help="Set the participant roles whose turns cannot be coded ('' for none).")
@shared_options()
@pass_context
def roles_command(obj: Context, uncodable: str | None) -> None:
    """Show (or set) which participant roles' turns are shown but not coded."""
    from coder.storage.settings import set_uncodable_roles, uncodable_roles

    with obj.session() as session:
        if uncodable is not None:
            set_uncodable_roles(session, uncodable.split(","), obj.actor)
        roles = sorted(uncodable_roles(session))
    click.echo(f"turns not coded: {', '.join(roles) if roles else 'none (every turn can be coded)'}")


@click.command("migrate")
@shared_options()
@pass_context
def migrate_command(obj: Context) -> None:
    """Bring the study to this coder's schema version; a SQLite file is first copied beside itself.

    A shared PostgreSQL study is migrated only by this command, never by whoever
    opens it first: its owner runs it once, when everyone has updated coder.
    """
    from coder.storage.database import migrate_study

    upgrade = migrate_study(obj.db)
    if upgrade.before == upgrade.after:
        click.echo(f"Study {upgrade.target} is at schema version {upgrade.after}; nothing to migrate.")
        return
    kept = f"; the file as it was is kept as {upgrade.backup}" if upgrade.backup else ""
    click.echo(f"Study {upgrade.target} migrated from schema version {upgrade.before} to {upgrade.after}{kept}.")
