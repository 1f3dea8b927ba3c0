"""A WSGI layer that answers GET/HEAD for already-rendered RDF documents before Flask routes.

A document URL needs no negotiation, so serving it is a dictionary lookup; anything else (or a
document not rendered yet) goes on to Flask, which renders and caches it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from microcred.conneg import RDF_FORMATS
from microcred.vocabulary import CACHE_LIMIT, Vocabulary
from microcred.web.http import not_modified, representation_headers

FAST_EXTENSIONS = {f.extension: f.token for f in RDF_FORMATS}


class FastPath:
    """WSGI middleware serving cached RDF documents of a vocabulary."""

    def __init__(self, app: Callable[..., Iterable[bytes]], vocabulary: Vocabulary, max_age: int) -> None:
        self.app = app
        self.vocabulary = vocabulary
        self.max_age = max_age
        self.headers: dict[str, tuple[Any, list, list]] = {}

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        method = environ["REQUEST_METHOD"]
        if (method == "GET" or method == "HEAD") and not environ.get("QUERY_STRING"):
            entry = self.headers.get(environ.get("PATH_INFO", "")) or self._lookup(environ.get("PATH_INFO", ""))
            if entry is not None:
                rep, full, short = entry
                if not_modified(rep, environ.get("HTTP_IF_NONE_MATCH"), environ.get("HTTP_IF_MODIFIED_SINCE")):
                    start_response("304 Not Modified", short)
                    return [b""]
                start_response("200 OK", full)
                return [b""] if method == "HEAD" else [rep.body]
        return self.app(environ, start_response)

    def _lookup(self, path: str) -> tuple[Any, list, list] | None:
        stem, dot, ext = path.rpartition(".")
        token = FAST_EXTENSIONS.get(ext) if dot else None
        if token is None:
            return None
        rep = self.vocabulary.cached(self.vocabulary.iri_for_path(stem), token)
        if rep is None:
            return None
        entry = (rep, representation_headers(rep, self.max_age), representation_headers(rep, self.max_age, False))
        if len(self.headers) >= CACHE_LIMIT:  # a large vocabulary: keep this table bounded too
            self.headers.clear()
        self.headers[path] = entry
        return entry
