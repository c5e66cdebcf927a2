"""`coder log`: the audit trail, who did what and when."""

from __future__ import annotations

import json
from dataclasses import asdict

import click

from coder.cli.context import Context, pass_context, shared_options

#: Payload fields that hold segment positions; the log shows them numbered as the screens do.
SEGMENT_FIELDS = ("first", "last")


def _numbered(detail: dict) -> dict:
    """`detail` with segment positions as segment numbers (from 1)."""
    from coder.coding.queries import segment_number

    return {key: segment_number(value) if key in SEGMENT_FIELDS and isinstance(value, int) else value
            for key, value in detail.items()}


@click.command("log")
@click.option("--coder", help="Only what this coder did.")
@click.option("--transcript", metavar="ID_OR_TITLE", help="Only what concerns this transcript.")
@click.option("--kind", help="Only this kind of action, e.g. review, blind.reveal, coding.add.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line instead of a table.")
@shared_options()
@pass_context
def log_command(obj: Context, coder: str | None, transcript: str | None, kind: str | None, as_json: bool) -> None:
    """Print the audit trail: who did what, when (oldest first)."""
    from coder.storage.audit import audit_trail

    with obj.reader() as session:
        lines = audit_trail(session, actor=coder, transcript=transcript, kind=kind)
    for line in lines:
        detail = _numbered(line.detail)
        if as_json:
            click.echo(json.dumps(asdict(line) | {"at": line.at.isoformat(), "detail": detail}, ensure_ascii=False))
        else:
            details = " ".join(f"{key}={value}" for key, value in detail.items() if value not in (None, "", []))
            click.echo(f"{line.at:%Y-%m-%d %H:%M:%S}  {line.actor:<12} {line.kind:<18} "
                       f"{line.transcript or '-':<24} {details}".rstrip())
