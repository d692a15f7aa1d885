"""How ``kg publish --to`` talks to a store: its options, and the requests that write graphs.

Split from :mod:`kg.publish.remote` (which decides what to send): each write method (batched N-Quads, the
Graph Store Protocol, SPARQL Update) as requests, retried a few times (a busy store may drop a connection)
and counted, with the credentials from a file or the environment, never from the command line.
"""

from __future__ import annotations

import os
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kg.publish.remote_default import delete_where_unheld
from kg.publish.remote_release import PublishError

NT = "application/n-triples"
NQ = "application/n-quads"
UPDATE = "application/sparql-update; charset=utf-8"


@dataclass
class PublishOptions:
    target: str
    # "nquads" (batches of graphs in one N-Quads POST), "gsp" (Graph Store HTTP Protocol, a PUT per graph),
    # "update" (SPARQL 1.1 Update), or "auto": nquads for an Oxigraph-style ``.../store`` URL, else gsp
    method: str = "auto"
    update_url: str | None = None  # for nquads: where DROP GRAPH goes (default: ``.../store`` -> ``.../update``)
    connections: int = 4
    batch: int = 50  # graphs per SPARQL Update or N-Quads request
    timeout: float = 120.0
    auth: str = "digest"  # how credentials are sent: "digest" (Virtuoso) or "basic"
    credentials: Path | None = None
    dumps_to: Path | None = None
    retries: int = 2
    # nquads: the store's bulk loader, not a transaction per batch (Oxigraph: ?no_transaction); None: with auto
    bulk: bool | None = None
    resend: bool = False  # send every graph, whatever the target is recorded to hold (a store rebuilt empty)
    # the merged default graph into the store's default graph (kg.publish.remote_default); None: with nquads
    default_graph: bool | None = None


def resolve_method(options: PublishOptions) -> str:
    """The write method for ``auto``: batched N-Quads where the URL is an Oxigraph-style dataset endpoint
    (``.../store``, with its SPARQL Update at ``.../update``), measured fastest there; else the portable GSP."""
    if options.method != "auto":
        return options.method
    return "nquads" if options.target.rstrip("/").endswith("/store") else "gsp"


def update_url(options: PublishOptions) -> str:
    """Where SPARQL Update requests go for the nquads method."""
    if options.update_url:
        return options.update_url
    base, found, _ = options.target.rstrip("/").rpartition("/store")
    if not found:
        raise PublishError(f"{options.target}: give the store's SPARQL Update URL (--update-url) for --method nquads")
    return base + "/update"


def credentials(options: PublishOptions) -> tuple[str, str] | None:
    user, password = os.environ.get("KG_STORE_USER"), os.environ.get("KG_STORE_PASSWORD")
    if user and password is not None:
        return user, password
    if options.credentials is not None:
        line = options.credentials.read_text(encoding="utf-8").strip().splitlines()[0]
        name, _, secret = line.partition(":")
        return name, secret
    return None


def _http(options: PublishOptions) -> Any:
    import requests
    from requests.adapters import HTTPAdapter

    http = requests.Session()
    adapter = HTTPAdapter(pool_maxsize=options.connections, max_retries=0)
    http.mount("http://", adapter)
    http.mount("https://", adapter)
    found = credentials(options)
    if found is not None:
        http.auth = requests.auth.HTTPDigestAuth(*found) if options.auth == "digest" else found
    return http


class _Sender:
    """Requests to one store, retried a few times (a busy store may drop a connection), counted."""

    def __init__(self, options: PublishOptions) -> None:
        self.options = options
        self.local = threading.local()
        self.requests = 0
        self._count = threading.Lock()

    def _session(self) -> Any:
        http = getattr(self.local, "http", None)
        if http is None:
            http = self.local.http = _http(self.options)
        return http

    def send(
        self,
        method: str,
        params: dict[str, str] | None,
        body: bytes | None,
        content_type: str,
        retries: int | None = None,
        url: str | None = None,
    ) -> None:
        import requests

        last = ""
        for attempt in range((self.options.retries if retries is None else retries) + 1):
            with self._count:
                self.requests += 1
            try:
                answer = self._session().request(
                    method,
                    url or self.options.target,
                    params=params,
                    data=body,
                    headers={"Content-Type": content_type} if body is not None else {},
                    timeout=(10, self.options.timeout),
                )
            except requests.RequestException as error:
                last = f"{type(error).__name__}: {str(error)[:200]}"
            else:
                if answer.status_code < 300 or (method == "DELETE" and answer.status_code == 404):
                    return
                last = f"{answer.status_code} {answer.text[:300].strip()}"
                if answer.status_code in (400, 401, 403, 413, 415):
                    break  # sending it again cannot help
            time.sleep(0.5 * (attempt + 1))
        raise PublishError(f"{method} {params or ''} to {url or self.options.target}: {last}")

    def put(self, graph: str, ntriples: bytes) -> None:
        if self.options.method != "update":
            self.send("PUT", {"graph": graph}, ntriples, NT)
        else:
            self.update([(graph, ntriples)])

    def delete(self, graph: str) -> None:
        if self.options.method != "update":
            self.send("DELETE", {"graph": graph}, None, NT)
        else:
            self.send("POST", None, f"DROP SILENT GRAPH <{graph}>".encode(), "application/sparql-update")

    def update(self, graphs: list[tuple[str, bytes]]) -> None:
        """One SPARQL Update request replacing these graphs."""
        parts = []
        for graph, ntriples in graphs:
            parts.append(f"DROP SILENT GRAPH <{graph}> ;\n".encode())
            if ntriples:
                parts.append(b"INSERT DATA { GRAPH <" + graph.encode() + b"> {\n" + ntriples + b"} } ;\n")
        body = b"".join(parts).rstrip().rstrip(b";")
        self.send("POST", None, body, UPDATE)

    def nquads(self, drop: list[str], nquads: bytes) -> None:
        """A batch of graphs in one N-Quads POST to the dataset (which adds, not replaces), after one SPARQL
        Update dropping those of them the store may already hold (none on a first publish)."""
        if drop:
            body = " ;\n".join(f"DROP SILENT GRAPH <{graph}>" for graph in drop).encode()
            self.send("POST", None, body, UPDATE, url=update_url(self.options))
        self.send("POST", {"no_transaction": ""} if self.options.bulk else None, nquads, NQ)

    def add_default(self, ntriples: bytes) -> None:
        """Triples into the default graph: the Graph Store Protocol's ``POST URL?default`` (adds; a store holds
        a triple once, so sending it again changes nothing), or ``INSERT DATA`` with --method update."""
        if self.options.method == "update":
            self.send("POST", None, b"INSERT DATA {\n" + ntriples + b"}", UPDATE)
            return
        params = {"default": ""}
        if self.options.bulk:
            params["no_transaction"] = ""
        self.send("POST", params, ntriples, NT)

    def remove_default(self, ntriples: bytes) -> None:
        """Triples out of the default graph, unless a named graph still holds them (one SPARQL Update)."""
        url = self.options.target if self.options.method == "update" else update_url(self.options)
        self.send("POST", None, delete_where_unheld(ntriples), UPDATE, url=url)
