"""`coder agreement`: kappa and friends, or agreement on the spans themselves (DESIGN §4).

From the study (`--mode fragments|segments|unitizing`), a ratings file (`--ratings`) or a
spans file (`--spans`). The figures are shown through `coder.stats.presentation`, as the
summary shows them; `--json` prints them as computed.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import TYPE_CHECKING

import click

from coder.cli.context import Context, CoreChoice, coder_pair, pass_context, shared_options
from coder.storage.vocabulary import SCHOOL_TYPES

if TYPE_CHECKING:
    from coder.stats.agreement import Report
    from coder.stats.study_spans import StudyUnitizing
    from coder.stats.units import ReviewCounts


def _name_values(_ctx, param, values: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    """`NAME=VALUE` options as (name, value) pairs."""
    pairs = tuple(tuple(part.strip() for part in value.split("=", 1)) for value in values)
    for value, pair in zip(values, pairs, strict=True):
        if len(pair) != 2 or not pair[0]:
            raise click.BadParameter(f"'{value}' is not NAME=VALUE (for example set=Pilot)", param=param)
    return pairs


@click.command("agreement")
@click.option("--ratings", "ratings_path", type=click.Path(dir_okay=False),
              help="Compute from a CSV file with header unit,coder,code instead of the study.")
@click.option("--spans", "spans_path", type=click.Path(dir_okay=False),
              help="Agreement on spans from a CSV file with header document,length,coder,code,start,end.")
@click.option("--json", "as_json", is_flag=True, help="Print the DESIGN §4 JSON instead of a table.")
@click.option("--mode", type=CoreChoice("coder.stats.units:MODES"), default="fragments", show_default=True,
              help="Units: coder A's fragments (blind second coding), every segment (full double coding), "
                   "or the coders' own spans (unitizing, on the transcripts both coded).")
@click.option("--level", type=CoreChoice("coder.stats.units:LEVELS"), default="theme", show_default=True,
              help="Count core elements as their theme, or every code on its own.")
@click.option("--coders", metavar="A,B", help="The coder pair (default: the first pair with assignments, else the "
                                               "study's two coders; the pairs found are named when there are more).")
@click.option("--transcript", "transcripts", multiple=True, metavar="ID_OR_TITLE", help="Only these transcripts.")
@click.option("--school-type", "school_types", multiple=True, type=click.Choice(SCHOOL_TYPES),
              help="Only transcripts of these school types.")
@click.option("--attribute", "attributes", multiple=True, metavar="NAME=VALUE", callback=_name_values,
              help="Only transcripts with this attribute (a REFI-QDA case variable, or set=NAME for a set); "
                   "repeat to require several.")
@shared_options()
@pass_context
def agreement_command(obj: Context, ratings_path, spans_path, as_json, mode, level, coders, transcripts,
                      school_types, attributes) -> None:
    """Cohen's kappa per code and overall, with PABAK, Gwet's AC1 and Krippendorff's alpha;
    or Krippendorff's alpha for unitizing on the coders' own spans."""
    if ratings_path and spans_path:
        raise click.UsageError("give --ratings or --spans, not both")
    if spans_path:
        _spans(spans_path, as_json)
    elif ratings_path:
        _ratings(ratings_path, as_json)
    else:
        _study(obj, as_json, mode, level, coder_pair(coders), transcripts, school_types, attributes)


def _echo_json(data: dict) -> None:
    click.echo(json.dumps(data, indent=2, allow_nan=False))


def _spans(path: str, as_json: bool) -> None:
    from coder.stats.spans_file import read_spans, unitizing_json
    from coder.stats.study_spans import StudyUnitizing
    from coder.stats.unitizing import alpha_u, u_alpha

    data = read_spans(path)
    alpha, family = alpha_u(data), u_alpha(data)
    if as_json:
        _echo_json(unitizing_json(data, alpha, family))
    else:
        click.echo(format_unitizing(StudyUnitizing(data.coders, "code", data, alpha, family), {}))


def _ratings(path: str, as_json: bool) -> None:
    from coder.stats.agreement import agreement, report_json
    from coder.stats.ratings_file import read_ratings

    report = agreement(read_ratings(path), "code")
    if as_json:
        _echo_json(report_json(report))
    else:
        click.echo(format_agreement(report))


def _study(obj: Context, as_json: bool, mode: str, level: str, coders: tuple[str, str] | None,
           transcripts: tuple[str, ...], school_types: tuple[str, ...],
           attributes: tuple[tuple[str, str], ...]) -> None:
    from coder.stats.agreement import agreement, report_json
    from coder.stats.spans_file import unitizing_json
    from coder.stats.study_spans import study_unitizing
    from coder.stats.units import UNITIZING, UnitFilter, code_names, coder_pairs, review_counts, study_ratings

    where = UnitFilter(transcripts, school_types, attributes)
    with obj.reader() as session:
        pairs = coder_pairs(session)
        names = code_names(session)
        if mode == UNITIZING:
            result = study_unitizing(session, level, coders, where)
            pair = result.coders
        else:
            ratings = study_ratings(session, mode, level, coders, where)
            pair = ratings.coders
            review = review_counts(session, pair, where) if mode == "fragments" else None
    if coders is None and len(pairs) > 1:
        click.echo(pairs_note(pairs, pair), err=True)
    if mode == UNITIZING:
        if as_json:
            _echo_json(unitizing_json(result.data, result.alpha_u, result.u_alpha) | {"level": level})
        else:
            click.echo(format_unitizing(result, names, study=True))
        return
    report = agreement(ratings, level)
    if as_json:
        data = report_json(report)
        _echo_json(data | {"review": asdict(review)} if review else data)
    else:
        click.echo(format_agreement(report, names, review))


def pairs_note(pairs: list[tuple[str, str]], shown: tuple[str, str]) -> str:
    """Which coder pairs the study has and which one is shown, for stderr."""
    found = ", ".join(f"{a} & {b}" for a, b in pairs)
    return f"this study has {len(pairs)} coder pairs ({found}); showing {shown[0]} & {shown[1]}: choose with --coders A,B"


def review_line(review: ReviewCounts) -> str:
    """The review beside kappa: decided, boundaries adjusted ("bijgesteld"), fragments added ("aangevuld")."""
    return (f"review: {review.decided} of {review.ready} fragments decided; boundaries adjusted: {review.adjusted} "
            f"(bijgesteld); added where the first coder missed them: {review.added} (aangevuld)")


def format_agreement(report: Report, names: dict[str, str] | None = None, review: ReviewCounts | None = None) -> str:
    """The readable table of `coder agreement`, worded as the summary words it."""
    from coder.stats.agreement import CodeStatistics
    from coder.stats.presentation import Wording, readings

    a, b = report.coders
    words = Wording()
    rows = readings(report, names or {}, "overall (Cohen)" if report.method == "cohen" else "overall (pooled)")
    width = max(len("code"), *(len(row.name) for row in rows))
    lines = [
        f"{a} vs {b}: {report.units} units ({report.left_out()}: left out); level {report.level}",
        *([words.caution(report.units)] if words.caution(report.units) else []),
        *([review_line(review)] if review else []),
        "",
        f"{'code':<{width}} {'n':>5} {'A yes':>6} {'B yes':>6} {'both':>5} {'obs.':>5} {'kappa':>6}  "
        f"{'95% interval':<16} {'band':<14} notes",
    ]
    for row in rows:
        stats = row.stats
        counts = (stats.a_yes, stats.b_yes, stats.both) if isinstance(stats, CodeStatistics) else ("", "", "")
        lines.append(
            f"{row.name:<{width}} {row.n:>5} {counts[0]:>6} {counts[1]:>6} {counts[2]:>5} "
            f"{words.number(stats.observed):>5} {words.number(stats.kappa):>6}  {words.interval(row):<16} "
            f"{words.band(row):<14} {words.notes(row)}".rstrip()
        )
    lines += ["", words.beside(report, report.level)]
    if report.method == "pooled":
        lines.append("pooled kappa (De Vries et al. 2008); its interval is a seeded bootstrap over units")
    notes = [f"{row.name}: {row.stats.reason}" for row in rows if row.stats.reason]
    return "\n".join(lines + [""] + notes if notes else lines)


def format_unitizing(result: StudyUnitizing, names: dict[str, str], study: bool = False) -> str:
    """The readable table of unitizing agreement: αu per code and overall, then the uα family.

    From a `study` the offsets in a reason count the codable text only (`study_spans`).
    """
    from coder.stats.presentation import Wording, name_of

    words = Wording()
    data, alpha, family = result.data, result.alpha_u, result.u_alpha
    rows = [(name_of(code, names), figures.spans, figures.alpha, figures.reason) for code, figures in alpha.codes.items()]
    rows.append(("overall", len(data.start), alpha.overall, alpha.reason))
    width = max(len("code"), *(len(name) for name, *_ in rows))
    lines = [
        f"{' vs '.join(data.coders)}: {len(data.documents)} documents, {data.length} characters; level {result.level}; "
        f"{data.merged} overlapping spans merged",
        "",
        f"{'code':<{width}} {'spans':>6} {'αu':>6}",
        *(f"{name:<{width}} {spans:>6} {words.number(value):>6}" for name, spans, value, _ in rows),
        "",
        f"αu: Krippendorff (1995, 2004), as DKPro Agreement and INCEpTION compute it ({alpha.variant})",
        f"uα {words.number(family.u_alpha.value)} · |uα {words.number(family.binary_u_alpha.value)} · "
        f"cuα {words.number(family.c_u_alpha.value)}: Krippendorff et al. (2016) ({family.variant})",
    ]
    if study:
        lines.append("documents are the transcripts both coders coded, without interviewer turns: "
                     "offsets count the codable text only")
    reasons = [f"{name}: {reason}" for name, _, _, reason in rows if reason]
    by_reason: dict[str, list[str]] = {}
    for name, coefficient in (("uα", family.u_alpha), ("|uα", family.binary_u_alpha), ("cuα", family.c_u_alpha)):
        if coefficient.reason:
            by_reason.setdefault(coefficient.reason, []).append(name)
    reasons += [f"{', '.join(which)}: {reason}" for reason, which in by_reason.items()]
    return "\n".join(lines + [""] + reasons if reasons else lines)
