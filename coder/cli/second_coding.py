"""`coder assign`: hand coder A's fragments to coder B for blind second coding."""

from __future__ import annotations

import click

from coder.cli.context import Context, CoreChoice, pass_context, shared_options


def _fraction(value: str | None) -> float | None:
    """`20%`, `0.2` or `20` all mean a fifth."""
    if value is None:
        return None
    try:
        number = float(value.rstrip("%"))
    except ValueError:
        raise click.BadParameter(f"'{value}' is not a share such as 20% or 0.2", param_hint="--sample") from None
    return number / 100 if value.endswith("%") or number > 1 else number


@click.command("assign")
@click.option("--from", "from_coder", required=True, metavar="A", help="The coder whose fragments are handed on.")
@click.option("--to", "to_coder", required=True, metavar="B", help="The blind second coder.")
@click.option("--sample", metavar="SHARE", help="Only this share of A's fragments, e.g. 20% (default: all).")
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of the random sample (reproducible).")
@click.option("--stratify", type=CoreChoice("coder.coding.assignments:STRATA"), help="Draw the sample per school type.")
@shared_options()
@pass_context
def assign_command(obj: Context, from_coder: str, to_coder: str, sample: str | None, seed: int,
                   stratify: str | None) -> None:
    """Hand coder A's fragments (or a reproducible sample) to coder B for blind coding.

    Run again with a larger --sample to extend: B keeps every fragment already assigned.
    """
    from coder.coding.assignments import assign

    with obj.session() as session:
        result = assign(session, from_coder, to_coder, obj.actor, fraction=_fraction(sample), seed=seed,
                        stratify=stratify)
    for name, (total, before, added) in result.strata.items():
        click.echo(f"{name:<10} {added:>5} added, {before + added:>5} of {total} assigned")
    click.echo(f"{to_coder} now has {result.assigned} of {from_coder}'s fragments ({result.added} new).")
