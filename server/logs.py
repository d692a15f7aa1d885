"""Structured logs: one JSON object per line, so access logs can be filtered and summed without regexes.

The access log (logger ``kg.access``) has one record per request with its status, total time, query time,
result rows and bytes, and the release that answered.
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

    def format(self, record: logging.LogRecord) -> str:
        data: dict[str, Any] = {
            "time": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created))
            + f".{int(record.msecs):03d}Z",
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
        if not enabled:
            return response
        started = g.get("started")
        fields: dict[str, Any] = {
            "event": "request",
            "remote": request.headers.get("X-Forwarded-For", request.remote_addr),
            "method": request.method,
            "path": request.path,
            "status": response.status_code,
            "duration_ms": round((time.perf_counter() - started) * 1000, 2) if started else None,
            "bytes": response.content_length,
            "type": response.mimetype,
            "user_agent": request.headers.get("User-Agent"),
        }
        query = g.get("query")
        if query is not None:
            fields["query_sha1"] = hashlib.sha1(query.encode("utf-8")).hexdigest()[:12]
            fields["query_length"] = len(query)
            fields["query"] = query[:300]
        if g.get("query_time") is not None:
            fields["query_ms"] = round(g.query_time * 1000, 2)
            fields["rows"] = g.get("rows")
        if g.get("error"):
            fields["error"] = g.error[:300]
        release = response.headers.get("X-KG-Release")
        if release:
            fields["release"] = release
        ACCESS.info("%s %s %s", request.method, request.path, response.status_code, extra={"fields": fields})
        return response
