"""``kg demo`` and ``kg serve`` from the command line: the demo's IRIs resolve where it serves, it says where
to open it, stops promptly on Ctrl-C, and a taken port is reported with what to do."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests

from tests.server_fixtures import free_port, wait_healthy

KG = [sys.executable, "-m", "kg.cli"]


def test_kg_demo_mints_where_it_serves_and_stops_on_ctrl_c(tmp_path: Path) -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log = tmp_path / "demo.log"
    with open(log, "wb") as output:
        process = subprocess.Popen(
            [*KG, "demo", "--out", str(tmp_path / "out"), "--port", str(port), "--quiet"],
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        wait_healthy(url, process, 180)
        said = log.read_text(encoding="utf-8", errors="replace")
        assert f"{url}/ " in said and f"{url}/sparql" not in said  # it says to open the landing page
        # every IRI resolves: the one an article page shows is where it is served
        answer = requests.get(
            url + "/sparql",
            params={"query": "SELECT ?a WHERE { ?a a <http://schema.org/ScholarlyArticle> } LIMIT 1"},
            headers={"Accept": "application/sparql-results+json"},
            timeout=30,
        )
        article = answer.json()["results"]["bindings"][0]["a"]["value"]
        assert article.startswith(url + "/id/")
        assert requests.get(article, timeout=10).status_code == 200
        # Ctrl-C (SIGINT to the process group, as a terminal sends it) stops it within a few seconds
        started = time.monotonic()
        os.killpg(process.pid, signal.SIGINT)
        process.wait(timeout=30)
        assert time.monotonic() - started < 10, "the workers must not wait for the graceful timeout"
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def test_a_taken_port_says_to_use_another(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        for command in (["serve", str(tmp_path)], ["demo", "--out", str(tmp_path / "out")]):
            result = subprocess.run([*KG, *command, "--port", str(port)], capture_output=True, text=True, timeout=60)
            assert result.returncode == 3, (command, result.stderr)
            assert f"port {port}" in result.stderr and "--port" in result.stderr, result.stderr
            assert "Retrying" not in result.stderr  # gunicorn never got to try
        assert not (tmp_path / "out").exists()  # the demo checked before building


def test_kg_help_says_what_kg_is() -> None:
    result = subprocess.run([*KG, "--help"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0
    text = " ".join(result.stdout.split())
    assert "linked open data" in text and "thin argument parsing" not in text
