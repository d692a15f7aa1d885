"""The synthetic corpus looks like the real exports, and ``kg bench`` runs end to end.

The corpus is checked by parsing it with lxml, independently of kg's reader, so that a reader bug cannot
hide a generator bug (or the other way round).
"""

from __future__ import annotations

import html
import json
import re
from collections import Counter, defaultdict
from pathlib import Path

import pytest
from lxml import etree

from kg.identifiers import issn_check_digit, orcid_check_character
from tests.benchmarks.build_bench import main as bench_main
from tests.benchmarks.build_bench import tree_memory_mb
from tests.benchmarks.synthetic import generate_corpus

PERSIAN = re.compile("[\u0600-\u06ff]")
LATIN = re.compile("[A-Za-z]")
ISSN = re.compile(r"^(\d{4})-(\d{3})([\dX])$")
ORCID = re.compile(r"^\d{4}-\d{4}-\d{4}-\d{3}[\dX]$")


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    return generate_corpus(tmp_path_factory.mktemp("synthetic"), 60, seed=7)


def _parse(paths: list[Path]) -> list[tuple[Path, etree._Element]]:
    return [(p, etree.parse(str(p)).getroot()) for p in paths]


def _articles(roots: list[tuple[Path, etree._Element]]) -> list[tuple[Path, etree._Element]]:
    return [(p, a) for p, root in roots for a in root.iterfind("articleset/article")]


def test_check_digits_match_published_examples() -> None:
    assert issn_check_digit("2476687") == "9"  # the seed's print ISSN 2476-6879
    assert issn_check_digit("2538156") == "3"  # and its online ISSN 2538-1563
    assert orcid_check_character("000000021825009") == "7"  # ORCID's documented example
    assert orcid_check_character("000000021694233") == "X"


def test_corpus_has_the_claimed_articles_in_single_and_issue_files(corpus: list[Path]) -> None:
    roots = _parse(corpus)
    per_file = [len(root.findall("articleset/article")) for _, root in roots]
    assert sum(per_file) == 60
    assert 1 in per_file and max(per_file) > 1  # one-article files and whole-issue files
    codes = [re.search(r"a_code=(A-\d+-\d+-1)", a.findtext("web_url")).group(1) for _, a in _articles(roots)]
    assert len(set(codes)) == 60


def test_journal_headers_are_well_formed(corpus: list[Path]) -> None:
    for _, root in _parse(corpus):
        assert root.tag == "journal"
        assert PERSIAN.search(root.findtext("title_fa")) and LATIN.search(root.findtext("title"))
        for tag in ("journal_id_issn", "journal_id_issn_online"):
            match = ISSN.match(root.findtext(tag))
            assert match, tag
            assert issn_check_digit(match.group(1) + match.group(2)) == match.group(3)
        kinds = [d.findtext("type") for d in root.iterfind("pubdate")]
        assert kinds == ["jalali", "gregorian"]
        assert int(root.find("pubdate/year").text) <= 1404
        assert root.findtext("volume").isdigit() and root.findtext("number").isdigit()


def test_articles_are_bilingual_with_word_html_abstracts(corpus: list[Path]) -> None:
    articles = _articles(_parse(corpus))
    for _, a in articles:
        assert PERSIAN.search(a.findtext("abstract_fa")) and LATIN.search(a.findtext("abstract"))
        assert a.findtext("abstract").startswith('<div style="text-align: justify;"><span style=')
        assert "&nbsp;" in a.findtext("abstract") and "<br>" in a.findtext("abstract")
        assert "Background:" in a.findtext("abstract") or "Objective:" in a.findtext("abstract")
        assert "\u200c" in a.findtext("abstract_fa")  # ZWNJ, written as &#8204;
        assert a.findtext("keyword") and a.findtext("keyword_fa")
        assert 1 <= len(a.findall("author_list/author")) <= 8
    raw = "".join(html.unescape(a.findtext("title_fa")) for _, a in articles)
    assert "ي" in raw or "ك" in raw  # Arabic Yeh/Kaf in Persian text
    kw_fa = "".join(a.findtext("keyword_fa") for _, a in articles)
    assert "،" in kw_fa


