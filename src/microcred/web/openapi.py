"""The OpenAPI 3 description of the HTTP API at /openapi.json.

Each blueprint may carry `openapi_paths` (a dict of OpenAPI path items); they are merged here.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Flask, Response, current_app, json

import microcred
from microcred.conneg import DOCUMENT_FORMATS

bp = Blueprint("openapi", __name__)

PROBLEM = {"description": "An RFC 9457 problem", "content": {"application/problem+json": {
    "schema": {"$ref": "#/components/schemas/Problem"}}}}

DOCUMENT_CONTENT = {f.media_type: {"schema": {"type": "string"}} for f in DOCUMENT_FORMATS}

NEGOTIATION_PARAMS = [
    {"name": "_mediatype", "in": "query", "required": False,
     "description": "Override Accept: a media type or a token (ttl, jsonld, rdf, nt, html).",
     "schema": {"type": "string"}},
    {"name": "_lang", "in": "query", "required": False,
     "description": "Language of the HTML page (overrides Accept-Language).", "schema": {"type": "string"}},
]

TERM_PATHS: dict[str, Any] = {
    "/{path}": {"get": {
        "summary": "Dereference a resource IRI under the base (303) or fetch one of its documents (200)",
        "description": "A path without extension is a resource IRI: 303 See Other to the document in the "
                       "negotiated format. With .ttl, .jsonld, .rdf, .nt or .html it is that document; "
                       ".html is in the language of _lang or Accept-Language, and .LANG.html (for "
                       "example .it.html) is the page in one of the vocabulary's languages.",
        "parameters": [{"name": "path", "in": "path", "required": True, "schema": {"type": "string"}},
                       *NEGOTIATION_PARAMS],
        "responses": {"200": {"description": "The document", "content": DOCUMENT_CONTENT},
                      "303": {"description": "See the document in the negotiated format"},
                      "304": {"description": "Not modified (If-None-Match / If-Modified-Since)"},
                      "404": PROBLEM, "406": PROBLEM}}},
    "/resource": {"get": {
        "summary": "Dereference any IRI the vocabulary describes, also outside the base",
        "parameters": [{"name": "uri", "in": "query", "required": True, "schema": {"type": "string"}},
                       *NEGOTIATION_PARAMS],
        "responses": {"303": {"description": "See the document"}, "400": PROBLEM, "404": PROBLEM,
                      "406": PROBLEM}}},
    "/index.{lang}.html": {"get": {
        "summary": "The home page in one of the vocabulary's languages (/ negotiates Accept-Language)",
        "parameters": [{"name": "lang", "in": "path", "required": True, "schema": {"type": "string"}}],
        "responses": {"200": {"description": "The page", "content": {"text/html": {}}}, "404": PROBLEM}}},
    "/openapi.json": {"get": {"summary": "This description",
                              "responses": {"200": {"description": "OpenAPI 3.1 document"}}}},
}


def build_openapi(app: Flask) -> dict[str, Any]:
    """The whole description: our paths plus those of every registered blueprint."""
    paths: dict[str, Any] = {}
    schemas: dict[str, Any] = {}
    for blueprint in app.blueprints.values():
        paths.update(getattr(blueprint, "openapi_paths", {}))
        schemas.update(getattr(blueprint, "openapi_schemas", {}))
    paths.update(TERM_PATHS)
    return {
        "openapi": "3.1.0",
        "info": {"title": "microcred", "version": microcred.__version__,
                 "description": "The MicroHE / e-SLP micro-credential glossary as linked data: "
                                "dereferencing, SPARQL, search and passport validation."},
        "paths": dict(sorted(paths.items())),
        "components": {"schemas": {"Problem": {
            "type": "object", "required": ["type", "title", "status"],
            "properties": {"type": {"type": "string", "format": "uri"}, "title": {"type": "string"},
                           "status": {"type": "integer"}, "detail": {"type": "string"},
                           "instance": {"type": "string"}}}, **dict(sorted(schemas.items()))}},
    }


@bp.get("/openapi.json")
def openapi() -> Response:
    """Serve the OpenAPI description (built once: the routes do not change while the app runs)."""
    extras = current_app.extensions["microcred"].extras
    body = extras.get("openapi") or extras.setdefault("openapi", json.dumps(build_openapi(current_app), indent=2))
    response = Response(body, mimetype="application/openapi+json")
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response
