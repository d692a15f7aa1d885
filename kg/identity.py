"""One thing, one IRI: the identity rules that need more than one record to apply (issue 12).

A worker mints each article's IRIs from that article's record alone (``kg.iris``), so two records of one
person can get two IRIs: ``person/orcid-…`` where the record carries the ORCID, ``person/h-…`` (the keyed
e-mail hash) where it does not. Each article therefore also states its **claims**: for every thing whose
identity other records may reveal, the IRI it minted and the strong keys its record showed (a person: the
ORCID, the source system's author code, the keyed e-mail hash). The build gathers the claims of every
published article, of this build and of earlier ones (``kg.publish.identity`` keeps them next to the ledger),
and ``resolve`` turns them into aliases:

- records that share a strong key are one person (keys linked by any one record join: a record with ORCID
  and e-mail links them, so a record with only that e-mail is that ORCID's person);
- the canonical IRI is chosen by a stable rule, the same whatever order the records came in: the ORCID IRI,
  else the lowest source-code IRI, else the lowest e-mail-hash IRI;
- a group holding two different ORCIDs is two people sharing an address (a lab's or a secretary's): nothing
  in it is merged, every record keeps the IRI it minted;
- names never merge anyone (they are not keys).

A journal is every record sharing a valid ISSN with it (print or online), then, for a record without a
valid ISSN, the one journal showing its site; its canonical IRI is minted from a print ISSN. A journal alias
moves everything named under it (volumes, issues, articles and their graphs) under the canonical journal.

An article without a code (minted on its DOI, pages or titles) is the coded article of its issue with the
same DOI, else the same normalised title (either language) and pages, when exactly one matches: the coded
export replaces it (its graph is withdrawn by ``kg.publish.identity``; the coded graph states the alias).

Keyword concepts are one per normalised label per language: a concept is minted on its English label (the
Persian one travels with it where the source pairs the two lists); where a record's lists do not pair up,
its Persian keyword is minted alone (``concept/fa-…``), and that concept is an alias of the one the sources
pair the same Persian label into, when there is exactly one (no pairing the sources do not make).

``rewrite`` then turns an article graph minted with an alias into the graph a build that had known
everything from the start would publish: the alias IRI (and the nodes under it) becomes the canonical one,
and ``<canonical> owl:sameAs <alias>`` (also ``schema:sameAs``) is stated in that graph, so the alias
stays resolvable (the server answers it ``301``) and nothing already linked breaks. Pure functions, no I/O.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import NamedTuple

from kg.iris import Minter, fold
from kg.mappers.keyword import concept_iri, keyword_pairs
from kg.mappers.person import person_iri
from kg.records import Article, Author, Journal, JournalIssue
from kg.vocab import OWL, SCHEMA

PERSON = "person"
CONCEPT = "concept"
JOURNAL = "journal"
ARTICLE = "article"
# the strength of a person key: a lower rank wins the canonical IRI
_PERSON_RANK = {"orcid": 0, "code": 1, "email": 2}


class Claim(NamedTuple):
    """An IRI an article minted for a thing, with the strong keys its record showed for that thing.

    A named tuple, not a frozen dataclass: 630,000 claims at 50,000 articles are hashed several times a build
    (interned when the identity table is loaded, indexed when it is saved), and a tuple hashes in C.
    """

    kind: str  # what the thing is ("person"); only claims of one kind are compared
    iri: str
    keys: tuple[str, ...]  # "orcid:0000-…", "code:123", "email:<keyed hash>", strongest first


def person_keys(author: Author) -> tuple[str, ...]:
    """The strong keys of an author record, in the order ``kg.mappers.person.person_iri`` mints by."""
    keys = []
    if author.orcid:
        keys.append(f"orcid:{author.orcid}")
    if author.source_code:
        keys.append(f"code:{author.source_code}")
    if author.email_key:
        keys.append(f"email:{author.email_key}")
    return tuple(keys)


def journal_keys(journal: Journal) -> tuple[str, ...]:
    """A journal's keys: its valid ISSNs by role ("print:", "online:"), then its site ("site:")."""
    keys = [f"print:{journal.issn_print}"] if journal.issn_print else []
    keys += [f"online:{journal.issn_online}"] if journal.issn_online else []
    site = journal.web_url.lower().split("://", 1)[-1].removeprefix("www.").rstrip("/")
    return (*keys, f"site:{site}") if site else tuple(keys)


