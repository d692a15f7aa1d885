"""The OpenAPI 3.1 description of the search API, served at ``/api/openapi.json``.

Written as data next to the search code so that a change of a parameter and of its description are one
commit; tests/test_search_server.py checks that every documented path answers.
"""

from __future__ import annotations

from typing import Any

_STRING = {"type": "string"}
_YEAR = {"type": "integer", "minimum": 0}


def _param(name: str, description: str, schema: dict[str, Any], required: bool = False) -> dict[str, Any]:
    return {"name": name, "in": "query", "required": required, "description": description, "schema": schema}


_HIT = {
    "type": "object",
    "properties": {
        "iri": {"type": "string", "format": "iri", "description": "the identifier, as SPARQL and the dumps have it"},
        "page": {"type": "string", "format": "uri", "description": "its page on this server"},
        "label": {"type": "object", "description": "the title by language tag", "additionalProperties": _STRING},
        "snippets": {
            "type": "object",
            "description": "title and abstract, by language, HTML-escaped with <mark> around matched words",
        },
        "score": {"type": "number", "description": "BM25 (higher is better; title and keywords weigh most)"},
        "journal": {"type": ["object", "null"]},
        "year": {"type": ["integer", "null"]},
        "lang": {"type": ["string", "null"]},
        "type": {"type": ["object", "null"]},
        "keywords": {"type": "array", "items": _STRING},
        "people": {"type": "array", "items": _STRING},
    },
}


def openapi(server: str) -> dict[str, Any]:
    """The description, with ``server`` (this service's public base) as its server URL."""
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "kg search API",
            "version": "1",
            "description": "Full-text search over the published articles (titles, abstracts, keywords, people, "
            "affiliations, journals; Persian and English). Persian spelling variants (Arabic/Persian letters, "
            "ZWNJ/space/nothing, diacritics, hamza forms, digits) match each other. Put a phrase in double "
            "quotes to match it exactly. Every response allows any origin (CORS).",
        },
        "servers": [{"url": server}],
        "paths": {
            "/api/search": {
                "get": {
                    "summary": "Ranked articles matching a query",
                    "parameters": [
                        _param("q", 'the search text; "quoted phrases" match exactly', _STRING, True),
                        _param("journal", "only articles of this journal (its IRI)", _STRING),
                        _param("from", "only articles published in this year or later", _YEAR),
                        _param("to", "only articles published in this year or earlier", _YEAR),
                        _param("lang", "only articles in this language (fa, en)", _STRING),
                        _param("type", "only articles of this type (its IRI)", _STRING),
                        _param("cursor", "the `cursor` of the previous page, for the next one", _STRING),
                        _param("limit", "results per page (1-100, default 20)", {"type": "integer"}),
                    ],
                    "responses": {
                        "200": {
                            "description": "the page of results",
                            "content": {
                                "application/json": {
                                    "schema": {
                                        "type": "object",
                                        "properties": {
                                            "query": _STRING,
                                            "total": {"type": "integer"},
                                            "matchedAllTerms": {"type": "boolean"},
                                            "results": {"type": "array", "items": _HIT},
                                            "facets": {"type": "object"},
                                            "cursor": {"type": ["string", "null"]},
                                            "next": {"type": ["string", "null"], "format": "uri"},
                                        },
                                    }
                                }
                            },
                        },
                        "400": {"description": "a missing q or a malformed parameter (plain text names it)"},
                        "503": {"description": "no release (or no search index) is served yet"},
                    },
                }
            },
            "/api/suggest": {
                "get": {
                    "summary": "Autocomplete: people, keywords and journals for what was typed so far",
                    "parameters": [_param("q", "the text typed so far (the last word may be partial)", _STRING)],
                    "responses": {
                        "200": {
                            "description": "suggestions, most used first",
                            "content": {
                                "application/json": {
                                    "schema": {
                                        "type": "object",
                                        "properties": {
                                            "query": _STRING,
                                            "suggestions": {
                                                "type": "array",
                                                "items": {
                                                    "type": "object",
                                                    "properties": {
                                                        "kind": {"enum": ["person", "keyword", "journal"]},
                                                        "label": _STRING,
                                                        "lang": _STRING,
                                                        "iri": {"type": ["string", "null"]},
                                                        "page": _STRING,
                                                        "articles": {"type": "integer"},
                                                    },
                                                },
                                            },
                                        },
                                    }
                                }
                            },
                        }
                    },
                }
            },
            "/api/openapi.json": {"get": {"summary": "This description", "responses": {"200": {"description": "OK"}}}},
        },
    }
