"""The files kg reads at run time: shapes, ontology, vocabulary, bundled sample, server templates.

They are found through ``importlib.resources``, never through paths relative to the source tree, so a
wheel install reads the same files as a clone. The repository keeps the design's top-level folders;
``pyproject.toml`` maps them into the package at build time (``shapes/`` is ``kg.shapes``,
``ontology/`` is ``kg.ontology``, ``server/`` is ``kg.server``).

A file that is missing is an error naming it (``MissingResource``), never an empty result: a validator
that silently loads no shapes would publish everything unchecked. ``check_install`` looks at all of them
at once, for the commands to call before they touch anything.
"""

from __future__ import annotations

from importlib import resources
from importlib.resources.abc import Traversable

# The shapes a complete install carries (tests/test_resources.py keeps this list equal to shapes/*.ttl).
SHAPE_FILES = (
    "article.ttl",
    "authorship.ttl",
    "common.ttl",
    "dataset.ttl",
    "identifier.ttl",
    "issue.ttl",
    "jalali-date.ttl",
    "journal.ttl",
    "keyword.ttl",
    "organization.ttl",
    "person.ttl",
    "provenance.ttl",
    "term.ttl",
    "volume.ttl",
)
STORE_SHAPES_FILE = "store.ttl"  # the store-wide shapes, run by ``kg validate --store``
ONTOLOGY_FILES = ("kg.ttl", "context.jsonld")
SCHEMAORG_CONTEXT = "vocab/schemaorg-context.jsonld"
SERVER_FILES = ("templates/base.html", "static")


class MissingResource(RuntimeError):
    """A file kg needs at run time is not where the package should carry it (a broken install)."""

    def __init__(self, what: str, names: list[str], where: Traversable | str) -> None:
        self.what = what
        self.names = names
        self.where = str(where)
        listed = ", ".join(names)
        super().__init__(
            f"this kg install is incomplete: {what} missing ({listed}) in {self.where}; "
            "reinstall kg (pip install --force-reinstall kg-journals) or build from a complete checkout"
        )


def _package(name: str, what: str) -> Traversable:
    try:
        return resources.files(name)
    except ModuleNotFoundError:
        raise MissingResource(what, [name], "the installed package") from None


def _require(folder: Traversable, names: tuple[str, ...] | list[str], what: str) -> list[Traversable]:
    found = [folder.joinpath(name) for name in names]
    missing = [name for name, item in zip(names, found, strict=True) if not (item.is_file() or item.is_dir())]
    if missing:
        raise MissingResource(what, missing, folder)
    return found


def shape_files(store: bool = False) -> list[Traversable]:
    """The SHACL shapes files of the article graphs (or, with ``store``, the store-wide ones)."""
    folder = _package("kg.shapes", "SHACL shapes")
    return _require(folder, [STORE_SHAPES_FILE] if store else list(SHAPE_FILES), "SHACL shapes")


def ontology_file(name: str) -> Traversable:
    """A file of ``ontology/``: ``kg.ttl``, ``context.jsonld`` or ``vocab/...``."""
    return _require(_package("kg.ontology", "ontology"), [name], "ontology files")[0]


def sample_folder() -> Traversable:
    """The bundled sample (``kg/sample/``): the seed export and a small corpus, what ``kg demo`` builds."""
    folder = _require(_package("kg", "sample"), ["sample"], "bundled sample")[0]
    _require(folder, ["seed", "corpus"], "bundled sample")
    return folder


def server_folder() -> Traversable:
    """The server's package folder, holding ``templates/`` and ``static/``."""
    folder = _package("kg.server", "server")
    _require(folder, SERVER_FILES, "server templates and static files")
    return folder


def check_install(server: bool = False) -> None:
    """Raise ``MissingResource`` naming the first kind of file this install lacks; nothing when complete."""
    shape_files()
    shape_files(store=True)
    for name in ONTOLOGY_FILES:
        ontology_file(name)
    if server:
        server_folder()
