"""Driving the workbench headless (tests, benchmarks, screenshots).

The workbench's workers post a message when their work is done (a transcript read,
an action committed). A test presses keys and then waits for the message that
matters, `await pilot.press("1", until=ActionDone)`, instead of waiting for the
app to look idle.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from typing import TypeVar

from textual.app import App
from textual.events import Event
from textual.message import Message
from textual.pilot import Pilot
from textual.screen import Screen

M = TypeVar("M", bound=Message)
S = TypeVar("S", bound=Screen)

#: Seconds to wait for a message before the test fails; generous, for a loaded machine.
TIMEOUT = 30.0


class Messages:
    """A message hook (`App.run_test(message_hook=…)`): every message the app dispatches, in order.

    The hook is called as a message pump takes the message, just before its handler
    runs; a message that bubbles is kept once.
    """

    def __init__(self) -> None:
        self.seen: list[Message] = []
        self.mark = 0  # messages before this one have been waited for or pressed past
        self._ids: set[int] = set()
        self._arrived = asyncio.Event()

    def __call__(self, message: Message) -> None:
        if id(message) not in self._ids:
            self._ids.add(id(message))
            self.seen.append(message)
            self._arrived.set()

    async def next(self, kind: type[M], where: Callable[[M], bool], timeout: float) -> M:
        """The first `kind` (for which `where` holds) dispatched since the mark; it moves the mark past it."""
        loop = asyncio.get_running_loop()
        deadline, index = loop.time() + timeout, self.mark
        while True:
            while index < len(self.seen):
                message, index = self.seen[index], index + 1
                if isinstance(message, kind) and where(message):
                    self.mark = index
                    return message
            self._arrived.clear()
            try:
                await asyncio.wait_for(self._arrived.wait(), max(deadline - loop.time(), 0))
            except TimeoutError:
                raise AssertionError(f"no {kind.__name__} within {timeout:.0f} s; since the mark: "
                                     f"{self._names(self.seen[self.mark:])}") from None

    @staticmethod
    def _names(messages: list[Message]) -> str:
        """The messages that are not plain input or housekeeping events, by name."""
        return ", ".join(type(m).__name__ for m in messages if not isinstance(m, Event))[-600:] or "nothing"


class Driver(Pilot):
    """A Pilot that waits for messages: `await pilot.press("1", until=ActionDone)`."""

    def __init__(self, app: App, messages: Messages, timeout: float = TIMEOUT) -> None:
        super().__init__(app)
        self.messages = messages
        self.timeout = timeout

    async def press(self, *keys: str, until: type[M] | None = None,
                    where: Callable[[M], bool] = lambda _: True) -> M | None:
        """Press `keys`; with `until`, wait for the first such message they caused to be handled."""
        self.messages.mark = len(self.messages.seen)
        await super().press(*keys)
        return await self.wait_for(until, where) if until is not None else None

    async def wait_for(self, kind: type[M], where: Callable[[M], bool] = lambda _: True) -> M:
        """Wait for the next `kind` to be handled, and for what its handler set going to settle."""
        message = await self.messages.next(kind, where, self.timeout)
        await self.pause()
        return message

    async def until_screen(self, kind: type[S]) -> S:
        """Wait until a screen of `kind` is on top: one a worker pushes posts no message of its own."""
        deadline = asyncio.get_running_loop().time() + self.timeout
        while not isinstance(self.app.screen, kind):
            if asyncio.get_running_loop().time() > deadline:
                raise AssertionError(f"no {kind.__name__} within {self.timeout:.0f} s; {self.app.screen} is on top")
            await self.pause(0.02)
        return self.app.screen


@asynccontextmanager
async def drive(app: App, size: tuple[int, int]) -> AsyncIterator[Driver]:
    """Run `app` headless at `size` (as `App.run_test`), yielding a `Driver`."""
    messages = Messages()
    async with app.run_test(size=size, message_hook=messages):
        yield Driver(app, messages)


@contextmanager
def recording(messages: Messages) -> Iterator[None]:
    """Record the messages of an app that something else runs.

    `snap_compare` runs its app with `App.run`, which takes no message hook; this
    sets the context variable that `App.run_test(message_hook=…)` sets, and the
    app's tasks inherit it.
    """
    from textual._context import message_hook

    token = message_hook.set(messages)
    try:
        yield
    finally:
        message_hook.reset(token)
