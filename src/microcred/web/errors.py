"""One mapping from errors to responses: RFC 9457 problem+json, or an HTML page for browsers."""

from __future__ import annotations

import json
import logging

from flask import Flask, Response, request
from werkzeug.exceptions import HTTPException

from microcred.conneg import HTML, Format, negotiate
from microcred.errors import PROBLEM_BASE, MicrocredError, NotAcceptable
from microcred.representations import template_environment

PROBLEM_JSON = Format("problem", "application/problem+json", "json", "", ("application/json",))
log = logging.getLogger("microcred")


def problem_response(problem: dict) -> Response:
    """Render a problem as JSON, or as HTML when the client prefers HTML."""
    try:
        wants_html = negotiate(request.headers.get("Accept"), (PROBLEM_JSON, HTML)) is HTML \
            and "text/html" in (request.headers.get("Accept") or "")
    except NotAcceptable:
        wants_html = False
    status = problem["status"]
    if wants_html:
        body = template_environment().get_template("error.html").render(problem=problem, title=problem["title"])
        response = Response(body, status=status, mimetype="text/html")
    else:
        response = Response(json.dumps(problem, ensure_ascii=False, indent=2), status=status,
                            mimetype="application/problem+json")
    response.headers["Cache-Control"] = "no-store"
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.vary.add("Accept")
    return response


def handle_microcred(error: MicrocredError) -> Response:
    problem = error.to_problem()
    problem.setdefault("instance", request.full_path.rstrip("?"))
    return problem_response(problem)


def handle_http(error: HTTPException) -> Response:
    slug = (error.name or "error").lower().replace(" ", "-")
    problem = {"type": PROBLEM_BASE + slug, "title": error.name, "status": error.code or 500,
               "detail": error.description, "instance": request.full_path.rstrip("?")}
    response = problem_response(problem)
    if error.code == 405 and hasattr(error, "valid_methods") and error.valid_methods:
        response.headers["Allow"] = ", ".join(error.valid_methods)
    return response


def handle_unexpected(error: Exception) -> Response:
    # A fault of ours, never of the input: log it with its traceback and answer a plain 500.
    log.exception("unhandled error on %s %s", request.method, request.path)
    return problem_response({"type": PROBLEM_BASE + "internal", "title": "Internal error", "status": 500,
                             "detail": "an unexpected error occurred; it has been logged"})


def register(app: Flask) -> None:
    """Install the error handlers on the app."""
    app.register_error_handler(MicrocredError, handle_microcred)
    app.register_error_handler(HTTPException, handle_http)
    app.register_error_handler(Exception, handle_unexpected)
