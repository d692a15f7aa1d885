"""The graph files beside the store (kg.publish.graphs): segments, replacement, pruning, crash leftovers."""

from __future__ import annotations

import hashlib
from pathlib import Path

from pyoxigraph import Dataset, RdfFormat, parse

from kg.publish.graphs import GraphFiles

BASE = "https://kg.example.org"


def graph(name: str, *values: str) -> tuple[str, bytes]:
    iri = f"{BASE}/graph/{name}"
    lines = "".join(f'<{BASE}/id/{name}> <http://schema.org/name> "{value}" <{iri}> .\n' for value in values)
    return iri, lines.encode()


def dataset(lines) -> Dataset:
    return Dataset(parse(b"".join(lines), format=RdfFormat.N_QUADS))


def current_lines(files: GraphFiles) -> list[bytes]:
    """Every line of every current graph, as the dumps read them."""
    return [line for source in files.sorted_sources() for line in source]


def test_a_newer_copy_replaces_the_older_one_in_reading_and_after_reopening(tmp_path: Path) -> None:
    files = GraphFiles(tmp_path)
    files.write(dict([graph("a", "one"), graph("b", "two")]))
    files.write(dict([graph("a", "three")]))
    expected = dataset([graph("a", "three")[1], graph("b", "two")[1]])
    assert dataset(current_lines(files)) == expected
    assert dataset(current_lines(GraphFiles(tmp_path))) == expected
    assert files.read(f"{BASE}/graph/a") == graph("a", "three")[1]
    assert files.read(f"{BASE}/graph/none") == b""


def test_prune_deletes_dead_segments_and_rewrites_mostly_stale_ones(tmp_path: Path) -> None:
    files = GraphFiles(tmp_path)
    files.write(dict(graph(str(n), f"v{n}") for n in range(4)))  # segment 1: 4 graphs
    files.write(dict([graph("0", "new"), graph("1", "new"), graph("2", "new")]))  # segment 1: 1 of 4 current
    files.write(dict([graph("0", "newer"), graph("1", "newer"), graph("2", "newer")]))  # segment 2: dead
    before = dataset(current_lines(files))
    files.prune()
    assert dataset(current_lines(files)) == before == dataset(current_lines(GraphFiles(tmp_path)))
    segments = sorted(path.name for path in tmp_path.glob("*.nq"))
    assert len(segments) == 2 and "segment-00000001.nq" not in segments and "segment-00000002.nq" not in segments


def test_an_unlisted_segment_of_a_crashed_build_is_ignored_and_removed(tmp_path: Path) -> None:
    files = GraphFiles(tmp_path)
    files.write(dict([graph("a", "kept")]))
    (tmp_path / "segment-00000002.nq").write_bytes(graph("a", "half-written")[1])  # no list: never committed
    (tmp_path / "segment-00000003.nq.tmp").write_bytes(b"<x")
    reopened = GraphFiles(tmp_path)
    assert dataset(current_lines(reopened)) == dataset([graph("a", "kept")[1]])
    assert sorted(path.name for path in tmp_path.iterdir()) == [
        "format",
        "segment-00000001.graphs",
        "segment-00000001.nq",
    ]


def test_graphs_kept_one_file_per_graph_by_older_builds_are_adopted(tmp_path: Path) -> None:
    for name, value in (("a", "old-a"), ("b", "old-b")):
        iri, data = graph(name, value)
        digest = hashlib.sha1(iri.encode()).hexdigest()
        (tmp_path / digest[:2]).mkdir(exist_ok=True)
        (tmp_path / digest[:2] / f"{digest}.nq").write_bytes(data)
    files = GraphFiles(tmp_path)
    assert dataset(current_lines(files)) == dataset([graph("a", "old-a")[1], graph("b", "old-b")[1]])
    assert not [path for path in tmp_path.iterdir() if path.is_dir()]


def test_the_default_graph_is_loaded_in_blocks_cut_at_line_ends(tmp_path: Path) -> None:
    from kg.publish.store_writer import line_blocks

    path = tmp_path / "merged.nt"
    lines = [f'<{BASE}/id/{n}> <http://schema.org/name> "{"x" * (n % 50)}" .\n'.encode() for n in range(2000)]
    path.write_bytes(b"".join(lines) + b"<a> <b> <c> .")  # the last line without its newline
    blocks = list(line_blocks(path, 1000))
    assert len(blocks) > 50 and b"".join(blocks) == path.read_bytes()
    assert all(block.endswith(b"\n") for block in blocks[:-1])


