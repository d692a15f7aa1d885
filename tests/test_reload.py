"""Publishing a new release never interrupts service.

Two clients query in a loop while releases are published by swapping ``DIR/current`` (as ``kg build``
does): every query succeeds, the answers move to the new data, a broken release is not served (the
previous one stays), and a SIGHUP to the server (graceful worker restart) fails no request either.
"""

from __future__ import annotations

import json
import signal
import threading
import time
from pathlib import Path

import requests

from tests.server_fixtures import MARKER, make_release, marker_quads, publish, scholarly_quads, start_server

pytest_plugins = ["tests.server_fixtures"]

WHICH = f"SELECT ?release WHERE {{ ?s <{MARKER.value}> ?release }}"


class Clients:
    """Threads that query without pause and record (status, release) of every answer in order."""

    def __init__(self, url: str, count: int = 2) -> None:
        self.url = url
        self.answers: list[list[tuple[int, str | None, float]]] = [[] for _ in range(count)]
        self._stop = threading.Event()
        self._threads = [threading.Thread(target=self._run, args=(i,), daemon=True) for i in range(count)]
        for thread in self._threads:
            thread.start()

    def _run(self, index: int) -> None:
        session = requests.Session()
        while not self._stop.is_set():
            try:
                response = session.post(
                    self.url, data={"query": WHICH}, timeout=15, headers={"Accept": "application/sparql-results+json"}
                )
            except requests.RequestException as error:
                self.answers[index].append((0, repr(error), time.monotonic()))
                continue
            value = None
            if response.status_code == 200:
                bindings = response.json()["results"]["bindings"]
                value = ",".join(sorted(b["release"]["value"] for b in bindings))
            self.answers[index].append((response.status_code, value, time.monotonic()))

    def latest(self) -> set[str | None]:
        return {answers[-1][1] for answers in self.answers if answers}

    def wait_for(self, release: str, timeout: float = 15.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.latest() == {release}:
                return
            time.sleep(0.05)
        raise AssertionError(f"answers did not switch to {release}: {self.latest()}")

    def stop(self) -> list[list[tuple[int, str | None, float]]]:
        self._stop.set()
        for thread in self._threads:
            thread.join()
        return self.answers


def _release(out: Path, release_id: str) -> None:
    make_release(out, release_id, scholarly_quads() + marker_quads(release_id))


def test_publishing_releases_under_load(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    _release(out, "r1")
    server = start_server(out, tmp_path / "work", {"server": {"workers": 2, "threads": 4}, "reload": {"interval": 0.2}})
    clients = Clients(server.sparql)
    try:
        clients.wait_for("r1")
        time.sleep(0.5)
        _release(out, "r2")
        clients.wait_for("r2")
        time.sleep(0.5)

        # a broken release: its store cannot be opened; r2 stays served
        broken = out / "releases" / "r3"
        (broken / "store").mkdir(parents=True)
        (broken / "store" / "CURRENT").write_text("not a store\n")
        (broken / "build.json").write_text(json.dumps({"release": "r3", "base": "https://kg.example.org"}))
        publish(out, "r3")
        time.sleep(1.5)
        assert clients.latest() == {"r2"}
        deadline = time.monotonic() + 30  # each worker tries r3 on its own watcher's next tick (slow when busy)
        while True:
            health = requests.get(server.url + "/health", timeout=10).json()
            assert health["status"] == "ok" and health["release"] == "r2", health
            if "r3" in health.get("last_error", ""):
                break
            assert time.monotonic() < deadline, health
            time.sleep(0.2)

        # a release without build.json (an interrupted copy) is not served either
        (out / "releases" / "r4" / "store").mkdir(parents=True)
        publish(out, "r4")
        time.sleep(1.0)
        assert clients.latest() == {"r2"}

        _release(out, "r5")
        clients.wait_for("r5")

        # SIGHUP: gunicorn replaces its workers gracefully; they come up on the current release
        server.process.send_signal(signal.SIGHUP)
        time.sleep(3.0)
        clients.wait_for("r5")
    finally:
        answers = clients.stop()
        server.stop()

    for stream in answers:
        assert len(stream) > 50, "the clients kept querying"
        failures = [answer for answer in stream if answer[0] != 200]
        assert not failures, f"failed requests during the switches: {failures[:5]}"
        assert {value for _, value, _ in stream} == {"r1", "r2", "r5"}
        # answers move forward: each web worker switches on its own, so for a moment two workers may
        # serve neighbouring releases, but never an older release once a newer one was seen for 2 s
        ranks = [(("r1", "r2", "r5").index(value), at) for _, value, at in stream]
        for rank, at in ranks:
            assert all(later_rank >= rank for later_rank, later in ranks if later > at + 2.0)
