"""OAI-PMH at /oai, over a real build and a running server, checked with the official schemas and a real harvester.

One folder is built from the seed and the corpus, served, harvested with ``sickle`` through resumption
tokens (pages of 4 records), then rebuilt after one article changed and another was withdrawn (handed
over in ``deleted.jsonl``, as ``kg withdraw`` does): an incremental harvest ``from`` the last datestamp
gets exactly those two, one as deleted, and a token issued before the rebuild still works after it.
Every response is validated against OAI-PMH.xsd and oai_dc.xsd (vendored in tests/xsd/oai, no network) and,
for the ``jats`` format, the JATS 1.3 XSD (tests/xsd/jats; the JATS harvest is in tests/test_oai_jats.py).
"""

from __future__ import annotations

import datetime
import os
import shutil
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
import xmlschema
from lxml import etree
from sickle import Sickle

from kg.build import BuildOptions, build
from kg.publish.datestamps import note_deleted
from kg.publish.layout import Layout
from tests.conftest import CORPUS, SEED, TEST_SECRET
from tests.server_fixtures import RunningServer, start_server

pytest_plugins = ["tests.server_fixtures"]

BASE = "https://kg.example.org"
XSD = Path(__file__).resolve().parent / "xsd" / "oai"
JATS_XSD = Path(__file__).resolve().parent / "xsd" / "jats" / "jats-pmc-namespace.xsd"
OAI = "{http://www.openarchives.org/OAI/2.0/}"
DC = "{http://purl.org/dc/elements/1.1/}"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
SEED_ARTICLE = f"{BASE}/id/journal/2476-6879/article/A-10-968-1"
PAGE = 4


@pytest.fixture(scope="module")
def schema() -> xmlschema.XMLSchema:
    """OAI-PMH.xsd with oai_dc.xsd and JATS 1.3 for the records' metadata; ``allow="local"``: nothing is fetched."""
    return oai_schema()


def oai_schema() -> xmlschema.XMLSchema:
    return xmlschema.XMLSchema([str(XSD / "OAI-PMH.xsd"), str(XSD / "oai_dc.xsd"), str(JATS_XSD)], allow="local")


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[RunningServer, Path, Path]]:
    """(server, DIR, inputs folder): the seed and the corpus copied, built and served with pages of 4."""
    inputs = tmp_path_factory.mktemp("oai-inputs")
    shutil.copy(SEED, inputs / SEED.name)
    for path in CORPUS.glob("*.xml"):
        shutil.copy(path, inputs / path.name)
    out = tmp_path_factory.mktemp("oai-out")
    assert _build(inputs, out) == 0
    server = serve_in_small_pages(out, tmp_path_factory.mktemp("oai-server"))
    yield server, out, inputs
    server.stop()


def serve_in_small_pages(out: Path, work: Path) -> RunningServer:
    """``kg serve out`` whose OAI-PMH lists come ``PAGE`` records a page (resumption tokens get used)."""
    os.environ["KG_OAI_PAGE_SIZE"] = str(PAGE)
    try:
        return start_server(out, work)
    finally:
        del os.environ["KG_OAI_PAGE_SIZE"]


def _build(inputs: Path, out: Path) -> int:
    return build([inputs], out, BuildOptions(base=BASE, secret=TEST_SECRET.encode(), progress=False)).exit_code


def _get(server: RunningServer, schema: xmlschema.XMLSchema, **params: str) -> etree._Element:
    response = requests.get(server.url + "/oai", params=params, timeout=10)
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/xml")
    errors = list(schema.iter_errors(response.content))
    assert not errors, f"{params}: {errors[0]}"
    return etree.fromstring(response.content)


def _error(root: etree._Element) -> str | None:
    found = root.find(f"{OAI}error")
    return None if found is None else found.get("code")


def _table(out: Path) -> list[tuple[str, str, int]]:
    with sqlite3.connect(Layout(out).current_release().oai) as db:
        return list(db.execute("SELECT identifier, datestamp, deleted FROM records ORDER BY identifier"))


