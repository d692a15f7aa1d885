"""The change feed at ``/dumps/changes/``: the Atom feed of the patches between releases, and the patches.

Written by the build into each release's ``dumps/changes/`` (``kg.publish.changes``); served here as files
of the served release, so a mirror reads the feed, takes the patches newer than the release it holds and
applies them to its copy of the N-Quads dump.
"""

from __future__ import annotations

from flask import Blueprint, Response, abort, send_file
from pyoxigraph import Literal, NamedNode, Triple

from kg.publish.changes import CHANGES, FEED, INDEX
from kg.server.contract import Release
from kg.server.describe import current_release
from kg.vocab import DCAT, DCTERMS, RDF_TYPE, RDFS

bp = Blueprint("changes", __name__)

TYPES = {FEED: "application/atom+xml", INDEX: "application/json"}


@bp.route("/dumps/changes/")
@bp.route("/dumps/changes")
def changes_feed() -> Response:
    """The Atom feed of the patches, newest first (their links are relative to this folder)."""
    return changes_file(FEED)


@bp.route("/dumps/changes/<name>")
def changes_file(name: str) -> Response:
    release = current_release()
    if release is None:
        abort(503, description="No release is published yet.")
    folder = release.dumps / CHANGES
    path = folder / name
    if not name or name.startswith(".") or "/" in name or "\\" in name or not path.is_file():
        abort(404, description=f"No change file named {name!r}; see /dumps/changes/ (the Atom feed).")
    mimetype = TYPES.get(name, "application/gzip")
    response = send_file(path, mimetype=mimetype, conditional=True, max_age=300)
    response.headers["Accept-Ranges"] = "bytes"
    return response


def feed_triples(public: str, dataset: NamedNode, release: Release, catalog: bool) -> list[Triple]:
    """The change feed in the dataset's description.

    In DCAT (``catalog``) the patches are a dataset of their own in the catalog, related to the dataset,
    whose distribution is the Atom feed (the dataset's own distributions stay its dumps); in VoID an
    ``rdfs:seeAlso`` from the dataset to the feed.
    """
    if not (release.dumps / CHANGES / FEED).is_file():
        return []
    feed = NamedNode(f"{public}/dumps/changes/")
    if not catalog:
        return [Triple(dataset, RDFS.seeAlso, feed)]
    changes = NamedNode(f"{public}/dumps/changes/#changes")
    title = "Changes between releases: one RDF Patch per release against the previous N-Quads dump"
    return [
        Triple(NamedNode(public + "/catalog"), DCAT.dataset, changes),
        Triple(changes, RDF_TYPE, DCAT.Dataset),
        Triple(changes, DCTERMS.title, Literal(title, language="en")),
        Triple(dataset, DCTERMS.relation, changes),
        Triple(changes, DCAT.distribution, feed),
        Triple(feed, RDF_TYPE, DCAT.Distribution),
        Triple(feed, DCTERMS.title, Literal("Change feed (Atom)", language="en")),
        Triple(feed, DCAT.accessURL, feed),
        Triple(feed, DCAT.mediaType, NamedNode("https://www.iana.org/assignments/media-types/application/atom+xml")),
    ]
