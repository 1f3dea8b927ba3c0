"""Typed errors raised by core code; web/ maps them to problem+json, cli.py to exit codes.

MicrocredError                 status 500, the base: every error we raise on purpose
├── InputError                 400  the request or file is wrong
│   ├── RDFSyntaxError         400  malformed RDF (line, column)
│   ├── QuerySyntaxError       400  malformed SPARQL (line, column)
│   ├── QueryRefused           400  an update, a SERVICE clause, a graph format for SELECT...
│   ├── ContextNotAvailable    400  a JSON-LD context that is not in the local store
│   └── UnknownProfile         404  a validation profile that does not exist
├── NotFound                   404  an unknown term or resource
├── NotAcceptable              406  nothing in Accept can be served (lists what can)
├── PayloadTooLarge            413
├── UnsupportedMediaType       415
├── LimitExceeded              503  a time or result-size limit was reached
├── BackendError               502  the remote SPARQL endpoint failed or could not be reached
└── ConfigurationError         500  the vocabulary, shapes or settings are broken (start-up)
"""

from __future__ import annotations

from typing import Any

PROBLEM_BASE = "https://w3id.org/microcred/problems/"
#: The most characters of a value from the request that an answer repeats.
ECHO_LIMIT = 200


def shorten(value: str, limit: int = ECHO_LIMIT) -> str:
    """`value`, or its first `limit` characters and an ellipsis when it is longer."""
    return value if len(value) <= limit else value[:limit] + f"… ({len(value)} characters)"


class MicrocredError(Exception):
    """Base of every error raised on purpose; carries what an RFC 9457 problem needs."""

    status = 500
    slug = "internal"
    title = "Internal error"

    def __init__(self, detail: str, **extra: Any) -> None:
        super().__init__(detail)
        self.detail = detail
        self.extra = extra

    @property
    def type_uri(self) -> str:
        return PROBLEM_BASE + self.slug

    def to_problem(self) -> dict[str, Any]:
        """The error as an RFC 9457 problem object."""
        problem: dict[str, Any] = {
            "type": self.type_uri,
            "title": self.title,
            "status": self.status,
            "detail": self.detail,
        }
        problem.update({k: v for k, v in self.extra.items() if v is not None})
        return problem


class InputError(MicrocredError):
    status = 400
    slug = "bad-request"
    title = "Bad request"


class RDFSyntaxError(InputError):
    slug = "rdf-syntax"
    title = "Malformed RDF"


class QuerySyntaxError(InputError):
    slug = "sparql-syntax"
    title = "Malformed SPARQL query"


class QueryRefused(InputError):
    slug = "query-refused"
    title = "Query refused"


class ContextNotAvailable(InputError):
    slug = "jsonld-context-unavailable"
    title = "JSON-LD context not in the local store"


class UnknownProfile(InputError):
    status = 404
    slug = "unknown-profile"
    title = "Unknown validation profile"


class NotFound(MicrocredError):
    status = 404
    slug = "not-found"
    title = "Not found"


class NotAcceptable(MicrocredError):
    status = 406
    slug = "not-acceptable"
    title = "Not acceptable"


class PayloadTooLarge(MicrocredError):
    status = 413
    slug = "payload-too-large"
    title = "Payload too large"


class UnsupportedMediaType(MicrocredError):
    status = 415
    slug = "unsupported-media-type"
    title = "Unsupported media type"


class LimitExceeded(MicrocredError):
    status = 503
    slug = "limit-exceeded"
    title = "Limit exceeded"


class BackendError(MicrocredError):
    status = 502
    slug = "sparql-backend"
    title = "SPARQL backend failed"


class ConfigurationError(MicrocredError):
    status = 500
    slug = "configuration"
    title = "Configuration error"
