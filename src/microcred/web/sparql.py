"""/sparql: the SPARQL 1.1 Protocol for queries (GET, form POST, direct POST), its service
description, CORS, and an HTML query form for browsers. The work is done by microcred.store.
"""

from __future__ import annotations

import json
import threading

from flask import Blueprint, Flask, Request, Response, current_app, request

from microcred.conneg import HTML, RDF_FORMATS, RESULTS_FORMATS, Format, negotiate
from microcred.errors import InputError, NotAcceptable, QueryRefused, UnsupportedMediaType
from microcred.iris import web_href
from microcred.querytext import read_query
from microcred.representations import serialize, template_environment
from microcred.servicedescription import example_queries, service_description
from microcred.store import QueryEngine, QueryRequest, formats_for, open_engine
from microcred.web import state

bp = Blueprint("sparql", __name__)
_DATASET = [{"name": n, "in": "query", "required": False, "schema": {"type": "array", "items": {
    "type": "string", "format": "uri"}}, "style": "form", "explode": True, "description": d}
    for n, d in (("default-graph-uri", "A graph of the default graph (overrides FROM)"),
                 ("named-graph-uri", "A named graph of the dataset (overrides FROM NAMED)"))]
_RESULTS = {"description": "Results: SPARQL JSON/XML/CSV/TSV for SELECT and ASK, Turtle, JSON-LD, "
            "RDF/XML or N-Triples for CONSTRUCT and DESCRIBE, by Accept or _mediatype",
            "content": {t: {"schema": {"type": "string"}} for t in (
                "application/sparql-results+json", "application/sparql-results+xml", "text/csv",
                "text/tab-separated-values", "text/turtle", "application/ld+json",
                "application/rdf+xml", "application/n-triples")}}
_ERRORS = {"400": {"description": "Malformed query (with line and column), an update or SERVICE"},
           "406": {"description": "No acceptable result format (lists the accepted ones)"},
           "413": {"description": "Body too large"}, "415": {"description": "Wrong Content-Type"},
           "502": {"description": "The remote SPARQL backend failed"},
           "503": {"description": "Time or result-size limit reached, or every worker busy"}}
bp.openapi_paths = {"/sparql": {  # type: ignore[attr-defined]
    "get": {"summary": "SPARQL 1.1 query (query=), or the service description / HTML form without one",
            "parameters": [{"name": "query", "in": "query", "required": False,
                            "schema": {"type": "string"}}, *_DATASET,
                           {"name": "_mediatype", "in": "query", "required": False,
                            "schema": {"type": "string"}, "description": "Override Accept"}],
            "responses": {"200": _RESULTS, **_ERRORS}},
    "post": {"summary": "SPARQL 1.1 query, as a form (query=) or as application/sparql-query",
             "parameters": _DATASET,
             "requestBody": {"required": True, "content": {
                 "application/x-www-form-urlencoded": {"schema": {"type": "object", "properties": {
                     "query": {"type": "string"}}, "required": ["query"]}},
                 "application/sparql-query": {"schema": {"type": "string"}}}},
             "responses": {"200": _RESULTS, **_ERRORS}},
    "options": {"summary": "CORS preflight", "responses": {"204": {"description": "Allowed"}}},
}}
QUERY_TYPES = ("application/x-www-form-urlencoded", "application/sparql-query")
CORS = {"Access-Control-Allow-Origin": "*",
        "Access-Control-Allow-Methods": "GET, POST, OPTIONS",
        "Access-Control-Allow-Headers": "Accept, Content-Type",
        "Access-Control-Max-Age": "86400"}
HEADERS = [*CORS.items(), ("Cache-Control", "no-store"), ("Vary", "Accept")]
_describe_lock = threading.Lock()


def attach(app: Flask) -> None:
    """Open the query engine the settings ask for and keep it on the app."""
    st = state(app)
    st.extras["sparql"] = open_engine(st.settings, st.vocabulary.store, st.vocabulary.version)


def engine() -> QueryEngine:
    return state(current_app).extras["sparql"]


def single(values: list[str], name: str) -> str | None:
    """The one value of a parameter given at most once (SPARQL 1.1 Protocol, 2.1.1)."""
    if len(values) > 1:
        raise InputError(f"give {name} once, not {len(values)} times", parameter=name)
    return values[0] if values else None


