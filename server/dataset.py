"""The dataset as a whole: landing page, VoID, DCAT, sitemap, robots.txt and the dumps.

The same dataset IRI (``{base}/id/dataset``) is described three ways (data model 4.12): VoID at
``/.well-known/void`` (the VoID discovery location), DCAT 3 at ``/catalog``, and schema.org ``Dataset`` JSON-LD
on the landing page ``/`` for Google Dataset Search. Sizes come from ``build.json`` (the dumps, with their
triples, bytes and SHA-256) and from a few aggregate queries (class and property partitions), run once per
release and kept in memory keyed by the release id: a new build gets fresh numbers, a request never waits
for a count it has seen before. The dataset and the things are named by their minted IRIs (``build.json``
"base"); the endpoint, the dumps, the catalog and the pages by where this server is reached.

A browser asking for VoID or DCAT (its Accept holds ``text/html``, and ``application/xml;q=0.9``, which
would pick RDF/XML and download it) gets Turtle as ``text/turtle``, which browsers display.
"""

from __future__ import annotations

import datetime
import json
import logging
import os
import threading
from dataclasses import dataclass, field
from email.utils import format_datetime
from typing import Any
from xml.sax.saxutils import escape

from flask import Blueprint, Response, abort, render_template, request, send_file
from pyoxigraph import BlankNode, Literal, NamedNode, Triple

from kg.publish.article_jsonld import script_json
from kg.publish.layout import ReleaseLayout
from kg.server.changes import feed_triples
from kg.server.contract import QueryError, Release
from kg.server.describe import Rebase, backend, current_release, rebase, select
from kg.server.landing_lists import landing_lists, page_links
from kg.server.negotiation import best_match
from kg.server.oai_records import datestamps_of
from kg.server.resources import FORMATS, PAGE_CSP, _content_type, negotiate, serialize_triples
from kg.server.service_description import software_agent_triples
from kg.server.tombstones import tombstones
from kg.vocab import DCAT, DCTERMS, FOAF, PREFIXES, RDF_TYPE, SCHEMA, SD, SKOS, VOID, XSD

log = logging.getLogger("kg.server.dataset")
bp = Blueprint("dataset", __name__)

DEFAULT_LICENSE = "https://creativecommons.org/publicdomain/zero/1.0/"
TITLE = {"en": "Knowledge graph of Iranian scholarly journals", "fa": "گراف دانش مجلات علمی ایران"}
DESCRIPTION = {
    "en": (
        "Bibliographic metadata of bilingual (Persian/English) scholarly journals as linked open data: "
        "journals, volumes, issues, articles with titles, abstracts and keywords, authors in order with "
        "their affiliations, and the provenance of every record. Modelled with schema.org, FaBiO, PRO, "
        "DataCite, FOAF, DCTERMS, SKOS, OWL-Time and PROV."
    ),
    "fa": (
        "فراداده‌های کتاب‌شناختی مجلات علمی دوزبانه (فارسی و انگلیسی) به صورت دادهٔ پیوندی باز: مجله‌ها، "
        "دوره‌ها، شماره‌ها، مقاله‌ها با عنوان، چکیده و کلیدواژه، نویسندگان به ترتیب با وابستگی سازمانی."
    ),
}
KEYWORDS = ["scholarly metadata", "journals", "linked open data", "Persian", "Iran", "bibliographic data"]
VOCABULARIES = [
    "http://schema.org/",
    "http://purl.org/spar/fabio/",
    "http://prismstandard.org/namespaces/basic/2.0/",
    "http://purl.org/vocab/frbr/core#",
    "http://purl.org/spar/pro/",
    "http://purl.org/spar/scoro/",
    "http://purl.org/spar/datacite/",
    "https://w3id.org/oc/ontology/",
    "http://xmlns.com/foaf/0.1/",
    "http://purl.org/dc/terms/",
    "http://www.w3.org/2004/02/skos/core#",
    "http://www.w3.org/2006/time#",
    "http://www.w3.org/ns/prov#",
]
FORMAT_IRIS = {
    "application/n-quads": "http://www.w3.org/ns/formats/N-Quads",
    "application/n-triples": "http://www.w3.org/ns/formats/N-Triples",
    "text/turtle": "http://www.w3.org/ns/formats/Turtle",
    "application/ld+json": "http://www.w3.org/ns/formats/JSON-LD",
    "application/rdf+xml": "http://www.w3.org/ns/formats/RDF_XML",
}
IANA = "https://www.iana.org/assignments/media-types/"
SPDX = "http://spdx.org/rdf/terms#"
DUMP_TYPES = {".gz": "application/gzip", "SHA256SUMS": "text/plain"}
RDF_FORMATS = {media: value for media, value in FORMATS.items() if media != "text/html"}
SITEMAP_PAGE = 20_000  # articles per sitemap file (two URLs each; a sitemap holds at most 50,000)


