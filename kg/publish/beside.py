"""Running a build step in a forked child process, beside the main process's own work.

After the inputs are read, the release's steps that only read the graph files (the search index, the
OAI-PMH records) do not need the main process, which is busy writing the dumps and the store's default
graph: each runs in a child forked from it, so that both cores work. A forked child sees the build's state
as it was at the fork (nothing is pickled but the result); it must not touch the working store, which only
the main process writes, nor open any store: RocksDB's background thread pool is global to the process, and
a forked child that opens a store signals threads it does not have and hangs (seen in a test: the store
checks ran here for a while, and their child hung opening the release's checkpoint).

Where ``fork`` is missing (not Unix), or with ``inline=True``, the step runs at once in this process.
"""

from __future__ import annotations

import gc
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
        if inline or "fork" not in multiprocessing.get_all_start_methods():
            self._value = step(*args)
            return
        context = multiprocessing.get_context("fork")
        receiver, sender = context.Pipe(duplex=False)
        self._process = context.Process(target=_run, args=(sender, step, args), name=f"kg-{name}", daemon=True)
        # the build's objects as of now are frozen for the fork: the child's garbage collector leaves them
        # alone, so it does not write into (and so copy) every page of the parent's heap it shares
        gc.freeze()
        try:
            self._process.start()
        finally:
            gc.unfreeze()
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
