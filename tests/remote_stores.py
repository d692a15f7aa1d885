"""Real SPARQL engines for the remote-store tests: the Oxigraph server and Virtuoso, started on free ports.

Nothing here is a mock: ``start_oxigraph`` runs ``oxigraph serve`` (the ``oxigraph`` package, a test
dependency) over a folder, ``start_virtuoso`` runs Debian's ``virtuoso-t`` with a copy of the packaged
``virtuoso.ini`` whose files all live in a temporary folder and whose two ports are free. Each returns an
:class:`Engine` that can be stopped (SIGKILL: the tests kill stores) and started again over the same data.
"""

from __future__ import annotations

import glob
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import requests

from tests.server_fixtures import free_port

VIRTUOSO = shutil.which("virtuoso-t")
VIRTUOSO_USER = ("dba", "dba")  # the packaged database's administrator (a fresh database in a temp folder)
# The graphs a fresh Virtuoso database holds of its own: in its default graph (the union of all graphs), where
# kg's statistics count them. Virtuoso's pragma "DEFINE input:default-graph-exclude <g>" (store.query_prologue)
# would keep them out, but Virtuoso 7.2 then answers GRAPH <g> patterns wrongly (ASK on an empty graph is
# true), so the tests do not use it and leave out the one test that counts the whole default graph.
VIRTUOSO_GRAPHS = [
    "http://www.openlinksw.com/schemas/virtrdf#",
    "http://www.w3.org/ns/ldp#",
    "http://www.w3.org/2002/07/owl#",
    "http://localhost:8890/sparql",
    "http://localhost:8890/DAV/",
]


@dataclass
class Engine:
    """A running store: ``query_url`` for SPARQL queries, ``update_url``/``gsp_url`` for writes."""

    name: str
    command: list[str]
    folder: Path
    port: int
    query_url: str
    update_url: str
    gsp_url: str
    credentials: tuple[str, str] | None = None
    prologue: str = ""  # store.query_prologue for front ends over this engine
    ready_seconds: float = 60.0
    process: subprocess.Popen[bytes] | None = field(default=None, repr=False)

    @property
    def log_path(self) -> Path:
        return self.folder / f"{self.name}.out"

    def start(self) -> Engine:
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(
                self.command, cwd=self.folder, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )
        deadline = time.monotonic() + self.ready_seconds
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited with {self.process.returncode}: {self.log()}")
            try:
                answer = requests.get(
                    self.query_url,
                    params={"query": "ASK {}"},
                    headers={"Accept": "application/sparql-results+json"},
                    timeout=2,
                )
                if answer.status_code == 200 and "json" in answer.headers.get("Content-Type", ""):
                    return self
            except requests.RequestException:
                pass
            time.sleep(0.3)
        self.stop()
        raise RuntimeError(f"{self.name} did not answer within {self.ready_seconds} s: {self.log()}")

    def stop(self, kill: bool = False) -> None:
        process = self.process
        if process is None or process.poll() is not None:
            return
        process.send_signal(signal.SIGKILL if kill else signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)

    def log(self) -> str:
        try:
            return self.log_path.read_text(encoding="utf-8", errors="replace")[-3000:]
        except OSError:
            return ""


def oxigraph_engine(folder: Path, port: int | None = None) -> Engine:
    """``oxigraph serve`` over ``folder/data`` with the union default graph (as kg's embedded store serves)."""
    folder.mkdir(parents=True, exist_ok=True)
    port = port or free_port()
    binary = str(Path(sys.executable).parent / "oxigraph")
    if not os.path.exists(binary):
        binary = shutil.which("oxigraph") or "oxigraph"
    url = f"http://127.0.0.1:{port}"
    return Engine(
        "oxigraph",
        # the store's own time limit ends a query kg gave up on (kg's sparql.timeout is shorter in the tests)
        [binary, "serve", "--location", str(folder / "data"), "--bind", f"127.0.0.1:{port}", "--timeout-s", "10"],
        folder,
        port,
        query_url=f"{url}/query",
        update_url=f"{url}/update",
        gsp_url=f"{url}/store",
    )