# ---- statistics, once per release ------------------------------------------------------------------------


@dataclass
class Stats:
    """Counts over the merged graph (each triple once, whatever graph it is in)."""

    triples: int = 0
    entities: int = 0
    classes: list[tuple[str, int]] = field(default_factory=list)
    properties: list[tuple[str, int]] = field(default_factory=list)
    examples: list[str] = field(default_factory=list)
    journals: list[tuple[str, str, str]] = field(default_factory=list)  # (iri, English name, Persian name)
    complete: bool = True


_stats: dict[str, Stats] = {}
_stats_lock = threading.Lock()


def _int(term: Any) -> int:
    try:
        return int(term.value)
    except (AttributeError, ValueError):
        return 0


def compute_stats(build_base: str) -> Stats:
    """The counts VoID reports, by aggregate queries over the union of the graphs."""
    stats = Stats()
    distinct = "{ SELECT DISTINCT ?s ?p ?o WHERE { ?s ?p ?o } }"
    stats.properties = sorted(
        (
            (row["p"].value, _int(row["n"]))
            for row in select(f"SELECT ?p (COUNT(*) AS ?n) WHERE {distinct} GROUP BY ?p")
        ),
        key=lambda pair: pair[0],
    )
    stats.triples = sum(n for _, n in stats.properties)
    stats.classes = sorted(
        (
            (row["c"].value, _int(row["n"]))
            for row in select("SELECT ?c (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?c } GROUP BY ?c")
        ),
        key=lambda pair: pair[0],
    )
    id_space = build_base + "/id/"
    rows = select(
        f'SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE {{ ?s ?p ?o FILTER(isIRI(?s) && STRSTARTS(STR(?s), "{id_space}")) }}'
    )
    stats.entities = _int(rows[0]["n"]) if rows else 0
    keywords = f"<{build_base}/id/scheme/author-keywords>"
    for pattern in (
        f"?s a <{SCHEMA.ScholarlyArticle.value}>",
        f"?s a <{SCHEMA.Periodical.value}>",
        f"?s a <{SCHEMA.PublicationIssue.value}>",
        f"?s a <{SCHEMA.Person.value}>",
        f"?s <{SKOS.inScheme.value}> {keywords}",
        f"?s a <{SCHEMA.Organization.value}>",
    ):
        rows = select(f'SELECT ?s WHERE {{ {pattern} FILTER(STRSTARTS(STR(?s), "{id_space}")) }} ORDER BY ?s LIMIT 1')
        stats.examples += [row["s"].value for row in rows]
    names: dict[str, dict[str, str]] = {}
    for row in select(
        f"SELECT ?j ?name WHERE {{ ?j a <{SCHEMA.Periodical.value}> . "
        f"OPTIONAL {{ ?j <{SCHEMA.name.value}> ?name }} }} ORDER BY ?j LIMIT 1000"
    ):
        entry = names.setdefault(row["j"].value, {})
        name = row.get("name")
        if isinstance(name, Literal):
            entry[name.language or "en"] = name.value
    stats.journals = [(iri, n.get("en", n.get("fa", iri)), n.get("fa", n.get("en", iri))) for iri, n in names.items()]
    return stats


