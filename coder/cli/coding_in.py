"""`coder code FILE.csv`: apply codings from a file as the acting coder (DESIGN §5, "Codings in")."""

from __future__ import annotations

import click

from coder.cli.context import Context, pass_context, shared_options


@click.command("code")
@click.argument("path", type=click.Path(dir_okay=False))
@shared_options()
@pass_context
def code_command(obj: Context, path: str) -> None:
    """Apply the codings in a CSV file as your own, all of them or none.

    The header is transcript,first,last,code and optionally memo: a transcript title or id,
    the first and last segment as the screens number them (from 1), a code id or name.
    A bad row names its line and nothing is stored. Needs --as (or CODER_USER).
    """
    from coder.coding.codings_in import apply_codings, read_codings

    lines = read_codings(path)
    with obj.study() as opened:  # in team mode, the connection says who is coding
        if not obj.user:
            raise click.UsageError("say who is coding: --as NAME (or set CODER_USER)")
        with opened.session(viewer=obj.user) as session:
            count = apply_codings(session, obj.user, lines, path)
    click.echo(f"Applied {count} codings as {obj.user}.")
