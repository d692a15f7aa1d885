"""Partitioned dumps (kg.publish.dump_parts): a rebuild rewrites only the parts a new issue touches, and the
whole dumps, downloaded through a running server, are the same bytes as a full rebuild's."""

from __future__ import annotations

import gzip
import hashlib
import json
import os
from pathlib import Path

import pytest
import requests
from pyoxigraph import DefaultGraph, NamedNode, RdfFormat, Store, parse

from kg.build import BuildOptions, build
from kg.publish.dump_parts import FORMATS, count_default_graph, part_key
from kg.publish.dumps import verify_checksums
from tests.conftest import CORPUS, SEED, TEST_SECRET
from tests.server_fixtures import start_server

NEW_ISSUE = CORPUS / "gonbad-jair-xml_out-674.xml"  # left out of the first build, added by the rebuild
RUNS_PART = "~runs"
OLD = 1_000_000_000  # a modification time long past, so that a rewrite shows in the times whatever the clock


def options(**overrides: object) -> BuildOptions:
    settings: dict = {"secret": TEST_SECRET.encode(), "processes": 1, "validate": False, "progress": False}
    settings.update(overrides)
    return BuildOptions(**settings)


def graphs_of(out: Path) -> set[str]:
    data = gzip.decompress((out / "dumps" / "kg.nq.gz").read_bytes())
    return {q.graph_name.value for q in parse(data, format=RdfFormat.N_QUADS)}  # type: ignore[union-attr]


def part_files(out: Path) -> dict[str, tuple[int, int]]:
    """Each part file -> (modification time in ns, size)."""
    return {p.name: (p.stat().st_mtime_ns, p.stat().st_size) for p in sorted((out / "dump-parts").glob("*.gz"))}


def stems(out: Path) -> dict[str, str]:
    manifest = json.loads((out / "dump-parts" / "manifest.json").read_text(encoding="utf-8"))
    return {key: entry["stem"] for key, entry in manifest["parts"].items()}


def without_runs(out: Path, data: bytes, name: str) -> bytes:
    """The whole dump with the runs part's member cut out (it holds each run's times, which differ)."""
    ranges = json.loads((out / "dumps" / "parts.json").read_text(encoding="utf-8"))["parts"][name]
    start, length = ranges[RUNS_PART]
    return data[:start] + data[start + length :]


@pytest.fixture(scope="module")
def rebuilt(tmp_path_factory: pytest.TempPathFactory) -> dict:
    work = tmp_path_factory.mktemp("dump-parts")
    first = [SEED] + [path for path in sorted(CORPUS.glob("*.xml")) if path != NEW_ISSUE]
    out = work / "incremental"
    build(first, out, options())
    before_graphs = graphs_of(out)
    for path in (out / "dump-parts").glob("*.gz"):
        os.utime(path, ns=(OLD, OLD))
    before = part_files(out)
    report = build([*first, NEW_ISSUE], out, options())
    full = work / "full"
    build([SEED, CORPUS], full, options())
    new_graphs = graphs_of(out) - before_graphs
    return {"out": out, "full": full, "before": before, "after": part_files(out), "new": new_graphs, "report": report}


def test_a_new_issue_rewrites_only_its_journals_part(rebuilt: dict) -> None:
    out, before, after = rebuilt["out"], rebuilt["before"], rebuilt["after"]
    assert rebuilt["new"], "the new issue published no graph"
    touched = {part_key(graph) for graph in rebuilt["new"]} | {RUNS_PART}
    assert len(touched) == 2 and len(stems(out)) >= 5  # one journal and the runs graph, of several parts
    expected = {f"{stems(out)[key]}.{suffix}.gz" for key in touched for suffix, *_ in FORMATS}
    rewritten = {name for name in after if after[name][0] != OLD}
    assert rewritten == expected
    assert set(before) == set(after)
    for name in set(after) - rewritten:
        assert after[name] == before[name], name  # same time, same size: not written
    journal = next(key for key in touched if key != RUNS_PART)
    grew = f"{stems(out)[journal]}.nq.gz"
    assert after[grew][1] > before[grew][1]  # the journal's part holds the new articles
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert sorted(report["dump_parts_rewritten"]) == sorted(touched)


def test_whole_dumps_equal_a_full_rebuilds(rebuilt: dict) -> None:
    out, full = rebuilt["out"], rebuilt["full"]
    assert verify_checksums(out / "dumps") and verify_checksums(full / "dumps")
    assert stems(out) == stems(full)
    for suffix, *_ in FORMATS:
        name = f"kg.{suffix}.gz"
        mine, theirs = (out / "dumps" / name).read_bytes(), (full / "dumps" / name).read_bytes()
        assert without_runs(out, mine, name) == without_runs(full, theirs, name), name
        for key, stem in stems(out).items():  # every part but the runs graph's is the same file
            if key != RUNS_PART:
                part = f"{stem}.{suffix}.gz"
                assert (out / "dump-parts" / part).read_bytes() == (full / "dump-parts" / part).read_bytes()
    manifests = [json.loads((o / "dump-parts" / "manifest.json").read_text(encoding="utf-8")) for o in (out, full)]
    for manifest, folder in zip(manifests, (out, full), strict=True):
        del manifest["parts"][RUNS_PART]  # two runs against one: more provenance quads
        # the default graph's size, carried from build to build in the manifest, is the release store's
        release_store = Store.read_only(str(folder / "current" / "store"))
        assert manifest.pop("default_graph_triples") == count_default_graph(release_store) > 1000
    assert manifests[0] == manifests[1]
    facts = json.loads((out / "current" / "build.json").read_text(encoding="utf-8"))
    counts = {d["file"]: d["triples"] for d in facts["dumps"]}
    merged = facts["counts"]["default_graph_triples"]
    assert counts["kg.nt.gz"] == counts["kg.ttl.gz"] == counts["kg.jsonld.gz"] == merged > 1000


