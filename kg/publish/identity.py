"""The build's identity table: which article graph claimed which IRI, and which aliases its copy carries.

``kg.identity`` decides, from the claims of every published article, which minted IRIs are aliases of
one canonical IRI. Across incremental builds the articles of unchanged files are not read again, so their
claims are kept here, in ``DIR/identity/table.json`` beside the ledger: per graph, its claims and the
aliases its published copy was rewritten with. After a build has read its inputs (``IdentityTable.apply``),
every published graph whose aliases changed is rewritten, those of earlier builds included: when a new
export shows that ``person/h-…`` is ``person/orcid-…``, the article graphs published long ago with the
``h-`` IRI are rewritten to the ORCID one, so the store holds what a one-shot build of every input would.

The table holds each distinct claim once (``claims``) and, per graph, the indices of its claims.

A rewrite always starts from the graph as its article was mapped (the *original*): the current copy, when
it carries no alias (a graph published by this build always starts so), else the original kept in
``DIR/identity/originals/`` when the graph was first rewritten. So a merge that a later export undoes (the
same e-mail turns out to belong to two ORCIDs) puts the graph back as it was mapped.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import threading
from pathlib import Path

from kg.identity import Claim, graph_of, renamed, resolve, rewrite
from kg.publish.graphs import GraphFiles, graph_digest
from kg.publish.store_writer import StoreWriter

log = logging.getLogger(__name__)

_TABLE = "table.json"
_ORIGINALS = "originals"
_BATCH = 500  # graphs read back and rewritten at a time: a few tens of MB


class IdentityTable:
    """Claims and applied aliases per published article graph, loaded from and saved to ``folder``."""

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)
        self._claims: dict[str, list[Claim]] = {}
        self._applied: dict[str, dict[str, str]] = {}  # graph -> alias -> canonical, as its current copy has them
        self.fresh: set[str] = set()  # graphs published by this build: their current copy is as mapped
        self.aliases: dict[str, str] = {}  # after apply: every alias in use -> its canonical IRI
        # people, concepts and journals recur in many graphs: each distinct claim is held (and saved) once
        self._interned: dict[Claim, Claim] = {}
        self.moved: list[str] = []  # after apply: graphs published under a new name (their journal's canonical)
        self.withdrawn: set[str] = set()  # after apply: graph names this build emptied (moved away from)
        self.rewritten = 0
        self.unmerged: list[dict[str, object]] = []  # after apply: shared keys the rules would not merge on
        self.owners: dict[str, tuple[tuple[bool, str], str]] = {}  # moved-to name -> (rank, graph) of its copy
        # loaded beside the reading (0.6 s at 50,000 articles, while this process mostly waits for the workers);
        # what the build records meanwhile waits in _recorded until the table is needed (_loaded)
        self._recorded: list[tuple[str, list[Claim]]] = []
        self._failed: BaseException | None = None
        self._loading: threading.Thread | None = threading.Thread(target=self._load, name="identity-table")
        self._loading.start()

    def _load(self) -> None:
        try:
            self._read_table()
        except BaseException as error:  # raised in the build's thread, when the table is needed (_loaded)
            self._failed = error

    def _read_table(self) -> None:
        path = self.folder / _TABLE
        if not path.exists():
            return
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            unique = [self._intern(Claim(str(kind), str(iri), tuple(keys))) for kind, iri, keys in data["claims"]]
            self._claims = {graph: [unique[i] for i in indices] for graph, indices in data["graphs"].items()}
            self._applied = {g: dict(a) for g, a in data["applied"].items()}
            del data
        except (OSError, ValueError, KeyError, TypeError) as error:
            # without it the graphs rewritten before cannot be told from their originals: say so loudly
            log.error("the identity table %s is unreadable (%s); aliases of earlier builds are lost", path, error)
            self._claims, self._applied = {}, {}

    def _loaded(self) -> None:
        """Wait for the table to be loaded, then take in what was recorded meanwhile."""
        if self._loading is not None:
            self._loading.join()
            self._loading = None
            if self._failed is not None:
                raise self._failed
        for graph, claims in self._recorded:
            if claims:
                self._claims[graph] = claims
            else:
                self._claims.pop(graph, None)
        self._recorded.clear()

    @property
    def claims(self) -> dict[str, list[Claim]]:
        """Published graph -> the claims of its article."""
        self._loaded()
        return self._claims

    @property
    def applied(self) -> dict[str, dict[str, str]]:
        """Published graph -> the aliases its current copy was rewritten with (alias -> canonical)."""
        self._loaded()
        return self._applied

    def record(self, graph: str, claims: list[Claim]) -> None:
        """A graph this build published (its copy as mapped), with its article's claims, interned at once:
        an article's own copies of its journal's, people's and keywords' claims are let go (held until the
        table was needed, they were 540,000 claims at 50,000 articles instead of 95,000: 200 MB). Interning
        here beside the loading thread is safe: ``dict.setdefault`` of a tuple of strings is atomic."""
        self.fresh.add(graph)
        self._recorded.append((graph, [self._intern(claim) for claim in claims]))

    def apply(self, files: GraphFiles, writer: StoreWriter) -> int:
        """Rewrite every published graph whose aliases changed; how many were rewritten. ``writer`` must be
        flushed before (the graphs are read back from ``files``) and is flushed after."""
        self._loaded()
        self.unmerged = []
        self.aliases = resolve(self._distinct().values(), self.unmerged)
        changed: list[tuple[str, dict[str, str], dict[str, str]]] = []  # (graph, wanted, applied)
        replaced: dict[str, list[str]] = {}  # coded article graph -> the code-less article IRIs it replaces
        for alias, canonical in self.aliases.items():
            if "/article/" in alias:
                replaced.setdefault(graph_of(canonical), []).append(alias)  # already under its canonical journal
        for graph in sorted(set(self._claims) | set(self._applied)):
            minted = {claim.iri for claim in self._claims.get(graph, ())}
            wanted = {iri: self.aliases[iri] for iri in minted if iri in self.aliases}
            # the coded article states the IRIs of the code-less copies it replaced (under its final name)
            wanted.update({alias: self.aliases[alias] for alias in replaced.get(renamed(graph, wanted), ())})
            target = renamed(graph, wanted)
            if target != graph and target not in self._claims:  # moves to a name no published graph has
                rank = (any("/article/" in alias for alias in wanted if graph == graph_of(alias)), graph)
                if target not in self.owners or rank < self.owners[target][0]:
                    self.owners[target] = (rank, graph)  # the copy that gets the name: a coded one first
            applied = {} if graph in self.fresh else self._applied.get(graph, {})
            if graph in self.fresh and graph in self._applied:  # its original was kept: the new copy is it now
                self._original_path(graph).unlink(missing_ok=True)
            if wanted == applied:
                self._set_applied(graph, wanted)
            else:
                changed.append((graph, wanted, applied))
        rewritten = 0
        for first in range(0, len(changed), _BATCH):
            batch = changed[first : first + _BATCH]
            current = files.read_many(graph for graph, _, applied in batch if not applied)
            for graph, wanted, applied in batch:
                original = self._original(graph) if applied else current.get(graph, b"")
                if not original:  # not in the store (never published, or withdrawn): nothing to rewrite
                    self._set_applied(graph, {})
                    continue
                if wanted:
                    self._keep_original(graph, original)
                else:
                    self._original_path(graph).unlink(missing_ok=True)
                self._withdraw_renamed(graph, applied, writer)
                nquads = rewrite(original, graph, wanted)
                target = renamed(graph, wanted)
                if target == graph:
                    writer.put(graph, nquads, graph_digest(nquads))
                else:  # its journal is an alias: the graph moves under the canonical journal's name
                    self._withdraw(graph, writer)
                    if self._owner(target) == graph:  # else another copy of that article is published: it wins
                        writer.put(target, nquads, graph_digest(nquads))
                        self.moved.append(target)
                self._set_applied(graph, wanted)
                rewritten += 1
        writer.flush()
        self._save()
        self.rewritten = rewritten
        return rewritten

    def summary(self) -> dict[str, object]:
        """What the report says of this build's identity pass: the aliases by kind of thing, the graphs
        rewritten, and the article graphs withdrawn or moved (an editor sees which copy replaced which)."""
        kinds: dict[str, int] = {}
        for alias in self.aliases:
            kind = alias.split("/id/", 1)[-1].split("/", 1)[0]
            kind = "article" if "/article/" in alias else kind
            kinds[kind] = kinds.get(kind, 0) + 1
        return {
            "aliases": dict(sorted(kinds.items())),
            "graphs_rewritten": self.rewritten,
            "withdrawn": sorted(self.withdrawn),
            "moved": sorted(self.moved),
            "unmerged": self.unmerged,
        }

    def _withdraw_renamed(self, graph: str, applied: dict[str, str], writer: StoreWriter) -> None:
        """Withdraw the copy a graph was moved to by its previous aliases (unless that name is a graph of
        its own), before it is rewritten with new ones."""
        before = renamed(graph, applied)
        if before != graph and before not in self._claims and self._owner(before) in ("", graph):
            self._withdraw(before, writer)

    def _owner(self, target: str) -> str:
        """The graph whose copy is published under a name it moved to ("" when none moves there)."""
        owner = self.owners.get(target)
        return owner[1] if owner else ""

    def _withdraw(self, graph: str, writer: StoreWriter) -> None:
        writer.put(graph, b"", graph_digest(b""))
        self.withdrawn.add(graph)

    def _intern(self, claim: Claim) -> Claim:
        return self._interned.setdefault(claim, claim)

    def _set_applied(self, graph: str, aliases: dict[str, str]) -> None:
        if aliases:
            self._applied[graph] = aliases
        else:
            self._applied.pop(graph, None)

    def _original_path(self, graph: str) -> Path:
        return self.folder / _ORIGINALS / (hashlib.sha256(graph.encode("utf-8")).hexdigest()[:40] + ".nq")

    def _original(self, graph: str) -> bytes:
        try:
            return self._original_path(graph).read_bytes()
        except OSError:
            log.error("the original of %s is missing; its aliases cannot be changed", graph)
            return b""

    def _keep_original(self, graph: str, nquads: bytes) -> None:
        path = self._original_path(graph)
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            _write_atomically(path, nquads)

    def _distinct(self) -> dict[int, Claim]:
        """Each distinct claim once, by identity (claims are interned: equal ones are one object), in the
        order of the graphs' names: 95,000 of the 540,000 claims at 50,000 articles, found without hashing
        a claim (a tuple's hash is not cached)."""
        return {id(claim): claim for _, claims in sorted(self._claims.items()) for claim in claims}

    def _save(self) -> None:
        distinct = self._distinct()
        index = {key: n for n, key in enumerate(distinct)}
        data = {
            "claims": [[claim.kind, claim.iri, list(claim.keys)] for claim in distinct.values()],
            "graphs": {graph: [index[id(claim)] for claim in claims] for graph, claims in sorted(self._claims.items())},
            "applied": dict(sorted(self._applied.items())),
        }
        self.folder.mkdir(parents=True, exist_ok=True)
        _write_atomically(self.folder / _TABLE, json.dumps(data, ensure_ascii=False).encode("utf-8"))


def _write_atomically(path: Path, data: bytes) -> None:
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_bytes(data)
    os.replace(temporary, path)
