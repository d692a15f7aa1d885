"""A build step run beside the main process (``kg.publish.beside``): its result, its failures, its death."""

from __future__ import annotations

import multiprocessing
import os

import pytest

from kg.publish.beside import Beside, StepFailed


def _square(value: int) -> int:
    return value * value


def _raises(message: str) -> None:
    raise ValueError(message)


def _dies() -> None:
    os._exit(7)  # as if killed: no result, no exception sent back


def _pid() -> int:
    return os.getpid()


def test_the_result_comes_back_from_another_process() -> None:
    assert Beside("square", _square, 12).result() == 144
    assert Beside("pid", _pid).result() != os.getpid()


def test_inline_runs_in_this_process() -> None:
    assert Beside("pid", _pid, inline=True).result() == os.getpid()


def test_an_exception_is_raised_in_the_parent_with_its_traceback() -> None:
    step = Beside("search", _raises, "the index is locked")
    with pytest.raises(StepFailed) as failure:
        step.result()
    assert "'search'" in str(failure.value)
    assert "ValueError: the index is locked" in str(failure.value)


def test_a_child_that_dies_is_a_failure_not_a_hang() -> None:
    with pytest.raises(StepFailed, match="ended without a result"):
        Beside("records", _dies).result()


def _sleeps() -> None:
    import time

    time.sleep(60)


def test_cancel_stops_a_step_still_running() -> None:
    step = Beside("search", _sleeps)
    process = step._process
    step.cancel()
    assert process is not None and not process.is_alive()
    step.cancel()  # a second time: nothing left to stop


def _frozen_objects() -> int:
    import gc

    return gc.get_freeze_count()


@pytest.mark.skipif("fork" not in multiprocessing.get_all_start_methods(), reason="no fork here")
def test_the_child_s_collector_leaves_the_parent_s_objects_alone() -> None:
    """The parent's objects are frozen for the fork (``gc.freeze``): the child's garbage collector does not
    walk them, so it does not copy the pages it shares with the parent; the parent unfreezes at once."""
    import gc

    assert gc.get_freeze_count() == 0
    assert Beside("count", _frozen_objects).result() > 1000
    assert gc.get_freeze_count() == 0
