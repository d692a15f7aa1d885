"""The ``jats`` OAI-PMH format (JATS 1.3 front matter) over a real build and a running server.

The seed (with a DOI and a second author with an ORCID added), the corpus and real PubMed-style files are
built and served with pages of 4 records. Every list page is validated whole against OAI-PMH.xsd with the
vendored JATS 1.3 XSD (tests/xsd/jats, in PubMed Central's namespace); ``sickle`` harvests the corpus in
``jats`` through resumption tokens; a token keeps its format; a withdrawn article is a deleted record in
``jats`` as in ``oai_dc`` and a changed one comes with its new title; and the seed's record says what the
graph says.
"""

from __future__ import annotations

import base64
import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
import xmlschema
from lxml import etree
from sickle import Sickle

from tests.conftest import CORPUS
from tests.seed_variants import DOI, ORCID, write_rich_seed
from tests.server_fixtures import RunningServer
from tests.test_jats import PUBMED
from tests.test_oai import (
    OAI,
    PAGE,
    _build,
    _error,
    _get,
    _table,
    change_one_withdraw_another,
    oai_schema,
    serve_in_small_pages,
)

pytest_plugins = ["tests.server_fixtures"]

BASE = "https://kg.example.org"
JATS_NS = "https://jats.nlm.nih.gov/ns/archiving/1.3/"
J = "{" + JATS_NS + "}"
SEED_ARTICLE = f"{BASE}/id/journal/2476-6879/article/A-10-968-1"


@pytest.fixture(scope="module")
def schema() -> xmlschema.XMLSchema:
    return oai_schema()


@pytest.fixture(scope="module")
def jats_schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(Path(__file__).parent / "xsd" / "jats" / "jats-pmc-namespace.xsd")))


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[RunningServer, Path, Path]]:
    inputs = tmp_path_factory.mktemp("oai-jats-inputs")
    write_rich_seed(inputs)
    for path in [*CORPUS.glob("*.xml"), *PUBMED.glob("*.xml")]:
        if path.name != "mshsj-a968-pubmed.xml":
            shutil.copy(path, inputs / path.name)
    out = tmp_path_factory.mktemp("oai-jats-out")
    assert _build(inputs, out) == 0
    server = serve_in_small_pages(out, tmp_path_factory.mktemp("oai-jats-server"))
    yield server, out, inputs
    server.stop()


def _walk(server: RunningServer, schema: xmlschema.XMLSchema, **params: str) -> list[etree._Element]:
    """Every page of a list request, each validated whole (the first with its arguments, then by token)."""
    pages = [_get(server, schema, **params)]
    while (token := pages[-1].find(f".//{OAI}resumptionToken")) is not None and token.text:
        pages.append(_get(server, schema, verb=params["verb"], resumptionToken=token.text))
    return pages


def test_every_jats_page_validates_and_the_list_is_whole(
    site: tuple[RunningServer, Path, Path], schema: xmlschema.XMLSchema
) -> None:
    server, out, _ = site
    pages = _walk(server, schema, verb="ListRecords", metadataPrefix="jats")
    live = [identifier for identifier, _, deleted in _table(out) if not deleted]
    assert len(pages) == -(-len(live) // PAGE) > 3
    records = [r for page in pages for r in page.iter(f"{OAI}record")]
    assert sorted(r.findtext(f"{OAI}header/{OAI}identifier") for r in records) == live
    for record in records:
        article = record.find(f"{OAI}metadata/{J}article")
        assert article is not None and article.find(f"{J}front/{J}article-meta/{J}title-group") is not None
    assert pages[0].find(f".//{OAI}resumptionToken").get("completeListSize") == str(len(live))


def test_sickle_harvests_the_corpus_in_jats(
    site: tuple[RunningServer, Path, Path], jats_schema: etree.XMLSchema
) -> None:
    server, out, _ = site
    records = list(Sickle(server.url + "/oai", max_retries=1).ListRecords(metadataPrefix="jats"))
    assert sorted(r.header.identifier for r in records) == [i for i, _, deleted in _table(out) if not deleted]
    for record in records:
        article = record.xml.find(f".//{OAI}metadata/{J}article")
        assert jats_schema.validate(article), (record.header.identifier, jats_schema.error_log.last_error)


def test_the_seed_jats_record_says_what_the_graph_says(
    site: tuple[RunningServer, Path, Path], schema: xmlschema.XMLSchema
) -> None:
    server, _, _ = site
    formats = _get(server, schema, verb="ListMetadataFormats", identifier=SEED_ARTICLE)
    assert "jats" in [p.text for p in formats.iter(f"{OAI}metadataPrefix")]
    root = _get(server, schema, verb="GetRecord", identifier=SEED_ARTICLE, metadataPrefix="jats")
    meta = root.find(f".//{J}article-meta")
    assert meta.findtext(f"{J}article-id[@pub-id-type='doi']") == DOI
    assert [c.findtext(f"{J}name-alternatives/{J}name/{J}surname") for c in meta.iter(f"{J}contrib")] == [
        "Roozbahani",
        "Ahmadi",
    ]
    assert meta.findtext(f".//{J}contrib-id") == f"https://orcid.org/{ORCID}"
    assert (meta.findtext(f"{J}fpage"), meta.findtext(f"{J}lpage")) == ("355", "373")
    assert "roozbahani@" not in etree.tostring(root, encoding="unicode")


def test_a_token_keeps_its_format(site: tuple[RunningServer, Path, Path], schema: xmlschema.XMLSchema) -> None:
    """A ``jats`` token's next page is ``jats``; a token issued before there were two formats stays ``oai_dc``."""
    server, _, _ = site
    first = _get(server, schema, verb="ListRecords", metadataPrefix="jats")
    token = first.find(f".//{OAI}resumptionToken").text
    following = _get(server, schema, verb="ListRecords", resumptionToken=token)
    assert following.find(f".//{OAI}metadata/{J}article") is not None
    state = json.loads(base64.urlsafe_b64decode(token))
    assert state.pop("prefix") == "jats"
    older = base64.urlsafe_b64encode(json.dumps(state).encode()).decode()
    as_before = _get(server, schema, verb="ListRecords", resumptionToken=older)
    assert as_before.find(f".//{OAI}metadata/{{http://www.openarchives.org/OAI/2.0/oai_dc/}}dc") is not None
    state["prefix"] = "marc21"
    forged = base64.urlsafe_b64encode(json.dumps(state).encode()).decode()
    assert _error(_get(server, schema, verb="ListRecords", resumptionToken=forged)) == "badResumptionToken"


def test_a_withdrawn_article_is_a_deleted_jats_record(
    site: tuple[RunningServer, Path, Path], schema: xmlschema.XMLSchema
) -> None:
    server, out, inputs = site
    withdrawn, since = change_one_withdraw_another(server, out, inputs, _table(out))
    changed = _get(server, schema, verb="ListRecords", metadataPrefix="jats", **{"from": since})
    headers = sorted((h.findtext(f"{OAI}identifier"), h.get("status")) for h in changed.iter(f"{OAI}header"))
    assert headers == sorted([(SEED_ARTICLE, None), (withdrawn, "deleted")])
    titles = [t.text for t in changed.iter(f"{J}trans-title")]
    assert "A Scoping review of Digital Twins’ Applications and Challenges in Healthcare and Medicine" in titles
    gone = _get(server, schema, verb="GetRecord", identifier=withdrawn, metadataPrefix="jats")
    assert gone.find(f".//{OAI}header").get("status") == "deleted" and gone.find(f".//{OAI}metadata") is None
