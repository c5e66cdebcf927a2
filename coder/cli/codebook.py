"""`coder codebook`: load a codebook into the study, export the study's codebook."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

import click

from coder.cli.context import Context, pass_context, shared_options

if TYPE_CHECKING:
    from coder.codebook.codebook_file import Codebook
    from coder.storage.database import Study


@click.group()
@shared_options()
def codebook() -> None:
    """Manage the study's codebook."""


@codebook.command("load")
@click.argument("path", type=click.Path())
@click.option("--retire", is_flag=True, help="Retire codes that the file drops even if codings use them (the codings are kept).")
@shared_options()
@pass_context
def codebook_load(obj: Context, path: str, retire: bool) -> None:
    """Load a codebook (YAML or REFI-QDA .qdc) into the study; codes are matched by id, codings kept."""
    with obj.study() as study:
        load_codebook(study, path, obj.actor, retire=retire)


@codebook.command("export")
@click.option("--format", "fmt", type=click.Choice(("qdc", "yaml")), default="qdc", show_default=True,
              help="REFI-QDA codebook (for ATLAS.ti, MAXQDA, NVivo, QualCoder) or coder's YAML.")
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write to this file (default: standard output).")
@shared_options()
@pass_context
def codebook_export(obj: Context, fmt: str, output: str | None) -> None:
    """Export the study's codebook; definitions, criteria and examples travel along."""
    from coder.codebook.codebook_file import codes_to_yaml
    from coder.codebook.study_codebook import active_codes
    from coder.exchange.refi_codebook import codebook_to_qdc
    from coder.files import write_file

    with obj.reader() as session:
        codes = active_codes(session)
    if fmt == "qdc":
        data = codebook_to_qdc(codes)
    else:
        data = codes_to_yaml(codes).encode("utf-8")
    if output:
        write_file(output, lambda stream: stream.write(data.decode("utf-8")))
        click.echo(f"{len(codes)} codes written to {output}", err=True)
    else:
        sys.stdout.write(data.decode("utf-8"))


def _read_codebook(path: str) -> Codebook:
    """A codebook file by its kind: REFI-QDA `.qdc`, else coder's YAML."""
    from coder.codebook.codebook_file import read_codebook
    from coder.exchange.refi_codebook import read_qdc

    return read_qdc(path) if path.lower().endswith(".qdc") else read_codebook(path)


def load_codebook(study: Study, path: str, actor: str, *, retire: bool) -> None:
    """Apply a codebook file to the study and say what changed (`codebook load`, `init --codebook`)."""
    from coder.codebook.study_codebook import apply_codebook

    parsed = _read_codebook(path)
    with study.session() as session:
        change = apply_codebook(session, parsed, actor, retire_in_use=retire)
    click.echo(
        f"codebook '{parsed.title}': {len(change.added)} added, {len(change.updated)} updated, "
        f"{len(change.retired)} retired, {len(change.unchanged)} unchanged."
    )
