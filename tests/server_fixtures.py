"""Test releases and real servers for the server tests (no mocks: a gunicorn subprocess over a real store).

``make_release`` writes ``DIR/releases/<id>/{store,build.json}`` and swaps ``DIR/current`` the way
``kg build`` does, from quads given here: the W3C protocol test data (each file in the named graph its
manifest label gives), a few articles shaped like the data model, and a filler graph that makes a
cross-product query run for ever. ``start_server`` runs ``python -m kg.server.serve`` on a free port and
waits for /health. Test modules load this file with ``pytest_plugins = ["tests.server_fixtures"]``
(and may import its data constants too: PYTEST_DONT_REWRITE, there are no assertions here to rewrite).
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests
from pyoxigraph import Literal, NamedNode, Quad, RdfFormat, Store, parse

from kg.iris import Minter
from kg.publish.layout import Layout
from kg.vocab import FABIO, PRO, RDF_TYPE, SCHEMA, XSD

ROOT = Path(__file__).resolve().parent.parent
W3C = ROOT / "tests" / "w3c" / "sparql11-protocol"
BASE = "https://kg.example.org"
KASEI = "http://kasei.us/2009/09/sparql/data/"
MARKER = NamedNode("http://example.org/test/release")  # <urn> MARKER "r1": which release answered
# Debian's chromium for the browser tests, started as this machine's closed network needs (no background
# connections, which it refuses many at a time)
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    """Debian's chromium through Playwright, one browser per test module (skipped where it is absent)."""
    if not os.path.exists(CHROMIUM):
        pytest.skip(f"{CHROMIUM} is absent (apt-get install chromium); CI installs it")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


# ---- data -------------------------------------------------------------------------------------------------


def w3c_quads() -> list[Quad]:
    """data1/2/3.nt in the graphs http://kasei.us/2009/09/sparql/data/dataN.rdf (the manifest's labels)."""
    quads = []
    for n in (1, 2, 3):
        graph = NamedNode(f"{KASEI}data{n}.rdf")
        for triple in parse(path=str(W3C / f"data{n}.nt"), format=RdfFormat.N_TRIPLES):
            quads.append(Quad(triple.subject, triple.predicate, triple.object, graph))
    return quads


@dataclass(frozen=True)
class Person:
    key: str
    name_en: str
    name_fa: str


PEOPLE = [
    Person("p-ahmadi", "Sara Ahmadi", "سارا احمدی"),
    Person("p-karimi", "Reza Karimi", "رضا کریمی"),
    Person("p-moradi", "Leila Moradi", "لیلا مرادی"),
]
# (journal issn, volume, issue, date, article code, English title, Persian title, keywords en, authors)
ARTICLES = [
    (
        "2476-6879",
        "10",
        "4",
        "2025-03-01",
        "A-10-968-1",
        "Big data in health care",
        "کلان‌داده در سلامت",
        ["big data", "health"],
        ["p-ahmadi", "p-karimi"],
    ),
    (
        "2476-6879",
        "10",
        "4",
        "2025-03-01",
        "A-10-968-2",
        "Rural water policy",
        "سیاست آب روستایی",
        ["water", "policy"],
        ["p-karimi"],
    ),
    (
        "2476-6879",
        "11",
        "1",
        "2025-06-01",
        "A-11-970-1",
        "Data sharing and health records",
        "اشتراک داده",
        ["data sharing", "health"],
        ["p-ahmadi", "p-moradi", "p-karimi"],
    ),
    (
        "2538-1563",
        "3",
        "2",
        "2024-11-20",
        "B-3-2-7",
        "Soil erosion models",
        "مدل‌های فرسایش خاک",
        ["soil", "erosion"],
        ["p-moradi"],
    ),
]
JOURNAL_NAMES = {"2476-6879": "Journal of Health Data", "2538-1563": "Range and Watershed"}


