"""The query engine behind SPARQL: requests, results, limits, and the choice of backend.

Embedded (default): pyoxigraph in worker processes (querypool.py), fed from memory or from an
on-disk store. Remote: any SPARQL 1.1 endpoint (remotestore.py). Core module: no Flask.
"""

from __future__ import annotations

import fcntl
import hashlib
import re
import time
from collections.abc import Callable, Iterable, Iterator
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
from microcred.querytext import QueryText

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


def syntax_error(message: str, lines_added: int = 0) -> QuerySyntaxError:
    """A QuerySyntaxError carrying the line and column found in a parser's message.

    `lines_added`: lines put before the user's text, taken off again so positions are theirs.
    """
    match = _POSITION.search(message)
    if not match:
        return QuerySyntaxError(message.strip() or "malformed query", line=None, column=None)
    line, column = int(match.group(1)) - lines_added, int(match.group(2))
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


def write_solutions(solutions: ox.QuerySolutions, fmt: Format, limit: int,
                    deadline: float) -> tuple[bytes, int]:
    """Serialise SELECT results, counting rows as they stream (TSV has one line per row)."""
    if fmt.token == "xml":
        sink = CountingSink(b"<result>", limit, deadline)
        solutions.serialize(sink, format=ox.QueryResultsFormat.XML)  # type: ignore[arg-type]
        return b"".join(sink.parts), sink.count
    sink = CountingSink(b"\n", limit, deadline, header=1)
    solutions.serialize(sink, format=ox.QueryResultsFormat.TSV)  # type: ignore[arg-type]
    tsv = b"".join(sink.parts)
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
            body, count = write_solutions(results, fmt, max_results, deadline)
        else:
            if fmt.token not in GRAPH_SYNTAX:
                raise QueryRefused(f"a {request.query.form} query has no {fmt.media_type} form")
            body, count = write_graph(results, fmt, max_results, deadline)
    except SyntaxError as exc:
        raise syntax_error(str(exc)) from None
    except OSError as exc:  # pyoxigraph's errors while reading the store or evaluating
        raise QueryRefused(f"the query could not be evaluated: {exc}") from None
    return QueryResult(body, fmt.media_type, fmt.content_type, count)


def files_version(files: Iterable[Path], base_iri: str) -> str:
    """The version of a set of RDF files, computed as the vocabulary loader computes it."""
    digest = hashlib.sha256(base_iri.encode())
    for path in files:
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


def version_file(store_path: str) -> Path:
    """The file beside an on-disk store that records which vocabulary version it holds."""
    return Path(store_path.rstrip("/") + ".version")


def fill_store(store_path: str, version: str, fill: Callable[[ox.Store], None]) -> bool:
    """Make the on-disk store hold `version` of the data, calling `fill` only when it does not.

    True when the store was (re)loaded. A lock file serialises server processes that start
    together; the version is written last, so an interrupted load is redone.
    """
    Path(store_path).parent.mkdir(parents=True, exist_ok=True)
    marker = version_file(store_path)
    with open(store_path.rstrip("/") + ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if marker.exists() and marker.read_text().strip() == version:
            return False
        marker.unlink(missing_ok=True)
        store = ox.Store(store_path)
        store.clear()
        fill(store)
        store.flush()
        del store
        marker.write_text(version + "\n")
        return True


def load_files(store_path: str, files: Iterable[Path], base_iri: str) -> str:
    """Load RDF files into an on-disk store, each a named graph as in the vocabulary; its version."""
    from microcred.vocabulary import load_file

    ordered = sorted(files, key=lambda p: p.name)
    version = files_version(ordered, base_iri)

    def fill(store: ox.Store) -> None:
        for path in ordered:
            load_file(store, path, base_iri)

    fill_store(store_path, version, fill)
    return version


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

    if settings.store_path:
        if store is not None:
            data = store
            fill_store(settings.store_path, version or "unversioned", lambda disk: disk.bulk_extend(data))
        elif not Path(settings.store_path).is_dir():
            raise ConfigurationError(
                f"no store at {settings.store_path}: create it with `microcred load`")
        source = StoreSource(path=settings.store_path, on_disk=True)
    else:
        source = StoreSource.in_memory(store if store is not None else ox.Store())
    return EmbeddedEngine(source, workers=settings.query_workers, timeout=settings.query_timeout,
                          max_results=settings.max_results, memory_mb=settings.query_memory)