def change_one_withdraw_another(
    server: RunningServer, out: Path, inputs: Path, table: list[tuple[str, str, int]]
) -> tuple[str, str]:
    """The seed's article changed and another article withdrawn, built and served: (the withdrawn article's
    identifier, the ``from`` datestamp just after the last one before). The build runs at least a second
    after the last datestamp, so that the new ones differ."""
    last_stamp = max(stamp for _, stamp, _ in table)
    seed = inputs / SEED.name
    seed.write_text(seed.read_text(encoding="utf-8").replace("Scoping Review", "Scoping review"), encoding="utf-8")
    withdrawn = next(identifier for identifier, _, _ in table if identifier != SEED_ARTICLE)
    note_deleted(out, withdrawn.replace("/id/", "/graph/", 1), "withdrawn by the journal", last_stamp)
    while datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ") <= last_stamp:
        time.sleep(0.2)
    before = requests.get(server.url + "/health", timeout=5).json()["release"]
    assert _build(inputs, out) == 0
    _wait_for_new_release(server, before)
    since = datetime.datetime.strptime(last_stamp, "%Y-%m-%dT%H:%M:%SZ") + datetime.timedelta(seconds=1)
    return withdrawn, since.strftime("%Y-%m-%dT%H:%M:%SZ")


def test_the_schemas_reject_what_is_not_oai_pmh(schema: xmlschema.XMLSchema) -> None:
    """The validation below can fail: a response without its request element, or bad oai_dc, is refused."""
    head = '<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/"><responseDate>2026-01-01T00:00:00Z</responseDate>'
    assert not schema.is_valid(head + '<error code="badVerb">x</error></OAI-PMH>')
    bad_dc = (
        head + '<request verb="GetRecord">http://x/oai</request><GetRecord><record><header><identifier>http://x/a'
        "</identifier><datestamp>2026-01-01T00:00:00Z</datestamp></header><metadata>"
        '<oai_dc:dc xmlns:oai_dc="http://www.openarchives.org/OAI/2.0/oai_dc/"><title/></oai_dc:dc>'
        "</metadata></record></GetRecord></OAI-PMH>"
    )
    assert not schema.is_valid(bad_dc)


