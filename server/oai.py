"""OAI-PMH 2.0 at ``/oai``: the articles for harvesters (BASE, CORE, OpenAIRE), from the build's table.

All six verbs, every error condition of the protocol, ``oai_dc`` and JATS 1.3 front matter (``jats``, the
richer format: ``kg.export.jats`` says why JATS) for every article, sets per journal,
volume and issue (hierarchical setSpecs), selective harvesting on datestamps that change exactly when an
article's published graph changes, persistent deletions, and resumption tokens that carry their own
position (see ``kg.server.oai_records``), a ``completeListSize`` and an ``expirationDate``. Nothing is
computed from the graph here: the records, datestamps and sets are what the build wrote into the release
(``oai.sqlite``, ``kg.publish.datestamps``), ``oai_dc`` and JATS alike, so a record says what the graph said
when its datestamp was set (a table written before it had a JATS column has the record to render it from).
"""

from __future__ import annotations

import base64
import datetime
import json
import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit
from xml.sax.saxutils import escape, quoteattr

from flask import Blueprint, Response, request
from werkzeug.exceptions import ServiceUnavailable

from kg.export.jats import JATS_NS, JATS_SCHEMA, jats_article
from kg.export.oai_dc import OAI_DC_NS, OAI_DC_SCHEMA
from kg.publish.layout import ReleaseLayout
from kg.server.describe import current_release, public_base
from kg.server.oai_records import Header, Records, Selection

bp = Blueprint("oai", __name__)

PAGE_SIZE = 100  # records per list response; KG_OAI_PAGE_SIZE overrides it (tests use small pages)
TOKEN_LIFETIME = datetime.timedelta(hours=24)


@dataclass(frozen=True)
class MetadataFormat:
    schema: str
    namespace: str
    column: str  # the oai.sqlite column holding the metadata element (kg.server.oai_records.COLUMNS)
    fallback: Callable[[str], str] | None = None  # the record's JSON -> the element, for older tables

    def source(self, records: Records) -> tuple[str, Callable[[str], str]]:
        """The column to read and how to turn its text into the metadata element."""
        if self.fallback is None or records.has_column(self.column):
            return self.column, _as_is
        return "record", self.fallback


def _as_is(text: str) -> str:
    return text


def _jats(text: str) -> str:
    return jats_article(json.loads(text))


FORMATS = {
    "oai_dc": MetadataFormat(OAI_DC_SCHEMA, OAI_DC_NS, "oai_dc"),
    "jats": MetadataFormat(JATS_SCHEMA, JATS_NS, "jats", _jats),
}
_ARGS: dict[str, tuple[set[str], set[str]]] = {  # verb -> (required, optional); resumptionToken is exclusive
    "Identify": (set(), set()),
    "ListMetadataFormats": (set(), {"identifier"}),
    "ListSets": (set(), {"resumptionToken"}),
    "GetRecord": ({"identifier", "metadataPrefix"}, set()),
    "ListIdentifiers": ({"metadataPrefix"}, {"from", "until", "set", "resumptionToken"}),
    "ListRecords": ({"metadataPrefix"}, {"from", "until", "set", "resumptionToken"}),
}
_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
_SECOND = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z")


