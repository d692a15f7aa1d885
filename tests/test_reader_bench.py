"""``kg bench readers`` compares like with like: the PubMed rendering holds the same articles as the corpus."""

from __future__ import annotations

from pathlib import Path

from kg.sources.registry import read_file
from tests.benchmarks.reader_bench import BENCH_SECRET, make_corpora, run


def test_the_pubmed_rendering_holds_the_same_articles(tmp_path: Path) -> None:
    journal_files, pubmed_files = make_corpora(tmp_path, 30, seed=3)

    def facts(paths: list[Path]) -> list[tuple]:
        found = []
        for path in paths:
            for export in read_file(path, BENCH_SECRET).exports:
                for article in export.articles:
                    names = tuple(author.family_name.en or author.family_name.fa for author in article.authors)
                    found.append(
                        (
                            export.journal.key,
                            export.issue.volume,
                            export.issue.number,
                            article.key,
                            article.title.en,
                            article.title.fa,
                            article.start_page,
                            article.doi,
                            names,
                        )
                    )
        return sorted(found)

    journal, pubmed = facts(journal_files), facts(pubmed_files)
    assert len(journal) == 30
    assert pubmed == journal


def test_the_figures_are_reported(tmp_path: Path) -> None:
    figures = run(20, seed=2, repeat=1, workdir=tmp_path)
    assert figures["journal_export"]["articles"] == figures["pubmed"]["articles"] == 20
    assert figures["ratio"] > 0 and isinstance(figures["met"], bool)
