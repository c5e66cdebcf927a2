"""`coder team`: share a PostgreSQL study with a team whose server enforces blind coding."""

from __future__ import annotations

from pathlib import Path

import click

from coder.cli.context import Context, pass_context, shared_options


@click.group("team")
@shared_options()
def team() -> None:
    """Team mode for a study in PostgreSQL: one database role per coder, and blindness that
    the server enforces (row-level security), not only coder.

    The study's owner (the role that created it with `coder init`, and that may create
    roles) runs `team init` once, then `team add` for each coder.
    """


@team.command("init")
@shared_options()
@pass_context
def init_command(obj: Context) -> None:
    """Install the coders' group role, grants and row-level security (again after `coder migrate`)."""
    from coder.storage.team import install

    with obj.study() as opened:
        group = install(opened.engine)
    click.echo(f"team mode is on: coders are members of the role {group}; add them with `coder team add NAME`")


@team.command("add")
@click.argument("name")
@click.option("--password-file", type=click.Path(exists=True, dir_okay=False),
              help="Set the coder's password from this file's first line (keep it out of your shell history).")
@shared_options()
@pass_context
def add_command(obj: Context, name: str, password_file: str | None) -> None:
    """Create a login role for coder NAME and print the URL to hand them."""
    from coder.storage.team import add_member

    password = Path(password_file).read_text(encoding="utf-8").splitlines()[0].strip() if password_file else None
    with obj.study() as opened:
        add_member(opened.engine, name, password)
        url = opened.engine.url.set(username=name, password=None).render_as_string(hide_password=True)
    click.echo(f"added {name}; they connect with: coder --db {url}")


@team.command("list")
@shared_options()
@pass_context
def list_command(obj: Context) -> None:
    """The coders in the team, and whether they can still log in."""
    from coder.storage.team import members

    with obj.study() as opened:
        found = members(opened.engine)
    for member in found:
        click.echo(f"{member.name:<32} {'can log in' if member.can_log_in else 'removed'}")
    if not found:
        click.echo("no coders yet: add them with `coder team add NAME`")


@team.command("remove")
@click.argument("name")
@shared_options()
@pass_context
def remove_command(obj: Context, name: str) -> None:
    """Take NAME's login away; their codings and audit entries stay in the study."""
    from coder.storage.team import remove_member

    with obj.study() as opened:
        remove_member(opened.engine, name)
    click.echo(f"removed {name}: they can no longer log in; their work stays")
