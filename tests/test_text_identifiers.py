"""The cleaning rules and identifier checks, one by one, on the quirks real exports carry."""

from __future__ import annotations

import jdatetime
import pytest

from kg.article_types import classify
from kg.dates import gregorian_iso, jalali
from kg.identifiers import normalise_doi, normalise_issn, normalise_orcid, plausible_local_id
from kg.iris import Minter, fold
from kg.sources.registry import read_data as read_bytes
from kg.text import ascii_digits, clean_line, html_to_text, persian, script, scrub_emails
from tests.conftest import SEED


def test_clean_line_collapses_and_unescapes_but_keeps_zwnj() -> None:
    assert clean_line("  Twins&#39;\n  Applications\t\u00a0x ") == "Twins' Applications x"
    assert clean_line("کلان\u200cداده") == "کلان\u200cداده"
    assert clean_line("a\u200fb\u00adc") == "abc"  # bidi mark and soft hyphen are junk


def test_persian_orthography_and_digits() -> None:
    assert persian("پژوهشي كاربردى") == "پژوهشی کاربردی"
    assert ascii_digits("۳۵۵–٣٧٣") == "355–373"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Evaluation of maize", "en"),
        ("ارزیابی تحمل تنش خشکی در ذرت (.Zea mays L)", "fa"),
        ("123 - 45", ""),
    ],
)
def test_script_detection(text: str, expected: str) -> None:
    assert script(text) == expected


def test_html_abstract_to_paragraphs() -> None:
    markup = (
        '<div style="x"><span nazanin=""><b>Background:</b>&nbsp;text &laquo;one&raquo;</span><br>\n'
        "<!--[if gte mso 9]><xml>junk</xml><![endif]--><span>Methods: two&amp;shy;</span>"
        "<style>p {}</style><p>Results: three</p></div>"
    )
    assert html_to_text(markup) == "Background: text «one»\n\nMethods: two\n\nResults: three"
    assert html_to_text("plain &amp;amp; simple") == "plain & simple"
    assert html_to_text("") == ""


def test_emails_are_scrubbed_from_text() -> None:
    assert scrub_emails("Tehran, Iran. , name@univ.ac.ir") == "Tehran, Iran."
    assert scrub_emails("name@univ.ac.ir") == ""
    assert scrub_emails("line one a@b.org\n\nline two") == "line one\n\nline two"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2476-6879", "2476-6879"),
        ("24766879", "2476-6879"),
        ("۲۴۷۶-۶۸۷۹", "2476-6879"),
        ("2476-6878", None),
        ("0000-0000", None),
        ("1735-927x", None),
        ("2049-3630", "2049-3630"),
        ("", None),
        ("8", None),
    ],
)
def test_issn(raw: str, expected: str | None) -> None:
    assert normalise_issn(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("0000-0002-1825-0097", "0000-0002-1825-0097"),
        ("https://orcid.org/0000-0001-5109-3700", "0000-0001-5109-3700"),
        ("0000-0002-1694-233X", "0000-0002-1694-233X"),
        ("0000-0002-1825-0098", None),
        ("0000-0000-0000-0000", None),
        ("1234", None),
    ],
)
def test_orcid(raw: str, expected: str | None) -> None:
    assert normalise_orcid(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("10.22034/JAIR.2020.1", "10.22034/jair.2020.1"),
        ("https://doi.org/10.1000/XYZ", "10.1000/xyz"),
        ("doi:10.1000/abc", "10.1000/abc"),
        ("10.22034", None),
        ("doi", None),
        ("-", None),
    ],
)
def test_doi(raw: str, expected: str | None) -> None:
    assert normalise_doi(raw) == expected


@pytest.mark.parametrize("raw", ["8", "14", "000", "000000", "8888", "-", "doi"])
def test_placeholders_are_not_identifiers(raw: str) -> None:
    assert plausible_local_id(raw) is None


def test_jalali_dates_are_checked_not_converted() -> None:
    date = jalali("1404", "12", "1")
    assert date is not None and (date.year, date.month, date.day) == (1404, 12, 1)
    assert jdatetime.date(1404, 12, 1).togregorian().isoformat() == "2026-02-20"  # not the declared 2026-03-01
    assert jalali("1404", "13", "1") is None and jalali("1403", "12", "30") is not None  # 1403 is leap
    assert gregorian_iso("2026", "2", "30") is None and gregorian_iso("2026", "3", "1") == "2026-03-01"


@pytest.mark.parametrize(
    ("label", "slug"),
    [
        ("Review", "review-article"),
        ("Original Article(s)", "research-article"),
        ("Research(Original)", "research-article"),
        ("Orginal research papers", "research-article"),
        ("case report", "case-report"),
        ("پژوهشي", "research-article"),
        ("تحقيقي", "research-article"),
        ("مروری", "review-article"),
        ("ديدگاه", "perspective"),
        ("Short Communication", "brief-report"),
        ("Systematic Review", "systematic-review"),
        ("Something else", ""),
    ],
)
def test_article_types(label: str, slug: str) -> None:
    assert classify(label) == slug


def test_keywords_split_on_every_separator() -> None:
    text = SEED.read_text(encoding="utf-8").replace(
        "<keyword>Medical digital twin, Digital health,", "<keyword>Keywords: Medical digital twin; Digital health؛"
    )
    text = text.replace("سلامت دیجیتال, هوش مصنوعی", "سلامت ديجيتال، هوش مصنوعی")
    export = read_bytes(SEED, text.encode("utf-8"), b"secret").export
    assert export is not None
    article = export.articles[0]
    assert article.keywords_en[:2] == ["Medical digital twin", "Digital health"]
    assert article.keywords_fa[1:3] == ["سلامت دیجیتال", "هوش مصنوعی"]
    assert len(article.keywords_en) == len(article.keywords_fa) == 5


def test_iris_are_pure_functions_of_normalised_keys() -> None:
    minter = Minter("https://kg.example.org/")
    assert minter.organization("Iran University ,  Tehran") == minter.organization("iran university , tehran")
    assert minter.concept("Digital Health", "en") == minter.concept("digital  health", "en")
    assert fold("پژوهشي") == fold("پژوهشی")
    assert minter.article("2476-6879", "A 1/2").value == "https://kg.example.org/id/journal/2476-6879/article/A%201%2F2"
