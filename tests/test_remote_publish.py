"""``kg publish --to`` and ``kg serve --store`` together, over a real Oxigraph server started by the tests.

* a second publish after one input changed sends only that article's graph and the release marker (counted at
  a proxy in front of the store), and a front end under a query loop switches to the new data with no
  failed request;
* a publish that died half-way is finished by running it again; a withdrawn graph is deleted from the store;
* killing the store gives 503 with Retry-After within the configured time, /health says why, and restarting
  the store brings the front end back without restarting it;
* two front ends over one store answer identically;
* two builds of disjoint halves of the inputs, published into one store, give the graphs of one build of all;
* the store's default graph is the release's merged graph (each triple once), also after a republish that
  changed one article, and a publish that died before its marker (or within the default graph) is finished by
  running it again.
"""

from __future__ import annotations

import gzip
import json
import re
import shutil
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import rdflib
import requests
from pyoxigraph import RdfFormat, Triple, parse
from rdflib.compare import isomorphic

from kg.build import BuildOptions, build
from kg.publish.dump_parts import MANIFEST
from kg.publish.graphs import GraphFiles
from kg.publish.marker import MARKER_QUERY
from kg.publish.remote import PublishError, PublishOptions, _Sender, publish, resolve_method
from kg.publish.remote_state import current_graphs
from tests.conftest import CORPUS, TEST_SECRET
from tests.remote_stores import CountingProxy, Engine, oxigraph_engine
from tests.server_fixtures import RunningServer, start_server

pytestmark = pytest.mark.slow
BASE = "https://kg.example.org"
FILES = sorted(CORPUS.glob("*.xml"))[:6]
CHANGED = FILES[2]
SECTION = "<subject>Special</subject>"
RENAMED_Q = 'SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o FILTER(STR(?o) = "A section renamed") }'
TITLES_Q = "SELECT ?t WHERE { ?a a <http://schema.org/ScholarlyArticle> ; <http://schema.org/headline> ?t }"


def build_into(out: Path, inputs: list[Path]) -> None:
    options = BuildOptions(base=BASE, secret=TEST_SECRET.encode(), validate=False, progress=False)
    report = build(inputs, out, options)
    assert report.exit_code == 0, report


def front_end(engine: Engine, work: Path, **store: object) -> RunningServer:
    settings = {
        "store": {"url": engine.query_url, "connect_timeout": 1.0, **store},
        "sparql": {"timeout": 3.0, "queue_timeout": 3.0},
        "server": {"workers": 1, "threads": 4, "public_url": BASE.replace("https", "http")},
        "reload": {"interval": 0.2},
    }
    return start_server(work / "empty", work / f"front-{time.monotonic_ns()}", settings)


def select(server: RunningServer, query: str) -> requests.Response:
    return requests.get(
        server.sparql, params={"query": query}, headers={"Accept": "application/sparql-results+json"}, timeout=10
    )


def graphs_of(proxy: CountingProxy) -> list[tuple[str, str]]:
    """What the store was asked to do to which graph, from the requests and their bodies seen at the proxy:
    ("PUT"/"DELETE", graph) for the Graph Store Protocol, ("DROP", graph) for each graph a SPARQL Update drops,
    ("ADD", graph) for each graph with quads in an N-Quads POST, ("UPDATE", graph) for each INSERT DATA."""
    out = []
    for (method, path), body in zip(proxy.requests, proxy.bodies, strict=True):
        text = body.decode("utf-8")
        if "FILTER NOT EXISTS { GRAPH ?g" in text:  # triples out of the default graph (kg.publish.remote_default)
            out.append(("DEFAULT-", "(default)"))
        elif method == "POST" and "default" in parse_qs(urlsplit(path).query, keep_blank_values=True):
            out.append(("DEFAULT+", "(default)"))  # triples into the default graph
        elif urlsplit(path).path.endswith("/update"):
            out += [("DROP", g) for g in re.findall(r"DROP SILENT GRAPH <([^>]+)>", text)]
            out += [("UPDATE", g) for g in re.findall(r"INSERT DATA \{ GRAPH <([^>]+)>", text)]
        elif method == "POST":
            added = dict.fromkeys(line.rsplit(" <", 1)[1].rstrip(" .>") for line in text.splitlines() if line)
            out += [("ADD", g) for g in added]
        else:
            query = parse_qs(urlsplit(path).query, keep_blank_values=True)
            out.append((method, query.get("graph", ["(default)"])[0]))
    return out