def release_stats(release: Release, build_base: str) -> Stats:
    """The release's statistics, computed on first use and kept for the release's lifetime."""
    key = release.id
    found = _stats.get(key)
    if found is not None:
        return found
    with _stats_lock:
        found = _stats.get(key)
        if found is not None:
            return found
        try:
            stats = compute_stats(build_base)
        except QueryError as error:  # too large for the time limit: describe what is known, retry later
            log.warning("dataset statistics of release %s not computed: %s", key, error)
            stats = Stats(complete=False)
            counts = {d.get("format"): d.get("triples") for d in release.build.get("dumps", [])}
            stats.triples = int(counts.get("N-Triples") or 0)
            return stats
        _stats.clear()  # only the served release's numbers are kept
        _stats[key] = stats
        return stats


# ---- the description --------------------------------------------------------------------------------------


def _release() -> Release:
    release = current_release()
    if release is None:
        abort(503, description="No release is published yet.")
    return release


def license_iri(release: Release) -> str:
    return str(release.build.get("license") or os.environ.get("KG_LICENSE") or DEFAULT_LICENSE)


def dumps_of(release: Release) -> list[dict[str, Any]]:
    """The dumps build.json lists, with their modification time, for the files that exist."""
    out = []
    for info in release.build.get("dumps", []):
        path = backend().dump_path(str(info.get("file", "")))
        if info.get("file") and path is not None:
            stat = path.stat()
            out.append(
                {
                    **info,
                    "bytes": stat.st_size,
                    "modified": datetime.datetime.fromtimestamp(stat.st_mtime, datetime.UTC),
                }
            )
    return out


def _modified(release: Release) -> str:
    return str(release.build.get("ended") or release.build.get("started") or "")


def _lit(value: Any, datatype: NamedNode | None = None, lang: str | None = None) -> Literal:
    if lang:
        return Literal(str(value), language=lang)
    return Literal(str(value), datatype=datatype) if datatype else Literal(str(value))


def void_triples(rb: Rebase, release: Release, stats: Stats) -> list[Triple]:
    """The VoID description of the dataset, its dumps, endpoint, partitions and examples."""
    ds = NamedNode(rb.build + "/id/dataset")
    t: list[Triple] = [Triple(ds, RDF_TYPE, VOID.Dataset)]
    for lang in ("en", "fa"):
        t.append(Triple(ds, DCTERMS.title, _lit(TITLE[lang], lang=lang)))
        t.append(Triple(ds, DCTERMS.description, _lit(DESCRIPTION[lang], lang=lang)))
    t += [
        Triple(ds, DCTERMS.license, NamedNode(license_iri(release))),
        Triple(ds, DCTERMS.identifier, _lit(release.id)),
        Triple(ds, FOAF.homepage, NamedNode(rb.public + "/")),
        Triple(ds, VOID.sparqlEndpoint, NamedNode(rb.public + "/sparql")),
        Triple(ds, VOID.uriSpace, _lit(rb.build + "/id/")),
        Triple(ds, VOID.triples, _lit(stats.triples, XSD.integer)),
    ]
    if _modified(release):
        t.append(Triple(ds, DCTERMS.modified, _lit(_modified(release), XSD.dateTime)))
    if stats.complete:
        t.append(Triple(ds, VOID.entities, _lit(stats.entities, XSD.integer)))
    if release.build.get("kg_version"):  # the kg that built this release (the server may be newer)
        t += software_agent_triples(ds, rb.public, str(release.build["kg_version"]))
    t += [Triple(ds, VOID.vocabulary, NamedNode(v)) for v in VOCABULARIES]
    features = set()
    for dump in dumps_of(release):
        node = NamedNode(f"{rb.public}/dumps/{dump['file']}")
        t.append(Triple(ds, VOID.dataDump, node))
        t.append(Triple(node, DCTERMS["format"], _lit(dump.get("media_type", ""))))
        t.append(Triple(node, VOID.triples, _lit(int(dump.get("triples") or 0), XSD.integer)))
        t.append(Triple(node, DCAT.byteSize, _lit(dump["bytes"], XSD.nonNegativeInteger)))
        t.append(
            Triple(node, DCTERMS.title, _lit(f"{dump.get('format')} dump ({dump.get('graphs')}), gzip", lang="en"))
        )
        if dump.get("media_type") in FORMAT_IRIS:
            features.add(FORMAT_IRIS[dump["media_type"]])
    t += [Triple(ds, VOID.feature, NamedNode(f)) for f in sorted(features)]
    for iri in stats.examples:
        t.append(Triple(ds, VOID.exampleResource, NamedNode(iri)))
    for iri, _, _ in stats.journals:
        t.append(Triple(ds, VOID.rootResource, NamedNode(iri)))
    for cls, count in stats.classes:
        part = BlankNode()
        t += [
            Triple(ds, VOID.classPartition, part),
            Triple(part, VOID["class"], NamedNode(cls)),
            Triple(part, VOID.entities, _lit(count, XSD.integer)),
        ]
    for prop, count in stats.properties:
        part = BlankNode()
        t += [
            Triple(ds, VOID.propertyPartition, part),
            Triple(part, VOID.property, NamedNode(prop)),
            Triple(part, VOID.triples, _lit(count, XSD.integer)),
        ]
    t.append(Triple(ds, NamedNode("http://www.w3.org/2000/01/rdf-schema#seeAlso"), NamedNode(rb.public + "/catalog")))
    t += feed_triples(rb.public, ds, release, catalog=False)
    return t


