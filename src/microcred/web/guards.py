"""Checks every request with a body passes before any view: a Content-Type that is a media type.

A Content-Type that does not parse (`;;;`, `text`, `a b/c`) is refused with 415 rather than left to
sniffing: the client said something, and it was not a media type.
"""

from __future__ import annotations

import re

from flask import Flask, request

from microcred.errors import UnsupportedMediaType, shorten

MEDIA_TYPE = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+/[!#$%&'*+.^_`|~0-9A-Za-z-]+")
BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})


def check_content_type() -> None:
    """Refuse a request whose Content-Type is present but not a media type."""
    header = request.headers.get("Content-Type", "").strip()
    if request.routing_exception is not None:  # a 404 or 405 says more than a 415 would
        return
    if request.method in BODY_METHODS and header and not MEDIA_TYPE.fullmatch(request.mimetype):
        raise UnsupportedMediaType(f"Content-Type: {shorten(header)!r} is not a media type such as "
                                   "text/turtle", content_type=shorten(header))


def register(app: Flask) -> None:
    """Run the checks before every view."""
    app.before_request(check_content_type)