def test_whole_dumps_download_through_the_server_with_ranges(rebuilt: dict, tmp_path: Path) -> None:
    out = rebuilt["out"]
    server = start_server(out, tmp_path)
    try:
        for suffix, *_ in FORMATS:
            name = f"kg.{suffix}.gz"
            on_disk = (out / "dumps" / name).read_bytes()
            whole = requests.get(f"{server.url}/dumps/{name}", timeout=30)
            assert whole.status_code == 200 and whole.content == on_disk
            assert whole.headers["ETag"].strip('"') == hashlib.sha256(on_disk).hexdigest()
            text = gzip.decompress(whole.content)  # the parts' members read as one gzip stream
            if suffix == "jsonld":
                assert len(json.loads(text)) > 100
            elif suffix in ("nq", "nt"):
                fmt = RdfFormat.N_QUADS if suffix == "nq" else RdfFormat.N_TRIPLES
                assert len(list(parse(text, format=fmt))) > 1000
            ranges = json.loads((out / "dumps" / "parts.json").read_text(encoding="utf-8"))["parts"][name]
            start, length = max(ranges.values())  # the last part: its member alone is a gzip stream
            ranged = requests.get(
                f"{server.url}/dumps/{name}", headers={"Range": f"bytes={start}-{start + length - 1}"}, timeout=30
            )
            assert ranged.status_code == 206 and ranged.content == on_disk[start : start + length]
            assert ranged.headers["Content-Range"] == f"bytes {start}-{start + length - 1}/{len(on_disk)}"
            gzip.decompress(ranged.content)
    finally:
        server.stop()


def journal_graph(issn: str, code: str, shared: str) -> tuple[str, bytes]:
    """An article graph of journal ``issn`` holding its own triple and one triple every journal shares."""
    graph = f"https://kg.example.org/graph/journal/{issn}/article/{code}"
    lines = [
        f'<https://kg.example.org/id/{issn}/{code}> <http://schema.org/name> "{code}" <{graph}> .\n',
        f'<https://kg.example.org/id/person/p> <http://schema.org/name> "{shared}" <{graph}> .\n',
    ]
    return graph, "".join(sorted(lines)).encode("utf-8")


def test_parts_follow_graphs_in_and_out_and_shared_triples_count_once(tmp_path: Path) -> None:
    """Unit level: a part per journal, rewritten when a graph changes, deleted when its graphs go; the whole
    N-Triples holds a triple two journals share once per part, and reports the distinct count it is given."""
    from kg.publish.dump_parts import write_part_dumps
    from kg.publish.graphs import GraphFiles

    files = GraphFiles(tmp_path / "graphs")
    store = Store()

    def publish(graphs: dict[str, bytes]) -> None:  # into the graph files and the store, as the build does
        files.write(graphs)
        for name, data in graphs.items():
            store.clear_graph(NamedNode(name))
            store.bulk_load(data, format=RdfFormat.N_QUADS)

    def default_graph() -> set[str]:
        return {str(q.object) for q in store.quads_for_pattern(None, None, None, DefaultGraph())}

    publish(dict([journal_graph("1111-1111", "a", "P"), journal_graph("2222-2222", "b", "P")]))

    def dumps(release: str) -> tuple[list, list[str]]:
        current = {graph: files.digests[graph] for graph in files.current}
        return write_part_dumps(current, files.sorted_sources_of, tmp_path / "parts", tmp_path / release, store)

    infos, changed = dumps("r1")
    assert changed == ["journal/1111-1111", "journal/2222-2222"]
    whole = gzip.decompress((tmp_path / "r1" / "kg.nt.gz").read_bytes()).splitlines()
    assert len(whole) == 4 and len(set(whole)) == 3  # the shared triple, once in each journal's part
    assert {i.file: i.triples for i in infos} == {"kg.nq.gz": 4, "kg.nt.gz": 3, "kg.ttl.gz": 3, "kg.jsonld.gz": 3}
    assert dumps("r2")[1] == []  # nothing changed: nothing rewritten
    assert (tmp_path / "r2" / "kg.ttl.gz").read_bytes() == (tmp_path / "r1" / "kg.ttl.gz").read_bytes()

    assert default_graph() == {'"a"', '"b"', '"P"'}
    publish(dict([journal_graph("2222-2222", "b", "Q")]))  # a graph rewritten (as the identity pass does)
    infos, changed = dumps("r3")
    assert changed == ["journal/2222-2222"]
    assert default_graph() == {'"a"', '"b"', '"P"', '"Q"'}  # P stays: journal 1111's graph still holds it
    # the size is carried in the manifest, changed by what was added and removed, not counted again
    manifest = json.loads((tmp_path / "parts" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["default_graph_triples"] == count_default_graph(store) == 4
    assert {i.file: i.triples for i in infos}["kg.nt.gz"] == 4
    gone = "https://kg.example.org/graph/journal/1111-1111/article/a"
    del files.current[gone]  # the journal withdrawn
    store.clear_graph(NamedNode(gone))
    infos, changed = dumps("r4")
    assert changed == []
    assert default_graph() == {'"b"', '"Q"'} and count_default_graph(store) == 2
    assert {i.file: i.triples for i in infos}["kg.ttl.gz"] == 2
    assert len(list((tmp_path / "parts").glob("*.gz"))) == len(FORMATS)  # its part files are gone
    quads = gzip.decompress((tmp_path / "r4" / "kg.nq.gz").read_bytes())
    assert b"1111-1111" not in quads and b'"Q"' in quads and b'"P"' not in quads
    assert json.loads(gzip.decompress((tmp_path / "r4" / "kg.jsonld.gz").read_bytes()))