def test_authors_recur_across_files_with_the_same_identity(corpus: list[Path]) -> None:
    files_by_email: dict[str, set[str]] = defaultdict(set)
    identity: dict[str, set[tuple[str, str, str]]] = defaultdict(set)
    core = Counter()
    for path, a in _articles(_parse(corpus)):
        for author in a.iterfind("author_list/author"):
            email = author.findtext("email")
            files_by_email[email].add(path.name)
            identity[email].add((author.findtext("last_name"), author.findtext("first_name"), author.findtext("orcid")))
            assert PERSIAN.search(author.findtext("last_name_fa"))
            assert PERSIAN.search(author.findtext("affiliation_fa"))
            core[author.findtext("coreauthor").strip()] += 1
            orcid = author.findtext("orcid")
            if orcid:
                assert ORCID.match(orcid)
                assert orcid_check_character(orcid.replace("-", "")[:15]) == orcid[-1]
    assert any(len(files) > 1 for files in files_by_email.values())
    assert all(len(ids) == 1 for ids in identity.values())  # same e-mail, same name and ORCID
    assert set(core) == {"Yes", "No"}
    assert any(orcid for ids in identity.values() for _, _, orcid in ids)


def test_same_seed_same_bytes_and_fixed_issue_size(tmp_path: Path) -> None:
    one = generate_corpus(tmp_path / "a", 25, seed=3)
    two = generate_corpus(tmp_path / "b", 25, seed=3)
    assert [p.name for p in one] == [p.name for p in two]
    assert all(p.read_bytes() == q.read_bytes() for p, q in zip(one, two, strict=True))
    fixed = generate_corpus(tmp_path / "c", 25, seed=3, articles_per_file=10)
    sizes = sorted(len(r.findall("articleset/article")) for _, r in _parse(fixed))
    assert sizes == [5, 10, 10]


def test_tree_memory_of_this_process_is_positive() -> None:
    import os

    assert tree_memory_mb(os.getpid()) > 1


def test_bench_runs_every_stage_and_writes_json(tmp_path: Path) -> None:
    out = tmp_path / "bench.json"
    code = bench_main(["--articles", "40", "--processes", "1", "--workdir", str(tmp_path / "work"), "--json", str(out)])
    assert code == 0
    figures = json.loads(out.read_text(encoding="utf-8"))
    stages = figures["stages"]
    assert set(stages) == {"generate", "parse", "map", "build", "load", "rebuild"}
    # oxigraph load of the build's own N-Quads dump, in the same run: the yardstick of the build's time
    dumped = {d["file"]: d["triples"] for d in stages["build"]["dumps"]}
    assert stages["load"]["quads"] == dumped["kg.nq.gz"] > 0 and stages["load"]["seconds"] > 0
    assert figures["build_over_load"] == stages["build"]["seconds"] / stages["load"]["seconds"]
    assert "build <= 2x oxigraph load of its dump" in figures["targets"]
    rebuilt = stages["rebuild"]
    assert rebuilt["unchanged_release_kept"] and rebuilt["unchanged_exit_code"] == 0
    assert rebuilt["articles_read"] == 20 and rebuilt["files_unchanged"] == stages["build"]["files"]
    # the new issue's journal and the runs graph: only their dump parts are written again
    assert rebuilt["dump_parts_rewritten"] == 2 < rebuilt["dump_parts"]
    assert 0 < figures["rebuild_over_build"]
    assert stages["generate"]["articles"] == stages["parse"]["articles"] == 40
    assert stages["map"]["articles"] == 40
    assert stages["build"]["articles_read"] == 40
    for name in ("parse", "map", "build"):
        assert stages[name]["seconds"] > 0 and stages[name]["articles_per_s"] > 0
        assert stages[name]["peak_tree_mb"] > 0
        # shared pages counted once: never above the RSS sum (sampled at other moments, so allow a margin)
        assert 0 < stages[name]["peak_pss_mb"] <= stages[name]["peak_tree_mb"] * 1.2
    for name in ("map", "build"):
        assert stages[name]["triples"] > 0 and stages[name]["triples_per_s"] > 0
    assert figures["map_over_parse"] > 0
    assert 0 < figures["validation_share"] <= 1
    # 40 articles are one chunk, built in the main process: the workers' CPU is then the main process's
    assert 0 < figures["validation_share_of_build_cpu"] <= figures["validation_share"]
    assert stages["build"]["cpu_main"] > 0 and stages["build"]["cpu_workers"] >= 0
    assert figures["peak_mb"] > 0
