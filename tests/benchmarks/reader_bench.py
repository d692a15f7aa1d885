"""``kg bench readers``: the PubMed reader against the journal-export reader on the same articles.

A synthetic journal-export corpus (``tests.benchmarks.synthetic``, made from the seed's shape) is written,
then rendered article by article as PubMed publisher ``ArticleSet`` files (``to_pubmed``: the same titles,
abstracts, authors, keywords, pages, DOIs and issue, as a journal system renders both), and both corpora
are read with ``kg.sources.registry.read_file`` in this one process, best of ``--repeat`` runs. The figure
is the ratio of the two reading rates (articles per CPU second); the issue's target is at least 1.
"""

from __future__ import annotations

import argparse
import json
import shutil
import tempfile
import time
from pathlib import Path

from lxml import etree
from lxml.builder import E

BENCH_SECRET = b"kg-bench-secret-not-for-production"
TARGET_RATIO = 1.0


def _text(element: etree._Element | None, name: str) -> str:
    found = element.find(name) if element is not None else None
    return (found.text or "") if found is not None else ""


def to_pubmed(data: bytes) -> bytes:
    """One journal-export file rendered as a PubMed publisher ``ArticleSet`` (one ``<Article>`` per article)."""
    root = etree.fromstring(data, etree.XMLParser(resolve_entities=False, no_network=True))
    dates = {_text(pubdate, "type"): pubdate for pubdate in root.findall("pubdate")}
    gregorian = dates.get("gregorian")
    issn = _text(root, "journal_id_issn") or _text(root, "journal_id_issn_online")
    articles = []
    for article in root.iterfind("articleset/article"):
        journal = E.Journal(
            E.PublisherName("Synthetic University"),
            E.JournalTitle(_text(root, "title") or _text(root, "title_fa")),
            E.Issn(issn),
            E.Volume(_text(root, "volume")),
            E.Issue(_text(root, "number")),
            E.PubDate(
                E.Year(_text(gregorian, "year")),
                E.Month(_text(gregorian, "month")),
                E.Day(_text(gregorian, "day")),
                PubStatus="ppublish",
            ),
        )
        authors = []
        for author in article.iterfind("author_list/author"):
            person = E.Author(
                E.FirstName(_text(author, "first_name") or _text(author, "first_name_fa")),
                E.LastName(_text(author, "last_name") or _text(author, "last_name_fa")),
                E.Affiliation(_text(author, "affiliation") or _text(author, "affiliation_fa")),
            )
            if _text(author, "orcid"):
                person.append(E.Identifier(_text(author, "orcid"), Source="ORCID"))
            authors.append(person)
        keywords = [
            E.Object(E.Param(word.strip(), Name="value"), Type="keyword")
            for field in ("keyword", "keyword_fa")
            for word in _text(article, field).split(",")
            if word.strip()
        ]
        element = E.Article(
            journal,
            E.ArticleTitle(_text(article, "title")),
            E.VernacularTitle(_text(article, "title_fa")),
            E.FirstPage(_text(article, "start_page")),
            E.LastPage(_text(article, "end_page")),
            E.ELocationID(_text(article, "article_id_doi"), EIdType="doi"),
            E.Language(_text(article, "language").upper()),
            E.AuthorList(*authors),
            E.PublicationType(_text(article, "content_type") or "Journal Article"),
            E.History(E.PubDate(E.Year("2024"), E.Month("01"), E.Day("15"), PubStatus="received")),
            E.Abstract(_text(article, "abstract")),
            E.OtherAbstract(_text(article, "abstract_fa"), Language="FA"),
            E.ObjectList(*keywords),
            E.web_url(_text(article, "web_url")),
        )
        articles.append(element)
    return etree.tostring(E.ArticleSet(*articles), xml_declaration=True, encoding="UTF-8", pretty_print=True)


def make_corpora(workdir: Path, articles: int, seed: int) -> tuple[list[Path], list[Path]]:
    """The journal-export corpus and its PubMed rendering, file for file."""
    from tests.benchmarks.synthetic import generate_corpus

    journal_dir, pubmed_dir = workdir / "journal", workdir / "pubmed"
    for folder in (journal_dir, pubmed_dir):
        shutil.rmtree(folder, ignore_errors=True)
    journal_files = generate_corpus(journal_dir, articles, seed=seed)
    pubmed_files = []
    for path in journal_files:
        target = pubmed_dir / path.relative_to(journal_dir)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(to_pubmed(path.read_bytes()))
        pubmed_files.append(target)
    return journal_files, pubmed_files


def _one_pass(paths: list[Path]) -> tuple[int, float]:
    """Articles read by ``read_file`` over ``paths`` and the CPU seconds it took, from a cold cache."""
    from kg.sources import header
    from kg.sources.registry import read_file

    header._read_header.cache_clear()  # every pass starts cold, as a build's worker does
    started = time.process_time()
    articles = sum(len(export.articles) for path in paths for export in read_file(path, BENCH_SECRET).exports)
    return articles, time.process_time() - started


def _rate(articles: int, seconds: float) -> dict:
    return {"articles": articles, "seconds": seconds, "articles_per_s": articles / seconds if seconds else 0.0}


def run(articles: int, seed: int, repeat: int, workdir: Path) -> dict:
    """Both readers, their passes interleaved (journal, PubMed, journal, ...) so that a shared machine's
    changing load falls on both alike; the best pass of each counts."""
    journal_files, pubmed_files = make_corpora(workdir, articles, seed)
    best = {"journal": (0, float("inf")), "pubmed": (0, float("inf"))}
    for _ in range(repeat):
        for name, paths in (("journal", journal_files), ("pubmed", pubmed_files)):
            found, seconds = _one_pass(paths)
            if seconds < best[name][1]:
                best[name] = (found, seconds)
    journal, pubmed = _rate(*best["journal"]), _rate(*best["pubmed"])
    ratio = pubmed["articles_per_s"] / journal["articles_per_s"] if journal["articles_per_s"] else 0.0
    return {
        "files": len(journal_files),
        "journal_export": journal,
        "pubmed": pubmed,
        "ratio": ratio,
        "target_ratio": TARGET_RATIO,
        "met": ratio >= TARGET_RATIO,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="kg bench readers", description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=1000, help="articles in each corpus (default 1000)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--repeat", type=int, default=5, help="passes per reader, interleaved; the best counts (default 5)"
    )
    parser.add_argument("--json", type=Path, help="also write the figures to this JSON file")
    parser.add_argument("--check", action="store_true", help="exit with status 3 if the ratio is below 1")
    args = parser.parse_args(argv)
    workdir = Path(tempfile.mkdtemp(prefix="kg-bench-readers-"))
    try:
        figures = run(args.articles, args.seed, args.repeat, workdir)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    journal, pubmed = figures["journal_export"], figures["pubmed"]
    print(
        f"files: {figures['files']}, articles: {journal['articles']} (journal export) / {pubmed['articles']} (PubMed)"
    )
    print(f"journal-export reader: {journal['articles_per_s']:.0f} articles/s ({journal['seconds']:.2f} CPU s)")
    print(f"PubMed reader:         {pubmed['articles_per_s']:.0f} articles/s ({pubmed['seconds']:.2f} CPU s)")
    print(
        f"ratio PubMed / journal export: {figures['ratio']:.2f} (target >= {TARGET_RATIO:.0f}: "
        f"{'met' if figures['met'] else 'missed'})"
    )
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    return 3 if args.check and not figures["met"] else 0
