"""`coder demo`: a fresh demo study, opened in the workbench."""

from __future__ import annotations

import click

from coder.cli.context import Context, open_workbench, pass_context, shared_options
from coder.cli.imports import progress
from coder.cli.study import format_status


@click.command()
@click.option("--no-tui", is_flag=True, help="Build the demo study and print its status instead of opening it.")
@click.option("--uncoded", is_flag=True, help="Leave out the demo coders' work: interviews and codebook only.")
@shared_options()
@pass_context
def demo(obj: Context, no_tui: bool, uncoded: bool) -> None:
    """Build a fresh demo study (shipped codebook and interviews) and open it.

    Two demo researchers, marieke (first coder) and sander (blind second coder
    and reviewer), have coded two of the interviews: press a for their agreement,
    v for their review. The demo lives in ./demo.db unless --db names another
    file; an earlier demo there is replaced, anything else is left alone. You code
    as --as NAME, or as "demo" when no name is given.
    """
    from coder.coding.queries import study_status
    from coder.coding.review import pair_progress
    from coder.demo.demo_study import DEMO_CODER, DEMO_DB, build_demo

    study = build_demo(obj.db or DEMO_DB, progress=progress, coded=not uncoded)
    if no_tui:
        with study.reader() as session:
            click.echo(format_status(study.target, study_status(session), pair_progress(session)))
        study.close()
        return
    open_workbench(study, obj.user or DEMO_CODER)
