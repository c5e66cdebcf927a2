"""The `coder` command line.

A thin face over the core: each command parses its options, calls one core
function and prints the result. Failures the user can act on (`CoderError`) are
one line on stderr and exit status 1, never a traceback.
"""

from __future__ import annotations

import getpass
import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict
from functools import partial

import click
from sqlmodel import Session

from coder import __version__
from coder.codebook.codebook_file import codes_to_yaml, read_codebook
from coder.codebook.study_codebook import active_codes, apply_codebook
from coder.coding.assignments import STRATA, assign
from coder.coding.queries import StudyStatus, study_status
from coder.coding.review import PairProgress, pair_progress
from coder.demo.demo_study import DEMO_CODER, DEMO_DB, build_demo
from coder.errors import CoderError
from coder.exchange.project_export import export_qdpx
from coder.exchange.project_import import import_qdpx
from coder.exchange.refi_codebook import codebook_to_qdc, read_qdc
from coder.files import write_file
from coder.ingest.importer import Overrides, import_transcripts
from coder.report.codings_export import FORMATS, WRITERS, coding_rows
from coder.report.debrief_export import FORMATS as DEBRIEF_FORMATS
from coder.report.debrief_export import debrief_document, format_for, write_debrief
from coder.report.debrief_text import LANGUAGES
from coder.stats.agreement import Report, agreement, report_json
from coder.stats.ratings_file import read_ratings
from coder.stats.units import LEVELS, MODES, UnitFilter, study_ratings
from coder.storage.audit import audit_trail
from coder.storage.database import Study, open_study, resolve_target
from coder.storage.migrations import SCHEMA_VERSION
from coder.storage.settings import set_uncodable_roles, uncodable_roles
from coder.storage.vocabulary import SCHOOL_TYPES, Pass


class Context:
    """Options every command shares: which study and who is working."""

    def __init__(self, db: str | None, user: str | None) -> None:
        self.db = db
        self.user = user

    def open(self) -> Study:
        return open_study(self.db)

    @contextmanager
    def study(self) -> Iterator[Study]:
        """The selected study, closed again when the command is done with it."""
        opened = self.open()
        try:
            yield opened
        finally:
            opened.close()

    @contextmanager
    def session(self) -> Iterator[Session]:
        """One transaction on the selected study, blind to what the user still codes blind."""
        with self.study() as opened, opened.session(viewer=self.actor) as session:
            yield session

    @property
    def actor(self) -> str:
        """Who the audit log names: `--as`/`CODER_USER`, else the login name."""
        return self.user or getpass.getuser()


pass_context = click.make_pass_decorator(Context)


