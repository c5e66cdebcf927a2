"""What every command shares: the study and coder chosen by `--db` and `--as`.

Core modules are imported inside the functions that use them, and option choices
that live in the core are read only when a command needs them (`CoreChoice`), so
`coder --help` and `coder --version` answer without loading the database layer.
"""

from __future__ import annotations

import getpass
import importlib
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, TypeVar

import click

from coder.errors import StudyError

if TYPE_CHECKING:
    from sqlmodel import Session

    from coder.storage.database import Study

F = TypeVar("F", bound=Callable[..., Any])


class Context:
    """Options every command shares: which study and who is working."""

    def __init__(self, db: str | None = None, user: str | None = None) -> None:
        self.db = db
        self.user = user

    def open(self, *, create: bool = False) -> Study:
        """The selected study; only `init`, `import` and `demo` may `create` it (DESIGN §3)."""
        from coder.storage.database import open_study

        opened = open_study(self.db, create=create)
        if opened.identity is not None:
            self._act_as_connection(opened)
        return opened

    def _act_as_connection(self, opened: Study) -> None:
        """In team mode the connection's role is who acts; another `--as` is refused (DESIGN §3)."""
        if self.user is not None and self.user != opened.identity:
            opened.close()
            raise StudyError(f"this is a team study and you are connected as {opened.identity}: "
                             f"--as {self.user} is refused (connect as that coder's role instead)")
        self.user = opened.identity

    @contextmanager
    def study(self, *, create: bool = False) -> Iterator[Study]:
        """The selected study, closed again when the command is done with it."""
        opened = self.open(create=create)
        try:
            yield opened
        finally:
            opened.close()

    @contextmanager
    def session(self) -> Iterator[Session]:
        """One transaction on the selected study, blind to what the user still codes blind."""
        with self.study() as opened, opened.session(viewer=self.actor) as session:
            yield session

    @contextmanager
    def reader(self) -> Iterator[Session]:
        """A transaction that only reads (`Study.reader`): it waits for no coder at work, and
        a long export reads one snapshot of the study."""
        with self.study() as opened, opened.reader(viewer=self.actor) as session:
            yield session

    @property
    def actor(self) -> str:
        """Who the audit log names: `--as`/`CODER_USER`, else the login name."""
        return self.user or getpass.getuser()


pass_context = click.make_pass_decorator(Context)


def _remember(attribute: str) -> Callable[[click.Context, click.Parameter, str | None], None]:
    """An option callback that writes its value into the shared `Context`, when given."""

    def callback(ctx: click.Context, _param: click.Parameter, value: str | None) -> None:
        shared = ctx.ensure_object(Context)
        if value is not None:
            setattr(shared, attribute, value)

    return callback


def shared_options(*, from_environment: bool = False) -> Callable[[F], F]:
    """`--db` and `--as` on a command (DESIGN §3): before or after the subcommand, the later one wins.

    Only the root group reads `CODER_USER` (`from_environment`), so that the
    variable never overrides an `--as` given before the subcommand.
    """

    def decorate(command: F) -> F:
        command = click.option(
            "--as", "user", envvar="CODER_USER" if from_environment else None, metavar="NAME",
            expose_value=False, callback=_remember("user"), help="Your coder name [env CODER_USER].",
        )(command)
        return click.option(
            "--db", metavar="PATH_OR_URL", expose_value=False, callback=_remember("db"),
            help="Study file or PostgreSQL URL [env CODER_DB; default ./coder.db].",
        )(command)

    return decorate


class CoreChoice(click.Choice):
    """A choice whose values a core module defines, read when a command first needs them.

    `CoreChoice("coder.stats.units:LEVELS")` lists the agreement levels without
    importing the statistics and the database layer while the command line starts.
    """

    def __init__(self, source: str) -> None:
        # Not click.Choice.__init__: it would read the values at once.
        self.source = source
        self.case_sensitive = True
        self._values: tuple[str, ...] | None = None

    @property
    def choices(self) -> Sequence[str]:
        if self._values is None:
            module, name = self.source.split(":")
            self._values = tuple(getattr(importlib.import_module(module), name))
        return self._values


def coder_pair(coders: str | None) -> tuple[str, str] | None:
    """`--coders A,B` as a pair; None when not given."""
    pair = tuple(part.strip() for part in coders.split(",")) if coders else None
    if pair is not None and len(pair) != 2:
        raise click.BadParameter("give two coder names, e.g. --coders anna,bram", param_hint="--coders")
    return pair


def open_workbench(study: Study, coder: str | None) -> None:
    """The Textual workbench on `study`; Textual loads only now."""
    from coder.tui.app import run_workbench

    run_workbench(study, coder)
