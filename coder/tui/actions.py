"""Every write of the workbench takes one path: queued in key order, one transaction in a
worker thread, a fresh read of what to show, and a message with the outcome.

A screen queues an action with `ActionScreen.write`. One thread worker at a time
takes the screen's actions in the order the keys were pressed, runs each in its own
transaction, reads what the screen shows after it in a second session, and posts
`ActionDone` (or `ActionRefused` when the core refused the action). The screen
redraws in the message's handler, so what it shows has been committed; a test waits
for that message rather than for the screen to look idle.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

from sqlmodel import Session
from textual import work
from textual.message import Message
from textual.screen import Screen

from coder.errors import CoderError
from coder.storage.database import Study

Result = TypeVar("Result")
Shown = TypeVar("Shown")


@dataclass(frozen=True)
class Job(Generic[Result, Shown]):
    """One user action: the change to commit, and what to read for the screen after it."""

    change: Callable[[Session], Result]
    reread: Callable[[Session], Shown]


@dataclass
class ActionDone(Message, Generic[Result, Shown]):
    """An action was committed: what the change returned, and what the screen now shows."""

    result: Result
    shown: Shown


@dataclass
class ActionRefused(Message):
    """The core refused an action; nothing was written."""

    error: CoderError


def transact(study: Study, job: Job[Result, Shown]) -> ActionDone[Result, Shown] | ActionRefused:
    """Commit `job.change` in its own transaction, then reread in a fresh session.

    The second session reads what the first committed, even on a PostgreSQL study
    another coder writes to at the same time; it only reads, so it takes no write lock.
    """
    try:
        with study.session() as session:
            result = job.change(session)
        with study.reader() as session:
            return ActionDone(result, job.reread(session))
    except CoderError as error:  # refused by the core, or the study busy or read-only
        return ActionRefused(error)


class ActionQueue:
    """A screen's actions in the order they were asked for, taken by one worker at a time.

    A lock shared by a worker per key would not do: threads waiting on a lock are not
    woken in the order they came.
    """

    def __init__(self) -> None:
        self._jobs: deque[Job] = deque()
        self._lock = threading.Lock()
        self._taking = False

    def put(self, job: Job) -> bool:
        """Queue `job`; True when no worker is taking jobs, so the caller must start one."""
        with self._lock:
            self._jobs.append(job)
            start, self._taking = not self._taking, True
            return start

    def take(self) -> Job | None:
        """The next job; None, with the queue marked idle, when there is none."""
        with self._lock:
            if self._jobs:
                return self._jobs.popleft()
            self._taking = False
            return None


class ActionScreen(Screen):
    """A screen whose keys write to the study, all through `write`.

    A subclass handles `ActionDone` (`on_action_done`) to redraw; a refusal is
    shown as an error notification.
    """

    def __init__(self, study: Study) -> None:
        super().__init__()
        self.study = study
        self._actions = ActionQueue()

    def write(self, change: Callable[[Session], Result], reread: Callable[[Session], Shown]) -> None:
        """Queue `change` behind the actions asked for before it; `reread` gives what to show after."""
        if self._actions.put(Job(change, reread)):
            self._take_actions()

    @work(thread=True, group="write")
    def _take_actions(self) -> None:
        while (job := self._actions.take()) is not None:
            self.post_message(transact(self.study, job))

    def on_action_refused(self, message: ActionRefused) -> None:
        self.notify(str(message.error), severity="error")