@click.group(invoke_without_command=True, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--db", metavar="PATH_OR_URL", help="Study file or PostgreSQL URL [env CODER_DB; default ./coder.db].")
@click.option("--as", "user", envvar="CODER_USER", metavar="NAME", help="Your coder name [env CODER_USER].")
@click.version_option(__version__, prog_name="coder")
@click.pass_context
def cli(ctx: click.Context, db: str | None, user: str | None) -> None:
    """coder: code interviews with a codebook, check agreement between two coders.

    Without a command, opens the workbench on the selected study.
    """
    ctx.obj = Context(db, user)
    if ctx.invoked_subcommand is None:
        _open_workbench(ctx.obj.open(), ctx.obj.user)


def _open_workbench(study: Study, coder: str | None) -> None:
    from coder.tui.app import run_workbench

    run_workbench(study, coder)


@cli.command()
@click.option("--codebook", "codebook_path", type=click.Path(dir_okay=False), help="Load this codebook into the new study.")
@pass_context
def init(obj: Context, codebook_path: str | None) -> None:
    """Create a study (or check that an existing one opens)."""
    with obj.study() as study:
        if codebook_path:
            _load_codebook(study, codebook_path, obj.actor, retire=False)
        click.echo(f"Study {study.target} is ready (schema version {SCHEMA_VERSION}).")


@cli.command("import")
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option("--school-type", type=click.Choice(SCHOOL_TYPES), help="Set the school type of every file imported.")
@click.option("--school", help="Set the school (pseudonym) of every file imported.")
@pass_context
def import_command(obj: Context, paths: tuple[str, ...], school_type: str | None, school: str | None) -> None:
    """Import transcripts (.txt, .docx, .vtt, .srt, or folders of them), or a REFI-QDA project (.qdpx).

    All files go in together or none does. A file already in the study is skipped.
    A .qdpx brings its codebook, sources, codings (its users become coders) and memos.
    """
    projects = [p for p in paths if p.lower().endswith(".qdpx")]
    if projects:
        if len(projects) != len(paths):
            raise click.BadParameter("import a .qdpx project on its own, not with transcripts", param_hint="PATHS")
        _import_projects(obj, projects)
        return
    with obj.study() as study:
        report = import_transcripts(
            study, paths, obj.actor, Overrides(school=school, school_type=school_type), _progress
        )
    for title, segments in report.imported:
        click.echo(f"imported  {title} ({segments} segments)")
    for source, reason in report.skipped:
        click.echo(f"skipped   {source}: {reason}")
    click.echo(f"{len(report.imported)} imported, {len(report.skipped)} skipped, {report.segments} segments.")


def _import_projects(obj: Context, paths: list[str]) -> None:
    """REFI-QDA projects, each all or nothing, with everything that had to be worked around."""
    with obj.study() as study:
        for path in paths:
            report = import_qdpx(study, path, obj.actor)
            click.echo(f"imported  {path}: {report.sources} sources, {report.codings} codings by "
                       f"{', '.join(sorted(report.coders)) or 'nobody'} (offsets in {report.offset_unit})")
            for warning in report.warnings:
                click.echo(f"warning   {warning}", err=True)


def _progress(title: str, done: int, total: int) -> None:
    """One updating line on a terminal; one line per transcript in a log."""
    line = f"importing {done}/{total}: {title[:50]}"
    if sys.stderr.isatty():
        click.echo(f"\r{line:<72}", nl=done == total, err=True)
    else:
        click.echo(line, err=True)


@cli.group()
def codebook() -> None:
    """Manage the study's codebook."""


@codebook.command("load")
@click.argument("path", type=click.Path())
@click.option("--retire", is_flag=True, help="Retire codes that the file drops even if codings use them (the codings are kept).")
@pass_context
def codebook_load(obj: Context, path: str, retire: bool) -> None:
    """Load a codebook (YAML or REFI-QDA .qdc) into the study; codes are matched by id, codings kept."""
    with obj.study() as study:
        _load_codebook(study, path, obj.actor, retire=retire)


@codebook.command("export")
@click.option("--format", "fmt", type=click.Choice(("qdc", "yaml")), default="qdc", show_default=True,
              help="REFI-QDA codebook (for ATLAS.ti, MAXQDA, NVivo, QualCoder) or coder's YAML.")
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write to this file (default: standard output).")
@pass_context
def codebook_export(obj: Context, fmt: str, output: str | None) -> None:
    """Export the study's codebook; definitions, criteria and examples travel along."""
    with obj.session() as session:
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


def _read_codebook(path: str):
    """A codebook file by its kind: REFI-QDA `.qdc`, else coder's YAML."""
    return read_qdc(path) if path.lower().endswith(".qdc") else read_codebook(path)


def _load_codebook(study: Study, path: str, actor: str, *, retire: bool) -> None:
    parsed = _read_codebook(path)
    with study.session() as session:
        change = apply_codebook(session, parsed, actor, retire_in_use=retire)
    click.echo(
        f"codebook '{parsed.title}': {len(change.added)} added, {len(change.updated)} updated, "
        f"{len(change.retired)} retired, {len(change.unchanged)} unchanged."
    )


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Print the counts as JSON.")
@pass_context
def status(obj: Context, as_json: bool) -> None:
    """Show what the study holds: transcripts, segments, codings per coder and pass."""
    with obj.session() as session:
        counts = study_status(session)
        pairs = pair_progress(session)
    if as_json:
        click.echo(json.dumps(asdict(counts) | {"second_coding": [asdict(p) for p in pairs]}, indent=2))
    else:
        click.echo(format_status(resolve_target(obj.db), counts, pairs))


def format_status(target: str, counts: StudyStatus, pairs: list[PairProgress]) -> str:
    """The human-readable form of `coder status`."""
    types = ", ".join(f"{k} {v}" for k, v in counts.transcripts_by_school_type.items()) or "none"
    roles = ", ".join(f"{k} {v}" for k, v in counts.participants_by_role.items()) or "none"
    lines = [
        f"study        {target}",
        f"transcripts  {counts.transcripts} ({types})",
        f"participants {roles}",
        f"segments     {counts.segments} ({counts.words} words)",
        f"codes        {counts.codes}",
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


@cli.group()
def export() -> None:
    """Export from the study."""


@export.command("codings")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="csv", show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write to this file (default: standard output).")
@click.option("--bom", is_flag=True, help="Start the file with a UTF-8 byte-order mark, for Excel.")
@click.option("--coder", help="Only this coder's codings.")
@click.option("--pass", "pass_", type=click.Choice(tuple(Pass)), help="Only codings of this pass.")
@pass_context
def export_codings(obj: Context, fmt: str, output: str | None, bom: bool, coder: str | None, pass_: str | None) -> None:
    """One row per coding: transcript, speaker, segments, offsets, code, theme, coder, pass, memo, text."""
    with obj.session() as session:
        rows = coding_rows(session, coder, pass_)
    write = partial(WRITERS[fmt], rows)
    if output:
        write_file(output, write, bom=bom)
        click.echo(f"{len(rows)} codings written to {output}", err=True)
    else:
        if bom:
            click.echo("\ufeff", nl=False)
        write(sys.stdout)


@export.command("debrief")
@click.option("--format", "fmt", type=click.Choice(DEBRIEF_FORMATS), help="md or html [default: from -o's suffix, else md].")
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write to this file (default: standard output).")
@click.option("--level", type=click.Choice(LEVELS), default="theme", show_default=True,
              help="Agreement per theme (core elements count as their theme) or per code.")
@click.option("--lang", type=click.Choice(LANGUAGES), default="en", show_default=True, help="Language of the labels.")
@click.option("--coders", metavar="A,B", help="The coder pair (default: the pair with assignments).")
@pass_context
def export_debrief(obj: Context, fmt: str | None, output: str | None, level: str, lang: str,
                   coders: str | None) -> None:
    """The peer-debriefing summary: study at a glance, agreement, themes per school type,
    quotes, what was disputed and how it was decided, flagged memos and open questions.

    Tags in memos and notes bring them in: #debrief, #question, and #exemplary for a
    fragment to quote first.
    """
    fmt = fmt or (format_for(output) if output else "md")
    with obj.session() as session:
        document = debrief_document(session, fmt, level, lang, _pair(coders))
    if output:
        write_debrief(output, document)
        click.echo(f"wrote the {fmt} summary to {output}", err=True)
    else:
        click.echo(document, nl=False)


@export.command("qdpx")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False), help="The .qdpx file to write.")
@pass_context
def export_qdpx_command(obj: Context, output: str) -> None:
    """The whole study as a REFI-QDA project, for ATLAS.ti, MAXQDA, NVivo and QualCoder."""
    with obj.session() as session:
        summary = export_qdpx(session, output)
    click.echo(f"{output}: {summary.sources} sources, {summary.selections} coded selections, "
               f"{summary.users} users, {summary.notes} memos")


