"""Dereferencing: a resource IRI answers 303 to a document in the negotiated format (W3C
"Best Practice Recipes for Publishing RDF Vocabularies", recipe 5); document URLs answer 200.
"""

from __future__ import annotations

from urllib.parse import urlencode

from flask import Blueprint, Response, current_app, redirect, request
from werkzeug.wrappers import Response as BaseResponse

from microcred.conneg import (
    BY_EXTENSION,
    DOCUMENT_FORMATS,
    HTML,
    Format,
    choose_language,
    negotiate,
)
from microcred.errors import InputError, NotFound
from microcred.iris import is_absolute_iri
from microcred.representations import document_url, render_index
from microcred.web import state
from microcred.web.http import not_modified, representation_headers

bp = Blueprint("terms", __name__)
bp.openapi_paths = {}  # type: ignore[attr-defined]  # filled in openapi.py


def page_language(iri: str | None = None) -> tuple[str, bool]:
    """The language of an HTML page: _lang, else Accept-Language, among the vocabulary's languages;
    and whether it was negotiated (so the response varies by Accept-Language)."""
    vocabulary = state(current_app).vocabulary
    default = vocabulary.settings.default_language
    wanted = request.args.get("_lang", "").strip()
    if wanted:  # an unknown _lang falls back like an Accept-Language would, so pages stay bounded
        return choose_language(wanted, vocabulary.languages, default), False
    return choose_language(request.headers.get("Accept-Language"), vocabulary.languages, default), True


def send_document(iri: str, fmt: Format, lang: str | None = None) -> Response:
    """200 with a rendered document (an HTML page in `lang` if given), or 304 when the client's
    copy is current."""
    st = state(current_app)
    variant, negotiated = (lang, False) if lang else page_language(iri) if fmt is HTML else ("", False)
    rep = st.vocabulary.representation(iri, fmt, variant)
    max_age = st.settings.cache_max_age
    if not_modified(rep, request.headers.get("If-None-Match"), request.headers.get("If-Modified-Since")):
        response = Response(status=304, headers=representation_headers(rep, max_age, body=False))
    else:
        response = Response(rep.body, headers=representation_headers(rep, max_age))
    if negotiated:
        response.vary.add("Accept-Language")
    return response


def see_other(iri: str) -> BaseResponse:
    """303 See Other to the negotiated document of a resource."""
    vocabulary = state(current_app).vocabulary
    vocabulary.kind(iri)
    fmt = negotiate(request.headers.get("Accept"), DOCUMENT_FORMATS, request.args.get("_mediatype"))
    target = document_url(vocabulary, iri, fmt)
    rest = [(k, v) for k, v in request.args.items(multi=True) if k not in ("_mediatype", "uri")]
    if rest:
        target += ("&" if "?" in target else "?") + urlencode(rest)
    response = redirect(target, code=303)
    response.vary.add("Accept")
    response.headers["Cache-Control"] = f"public, max-age={state(current_app).settings.cache_max_age}"
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Link"] = ", ".join(
        f'<{document_url(vocabulary, iri, f)}>; rel="alternate"; type="{f.media_type}"' for f in DOCUMENT_FORMATS)
    return response


@bp.get("/")
@bp.get("/index.html")
@bp.get("/index.<lang>.html")
def index(lang: str | None = None) -> Response:
    """The service's home page: the vocabularies it serves."""
    vocabulary = state(current_app).vocabulary
    if lang not in vocabulary.languages:
        if lang is not None:
            raise NotFound(f"no home page in {lang!r}; languages: {', '.join(vocabulary.languages)}",
                           languages=list(vocabulary.languages))
        lang = page_language()[0]
    extras = state(current_app).extras
    key = f"index:{vocabulary.version}:{lang}"  # one page per language, rendered once per version
    body = extras.get(key) or extras.setdefault(key, render_index(vocabulary, lang))
    response = Response(body, mimetype="text/html")
    response.vary.add("Accept-Language")
    return response


def resolver_iri() -> str:
    """The uri parameter of the resolver: an absolute IRI, or a 400 (a 404 is for IRIs not described)."""
    uri = request.args.get("uri", "").strip()
    if not uri:
        raise InputError("the resolver needs a uri parameter: /resource?uri=<IRI>", parameter="uri")
    if not is_absolute_iri(uri):
        raise InputError(f"uri={uri!r} is not an IRI: give an absolute IRI such as "
                         f"{state(current_app).vocabulary.base_iri}glossary", parameter="uri")
    return uri


@bp.get("/resource")
def resolve() -> BaseResponse:
    """Dereference any IRI the vocabulary describes, including IRIs outside our base."""
    return see_other(resolver_iri())


@bp.get("/resource.<ext>")
def resolved_document(ext: str) -> Response:
    """A document for any IRI the vocabulary describes."""
    fmt = BY_EXTENSION.get(ext)
    if fmt is None:
        raise NotFound(f"no document format .{ext}; formats: {', '.join(BY_EXTENSION)}")
    iri = resolver_iri()
    state(current_app).vocabulary.kind(iri)
    return send_document(iri, fmt)


@bp.get("/<path:path>")
def resource(path: str) -> BaseResponse:
    """A resource IRI (303 to a document) or one of its documents (200)."""
    vocabulary = state(current_app).vocabulary
    stem, dot, ext = path.rpartition(".")
    if dot and ext in BY_EXTENSION and vocabulary.iri_for_path(stem) in vocabulary.resources:
        return send_document(vocabulary.iri_for_path(stem), BY_EXTENSION[ext])
    page, dot, lang = stem.rpartition(".")
    if ext == "html" and dot and vocabulary.iri_for_path(page) in vocabulary.resources:
        if lang not in vocabulary.languages:
            raise NotFound(f"no page in {lang!r}; languages: {', '.join(vocabulary.languages)}",
                           languages=list(vocabulary.languages))
        return send_document(vocabulary.iri_for_path(page), HTML, lang)  # the page in one language
    return see_other(vocabulary.iri_for_path(path))