def merged_parts(out: Path) -> dict[str, dict]:
    """The build's dump parts (one per journal, one for the run records): one default graph request each."""
    return json.loads((out / "dump-parts" / MANIFEST).read_text(encoding="utf-8"))["parts"]


def merged_graph(out: Path) -> set[Triple]:
    """The release's merged default graph: its N-Triples dump, each triple once."""
    return set(parse(gzip.decompress((out / "current" / "dumps" / "kg.nt.gz").read_bytes()), RdfFormat.N_TRIPLES))


def default_graph(engine: Engine) -> set[Triple]:
    """The store's own default graph (asked without the union option)."""
    query = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"
    answer = requests.post(
        engine.query_url, data={"query": query}, headers={"Accept": "application/n-triples"}, timeout=60
    )
    assert answer.status_code == 200, answer.text
    triples = list(parse(answer.content, RdfFormat.N_TRIPLES))
    assert len(triples) == len(set(triples))
    return set(triples)


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    running = oxigraph_engine(tmp_path / "store").start()
    yield running
    running.stop(kill=True)


@pytest.fixture
def inputs(tmp_path: Path) -> Path:
    folder = tmp_path / "inputs"
    folder.mkdir()
    for path in FILES:
        shutil.copy(path, folder / path.name)
    return folder


