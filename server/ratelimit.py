"""Per-client rate limiting: ``rate_limit.requests`` per ``rate_limit.window`` seconds, answered ``429``.

The algorithm is GCRA (the "generic cell rate algorithm", a token bucket kept as one number per client: the
theoretical arrival time of its next request). A client may send up to ``requests`` at once and then one
every ``window / requests`` seconds. Every counted response carries the IETF RateLimit headers
(draft-ietf-httpapi-ratelimit-headers: ``RateLimit-Policy: "default";q=60;w=60`` and
``RateLimit: "default";r=<remaining>;t=<seconds until the quota is whole again>``); a refusal carries
``Retry-After`` as well.

State shared by the worker processes: :func:`share`, called by ``kg serve`` in gunicorn's master before it
forks the workers, creates one table in anonymous shared memory (``mmap``) guarded by one process-shared
lock, which every worker inherits; a client is limited the same whichever worker its connection lands on,
and across graceful restarts (SIGHUP forks new workers from the same master). Without it (an application
made by ``create_app`` in a test) each process has a table of its own. The table has a fixed number of
slots (1 MiB): clients are hashed to a slot with a short probe; when every probed slot is held by a client
within its window, the one that frees soonest is taken over (its client then starts afresh: an attacker
with more than 65,000 addresses gets a little more than its quota, nobody gets less).

Loopback clients are exempt by default (``rate_limit.exempt_loopback``): local tools and the load test.
Behind a reverse proxy, list its address in ``rate_limit.trusted_proxies`` so that the client is taken from
``X-Forwarded-For``. ``/health`` is never limited (load balancers poll it).
"""

from __future__ import annotations

import hashlib
import ipaddress
import math
import mmap
import multiprocessing
import struct
import time
from dataclasses import dataclass

from flask import Blueprint, Response, current_app, g, request

from kg.server.config import Config

SLOTS = 65536
PROBE = 8
_SLOT = struct.Struct("<Qd")  # client key (0: free), theoretical arrival time (time.monotonic(), system-wide)
POLICY = "default"
LOCK_TIMEOUT = 0.5  # seconds
EXEMPT_PATHS = frozenset({"/health"})

bp = Blueprint("ratelimit", __name__)


@dataclass(frozen=True)
class Decision:
    allowed: bool
    remaining: int
    reset: float  # seconds until the whole quota is available again
    retry_after: float  # seconds until the next request is allowed (0 when allowed)


class Table:
    """Client key -> theoretical arrival time, in memory that forked processes share, under one lock."""

    def __init__(self, slots: int = SLOTS) -> None:
        self.slots = slots
        self.memory = mmap.mmap(-1, slots * _SLOT.size)  # anonymous, MAP_SHARED: shared with forked children
        self.lock = multiprocessing.get_context("fork").Lock()

    def decide(self, client: str, limit: int, window: float, now: float | None = None) -> Decision:
        """Count one request of ``client`` against ``limit`` per ``window`` seconds (GCRA)."""
        now = time.monotonic() if now is None else now
        interval = window / limit
        key = int.from_bytes(hashlib.blake2b(client.encode(), digest_size=8).digest(), "little") or 1
        # the lock is held for microseconds; a worker killed while holding it would leave it held, and then
        # limiting fails open rather than stopping the service
        if not self.lock.acquire(timeout=LOCK_TIMEOUT):
            return Decision(True, limit, 0.0, 0.0)
        try:
            offset = self._slot(key, now)
            _, tat = _SLOT.unpack_from(self.memory, offset)
            tat = max(tat, now)
            if tat + interval - now > window + 1e-9:
                retry = tat + interval - window - now
                return Decision(False, 0, tat - now, retry)
            tat += interval
            _SLOT.pack_into(self.memory, offset, key, tat)
        finally:
            self.lock.release()
        remaining = int((window - (tat - now)) / interval + 1e-9)
        return Decision(True, remaining, tat - now, 0.0)

    def _slot(self, key: int, now: float) -> int:
        """The offset of ``key``'s slot: its own, else a free or expired one, else the one that frees soonest."""
        start = key % self.slots
        candidate, candidate_tat = -1, math.inf
        for step in range(PROBE):
            offset = ((start + step) % self.slots) * _SLOT.size
            held, tat = _SLOT.unpack_from(self.memory, offset)
            if held == key:
                return offset
            if held == 0 or tat <= now:
                tat = -math.inf  # free: preferred over any held slot
            if tat < candidate_tat:
                candidate, candidate_tat = offset, tat
        _SLOT.pack_into(self.memory, candidate, key, 0.0)
        return candidate


_SHARED: Table | None = None


def share(config: Config) -> None:
    """Create the table shared by the worker processes (call before they fork); nothing when limiting is off."""
    global _SHARED
    if config.rate_limit > 0 and _SHARED is None:
        _SHARED = Table()


def client_address(remote: str | None, forwarded_for: str | None, trusted_proxies: tuple[str, ...]) -> str:
    """The client: the peer, or when the peer is a trusted proxy, the last untrusted X-Forwarded-For hop."""
    address = remote or "unknown"
    if forwarded_for and address in trusted_proxies:
        for hop in reversed([h.strip() for h in forwarded_for.split(",") if h.strip()]):
            address = hop
            if hop not in trusted_proxies:
                break
    return address


def _is_loopback(address: str) -> bool:
    try:
        return ipaddress.ip_address(address).is_loopback
    except ValueError:
        return address == "localhost"


def _table() -> Table:
    table = current_app.extensions.get("kg_rate_table")
    if table is None:
        table = _SHARED if _SHARED is not None else Table()
        current_app.extensions["kg_rate_table"] = table
    return table


@bp.before_app_request
def _limit() -> Response | None:
    """Refuse a request over its client's rate with 429 before any work is done for it."""
    config: Config = current_app.config["KG"]
    if config.rate_limit <= 0 or request.path in EXEMPT_PATHS:
        return None
    client = client_address(request.remote_addr, request.headers.get("X-Forwarded-For"), config.trusted_proxies)
    if config.rate_exempt_loopback and _is_loopback(client):
        return None
    decision = _table().decide(client, config.rate_limit, config.rate_window)
    g.rate_decision = decision
    if decision.allowed:
        return None
    retry = max(1, math.ceil(decision.retry_after))
    g.error = f"rate limit: {config.rate_limit} requests per {config.rate_window:g} s"
    response = Response(
        f"Too many requests: this service allows {config.rate_limit} requests per {config.rate_window:g} s per "
        f"client. Retry after {retry} s.\n",
        status=429,
        mimetype="text/plain",
    )
    response.headers["Retry-After"] = str(retry)
    return response


@bp.after_app_request
def _headers(response: Response) -> Response:
    """The RateLimit headers on every counted response (the refusals included)."""
    decision: Decision | None = g.get("rate_decision")
    if decision is not None:
        config: Config = current_app.config["KG"]
        response.headers["RateLimit-Policy"] = f'"{POLICY}";q={config.rate_limit};w={math.ceil(config.rate_window)}'
        response.headers["RateLimit"] = f'"{POLICY}";r={decision.remaining};t={math.ceil(decision.reset)}'
        exposed = response.headers.get("Access-Control-Expose-Headers")
        if exposed is not None and "RateLimit" not in exposed:
            response.headers["Access-Control-Expose-Headers"] = exposed + ", RateLimit, RateLimit-Policy, Retry-After"
    return response
