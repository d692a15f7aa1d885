"""The server's settings: defaults, overridden by a TOML file, overridden by command-line flags.

One frozen object travels from ``serve()`` to every web worker and from there to the query processes, so
that the limits the service description reports are the limits actually enforced.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from kg.server import memory

# TOML section -> keys it may hold (the key is also the Config field name, except where mapped below).
_SECTIONS: dict[str, dict[str, str]] = {
    "server": {
        "host": "host",
        "port": "port",
        "workers": "workers",
        "threads": "threads",
        "public_url": "public_url",
        "cors_origin": "cors_origin",
        "header_timeout": "header_timeout",
        "body_timeout": "body_timeout",
    },
    "sparql": {
        "timeout": "query_timeout",
        "max_query_length": "max_query_length",
        "max_result_rows": "max_result_rows",
        "max_result_bytes": "max_result_bytes",
        "query_processes": "query_processes",
        "queue_timeout": "queue_timeout",
        "allow_service": "allow_service",
        "spool_threshold": "spool_threshold",
        "cache_bytes": "cache_bytes",
        "cache_entry_bytes": "cache_entry_bytes",
        "max_query_memory": "max_query_memory",
    },
    "reload": {"interval": "reload_interval"},
    # kg serve --store: a remote SPARQL 1.1 store instead of DIR's embedded one (kg.server.remote)
    "store": {
        "url": "store_url",
        "dumps": "store_dumps",
        "connections": "store_connections",
        "connect_timeout": "store_connect_timeout",
        "credentials": "store_credentials",
        "default_graph": "store_default_graph",
        "union_param": "store_union_param",
        "query_prologue": "store_query_prologue",
    },
    "log": {"level": "log_level", "access_log": "access_log"},
    "rate_limit": {
        "requests": "rate_limit",
        "window": "rate_window",
        "exempt_loopback": "rate_exempt_loopback",
        "trusted_proxies": "trusted_proxies",
    },
}


class ConfigError(ValueError):
    """The configuration file or a flag holds something the server cannot use."""


@dataclass(frozen=True)
class Config:
    """Everything the server needs; see the README section "kg serve" for each setting."""

    out_dir: Path
    host: str = "127.0.0.1"
    port: int = 8080
    workers: int = 2
    threads: int = 8
    public_url: str | None = None  # e.g. "https://kg.example.org"; None: derived from each request
    cors_origin: str = "*"
    query_timeout: float = 30.0
    max_query_length: int = 100_000
    max_result_rows: int = 100_000
    max_result_bytes: int = 100 * 1024 * 1024
    query_processes: int = 2
    queue_timeout: float = 10.0
    allow_service: tuple[str, ...] = field(default_factory=tuple)
    spool_threshold: int = 1024 * 1024
    cache_bytes: int = 32 * 1024 * 1024  # per web worker; 0 turns the result cache off
    cache_entry_bytes: int = 256 * 1024  # larger results are never cached
    # bytes of private memory per query process (kg.server.memory); None: derived from the machine's memory
    # (see query_memory), 0: no ceiling
    max_query_memory: int | None = None
    reload_interval: float = 1.0
    store_url: str | None = None  # a SPARQL 1.1 query endpoint: serve it instead of DIR/current (kg.server.remote)
    store_dumps: Path | None = None  # the folder kg publish --dumps-to copies each release's dumps into
    store_connections: int = 16  # connections kept open to the store per web worker
    store_connect_timeout: float = 2.0  # seconds: a store that does not accept a connection by then is down
    store_credentials: Path | None = None  # a file "user:password" (or KG_STORE_USER / KG_STORE_PASSWORD)
    # what a query without a dataset reads (kg.server.remote): "store", the store's own default graph, where kg
    # publish --to writes the merged graph (each triple once, as the embedded store); "union", the union of
    # the named graphs (union_param asks for it); "auto": "store" if that graph holds triples, else "union"
    store_default_graph: str = "auto"
    # the request parameter that makes a query without a dataset read the union of the named graphs
    # (Oxigraph's; other stores ignore it, or read the union anyway as Virtuoso does; "" sends none)
    store_union_param: str = "union-default-graph"
    # text put before every query sent to the store, e.g. Virtuoso's pragmas that keep its own graphs out of
    # the default graph: DEFINE input:default-graph-exclude <http://www.openlinksw.com/schemas/virtrdf#> ...
    store_query_prologue: str = ""
    log_level: str = "INFO"
    access_log: bool = True
    # slow clients (kg.server.buffering): a request's head must arrive within header_timeout seconds of the
    # connection's opening, its body within body_timeout seconds of the head, or the connection gets 408
    header_timeout: float = 10.0
    body_timeout: float = 30.0
    # per-client rate limiting (kg.server.ratelimit): rate_limit requests per rate_window seconds, 0: off
    rate_limit: int = 0
    rate_window: float = 60.0
    rate_exempt_loopback: bool = True
    # peers whose X-Forwarded-For names the client (a reverse proxy on this machine, say)
    trusted_proxies: tuple[str, ...] = field(default_factory=tuple)

    def __post_init__(self) -> None:
        checks = [
            (self.workers >= 1, "server.workers must be at least 1"),
            (self.threads >= 1, "server.threads must be at least 1"),
            (self.query_timeout > 0, "sparql.timeout must be positive"),
            (self.max_query_length > 0, "sparql.max_query_length must be positive"),
            (self.max_result_rows > 0, "sparql.max_result_rows must be positive"),
            (self.max_result_bytes > 0, "sparql.max_result_bytes must be positive"),
            (self.query_processes >= 1, "sparql.query_processes must be at least 1"),
            (self.queue_timeout > 0, "sparql.queue_timeout must be positive"),
            (self.reload_interval > 0, "reload.interval must be positive"),
            (self.header_timeout > 0, "server.header_timeout must be positive"),
            (self.body_timeout > 0, "server.body_timeout must be positive"),
            (self.rate_limit >= 0, "rate_limit.requests must not be negative (0: no limit)"),
            (self.rate_window > 0, "rate_limit.window must be positive"),
            (self.cache_bytes >= 0, "sparql.cache_bytes must not be negative"),
            (self.store_connections >= 1, "store.connections must be at least 1"),
            (self.store_connect_timeout > 0, "store.connect_timeout must be positive"),
            (
                self.store_url is None or self.store_url.startswith(("http://", "https://")),
                "store.url must be an http:// or https:// SPARQL endpoint",
            ),
            (self.store_default_graph in ("auto", "store", "union"), 'store.default_graph: "auto", "store" or "union"'),
            (self.cache_entry_bytes >= 0, "sparql.cache_entry_bytes must not be negative"),
            (
                self.max_query_memory in (None, 0) or (self.max_query_memory or 0) >= memory.MIN_CEILING,
                f"sparql.max_query_memory must be 0 (no ceiling) or at least {memory.MIN_CEILING // memory.MIB} MiB "
                "(a query process needs about 85 MB to open the store)",
            ),
        ]
        for ok, message in checks:
            if not ok:
                raise ConfigError(message)

    @property
    def query_memory(self) -> int:
        """The memory ceiling of each query process in bytes (0: none): the setting, or the default of
        :func:`kg.server.memory.default_ceiling` for this many workers and query processes on this machine."""
        if self.max_query_memory is None:
            return memory.default_ceiling(self.workers, self.query_processes)
        return self.max_query_memory


def _coerce(name: str, value: Any) -> Any:
    """TOML gives the right types already; flags may give strings, lists or paths."""
    types = {f.name: f.type for f in fields(Config)}
    kind = str(types[name])
    if name in ("out_dir", "store_dumps", "store_credentials"):
        return None if value is None else Path(value)
    if name == "allow_service":
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
            raise ConfigError("sparql.allow_service must be a list of endpoint IRIs")
        return tuple(value)
    if name == "trusted_proxies":
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
            raise ConfigError("rate_limit.trusted_proxies must be a list of IP addresses")
        return tuple(value)
    if name == "max_query_memory":
        if value is None or (isinstance(value, str) and value.strip().lower() == "auto"):
            return None
        try:
            return memory.parse_size(value)
        except ValueError as error:
            raise ConfigError(f"sparql.max_query_memory: {error}") from error
    try:
        if kind == "int":
            return int(value)
        if kind == "float":
            return float(value)
        if kind == "bool":
            return value if isinstance(value, bool) else str(value).lower() in {"1", "true", "yes", "on"}
    except (TypeError, ValueError) as error:
        raise ConfigError(f"{name}: {error}") from error
    return value


def read_toml(config_file: Path) -> dict[str, Any]:
    """The settings of a TOML file as Config field names; unknown keys are an error, not a silent no-op."""
    try:
        with open(config_file, "rb") as handle:
            data = tomllib.load(handle)
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise ConfigError(f"{config_file}: {error}") from error
    values: dict[str, Any] = {}
    for section, table in data.items():
        keys = _SECTIONS.get(section)
        if keys is None or not isinstance(table, dict):
            raise ConfigError(f"{config_file}: unknown section [{section}] (known: {', '.join(_SECTIONS)})")
        for key, value in table.items():
            if key not in keys:
                raise ConfigError(f"{config_file}: unknown setting {section}.{key} (known: {', '.join(keys)})")
            values[keys[key]] = value
    return values


def load_config(out_dir: Path, config_file: Path | None = None, **overrides: Any) -> Config:
    """Defaults < config file < overrides (flags); an override of None means "not given"."""
    values: dict[str, Any] = {}
    if config_file is not None:
        values.update(read_toml(Path(config_file)))
    known = {f.name for f in fields(Config)}
    for name, value in overrides.items():
        if name not in known:
            raise ConfigError(f"unknown setting {name}")
        if value is not None:
            values[name] = value
    values["out_dir"] = out_dir
    return Config(**{name: _coerce(name, value) for name, value in values.items()})


def with_overrides(config: Config, **overrides: Any) -> Config:
    """A copy with some settings changed (tests and the benchmark use it)."""
    return replace(config, **{k: _coerce(k, v) for k, v in overrides.items() if v is not None})
