"""Search over HTTP: GET /search?q=&lang=&limit= in JSON or HTML, and the static index the pages'
autocomplete reads where no service answers (/search-index.json).
"""

from __future__ import annotations

import json
import re

from flask import Blueprint, Response, current_app, request

from microcred.conneg import HTML, Format, choose_language, negotiate
from microcred.errors import InputError
from microcred.pages import page_href
from microcred.representations import render_search
from microcred.search import MAX_LIMIT, SearchIndex, index_for
from microcred.web import state
from microcred.web.terms import page_language

bp = Blueprint("search", __name__)
JSON = Format("json", "application/json", "json", "")
LANGUAGE_TAG = re.compile(r"^[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*$")
MAX_QUERY = 200
LIMIT = re.compile(r"[0-9]{1,9}")


def current_index() -> SearchIndex:
    st = state(current_app)
    return index_for(st.extras, st.vocabulary)


def search_parameters() -> tuple[str, str | None, int, bool]:
    """q, lang, limit and lang_only from the query string, or an InputError naming the bad one."""
    query = request.args.get("q", "")
    if len(query) > MAX_QUERY:
        raise InputError(f"q is {len(query)} characters long; at most {MAX_QUERY} are searched", parameter="q")
    lang = request.args.get("lang", "").strip() or None
    if lang is not None and not LANGUAGE_TAG.match(lang):
        raise InputError(f"lang={lang!r} is not a language tag such as 'en' or 'it'", parameter="lang")
    raw = request.args.get("limit", "10")
    # ASCII digits only (str.isdigit takes '٥' and int() refuses 5,000 digits), a few of them
    if not LIMIT.fullmatch(raw) or not 1 <= int(raw) <= MAX_LIMIT:
        raise InputError(f"limit={raw!r} must be a whole number from 1 to {MAX_LIMIT}", parameter="limit",
                         minimum=1, maximum=MAX_LIMIT)
    only = request.args.get("lang_only", "false").lower()
    if only not in ("true", "false", "1", "0"):
        raise InputError(f"lang_only={only!r} must be true or false", parameter="lang_only")
    return query, lang, int(raw), only in ("true", "1")


@bp.get("/search")
@bp.get("/search.html")
def search() -> Response:
    """Labels that start with the query (folded), best first, as JSON or as a page."""
    vocabulary = state(current_app).vocabulary
    query, lang, limit, only = search_parameters()
    fmt = HTML if request.path.endswith(".html") else \
        negotiate(request.headers.get("Accept"), (JSON, HTML), request.args.get("_mediatype"))
    page_lang = choose_language(lang, vocabulary.languages, vocabulary.settings.default_language) \
        if lang else page_language()[0]
    hits = [dict(h.as_dict(), href=page_href(vocabulary, h.iri, page_lang))
            for h in current_index().search(vocabulary, query, lang or page_lang, limit, only)]
    if fmt is HTML:
        response = Response(render_search(vocabulary, query, page_lang, hits), mimetype="text/html")
        response.vary.add("Accept-Language")
    else:
        body = {"query": query, "lang": lang, "limit": limit, "results": hits}
        response = Response(json.dumps(body, ensure_ascii=False), mimetype="application/json")
        response.headers["Access-Control-Allow-Origin"] = "*"
    response.vary.add("Accept")
    response.headers["Cache-Control"] = f"public, max-age={state(current_app).settings.cache_max_age}"
    return response


@bp.get("/search-index.json")
def static_index() -> Response:
    """Every label, folded, for client-side search on the static site (same bytes every build)."""
    st = state(current_app)
    key = "search-index-json:" + st.vocabulary.version
    body = st.extras.get(key)
    if body is None:
        data = current_index().static_index(st.vocabulary, lambda iri: page_href(st.vocabulary, iri, "{lang}") or "")
        body = st.extras[key] = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":")) + "\n"
    response = Response(body, mimetype="application/json")
    response.headers["Cache-Control"] = f"public, max-age={st.settings.cache_max_age}"
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


bp.openapi_paths = {  # type: ignore[attr-defined]
    "/search": {"get": {
        "summary": "Search labels: prefix matching that ignores case, accents and Unicode normalisation",
        "description": "Over preferred, alternative and hidden labels in every language. Ranked: exact match > "
                       "prefix of a label > prefix of a later word; then labels in `lang`; then preferred > "
                       "alternative > hidden. One result per resource, with the label that matched "
                       "(null for a hidden label). JSON or HTML by Accept (or _mediatype).",
        "parameters": [
            {"name": "q", "in": "query", "required": False, "schema": {"type": "string", "maxLength": MAX_QUERY}},
            {"name": "lang", "in": "query", "required": False, "schema": {"type": "string"},
             "description": "Preferred language: ranks its labels first and picks the label shown."},
            {"name": "lang_only", "in": "query", "required": False, "schema": {"type": "boolean", "default": False},
             "description": "Match labels in `lang` only."},
            {"name": "limit", "in": "query", "required": False,
             "schema": {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT, "default": 10}},
            {"name": "_mediatype", "in": "query", "required": False, "schema": {"type": "string"}}],
        "responses": {
            "200": {"description": "Results", "content": {
                "application/json": {"schema": {"$ref": "#/components/schemas/SearchResults"}},
                "text/html": {"schema": {"type": "string"}}}},
            "400": {"description": "A bad q, lang, limit or lang_only", "content": {
                "application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}},
            "406": {"description": "Neither JSON nor HTML accepted", "content": {
                "application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}}}}},
    "/search-index.json": {"get": {
        "summary": "Every label with its search key, for client-side search (the static site's index)",
        "responses": {"200": {"description": "The index", "content": {"application/json": {}}}}}},
}
SCHEMAS = {"SearchResults": {
    "type": "object", "required": ["query", "results"],
    "properties": {
        "query": {"type": "string"}, "lang": {"type": ["string", "null"]}, "limit": {"type": "integer"},
        "results": {"type": "array", "items": {"type": "object", "properties": {
            "iri": {"type": "string", "format": "uri"}, "href": {"type": "string"},
            "label": {"type": "string"}, "label_lang": {"type": "string"},
            "matched": {"type": ["string", "null"]}, "matched_lang": {"type": "string"},
            "field": {"enum": ["pref", "alt", "hidden"]},
            "quality": {"enum": ["exact", "label-prefix", "word-prefix"]}}}}}}}
bp.openapi_schemas = SCHEMAS  # type: ignore[attr-defined]
