"""The output folder of ``kg build``, named once: the contract between the build and the server.

::

    DIR/
      store/               the builder's working store (only ``kg build`` opens it)
      graphs/              the published graphs as N-Quads segments (``kg.publish.graphs``)
      dump-parts/          the dumps' parts, one per journal per format (``kg.publish.dump_parts``)
      releases/<id>/       one published release, never changed after it is written:
          store/           a checkpoint of the store, opened read-only by the server
          dumps/           the dumps and their SHA256SUMS (``kg.publish.dumps``)
              withdrawn.json   the tombstones of ``kg withdraw``: IRI, date, reason (``kg.publish.tombstones``)
          report.json      what was read, published, warned about and rejected (``kg.publish.report``)
          build.json       base IRI, release id, times, counts, the dumps
          oai.sqlite       per-article datestamps, deletions and OAI-PMH records (``kg.publish.datestamps``)
          quality.json     data-quality figures per journal and issue, and the conflicts (``kg.publish.quality``)
          quality-facts.sqlite    what those figures are computed from, per node, and each journal's figures
      releases/.<id>.partial   a release being written (renamed to ``<id>`` when complete)
      current -> releases/<id>     replaced atomically when a build succeeds
      dumps -> current/dumps
      report.json -> current/report.json
      quarantine/          articles held back by validation, one folder each
      secret.key           the deployment secret for keyed person hashes (never published)
      inputs.jsonl         the ledger of inputs (``kg.publish.ledger``)
      deleted.jsonl        withdrawn article graphs, appended by ``kg withdraw`` (``kg.publish.datestamps``)
      identity/            the identity table: claims and aliases per graph (``kg.publish.identity``)
      .build.lock          held by the running build

The build writes it (``kg.build``), the server reads ``current`` (``kg.server.releases``), and ``kg
validate --store`` and ``kg jsonld`` read a release: each asks ``Layout`` or ``ReleaseLayout`` for a path
rather than spelling it. Only paths are here; what the files hold belongs to the modules that write them.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

STORE = "store"  # the working store in DIR, and each release's checkpoint of it
GRAPHS = "graphs"
DUMP_PARTS = "dump-parts"
RELEASES = "releases"
CURRENT = "current"
DUMPS = "dumps"
REPORT = "report.json"
BUILD_INFO = "build.json"
QUALITY = "quality.json"
QUALITY_FACTS = "quality-facts.sqlite"
QUARANTINE = "quarantine"
SECRET_KEY = "secret.key"
LEDGER = "inputs.jsonl"
IDENTITY = "identity"  # the identity table and the originals of rewritten graphs (kg.publish.identity)
LOCK = ".build.lock"
OAI = "oai.sqlite"  # per-article datestamps and OAI-PMH records (kg.publish.datestamps)
_STAGING = ".{}.partial"  # a release folder being written; every name starting with "." is unfinished


@dataclass(frozen=True)
class ReleaseLayout:
    """One release: ``DIR/releases/<id>/``, its staging folder, or ``DIR/current`` followed."""

    path: Path

    @property
    def store(self) -> Path:
        return self.path / STORE

    @property
    def dumps(self) -> Path:
        return self.path / DUMPS

    @property
    def report(self) -> Path:
        return self.path / REPORT

    @property
    def build_info(self) -> Path:
        return self.path / BUILD_INFO

    @property
    def oai(self) -> Path:
        return self.path / OAI

    @property
    def quality(self) -> Path:
        """The data-quality figures per journal and issue (``kg.publish.quality``), read by the server."""
        return self.path / QUALITY

    @property
    def quality_facts(self) -> Path:
        """What the quality figures are computed from, per node, for the next build (``kg.publish.quality_facts``)."""
        return self.path / QUALITY_FACTS


@dataclass(frozen=True)
class Layout:
    """The output folder ``DIR`` of a build."""

    root: Path

    def __post_init__(self) -> None:
        object.__setattr__(self, "root", Path(self.root))

    @property
    def store(self) -> Path:
        return self.root / STORE

    @property
    def graphs(self) -> Path:
        return self.root / GRAPHS

    @property
    def dump_parts(self) -> Path:
        return self.root / DUMP_PARTS

    @property
    def releases(self) -> Path:
        return self.root / RELEASES

    @property
    def current(self) -> Path:
        """The symlink to the published release (a plain folder is accepted as the release by readers)."""
        return self.root / CURRENT

    @property
    def dumps(self) -> Path:
        """The link to the published release's dumps."""
        return self.root / DUMPS

    @property
    def report(self) -> Path:
        """The link to the published release's report."""
        return self.root / REPORT

    @property
    def quarantine(self) -> Path:
        return self.root / QUARANTINE

    @property
    def secret_key(self) -> Path:
        return self.root / SECRET_KEY

    @property
    def ledger(self) -> Path:
        return self.root / LEDGER

    @property
    def ledger_reading(self) -> Path:
        """The ledger lines of the files a running build has read (it becomes part of the ledger at the end)."""
        return self.root / f".{LEDGER}.reading"

    @property
    def identity(self) -> Path:
        return self.root / IDENTITY

    @property
    def lock(self) -> Path:
        return self.root / LOCK

    def current_release(self) -> ReleaseLayout:
        return ReleaseLayout(self.current)

    def release(self, release_id: str) -> ReleaseLayout:
        return ReleaseLayout(self.releases / release_id)

    def staging(self, release_id: str) -> ReleaseLayout:
        return ReleaseLayout(self.releases / _STAGING.format(release_id))

    def finished_releases(self) -> list[Path]:
        """The complete release folders, oldest first (release ids sort by time)."""
        return sorted(path for path in self.releases.iterdir() if not path.name.startswith("."))

    def links(self, release_id: str) -> dict[Path, str]:
        """The symlinks that publish a release, each with its relative target: ``current`` first, then the
        shortcuts through it (which never change once made)."""
        return {
            self.current: f"{RELEASES}/{release_id}",
            self.dumps: f"{CURRENT}/{DUMPS}",
            self.report: f"{CURRENT}/{REPORT}",
        }

    def quarantined(self, graph: str) -> Path:
        """The quarantine folder of an article graph: its path under ``/graph/``, slashes made underscores."""
        return self.quarantine / graph.split("/graph/", 1)[-1].replace("/", "_")
