"""GET /quality: the vocabulary's quality report as JSON, HTML or a DQV graph in Turtle.

The report is computed once per vocabulary version, on first request, and each representation is
served from memory with its ETag; a request negotiates and looks up.
"""

from __future__ import annotations

import json
import threading

from flask import Blueprint, Response, current_app, request

from microcred.conneg import HTML, TURTLE, Format, negotiate
from microcred.quality import check_vocabulary
from microcred.quality_output import render_turtle
from microcred.representations import link_for, template_environment
from microcred.vocabulary import Representation, Vocabulary, etag_for
from microcred.web import State, state
from microcred.web.http import not_modified, representation_headers
from microcred.web.openapi import PROBLEM

JSON = Format("json", "application/json", "json", "")
#: What /quality offers, in our order of preference for */*.
QUALITY_FORMATS = (JSON, HTML, TURTLE)

bp = Blueprint("quality", __name__)
bp.openapi_paths = {  # type: ignore[attr-defined]
    "/quality": {"get": {
        "summary": "The vocabulary's quality report: SKOS integrity conditions and qSKOS checks",
        "description": "Findings (resource, check, severity, message) and counts per check, "
                       "the same bytes for the same vocabulary version. JSON by default; HTML for browsers; text/turtle gives a W3C DQV "
                       "report graph.",
        "parameters": [{"name": "_mediatype", "in": "query", "required": False,
                        "description": "Override Accept: json, html or ttl.",
                        "schema": {"type": "string"}}],
        "responses": {"200": {"description": "The report", "content": {
            f.media_type: {"schema": {"type": "object" if f is JSON else "string"}}
            for f in QUALITY_FORMATS}},
            "304": {"description": "Not modified"},
            "406": PROBLEM}}},
}


def quality_documents(st: State) -> dict[str, Representation]:
    """The report's representations for the current vocabulary version, computed at most once."""
    key = "quality:" + st.vocabulary.version
    documents = st.extras.get(key)
    if documents is None:
        with st.extras.setdefault("quality-lock", threading.Lock()):
            documents = st.extras.get(key)
            if documents is None:
                documents = render_documents(st.vocabulary)
                st.extras[key] = documents
    return documents


def render_documents(vocabulary: Vocabulary) -> dict[str, Representation]:
    """Check the vocabulary and render the report in every format /quality offers."""
    report = check_vocabulary(vocabulary.store)
    report.sources = [f.name for f in vocabulary.files]
    # no timings: every worker process must serve the same bytes under the same ETag
    as_json = json.dumps({"vocabulary_version": vocabulary.version, **report.to_dict(timings=False)},
                         indent=2, ensure_ascii=False)
    checks = {c.id: c for c in report.checks}
    findings = [{"finding": f, "label": vocabulary.label(f.resource) if f.resource else None,
                 "href": link_for(vocabulary, f.resource)
                 if f.resource and not f.resource.startswith("_:") else None}
                for f in report.findings]
    page = template_environment().get_template("quality.html").render(
        title="Quality report", lang="en", report=report, totals=report.totals(), checks=checks,
        findings=findings, version=vocabulary.version, timings=False)
    bodies = {JSON.token: as_json, HTML.token: page, TURTLE.token: render_turtle(report)}
    formats = {f.token: f for f in QUALITY_FORMATS}
    return {token: Representation(body.encode(), formats[token].content_type,
                                  etag_for(body.encode()), vocabulary.last_modified)
            for token, body in bodies.items()}


@bp.get("/quality")
def quality() -> Response:
    """The report in the negotiated format (200), or 304 when the client's copy is current."""
    st = state(current_app)
    fmt = negotiate(request.headers.get("Accept"), QUALITY_FORMATS, request.args.get("_mediatype"))
    rep = quality_documents(st)[fmt.token]
    max_age = st.settings.cache_max_age
    if not_modified(rep, request.headers.get("If-None-Match"),
                    request.headers.get("If-Modified-Since")):
        response = Response(status=304, headers=representation_headers(rep, max_age, body=False))
    else:
        response = Response(rep.body, headers=representation_headers(rep, max_age))
    response.vary.add("Accept")
    return response
