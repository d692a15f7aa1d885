"""Google's structured-data checks on an article page: ``structured-data-testing-tool --presets Google``.

The tool (npm, pinned in tests/sdtt/package-lock.json; ``.ci/run`` installs it with ``npm ci``) reads the
saved HTML of a running server's article page offline and applies Google's presets (the JSON-LD
``ScholarlyArticle``, ``Organization``) and the Twitter and Facebook (OpenGraph) presets to its tags. Without
node or the installed tool the test is skipped, and says why.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import requests

from tests.test_linked_data_fixtures import SEED_ARTICLE

pytest_plugins = ["tests.server_fixtures", "tests.test_linked_data_fixtures"]

FOLDER = Path(__file__).resolve().parent / "sdtt"


def run_tool(html: Path, presets: str) -> dict:
    """The tool's presets on a saved page, through tests/sdtt/check.js (the tool's library, not its CLI, whose
    ``--output`` fails when every test passes)."""
    node = shutil.which("node")
    if node is None or not (FOLDER / "node_modules" / "structured-data-testing-tool").exists():
        pytest.skip("node or structured-data-testing-tool is absent (cd tests/sdtt && npm ci)")
    result = subprocess.run(
        [node, "check.js", str(html), presets], cwd=FOLDER, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


@pytest.mark.parametrize("lang", ["fa", "en"])
def test_article_page_passes_the_google_preset(ld_server, tmp_path, lang):
    html = save_page(ld_server.url, lang, tmp_path)
    # the tool's own command, as a user runs it: exit status 0 when no test fails
    cli = FOLDER / "node_modules" / "structured-data-testing-tool" / "bin" / "cli.js"
    if cli.exists() and shutil.which("node"):
        command = [shutil.which("node") or "node", str(cli), "--file", str(html), "--presets", "Google"]
        result = subprocess.run(command, capture_output=True, text=True, timeout=120)
        assert result.returncode == 0, result.stdout + result.stderr
    report = run_tool(html, "Google")
    assert not report["failed"], report["failed"]
    passed = {test["test"] for test in report["passed"]}
    # the checks did run on what the page has: the article and its headline
    assert {"ScholarlyArticle[0]", 'ScholarlyArticle[0]."@type"', "ScholarlyArticle[0].headline"} <= passed, passed
    # the preset checks little for ScholarlyArticle: Google's Article guidance, beyond it, on the same JSON-LD
    data = json.loads(
        re.search(r'<script type="application/ld\+json">(.*?)</script>', html.read_text("utf-8"), re.S)[1]
    )
    assert len(data["headline"]["@value"]) <= 110  # Google: headlines longer than 110 characters are cut
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", data["datePublished"])  # ISO 8601
    assert data["author"] and all(a["@type"] == "Person" and a["name"] and a["url"] for a in data["author"])
    assert "image" not in data  # the source has none: no made-up image


def test_sharing_tags_pass_twitter_and_facebook_presets_but_the_image(ld_server, tmp_path):
    """The sources have no image, and the JSON-LD and tags add none (an image only if the source has one):
    the image tests are the only ones that fail."""
    html = save_page(ld_server.url, "fa", tmp_path)
    report = run_tool(html, "Twitter,Facebook")
    failed = {test["test"] for test in report["failed"]}
    assert failed and all("image" in test for test in failed), failed
    passed = {test["test"] for test in report["passed"]}
    for tag in ("og:title", "og:description", "og:url", "og:type", "twitter:card", "twitter:title"):
        assert any(tag in test for test in passed), (tag, sorted(passed))


def save_page(server: str, lang: str, tmp_path: Path) -> Path:
    page = requests.get(f"{server}/{lang}/doc{SEED_ARTICLE[3:]}", timeout=10)
    assert page.status_code == 200
    html = tmp_path / f"article-{lang}.html"
    html.write_text(page.text, encoding="utf-8")
    return html
