"""The same article from the journal export and from PubMed meets itself: one article, journal and issue IRI.

The seed and the hand-written PubMed rendering of its article (tests/fixtures/pubmed/mshsj-a968-pubmed.xml)
are built together. Both name the article by its code (``a_code`` of ``web_url``) and the journal by its
print ISSN, so both copies map to one article graph: the journal export's copy is published and the
PubMed copy is merged into it (``tests/test_merge.py`` checks the merged facts).
"""

from __future__ import annotations

import json
from pathlib import Path

from pyoxigraph import Store

from kg.build import BuildOptions, build
from kg.iris import article_key_fallback
from kg.vocab import sparql_prologue
from tests.conftest import ROOT, SEED, TEST_SECRET

BASE = "https://kg.example.org"
PUBMED = ROOT / "tests" / "fixtures" / "pubmed" / "mshsj-a968-pubmed.xml"
JOURNAL = f"{BASE}/id/journal/2476-6879"
ARTICLE = f"{JOURNAL}/article/A-10-968-1"


def test_seed_and_its_pubmed_rendering_are_one_article(tmp_path: Path) -> None:
    out = tmp_path / "out"
    build([SEED, PUBMED], out, BuildOptions(base=BASE, secret=TEST_SECRET.encode(), processes=1))
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    copies = [
        (Path(entry["path"]).name, article["iri"], article["status"])
        for entry in report["files"]
        for article in entry["articles"]
    ]
    assert sorted((name, status) for name, _, status in copies) == [
        ("mshsj-a968-pubmed.xml", "merged"),
        ("mshsj-v10n4-a968.xml", "published"),
    ]
    assert {iri for _, iri, _ in copies} == {ARTICLE}
    store = Store.read_only(str(out / "current" / "store"))
    query = (
        sparql_prologue()
        + "SELECT DISTINCT ?a ?i ?j WHERE { ?a a schema:ScholarlyArticle ; schema:isPartOf ?i . "
        + "?i schema:isPartOf/schema:isPartOf ?j }"
    )
    found = [tuple(term.value for term in row) for row in store.query(query)]
    assert found == [(ARTICLE, f"{JOURNAL}/volume/10/issue/4", JOURNAL)]


def test_without_a_code_the_doi_names_the_article_in_every_format() -> None:
    by_doi = article_key_fallback("10.22077/jlr.2018.857", "6", "1-2", "1", "Title", "")
    assert by_doi == article_key_fallback("10.22077/jlr.2018.857", "7", "3", "", "", "عنوان")
    assert by_doi[1] == "DOI"
    assert article_key_fallback("", "10", "4", "355", "t", "")[0] == "v10-n4-p355"
    assert article_key_fallback("", "", "", "", "", "") == ("", "")
