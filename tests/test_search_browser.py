"""The search box and results page in headless Chromium: suggestions appear while typing, the Persian results
page is right-to-left with highlighted matches, and nothing errs or reaches another origin."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from tests.server_fixtures import RunningServer, start_server
from tests.test_pages_browser import Watched

pytest_plugins = ["tests.server_fixtures"]


@pytest.fixture(scope="module")
def server(sample_build: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    running = start_server(sample_build, tmp_path_factory.mktemp("search-browser"))
    yield running
    running.stop()


@pytest.mark.browser
def test_typing_in_the_header_box_shows_suggestions(chromium, server: RunningServer) -> None:
    article = requests.get(server.url + "/api/search", params={"q": "digital twin"}, timeout=10).json()["results"][0]
    watched = Watched(chromium, server)
    page = watched.page
    page.goto(article["page"].replace("/en/doc/", "/fa/doc/"), wait_until="networkidle")
    box = page.locator("header form.search input[name=q]")
    box.press_sequentially("هوش مص", delay=30)
    page.wait_for_selector("ul.suggestions li a", timeout=5000)
    labels = page.locator("ul.suggestions li a").all_inner_texts()
    assert "هوش مصنوعی" in labels
    box.fill("")
    box.press_sequentially("rooz", delay=30)
    page.locator("ul.suggestions li a", has_text="Roozbahani").wait_for(timeout=5000)
    page.locator("ul.suggestions li a", has_text="Roozbahani").click()  # a suggestion leads to its page
    page.wait_for_load_state("networkidle")
    assert "/doc/person/" in page.url
    box = page.locator("header form.search input[name=q]")
    box.fill("Roozbahani")
    box.press("Enter")  # the box submits to the results page
    page.wait_for_load_state("networkidle")
    assert "/search?" in page.url
    assert page.locator("ol.hits > li").count() == 1
    assert watched.clean(), (watched.errors, watched.dialogs, watched.foreign)
    page.close()


@pytest.mark.browser
def test_persian_results_render_right_to_left_with_highlights(chromium, server: RunningServer) -> None:
    watched = Watched(chromium, server)
    page = watched.page
    page.goto(f"{server.url}/search?hl=fa&q=جوجه‌های گوشتی", wait_until="networkidle")
    assert page.evaluate("getComputedStyle(document.body).direction") == "rtl"
    assert page.locator("ol.hits > li").count() == 3
    marks = page.locator("ol.hits mark").all_inner_texts()
    assert "گوشتی" in marks
    background = page.locator("ol.hits mark").first.evaluate("e => getComputedStyle(e).backgroundColor")
    assert background not in ("rgba(0, 0, 0, 0)", "transparent")  # the stylesheet applies
    title = page.locator("ol.hits .title a").first
    assert title.evaluate("e => getComputedStyle(e).direction") == "rtl"
    page.locator("aside.facets li a").first.click()  # a facet narrows the results
    page.wait_for_load_state("networkidle")
    assert 0 < page.locator("ol.hits > li").count() <= 3
    assert watched.clean(), (watched.errors, watched.dialogs, watched.foreign)
    page.close()
