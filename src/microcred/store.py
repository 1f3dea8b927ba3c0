"""The query engine behind SPARQL: requests, results, limits, and the choice of backend.

Embedded (default): pyoxigraph in worker processes (querypool.py), fed from memory or from an
on-disk store. Remote: any SPARQL 1.1 endpoint (remotestore.py). Core module: no Flask.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import pyoxigraph as ox

from microcred.config import Settings
from microcred.conneg import RDF_FORMATS, RESULTS_FORMATS, Format
from microcred.errors import (
    ConfigurationError,
    InputError,
    LimitExceeded,
    QueryRefused,
    QuerySyntaxError,
)
from microcred.namespaces import PREFIXES
from microcred.querymessages import explain
from microcred.querytext import QueryText, variables_in_order

#: Every format a query result is written in, by token.
RESULT_FORMATS: dict[str, Format] = {f.token: f for f in RESULTS_FORMATS + RDF_FORMATS}
RESULTS_SYNTAX = {"json": ox.QueryResultsFormat.JSON, "xml": ox.QueryResultsFormat.XML,
                  "csv": ox.QueryResultsFormat.CSV, "tsv": ox.QueryResultsFormat.TSV}
GRAPH_SYNTAX = {"ttl": ox.RdfFormat.TURTLE, "jsonld": ox.RdfFormat.JSON_LD,
                "rdf": ox.RdfFormat.RDF_XML, "nt": ox.RdfFormat.N_TRIPLES}
_POSITION = re.compile(r"(?:error at |line )(\d+)(?::|, column )(\d+)")


def _bytes(data: bytes | None) -> bytes:
    """pyoxigraph's serialisers return bytes when given no output file."""
    assert data is not None
    return data


def formats_for(query: QueryText) -> tuple[Format, ...]:
    """The formats a query's results can be written in: RDF for graphs, SPARQL results else."""
    return RDF_FORMATS if query.returns_graph else RESULTS_FORMATS


@dataclass(frozen=True)
class QueryRequest:
    """One query to run: its checked text, the result format, the protocol's dataset."""

    query: QueryText
    result_format: str = "json"
    default_graphs: tuple[str, ...] = ()
    named_graphs: tuple[str, ...] = ()
    base_iri: str | None = None

    @property
    def format(self) -> Format:
        return RESULT_FORMATS[self.result_format]


@dataclass(frozen=True)
class QueryResult:
    """A query's results, already serialised: bytes, their media type, rows or triples."""

    body: bytes
    media_type: str
    content_type: str
    count: int


class QueryEngine(Protocol):
    """What the endpoint, the CLI and the benchmarks need from a backend."""

    kind: str  # "embedded" or "remote"

    def run(self, request: QueryRequest) -> QueryResult: ...

    def close(self) -> None: ...


def syntax_error(message: str, lines_added: int = 0, text: str | None = None) -> QuerySyntaxError:
    """A QuerySyntaxError carrying the line and column found in a parser's message.

    `lines_added`: lines put before the user's text, taken off again so positions are theirs.
    With the query's `text`, the message is made readable (querymessages) and the parser's own
    is kept in the `parser_message` field.
    """
    match = _POSITION.search(message)
    line = int(match.group(1)) - lines_added if match else None
    column = int(match.group(2)) if match else None
    if text is not None:
        detail, line, column = explain(text, message, line, column)
        return QuerySyntaxError(detail, line=line, column=column, parser_message=message.strip()[:500])
    if not match:
        return QuerySyntaxError(message.strip() or "malformed query", line=None, column=None)
    text = message[:match.start(1)] + str(line) + message[match.end(1):]
    return QuerySyntaxError(text.strip(), line=line, column=column)


def _dataset(request: QueryRequest) -> dict:
    """pyoxigraph's dataset arguments: the protocol's graphs, else the union of every graph."""
    if not request.default_graphs and not request.named_graphs:
        # FROM / FROM NAMED in the query define the dataset; the union flag would override them
        return {} if request.query.has_dataset else {"use_default_graph_as_union": True}
    try:
        return {"default_graph": [ox.NamedNode(g) for g in request.default_graphs],
                "named_graphs": [ox.NamedNode(g) for g in request.named_graphs]}
    except ValueError as exc:
        raise InputError(f"default-graph-uri and named-graph-uri must be IRIs: {exc}") from exc


class CountingSink:
    """A binary writer that counts a marker as bytes arrive and stops at the limits."""

    def __init__(self, marker: bytes, limit: int, deadline: float, header: int = 0) -> None:
        self.marker, self.limit, self.deadline, self.header = marker, limit, deadline, header
        self.parts: list[bytes] = []
        self.count = 0
        self._tail = b""

    def write(self, data: bytes) -> int:
        chunk = bytes(data)
        window = self._tail + chunk
        self.count += window.count(self.marker)
        self._tail = window[-(len(self.marker) - 1):] if len(self.marker) > 1 else b""
        self.parts.append(chunk)
        check_limits(self.count - self.header, self.limit, self.deadline)
        return len(chunk)

    def flush(self) -> None:
        pass


def check_limits(count: int, limit: int, deadline: float) -> None:
    """Raise LimitExceeded when a result passes the size limit or the time is up."""
    if count > limit:
        raise LimitExceeded(f"the query returns more than {limit} results; "
                            "narrow it or add LIMIT", reason="size", limit=limit)
    if time.monotonic() > deadline:
        raise LimitExceeded("the query ran out of time", reason="timeout")


