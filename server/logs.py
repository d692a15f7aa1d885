"""Structured logs: one JSON object per line, so access logs can be filtered and summed without regexes.

The access log (logger ``kg.access``) has one record per request with its status, total time, query time,
result rows and bytes, and the release that answered; a query that was refused or stopped also has its
``error`` message and, when a limit or the query processes were the cause, a ``reason``: ``time_limit``,
``memory_limit``, ``unavailable`` (see :mod:`kg.server.contract`).
"""

from __future__ import annotations

import hashlib
import json
import logging
import sys
import time
from typing import Any

from flask import Flask, Response, g, request

ACCESS = logging.getLogger("kg.access")


class JsonFormatter(logging.Formatter):
    """Every record as one JSON line; fields passed in ``extra={"fields": {...}}`` are merged in."""

    _second: tuple[int, str] = (-1, "")

    def _time(self, record: logging.LogRecord) -> str:
        """ISO 8601 UTC with milliseconds; the part up to the second is formatted once per second."""
        second = int(record.created)
        if second != self._second[0]:
            self._second = (second, time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(second)))
        return f"{self._second[1]}.{int(record.msecs):03d}Z"

    def format(self, record: logging.LogRecord) -> str:
        data: dict[str, Any] = {
            "time": self._time(record),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        fields = getattr(record, "fields", None)
        if isinstance(fields, dict):
            data.update(fields)
        if record.exc_info:
            data["exception"] = self.formatException(record.exc_info)
        return json.dumps(data, ensure_ascii=False)


def configure_logging(level: str = "INFO") -> None:
    """JSON lines on stderr for the kg loggers (gunicorn keeps its own error log)."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("kg")
    logger.handlers[:] = [handler]
    logger.setLevel(level.upper())
    logger.propagate = False


def init_access_log(app: Flask, enabled: bool = True) -> None:
    """Time every request and log it when the response is ready."""

    @app.before_request
    def _start() -> None:
        g.started = time.perf_counter()

    @app.after_request
    def _log(response: Response) -> Response:
        if not enabled or not ACCESS.isEnabledFor(logging.INFO):
            return response
        # the objects behind Flask's context proxies, looked up once (each proxied access costs a lookup)
        req = request._get_current_object()  # type: ignore[attr-defined]
        values = vars(g._get_current_object())
        started = values.get("started")
        headers = req.headers
        fields: dict[str, Any] = {
            "event": "request",
            "remote": headers.get("X-Forwarded-For", req.remote_addr),
            "method": req.method,
            "path": req.path,
            "status": response.status_code,
            "duration_ms": round((time.perf_counter() - started) * 1000, 2) if started else None,
            "bytes": response.content_length,
            "type": response.mimetype,
            "user_agent": headers.get("User-Agent"),
        }
        query = values.get("query")
        if query is not None:
            fields["query_sha1"] = hashlib.sha1(query.encode("utf-8")).hexdigest()[:12]
            fields["query_length"] = len(query)
            fields["query"] = query[:300]
        if values.get("query_time") is not None:
            fields["query_ms"] = round(values["query_time"] * 1000, 2)
            fields["rows"] = values.get("rows")
        if values.get("cache"):
            fields["cache"] = values["cache"]
        if values.get("error"):
            fields["error"] = values["error"][:300]
        if values.get("reason"):
            fields["reason"] = values["reason"]
        release = response.headers.get("X-KG-Release")
        if release:
            fields["release"] = release
        ACCESS.info("%s %s %s", fields["method"], fields["path"], fields["status"], extra={"fields": fields})
        return response
