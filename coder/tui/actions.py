"""Running a user action from a screen: one transaction, then a fresh read of what to show.

Screens call `transact` from a thread worker. The lock keeps a screen's actions in
the order the keys were pressed; the second session reads what the first committed,
so the screen redraws only from what is in the database.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TypeVar

from sqlmodel import Session
from textual.app import App

from coder.errors import CoderError
from coder.storage.database import Study

Done = TypeVar("Done")
Shown = TypeVar("Shown")


def transact(
    app: App, study: Study, lock: threading.Lock,
    change: Callable[[Session], Done], reread: Callable[[Session], Shown],
) -> tuple[Done, Shown] | None:
    """Apply `change` in its own transaction and `reread` after it; None (and a
    notification) when the core refused the action."""
    with lock:
        try:
            with study.session() as session:
                done = change(session)
            with study.session() as session:
                return done, reread(session)
        except CoderError as exc:
            app.call_from_thread(app.notify, str(exc), severity="error")
            return None