def _virtuoso_ini() -> Path:
    found = sorted(glob.glob("/etc/virtuoso-opensource-*/virtuoso.ini"))
    if not found:
        raise FileNotFoundError("no /etc/virtuoso-opensource-*/virtuoso.ini (apt-get install virtuoso-opensource)")
    return Path(found[-1])


def virtuoso_engine(folder: Path) -> Engine:
    """Debian's Virtuoso with its database, temp database, transaction, lock and log files in ``folder``."""
    if VIRTUOSO is None:
        raise FileNotFoundError("virtuoso-t is not installed (apt-get install virtuoso-opensource)")
    folder.mkdir(parents=True, exist_ok=True)
    sql_port, http_port = free_port(), free_port()
    replacements = {
        ("Database", "DatabaseFile"): folder / "virtuoso.db",
        ("Database", "ErrorLogFile"): folder / "virtuoso.log",
        ("Database", "LockFile"): folder / "virtuoso.lck",
        ("Database", "TransactionFile"): folder / "virtuoso.trx",
        ("Database", "xa_persistent_file"): folder / "virtuoso.pxa",
        ("TempDatabase", "DatabaseFile"): folder / "virtuoso-temp.db",
        ("TempDatabase", "TransactionFile"): folder / "virtuoso-temp.trx",
        ("Parameters", "ServerPort"): sql_port,
        ("HTTPServer", "ServerPort"): http_port,
        # the packaged limits refuse results and sorts past 10,000 rows (kg's own limits apply in front)
        ("SPARQL", "ResultSetMaxRows"): 1_000_000,
        ("Parameters", "MaxSortedTopRows"): 1_000_000,
        ("SPARQL", "MaxQueryExecutionTime"): 10,  # seconds: ends a query kg gave up on
    }
    lines = []
    section = ""
    for line in _virtuoso_ini().read_text(encoding="utf-8", errors="replace").splitlines():
        stripped = line.strip()
        if stripped.startswith("[") and stripped.endswith("]"):
            section = stripped[1:-1]
        key = stripped.split("=", 1)[0].strip() if "=" in stripped and not stripped.startswith(";") else ""
        if (section, key) in replacements:
            line = f"{key} = {replacements[(section, key)]}"
        lines.append(line)
        if stripped == "[Parameters]":  # not in the packaged file: added
            lines.append(f"MaxSortedTopRows = {replacements[('Parameters', 'MaxSortedTopRows')]}")
    ini = folder / "virtuoso.ini"
    ini.write_text("\n".join(lines) + "\n", encoding="utf-8")
    url = f"http://127.0.0.1:{http_port}"
    return Engine(
        "virtuoso",
        [VIRTUOSO, "+foreground", "+configfile", str(ini)],
        folder,
        http_port,
        query_url=f"{url}/sparql",
        update_url=f"{url}/sparql-auth",
        gsp_url=f"{url}/sparql-graph-crud-auth",
        credentials=VIRTUOSO_USER,
        ready_seconds=120.0,
    )


class CountingProxy:
    """A real HTTP proxy in front of a store that records every request (method, path and query) it passes on:
    how the tests count what ``kg publish`` sends."""

    def __init__(self, target: str) -> None:
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
        from urllib.parse import urlsplit

        self.requests: list[tuple[str, str]] = []
        self.bodies: list[bytes] = []  # the body of each request, in the order of ``requests``
        upstream = urlsplit(target)
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _forward(self) -> None:
                import http.client

                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else None
                proxy.bodies.append(body or b"")
                proxy.requests.append((self.command, self.path))
                connection = http.client.HTTPConnection(upstream.hostname, upstream.port, timeout=60)
                headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "connection")}
                connection.request(self.command, self.path, body=body, headers=headers)
                answer = connection.getresponse()
                data = answer.read()
                self.send_response(answer.status)
                for key, value in answer.getheaders():
                    if key.lower() not in ("transfer-encoding", "connection", "content-length"):
                        self.send_header(key, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
                connection.close()

            do_GET = do_POST = do_PUT = do_DELETE = _forward

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