def dcat_triples(rb: Rebase, release: Release) -> list[Triple]:
    """DCAT 3: the catalog, the dataset, one distribution per dump, and the SPARQL endpoint as a data service."""
    catalog = NamedNode(rb.public + "/catalog")
    ds = NamedNode(rb.build + "/id/dataset")
    service = NamedNode(rb.public + "/sparql")
    licence = NamedNode(license_iri(release))
    t = [
        Triple(catalog, RDF_TYPE, DCAT.Catalog),
        Triple(catalog, DCTERMS.title, _lit(TITLE["en"] + " (catalog)", lang="en")),
        Triple(catalog, FOAF.homepage, NamedNode(rb.public + "/")),
        Triple(catalog, DCAT.dataset, ds),
        Triple(catalog, DCAT.service, service),
        Triple(ds, RDF_TYPE, DCAT.Dataset),
        Triple(ds, DCAT.landingPage, NamedNode(rb.public + "/")),
        Triple(ds, DCTERMS.license, licence),
        Triple(ds, DCAT.version, _lit(release.id)),
        Triple(ds, DCTERMS.language, NamedNode("http://id.loc.gov/vocabulary/iso639-1/fa")),
        Triple(ds, DCTERMS.language, NamedNode("http://id.loc.gov/vocabulary/iso639-1/en")),
        Triple(service, RDF_TYPE, DCAT.DataService),
        Triple(service, DCAT.endpointURL, service),
        Triple(service, DCAT.endpointDescription, service),
        Triple(service, DCAT.servesDataset, ds),
        Triple(service, DCTERMS.conformsTo, NamedNode("https://www.w3.org/TR/sparql11-protocol/")),
        Triple(service, DCTERMS.title, _lit("SPARQL 1.1 endpoint", lang="en")),
        Triple(service, RDF_TYPE, SD.Service),
    ]
    for lang in ("en", "fa"):
        t.append(Triple(ds, DCTERMS.title, _lit(TITLE[lang], lang=lang)))
        t.append(Triple(ds, DCTERMS.description, _lit(DESCRIPTION[lang], lang=lang)))
    t += [Triple(ds, DCAT.keyword, _lit(k, lang="en")) for k in KEYWORDS]
    if _modified(release):
        t.append(Triple(ds, DCTERMS.modified, _lit(_modified(release), XSD.dateTime)))
    for dump in dumps_of(release):
        node = NamedNode(f"{rb.public}/dumps/{dump['file']}")
        checksum = BlankNode()
        t += [
            Triple(ds, DCAT.distribution, node),
            Triple(node, RDF_TYPE, DCAT.Distribution),
            Triple(node, DCTERMS.title, _lit(f"{dump.get('format')} dump ({dump.get('graphs')})", lang="en")),
            Triple(node, DCAT.downloadURL, node),
            Triple(node, DCAT.accessURL, node),
            Triple(node, DCAT.mediaType, NamedNode(IANA + str(dump.get("media_type", "")))),
            Triple(node, DCAT.compressFormat, NamedNode(IANA + "application/gzip")),
            Triple(node, DCAT.byteSize, _lit(dump["bytes"], XSD.nonNegativeInteger)),
            Triple(node, DCTERMS.license, licence),
            Triple(node, DCTERMS.issued, _lit(dump["modified"].strftime("%Y-%m-%dT%H:%M:%SZ"), XSD.dateTime)),
            Triple(node, NamedNode(SPDX + "checksum"), checksum),
            Triple(checksum, NamedNode(SPDX + "algorithm"), NamedNode(SPDX + "checksumAlgorithm_sha256")),
            Triple(checksum, NamedNode(SPDX + "checksumValue"), _lit(dump.get("sha256", ""), XSD.hexBinary)),
        ]
    t += feed_triples(rb.public, ds, release, catalog=True)
    return t