def article_keys(article: Article, journal_iri: str, issue: JournalIssue) -> tuple[str, ...]:
    """An article's keys: its issue, whether it has a code, its DOI, each title with its pages."""
    keys = [f"issue:{journal_iri}|{issue.volume}|{issue.number}", f"coded:{int(article.key == article.record_label)}"]
    if article.doi:
        keys.append(f"doi:{article.doi.lower()}")
    pages = f"{article.start_page}-{article.end_page}"
    for lang, title in article.title.items():
        words = "".join(char for char in fold(title) if char.isalnum())
        if words:
            keys.append(f"title:{lang}:{words}|{pages}")
    return tuple(keys)


def article_claims(minter: Minter, article: Article, journal: Journal, issue: JournalIssue) -> list[Claim]:
    """The claims of one article: each author with at least one strong key (the others are per article),
    and each keyword concept: its labels' keys ("fa:…" and "en:…" when the source paired them)."""
    journal_key = journal.key
    journal_iri = minter.journal(journal_key).value
    claims = [
        Claim(JOURNAL, journal_iri, journal_keys(journal)),
        Claim(ARTICLE, minter.article(journal_key, article.key).value, article_keys(article, journal_iri, issue)),
    ]
    for author in article.authors:
        keys = person_keys(author)
        if keys:
            claims.append(Claim(PERSON, person_iri(minter, author, journal_key, article.key).value, keys))
    pairs, _ = keyword_pairs(article.keywords_fa, article.keywords_en)
    for fa, en in pairs:
        if fa:  # an English-only concept is minted on its English label, as a paired one: nothing to learn
            keys = (f"fa:{fold(fa)}", f"en:{fold(en)}") if en else (f"fa:{fold(fa)}",)
            claims.append(Claim(CONCEPT, concept_iri(minter, fa, en).value, keys))
    return claims


class _Groups:
    """Union-find over keys: the keys one record shows together are one thing."""

    def __init__(self) -> None:
        self.parent: dict[str, str] = {}

    def find(self, key: str) -> str:
        root = self.parent.setdefault(key, key)
        while root != self.parent[root]:
            root = self.parent[root]
        while key != root:  # path compression
            self.parent[key], key = root, self.parent[key]
        return root

    def join(self, keys: Iterable[str]) -> None:
        keys = list(keys)
        for other in keys[1:]:
            first, second = self.find(keys[0]), self.find(other)
            if first != second:
                self.parent[max(first, second)] = min(first, second)  # the same tree in any order


def _rank(key: str) -> tuple[int, str]:
    scheme, _, value = key.partition(":")
    return _PERSON_RANK.get(scheme, 9), value


def resolve(claims: Iterable[Claim], unmerged: list[dict[str, object]] | None = None) -> dict[str, str]:
    """Alias IRI -> canonical IRI, for every claimed IRI that is not its thing's canonical one.

    A function of the set of claims only (not of their order), so that builds in any order agree.
    ``unmerged``, when given, receives what the rules refused to merge although a key was shared (two
    ORCIDs behind one address; a code-less article matching several coded ones), for an editor to look at.
    """
    kinds: dict[str, list[Claim]] = {PERSON: [], CONCEPT: [], JOURNAL: [], ARTICLE: []}
    for claim in claims:  # each rule reads its own kind's claims (a few dozen journals among 95,000 claims)
        kinds.get(claim.kind, []).append(claim)
    notes: list[dict[str, object]] = [] if unmerged is None else unmerged
    journals = _resolve_journals(kinds[JOURNAL])
    aliases = {**_resolve_persons(kinds[PERSON], notes), **_resolve_concepts(kinds[CONCEPT]), **journals}
    aliases.update(_resolve_articles(kinds[ARTICLE], journals, notes))
    notes.sort(key=lambda note: (str(note["kind"]), str(note["iris"])))
    return aliases