def scholarly_quads(base: str = BASE) -> list[Quad]:
    """A few articles in the data model's shape, one named graph per article (with the containers in it)."""
    mint = Minter(base)
    quads: list[Quad] = []
    for issn, volume_no, issue_no, date, code, title_en, title_fa, keywords, authors in ARTICLES:
        graph = mint.article_graph(issn, code)
        journal = mint.journal(issn)
        volume = mint.volume(issn, volume_no)
        issue = mint.issue(issn, volume_no, issue_no)
        article = mint.article(issn, code)
        day = Literal(date, datatype=XSD.date)
        triples = [
            (journal, RDF_TYPE, SCHEMA.Periodical),
            (journal, SCHEMA.name, Literal(JOURNAL_NAMES[issn], language="en")),
            (journal, SCHEMA.issn, Literal(issn)),
            (volume, RDF_TYPE, SCHEMA.PublicationVolume),
            (volume, SCHEMA.volumeNumber, Literal(volume_no)),
            (volume, SCHEMA.isPartOf, journal),
            (issue, RDF_TYPE, SCHEMA.PublicationIssue),
            (issue, SCHEMA.issueNumber, Literal(issue_no)),
            (issue, SCHEMA.isPartOf, volume),
            (issue, SCHEMA.datePublished, day),
            (article, RDF_TYPE, SCHEMA.ScholarlyArticle),
            (article, RDF_TYPE, FABIO.JournalArticle),
            (article, SCHEMA.headline, Literal(title_en, language="en")),
            (article, SCHEMA.headline, Literal(title_fa, language="fa")),
            (article, SCHEMA.isPartOf, issue),
            (article, SCHEMA.datePublished, day),
        ]
        triples += [(article, SCHEMA.keywords, Literal(k, language="en")) for k in keywords]
        for position, key in enumerate(authors, 1):
            person = mint.person_by_code("test", key)
            who = next(p for p in PEOPLE if p.key == key)
            role = mint.authorship(article, position)
            triples += [
                (article, SCHEMA.author, person),
                (article, PRO.isDocumentContextFor, role),
                (role, RDF_TYPE, PRO.RoleInTime),
                (role, PRO.withRole, PRO.author),
                (role, PRO.isHeldBy, person),
                (role, SCHEMA.position, Literal(str(position), datatype=XSD.integer)),
                (person, RDF_TYPE, SCHEMA.Person),
                (person, SCHEMA.name, Literal(who.name_en, language="en")),
                (person, SCHEMA.name, Literal(who.name_fa, language="fa")),
            ]
        quads += [Quad(s, p, o, graph) for s, p, o in triples]
    return quads


def filler_quads(count: int = 400) -> list[Quad]:
    """Enough triples that a four-way cross product never finishes (400**4 rows)."""
    graph = NamedNode(BASE + "/graph/test/filler")
    return [
        Quad(
            NamedNode(f"{BASE}/id/test/thing/{i}"),
            NamedNode("http://example.org/test/value"),
            Literal(str(i), datatype=XSD.integer),
            graph,
        )
        for i in range(count)
    ]


def marker_quads(release_id: str) -> list[Quad]:
    return [
        Quad(
            NamedNode("http://example.org/test/this-release"),
            MARKER,
            Literal(release_id),
            NamedNode(BASE + "/graph/test/release"),
        )
    ]


def standard_quads(release_id: str) -> list[Quad]:
    return w3c_quads() + scholarly_quads() + filler_quads() + marker_quads(release_id)


# ---- releases ---------------------------------------------------------------------------------------------


def publish(out_dir: Path, release_id: str) -> None:
    """Point DIR/current at releases/<id> atomically (a new symlink renamed over the old one)."""
    temporary = out_dir / f".current-{release_id}-{os.getpid()}"
    if temporary.is_symlink():
        temporary.unlink()
    os.symlink(Path("releases") / release_id, temporary)
    os.replace(temporary, out_dir / "current")