def _fraction(value: str | None) -> float | None:
    """`20%`, `0.2` or `20` all mean a fifth."""
    if value is None:
        return None
    try:
        number = float(value.rstrip("%"))
    except ValueError:
        raise click.BadParameter(f"'{value}' is not a share such as 20% or 0.2", param_hint="--sample") from None
    return number / 100 if value.endswith("%") or number > 1 else number


@cli.command("assign")
@click.option("--from", "from_coder", required=True, metavar="A", help="The coder whose fragments are handed on.")
@click.option("--to", "to_coder", required=True, metavar="B", help="The blind second coder.")
@click.option("--sample", metavar="SHARE", help="Only this share of A's fragments, e.g. 20% (default: all).")
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of the random sample (reproducible).")
@click.option("--stratify", type=click.Choice(STRATA), help="Draw the sample per school type.")
@pass_context
def assign_command(obj: Context, from_coder: str, to_coder: str, sample: str | None, seed: int,
                   stratify: str | None) -> None:
    """Hand coder A's fragments (or a reproducible sample) to coder B for blind coding.

    Run again with a larger --sample to extend: B keeps every fragment already assigned.
    """
    with obj.session() as session:
        result = assign(session, from_coder, to_coder, obj.actor, fraction=_fraction(sample), seed=seed,
                        stratify=stratify)
    for name, (total, before, added) in result.strata.items():
        click.echo(f"{name:<10} {added:>5} added, {before + added:>5} of {total} assigned")
    click.echo(f"{to_coder} now has {result.assigned} of {from_coder}'s fragments ({result.added} new).")


@cli.command("roles")
@click.option("--uncodable", metavar="ROLE,ROLE", help="Set the participant roles whose turns cannot be coded ('' for none).")
@pass_context
def roles_command(obj: Context, uncodable: str | None) -> None:
    """Show (or set) which participant roles' turns are shown but not coded."""
    with obj.session() as session:
        if uncodable is not None:
            set_uncodable_roles(session, uncodable.split(","), obj.actor)
        roles = sorted(uncodable_roles(session))
    click.echo(f"turns not coded: {', '.join(roles) if roles else 'none (every turn can be coded)'}")