def test_every_verb_and_error_validates(site: tuple[RunningServer, Path, Path], schema: xmlschema.XMLSchema) -> None:
    server, out, _ = site
    identify = _get(server, schema, verb="Identify").find(f"{OAI}Identify")
    assert identify.findtext(f"{OAI}deletedRecord") == "persistent"
    assert identify.findtext(f"{OAI}granularity") == "YYYY-MM-DDThh:mm:ssZ"
    assert identify.findtext(f"{OAI}baseURL") == server.url + "/oai"
    formats = _get(server, schema, verb="ListMetadataFormats", identifier=SEED_ARTICLE)
    assert [p.text for p in formats.iter(f"{OAI}metadataPrefix")] == ["oai_dc", "jats"]
    assert [n.text for n in formats.iter(f"{OAI}metadataNamespace")] == [
        "http://www.openarchives.org/OAI/2.0/oai_dc/",
        "https://jats.nlm.nih.gov/ns/archiving/1.3/",  # the namespace PubMed Central's OAI-PMH service uses
    ]
    sets = {
        s.findtext(f"{OAI}setSpec"): s.findtext(f"{OAI}setName")
        for s in _get(server, schema, verb="ListSets").iter(f"{OAI}set")
    }
    assert sets["2476-6879"] == "Management Strategies in Health System"
    assert sets["2476-6879:10:4"] == "Management Strategies in Health System, Vol. 10, No. 4"
    in_issue = _get(server, schema, verb="ListIdentifiers", metadataPrefix="oai_dc", set="2476-6879:10:4")
    assert [i.text for i in in_issue.iter(f"{OAI}identifier")] == [SEED_ARTICLE]
    stamp = _table(out)[0][1]
    day = stamp[:10]
    ranged = _get(server, schema, verb="ListIdentifiers", metadataPrefix="oai_dc", **{"from": day, "until": day})
    assert _error(ranged) is None
    expected = {
        (("verb", "Nonsense"),): "badVerb",
        (): "badVerb",
        (("verb", "ListRecords"),): "badArgument",
        (("verb", "ListRecords"), ("metadataPrefix", "oai_dc"), ("from", "yesterday")): "badArgument",
        (
            ("verb", "ListRecords"),
            ("metadataPrefix", "oai_dc"),
            ("from", "2026-01-02"),
            ("until", "2026-01-01"),
        ): "badArgument",
        (
            ("verb", "ListRecords"),
            ("metadataPrefix", "oai_dc"),
            ("from", "2026-01-01"),
            ("until", stamp),
        ): "badArgument",
        (("verb", "Identify"), ("identifier", SEED_ARTICLE)): "badArgument",
        (("verb", "GetRecord"), ("identifier", SEED_ARTICLE)): "badArgument",
        (("verb", "ListRecords"), ("resumptionToken", "not-a-token")): "badResumptionToken",
        (("verb", "ListRecords"), ("resumptionToken", "x"), ("metadataPrefix", "oai_dc")): "badArgument",
        (("verb", "ListRecords"), ("metadataPrefix", "marc21")): "cannotDisseminateFormat",
        (("verb", "ListIdentifiers"), ("metadataPrefix", "pmc_fm")): "cannotDisseminateFormat",
        (("verb", "GetRecord"), ("identifier", BASE + "/id/none"), ("metadataPrefix", "jats")): "idDoesNotExist",
        (("verb", "GetRecord"), ("identifier", SEED_ARTICLE), ("metadataPrefix", "marc21")): "cannotDisseminateFormat",
        (("verb", "GetRecord"), ("identifier", BASE + "/id/none"), ("metadataPrefix", "oai_dc")): "idDoesNotExist",
        (("verb", "ListMetadataFormats"), ("identifier", BASE + "/id/none")): "idDoesNotExist",
        (("verb", "ListRecords"), ("metadataPrefix", "oai_dc"), ("from", "2999-01-01")): "noRecordsMatch",
        (("verb", "ListRecords"), ("metadataPrefix", "oai_dc"), ("set", "no-such-set")): "noRecordsMatch",
    }
    for params, code in expected.items():
        root = _get(server, schema, **dict(params))
        assert _error(root) == code, params
        request = root.find(f"{OAI}request")
        if code in ("badVerb", "badArgument"):
            assert not request.attrib, "after badVerb/badArgument the request element carries no arguments"
    repeated = requests.get(server.url + "/oai?verb=Identify&verb=Identify", timeout=10)
    assert _error(etree.fromstring(repeated.content)) == "badVerb"
    posted = requests.post(server.url + "/oai", data={"verb": "Identify"}, timeout=10)
    assert schema.is_valid(posted.content) and _error(etree.fromstring(posted.content)) is None


def test_no_set_hierarchy_when_no_record_is_in_a_set(tmp_path: Path, schema: xmlschema.XMLSchema) -> None:
    """An empty table (no article yet) has no sets: ListSets and a set argument answer noSetHierarchy."""
    from kg.publish.datestamps import write_records
    from kg.publish.graphs import GraphFiles
    from kg.server.oai_records import Records

    target = tmp_path / "oai.sqlite"
    counts = write_records(None, target, GraphFiles(tmp_path / "graphs"), BASE, "2026-01-01T00:00:00Z", {})
    assert counts.live == 0 and Records(target).sets() == []
    # the route's rule, checked through the same function the route calls
    from kg.server import oai

    with pytest.raises(oai.OAIError) as raised:
        oai._list_sets(Records(target), {}, "2026-01-01T00:00:00Z")
    assert raised.value.code == "noSetHierarchy"