def protocol_query(req: Request) -> tuple[str | None, list[str], list[str], str | None]:
    """The query, dataset and _mediatype of a protocol request: GET, form or direct POST."""
    params = req.args.copy()
    if req.method == "POST":
        if req.mimetype == "application/sparql-update" or "update" in req.form:
            raise QueryRefused("SPARQL Update is not accepted: this endpoint is read-only")
        if req.mimetype == "application/x-www-form-urlencoded":
            params.update(req.form)
        elif req.mimetype == "application/sparql-query":
            charset = req.mimetype_params.get("charset", "utf-8").lower()
            if charset not in ("utf-8", "utf8"):
                raise UnsupportedMediaType(f"a query must be sent in UTF-8, not {charset}",
                                           accepted=list(QUERY_TYPES))
            try:
                params.setlist("query", [req.get_data().decode("utf-8")])
            except UnicodeDecodeError as exc:
                raise InputError(f"the query is not valid UTF-8 (byte {exc.start})") from None
        else:
            raise UnsupportedMediaType(
                f"POST a query as {' or '.join(QUERY_TYPES)}, not {req.mimetype or 'no media type'}",
                accepted=list(QUERY_TYPES))
        if "query" not in params:
            raise InputError("the request has no query parameter", parameter="query")
    elif "update" in params:
        raise QueryRefused("SPARQL Update is not accepted: this endpoint is read-only")
    return (single(params.getlist("query"), "query"), params.getlist("default-graph-uri"),
            params.getlist("named-graph-uri"), params.get("_mediatype"))


def finish(response: Response) -> Response:
    """CORS on every answer, and no caching of query results."""
    response.headers.extend(HEADERS)
    return response


def endpoint_url() -> str:
    """This endpoint's URL, the base of relative IRIs in queries (cheaper than base_url)."""
    return f"{request.scheme}://{request.host}{request.script_root}{request.path}"


@bp.route("/sparql", methods=["GET", "POST"])
def sparql() -> Response:
    """Answer a query, or describe the service when there is none (web.cors answers OPTIONS)."""
    text, default_graphs, named_graphs, mediatype = protocol_query(request)
    if text is None:
        return describe()
    query = read_query(text)
    try:
        # HTML comes last, so `*/*` still gets a machine format; a browser gets a results page
        fmt = negotiate(request.headers.get("Accept"), (*formats_for(query), HTML), mediatype)
    except NotAcceptable as exc:
        kind = "RDF graphs" if query.returns_graph else "SPARQL results, not RDF graphs"
        raise NotAcceptable(f"{query.form} answers are {kind}: {exc.detail}", **exc.extra) from None
    wire = (RDF_FORMATS[0] if query.returns_graph else RESULTS_FORMATS[0]) if fmt is HTML else fmt
    result = engine().run(QueryRequest(query, wire.token, tuple(default_graphs), tuple(named_graphs),
                                       base_iri=endpoint_url()))
    if fmt is HTML:
        return Response(results_page(text, result.body, query.returns_graph), mimetype="text/html",
                        headers=HEADERS)
    return Response(result.body, content_type=result.content_type, headers=HEADERS)


def results_page(text: str, body: bytes, graph: bool) -> str:
    """The query form again, with the results: a table for SELECT, yes/no for ASK, Turtle else."""
    context: dict = {"query": text}
    if graph:
        context["turtle"] = body.decode("utf-8")
    else:
        data = json.loads(body)
        if "boolean" in data:
            context["boolean"] = data["boolean"]
        else:
            context["columns"] = data["head"].get("vars", [])
            vocabulary = state(current_app).vocabulary
            rows = [[row.get(v) for v in context["columns"]] for row in data["results"]["bindings"]]
            for cell in (c for row in rows for c in row if c and c.get("type") == "uri"):
                # IRIs under our base link to our pages; other http(s) IRIs as they are; the rest
                # (urn:, javascript:, ...) stay text. No lookups: a result may have many rows.
                cell["href"] = vocabulary.path_for_iri(cell["value"]) or web_href(cell["value"])
            context["rows"] = rows
    return query_form(**context)


def describe() -> Response:
    """The service description in an RDF format, or the query form for a browser."""
    fmt = negotiate(request.headers.get("Accept"), RDF_FORMATS + (HTML,),
                    request.args.get("_mediatype"))
    if fmt is HTML:
        return finish(Response(query_form(), mimetype="text/html"))
    return finish(Response(description_bytes(endpoint_url(), fmt), content_type=fmt.content_type))


DESCRIPTION_CACHE_LIMIT = 32


def description_bytes(endpoint: str, fmt: Format) -> bytes:
    """The service description of `endpoint` in `fmt`, serialised once per endpoint URL."""
    st = state(current_app)
    cache = st.extras.setdefault("sparql-description", {})
    key = (endpoint, fmt.token)
    body = cache.get(key)
    if body is None:
        graphs = st.vocabulary.graph_names()  # embedded or remote, the vocabulary knows them
        body = serialize(service_description(endpoint, graphs, engine().kind), fmt)
        with _describe_lock:
            # the endpoint URL comes from the Host header: keep only a few, so that clients
            # inventing hosts cannot grow this cache
            if len(cache) < DESCRIPTION_CACHE_LIMIT:
                cache[key] = body
    return body


def query_form(**results: object) -> str:
    """The HTML page with a query form and the example queries (and a query's results, if given)."""
    st = state(current_app)
    examples = example_queries(st.settings.base_iri)
    results.setdefault("query", examples[0][1])
    return template_environment().get_template("sparql.html").render(
        title="SPARQL", lang="en", examples=examples, **results,
        formats=RESULTS_FORMATS + RDF_FORMATS, timeout=st.settings.query_timeout,
        max_results=st.settings.max_results)
