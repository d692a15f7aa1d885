"""Running a build step in a child process, beside the main process's own work.

After the inputs are read, the release's steps that only read the graph files (the search index, the
OAI-PMH records) do not need the main process, which is busy writing the dumps and the store's default
graph: each runs in a child process, so that both cores work. The child is a fresh interpreter (the
``spawn`` start method), given its arguments pickled, not a fork of the build: a forked child shared the
build's heap, and every page of it that either side then wrote (a reference count is a write) was copied,
while the pages the build freed stayed alive in the child. Measured at 50,000 articles: the records'
step alone peaks at 76 MB; forked beside the build it held 226 MB (151 MB its own), the search index's
child 196 MB. A child must not touch the working store, which only the main process writes.

With ``inline=True`` the step runs at once in this process.
"""

from __future__ import annotations

import multiprocessing
import traceback
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import Any, Generic, TypeVar

T = TypeVar("T")


class StepFailed(RuntimeError):
    """A step run beside the main process raised, or its process died; the message carries its traceback."""


class Beside(Generic[T]):
    """One step running (or already run) beside the main process; ``result()`` waits for it."""

    def __init__(self, name: str, step: Callable[..., T], *args: Any, inline: bool = False) -> None:
        self.name = name
        self._value: T | None = None
        self._process: Any = None
        self._receiver: Connection | None = None
        if inline:
            self._value = step(*args)
            return
        context = multiprocessing.get_context("spawn")  # step and args are pickled: module-level functions
        receiver, sender = context.Pipe(duplex=False)
        self._process = context.Process(target=_run, args=(sender, step, args), name=f"kg-{name}", daemon=True)
        self._process.start()
        sender.close()  # the child's end: when the child dies, the receiver sees the pipe closed
        self._receiver = receiver

    def result(self) -> T:
        """The step's return value, once it has ended; its exception as ``StepFailed`` if it raised."""
        if self._process is None:
            return self._value  # type: ignore[return-value]
        assert self._receiver is not None
        try:
            ok, value = self._receiver.recv()
        except EOFError:
            ok, value = False, "its process ended without a result"
        finally:
            self._receiver.close()
            self._process.join()
            self._process = None
        if not ok:
            raise StepFailed(f"the build step {self.name!r} failed: {value}")
        self._value = value
        return value

    def cancel(self) -> None:
        """Stop the step if it still runs (the build failed elsewhere): nothing it writes is kept.

        What it wrote is in the staging folder, which a failed build leaves unpublished, or in the working
        search index, whose SQLite journal rolls an interrupted transaction back.
        """
        if self._process is None:
            return
        self._process.terminate()
        self._process.join()
        self._process = None
        if self._receiver is not None:
            self._receiver.close()


def _run(sender: Connection, step: Callable[..., Any], args: tuple[Any, ...]) -> None:
    try:
        sender.send((True, step(*args)))
    except BaseException:  # noqa: BLE001 - every failure goes back to the parent, which raises it
        sender.send((False, traceback.format_exc()))
    finally:
        sender.close()
