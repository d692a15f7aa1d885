"""An overloaded server answers pages with 503 and Retry-After, never 500 (found by the load test).

A real server with one worker and one query process: a query that runs until its time limit holds the
process, so a page requested meanwhile waits ``sparql.queue_timeout`` for it and is refused. The page
routes let that refusal escape as a 500 with a traceback; :mod:`kg.server.overload` answers it as the
SPARQL endpoint does.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path

import requests

from tests.server_fixtures import start_server

pytest_plugins = ["tests.server_fixtures"]

VALUE = "<http://example.org/test/value>"
FOREVER = f"SELECT (COUNT(*) AS ?n) WHERE {{ ?a {VALUE} ?x . ?b {VALUE} ?y . ?c {VALUE} ?z . ?d {VALUE} ?w }}"
PAGE = "/doc/journal/2476-6879/article/A-10-968-1"


def test_a_page_refused_for_want_of_a_query_process_is_a_503(sparql_release: Path, tmp_path: Path) -> None:
    server = start_server(
        sparql_release,
        tmp_path,
        {
            "server": {"workers": 1, "threads": 4},
            "sparql": {"query_processes": 1, "timeout": 6.0, "queue_timeout": 1.0, "cache_bytes": 0},
        },
    )
    try:
        assert requests.get(server.url + PAGE, headers={"Accept": "text/html"}, timeout=10).status_code == 200
        busy = threading.Thread(
            target=requests.get, args=(server.sparql,), kwargs={"params": {"query": FOREVER}, "timeout": 30}
        )
        busy.start()
        time.sleep(0.5)  # the only query process is running the cross product
        page = requests.get(server.url + PAGE, headers={"Accept": "text/html"}, timeout=10)
        busy.join()
        assert page.status_code == 503, (page.status_code, page.text[:300])
        assert page.headers["Retry-After"] == "2"
        assert "busy" in page.text
        assert "Traceback" not in server.log()
    finally:
        server.stop()
