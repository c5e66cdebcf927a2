"""The root of the `coder` command line: the group, its commands and the entry point.

Failures the user can act on (`CoderError`) are one line on stderr and exit
status 1, never a traceback. Each family of commands lives in its own module;
`COMMANDS` registers them.
"""

from __future__ import annotations

import sys

import click

from coder import __version__
from coder.cli.agreement import agreement_command
from coder.cli.codebook import codebook
from coder.cli.coding_in import code_command
from coder.cli.context import Context, open_workbench, shared_options
from coder.cli.demo import demo
from coder.cli.exports import export
from coder.cli.imports import import_command
from coder.cli.log import log_command
from coder.cli.privacy import pseudonymise, purge_command
from coder.cli.second_coding import assign_command
from coder.cli.study import init, migrate_command, roles_command, status
from coder.cli.team import team
from coder.cli.transcripts import speakers, transcript
from coder.errors import CoderError

COMMANDS = (init, import_command, codebook, status, export, assign_command, roles_command, agreement_command,
            log_command, migrate_command, demo, code_command, transcript, speakers, team, pseudonymise,
            purge_command)


@click.group(invoke_without_command=True, context_settings={"help_option_names": ["-h", "--help"]})
@shared_options(from_environment=True)
@click.version_option(__version__, prog_name="coder")
@click.pass_context
def cli(ctx: click.Context) -> None:
    """coder: code interviews with a codebook, check agreement between two coders.

    Without a command, opens the workbench on the selected study. --db and --as
    go before or after the command.
    """
    shared = ctx.ensure_object(Context)
    if ctx.invoked_subcommand is None:
        open_workbench(shared.open(), shared.user)


for command in COMMANDS:
    cli.add_command(command)


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
    except OSError as exc:  # a file the user named (-o into a missing folder, no permission): say which
        where = f"{exc.filename}: " if exc.filename else ""
        click.echo(f"coder: error: {where}{exc.strerror or exc}", err=True)
        sys.exit(1)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
