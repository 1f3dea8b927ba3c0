"""HTTP helpers shared by the views and the fast path: validators, 304s, cache headers.

Plain functions over header values; the fast path calls them without a Flask request.
"""

from __future__ import annotations

from email.utils import parsedate_to_datetime

from microcred.vocabulary import Representation


def etag_matches(if_none_match: str, etag: str) -> bool:
    """Weak comparison (RFC 9110 §13.1.2) of If-None-Match against our strong ETag."""
    if if_none_match.strip() == "*":
        return True
    wanted = etag.strip('"')
    return any(tag.strip().removeprefix("W/").strip('"') == wanted for tag in if_none_match.split(","))


def not_modified(rep: Representation, if_none_match: str | None, if_modified_since: str | None) -> bool:
    """Whether a conditional GET can be answered 304; If-None-Match wins over If-Modified-Since."""
    if if_none_match:
        return etag_matches(if_none_match, rep.etag)
    if if_modified_since:
        try:
            since = parsedate_to_datetime(if_modified_since)
            return parsedate_to_datetime(rep.last_modified) <= since
        except (TypeError, ValueError):
            return False
    return False


def representation_headers(rep: Representation, max_age: int, body: bool = True) -> list[tuple[str, str]]:
    """Headers of a 200 (or, with body=False, a 304) for a representation."""
    headers = [
        ("ETag", rep.etag),
        ("Last-Modified", rep.last_modified),
        ("Cache-Control", f"public, max-age={max_age}"),
        ("Access-Control-Allow-Origin", "*"),
    ]
    if body:
        headers[:0] = [("Content-Type", rep.content_type), ("Content-Length", str(len(rep.body)))]
    return headers