def _rdf_response(triples: list[Triple]) -> Response:
    media = negotiate({"text/html": None, **RDF_FORMATS})
    if media is None:
        abort(406, description="Available as " + ", ".join(RDF_FORMATS) + ".")
    if media == "text/html":  # a browser: Turtle, which it displays (RDF/XML through application/xml downloads)
        media = "text/turtle"
    prefixes = {**PREFIXES, "void": VOID.iri, "dcat": DCAT.iri, "sd": SD.iri, "spdx": SPDX}
    response = Response(serialize_triples(triples, media, RDF_FORMATS, prefixes), content_type=_content_type(media))
    response.headers["Vary"] = "Accept"
    return response


@bp.route("/.well-known/void")
def void() -> Response:
    """VoID (Turtle unless the client asks for another RDF format)."""
    release = _release()
    rb = rebase()
    return _rdf_response(void_triples(rb, release, release_stats(release, rb.build)))


@bp.route("/catalog")
def catalog() -> Response:
    """The DCAT 3 catalog: the dataset, its distributions (the dumps) and the SPARQL data service."""
    release = _release()
    return _rdf_response(dcat_triples(rebase(), release))


# ---- landing page -----------------------------------------------------------------------------------------


def dataset_jsonld(rb: Rebase, release: Release, stats: Stats) -> dict[str, Any]:
    """schema.org ``Dataset`` for Google Dataset Search (name and description are required)."""
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "Dataset",
        "@id": rb.build + "/id/dataset",
        "name": TITLE["en"],
        "alternateName": TITLE["fa"],
        "description": DESCRIPTION["en"],
        "url": rb.public + "/",
        "license": license_iri(release),
        "version": release.id,
        "keywords": KEYWORDS,
        "inLanguage": ["fa", "en"],
        "isAccessibleForFree": True,
        "includedInDataCatalog": {"@type": "DataCatalog", "@id": rb.public + "/catalog", "name": TITLE["en"]},
        "distribution": [
            {
                "@type": "DataDownload",
                "contentUrl": f"{rb.public}/dumps/{d['file']}",
                "encodingFormat": d.get("media_type"),
                "contentSize": f"{d['bytes']} B",
                "name": f"{d.get('format')} dump (gzip)",
            }
            for d in dumps_of(release)
        ],
        "variableMeasured": [f"{cls} ({count})" for cls, count in stats.classes if cls.startswith(SCHEMA.iri)][:20],
    }
    if _modified(release):
        data["dateModified"] = _modified(release)
    return data


