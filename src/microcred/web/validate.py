"""POST /validate and GET /validate: passports checked against a profile, reports negotiated.

Only HTTP lives here; parsing, validation and the time limit are in the core (microcred.validation,
microcred.workers). The pool of validating processes starts with the first validation.
"""

from __future__ import annotations

import json
from typing import Any

from flask import Blueprint, Flask, Response, current_app, request
from werkzeug.datastructures import FileStorage

from microcred.conneg import HTML, JSONLD, NTRIPLES, RDFXML, TURTLE, Format, negotiate
from microcred.errors import InputError, MicrocredError
from microcred.parsing import BOM, EMPTY
from microcred.report import Report
from microcred.representations import link_for, template_environment
from microcred.validation import MESSAGE_LANGUAGES, PassportValidator, check_language
from microcred.web.openapi_validate import VALIDATE_PATHS
from microcred.workers import Job, ValidationPool

bp = Blueprint("validate", __name__)
bp.openapi_paths = VALIDATE_PATHS  # type: ignore[attr-defined]

SUMMARY = Format("json", "application/json", "json", "")
#: What a validation answers in: the JSON summary first (for */*), HTML, then the SHACL report graph.
REPORT_FORMATS: tuple[Format, ...] = (SUMMARY, HTML, TURTLE, JSONLD, RDFXML, NTRIPLES)
LISTING_FORMATS: tuple[Format, ...] = (SUMMARY, HTML)


class ValidationService:
    """The app's validator (profiles, for listing and checks) and its pool of worker processes."""

    def __init__(self, app: Flask) -> None:
        settings = app.extensions["microcred"].settings
        self.validator = PassportValidator.from_settings(settings)
        self.pool = ValidationPool(settings, settings.validation_workers, "forkserver")

    def run(self, jobs: list[Job]) -> list[Report | MicrocredError]:
        for job in jobs:
            self.validator.profiles.get(job.profile)  # 404 for an unknown profile, before any work
        return self.pool.validate_many(jobs)


@bp.record_once
def _setup(state: Any) -> None:
    state.app.extensions["microcred"].extras["validation"] = ValidationService(state.app)


def service() -> ValidationService:
    return current_app.extensions["microcred"].extras["validation"]


def _profile_param() -> str | None:
    return request.args.get("_profile") or request.args.get("profile") or request.form.get("profile") or None


def _language() -> str:
    return check_language(request.args.get("_lang")) or (
        request.accept_languages.best_match(list(MESSAGE_LANGUAGES))
        or current_app.extensions["microcred"].settings.default_language)


@bp.get("/validate")
def listing() -> Response:
    """The profiles (JSON), or the page to paste or upload a passport (HTML)."""
    fmt = negotiate(request.headers.get("Accept"), LISTING_FORMATS, request.args.get("_mediatype"))
    lang = _language()
    profiles = service().validator.profiles
    if fmt is HTML:
        return _page([], [], lang)
    body = {"default": profiles.default, "profiles": [p.summary(lang) for p in profiles]}
    return _json(body)


@bp.post("/validate")
def validate() -> Response:
    """Validate the passport in the body, or each one uploaded; answer in the negotiated format."""
    fmt = negotiate(request.headers.get("Accept"), REPORT_FORMATS, request.args.get("_mediatype"))
    lang, profile = _language(), _profile_param()
    jobs = _jobs(profile, lang)
    outcomes = service().run(jobs)  # a busy pool raises LimitExceeded: 503 with Retry-After
    single = len(jobs) == 1 and not request.files
    if single and isinstance(outcomes[0], MicrocredError):
        raise outcomes[0]
    reports = [o for o in outcomes if isinstance(o, Report)]
    errors = [(job.name, o) for job, o in zip(jobs, outcomes) if isinstance(o, MicrocredError)]
    if fmt is HTML:
        return _page(reports, errors, lang, profile)
    if fmt is SUMMARY:
        if single:
            return _json(reports[0].to_json())
        return _json(_batch(reports, errors))
    graph = reports[0].to_graph() if reports else None
    for report in reports[1:]:
        graph += report.to_graph()  # type: ignore[operator]
    body = graph.serialize(format=fmt.rdflib_name) if graph is not None else ""
    return Response(body, content_type=fmt.content_type, headers=_headers())


def _jobs(profile: str | None, lang: str) -> list[Job]:
    base = request.base_url
    if request.mimetype == "multipart/form-data" or request.mimetype == "application/x-www-form-urlencoded":
        uploads = [f for key in request.files for f in request.files.getlist(key)]
        jobs = [_upload(f, profile, lang, base) for f in uploads if f.filename]
        pasted = request.form.get("passport", "").strip()
        if pasted:
            jobs.insert(0, Job(pasted.encode(), request.form.get("format") or None, profile, lang, base, "pasted"))
        if not jobs:
            raise InputError("no passport in the form: paste one into `passport` or upload files")
        return jobs
    data = request.get_data(cache=False)  # bounded by the body-limit layer (web/bodylimit.py): 413 beyond it
    if _empty(data):
        raise InputError(EMPTY)
    return [Job(data, request.headers.get("Content-Type"), profile, lang, base, None)]


def _upload(upload: FileStorage, profile: str | None, lang: str, base: str) -> Job:
    from microcred.parsing import BY_SUFFIX, BY_TOKEN

    name = upload.filename or upload.name or "upload"
    suffix = "." + name.rsplit(".", 1)[-1].lower() if "." in name else ""
    media_type = upload.mimetype if upload.mimetype not in ("", "application/octet-stream") else None
    if media_type is None and suffix in BY_SUFFIX:
        media_type = BY_TOKEN[BY_SUFFIX[suffix]].media_types[0]
    data = upload.read()
    if _empty(data):
        raise InputError(f"{name}: {EMPTY}", source=name)
    return Job(data, media_type, profile, lang, base, name)


def _empty(data: bytes) -> bool:
    return not data.removeprefix(BOM).strip()


def _batch(reports: list[Report], errors: list[tuple[str | None, MicrocredError]]) -> dict:
    summary = {"passports": len(reports) + len(errors), "conforming": sum(r.conforms for r in reports),
               "notConforming": sum(not r.conforms for r in reports), "errors": len(errors)}
    return {"summary": summary, "reports": [r.to_json() for r in reports],
            "errors": [dict(e.to_problem(), source=name) for name, e in errors]}


def _headers() -> dict[str, str]:
    return {"Vary": "Accept, Accept-Language", "Cache-Control": "no-store", "Access-Control-Allow-Origin": "*"}


def _json(body: dict) -> Response:
    return Response(json.dumps(body, ensure_ascii=False, indent=2), mimetype="application/json",
                    headers=_headers())


def _page(reports: list[Report], errors: list, lang: str, chosen: str | None = None) -> Response:
    state = current_app.extensions["microcred"]
    profiles = service().validator.profiles
    html = template_environment().get_template("validate.html").render(
        title="Validate a learning passport", lang=lang, profiles=list(profiles),
        chosen=chosen or profiles.default, reports=reports, errors=errors,
        term_link=lambda iri: link_for(state.vocabulary, iri))
    return Response(html, mimetype="text/html", headers=_headers())
