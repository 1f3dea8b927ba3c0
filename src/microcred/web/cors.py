"""CORS for the whole app: every OPTIONS request (a browser's preflight) is answered 204 with the
route's Allow header and the matching Access-Control-* headers, so pages on other origins can GET
terms and POST queries and passports. Flask's automatic OPTIONS supplies the Allow header.
"""

from __future__ import annotations

from flask import Flask, Response, request

ALLOW_HEADERS = "Accept, Accept-Language, Content-Type, If-None-Match, If-Modified-Since"
MAX_AGE = "86400"


def answer_preflight(response: Response) -> Response:
    """Turn Flask's automatic OPTIONS answer into a CORS preflight answer."""
    if request.method != "OPTIONS" or response.status_code != 200:
        return response
    response.status_code = 204
    response.set_data(b"")
    response.headers.pop("Content-Type", None)
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Access-Control-Allow-Methods"] = response.headers.get("Allow", "GET, HEAD, OPTIONS")
    response.headers["Access-Control-Allow-Headers"] = ALLOW_HEADERS
    response.headers["Access-Control-Max-Age"] = MAX_AGE
    return response


def register(app: Flask) -> None:
    """Answer preflights on every route."""
    app.after_request(answer_preflight)