class _Limited:
    """Triples passed through while counting them and watching the limits."""

    def __init__(self, triples: Iterable[ox.Triple], limit: int, deadline: float) -> None:
        self.triples, self.limit, self.deadline = triples, limit, deadline
        self.count = 0

    def __iter__(self) -> Iterator[ox.Triple]:
        for triple in self.triples:
            self.count += 1
            if self.count & 255 == 0 or self.count > self.limit:
                check_limits(self.count, self.limit, self.deadline)
            yield triple


def order_columns(tsv: bytes, query: QueryText) -> bytes:
    """SELECT * results with their columns in the order the query names the variables.

    pyoxigraph (and Oxigraph server) put SELECT * columns in alphabetical order; people read
    them in the order they wrote them, as Jena and Virtuoso give them. TSV escapes tabs and
    newlines inside terms, so a line splits into its cells on tabs.
    """
    if not query.select_star:
        return tsv
    header, newline, rest = tsv.partition(b"\n")
    names = header.split(b"\t") if header else []
    rank = {name: i for i, name in enumerate(variables_in_order(query.text))}
    order = sorted(range(len(names)), key=lambda i: (rank.get(names[i][1:].decode(), len(rank)), i))
    if order == list(range(len(names))):
        return tsv
    lines = [header, *rest.split(b"\n")] if newline else [header]
    return b"\n".join(b"\t".join(cells[i] for i in order) if len(cells := line.split(b"\t")) == len(names)
                      else line for line in lines)


def write_solutions(solutions: ox.QuerySolutions, query: QueryText, fmt: Format, limit: int,
                    deadline: float) -> tuple[bytes, int]:
    """Serialise SELECT results, counting rows as they stream (TSV has one line per row)."""
    sink = CountingSink(b"\n", limit, deadline, header=1)
    solutions.serialize(sink, format=ox.QueryResultsFormat.TSV)  # type: ignore[arg-type]
    tsv = order_columns(b"".join(sink.parts), query)
    if fmt.token == "tsv":
        return tsv, sink.count - 1
    parsed = ox.parse_query_results(tsv, format=ox.QueryResultsFormat.TSV)
    return _bytes(parsed.serialize(format=RESULTS_SYNTAX[fmt.token])), sink.count - 1


def write_graph(triples: Iterable[ox.Triple], fmt: Format, limit: int,
                deadline: float) -> tuple[bytes, int]:
    """Serialise CONSTRUCT or DESCRIBE results, counting triples."""
    limited = _Limited(triples, limit, deadline)
    body = ox.serialize(iter(limited), format=GRAPH_SYNTAX[fmt.token],
                        prefixes=PREFIXES if fmt.token in ("ttl", "rdf") else None)
    return _bytes(body), limited.count


def evaluate(store: ox.Store, request: QueryRequest, max_results: int, timeout: float) -> QueryResult:
    """Run a query on a store in this process and serialise its results within the limits.

    The time limit is checked while results stream; a query that computes for long before its
    first result is stopped by the worker pool, which kills its process.
    """
    deadline = time.monotonic() + timeout
    fmt = request.format
    try:
        results = store.query(request.query.text, base_iri=request.base_iri, **_dataset(request))
        if isinstance(results, ox.QueryBoolean):
            if fmt.token not in RESULTS_SYNTAX:
                raise QueryRefused(f"an ASK query has no {fmt.media_type} form")
            body, count = _bytes(results.serialize(format=RESULTS_SYNTAX[fmt.token])), 1
        elif isinstance(results, ox.QuerySolutions):
            if fmt.token not in RESULTS_SYNTAX:
                raise QueryRefused(f"a SELECT query has no {fmt.media_type} form")
            body, count = write_solutions(results, request.query, fmt, max_results, deadline)
        else:
            if fmt.token not in GRAPH_SYNTAX:
                raise QueryRefused(f"a {request.query.form} query has no {fmt.media_type} form")
            body, count = write_graph(results, fmt, max_results, deadline)
    except SyntaxError as exc:
        raise syntax_error(str(exc), text=request.query.text) from None
    except OSError as exc:  # pyoxigraph's errors while reading the store or evaluating
        raise QueryRefused(f"the query could not be evaluated: {exc}") from None
    return QueryResult(body, fmt.media_type, fmt.content_type, count)


def open_engine(settings: Settings, store: ox.Store | None = None,
                version: str = "") -> QueryEngine:
    """The backend the settings ask for: a remote endpoint, or pyoxigraph over `store`.

    With settings.store_path the data goes to (or is already in) that on-disk store, which
    the workers open read-only; otherwise each worker loads a copy into memory.
    """
    if settings.sparql_endpoint:
        from microcred.remotestore import RemoteEngine

        return RemoteEngine(settings.sparql_endpoint, settings.query_timeout, settings.max_results)
    from microcred.querypool import EmbeddedEngine, StoreSource
    from microcred.storefiles import fill_store, is_store

    if settings.store_path:
        if store is not None:
            data = store
            fill_store(settings.store_path, version or "unversioned", lambda disk: disk.bulk_extend(data))
        elif not is_store(Path(settings.store_path)):
            raise ConfigurationError(
                f"no store at {settings.store_path}: create it with `microcred load`")
        source = StoreSource(path=settings.store_path, on_disk=True)
    else:
        source = StoreSource.in_memory(store if store is not None else ox.Store())
    return EmbeddedEngine(source, workers=settings.query_workers, timeout=settings.query_timeout,
                          max_results=settings.max_results, memory_mb=settings.query_memory)
