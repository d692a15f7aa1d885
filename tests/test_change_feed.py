"""The change feed: each release's RDF Patch turns the previous release's N-Quads dump into its own, exactly.

Three real builds over the same folder (the seed; the seed and two corpus files; then the seed with a
changed title), each release's dump kept aside; the patch of releases 2 and 3 is applied to the dump of
the release before and must give the new dump line for line. The feed of release 3 lists both patches,
and the served site has the feed, the patches, the sitemap's per-article lastmod and the feed in DCAT/VoID.
"""

from __future__ import annotations

import gzip
import json
import shutil
import time
from pathlib import Path

import pytest
import requests
from lxml import etree
from pyoxigraph import RdfFormat, parse

from kg.build import BuildOptions, build
from kg.publish.changes import CHANGES, INDEX, apply_patch
from kg.publish.layout import Layout
from tests.conftest import CORPUS, SEED, TEST_SECRET
from tests.server_fixtures import start_server

pytest_plugins = ["tests.server_fixtures"]

BASE = "https://kg.example.org"
ATOM = "{http://www.w3.org/2005/Atom}"
SEED_ARTICLE = f"{BASE}/id/journal/2476-6879/article/A-10-968-1"


@pytest.fixture(scope="module")
def releases(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[tuple[str, Path]]]:
    """DIR after three builds, and (release id, copy of its kg.nq.gz) for each."""
    inputs = tmp_path_factory.mktemp("feed-inputs")
    out = tmp_path_factory.mktemp("feed-out")
    kept = tmp_path_factory.mktemp("feed-dumps")
    shutil.copy(SEED, inputs / SEED.name)
    steps = [
        lambda: None,
        lambda: [
            shutil.copy(CORPUS / name, inputs / name) for name in ("jmums-xml_out-12124.xml", "ihio-article-380.xml")
        ],
        lambda: (inputs / SEED.name).write_text(
            SEED.read_text(encoding="utf-8").replace("Scoping Review", "Scoping review"), encoding="utf-8"
        ),
    ]
    found = []
    for number, step in enumerate(steps, 1):
        step()
        report = build([inputs], out, BuildOptions(base=BASE, secret=TEST_SECRET.encode(), progress=False))
        assert report.exit_code == 0 and report.release_dir is not None, report.summary
        copy = kept / f"{number}.nq.gz"
        shutil.copy(report.release_dir / "dumps" / "kg.nq.gz", copy)
        found.append((report.release_dir.name, copy))
        time.sleep(1.0)  # datestamps have one-second granularity: each release gets its own second
    return out, found


def _dump_lines(path: Path) -> list[bytes]:
    with gzip.open(path, "rb") as handle:
        return handle.read().splitlines(keepends=True)


def test_each_patch_turns_the_previous_dump_into_the_next(releases: tuple[Path, list[tuple[str, Path]]]) -> None:
    out, found = releases
    changes = Layout(out).current_release().dumps / CHANGES
    index = json.loads((changes / INDEX).read_text(encoding="utf-8"))
    assert [(e["previous"], e["release"]) for e in index] == [(found[1][0], found[2][0]), (found[0][0], found[1][0])]
    for (before_id, before), (after_id, after) in zip(found, found[1:], strict=False):
        entry = next(e for e in index if e["release"] == after_id)
        patch = changes / entry["file"]
        applied = apply_patch(_dump_lines(before), patch)
        assert applied == _dump_lines(after), f"{before_id} + patch != {after_id}"
        assert entry["added"] > 0
        # the patch is RDF Patch: every D/A line is one N-Quad
        with gzip.open(patch, "rb") as handle:
            body = [line for line in handle if line[:2] in (b"A ", b"D ")]
        assert len(body) == entry["added"] + entry["removed"]
        list(parse(b"".join(line[2:] for line in body), format=RdfFormat.N_QUADS))
    # release 3 changed one title: the old title is removed from, the new one added to, the seed's graph
    last = changes / index[0]["file"]
    with gzip.open(last, "rb") as handle:
        text = handle.read().decode("utf-8")
    graph = f"<{BASE}/graph/journal/2476-6879/article/A-10-968-1> ."
    assert any(x.startswith("D ") and "Scoping Review" in x and x.endswith(graph) for x in text.splitlines())
    assert any(x.startswith("A ") and "Scoping review" in x and x.endswith(graph) for x in text.splitlines())


def test_the_site_serves_the_feed_and_per_article_lastmod(
    releases: tuple[Path, list[tuple[str, Path]]], tmp_path: Path
) -> None:
    out, found = releases
    server = start_server(out, tmp_path / "server")
    try:
        feed = requests.get(server.url + "/dumps/changes/", timeout=10)
        assert feed.status_code == 200 and feed.headers["Content-Type"].startswith("application/atom+xml")
        entries = etree.fromstring(feed.content).findall(f"{ATOM}entry")
        assert [e.findtext(f"{ATOM}id") for e in entries] == [
            f"urn:kg:release:{found[2][0]}",
            f"urn:kg:release:{found[1][0]}",
        ]
        href = entries[1].find(f"{ATOM}link").get("href")
        patch = requests.get(f"{server.url}/dumps/changes/{href}", timeout=10)
        assert patch.status_code == 200
        assert apply_patch(_dump_lines(found[0][1]), _saved(tmp_path, patch.content)) == _dump_lines(found[1][1])
        assert requests.get(server.url + "/dumps/changes/nothing.gz", timeout=10).status_code == 404
        catalog = requests.get(server.url + "/catalog", headers={"Accept": "application/n-triples"}, timeout=10).text
        assert f"<{server.url}/dumps/changes/> <http://www.w3.org/ns/dcat#accessURL>" in catalog
        void = requests.get(
            server.url + "/.well-known/void", headers={"Accept": "application/n-triples"}, timeout=10
        ).text
        assert f"<http://www.w3.org/2000/01/rdf-schema#seeAlso> <{server.url}/dumps/changes/>" in void
        sitemap = etree.fromstring(requests.get(server.url + "/sitemap.xml", timeout=10).content)
        ns = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
        lastmods = {u.findtext(f"{ns}loc"): u.findtext(f"{ns}lastmod") for u in sitemap.findall(f"{ns}url")}
        identify = requests.get(
            server.url + "/oai",
            params={"verb": "GetRecord", "identifier": SEED_ARTICLE, "metadataPrefix": "oai_dc"},
            timeout=10,
        )
        stamp = etree.fromstring(identify.content).findtext(".//{http://www.openarchives.org/OAI/2.0/}datestamp")
        assert lastmods[f"{server.url}/en/doc/journal/2476-6879/article/A-10-968-1"] == stamp[:10]
    finally:
        server.stop()


def _saved(folder: Path, content: bytes) -> Path:
    path = folder / "downloaded.rdfp.gz"
    path.write_bytes(content)
    return path
