"""The linked-data and dataset tests, run again against ``kg serve --store`` over real engines.

``kg publish`` sends the sample build (the same ``sample_build`` the embedded tests serve) into an Oxigraph
server and into Virtuoso, with its dumps copied to a folder the front end reads; the imported test functions
then ask their fixture ``ld_server`` for a front end over that store.

Over the Oxigraph server, ``kg publish`` also writes the release's merged default graph (each triple once)
into the store's default graph and the front end queries it as it is (``store.default_graph = "auto"``), so
``COUNT(*)`` without a dataset is the embedded store's. Virtuoso's default graph is the union of all its
graphs (its own too): there the counting tests are left out and the front end asks for the union.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from kg.publish.remote import PublishOptions, publish
from tests import test_dataset
from tests.remote_stores import Engine
from tests.server_fixtures import RunningServer, start_server
from tests.test_dataset import (
    _count_default_graph,
    test_dcat_catalog,
    test_dump_downloads_are_conditional_and_ranged,
    test_dumps_listing,
    test_sitemap_lists_every_article_page,
    test_void_is_negotiable_and_the_dataset_iri_resolves,
    void,
)

# ruff: noqa: F401, F811  (the imported tests are collected here, over this module's fixtures)
from tests.test_linked_data import (
    kg,
    test_article_pages_in_both_languages,
    test_documents_revalidate_with_304_and_paths_are_read_as_iris,
    test_every_rdf_format_parses_and_holds_the_concise_bounded_description,
    test_format_urls_and_q_values,
    test_highwire_press_tags_for_google_scholar,
    test_named_graph_content_matches_the_store,
    test_person_journal_issue_and_keyword_pages_link_to_each_other,
    test_the_article_description_bounds_its_parts_and_labels_its_links,
    test_the_issue_description_holds_its_jalali_date,
    test_thing_iris_answer_303_to_their_document,
    test_unknown_iris_404_and_unsupported_formats_406,
)
from tests.test_linked_data_fixtures import SETTINGS
from tests.test_remote_endpoint import ENGINES, start_engine, store_settings

pytest_plugins = ["tests.server_fixtures", "tests.test_linked_data_fixtures"]


def credentials_file(engine: Engine, folder: Path) -> Path | None:
    if engine.credentials is None:
        return None
    path = folder / "store-credentials"
    path.write_text(":".join(engine.credentials) + "\n", encoding="utf-8")
    path.chmod(0o600)
    return path


def publish_to(engine: Engine, out_dir: Path, work: Path, **options: object) -> object:
    """``kg publish out_dir --to`` the engine's Graph Store endpoint, dumps into ``work/dumps``."""
    return publish(
        out_dir,
        PublishOptions(
            target=engine.gsp_url,
            credentials=credentials_file(engine, work),
            dumps_to=work / "dumps",
            **options,  # type: ignore[arg-type]
        ),
    )


@pytest.fixture(scope="module", params=ENGINES)
def ld_engine(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    running = start_engine(request.param, tmp_path_factory.mktemp(f"ld-store-{request.param}"))
    yield running
    running.stop()


@pytest.fixture(scope="module")
def ld_server(
    ld_engine: Engine, sample_build: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[RunningServer]:
    """The front end the imported tests use: the sample build published into the engine, served from it."""
    work = tmp_path_factory.mktemp("ld-publish")
    publish_to(ld_engine, sample_build, work)
    settings = {**SETTINGS, **store_settings(ld_engine, work / "dumps")}
    server = start_server(tmp_path_factory.mktemp("ld-empty"), tmp_path_factory.mktemp("ld-front"), settings)
    yield server
    server.stop()


@pytest.fixture(scope="module")
def embedded_server(sample_build: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    """``kg serve`` on the embedded store of the same build: what the front end must answer like."""
    server = start_server(sample_build, tmp_path_factory.mktemp("ld-embedded"), SETTINGS)
    yield server
    server.stop()


def test_the_front_end_serves_the_published_release(ld_server: RunningServer, sample_build: Path) -> None:
    release = json.loads((sample_build / "current" / "build.json").read_text(encoding="utf-8"))["release"]
    health = requests.get(ld_server.url + "/health", timeout=5).json()
    assert health["status"] == "ok" and health["release"] == release


def test_void_follows_to_every_dump_and_the_counts_hold(ld_server, ld_engine: Engine, void, sample_build) -> None:
    if ld_engine.name == "virtuoso":
        pytest.skip("Virtuoso's default graph also holds its own graphs, which VoID's statistics count")
    test_dataset.test_void_follows_to_every_dump_and_the_counts_hold(ld_server, void, sample_build)


def test_landing_page_with_dataset_jsonld(ld_server, ld_engine: Engine, sample_build) -> None:
    test_dataset.test_landing_page_with_dataset_jsonld(ld_server, sample_build)


def test_void_and_the_service_description_count_the_default_graph(ld_server, ld_engine: Engine, void, sample_build):
    if ld_engine.name == "virtuoso":
        pytest.skip("Virtuoso's default graph is the union of all its graphs (its own too), no merged graph")
    test_dataset.test_void_and_the_service_description_count_the_default_graph(ld_server, void, sample_build)


def test_the_default_graph_answers_as_the_embedded_store(
    ld_server: RunningServer, ld_engine: Engine, embedded_server: RunningServer
) -> None:
    """Oxigraph: the store's own default graph (the merged graph kg publish wrote), not the union of the named
    graphs: a thing every article graph repeats is one solution, and counts are those of the embedded store."""
    health = requests.get(ld_server.url + "/health", timeout=5).json()
    assert health["default_graph"] == ("union" if ld_engine.name == "virtuoso" else "store")
    if ld_engine.name == "virtuoso":
        return
    assert _count_default_graph(ld_server) == _count_default_graph(embedded_server)
    journals = "SELECT ?j ?name WHERE { ?j a <http://schema.org/Periodical> ; <http://schema.org/name> ?name }"
    for query in (journals, "SELECT ?p (COUNT(*) AS ?n) WHERE { ?s ?p ?o } GROUP BY ?p"):
        answers = [
            sorted(
                json.dumps(row, sort_keys=True)
                for row in requests.get(
                    server.sparql,
                    params={"query": query},
                    headers={"Accept": "application/sparql-results+json"},
                    timeout=30,
                ).json()["results"]["bindings"]
            )
            for server in (ld_server, embedded_server)
        ]
        assert answers[0] and answers[0] == answers[1], query