def test_second_publish_sends_only_the_changed_graph_and_a_front_end_switches_without_failures(
    engine: Engine, inputs: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    build_into(out, [inputs])
    proxy = CountingProxy(engine.gsp_url.rsplit("/", 1)[0])
    try:
        target = proxy.url + "/store"
        first = publish(out, PublishOptions(target=target, connections=3, dumps_to=tmp_path / "dumps"))
        # a first publish (the default for a .../store URL: N-Quads batches of 50): the articles in one
        # request, the default graph a request per dump part, the marker last, nothing dropped
        parts = len(merged_parts(out))
        assert first.sent == len(FILES) + 1 and first.requests == len(proxy.requests) == 2 + parts
        named = [sent for sent in graphs_of(proxy) if sent[0] != "DEFAULT+"]
        assert sorted(named) == sorted(("ADD", g) for g in current_graphs(out / "graphs"))
        assert all("no_transaction" in path for _, path in proxy.requests)  # auto: the bulk loader
        assert graphs_of(proxy)[-1] == ("ADD", BASE + "/graph/runs")
        server = front_end(engine, tmp_path, dumps=str(tmp_path / "dumps"))
        try:
            assert requests.get(server.url + "/health", timeout=5).json()["release"] == first.release
            assert select(server, RENAMED_Q).json()["results"]["bindings"][0]["n"]["value"] == "0"

            # one input changes: the section its article is filed under
            path = inputs / CHANGED.name
            text = path.read_text(encoding="utf-8")
            assert SECTION in text
            path.write_text(text.replace(SECTION, "<subject>A section renamed</subject>", 1), encoding="utf-8")
            build_into(out, [inputs])

            statuses: list[int] = []
            releases: set[str] = set()
            errors: list[str] = []  # a request that raised (a timeout on a busy machine) is a failure too
            stop = threading.Event()

            def loop() -> None:  # a client under load while the new release is published
                while not stop.is_set():
                    try:
                        answer = select(server, TITLES_Q)
                        statuses.append(answer.status_code)
                        releases.add(answer.headers.get("X-KG-Release", ""))
                        page = requests.get(server.url + "/", timeout=30)
                        statuses.append(page.status_code)
                    except requests.RequestException as error:
                        errors.append(repr(error))

            proxy.requests.clear()
            proxy.bodies.clear()
            client = threading.Thread(target=loop)
            client.start()
            try:
                second = publish(out, PublishOptions(target=target, connections=3, dumps_to=tmp_path / "dumps"))
                # the watcher reads the marker every 0.2 s; a shared CI machine can stall it for seconds
                deadline = time.monotonic() + 45
                while time.monotonic() < deadline and second.release not in releases and not errors:
                    time.sleep(0.1)
            finally:
                stop.set()
                client.join()
            # the changed graph replaced (dropped, added), its journal part's difference in the default graph
            # (added and removed lines) and the runs part's (a run added), then the marker
            sent = graphs_of(proxy)
            named = [one for one in sent if not one[0].startswith("DEFAULT")]
            assert [method for method, _ in named] == ["DROP", "ADD", "DROP", "ADD"], sent
            assert named[0][1] == named[1][1] and "/article/" in named[0][1]
            assert sent[-2:] == named[2:] and named[2][1] == named[3][1] == BASE + "/graph/runs"
            assert sorted(m for m, _ in sent if m.startswith("DEFAULT")) == ["DEFAULT+"] * 2 + ["DEFAULT-"]
            assert len(proxy.requests) == second.requests == 7
            assert second.sent == 2 and second.unchanged == len(FILES) - 1
            assert not errors, errors
            assert statuses and set(statuses) == {200}, statuses
            health = requests.get(server.url + "/health", timeout=10).json()
            assert second.release in releases, (releases, health)
            renamed = select(server, RENAMED_Q).json()["results"]["bindings"]
            assert renamed and renamed[0]["n"]["value"] != "0"
        finally:
            server.stop()
    finally:
        proxy.close()


def test_an_interrupted_publish_finishes_when_run_again_and_withdrawn_graphs_are_deleted(
    engine: Engine, inputs: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    build_into(out, [inputs])
    original = _Sender.send
    calls = {"n": 0}

    def failing_send(self: _Sender, *args: object, **kwargs: object) -> None:
        calls["n"] += 1
        original(self, *args, **kwargs)  # type: ignore[arg-type]
        if calls["n"] > 2:  # the store got it, the answer was lost: the publisher cannot know
            raise PublishError("the store went away")

    monkeypatch.setattr(_Sender, "send", failing_send)
    with pytest.raises(PublishError, match="run kg publish again"):  # N-Quads batches of 2: the third fails
        publish(out, PublishOptions(target=engine.gsp_url, connections=1, batch=2))
    monkeypatch.setattr(_Sender, "send", original)
    finished = publish(out, PublishOptions(target=engine.gsp_url, connections=2, batch=2))
    assert finished.sent == len(FILES) + 1 - 4  # what the first run did not record as sent, and the marker
    # the batch whose answer was lost is dropped before it is added again: no quad twice, none stale
    quads = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
    answer = requests.post(engine.query_url, data={"query": quads}, headers={"Accept": "text/csv"}, timeout=10)
    dump = gzip.decompress((out / "current" / "dumps" / "kg.nq.gz").read_bytes()).splitlines()
    assert answer.text.split()[-1] == str(len(dump))
    count = "SELECT (COUNT(DISTINCT ?g) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
    answer = requests.post(engine.query_url, data={"query": count}, headers={"Accept": "text/csv"}, timeout=10)
    assert answer.text.split()[-1] == str(len(FILES) + 1)

    # an article withdrawn, as a build records it (an empty current copy): its graph leaves the store
    files = GraphFiles(out / "graphs")
    withdrawn = next(name for name in files.current if "/article/" in name)
    files.write({withdrawn: b""})
    with pytest.raises(PublishError, match="does not match the graph files"):  # no build made its dump parts
        publish(out, PublishOptions(target=engine.gsp_url))
    third = publish(out, PublishOptions(target=engine.gsp_url, default_graph=False))
    assert third.deleted == 1 and third.sent == 0
    answer = requests.post(engine.query_url, data={"query": count}, headers={"Accept": "text/csv"}, timeout=10)
    assert answer.text.split()[-1] == str(len(FILES)), (third, answer.text)


def test_killed_store_gives_503_with_retry_after_and_the_front_end_recovers(
    engine: Engine, inputs: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    build_into(out, [inputs])
    publish(out, PublishOptions(target=engine.gsp_url))
    server = front_end(engine, tmp_path)
    try:
        article = select(server, "SELECT ?a WHERE { ?a a <http://schema.org/ScholarlyArticle> } LIMIT 1")
        page = server.url + "/en/doc" + article.json()["results"]["bindings"][0]["a"]["value"][len(BASE) + 3 :]
        assert requests.get(page, timeout=10).status_code == 200
        engine.stop(kill=True)
        for url in (server.url + "/sparql?query=" + requests.utils.quote(TITLES_Q + " LIMIT 2"), page):
            started = time.monotonic()
            accept = "text/html" if url == page else "application/sparql-results+json"
            answer = requests.get(url, headers={"Accept": accept}, timeout=30)
            took = time.monotonic() - started
            assert answer.status_code == 503, (url, answer.status_code, answer.text)
            assert answer.headers.get("Retry-After"), url
            assert took < 3.0 + 1.0, took  # never past the configured time limit
        health = requests.get(server.url + "/health", timeout=5)
        assert health.status_code == 503 and "unavailable" in health.json()["reason"]

        engine.start()  # same port, same data
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and requests.get(server.url + "/health", timeout=5).status_code != 200:
            time.sleep(0.2)
        assert requests.get(server.url + "/health", timeout=5).status_code == 200
        assert select(server, TITLES_Q).status_code == 200
        assert requests.get(page, timeout=10).status_code == 200
    finally:
        server.stop()


def test_two_front_ends_answer_identically(engine: Engine, inputs: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    build_into(out, [inputs])
    publish(out, PublishOptions(target=engine.gsp_url, dumps_to=tmp_path / "dumps"))
    one, two = (front_end(engine, tmp_path, dumps=str(tmp_path / "dumps")) for _ in range(2))
    try:
        article = select(one, "SELECT ?a WHERE { ?a a <http://schema.org/ScholarlyArticle> } ORDER BY ?a LIMIT 1")
        path = article.json()["results"]["bindings"][0]["a"]["value"][len(BASE) :]
        paths = [
            ("/", "text/html"),
            ("/en/doc" + path[3:], "text/html"),
            ("/fa/doc" + path[3:], "text/html"),
            ("/doc" + path[3:], "text/turtle"),
            ("/doc" + path[3:], "application/ld+json"),
            ("/sparql?query=" + requests.utils.quote(TITLES_Q + " ORDER BY ?t"), "text/csv"),
            ("/sitemap.xml", "application/xml"),
        ]
        for url, accept in paths:
            a = requests.get(one.url + url, headers={"Accept": accept}, timeout=10)
            b = requests.get(two.url + url, headers={"Accept": accept}, timeout=10)
            assert a.status_code == b.status_code == 200, (url, a.status_code, b.status_code)
            assert a.content == b.content, url
            assert a.headers.get("ETag") == b.headers.get("ETag"), url
        # VoID names its partitions with blank nodes, whose labels differ per process: the same graph
        one_void, two_void = (
            rdflib.Graph().parse(data=requests.get(s.url + "/.well-known/void", timeout=30).text, format="turtle")
            for s in (one, two)
        )
        assert len(one_void) > 100 and isomorphic(one_void, two_void)
    finally:
        one.stop()
        two.stop()


def test_two_half_builds_published_into_one_store_equal_one_build_of_everything(tmp_path: Path) -> None:
    half = len(FILES) // 2
    build_into(tmp_path / "a", FILES[:half])
    build_into(tmp_path / "b", FILES[half:])
    build_into(tmp_path / "all", FILES)
    sharded = oxigraph_engine(tmp_path / "sharded").start()
    whole = oxigraph_engine(tmp_path / "whole").start()
    try:
        publish(tmp_path / "a", PublishOptions(target=sharded.gsp_url))
        publish(tmp_path / "b", PublishOptions(target=sharded.gsp_url))
        publish(tmp_path / "all", PublishOptions(target=whole.gsp_url))
        # every quad outside the run records (each build's own provenance: times and ids differ)
        query = f"SELECT ?g ?s ?p ?o WHERE {{ GRAPH ?g {{ ?s ?p ?o }} FILTER(?g != <{BASE}/graph/runs>) }}"

        def quads(engine: Engine) -> set[str]:
            answer = requests.post(
                engine.query_url, data={"query": query}, headers={"Accept": "text/tab-separated-values"}, timeout=30
            )
            assert answer.status_code == 200, answer.text
            return set(answer.text.splitlines()[1:])

        together, apart = quads(whole), quads(sharded)
        assert len(together) > 500
        assert apart == together

        # and the merged default graphs, but for the run records, about runs and graphs (each folder removes
        # only what it published itself: the first half's records stay in the default graph)
        def data(triples: set) -> set:
            return {t for t in triples if not t.subject.value.startswith((BASE + "/id/run/", BASE + "/graph/"))}

        merged = data(default_graph(whole))
        assert len(merged) > 400
        assert data(default_graph(sharded)) == merged
    finally:
        sharded.stop(kill=True)
        whole.stop(kill=True)


def test_sparql_update_publishes_the_same_quads_as_the_graph_store_protocol(
    engine: Engine, inputs: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    build_into(out, [inputs])
    report = publish(out, PublishOptions(target=engine.update_url, method="update", batch=3, connections=2))
    assert report.sent == len(FILES) + 1 and report.requests == 3  # 6 articles in 2 batches, then the marker
    query = "SELECT ?g ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } }"
    answer = requests.post(
        engine.query_url, data={"query": query}, headers={"Accept": "text/tab-separated-values"}, timeout=30
    )
    dump = gzip.decompress((out / "current" / "dumps" / "kg.nq.gz").read_bytes()).decode("utf-8").splitlines()
    assert len(answer.text.splitlines()) - 1 == len(dump)
    again = publish(out, PublishOptions(target=engine.update_url, method="update", resend=True))
    assert again.sent == len(FILES) + 1
    answer = requests.post(
        engine.query_url, data={"query": query}, headers={"Accept": "text/tab-separated-values"}, timeout=30
    )
    assert len(answer.text.splitlines()) - 1 == len(dump)  # replaced, not added twice
    assert not default_graph(engine)  # the merged graph only when asked for, with --method update

    merged = publish(out, PublishOptions(target=engine.update_url, method="update", default_graph=True))
    assert merged.sent == 0 and merged.default_added >= len(merged_graph(out))  # INSERT DATA
    assert default_graph(engine) == merged_graph(out)


@pytest.mark.parametrize("method", ["gsp", "update", "nquads", "nquads+bulk"])
def test_each_method_sends_only_the_changed_graphs(method: str, engine: Engine, inputs: Path, tmp_path: Path) -> None:
    """Counted at the store for every method: a first publish writes every graph (in batches where the method
    has them), a second after one input changed writes that article's graph and the marker, nothing else."""
    out = tmp_path / "out"
    build_into(out, [inputs])
    proxy = CountingProxy(engine.gsp_url.rsplit("/", 1)[0])
    target = proxy.url + ("/update" if method == "update" else "/store")
    try:
        options = PublishOptions(target=target, method=method.split("+")[0], batch=4, bulk="bulk" in method)
        first = publish(out, options)
        written = [g for verb, g in graphs_of(proxy) if verb in ("ADD", "PUT", "UPDATE")]
        assert sorted(written) == sorted(current_graphs(out / "graphs")) and written[-1] == BASE + "/graph/runs"
        parts = len(merged_parts(out)) if method.startswith("nquads") else 0  # the default graph: nquads only
        assert first.requests == len(proxy.requests) == (7 if method == "gsp" else 3 + parts)
        assert sum(verb == "DEFAULT+" for verb, _ in graphs_of(proxy)) == parts
        path = inputs / CHANGED.name
        path.write_text(path.read_text(encoding="utf-8").replace(SECTION, "<subject>Renamed</subject>", 1), "utf-8")
        build_into(out, [inputs])
        proxy.requests.clear()
        proxy.bodies.clear()
        second = publish(out, options)
        written = [g for verb, g in graphs_of(proxy) if verb in ("ADD", "PUT", "UPDATE")]
        assert len(written) == 2 and "/article/" in written[0] and written[1] == BASE + "/graph/runs", written
        assert second.sent == 2 and second.unchanged == len(FILES) - 1
        if method.startswith("nquads"):  # what the store held of them was dropped first
            assert [g for verb, g in graphs_of(proxy) if verb == "DROP"] == written
            assert default_graph(engine) == merged_graph(out)
    finally:
        proxy.close()
    query = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
    answer = requests.post(engine.query_url, data={"query": query}, headers={"Accept": "text/csv"}, timeout=10)
    dump = gzip.decompress((out / "current" / "dumps" / "kg.nq.gz").read_bytes()).splitlines()
    assert answer.text.split()[-1] == str(len(dump))  # replaced, not added to


def test_auto_method_is_nquads_for_an_oxigraph_store_url_and_gsp_elsewhere() -> None:
    assert resolve_method(PublishOptions(target="http://db:7878/store")) == "nquads"
    assert resolve_method(PublishOptions(target="http://db:8890/sparql-graph-crud-auth")) == "gsp"
    assert resolve_method(PublishOptions(target="http://db:7878/store", method="gsp")) == "gsp"


def test_the_default_graph_is_the_merged_graph_and_a_crash_before_the_marker_finishes_when_run_again(
    engine: Engine, inputs: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """COUNT(*) over the store's default graph is the embedded store's; after a republish that changed one
    article the default graph equals the new release's merged graph; a publish that dies within the default
    graph, or between it and the marker, is finished by running it again."""
    out = tmp_path / "out"
    build_into(out, [inputs])
    first = publish(out, PublishOptions(target=engine.gsp_url))
    merged = merged_graph(out)
    assert default_graph(engine) == merged and first.default_added >= len(merged) and not first.default_removed
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    answer = requests.post(engine.query_url, data={"query": count}, headers={"Accept": "text/csv"}, timeout=10)
    embedded = json.loads((out / "current" / "build.json").read_text(encoding="utf-8"))["counts"]
    assert int(answer.text.split()[-1]) == embedded["default_graph_triples"] == len(merged)

    # one article changes; the publish dies on its first default graph request, then on the marker
    path = inputs / CHANGED.name
    path.write_text(path.read_text(encoding="utf-8").replace(SECTION, "<subject>Renamed</subject>", 1), "utf-8")
    build_into(out, [inputs])
    original = _Sender.send
    fail = {"default": 1, "marker": 1}

    def failing_send(self: _Sender, method: str, params: dict | None, body: bytes | None, *rest, **kw) -> None:
        if params and "default" in params and fail["default"]:
            fail["default"] -= 1
            raise PublishError("the store went away")
        if body and b"/graph/runs> .\n" in body and not (params and "default" in params) and fail["marker"]:
            fail["marker"] -= 1
            raise PublishError("the store went away")
        original(self, method, params, body, *rest, **kw)

    monkeypatch.setattr(_Sender, "send", failing_send)
    with pytest.raises(PublishError, match="default graph was not fully published"):
        publish(out, PublishOptions(target=engine.gsp_url, connections=1))
    with pytest.raises(PublishError, match="release marker was not published"):
        publish(out, PublishOptions(target=engine.gsp_url, connections=1))
    new = merged_graph(out)
    assert new != merged and default_graph(engine) == new  # all sent but the marker
    marker = requests.post(
        engine.query_url, data={"query": MARKER_QUERY}, headers={"Accept": "application/sparql-results+json"}
    )
    runs = [row["run"]["value"] for row in marker.json()["results"]["bindings"]]
    assert runs in ([], [f"{BASE}/id/run/{first.release}"])  # no new marker (the batch dropped the old runs graph)
    monkeypatch.setattr(_Sender, "send", original)
    last = publish(out, PublishOptions(target=engine.gsp_url))
    assert last.sent == 1 and last.default_added == last.default_removed == 0  # only the marker was left
    assert default_graph(engine) == new
    marker = requests.post(
        engine.query_url, data={"query": MARKER_QUERY}, headers={"Accept": "application/sparql-results+json"}
    )
    assert marker.json()["results"]["bindings"][0]["run"]["value"].endswith("/" + last.release)
    assert last.release != first.release
