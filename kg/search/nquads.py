"""What the search index holds about each article, read from the N-Quads the build wrote beside its store.

The build keeps every published graph's N-Quads in ``DIR/graphs/`` (``kg.publish.graphs``); the store is
loaded from the same bytes, so they say exactly what the store says. Reading them is about twice as fast as
asking the store, whose SPARQL answers decode every long literal with a random read (9 to 25 s for 10,000
articles on a loaded machine, against 4.5 to 8 s here; README "Search"). Only the lines of the
dozen properties the index uses are parsed (split in C, one dictionary lookup per line), and each graph's
articles are assembled with the same patterns as the SPARQL reading (``kg.search.extract.articles``, kept as
the reference a test compares this with): titles, abstracts, literal keywords, and the names of the
concepts, authors, affiliations, journal and article type an article links to inside its graph.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING

from kg.search.extract import Article
from kg.vocab import DCTERMS, FABIO, RDF, SCHEMA

if TYPE_CHECKING:
    from kg.publish.graphs import GraphFiles

_PREDICATES = {
    f"<{term.value}>".encode(): name
    for term, name in (
        (DCTERMS.title, "title"),
        (FABIO.hasTranslatedTitle, "title"),
        (SCHEMA.abstract, "abstract"),
        (SCHEMA.keywords, "keyword"),
        (SCHEMA.about, "about"),
        (SCHEMA.author, "author"),
        (SCHEMA.affiliation, "affiliation"),
        (SCHEMA.name, "name"),
        (SCHEMA.isPartOf, "part"),
        (SCHEMA.genre, "genre"),
        (SCHEMA.datePublished, "date"),
        (SCHEMA.inLanguage, "lang"),
        (RDF.type, "a"),
    )
}
_ARTICLE = f"<{SCHEMA.ScholarlyArticle.value}>".encode()
_PERIODICAL = f"<{SCHEMA.Periodical.value}>".encode()
_ESCAPE = re.compile(r"\\(?:u([0-9A-Fa-f]{4})|U([0-9A-Fa-f]{8})|(.))")
_CHARS = {"t": "\t", "b": "\b", "n": "\n", "r": "\r", "f": "\f", '"': '"', "'": "'", "\\": "\\"}

# one graph: subject term (as written) -> property name -> object terms (as written)
Graph = dict[bytes, dict[str, list[bytes]]]


def articles(files: GraphFiles, graphs: Iterable[str] | None = None) -> Iterator[Article]:
    """The articles of the current copies of ``graphs`` (all graphs when None) in ``files``, a segment at a time.

    Only one segment's lines are held at once, so memory does not grow with the corpus. An article stated
    in more than one graph (an article graph and its supplement graphs: ``kg.publish.merge``) comes first as
    each graph states it and then once more, last, with the fields of all its graphs merged, as a query over
    them would: a reader keeps the last copy of an IRI (``kg.search.index`` replaces it).
    """
    first: dict[str, str] = {}  # article IRI -> the graph it came from first
    again: dict[str, set[str]] = {}  # article IRI -> its graphs, for those in more than one
    for article in _each_graph_s_articles(files, graphs):
        seen = first.setdefault(article.iri, article.graph)
        if seen != article.graph:
            again.setdefault(article.iri, {seen}).add(article.graph)
        yield article
    if again:
        yield from _merged(files, again)


def _each_graph_s_articles(files: GraphFiles, graphs: Iterable[str] | None) -> Iterator[Article]:
    """The articles of each graph as that graph states them, a segment at a time."""
    for path, names in files.current_segments(graphs):
        for graph, subjects in _graphs(path.read_bytes(), names).items():
            name = graph.decode("utf-8")
            yield from _articles(name, subjects, files.digests.get(name, ""))


def _merged(files: GraphFiles, again: dict[str, set[str]]) -> Iterator[Article]:
    """The articles of ``again``, each with the fields of all the graphs that state it merged."""
    found: dict[str, Article] = {}
    for article in _each_graph_s_articles(files, set().union(*again.values())):
        if article.iri not in again:
            continue
        known = found.get(article.iri)
        if known is None:
            found[article.iri] = article
        else:
            _merge(known, article)
    yield from found.values()


def _graphs(data: bytes, names: set[str]) -> dict[bytes, Graph]:
    """The lines of one segment that the index uses, grouped by graph and subject: only the lines of ``names``
    (the graphs whose current copy this segment holds) and of the dozen properties read. The hot loop of the
    step: one split in C and one dictionary lookup per line, most lines going no further."""
    graphs: dict[bytes, Graph] = {name.encode("utf-8"): {} for name in names}
    wanted = _PREDICATES
    for line in data.splitlines():
        parts = line.split(b" ", 2)
        name = wanted.get(parts[1]) if len(parts) == 3 else None
        if name is None:
            continue
        rest = parts[2]
        cut = rest.rfind(b" <")
        if cut < 0 or not rest.endswith(b"> ."):
            continue  # a triple of the default graph: no article graph holds it
        subjects = graphs.get(rest[cut + 2 : -3])
        if subjects is None:
            continue  # a stale copy of a graph, replaced in a later segment
        value = rest[:cut]
        if name == "a" and value != _ARTICLE and value != _PERIODICAL:
            continue
        properties = subjects.get(parts[0])
        if properties is None:
            properties = subjects[parts[0]] = {}
        values = properties.get(name)
        if values is None:
            properties[name] = [value]
        else:
            values.append(value)
    return graphs


def _articles(graph: str, subjects: Graph, digest: str) -> Iterator[Article]:
    """The articles of one graph, each with the fields ``kg.search.extract`` reads with SPARQL.

    Their digest (what the incremental index compares) is the graph's own, from the build: an article's
    fields all live in its graph, so an unchanged graph means an unchanged article, without hashing them
    again (a second per 10,000 articles). Without one (a graph list from before digests), the fields' hash.
    """
    empty: dict[str, list[bytes]] = {}
    for subject, properties in subjects.items():
        if _ARTICLE not in properties.get("a", ()) or not subject.startswith(b"<"):
            continue
        article = Article(_iri(subject), graph=graph, _digest=f"{digest}:{subject.decode('utf-8')}" if digest else "")
        for name in ("title", "abstract", "keyword"):
            for value in properties.get(name, ()):
                _add(article, name, value, None)
        for name, via in (("concept", "about"), ("person", "author"), ("type", "genre")):
            for node in properties.get(via, ()):
                for value in subjects.get(node, empty).get("name", ()):
                    _add(article, name, value, node)
        for person in properties.get("author", ()):
            for node in subjects.get(person, empty).get("affiliation", ()):
                for value in subjects.get(node, empty).get("name", ()):
                    _add(article, "affiliation", value, node)
        # ?a isPartOf/isPartOf? ?i . ?i isPartOf ?x . ?x a Periodical: the journal two or three steps up
        parents = properties.get("part", [])
        steps = set(parents) | {up for p in parents for up in subjects.get(p, empty).get("part", ())}
        for step in steps:
            for node in subjects.get(step, empty).get("part", ()):
                if _PERIODICAL in subjects.get(node, empty).get("a", ()):
                    for value in subjects[node].get("name", ()):
                        _add(article, "journal", value, node)
        dates = [text for text, _ in filter(None, map(_literal, properties.get("date", ())))]
        article.date = min(filter(None, dates), default="")
        article.lang = max((text for text, _ in filter(None, map(_literal, properties.get("lang", ())))), default="")
        yield article


def _add(article: Article, name: str, value: bytes, node: bytes | None) -> None:
    literal = _literal(value)
    if literal is not None:
        link = _iri(node) if node is not None and node.startswith(b"<") else None
        article.add(name, literal[0], literal[1], link)


def _literal(term: bytes) -> tuple[str, str] | None:
    """(lexical form, language) of a literal as N-Quads writes it; None for an IRI or a blank node."""
    if not term.startswith(b'"'):
        return None
    end = term.rindex(b'"')
    text = term[1:end].decode("utf-8")
    if "\\" in text:
        text = _ESCAPE.sub(_unescape, text)
    tail = term[end + 1 :]
    return text, tail[1:].decode("ascii") if tail.startswith(b"@") else ""


def _unescape(match: re.Match[str]) -> str:
    code = match.group(1) or match.group(2)
    return chr(int(code, 16)) if code else _CHARS.get(match.group(3), match.group(0))


def _iri(term: bytes) -> str:
    return term[1:-1].decode("utf-8")


def _merge(known: Article, other: Article) -> None:
    for name, values in other.texts.items():
        for value, lang in values:
            known.add(name, value, lang, None)
    for name, links in other.links.items():
        for link, labels in links.items():
            known.links.setdefault(name, {}).setdefault(link, {}).update(labels)
    known.date = min(filter(None, (known.date, other.date)), default="")
    known.lang = max(known.lang, other.lang)
    known._digest = known._digest and other._digest and "+".join(sorted((known._digest, other._digest)))
