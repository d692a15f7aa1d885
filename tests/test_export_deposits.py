"""``kg export crossref`` and ``kg export doaj`` over a real build, validated with the official schemas.

The seed is built with a DOI, an ORCID and a second author added to its export (the sample's seed has none
of these), beside a corpus file without a DOI; the Crossref deposit of the seed's issue must validate
against crossref5.3.1.xsd and the DOAJ file against doajArticles.xsd (both vendored in tests/xsd with their
includes), and say what the graph says: titles, authors in order, ORCIDs, pages, DOI.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import shutil
from pathlib import Path

import pytest
import xmlschema
from lxml import etree
from pyoxigraph import Store

from kg.build import BuildOptions, build
from kg.cli import main
from kg.publish.layout import Layout
from tests.conftest import CORPUS, TEST_SECRET
from tests.seed_variants import DOI, ORCID, write_rich_seed

BASE = "https://kg.example.org"
XSD = Path(__file__).resolve().parent / "xsd"
ISSUE = f"{BASE}/id/journal/2476-6879/volume/10/issue/4"
ARTICLE = f"{BASE}/id/journal/2476-6879/article/A-10-968-1"
CR = "{http://www.crossref.org/schema/5.3.1}"
JATS = "{http://www.ncbi.nlm.nih.gov/JATS1}"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    inputs = tmp_path_factory.mktemp("export-inputs")
    write_rich_seed(inputs, persian_affiliation=False)
    shutil.copy(CORPUS / "khu-jeg-xml_out-3073.xml", inputs)
    out = tmp_path_factory.mktemp("export-out")
    report = build([inputs], out, BuildOptions(base=BASE, secret=TEST_SECRET.encode(), progress=False))
    assert report.exit_code == 0, report.summary
    return out


@pytest.fixture(scope="module")
def config(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("export-config") / "kg.toml"
    path.write_text(
        '[export.crossref]\ndepositor_name = "Journal office"\ndepositor_email = "office@journal.example"\n'
        'registrant = "Shahid Sadoughi University"\n',
        encoding="utf-8",
    )
    return path


def _graph(out: Path) -> Store:
    store = Store.read_only(str(Layout(out).current_release().store))
    return store


def _run(*argv: str) -> tuple[int, str]:
    """``kg export ...`` through the CLI's entry point; returns (exit status, what it reported)."""
    errors = io.StringIO()
    with contextlib.redirect_stderr(errors):
        status = main(list(argv))
    return status, errors.getvalue()


def test_crossref_deposit_of_the_seed_issue_validates_and_matches_the_graph(
    built: Path, config: Path, tmp_path: Path
) -> None:
    target = tmp_path / "deposit.xml"
    status, report = _run(
        "export", "crossref", str(built), "--issue", ISSUE, "--out", str(target), "--config", str(config)
    )
    assert status == 0, report
    schema = xmlschema.XMLSchema(str(XSD / "crossref" / "crossref5.3.1.xsd"), allow="local")
    errors = list(schema.iter_errors(str(target)))
    assert not errors, errors[0]
    root = etree.parse(str(target)).getroot()
    assert root.findtext(f"{CR}head/{CR}depositor/{CR}depositor_name") == "Journal office"
    assert root.findtext(f"{CR}head/{CR}registrant") == "Shahid Sadoughi University"
    articles = root.findall(f".//{CR}journal_article")
    assert len(articles) == 1
    article = articles[0]
    store = _graph(built)
    titles = {
        (row["t"].value, row["t"].language)
        for row in store.query(f"SELECT ?t WHERE {{ GRAPH ?g {{ <{ARTICLE}> <http://schema.org/name> ?t }} }}")
    }
    assert (article.findtext(f"{CR}titles/{CR}title"), "fa") in titles
    translated = article.find(f"{CR}titles/{CR}original_language_title")
    assert (translated.text, translated.get("language")) in titles and translated.get("language") == "en"
    people = article.findall(f"{CR}contributors/{CR}person_name")
    assert [(p.get("sequence"), p.findtext(f"{CR}surname")) for p in people] == [
        ("first", "Roozbahani"),
        ("additional", "Ahmadi"),
    ]
    assert people[0].find(f"{CR}ORCID") is None and people[1].findtext(f"{CR}ORCID") == f"https://orcid.org/{ORCID}"
    assert people[1].findtext(f"{CR}affiliations/{CR}institution/{CR}institution_name") == (
        "Department of Health Management, Yazd, Iran"
    )
    assert sorted(a.get("{http://www.w3.org/XML/1998/namespace}lang") for a in article.findall(f"{JATS}abstract")) == [
        "en",
        "fa",
    ]
    assert (
        article.findtext(f"{CR}pages/{CR}first_page") == "355" and article.findtext(f"{CR}pages/{CR}last_page") == "373"
    )
    assert article.findtext(f"{CR}doi_data/{CR}doi") == DOI
    assert article.findtext(f"{CR}doi_data/{CR}resource").startswith("http://mshsj.ssu.ac.ir/")
    assert article.findtext(f"{CR}publication_date/{CR}year") == "2026"


