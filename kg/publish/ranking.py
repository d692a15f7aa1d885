"""Which copy of each article graph a build publishes, decided file by file as the results come in.

An article is the unit of publication: it has its own named graph, and a newer export of it replaces
exactly that graph, whichever file it comes in. A copy ranks by (issue date, file SHA-256): a later issue
replaces an earlier copy, and between two files of the same issue date the order is still the same on
every build. ``Ranking.publish`` takes one file's ``FileResult``: a quarantined article goes to
``DIR/quarantine/``, a copy that loses is reported as superseded, a copy that wins goes to the store
writer; it returns the file's report entry. The copies of files skipped as unchanged (``seed``) compete
as if read again.

That ranking holds between copies from files of one format. Copies from files of different formats (a
journal export and a PubMed ``ArticleSet``) are merged instead (``kg.publish.merge``): the copy of the
primary format (``format_rank``) is the article graph, and the best copy of each other format is
``merged`` into it: once every file is read, ``merge_copies`` writes what it adds into its supplement graph.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from kg.pipeline import ArticleResult, FileResult
from kg.publish.layout import Layout
from kg.publish.ledger import Ledger, LedgerFile
from kg.publish.merge import format_rank
from kg.publish.merging import Merging
from kg.publish.report import Totals
from kg.publish.store_writer import StoreWriter


class Ranking:
    """The published copy of every article graph a build has seen, and what it published."""

    def __init__(self, layout: Layout, writer: StoreWriter, totals: Totals, resolved: dict[str, str]) -> None:
        self.layout, self.writer, self.totals, self.resolved = layout, writer, totals, resolved
        self.winners: dict[str, tuple[str, str, str]] = {}  # graph -> (date, sha256, path) of the published copy
        self.published_graphs: list[str] = []  # first published by this build, in order
        self.sources: set[str] = set()  # the SHA-256 of every file a copy was published from
        self.formats: dict[str, str] = {}  # graph -> the format of the file of its published copy
        self.seeded: set[str] = set()  # graphs whose published copy is from a file skipped as unchanged
        self.merging = Merging(writer, resolved)  # the copies of other formats, merged in once every file is read
        self.ledger: Ledger | None = None
        self.given: set[str] = set()

    def seed(self, skipped: dict[str, LedgerFile], given: dict[str, Path], ledger: Ledger | None = None) -> None:
        """Let the copies of the files skipped as unchanged compete as if they were read again. With the
        ``ledger``, a copy from a file of another format not given to this build still merges (``_absent``),
        and copies merged from such files stay merged."""
        self.ledger, self.given = ledger, set(given)
        for known in skipped.values():
            source = str(given[known.path])
            for article in known.articles:
                rank = (article.date, known.sha256, source)
                if article.status == "published":
                    self.winners[article.graph] = rank
                    self.seeded.add(article.graph)
                    self.formats[article.graph] = known.format
                elif article.status == "merged":
                    self.merging.seed(article.graph, known.format, rank)
        if ledger is None:
            return
        for graph, paths in ledger.merged.items():
            for path in sorted(paths - self.given):
                absent = ledger.files[path]
                self.merging.seed(graph, absent.format, (_date(absent, graph), absent.sha256, path))

    def forget(self, paths: Iterable[str]) -> None:
        """Withdraw the seeded copies of these (resolved) files, which are about to be read after all."""
        paths = set(paths)
        for graph, (_, _, path) in list(self.winners.items()):
            if self.resolved.get(path) in paths:
                del self.winners[graph]
                self.seeded.discard(graph)
        self.merging.forget(paths)

    def merge_copies(self) -> dict[str, object]:
        """Write the supplement graphs of the articles this build touched (``kg.publish.merging``)."""
        section = self.merging.merge({graph: path for graph, (_, _, path) in self.winners.items()})
        known = set(self.published_graphs)
        self.published_graphs.extend(g for g in self.merging.written if g not in known)
        return section

    def supplement_holders(self) -> dict[str, set[str]]:
        """Graph -> the resolved path of the file whose copy is merged into it (one per other format)."""
        return self.merging.holders()

    def holders(self) -> dict[str, str]:
        """Graph -> the resolved path of the file whose copy this build published or kept."""
        return {graph: self.resolved[path] for graph, (_, _, path) in self.winners.items()}

    def publish(self, result: FileResult) -> dict[str, Any]:
        """Quarantine, rank and publish one file's articles; its entry for the report."""
        totals = self.totals
        totals.files += 1
        if result.rejected:
            totals.files_rejected += 1
        articles = []
        for article in result.articles:
            totals.articles_read += 1
            if article.quarantined:
                folder = self._quarantine(result, article)
                totals.articles_quarantined += 1
                entry = article.report_entry("quarantined")
                entry["quarantine"] = str(folder.relative_to(self.layout.root))
                articles.append(entry)
                continue
            rank = (article.date, result.sha256, result.path)
            previous = self.winners.get(article.graph)
            held = self.formats.get(article.graph, result.format)
            if previous is None and (absent := self._absent(article.graph, result.format)) is not None:
                previous, held = absent
                self.seeded.add(article.graph)  # counted by the build that published it
            if previous is not None and held != result.format:
                articles.append(self._merge(result, article, rank, previous, held))
                continue
            if previous is not None and previous[:2] >= rank[:2]:
                totals.articles_superseded += 1
                entry = article.report_entry("superseded")
                entry["superseded_by"] = previous[2]
                articles.append(entry)
                continue
            entry = article.report_entry("published")
            if previous is not None:
                entry["replaces_copy_from"] = previous[2]
                totals.articles_superseded += 1
                totals.articles_published -= article.graph not in self.seeded  # else counted as unchanged
            else:
                self.published_graphs.append(article.graph)
            self._publish(result, article, rank)
            articles.append(entry)
        status = (
            "rejected"
            if result.rejected
            else ("partial" if any(p["severity"] == "error" for p in result.problems) else "read")
        )
        return {
            "path": result.path,
            "sha256": result.sha256,
            "bytes": result.size,
            "format": result.format,
            "status": status,
            "problems": result.problems,
            "articles": articles,
        }

    def _absent(self, graph: str, format_name: str) -> tuple[tuple[str, str, str], str] | None:
        """The published copy of ``graph`` (rank, format), when it is from a file of another format that this
        build is not given: builds are additive, so it stays, and the two copies merge."""
        path = self.ledger.current.get(graph) if self.ledger is not None else None
        if self.ledger is None or path is None or path in self.given:
            return None
        known = self.ledger.files[path]
        if known.format == format_name:
            return None
        return (_date(known, graph), known.sha256, path), known.format

    def _publish(self, result: FileResult, article: ArticleResult, rank: tuple[str, str, str]) -> None:
        self.seeded.discard(article.graph)
        self.winners[article.graph] = rank
        self.formats[article.graph] = result.format
        self.writer.put(article.graph, article.nquads, article.digest)
        self.merging.touched.add(article.graph)
        self.sources.add(result.sha256)
        self.totals.articles_published += 1
        self.totals.quads += article.quads

    def _merge(
        self,
        result: FileResult,
        article: ArticleResult,
        rank: tuple[str, str, str],
        previous: tuple[str, str, str],
        held: str,
    ) -> dict[str, Any]:
        """A copy of an article graph whose published copy is from a file of another format: the copy of
        the primary format is published, the other is kept to be merged into it; its report entry."""
        totals = self.totals
        if format_rank(result.format) < format_rank(held):  # this copy is primary: the published one merges in
            totals.articles_published -= article.graph not in self.seeded  # else counted as unchanged
            self.merging.demote(article.graph, held, previous)
            self._publish(result, article, rank)
            totals.articles_merged += 1
            return {**article.report_entry("published"), "merges_copy_from": previous[2]}
        if not self.merging.offer(article.graph, result.format, rank, article.nquads):
            totals.articles_superseded += 1
            return {
                **article.report_entry("superseded"),
                "superseded_by": self.merging.holder(article.graph, result.format),
            }
        self.sources.add(result.sha256)
        totals.articles_merged += 1
        return {**article.report_entry("merged"), "merged_into": previous[2]}

    def _quarantine(self, result: FileResult, article: ArticleResult) -> Path:
        """Hold an article back: its source file, its N-Quads and its SHACL report, for a person to look at."""
        folder = self.layout.quarantined(article.graph)
        folder.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(result.path, folder / Path(result.path).name)
        (folder / "article.nq").write_bytes(article.nquads)
        (folder / "validation.json").write_text(
            json.dumps(article.validation, ensure_ascii=False, indent=1), encoding="utf-8"
        )
        (folder / "validation.ttl").write_text(article.validation_report, encoding="utf-8")
        return folder


def _date(known: LedgerFile, graph: str) -> str:
    return next((article.date for article in known.articles if article.graph == graph), "")


def ledger_entry(entry: dict[str, Any], result: FileResult) -> dict[str, Any]:
    """A file's report entry as the ledger keeps it: with the date that ranks each article's copy."""
    dates = {article.graph: article.date for article in result.articles}
    return {
        **entry,
        "articles": [{**article, "date": dates.get(article["graph"], "")} for article in entry["articles"]],
    }
