"""`coder agreement`: Cohen's kappa and friends, from the study or from a ratings file (DESIGN §4)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import click

from coder.cli.context import Context, CoreChoice, coder_pair, pass_context, shared_options
from coder.storage.vocabulary import SCHOOL_TYPES

if TYPE_CHECKING:
    from coder.stats.agreement import Report


@click.command("agreement")
@click.option("--ratings", "ratings_path", type=click.Path(dir_okay=False),
              help="Compute from a CSV file with header unit,coder,code instead of the study.")
@click.option("--json", "as_json", is_flag=True, help="Print the DESIGN §4 JSON instead of a table.")
@click.option("--mode", type=CoreChoice("coder.stats.units:MODES"), default="fragments", show_default=True,
              help="Units: coder A's fragments (blind second coding) or every segment (full double coding).")
@click.option("--level", type=CoreChoice("coder.stats.units:LEVELS"), default="theme", show_default=True,
              help="Count core elements as their theme, or every code on its own.")
@click.option("--coders", metavar="A,B", help="The coder pair (default: the pair with assignments, else the study's two coders).")
@click.option("--transcript", "transcripts", multiple=True, metavar="ID_OR_TITLE", help="Only these transcripts.")
@click.option("--school-type", "school_types", multiple=True, type=click.Choice(SCHOOL_TYPES),
              help="Only transcripts of these school types.")
@shared_options()
@pass_context
def agreement_command(obj: Context, ratings_path, as_json, mode, level, coders, transcripts, school_types) -> None:
    """Cohen's kappa per code and overall, with PABAK, Gwet's AC1 and Krippendorff's alpha."""
    from coder.stats.agreement import agreement, report_json
    from coder.stats.ratings_file import read_ratings
    from coder.stats.units import UnitFilter, study_ratings

    if ratings_path:
        ratings, level = read_ratings(ratings_path), "code"
    else:
        with obj.session() as session:
            ratings = study_ratings(session, mode, level, coder_pair(coders), UnitFilter(transcripts, school_types))
    report = agreement(ratings, level)
    if as_json:
        click.echo(json.dumps(report_json(report), indent=2, allow_nan=False))
    else:
        click.echo(format_agreement(report))


def _number(value: float | None, digits: int = 2) -> str:
    return "—" if value is None else f"{value:.{digits}f}"


def format_agreement(report: Report) -> str:
    """The readable table of `coder agreement`."""
    a, b = report.coders
    lines = [
        f"{a} vs {b}: {report.units} units ({report.left_out()}: left out); "
        f"level {report.level}",
        "",
        f"{'code':<28} {'n':>5} {'A yes':>6} {'B yes':>6} {'both':>5} {'obs.':>5} {'kappa':>6}  "
        f"{'95% interval':<16} band",
    ]
    notes = []
    for code, stats in report.codes.items():
        interval = f"[{_number(stats.ci95[0])}, {_number(stats.ci95[1])}]" if stats.ci95 else "—"
        lines.append(
            f"{code[:28]:<28} {stats.n:>5} {stats.a_yes:>6} {stats.b_yes:>6} {stats.both:>5} "
            f"{_number(stats.observed):>5} {_number(stats.kappa):>6}  {interval:<16} {stats.band or '—'}"
        )
        if stats.reason:
            notes.append(f"{code}: {stats.reason}")
    overall = report.overall
    interval = f"[{_number(overall.ci95[0])}, {_number(overall.ci95[1])}]" if overall.ci95 else "—"
    label = "overall (Cohen)" if report.method == "cohen" else "overall (pooled)"
    lines += [
        f"{label:<28} {report.units:>5} {'':>6} {'':>6} {'':>5} {_number(overall.observed):>5} "
        f"{_number(overall.kappa):>6}  {interval:<16} {overall.band or '—'}",
        "",
        f"mean of per-code kappas {_number(report.mean_kappa)} · PABAK {_number(overall.pabak)} · "
        f"AC1 {_number(overall.ac1)} · Krippendorff's alpha {_number(overall.alpha)}",
    ]
    if report.method == "pooled":
        lines.append("pooled kappa (De Vries et al. 2008); its interval is a seeded bootstrap over units")
    if overall.reason:
        notes.append(f"overall: {overall.reason}")
    return "\n".join(lines + [""] + notes if notes else lines)