def test_crossref_skips_articles_without_doi_and_needs_its_head(built: Path, config: Path, tmp_path: Path) -> None:
    target = tmp_path / "all.xml"
    status, report = _run("export", "crossref", str(built), "--out", str(target), "--config", str(config))
    assert status == 0
    assert re.search(r"article/t-[0-9a-f]+: skipped: no DOI", report), report
    assert etree.parse(str(target)).getroot().findall(f".//{CR}journal_article")[0] is not None
    status, report = _run("export", "crossref", str(built), "--out", str(target))
    assert status == 3 and "[export.crossref] depositor_name" in report


def test_doaj_file_validates_and_matches_the_graph(built: Path, tmp_path: Path) -> None:
    target = tmp_path / "doaj.xml"
    status, report = _run("export", "doaj", str(built), "--out", str(target))
    assert status == 0, report
    schema = xmlschema.XMLSchema(
        str(XSD / "doaj" / "doajArticles.xsd"),
        allow="local",
        locations={"http://www.doaj.org/schemas/iso_639-2b/1.1": os.fspath(XSD / "doaj" / "iso_639-2b.xsd")},
    )
    errors = list(schema.iter_errors(str(target)))
    assert not errors, errors[0]
    records = etree.parse(str(target)).getroot().findall("record")
    seed = next(r for r in records if r.findtext("publisherRecordId") == ARTICLE)
    assert seed.findtext("doi") == DOI and seed.findtext("startPage") == "355" and seed.findtext("endPage") == "373"
    assert seed.findtext("issn") == "2476-6879" and seed.findtext("eissn") == "2538-1563"
    assert {(t.text, t.get("language")) for t in seed.findall("title")} == {
        ("A Scoping Review of Digital Twins’ Applications and Challenges in Healthcare and Medicine", "eng"),
        ("مروری جامع بر کاربردها و چالشهای دوقلوهای دیجیتال در پزشکی و سلامت", "per"),
    }
    authors = seed.findall("authors/author")
    assert [a.findtext("name") for a in authors] == ["Mohammad Hossein Roozbahani", "Sara Ahmadi"]
    assert authors[1].findtext("orcid_id") == f"https://orcid.org/{ORCID}"
    assert all(a.find("email") is None for a in authors)  # e-mail addresses are never published
    assert "roozbahani@" not in target.read_text(encoding="utf-8")  # the seed's author e-mail is not in the file
    narrowed = tmp_path / "journal.xml"
    assert (
        _run("export", "doaj", str(built), "--journal", f"{BASE}/id/journal/2476-6879", "--out", str(narrowed))[0] == 0
    )
    assert [r.findtext("publisherRecordId") for r in etree.parse(str(narrowed)).getroot().findall("record")] == [
        ARTICLE
    ]
