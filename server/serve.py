"""``kg serve``: run the application under gunicorn (threaded workers), never Flask's development server.

The workers are :class:`kg.server.buffering.BufferingWorker`: gunicorn's threaded worker that reads each
request completely on its event loop before a thread sees it, so slow clients cannot hold the threads
(header and body timeouts: ``server.header_timeout``, ``server.body_timeout``).

Each gunicorn worker builds its own application (no preloading), so each owns its query processes and
follows ``DIR/current`` by itself; SIGHUP to the master restarts the workers gracefully, which also picks
up a new release. Usable as ``python -m kg.server.serve DIR`` as well as through the kg CLI.
"""

from __future__ import annotations

import argparse
import logging
from pathlib import Path
from typing import Any

from gunicorn.app.base import BaseApplication

from kg.server import memory, ratelimit
from kg.server.config import Config, load_config
from kg.server.logs import configure_logging

log = logging.getLogger("kg.server")


class _Gunicorn(BaseApplication):
    def __init__(self, config: Config) -> None:
        self.kg_config = config
        super().__init__()

    def load_config(self) -> None:
        config = self.kg_config
        settings: dict[str, Any] = {
            "bind": [f"{config.host}:{config.port}"],
            "workers": config.workers,
            "worker_class": "kg.server.buffering.BufferingWorker",
            "threads": config.threads,
            # the heartbeat timeout, not a request timeout: queries are bounded by sparql.timeout
            "timeout": max(30, int(config.query_timeout) + 30),
            "graceful_timeout": max(10, int(config.query_timeout) + 5),
            "keepalive": 5,
            "accesslog": None,  # the application writes structured access logs itself
            "errorlog": "-",
            "loglevel": config.log_level.lower(),
            "proc_name": "kg-serve",
            "limit_request_line": 8190,  # longest GET; longer queries are POSTed (414 otherwise)
            "worker_exit": _worker_exit,
            "control_socket_disable": True,  # one per user by default: two servers would fight over it
        }
        for key, value in settings.items():
            self.cfg.set(key, value)

    def load(self) -> Any:
        from kg.server.app import create_app

        return create_app(self.kg_config)


def _worker_exit(server: Any, worker: Any) -> None:
    """Stop the worker's query processes with it."""
    app = getattr(worker, "wsgi", None)
    backend = getattr(app, "extensions", {}).get("kg_backend") if app is not None else None
    if backend is not None:
        backend.close()


def serve(
    out_dir: Path, host: str | None = None, port: int | None = None, config_file: Path | None = None, **overrides: Any
) -> None:
    """Serve ``out_dir`` until interrupted. ``host``/``port``/overrides of None keep the file's value."""
    config = load_config(Path(out_dir), config_file, host=host, port=port, **overrides)
    configure_logging(config.log_level)
    log.info(
        "kg serve %s on http://%s:%s/ (%d workers x %d threads, %d query processes each, "
        "%s per query process, %g s per query)",
        config.out_dir,
        config.host,
        config.port,
        config.workers,
        config.threads,
        config.query_processes,
        f"{config.query_memory // memory.MIB} MiB" if config.query_memory else "no memory ceiling",
        config.query_timeout,
    )
    warn_about_memory(config)
    ratelimit.share(config)  # before gunicorn forks its workers: they inherit the one table
    _Gunicorn(config).run()


def warn_about_memory(config: Config) -> list[str]:
    """Log (and return) a warning when the configuration could use more memory than the machine has."""
    warnings = memory.check_budget(config.workers, config.query_processes, config.query_memory, config.cache_bytes)
    for warning in warnings:
        log.warning("%s", warning)
    return warnings


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m kg.server.serve", description=__doc__)
    parser.add_argument("out_dir", type=Path, help="the output folder of kg build (serves DIR/current)")
    parser.add_argument("--host")
    parser.add_argument("--port", type=int)
    parser.add_argument("--config", type=Path, help="TOML configuration file")
    parser.add_argument("--workers", type=int)
    parser.add_argument("--threads", type=int)
    parser.add_argument("--timeout", type=float, dest="query_timeout", help="per-query time limit (s)")
    parser.add_argument(
        "--max-query-memory", dest="max_query_memory", help='memory ceiling per query process, e.g. "1GiB" (0: none)'
    )
    parser.add_argument("--reload-interval", type=float, dest="reload_interval")
    parser.add_argument(
        "--rate-limit", dest="rate_limit", type=int, help="requests per client per rate_limit.window (60 s); 0: off"
    )
    parser.add_argument("--store", dest="store_url", help="a SPARQL 1.1 store's query URL to serve (kg.server.remote)")
    args = parser.parse_args(argv)
    serve(
        args.out_dir,
        args.host,
        args.port,
        args.config,
        workers=args.workers,
        threads=args.threads,
        query_timeout=args.query_timeout,
        reload_interval=args.reload_interval,
        max_query_memory=args.max_query_memory,
        rate_limit=args.rate_limit,
        store_url=args.store_url,
    )


if __name__ == "__main__":
    main()
