"""One mapping from errors to responses: RFC 9457 problem+json, or an HTML page for browsers."""

from __future__ import annotations

import json
import logging
from typing import Any

from flask import Flask, Response, current_app, request
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

from microcred.conneg import HTML, Format, negotiate
from microcred.errors import (
    ECHO_LIMIT,
    PROBLEM_BASE,
    LimitExceeded,
    MicrocredError,
    NotAcceptable,
    PayloadTooLarge,
    shorten,
)
from microcred.representations import template_environment
from microcred.web.bodylimit import too_large

PROBLEM_JSON = Format("problem", "application/problem+json", "json", "", ("application/json",))
log = logging.getLogger("microcred")


#: Past this, any string of a problem is cut, whatever it holds (a value echoed in a changed form).
HARD_LIMIT = 10 * ECHO_LIMIT


def long_request_values() -> list[str]:
    """The values of this request (path, query parameters, headers) too long to repeat whole,
    longest first."""
    values = [request.path, request.full_path, *request.headers.values()]
    values += [v for item in request.args.items(multi=True) for v in item]
    return sorted({v for v in values if len(v) > ECHO_LIMIT}, key=len, reverse=True)


def bound_echoes(value: Any, long_values: list[str]) -> Any:
    """`value` (a problem, or a member of one) with every long request value in it shortened."""
    if isinstance(value, str):
        for long_value in long_values:
            if long_value in value:
                value = value.replace(long_value, shorten(long_value))
        return shorten(value, HARD_LIMIT)
    if isinstance(value, list):
        return [bound_echoes(v, long_values) for v in value]
    if isinstance(value, dict):
        return {k: bound_echoes(v, long_values) for k, v in value.items()}
    return value


#: Seconds a client is asked to wait after a 503 that names no better figure.
RETRY_AFTER = 5


def problem_response(problem: dict) -> Response:
    """Render a problem as JSON, or as HTML when the client prefers HTML; the one place that keeps
    huge request values (a 70 KB Accept, a 60 KB path) from being repeated in the answer."""
    problem = bound_echoes(problem, long_request_values())
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
    response = problem_response(problem)
    if isinstance(error, LimitExceeded):  # busy, out of time or memory: worth trying again later
        response.headers["Retry-After"] = str(error.extra.get("retryAfter") or RETRY_AFTER)
    return response


def handle_http(error: HTTPException) -> Response:
    slug = (error.name or "error").lower().replace(" ", "-")
    problem = {"type": PROBLEM_BASE + slug, "title": error.name, "status": error.code or 500,
               "detail": error.description, "instance": request.full_path.rstrip("?")}
    allowed = getattr(error, "valid_methods", None) if error.code == 405 else None
    if allowed:
        problem["detail"] = f"{request.method} is not allowed here; allowed: {', '.join(allowed)}"
        problem["allowed"] = list(allowed)
    response = problem_response(problem)
    if allowed:
        response.headers["Allow"] = ", ".join(allowed)
    return response


def handle_too_large(error: RequestEntityTooLarge) -> Response:
    # Werkzeug's own 413s: a declared form body over the limit, or a form of too many parts.
    limit = current_app.extensions["microcred"].settings.max_body
    if (request.content_length or 0) > limit:
        return handle_microcred(too_large(limit, request.content_length))
    parts = current_app.config["MAX_FORM_PARTS"]
    return handle_microcred(PayloadTooLarge(f"a form may have at most {parts} parts", limit=parts))


def handle_unexpected(error: Exception) -> Response:
    # A fault of ours, never of the input: log it with its traceback and answer a plain 500.
    log.exception("unhandled error on %s %s", request.method, request.path)
    return problem_response({"type": PROBLEM_BASE + "internal", "title": "Internal error", "status": 500,
                             "detail": "an unexpected error occurred; it has been logged"})


def register(app: Flask) -> None:
    """Install the error handlers on the app."""
    app.register_error_handler(MicrocredError, handle_microcred)
    app.register_error_handler(RequestEntityTooLarge, handle_too_large)
    app.register_error_handler(HTTPException, handle_http)
    app.register_error_handler(Exception, handle_unexpected)
