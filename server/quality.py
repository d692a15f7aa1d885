"""The data-quality pages: per journal and per issue, what an editor should complete or correct.

``/quality/`` lists the journals; ``/quality/journal/{issn}`` is one journal's page (``/fa/...`` right-to-left,
``/en/...``; without a language, Accept-Language picks, Persian by default) and ``.json`` its figures. The
figures are the build's (``quality.json`` of the served release, written by ``kg.publish.quality``): this
module computes nothing, it reads the file the release holds (once per release and worker) and links each
article concerned to its page.
"""

from __future__ import annotations

import json
import threading
from typing import Any

from flask import Blueprint, Response, abort, jsonify, render_template

from kg.publish.layout import ReleaseLayout
from kg.server.describe import Rebase, current_release, rebase
from kg.server.page_common import LANGUAGES, Links, Page, Text, digits
from kg.server.page_common import UI as PAGE_UI
from kg.server.resources import page_language

bp = Blueprint("quality", __name__)

FIGURES = ("both_titles", "both_abstracts", "keywords", "doi", "orcid", "affiliation")
AUTHOR_FIGURES = ("orcid", "affiliation")
UI: dict[str, dict[str, str]] = {
    "fa": {
        "quality": "کیفیت داده‌ها",
        "journals": "مجله‌ها",
        "issue": "شماره",
        "volume": "دوره",
        "all": "همهٔ شماره‌ها",
        "articles": "مقاله",
        "authors": "نویسنده",
        "both_titles": "عنوان فارسی و انگلیسی",
        "both_abstracts": "چکیدهٔ فارسی و انگلیسی",
        "keywords": "کلیدواژه",
        "doi": "DOI",
        "orcid": "ORCID نویسندگان",
        "affiliation": "وابستگی نویسندگان",
        "warnings": "هشدارهای باز",
        "missing": "کمبودها",
        "conflicts": "ناسازگاری میان خروجی‌ها",
        "kept": "مقدار نگه‌داشته",
        "sources": "منابع",
        "none": "موردی نیست.",
        "intro": "سهم مقاله‌هایی که هر مورد را دارند (برای ORCID و وابستگی: سهم نویسندگان)، "
        "و هشدارهایی که باید بررسی شوند.",
    },
    "en": {
        "quality": "Data quality",
        "journals": "Journals",
        "issue": "Issue",
        "volume": "Volume",
        "all": "All issues",
        "articles": "articles",
        "authors": "authors",
        "both_titles": "Persian and English titles",
        "both_abstracts": "Persian and English abstracts",
        "keywords": "Keywords",
        "doi": "DOI",
        "orcid": "Authors' ORCID iDs",
        "affiliation": "Authors' affiliations",
        "warnings": "Open warnings",
        "missing": "Missing",
        "conflicts": "Conflicts between exports",
        "kept": "kept",
        "sources": "sources",
        "none": "None.",
        "intro": "The share of articles that have each item (ORCID iDs and affiliations: the share of authors), "
        "and the warnings to look at.",
    },
}

_loaded: dict[str, dict[str, Any]] = {}  # release id -> its quality.json
_lock = threading.Lock()


def figures() -> dict[str, Any]:
    """The served release's ``quality.json`` (read once per release)."""
    release = current_release()
    if release is None:
        abort(503, description="No release is published yet.")
    with _lock:
        found = _loaded.get(release.id)
        if found is None:
            try:
                text = ReleaseLayout(release.path).quality.read_text(encoding="utf-8")
            except OSError:
                abort(404, description="This release has no data-quality figures (built by an older kg).")
            found = json.loads(text)
            _loaded.clear()  # one release at a time is served
            _loaded[release.id] = found
    return found


def share(counts: dict[str, Any], name: str, lang: str) -> str:
    """A figure as a percentage, in the page's digits; "–" when there is nothing to count."""
    total = counts["author_count"] if name in AUTHOR_FIGURES else counts["article_count"]
    if not total:
        return "–"
    percent = round(100 * counts["counts"][name] / total)
    return digits(f"{percent}٪", lang) if lang == "fa" else f"{percent}%"