@bp.route("/")
def landing() -> Response:
    """What the dataset is, how big, and where to get it; RDF clients get the VoID description."""
    release = _release()
    rb = rebase()
    stats = release_stats(release, rb.build)
    media = negotiate({"text/html": None, **RDF_FORMATS})
    if media is None:
        abort(406, description="Available as text/html, " + ", ".join(RDF_FORMATS) + ".")
    if media != "text/html":
        response = _rdf_response(void_triples(rb, release, stats) + dcat_triples(rb, release))
        response.headers["Vary"] = "Accept"
        return response
    counts = dict(stats.classes)
    sizes = [
        (label, counts.get(cls.value, 0))
        for label, cls in (
            ("articles", SCHEMA.ScholarlyArticle),
            ("journals", SCHEMA.Periodical),
            ("issues", SCHEMA.PublicationIssue),
            ("people", SCHEMA.Person),
            ("organizations", SCHEMA.Organization),
            ("keyword concepts", SKOS.Concept),
        )
    ]
    examples = [(iri, rb.local(iri).replace("/id/", "/en/doc/", 1)) for iri in stats.examples]
    journals = [(rb.local(iri).replace("/id/", "/en/doc/", 1), en, fa) for iri, en, fa in stats.journals]
    body = render_template(
        "landing.html",
        title=TITLE,
        description=DESCRIPTION,
        release=release,
        stats=stats,
        sizes=sizes,
        examples=examples,
        journals=journals,
        dumps=dumps_of(release),
        base=rb.public,
        jsonld=script_json(dataset_jsonld(rb, release, stats)),
        license=license_iri(release),
        **page_links(landing_lists(release.id), rb),
    )
    response = Response(body, content_type="text/html; charset=utf-8")
    response.headers["Vary"] = "Accept"
    response.headers["Content-Security-Policy"] = PAGE_CSP
    response.headers["Link"] = (
        f'<{rb.public}/.well-known/void>; rel="describedby"; type="text/turtle", '
        f'<{rb.public}/catalog>; rel="alternate"; type="text/turtle"'
    )
    return response


# ---- dumps ------------------------------------------------------------------------------------------------


@bp.route("/dumps/")
@bp.route("/dumps")
def dumps_index() -> Response:
    """Every dump of the served release with format, size, date and checksum (HTML or JSON)."""
    release = _release()
    rb = rebase()
    listed = dumps_of(release)
    media = best_match(request.headers.get("Accept"), ["text/html", "application/json"])
    if media == "application/json":
        data = [
            {
                **{k: v for k, v in d.items() if k != "modified"},
                "url": f"{rb.public}/dumps/{d['file']}",
                "modified": d["modified"].strftime("%Y-%m-%dT%H:%M:%SZ"),
            }
            for d in listed
        ]
        # the articles `kg withdraw` took back (kg.publish.tombstones), listed beside the dumps
        withdrawn = {"url": f"{rb.public}/dumps/withdrawn.json", "articles": len(tombstones())}
        response = Response(
            json.dumps({"release": release.id, "dumps": data, "withdrawn": withdrawn}, indent=1),
            content_type="application/json",
        )
    else:
        body = render_template(
            "dumps.html", release=release, dumps=listed, base=rb.public, title=TITLE, withdrawn=len(tombstones())
        )
        response = Response(body, content_type="text/html; charset=utf-8")
        response.headers["Content-Security-Policy"] = PAGE_CSP
    response.headers["Vary"] = "Accept"
    return response


