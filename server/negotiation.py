"""HTTP content negotiation: parse an Accept header and choose among the formats a route offers.

Every route (the SPARQL endpoint, the linked-data documents, the dataset pages) decides its response format
through :func:`best_match`, so that the same Accept header gets the same answer everywhere. The rules are
RFC 9110 section 12.5.1: the most specific media range that matches an offered type gives its quality,
``q=0`` means "not acceptable", and among equal qualities an exact match beats a wildcard match, and then
the route's own order of preference decides. Media-type parameters other than ``q`` (``charset=...``,
``profile=...``) are ignored for matching: our representations are all UTF-8 and no client we know relies
on them to choose.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["MediaRange", "parse_accept", "best_match", "quality"]


@dataclass(frozen=True)
class MediaRange:
    """One element of an Accept header: ``type/subtype`` (either may be ``*``) with its quality."""

    type: str
    subtype: str
    q: float

    @property
    def specificity(self) -> int:
        """2 for ``type/subtype``, 1 for ``type/*``, 0 for ``*/*``: the more specific range wins."""
        if self.type == "*":
            return 0
        if self.subtype == "*":
            return 1
        return 2

    def matches(self, media_type: str) -> bool:
        main, _, sub = media_type.partition("/")
        return (self.type == "*" or self.type == main) and (self.subtype == "*" or self.subtype == sub)


def _parse_q(value: str) -> float | None:
    try:
        q = float(value)
    except ValueError:
        return None
    if not 0.0 <= q <= 1.0 or q != q:  # NaN
        return None
    return q


def parse_accept(accept_header: str | None) -> list[MediaRange]:
    """The media ranges of an Accept header; malformed elements are skipped, not fatal.

    A missing or empty header means ``*/*`` (RFC 9110: "no Accept header field" = any media type).
    """
    if accept_header is None or not accept_header.strip():
        return [MediaRange("*", "*", 1.0)]
    ranges: list[MediaRange] = []
    for element in accept_header.split(","):
        parts = [p.strip() for p in element.split(";")]
        media = parts[0].lower()
        if not media:
            continue
        if media == "*":  # seen in the wild (old Java clients): read as */*
            media = "*/*"
        main, slash, sub = media.partition("/")
        if not slash or not main or not sub or (main == "*" and sub != "*"):
            continue
        q: float | None = 1.0
        for param in parts[1:]:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                q = _parse_q(value.strip().strip('"'))
                break  # what follows q is accept-ext, not media-type parameters
        if q is None:
            continue
        ranges.append(MediaRange(main, sub, q))
    return ranges


def quality(ranges: list[MediaRange], media_type: str) -> tuple[float, int]:
    """The quality the client gives ``media_type`` and the specificity of the range that decided it.

    The most specific matching range decides, even when a less specific one has a higher q
    (``text/*;q=1, text/csv;q=0`` excludes CSV). Among ranges of the same specificity the highest q wins.
    Returns ``(0.0, -1)`` when no range matches.
    """
    media_type = media_type.lower()
    best: tuple[float, int] = (0.0, -1)
    for media_range in ranges:
        if not media_range.matches(media_type):
            continue
        spec = media_range.specificity
        if spec > best[1] or (spec == best[1] and media_range.q > best[0]):
            best = (media_range.q, spec)
    return best


def best_match(accept_header: str | None, offered: list[str]) -> str | None:
    """The offered media type the client prefers, or None when nothing offered is acceptable (406).

    ``offered`` is in the server's order of preference: it breaks ties, so put the default first
    (a client sending ``*/*``, like curl, gets ``offered[0]``).
    """
    ranges = parse_accept(accept_header)
    best: str | None = None
    best_key: tuple[float, int] = (0.0, -1)
    for media_type in offered:
        q, spec = quality(ranges, media_type)
        if q <= 0.0:
            continue
        if best is None or (q, spec) > best_key:
            best, best_key = media_type, (q, spec)
    return best