def _urls(rb: Rebase, path: str, lang: str, thing: str) -> dict[str, Any]:
    """What base.html links to: this page in each language, the JSON, home, endpoint, dumps."""
    tail = f"/quality/{path}" if path else "/quality/"
    return {
        "thing": thing,
        "doc": rb.public + tail,
        "self": f"{rb.public}/{lang}{tail}",
        "formats": {"application/json": f"{rb.public}/quality/{path}.json"} if path else {},
        "languages": {other: f"{rb.public}/{other}{tail}" for other in LANGUAGES},
        "home": rb.public + "/",
        "sparql": rb.public + "/sparql",
        "dumps": rb.public + "/dumps/",
        "css": rb.public + "/static/site.css",
    }


def _page(title: Text, lang: str, urls: dict[str, Any]) -> Page:
    return Page(lang=lang, kind="quality", title=title, urls=urls, ui={**PAGE_UI[lang], "quality": UI[lang]["quality"]})


def _name(names: dict[str, str], lang: str, fallback: str) -> Text:
    for candidate in (lang, "en", "fa"):
        if names.get(candidate):
            return Text(names[candidate], candidate)
    return Text(fallback)


def _journal(path: str) -> dict[str, Any]:
    """A copy of the journal's figures (the page adds links to it; the loaded file stays as read)."""
    rb = rebase()
    iri = f"{rb.build}/id/{path}"
    journal = next((j for j in figures()["journals"] if j["iri"] == iri), None)
    if journal is None:
        abort(404, description=f"No journal is published as {iri}.")
    return json.loads(json.dumps(journal))


@bp.route("/quality/")
def index_any() -> str:
    return index(page_language())


@bp.route("/<any(fa, en):lang>/quality/")
def index(lang: str) -> str:
    """Every journal with its figures, linked to its page."""
    rb = rebase()
    rows = [
        {
            "href": f"{rb.public}/{lang}/quality/{j['iri'].partition('/id/')[2]}",
            "name": _name(j["name"], lang, j["iri"]),
            "counts": j,
        }
        for j in figures()["journals"]
    ]
    page = _page(Text(UI[lang]["quality"], lang), lang, _urls(rb, "", lang, rb.build + "/"))
    return render_template(
        "quality_index.html", page=page, q=UI[lang], rows=rows, figures=FIGURES, share=share, digits=digits
    )


@bp.route("/quality/<path:path>.json")
def journal_json(path: str) -> Response:
    return jsonify(_journal(path))


@bp.route("/quality/<path:path>")
def journal_any(path: str) -> str:
    return journal_page(page_language(), path)


@bp.route("/<any(fa, en):lang>/quality/<path:path>")
def journal_page(lang: str, path: str) -> str:
    """One journal: its figures, each issue's, the articles concerned and the conflicts between its exports."""
    journal = _journal(path)
    rb = rebase()
    links = Links(rb, lang)
    issues = []
    for issue in journal["issues"]:
        concerned = [
            {
                "href": links.page(row["iri"]),
                "title": _name(row["title"], lang, row["iri"]),
                "missing": [UI[lang][name] for name in row["missing"]],
                "warnings": row["warnings"],
            }
            for row in issue["articles"]
            if row["missing"] or row["warnings"]
        ]
        issues.append({"figures": issue, "href": links.page(issue["iri"]), "articles": concerned})
    for conflict in journal["conflicts"]:  # each source links to the article page it came from
        for value in conflict["values"]:
            for source in value["sources"]:
                source["href"] = links.page(source["graph"].replace("/graph/journal/", "/id/journal/", 1))
    title = _name(journal["name"], lang, journal["iri"])
    page = _page(title, lang, _urls(rb, path, lang, journal["iri"]))
    return render_template(
        "quality.html",
        page=page,
        q=UI[lang],
        journal=journal,
        journal_href=links.page(journal["iri"]),
        issues=issues,
        figures=FIGURES,
        share=share,
        digits=digits,
    )
