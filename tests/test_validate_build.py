"""The acceptance batch through the real build: what the reader repairs is published with a warning, what
only SHACL can see is warned about, and an article without a title is quarantined with its SHACL report."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pyoxigraph import Store

from kg.build import BuildOptions, build

SEED = Path(__file__).resolve().parent.parent / "kg" / "sample" / "seed" / "mshsj-v10n4-a968.xml"
KGSH = "https://w3id.org/kg/shapes#"
TITLE_EN = "A Scoping Review of Digital Twins’ Applications and Challenges in Healthcare and Medicine"
TITLE_FA = "مروری جامع بر کاربردها و چالشهای دوقلوهای دیجیتال در پزشکی و سلامت"


def variant(folder: Path, code: str, *edits: tuple[str, str]) -> Path:
    text = SEED.read_text(encoding="utf-8").replace("a_code=A-10-968-1", f"a_code={code}")
    for old, new in edits:
        assert old in text, old
        text = text.replace(old, new)
    path = folder / f"{code}.xml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def mixed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, dict]]:
    inputs = tmp_path_factory.mktemp("mixed-inputs")
    variant(
        inputs,
        "A-1-no-title",
        (f"<title_fa>{TITLE_FA}</title_fa>", "<title_fa></title_fa>"),
        (f"<title>{TITLE_EN}</title>", "<title></title>"),
    )
    variant(inputs, "A-2-bad-orcid", ("<orcid></orcid>", "<orcid>0000-0002-1825-0098</orcid>"))
    variant(
        inputs,
        "A-3-bad-issn",
        ("<journal_id_issn>2476-6879</journal_id_issn>", "<journal_id_issn>2476-6878</journal_id_issn>"),
    )
    variant(
        inputs,
        "A-4-pages",
        ("<start_page>355</start_page>", "<start_page>373</start_page>"),
        ("<end_page>373</end_page>", "<end_page>355</end_page>"),
    )
    variant(inputs, "A-5-persian-en-title", (f"<title>{TITLE_EN}</title>", f"<title>{TITLE_FA}</title>"))
    out = tmp_path_factory.mktemp("mixed-out")
    build([inputs], out, BuildOptions(base="https://kg.example.org", secret=b"test", processes=1, progress=False))
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    articles = {Path(f["path"]).stem: a for f in report["files"] for a in f["articles"]}
    return out, articles


def shapes(entry: dict) -> set[tuple[str, str]]:
    return {(v["severity"], v["shape"].removeprefix(KGSH)) for v in entry.get("validation", [])}


def reader_fields(entry: dict) -> set[str]:
    return {p.get("field", "") for p in entry.get("problems", []) if p["severity"] == "warning"}


def test_no_title_is_quarantined_with_its_shacl_report(mixed) -> None:
    out, articles = mixed
    entry = articles["A-1-no-title"]
    assert entry["status"] == "quarantined"
    assert ("violation", "Article-title") in shapes(entry)
    folder = out / entry["quarantine"]
    assert "kgsh:Article-title" in (folder / "validation.ttl").read_text(encoding="utf-8")


def test_bad_orcid_is_published_without_the_orcid(mixed) -> None:
    out, articles = mixed
    entry = articles["A-2-bad-orcid"]
    assert entry["status"] == "published" and not any(s == "violation" for s, _ in shapes(entry))
    assert any("orcid" in field for field in reader_fields(entry))
    store = Store.read_only(str(out / "current" / "store"))
    assert not bool(
        store.query(
            'ASK { ?p <http://schema.org/sameAs> ?o FILTER(CONTAINS(STR(?o), "1825-0098")) }',
            use_default_graph_as_union=True,
        )
    )


def test_bad_print_issn_is_not_published_as_an_issn(mixed) -> None:
    out, articles = mixed
    entry = articles["A-3-bad-issn"]
    assert entry["status"] == "published"
    store = Store.read_only(str(out / "current" / "store"))
    assert not bool(store.query('ASK { ?j ?p "2476-6878" }', use_default_graph_as_union=True))


def test_pages_in_reverse_order_are_published_with_a_warning(mixed) -> None:
    _, articles = mixed
    entry = articles["A-4-pages"]
    assert entry["status"] == "published"
    assert ("warning", "Article-pageOrder") in shapes(entry)


def test_persian_in_the_english_title_is_published_as_persian(mixed) -> None:
    out, articles = mixed
    entry = articles["A-5-persian-en-title"]
    assert entry["status"] == "published"
    assert not any(s == "violation" for s, _ in shapes(entry))
    assert entry["problems"], "the reader reports the re-tagged title"
    store = Store.read_only(str(out / "current" / "store"))
    query = f'ASK {{ ?a <http://schema.org/headline> "{TITLE_FA}"@en }}'
    assert not bool(store.query(query, use_default_graph_as_union=True))
