"""A build step run beside the main process (``kg.publish.beside``): its result, its failures, its death."""

from __future__ import annotations

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


def _anonymous_memory_mb() -> int:
    for line in open("/proc/self/status", encoding="ascii"):
        if line.startswith("RssAnon:"):
            return int(line.split()[1]) // 1024
    raise AssertionError("no RssAnon")


@pytest.mark.skipif(not os.path.exists("/proc/self/status"), reason="no /proc here")
def test_the_child_does_not_carry_the_parent_s_heap() -> None:
    """The child is a fresh process, not a fork: it holds none of the build's memory, which a forked child
    kept alive (and copied as either side wrote to it: 151 MB of the records' child at 50,000 articles)."""
    ballast = [bytes([n % 256]) * 1000 for n in range(300_000)]  # 300 MB of small objects, as a build's heap
    assert _anonymous_memory_mb() > 300
    assert Beside("memory", _anonymous_memory_mb).result() < 150
    del ballast