def _resolve_articles(claims: list[Claim], journals: dict[str, str], notes: list[dict[str, object]]) -> dict[str, str]:
    """An article without a code (minted on its DOI, pages or titles) is the coded article of the same
    issue (its journal's canonical IRI) with the same DOI, else with the same normalised title in either
    language and the same pages, when exactly one matches: the fuller, coded export replaces it."""
    coded: dict[tuple[str, str], set[str]] = {}  # (issue, match key) -> coded article IRIs
    codeless: list[tuple[str, str, list[str]]] = []  # (IRI, issue, match keys: DOI first)
    for claim in claims:
        if claim.kind != ARTICLE or len(claim.keys) < 2:
            continue
        journal, _, rest = claim.keys[0].removeprefix("issue:").partition("|")
        issue = f"{journals.get(journal, journal)}|{rest}"
        if claim.keys[1] == "coded:1":
            for key in claim.keys[2:]:
                coded.setdefault((issue, key), set()).add(claim.iri)
        else:
            codeless.append((claim.iri, issue, list(claim.keys[2:])))
    aliases = {}
    for iri, issue, keys in codeless:
        doi = [key for key in keys if key.startswith("doi:")]
        for tier in (doi, [key for key in keys if key.startswith("title:")]):
            found = set().union(*(coded.get((issue, key), set()) for key in tier)) if tier else set()
            if found:
                if len(found) == 1:
                    aliases[iri] = journals_applied(next(iter(found)), journals)
                else:
                    notes.append({"kind": ARTICLE, "iris": [iri, *sorted(found)], "reason": _AMBIGUOUS_ARTICLE})
                break
    return aliases


def journals_applied(iri: str, journals: dict[str, str]) -> str:
    """An IRI under a journal alias, moved under the canonical journal."""
    for alias, canonical in journals.items():
        if iri.startswith(alias + "/"):
            return canonical + iri[len(alias) :]
    return iri


def _resolve_journals(claims: list[Claim]) -> dict[str, str]:
    """A journal is every record sharing any valid ISSN with it (print or online), then, for a record
    without a valid ISSN, the one journal showing the same site. The canonical IRI: minted from a print
    ISSN (the lowest), else from an online one, else the lowest other. An export whose print ISSN has a
    wrong check digit mints on its online ISSN: that IRI becomes an alias of the print one."""
    groups = _Groups()
    minted: dict[str, tuple[int, str]] = {}  # journal IRI -> (rank, IRI)
    sites: dict[str, set[str]] = {}  # site key -> IRIs of journals with an ISSN showing it
    without_issn: dict[str, set[str]] = {}  # site key -> IRIs of journals without one
    for claim in claims:
        if claim.kind != JOURNAL:
            continue
        issns = [f"issn:{key.partition(':')[2]}" for key in claim.keys if key.startswith(("print:", "online:"))]
        site = next((key for key in claim.keys if key.startswith("site:")), "")
        rank = 0 if claim.keys and claim.keys[0].startswith("print:") else 1 if issns else 2
        minted[claim.iri] = (rank, claim.iri)
        groups.join([f"iri:{claim.iri}", *issns])
        if site:
            (sites if issns else without_issn).setdefault(site, set()).add(claim.iri)
    for site, iris in without_issn.items():
        journals = {groups.find(f"iri:{iri}") for iri in sites.get(site, ())}
        if len(journals) == 1:
            for iri in iris:
                groups.join([next(iter(journals)), f"iri:{iri}"])
    members: dict[str, list[str]] = {}
    for iri in minted:
        members.setdefault(groups.find(f"iri:{iri}"), []).append(iri)
    aliases = {}
    for group in members.values():
        if len(group) > 1:
            canonical = min(minted[iri] for iri in group)[1]
            aliases.update({iri: canonical for iri in group if iri != canonical})
    return aliases


def _resolve_concepts(claims: list[Claim]) -> dict[str, str]:
    """A Persian keyword's own concept (minted where its record's lists did not pair up) is an alias of
    the concept the sources pair that keyword into, when they pair it into exactly one; one concept per
    normalised label per language, and no pairing the sources do not make."""
    paired: dict[str, set[str]] = {}  # Persian label key -> the paired concepts holding it
    alone: dict[str, set[str]] = {}  # Persian label key -> the Persian-only concepts minted for it
    for claim in claims:
        if claim.kind == CONCEPT and claim.keys:
            (paired if len(claim.keys) > 1 else alone).setdefault(claim.keys[0], set()).add(claim.iri)
    aliases = {}
    for key, iris in alone.items():
        targets = paired.get(key, set())
        if len(targets) == 1:
            (target,) = targets
            aliases.update({iri: target for iri in iris if iri != target})
    return aliases