@cli.command("agreement")
@click.option("--ratings", "ratings_path", type=click.Path(dir_okay=False),
              help="Compute from a CSV file with header unit,coder,code instead of the study.")
@click.option("--json", "as_json", is_flag=True, help="Print the DESIGN §4 JSON instead of a table.")
@click.option("--mode", type=click.Choice(MODES), default="fragments", show_default=True,
              help="Units: coder A's fragments (blind second coding) or every segment (full double coding).")
@click.option("--level", type=click.Choice(LEVELS), default="theme", show_default=True,
              help="Count core elements as their theme, or every code on its own.")
@click.option("--coders", metavar="A,B", help="The coder pair (default: the pair with assignments, else the study's two coders).")
@click.option("--transcript", "transcripts", multiple=True, metavar="ID_OR_TITLE", help="Only these transcripts.")
@click.option("--school-type", "school_types", multiple=True, type=click.Choice(SCHOOL_TYPES),
              help="Only transcripts of these school types.")
@pass_context
def agreement_command(obj: Context, ratings_path, as_json, mode, level, coders, transcripts, school_types) -> None:
    """Cohen's kappa per code and overall, with PABAK, Gwet's AC1 and Krippendorff's alpha."""
    if ratings_path:
        ratings, level = read_ratings(ratings_path), "code"
    else:
        with obj.session() as session:
            ratings = study_ratings(session, mode, level, _pair(coders), UnitFilter(transcripts, school_types))
    report = agreement(ratings, level)
    if as_json:
        click.echo(json.dumps(report_json(report), indent=2, allow_nan=False))
    else:
        click.echo(format_agreement(report))


def _pair(coders: str | None) -> tuple[str, str] | None:
    """`--coders A,B` as a pair; None when not given."""
    pair = tuple(part.strip() for part in coders.split(",")) if coders else None
    if pair is not None and len(pair) != 2:
        raise click.BadParameter("give two coder names, e.g. --coders anna,bram", param_hint="--coders")
    return pair


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


@cli.command("log")
@click.option("--coder", help="Only what this coder did.")
@click.option("--transcript", metavar="ID_OR_TITLE", help="Only what concerns this transcript.")
@click.option("--kind", help="Only this kind of action, e.g. review, blind.reveal, coding.add.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line instead of a table.")
@pass_context
def log_command(obj: Context, coder: str | None, transcript: str | None, kind: str | None, as_json: bool) -> None:
    """Print the audit trail: who did what, when (oldest first)."""
    with obj.session() as session:
        lines = audit_trail(session, actor=coder, transcript=transcript, kind=kind)
    for line in lines:
        if as_json:
            click.echo(json.dumps(asdict(line) | {"at": line.at.isoformat()}, ensure_ascii=False))
        else:
            details = " ".join(f"{key}={value}" for key, value in line.detail.items() if value not in (None, "", []))
            click.echo(f"{line.at:%Y-%m-%d %H:%M:%S}  {line.actor:<12} {line.kind:<18} "
                       f"{line.transcript or '-':<24} {details}".rstrip())


@cli.command()
@click.option("--no-tui", is_flag=True, help="Build the demo study and print its status instead of opening it.")
@click.option("--uncoded", is_flag=True, help="Leave out the demo coders' work: interviews and codebook only.")
@click.pass_context
def demo(ctx: click.Context, no_tui: bool, uncoded: bool) -> None:
    """Build a fresh demo study (shipped codebook and interviews) and open it.

    Two demo researchers, marieke (first coder) and sander (blind second coder
    and reviewer), have coded two of the interviews: press a for their agreement,
    v for their review. The demo lives in ./demo.db unless --db names another
    file; an earlier demo there is replaced, anything else is left alone. You code
    as --as NAME, or as "demo" when no name is given.
    """
    obj: Context = ctx.obj
    study = build_demo(obj.db or DEMO_DB, progress=_progress, coded=not uncoded)
    if no_tui:
        with study.session() as session:
            click.echo(format_status(study.target, study_status(session), pair_progress(session)))
        study.close()
        return
    _open_workbench(study, obj.user or DEMO_CODER)


def main() -> None:
    """Console-script entry point: one clear line on stderr for any expected failure."""
    try:
        cli.main(prog_name="coder", standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("coder: aborted", err=True)
        sys.exit(130)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except CoderError as exc:
        click.echo(f"coder: error: {exc}", err=True)
        sys.exit(1)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)


if __name__ == "__main__":
    main()