def test_the_seed_record_says_what_the_graph_says(
    site: tuple[RunningServer, Path, Path], schema: xmlschema.XMLSchema
) -> None:
    server, _, _ = site
    root = _get(server, schema, verb="GetRecord", identifier=SEED_ARTICLE, metadataPrefix="oai_dc")
    dc = root.find(".//{http://www.openarchives.org/OAI/2.0/oai_dc/}dc")
    values = lambda name: [(e.text, e.get(XML_LANG)) for e in dc.findall(f"{DC}{name}")]  # noqa: E731
    assert (
        "A Scoping Review of Digital Twins’ Applications and Challenges in Healthcare and Medicine",
        "en",
    ) in values("title")
    assert ("مروری جامع بر کاربردها و چالشهای دوقلوهای دیجیتال در پزشکی و سلامت", "fa") in values("title")
    assert values("creator") == [("Mohammad Hossein Roozbahani", "en"), ("محمدحسین روزبهانی", "fa")]
    assert ("Digital health", "en") in values("subject") and ("هوش مصنوعی", "fa") in values("subject")
    assert sorted(lang for _, lang in values("description")) == ["en", "fa"]
    assert ("2026-03-01", None) in values("date")
    assert (SEED_ARTICLE, None) in values("identifier")
    assert values("language") == [("fa", None)]
    assert values("relation") == [(f"{BASE}/id/journal/2476-6879", None)]
    assert values("publisher") == [] and values("rights") == []  # the graph has neither: nothing invented


def test_sickle_harvests_the_corpus_then_exactly_what_changed(
    site: tuple[RunningServer, Path, Path], schema: xmlschema.XMLSchema
) -> None:
    server, out, inputs = site
    harvester = Sickle(server.url + "/oai", max_retries=1)
    records = list(harvester.ListRecords(metadataPrefix="oai_dc"))
    table = _table(out)
    assert len(table) > PAGE * 3  # several pages
    assert sorted(r.header.identifier for r in records) == [identifier for identifier, _, _ in table]
    assert all(not r.header.deleted and r.metadata["title"] for r in records)
    # a token taken before the republish, to be used after it
    first = _get(server, schema, verb="ListIdentifiers", metadataPrefix="oai_dc")
    token = first.find(f".//{OAI}resumptionToken")
    assert token.get("completeListSize") == str(len(table)) and token.get("cursor") == "0"
    assert token.get("expirationDate") > first.findtext(f"{OAI}responseDate")
    withdrawn, since = change_one_withdraw_another(server, out, inputs, table)
    changed = list(
        Sickle(server.url + "/oai", max_retries=3).ListIdentifiers(metadataPrefix="oai_dc", **{"from": since})
    )
    assert sorted((h.identifier, h.deleted) for h in changed) == sorted([(SEED_ARTICLE, False), (withdrawn, True)])
    gone = _get(server, schema, verb="GetRecord", identifier=withdrawn, metadataPrefix="oai_dc")
    assert gone.find(f".//{OAI}header").get("status") == "deleted" and gone.find(f".//{OAI}metadata") is None
    renamed = _get(server, schema, verb="GetRecord", identifier=SEED_ARTICLE, metadataPrefix="oai_dc")
    assert "A Scoping review of Digital Twins’ Applications and Challenges in Healthcare and Medicine" in [
        t.text for t in renamed.iter(f"{DC}title")
    ]
    # the old token goes on where it stopped, over the new release, and the rest of the list follows
    rest = _follow(server, schema, token.text)
    first_ids = [i.text for i in first.iter(f"{OAI}identifier")]
    unchanged = sorted(i for i, _, _ in table if i not in (SEED_ARTICLE, withdrawn))
    assert sorted(set(first_ids + rest) - {SEED_ARTICLE, withdrawn}) == unchanged


def _follow(server: RunningServer, schema: xmlschema.XMLSchema, token: str) -> list[str]:
    found: list[str] = []
    while token:
        root = _get(server, schema, verb="ListIdentifiers", resumptionToken=token)
        assert _error(root) is None
        found += [i.text for i in root.iter(f"{OAI}identifier")]
        element = root.find(f".//{OAI}resumptionToken")
        token = element.text if element is not None else ""
    return found


def _wait_for_new_release(server: RunningServer, before: str, seconds: float = 60.0) -> None:
    """Until every web worker serves the new release: ten answers in a row from /health name it (each
    request may reach another worker, and each switches on its own)."""
    deadline = time.monotonic() + seconds
    in_a_row = 0
    while time.monotonic() < deadline and in_a_row < 10:
        try:
            status = requests.get(server.url + "/health", timeout=5).json()
        except requests.RequestException:
            status = {}
        in_a_row = in_a_row + 1 if status.get("release") not in (None, before) else 0
        time.sleep(0.05)
    if in_a_row < 10:
        raise AssertionError(f"the server still serves {before}")