def make_release(out_dir: Path, release_id: str, quads: list[Quad], *, link: bool = True, base: str = BASE) -> Path:
    """Write DIR/releases/<id>/{store, build.json} like kg build, then (by default) publish it."""
    release = out_dir / "releases" / release_id
    (release / "dumps").mkdir(parents=True, exist_ok=True)
    store = Store(str(release / "store"))
    store.bulk_extend(quads)
    store.flush()
    del store
    graphs = {q.graph_name for q in quads}
    build = {"base": base, "release": release_id, "counts": {"quads": len(quads), "graphs": len(graphs)}, "dumps": []}
    (release / "build.json").write_text(json.dumps(build, indent=2), encoding="utf-8")
    if link:
        publish(out_dir, release_id)
    return release


# ---- servers ----------------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    return json.dumps(str(value))


def write_config(path: Path, settings: dict[str, dict[str, Any]]) -> Path:
    lines = []
    for section, values in settings.items():
        lines.append(f"[{section}]")
        lines += [f"{key} = {_toml_value(value)}" for key, value in values.items()]
        lines.append("")
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


@dataclass
class RunningServer:
    url: str
    process: subprocess.Popen[bytes]
    out_dir: Path
    log_path: Path

    @property
    def sparql(self) -> str:
        return self.url + "/sparql"

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def wait_for_current(self, seconds: float = 30.0) -> None:
        """Until the server serves the release ``current`` of its folder points at (it reloads within a
        second; longer on a busy machine)."""
        wanted = Layout(self.out_dir).current.resolve().name
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            answer = requests.get(self.url + "/dumps/", headers={"Accept": "application/json"}, timeout=10)
            if answer.status_code == 200 and answer.json()["release"] == wanted:
                return
            time.sleep(0.2)
        raise AssertionError(f"the server did not load {wanted}:\n{self.log()[-2000:]}")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)


DEFAULT_SETTINGS: dict[str, dict[str, Any]] = {
    "server": {"workers": 2, "threads": 4},
    "sparql": {
        "timeout": 2.0,
        "query_processes": 2,
        "max_query_length": 20000,
        "max_result_rows": 5000,
        "max_result_bytes": 2_000_000,
        "spool_threshold": 65536,
        "queue_timeout": 5.0,
    },
    "reload": {"interval": 0.3},
    "log": {"level": "INFO"},
}


def start_server(
    out_dir: Path, work: Path, settings: dict[str, dict[str, Any]] | None = None, wait: float = 60.0
) -> RunningServer:
    """``python -m kg.server.serve out_dir`` on a free port, ready when /health says so (or raises)."""
    merged = {section: dict(values) for section, values in DEFAULT_SETTINGS.items()}
    for section, values in (settings or {}).items():
        merged.setdefault(section, {}).update(values)
    port = free_port()
    work.mkdir(parents=True, exist_ok=True)
    config = write_config(work / f"kg-{port}.toml", merged)
    log_path = work / f"server-{port}.log"
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "kg.server.serve",
                str(out_dir),
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--config",
                str(config),
            ],
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    server = RunningServer(f"http://127.0.0.1:{port}", process, out_dir, log_path)
    try:
        wait_healthy(server.url, process, wait, server.log)
    except RuntimeError:
        server.stop()
        raise
    return server


def wait_healthy(url: str, process: subprocess.Popen, seconds: float, log: Callable[[], str] = str) -> None:
    """Return once ``url``/health answers 200; RuntimeError (with ``log()``) if the process exits or time ends."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited with {process.returncode}:\n{log()}")
        try:
            if requests.get(url + "/health", timeout=2).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"the server did not become healthy within {seconds} s:\n{log()}")


# ---- fixtures ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def sparql_release(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """DIR with one published release r1 of the standard test data."""
    out = tmp_path_factory.mktemp("kg-out")
    make_release(out, "r1", standard_quads("r1"))
    return out


@pytest.fixture(scope="session")
def sparql_server(sparql_release: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    """One server for the read-only tests: 2 workers, 2 query processes each, a 2 s time limit."""
    server = start_server(sparql_release, tmp_path_factory.mktemp("kg-server"))
    yield server
    server.stop()