def _resolve_persons(claims: list[Claim], notes: list[dict[str, object]]) -> dict[str, str]:
    """People: the rules of the module's docstring."""
    groups = _Groups()
    minted: dict[str, set[str]] = {}  # the top key of a claim -> the IRIs minted from it
    for claim in claims:
        if claim.kind != PERSON or not claim.keys:
            continue
        groups.join(claim.keys)
        minted.setdefault(claim.keys[0], set()).add(claim.iri)
    members: dict[str, list[str]] = {}
    for key in groups.parent:
        members.setdefault(groups.find(key), []).append(key)
    aliases: dict[str, str] = {}
    for keys in members.values():
        if sum(key.startswith("orcid:") for key in keys) > 1:  # two people behind one address: merge nothing
            found = sorted({iri for key in keys for iri in minted.get(key, ())})
            notes.append({"kind": PERSON, "iris": found, "reason": _AMBIGUOUS_PERSON})
            continue
        iris = {iri for key in keys for iri in minted.get(key, ())}
        if len(iris) < 2:
            continue
        best = min((key for key in keys if key in minted), key=_rank)
        canonical = min(minted[best])
        aliases.update({iri: canonical for iri in iris if iri != canonical})
    return aliases


_AMBIGUOUS_PERSON = (
    "these records share an e-mail address or author code but carry different ORCID iDs, so they were not "
    "merged into one person; check the authors' ORCID iDs and e-mail addresses"
)
_AMBIGUOUS_ARTICLE = (
    "this article has no code and matches several coded articles of its issue (the same DOI, or the same "
    "title and pages), so it was published on its own; give it its article code (web_url) in the export"
)
_OWL_SAME_AS = f"<{OWL.sameAs.value}>".encode()
_SCHEMA_SAME_AS = f"<{SCHEMA.sameAs.value}>".encode()


def graph_of(iri: str) -> str:
    """``{base}/id/journal/…`` -> ``{base}/graph/journal/…``: where the graphs under a thing are named."""
    return iri.replace("/id/", "/graph/", 1)


def renamed(graph: str, aliases: dict[str, str]) -> str:
    """The name of an article graph once its journal's alias is replaced by the canonical journal, or
    once the article is found to be another (coded) one: that one's graph."""
    for alias, canonical in aliases.items():
        if "/article/" in alias and graph == graph_of(alias):
            return graph_of(canonical)
    for alias, canonical in aliases.items():
        if "/id/journal/" in alias and graph.startswith(graph_of(alias) + "/"):
            return graph_of(canonical) + graph[len(graph_of(alias)) :]
    return graph


def rewrite(nquads: bytes, graph: str, aliases: dict[str, str]) -> bytes:
    """An article graph with each alias IRI (and every node under it) replaced by its canonical IRI, plus
    ``owl:sameAs`` and ``schema:sameAs`` from the canonical IRI to each alias. Lines sorted and each once,
    so the result does not depend on the order the aliases were learnt in."""
    if not aliases:
        return nquads
    new_graph = renamed(graph, aliases)
    nquads = nquads.replace(f"<{graph}>".encode(), f"<{new_graph}>".encode())  # the graph and its provenance
    # the most specific first: an article's own alias before its journal's (a prefix of it)
    for alias, canonical in sorted(aliases.items(), key=lambda item: (-len(item[0]), item[0])):
        nquads = nquads.replace(f"<{alias}>".encode(), f"<{canonical}>".encode())
        nquads = nquads.replace(f"<{alias}/".encode(), f"<{canonical}/".encode())
        if "/id/journal/" in alias:  # a journal's article graphs are named under it too
            nquads = nquads.replace(f"<{graph_of(alias)}/".encode(), f"<{graph_of(canonical)}/".encode())
    lines = set(nquads.splitlines())
    suffix = f" <{new_graph}> .".encode()
    for alias, canonical in aliases.items():
        # an article's schema:sameAs is its DOI link (kgsh:Article-doiLink): there, owl:sameAs alone
        for predicate in (_OWL_SAME_AS,) if "/article/" in alias else (_OWL_SAME_AS, _SCHEMA_SAME_AS):
            lines.add(f"<{canonical}> ".encode() + predicate + f" <{alias}>".encode() + suffix)
    if new_graph != graph:  # the article's own IRI moved with its journal: the old one stays an alias
        old, new = graph.replace("/graph/", "/id/", 1), new_graph.replace("/graph/", "/id/", 1)
        lines.add(f"<{new}> ".encode() + _OWL_SAME_AS + f" <{old}>".encode() + suffix)
    lines.discard(b"")
    return b"".join(line + b"\n" for line in sorted(lines))