@bp.route("/dumps/<name>")
def dump_file(name: str) -> Response:
    """A dump file: its media type, a strong ETag (its SHA-256), Last-Modified, HEAD, 304 and byte ranges."""
    release = _release()
    path = backend().dump_path(name)
    if path is None:
        abort(404, description=f"No dump named {name!r}; see /dumps/.")
    info: dict[str, Any] = next((d for d in release.build.get("dumps", []) if d.get("file") == name), {})
    mimetype = DUMP_TYPES.get(name) or DUMP_TYPES.get(path.suffix, "application/octet-stream")
    response = send_file(
        path, mimetype=mimetype, as_attachment=False, conditional=True, etag=info.get("sha256") or True, max_age=300
    )
    if info.get("media_type"):
        response.headers["Link"] = f'<{rebase().public}/.well-known/void>; rel="describedby"'
    response.headers["Accept-Ranges"] = "bytes"
    return response


# ---- for crawlers -----------------------------------------------------------------------------------------


@bp.route("/robots.txt")
def robots() -> Response:
    return Response(f"User-agent: *\nAllow: /\nSitemap: {rebase().public}/sitemap.xml\n", mimetype="text/plain")


def _article_paths(rb: Rebase, offset: int, limit: int) -> list[str]:
    rows = select(
        f"SELECT DISTINCT ?a WHERE {{ ?a a <{SCHEMA.ScholarlyArticle.value}> }} ORDER BY ?a "
        f"OFFSET {offset} LIMIT {limit}"
    )
    prefix = rb.build + "/id/"
    return [row["a"].value[len(prefix) :] for row in rows if row["a"].value.startswith(prefix)]


@bp.route("/sitemap.xml")
@bp.route("/sitemap-<int:number>.xml")
def sitemap(number: int = 0) -> Response:
    """The article pages in both languages (with hreflang alternates); an index when there are many."""
    release = _release()
    rb = rebase()
    lastmod = _modified(release)[:10]
    total = dict(release_stats(release, rb.build).classes).get(SCHEMA.ScholarlyArticle.value, 0)
    if number == 0 and total > SITEMAP_PAGE:
        pages = (total + SITEMAP_PAGE - 1) // SITEMAP_PAGE
        items = "".join(
            f"<sitemap><loc>{escape(rb.public)}/sitemap-{n}.xml</loc><lastmod>{lastmod}</lastmod></sitemap>"
            for n in range(1, pages + 1)
        )
        xml = (
            '<?xml version="1.0" encoding="UTF-8"?>\n<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
            f"{items}</sitemapindex>\n"
        )
        return Response(xml, content_type="application/xml; charset=utf-8")
    offset = max(number - 1, 0) * SITEMAP_PAGE
    paths = _article_paths(rb, offset, SITEMAP_PAGE)
    if number > 0 and not paths:
        abort(404)
    # each article's lastmod: when its published graph last changed (the build's datestamps)
    stamps = datestamps_of(ReleaseLayout(release.path).oai, [f"{rb.build}/id/{path}" for path in paths])
    urls = []
    for path in paths:
        article_lastmod = stamps.get(f"{rb.build}/id/{path}", lastmod)[:10]
        alternates = "".join(
            f'<xhtml:link rel="alternate" hreflang="{lang}" href="{escape(rb.public)}/{lang}/doc/{escape(path)}"/>'
            for lang in ("fa", "en")
        )
        for lang in ("fa", "en"):
            urls.append(
                f"<url><loc>{escape(rb.public)}/{lang}/doc/{escape(path)}</loc>"
                + (f"<lastmod>{article_lastmod}</lastmod>" if article_lastmod else "")
                + alternates
                + "</url>"
            )
    xml = (
        '<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
        'xmlns:xhtml="http://www.w3.org/1999/xhtml">\n' + "\n".join(urls) + "\n</urlset>\n"
    )
    response = Response(xml, content_type="application/xml; charset=utf-8")
    if lastmod:
        try:
            response.headers["Last-Modified"] = format_datetime(
                datetime.datetime.fromisoformat(_modified(release).replace("Z", "+00:00")), usegmt=True
            )
        except ValueError:
            pass
    return response