def test_segments_are_sorted_and_the_sources_hold_the_current_lines_in_order(tmp_path: Path) -> None:
    files = GraphFiles(tmp_path)
    files.write(dict([graph("b", "zeta", "alpha"), graph("a", "one")]))
    files.write(dict([graph("c", "three")]))
    files.write(dict([graph("b", "four")]))  # segment 1 is now only partly current
    for segment in tmp_path.glob("*.nq"):
        lines = segment.read_bytes().splitlines(keepends=True)
        assert lines == sorted(lines)
    sources = [list(source) for source in files.sorted_sources()]
    assert len(sources) == 3 and all(lines == sorted(lines) for lines in sources)
    expected = graph("a", "one")[1] + graph("b", "four")[1] + graph("c", "three")[1]
    assert sorted(line for lines in sources for line in lines) == sorted(expected.splitlines(keepends=True))
    assert dataset(line for lines in sources for line in lines) == dataset(
        [graph("a", "one")[1], graph("b", "four")[1], graph("c", "three")[1]]
    )


def test_segments_of_older_builds_are_sorted_once(tmp_path: Path) -> None:
    iri, data = graph("a", "zeta", "alpha", "mu")
    (tmp_path / "segment-00000001.nq").write_bytes(data)  # written before segments were sorted
    (tmp_path / "segment-00000001.graphs").write_text(f"{iri}\n", encoding="utf-8")
    files = GraphFiles(tmp_path)
    lines = (tmp_path / "segment-00000001.nq").read_bytes().splitlines(keepends=True)
    assert lines == sorted(lines) and sorted(lines) == sorted(data.splitlines(keepends=True))
    assert (tmp_path / "format").exists() and dataset(current_lines(files)) == dataset([data])


def test_dumps_merge_sorted_sources_into_sorted_deduplicated_files(tmp_path: Path) -> None:
    """Many sources or one: the same bytes, each quad once, each shared triple once."""
    import gzip

    from kg.publish.dumps import write_dumps

    shared = f'<{BASE}/id/journal> <http://schema.org/name> "J"'
    lines = []
    for n in range(300):
        iri, data = graph(f"g{n:03d}", f"v{n}", f"w{n}")
        lines += data.splitlines(keepends=True) + [f"{shared} <{iri}> .\n".encode()]
    outputs = []
    for parts in (1, 7):
        sources = [sorted(lines[part::parts]) for part in range(parts)]
        infos = write_dumps(sources, tmp_path / f"dumps-{parts}")
        folder = tmp_path / f"dumps-{parts}"
        outputs.append(
            {
                info.file: gzip.decompress((folder / info.file).read_bytes())
                for info in infos
                if info.file.endswith(("nq.gz", "nt.gz"))
            }
        )
        counts = {info.file: info.triples for info in infos}
        assert counts["kg.nq.gz"] == 900 and counts["kg.nt.gz"] == 601
    assert outputs[0] == outputs[1]
    quads = outputs[1]["kg.nq.gz"].splitlines(keepends=True)
    assert quads == sorted(quads) and len(quads) == 900


def test_digests_are_kept_and_a_graph_staged_by_a_dying_build_loses_its_digest(tmp_path: Path) -> None:
    from kg.publish.graphs import graph_digest

    files = GraphFiles(tmp_path)
    files.write(dict([graph("a", "one"), graph("b", "two")]))
    a_digest = graph_digest(graph("a", "one")[1])
    assert files.is_current(f"{BASE}/graph/a", a_digest)
    reopened = GraphFiles(tmp_path)
    assert reopened.is_current(f"{BASE}/graph/a", a_digest)
    assert not reopened.is_current(f"{BASE}/graph/a", graph_digest(graph("a", "other")[1]))
    reopened.stage(dict([graph("a", "three")]))  # the store writer died before committing it
    after_crash = GraphFiles(tmp_path)
    assert not after_crash.is_current(f"{BASE}/graph/a", a_digest)  # the store's copy may be half-replaced
    assert after_crash.is_current(f"{BASE}/graph/b", graph_digest(graph("b", "two")[1]))
    assert after_crash.read(f"{BASE}/graph/a") == graph("a", "one")[1]
    assert sorted(path.name for path in tmp_path.glob("*.nq")) == ["segment-00000001.nq"]


def test_lists_without_digests_are_read(tmp_path: Path) -> None:
    iri, data = graph("a", "old")
    (tmp_path / "segment-00000001.nq").write_bytes(data)
    (tmp_path / "segment-00000001.graphs").write_text(f"{iri}\n", encoding="utf-8")  # before digests
    files = GraphFiles(tmp_path)
    assert files.read(iri) == data and files.digests[iri] == ""
    assert not files.is_current(iri, "")