class OAIError(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code, self.message = code, message


@bp.route("/oai", methods=["GET", "POST"])
def oai() -> Response:
    """One OAI-PMH request (GET query or POST form), answered as an OAI-PMH XML document."""
    release = current_release()
    if release is None or not ReleaseLayout(release.path).oai.is_file():
        # harvesters (sickle, BASE's) retry a 503 after Retry-After
        raise ServiceUnavailable(description="No release with OAI-PMH records is published yet.", retry_after=5)
    records = Records(ReleaseLayout(release.path).oai)
    args = request.form if request.method == "POST" else request.args
    now = _utc_now()
    verb = args.get("verb", "")
    try:
        params = _check_arguments(args)
        body = _VERBS[verb](records, params, now)
    except OAIError as error:
        echo = {} if error.code in ("badVerb", "badArgument") else _flat(args)
        return _response(now, echo, f"<error code={quoteattr(error.code)}>{escape(error.message)}</error>")
    return _response(now, _flat(args), body)


def _flat(args: Mapping[str, Any]) -> dict[str, str]:
    return {key: str(args.get(key)) for key in args}


def _check_arguments(args: Any) -> dict[str, str]:
    """The request's arguments, checked against its verb (badVerb, badArgument)."""
    verbs = args.getlist("verb")
    if len(verbs) != 1 or verbs[0] not in _ARGS:
        raise OAIError("badVerb", "The verb argument is missing, repeated or not an OAI-PMH verb.")
    required, optional = _ARGS[verbs[0]]
    params: dict[str, str] = {}
    for key in args:
        if key == "verb":
            continue
        values = args.getlist(key)
        if key not in required | optional:
            raise OAIError("badArgument", f"{verbs[0]} does not take the argument {key!r}.")
        if len(values) != 1:
            raise OAIError("badArgument", f"The argument {key!r} is repeated.")
        params[key] = values[0]
    if "resumptionToken" in params:
        if len(params) > 1:
            raise OAIError("badArgument", "resumptionToken is an exclusive argument.")
        return params
    missing = sorted(required - set(params))
    if missing:
        raise OAIError("badArgument", f"{verbs[0]} needs the argument(s) {', '.join(missing)}.")
    return params


# ------------------------------------------------------------------------------------------ verbs
def _identify(records: Records, params: dict[str, str], now: str) -> str:
    base = records.meta("base")
    email = os.environ.get("KG_OAI_ADMIN_EMAIL") or f"webmaster@{urlsplit(base).hostname or 'localhost'}"
    earliest = records.meta("earliest_datestamp") or now
    name = os.environ.get("KG_OAI_REPOSITORY_NAME") or f"kg: journal articles published at {base}"
    return (
        "<Identify>"
        f"<repositoryName>{escape(name)}</repositoryName>"
        f"<baseURL>{escape(_base_url())}</baseURL>"
        "<protocolVersion>2.0</protocolVersion>"
        f"<adminEmail>{escape(email)}</adminEmail>"
        f"<earliestDatestamp>{earliest}</earliestDatestamp>"
        "<deletedRecord>persistent</deletedRecord>"
        "<granularity>YYYY-MM-DDThh:mm:ssZ</granularity>"
        "</Identify>"
    )


def _list_metadata_formats(records: Records, params: dict[str, str], now: str) -> str:
    if "identifier" in params and records.get(params["identifier"]) is None:
        raise OAIError("idDoesNotExist", f"No record has the identifier {params['identifier']}.")
    formats = "".join(
        f"<metadataFormat><metadataPrefix>{prefix}</metadataPrefix><schema>{f.schema}</schema>"
        f"<metadataNamespace>{f.namespace}</metadataNamespace></metadataFormat>"
        for prefix, f in FORMATS.items()
    )
    return f"<ListMetadataFormats>{formats}</ListMetadataFormats>"


def _list_sets(records: Records, params: dict[str, str], now: str) -> str:
    if "resumptionToken" in params:  # every set is in the first (only) response
        raise OAIError("badResumptionToken", "ListSets is answered in one response; this token is not one of ours.")
    sets = records.sets()
    if not sets:
        raise OAIError("noSetHierarchy", "This repository has no sets yet.")
    listed = "".join(
        f"<set><setSpec>{escape(spec)}</setSpec><setName>{escape(name)}</setName></set>" for spec, name in sets
    )
    return f"<ListSets>{listed}</ListSets>"


def _get_record(records: Records, params: dict[str, str], now: str) -> str:
    column, render = _check_prefix(params["metadataPrefix"]).source(records)
    header = records.get(params["identifier"], column)
    if header is None:
        raise OAIError("idDoesNotExist", f"No record has the identifier {params['identifier']}.")
    return f"<GetRecord>{_record(header, render)}</GetRecord>"


def _list(records: Records, params: dict[str, str], now: str, with_metadata: bool) -> str:
    verb = "ListRecords" if with_metadata else "ListIdentifiers"
    if "resumptionToken" in params:
        token = _read_token(params["resumptionToken"], now)
        prefix = token.get("prefix", "oai_dc")  # tokens issued before there were two formats were oai_dc's
        selection = Selection(token["set"], token["from"], token["until"])
        after: tuple[str, str] | None = (token["datestamp"], token["identifier"])
        size, cursor = int(token["size"]), int(token["cursor"])
    else:
        prefix = params["metadataPrefix"]
        _check_prefix(prefix)
        selection = _selection(records, params, now)
        after, cursor = None, 0
        size = records.count(selection)
    page_size = int(os.environ.get("KG_OAI_PAGE_SIZE") or PAGE_SIZE)
    column, render = FORMATS[prefix].source(records)
    page = records.page(selection, after, page_size + 1, column if with_metadata else None)
    if not page:
        if after is None:
            raise OAIError("noRecordsMatch", "No record matches these arguments.")
        raise OAIError("badResumptionToken", "This resumption token points past the end of its list.")
    more = len(page) > page_size
    page = page[:page_size]
    items = "".join(_record(h, render) if with_metadata else _header_xml(h) for h in page)
    token_xml = ""
    if more:
        last = page[-1]
        value = _make_token(prefix, selection, last, size, cursor + len(page), now)
        expires = _token_expiry(now)
        token_xml = (
            f'<resumptionToken completeListSize="{size}" cursor="{cursor}" expirationDate="{expires}">'
            f"{value}</resumptionToken>"
        )
    elif after is not None:  # the last page of a split list: an empty token
        token_xml = f'<resumptionToken completeListSize="{size}" cursor="{cursor}"/>'
    return f"<{verb}>{items}{token_xml}</{verb}>"


def _list_identifiers(records: Records, params: dict[str, str], now: str) -> str:
    return _list(records, params, now, with_metadata=False)


def _list_records(records: Records, params: dict[str, str], now: str) -> str:
    return _list(records, params, now, with_metadata=True)


_VERBS = {
    "Identify": _identify,
    "ListMetadataFormats": _list_metadata_formats,
    "ListSets": _list_sets,
    "GetRecord": _get_record,
    "ListIdentifiers": _list_identifiers,
    "ListRecords": _list_records,
}


# ------------------------------------------------------------------------------------- arguments
def _check_prefix(prefix: str) -> MetadataFormat:
    if prefix not in FORMATS:
        raise OAIError("cannotDisseminateFormat", f"Records are disseminated as {', '.join(FORMATS)}, not {prefix}.")
    return FORMATS[prefix]


def _selection(records: Records, params: dict[str, str], now: str) -> Selection:
    """The set and the datestamp range of a list request; ``until`` defaults to now and is frozen in tokens."""
    start = _datestamp(params.get("from"), "from", end=False) or "0000-00-00T00:00:00Z"
    until = _datestamp(params.get("until"), "until", end=True) or now
    given = [params[k] for k in ("from", "until") if k in params]
    if len(given) == 2 and len(given[0]) != len(given[1]):
        raise OAIError("badArgument", "from and until must have the same granularity.")
    if "from" in params and "until" in params and start > until:
        raise OAIError("badArgument", "from is later than until.")
    spec = params.get("set")
    if spec is not None and not records.has_set(spec):
        if not records.sets():
            raise OAIError("noSetHierarchy", "This repository has no sets yet.")
        raise OAIError("noRecordsMatch", f"No record is in the set {spec}.")
    return Selection(spec, start, until)


def _datestamp(value: str | None, name: str, end: bool) -> str | None:
    """A from/until argument as a full UTC datestamp (a day covers the whole day)."""
    if value is None:
        return None
    if _SECOND.fullmatch(value):
        stamp = value
    elif _DAY.fullmatch(value):
        stamp = value + ("T23:59:59Z" if end else "T00:00:00Z")
    else:
        raise OAIError("badArgument", f"{name}={value!r} is not YYYY-MM-DD or YYYY-MM-DDThh:mm:ssZ.")
    try:
        datetime.datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%SZ")
    except ValueError as error:
        raise OAIError("badArgument", f"{name}={value!r} is not a date.") from error
    return stamp


# ---------------------------------------------------------------------------------------- tokens
def _make_token(prefix: str, selection: Selection, last: Header, size: int, cursor: int, now: str) -> str:
    state = {
        "prefix": prefix,
        "set": selection.set,
        "from": selection.start,
        "until": selection.until,
        "datestamp": last.datestamp,
        "identifier": last.identifier,
        "size": size,
        "cursor": cursor,
        "expires": _token_expiry(now),
    }
    return base64.urlsafe_b64encode(json.dumps(state, separators=(",", ":")).encode("utf-8")).decode("ascii")


def _read_token(value: str, now: str) -> dict[str, Any]:
    try:
        state = json.loads(base64.urlsafe_b64decode(value.encode("ascii")))
        checked = {k: state[k] for k in ("from", "until", "datestamp", "identifier", "expires")}
        if not all(isinstance(v, str) for v in checked.values()):
            raise ValueError("not text")
        if not (isinstance(state["set"], str | None) and int(state["size"]) >= 0 and int(state["cursor"]) >= 0):
            raise ValueError("bad set, size or cursor")
        if state.get("prefix", "oai_dc") not in FORMATS:
            raise ValueError("not a metadata format of ours")
    except (ValueError, KeyError, TypeError, UnicodeError) as error:
        raise OAIError("badResumptionToken", "This resumption token is not one this repository issued.") from error
    if state["expires"] < now:
        raise OAIError("badResumptionToken", f"This resumption token expired at {state['expires']}.")
    return dict(state)


def _token_expiry(now: str) -> str:
    moment = datetime.datetime.strptime(now, "%Y-%m-%dT%H:%M:%SZ") + TOKEN_LIFETIME
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


# ------------------------------------------------------------------------------------------- XML
def _header_xml(header: Header) -> str:
    status = ' status="deleted"' if header.deleted else ""
    specs = "".join(f"<setSpec>{escape(spec)}</setSpec>" for spec in header.sets)
    return (
        f"<header{status}><identifier>{escape(header.identifier)}</identifier>"
        f"<datestamp>{header.datestamp}</datestamp>{specs}</header>"
    )


def _record(header: Header, render: Callable[[str], str]) -> str:
    metadata = "" if header.deleted else f"<metadata>{render(header.metadata)}</metadata>"
    return f"<record>{_header_xml(header)}{metadata}</record>"


def _base_url() -> str:
    return public_base() + "/oai"


def _response(now: str, echo: dict[str, str], body: str) -> Response:
    attributes = "".join(f" {k}={quoteattr(v)}" for k, v in echo.items())
    xml = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
        'xsi:schemaLocation="http://www.openarchives.org/OAI/2.0/ http://www.openarchives.org/OAI/2.0/OAI-PMH.xsd">'
        f"<responseDate>{now}</responseDate>"
        f"<request{attributes}>{escape(_base_url())}</request>{body}</OAI-PMH>"
    )
    response = Response(xml, mimetype="text/xml")
    response.headers["Cache-Control"] = "no-cache"
    return response


def _utc_now() -> str:
    return datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
