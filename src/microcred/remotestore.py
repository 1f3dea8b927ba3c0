"""The remote backend: checked queries forwarded to a SPARQL 1.1 endpoint (Oxigraph server,
Fuseki, GraphDB), its answer read within our limits and written in the format asked for.

The endpoint is asked for formats whose rows can be counted as they stream (TSV, N-Triples),
so the result-size limit holds whatever the backend. Core module: no Flask.
"""

from __future__ import annotations

import socket
import time
import urllib.error
import urllib.request
from urllib.parse import urlencode

import pyoxigraph as ox

import microcred
from microcred.errors import BackendError, LimitExceeded, MicrocredError
from microcred.namespaces import PREFIXES
from microcred.store import (
    GRAPH_SYNTAX,
    RESULTS_SYNTAX,
    CountingSink,
    QueryRequest,
    QueryResult,
    order_columns,
    syntax_error,
)

CHUNK = 64 * 1024
#: Most characters of an endpoint's error body repeated in our error messages.
ECHOED = 500
#: What we ask the endpoint for, per query form: media type, row marker, header lines.
WIRE: dict[str, tuple[str, bytes, int, ox.QueryResultsFormat | ox.RdfFormat]] = {
    "SELECT": ("text/tab-separated-values", b"\n", 1, ox.QueryResultsFormat.TSV),
    "ASK": ("application/sparql-results+xml", b"<boolean>", 0, ox.QueryResultsFormat.XML),
    "CONSTRUCT": ("application/n-triples", b"\n", 0, ox.RdfFormat.N_TRIPLES),
    "DESCRIBE": ("application/n-triples", b"\n", 0, ox.RdfFormat.N_TRIPLES),
}


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """The endpoint answers itself; a redirect elsewhere is an error, not a new destination."""

    def redirect_request(self, *args, **kwargs):
        return None


def endpoint_opener() -> urllib.request.OpenerDirector:
    """An opener for our own endpoint: no proxies from the environment (the endpoint is ours,
    usually on a private network) and no redirects."""
    return urllib.request.build_opener(urllib.request.ProxyHandler({}), _NoRedirects)


def query_request(endpoint: str, params: list[tuple[str, str]], accept: str) -> urllib.request.Request:
    """A SPARQL 1.1 Protocol query by form POST."""
    return urllib.request.Request(
        endpoint, data=urlencode(params).encode(), method="POST",
        headers={"Content-Type": "application/x-www-form-urlencoded", "Accept": accept,
                 "User-Agent": f"microcred/{microcred.__version__}"})


class RemoteEngine:
    """A SPARQL endpoint at `endpoint`, asked with the SPARQL 1.1 Protocol (form POST)."""

    kind = "remote"

    def __init__(self, endpoint: str, timeout: float, max_results: int) -> None:
        self.endpoint, self.timeout, self.max_results = endpoint, timeout, max_results
        self._opener = endpoint_opener()

    def run(self, request: QueryRequest) -> QueryResult:
        """Forward the query, read the answer within the limits, convert it."""
        deadline = time.monotonic() + self.timeout
        accept, marker, header, wire_format = WIRE[request.query.form]
        sink = CountingSink(marker, self.max_results, deadline, header)
        text = request.query.text
        if request.base_iri:  # relative IRIs resolve against our endpoint, not the backend's
            text = f"BASE <{request.base_iri}>\n{text}"
        params = [("query", text)] + [("default-graph-uri", g) for g in request.default_graphs] \
            + [("named-graph-uri", g) for g in request.named_graphs]
        http_request = query_request(self.endpoint, params, accept)
        try:
            with self._opener.open(http_request, timeout=self.timeout) as response:
                while chunk := response.read(CHUNK):
                    sink.write(chunk)
        except urllib.error.HTTPError as exc:
            with exc:  # an HTTPError holds the connection open until closed
                raise self._failure(exc, request) from None
        except TimeoutError:
            raise self._timeout() from None
        except urllib.error.URLError as exc:
            if isinstance(exc.reason, (TimeoutError, socket.timeout)):
                raise self._timeout() from None
            raise BackendError(f"the SPARQL endpoint could not be reached: {exc.reason}") from None
        return self._convert(b"".join(sink.parts), sink.count - header, request, wire_format)

    def close(self) -> None:
        """Nothing to release: each query opens its own connection."""

    def _convert(self, body: bytes, count: int, request: QueryRequest,
                 wire_format: ox.QueryResultsFormat | ox.RdfFormat) -> QueryResult:
        fmt = request.format
        try:
            if isinstance(wire_format, ox.RdfFormat):
                triples = (q.triple for q in ox.parse(body, format=wire_format))
                out = ox.serialize(triples, format=GRAPH_SYNTAX[fmt.token],
                                   prefixes=PREFIXES if fmt.token in ("ttl", "rdf") else None)
            else:
                if request.query.form == "SELECT":
                    body = order_columns(body, request.query)
                results = ox.parse_query_results(body, format=wire_format)
                out = results.serialize(format=RESULTS_SYNTAX[fmt.token])
                count = count if request.query.form == "SELECT" else 1
        except SyntaxError as exc:
            raise BackendError(f"the SPARQL endpoint sent malformed results: {exc}") from None
        return QueryResult(out or b"", fmt.media_type, fmt.content_type, count)

    def _timeout(self) -> LimitExceeded:
        return LimitExceeded(f"the query ran longer than {self.timeout:g} s and was stopped",
                             reason="timeout", limit=self.timeout)

    @staticmethod
    def _failure(exc: urllib.error.HTTPError, request: QueryRequest) -> MicrocredError:
        """Our error for the endpoint's: its 400 is the query's fault, anything else its own."""
        try:
            message = exc.read(4096).decode("utf-8", "replace").strip()[:ECHOED]
        except OSError:
            message = ""
        if exc.code == 400:
            return syntax_error(message or "the SPARQL endpoint refused the query",
                                int(bool(request.base_iri)), request.query.text)
        return BackendError(f"the SPARQL endpoint answered {exc.code}: {message}",
                            upstream_status=exc.code)
