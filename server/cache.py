"""A per-release cache of small, complete SPARQL results, so that a repeated query skips the query process.

Most traffic on a public endpoint repeats itself: the same article lookup from a page, the same example
query, the same client polling. A query process round trip costs a pipe hand-off, a parse, an evaluation and
a serialization (about a millisecond of CPU); a hit here costs a dictionary lookup. A release never changes
after it is published, so a result stays right for as long as its release is served: each release gets a
fresh cache (:class:`kg.server.backend.LocalBackend` keeps one beside each release's query processes) and the
old one is dropped with the old release, so a new build is never answered from stale entries.

What is cached: only successful results held in memory (never spool files) up to ``max_entry`` bytes,
within a total of ``max_bytes`` per web worker, least recently used first out. What is not: errors, queries
whose answer may change between runs of the same text (``RAND()``, ``NOW()``, ``UUID()``, ``STRUUID()``,
``BNODE()``) and federated queries (SERVICE: another endpoint's data is not ours to pin to a release).
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from collections.abc import Hashable

# Functions whose value changes from one evaluation to the next. The check is on the raw text, so a match
# inside a string literal also disables caching: the safe direction.
_VOLATILE = re.compile(r"\b(?:RAND|NOW|UUID|STRUUID|BNODE)\s*\(", re.IGNORECASE)

# What an entry costs beyond its body and its query text (the key tuple, the entry tuple, dict slots).
_OVERHEAD = 400


def volatile(query: str) -> bool:
    """True when the query may give another answer on the same data (then it is never cached)."""
    return _VOLATILE.search(query) is not None


class ResponseCache:
    """A thread-safe LRU of ``key -> value`` bounded by the summed ``size`` of the values (bytes).

    ``size`` is given by the caller (the body length plus the key's text); entries larger than ``max_entry``
    are refused, so one big result cannot push out hundreds of small ones.
    """

    def __init__(self, max_bytes: int, max_entry: int) -> None:
        self.max_bytes = max_bytes
        self.max_entry = min(max_entry, max_bytes)
        self.bytes = 0
        self.hits = 0
        self.misses = 0
        self._entries: OrderedDict[Hashable, tuple[object, int]] = OrderedDict()
        self._lock = threading.Lock()

    @property
    def enabled(self) -> bool:
        return self.max_bytes > 0

    def get(self, key: Hashable) -> object | None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                self.misses += 1
                return None
            self._entries.move_to_end(key)
            self.hits += 1
            return entry[0]

    def put(self, key: Hashable, value: object, size: int) -> bool:
        """Store ``value``; False when it is too large to be cached."""
        size += _OVERHEAD
        if size > self.max_entry:
            return False
        with self._lock:
            old = self._entries.pop(key, None)
            if old is not None:
                self.bytes -= old[1]
            self._entries[key] = (value, size)
            self.bytes += size
            while self.bytes > self.max_bytes:
                _, (_, dropped) = self._entries.popitem(last=False)
                self.bytes -= dropped
        return True

    def __len__(self) -> int:
        return len(self._entries)

    def stats(self) -> dict[str, int]:
        return {"entries": len(self._entries), "bytes": self.bytes, "hits": self.hits, "misses": self.misses}
