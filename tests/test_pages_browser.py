"""Article, person and keyword pages in headless Chromium: no console errors, right-to-left Persian, and
links that work from an article to its author and on to the author's other article.

The fixture corpus (tests/test_linked_data_fixtures.py) has one author (same e-mail) with two articles, and
a third article whose title holds a script element: the browser must show it as text and run nothing.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from tests.test_linked_data_fixtures import EVIL, EVIL_ARTICLE, SECOND_ARTICLE, SECOND_TITLE_EN, SEED_ARTICLE

pytest_plugins = ["tests.server_fixtures", "tests.test_linked_data_fixtures"]

SEED_TITLE_EN = "A Scoping Review of Digital Twins’ Applications and Challenges in Healthcare and Medicine"
SEED_TITLE_FA = "مروری جامع بر کاربردها و چالشهای دوقلوهای دیجیتال در پزشکی و سلامت"


class Watched:
    """A page whose console errors, uncaught exceptions, dialogs and requests elsewhere are recorded."""

    def __init__(self, browser, server) -> None:
        self.page = browser.new_page()
        self.errors: list[str] = []
        self.dialogs: list[str] = []
        self.foreign: list[str] = []
        own = urlsplit(server.url).netloc
        self.page.on("console", lambda msg: self.errors.append(msg.text) if msg.type == "error" else None)
        self.page.on("pageerror", lambda exc: self.errors.append(str(exc)))
        self.page.on("dialog", lambda dialog: (self.dialogs.append(dialog.message), dialog.dismiss()))
        self.page.on(
            "request",
            lambda req: (
                self.foreign.append(req.url)
                if urlsplit(req.url).netloc != own and not req.url.startswith("data:")
                else None
            ),
        )

    def clean(self) -> bool:
        return not (self.errors or self.dialogs or self.foreign)


@pytest.mark.browser
@pytest.mark.parametrize("lang", ["fa", "en"])
def test_article_page_renders_cleanly(chromium, fixture_server, lang):
    watched = Watched(chromium, fixture_server)
    page = watched.page
    page.goto(f"{fixture_server.url}/{lang}/doc{SEED_ARTICLE[3:]}", wait_until="networkidle")
    title = SEED_TITLE_FA if lang == "fa" else SEED_TITLE_EN
    assert page.locator("h1").inner_text() == title
    direction = page.evaluate("getComputedStyle(document.documentElement).direction")
    assert direction == ("rtl" if lang == "fa" else "ltr")
    assert page.evaluate("document.documentElement.lang") == lang
    # the stylesheet is applied (same origin, allowed by the page's CSP)
    assert page.evaluate("getComputedStyle(document.querySelector('dl.facts')).display") == "grid"
    # an English title on the Persian page still reads left-to-right, in its own element
    other = page.locator("p.subtitle span").first
    assert other.evaluate("e => getComputedStyle(e).direction") == ("ltr" if lang == "fa" else "rtl")
    assert watched.clean(), (watched.errors, watched.dialogs, watched.foreign)
    page.close()


@pytest.mark.browser
def test_from_article_to_author_to_the_other_article(chromium, fixture_server):
    watched = Watched(chromium, fixture_server)
    page = watched.page
    page.goto(f"{fixture_server.url}/en/doc{SEED_ARTICLE[3:]}", wait_until="networkidle")
    page.locator("section.authors li a").first.click()
    page.wait_for_load_state("networkidle")
    assert "/en/doc/person/" in page.url
    assert page.locator("h1").inner_text() == "Mohammad Hossein Roozbahani"
    titles = page.locator("section.articles li > a").all_inner_texts()
    assert SEED_TITLE_EN in titles and SECOND_TITLE_EN in titles
    page.get_by_role("link", name=SECOND_TITLE_EN).click()
    page.wait_for_load_state("networkidle")
    assert page.url == f"{fixture_server.url}/en/doc{SECOND_ARTICLE[3:]}"
    assert page.locator("h1").inner_text() == SECOND_TITLE_EN
    # and in Persian, through the language switch, the page is right-to-left
    page.locator("header.site nav a[hreflang=fa]").click()
    page.wait_for_load_state("networkidle")
    assert page.url == f"{fixture_server.url}/fa/doc{SECOND_ARTICLE[3:]}"
    assert page.evaluate("getComputedStyle(document.body).direction") == "rtl"
    assert watched.clean(), (watched.errors, watched.dialogs, watched.foreign)
    page.close()


@pytest.mark.browser
def test_a_title_with_a_script_element_runs_nothing(chromium, fixture_server):
    watched = Watched(chromium, fixture_server)
    page = watched.page
    page.goto(f"{fixture_server.url}/en/doc{EVIL_ARTICLE[3:]}", wait_until="networkidle")
    assert EVIL in page.locator("h1").inner_text()
    # the JSON-LD block is the only inline script (the other is the header's search box, static/search.js)
    assert page.evaluate("document.querySelectorAll('script:not([src])').length") == 1
    data = page.evaluate("JSON.parse(document.querySelector('script[type=\"application/ld+json\"]').textContent)")
    assert EVIL in data["headline"]["@value"]
    assert watched.clean(), (watched.errors, watched.dialogs, watched.foreign)
    page.close()
