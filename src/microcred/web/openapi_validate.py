"""The OpenAPI path items of the validation endpoints (merged into /openapi.json)."""

from __future__ import annotations

from typing import Any

PROBLEM = {"description": "An RFC 9457 problem", "content": {"application/problem+json": {
    "schema": {"$ref": "#/components/schemas/Problem"}}}}
RDF_INPUT = {m: {"schema": {"type": "string"}} for m in (
    "text/turtle", "application/ld+json", "application/rdf+xml", "application/n-triples", "application/trig")}
REPORT_CONTENT = {
    "application/json": {"schema": {"type": "object", "description": "Summary: conforms, counts per "
                         "severity, results (focus node, path, value, message, severity, source shape, "
                         "component, glossary term); a batch gives {summary, reports, errors}"}},
    "text/html": {"schema": {"type": "string"}},
    **{m: {"schema": {"type": "string"}, "description": "The SHACL validation report"} for m in (
        "text/turtle", "application/ld+json", "application/rdf+xml", "application/n-triples")},
}
PARAMS = [
    {"name": "_profile", "in": "query", "required": False, "schema": {"type": "string"},
     "description": "Validation profile (GET /validate lists them; `profile` is accepted too)."},
    {"name": "_mediatype", "in": "query", "required": False, "schema": {"type": "string"},
     "description": "Override Accept for the report: json, html, ttl, jsonld, rdf, nt or a media type."},
    {"name": "_lang", "in": "query", "required": False, "schema": {"type": "string", "enum": ["en", "it"]},
     "description": "Language of the messages (overrides Accept-Language)."},
]

VALIDATE_PATHS: dict[str, Any] = {"/validate": {
    "get": {
        "summary": "The validation profiles (JSON), or a page to paste or upload a passport (HTML)",
        "parameters": PARAMS[1:],
        "responses": {"200": {"description": "Profiles or the page", "content": {
            "application/json": {"schema": {"type": "object"}}, "text/html": {"schema": {"type": "string"}}}},
            "406": PROBLEM}},
    "post": {
        "summary": "Validate a learning passport, or several (multipart upload: one report each and a summary)",
        "description": "The body is one passport in an RDF syntax (Content-Type names it; absent, it is "
                       "detected) or multipart/form-data with files (and/or a pasted `passport` field). "
                       "JSON-LD contexts come from the local store only; owl:imports are not followed.",
        "parameters": PARAMS,
        "requestBody": {"required": True, "content": {**RDF_INPUT, "multipart/form-data": {"schema": {
            "type": "object", "properties": {"files": {"type": "array", "items": {
                "type": "string", "format": "binary"}}, "passport": {"type": "string"},
                "format": {"type": "string"}, "profile": {"type": "string"}}}}}},
        "responses": {
            "200": {"description": "The report (a passport that does not conform is still a 200)",
                    "content": REPORT_CONTENT},
            "400": {**PROBLEM, "description": "Malformed RDF (with line and column), a JSON-LD context not "
                    "in the local store, nesting too deep"},
            "404": {**PROBLEM, "description": "Unknown profile"}, "406": PROBLEM,
            "413": {**PROBLEM, "description": "Body larger than max_body"},
            "415": {**PROBLEM, "description": "A Content-Type that is not an RDF syntax"},
            "503": {**PROBLEM, "description": "The validation took longer than validation_timeout"}}},
}}
