"""The vocabulary read from a remote SPARQL endpoint: the few pyoxigraph Store calls the
vocabulary makes, answered by SELECT queries over HTTP, and the indexes over them, lazy and bounded.

No data is copied into the worker: documents are rendered from queries and cached per version,
as in the embedded mode. Core module: no Flask.
"""

from __future__ import annotations

import hashlib
import json
import urllib.error
from collections import OrderedDict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

import pyoxigraph as ox

from microcred.config import Settings
from microcred.errors import BackendError, LimitExceeded
from microcred.namespaces import DCTERMS, RDF
from microcred.remotestore import endpoint_opener, query_request
from microcred.vocabindex import KINDS, LABEL_PREDICATES, RANK, LabelIndex
from microcred.vocabulary import Vocabulary

#: Most IRIs whose kind (or absence) a worker remembers.
KIND_CACHE = 50_000
#: Most IRIs with a fragment held in a table of their heads; past it, each look-up is a query.
HASH_TABLE_LIMIT = 10_000
#: Blank nodes followed below a subject in a bounded description (nested structures).
BNODE_DEPTH = 3
_TSV = "text/tab-separated-values"


@dataclass(frozen=True)
class Summary:
    """What identifies the endpoint's data cheaply: triples per graph and the newest dct:modified."""

    graphs: dict[str, int]   # graph IRI -> triples; {"": n} when the data is in the default graph
    modified: str            # the greatest dct:modified value, "" when there is none

    def version(self, base_iri: str) -> str:
        text = json.dumps([base_iri, sorted(self.graphs.items()), self.modified])
        return hashlib.sha256(text.encode()).hexdigest()[:16]

    def last_modified(self) -> datetime:
        """The newest dct:modified as a time, else now (a restart then never answers a stale 304)."""
        try:
            found = datetime.fromisoformat(self.modified[:19])
        except ValueError:
            return datetime.now(UTC).replace(microsecond=0)
        return found.replace(tzinfo=found.tzinfo or UTC)


class EndpointStore:
    """A read-only stand-in for pyoxigraph.Store over a SPARQL 1.1 endpoint.

    Each call is one query; results stream, so a scan of the whole data holds one row at a time.
    Failures raise BackendError (502) or LimitExceeded (503); nothing is retried or cached here.
    """

    def __init__(self, endpoint: str, timeout: float) -> None:
        self.endpoint, self.timeout = endpoint, timeout
        self._opener = endpoint_opener()
        self.named = True  # the data sits in named graphs (one per file, as `microcred load` writes)

    def select(self, query: str) -> Iterator[ox.QuerySolution]:
        """The solutions of a SELECT, parsed as they arrive."""
        request = query_request(self.endpoint, [("query", query)], _TSV)
        try:
            with self._opener.open(request, timeout=self.timeout) as response:
                solutions = ox.parse_query_results(response, format=ox.QueryResultsFormat.TSV)
                assert isinstance(solutions, ox.QuerySolutions)  # TSV holds SELECT results only
                yield from solutions
        except urllib.error.HTTPError as exc:
            with exc:  # an HTTPError holds the connection open until closed
                detail = exc.read(500).decode("utf-8", "replace").strip()
            raise BackendError(f"the SPARQL endpoint answered {exc.code}: {detail}",
                               upstream_status=exc.code) from None
        except TimeoutError:
            raise self._timeout() from None
        except urllib.error.URLError as exc:
            if isinstance(exc.reason, TimeoutError):
                raise self._timeout() from None
            raise BackendError(f"the SPARQL endpoint could not be reached: {exc.reason}") from None
        except (OSError, SyntaxError) as exc:  # the connection broke or the answer was cut short
            raise BackendError(f"the SPARQL endpoint's answer could not be read: {exc}") from None

    def _timeout(self) -> LimitExceeded:
        return LimitExceeded(f"the SPARQL endpoint did not answer within {self.timeout:g} s",
                             reason="timeout", limit=self.timeout)

    def _in_graphs(self, pattern: str, graph: ox.NamedNode | None = None) -> str:
        if not self.named:
            return "{ " + pattern + " }"
        return f"GRAPH {graph or '?g'} {{ {pattern} }}"

    def _quads(self, query: str, terms: dict[str, object], graph: ox.NamedNode | None = None) -> Iterator[ox.Quad]:
        for row in self.select(query):
            s, p, o = (row[v] if terms.get(v) is None else terms[v] for v in ("s", "p", "o"))
            g = graph or (row["g"] if self.named else ox.DefaultGraph())
            yield ox.Quad(s, p, o, g)  # type: ignore[arg-type]

    def quads_for_pattern(self, subject: object = None, predicate: object = None, obj: object = None,
                          graph_name: ox.NamedNode | None = None) -> Iterator[ox.Quad]:
        """The quads matching a pattern (None matches anything), in any graph unless one is given."""
        if isinstance(subject, ox.BlankNode):
            raise TypeError("a blank node cannot be named in a query; use bounded_quads")
        terms = {"s": subject, "p": predicate, "o": obj}
        pattern = " ".join(str(t) if t is not None else "?" + v for v, t in terms.items())
        query = f"SELECT * WHERE {{ {self._in_graphs(pattern, graph_name)} }}"
        return self._quads(query, terms, graph_name)

    def quads_for_subjects(self, subjects: list[ox.NamedNode],
                           predicates: list[ox.NamedNode]) -> Iterator[ox.Quad]:
        """The quads of any of `subjects` with any of `predicates`, in one query."""
        # one VALUES of pairs: two separate VALUES make Oxigraph scan the whole ?s ?p ?o pattern
        pairs = " ".join(f"({s} {p})" for s in subjects for p in predicates)
        if not pairs:
            return iter(())
        query = f"SELECT * WHERE {{ VALUES (?s ?p) {{ {pairs} }} {self._in_graphs('?s ?p ?o')} }}"
        return self._quads(query, {})

    def bounded_quads(self, subjects: Iterable[ox.NamedNode]) -> Iterator[ox.Quad]:
        """The quads of `subjects` and of the blank nodes below them (to BNODE_DEPTH), in one
        query: blank node labels hold only within one result set, so they cannot be followed."""
        values = " ".join(map(str, subjects))
        branches = ["{ ?root ?p ?o BIND(?root AS ?s) }"]
        for depth in range(1, BNODE_DEPTH + 1):
            nodes = ["?root"] + [f"?b{i}" for i in range(1, depth)] + ["?s"]
            hops = " ".join(f"{nodes[i]} ?h{i} {nodes[i + 1]} FILTER isBlank({nodes[i + 1]})"
                            for i in range(depth))
            branches.append(f"{{ {hops} ?s ?p ?o }}")
        query = f"SELECT ?s ?p ?o ?g WHERE {{ VALUES ?root {{ {values} }} " \
                f"{self._in_graphs(' UNION '.join(branches))} }}"
        return self._quads(query, {})

    def __iter__(self) -> Iterator[ox.Quad]:
        return self.quads_for_pattern()

    def __len__(self) -> int:
        for row in self.select(f"SELECT (COUNT(*) AS ?n) WHERE {{ {self._in_graphs('?s ?p ?o')} }}"):
            return int(row["n"].value)
        return 0

    def summary(self) -> Summary:
        """Triples per graph and the newest dct:modified: two aggregate queries."""
        graphs = {row["g"].value: int(row["n"].value) for row in self.select(
            "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")}
        self.named = bool(graphs)
        if not graphs:
            graphs = {"": len(self)}
        modified = ""
        for row in self.select(f"SELECT (MAX(STR(?m)) AS ?m) WHERE {{ "
                               f"{self._in_graphs(f'?x <{DCTERMS.modified}> ?m')} }}"):
            modified = row["m"].value if row["m"] is not None else ""
        return Summary(graphs, modified)


def _typed(store: EndpointStore, extra: str = "") -> str:
    return store._in_graphs(f"?s <{RDF.type}> ?t") + f" FILTER(isIRI(?s){extra})"


class EndpointResourceIndex(Mapping[str, str]):
    """IRI -> kind, as ResourceIndex, answered by the endpoint: one query per IRI looked up
    (remembered, at most KIND_CACHE of them); iteration streams the typed IRIs in order."""

    def __init__(self, store: EndpointStore) -> None:
        self.store = store
        self._kinds: OrderedDict[str, str | None] = OrderedDict()
        self._size: int | None = None
        self._hash_table: dict[str, list[str]] | None = None
        self._hash_read = False

    def _lookup(self, iri: str) -> str | None:
        try:
            node = ox.NamedNode(iri)
        except ValueError:  # not a valid IRI: certainly not described here
            return None
        query = (f"SELECT ?t WHERE {{ {{ {self.store._in_graphs(f'{node} <{RDF.type}> ?t')} }} UNION "
                 f"{{ SELECT ?any WHERE {{ {self.store._in_graphs(f'{node} ?any ?o')} }} LIMIT 1 }} }}")
        rows = list(self.store.select(query))
        if not rows:
            return None
        return best_kind(row["t"].value for row in rows if row["t"] is not None)

    def __getitem__(self, iri: str) -> str:
        if iri in self._kinds:
            kind = self._kinds[iri]
        else:
            kind = self._lookup(iri)
            self._kinds[iri] = kind
            if len(self._kinds) > KIND_CACHE:
                self._kinds.popitem(last=False)
        if kind is None:
            raise KeyError(iri)
        return kind

    def __contains__(self, iri: object) -> bool:
        if not isinstance(iri, str):
            return False
        try:
            self[iri]
        except KeyError:
            return False
        return True

    def items(self) -> Iterator[tuple[str, str]]:  # type: ignore[override]
        """(IRI, kind) of every typed IRI, in IRI order, streamed."""
        current, types = None, []
        for row in self.store.select(f"SELECT ?s ?t WHERE {{ {_typed(self.store)} }} ORDER BY ?s"):
            iri = row["s"].value
            if iri != current and current is not None:
                yield current, best_kind(types)
                types = []
            current = iri
            types.append(row["t"].value)
        if current is not None:
            yield current, best_kind(types)

    def __iter__(self) -> Iterator[str]:
        return (iri for iri, _ in self.items())

    def __len__(self) -> int:
        if self._size is None:
            query = f"SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE {{ {_typed(self.store)} }}"
            self._size = next(int(row["n"].value) for row in self.store.select(query))
        return self._size

    def starting_with(self, prefix: str, limit: int) -> list[str]:
        """Typed IRIs that start with `prefix`, in order, at most `limit`."""
        test = f" && STRSTARTS(STR(?s), {ox.Literal(prefix)})"
        query = f"SELECT DISTINCT ?s WHERE {{ {_typed(self.store, test)} }} ORDER BY ?s LIMIT {int(limit)}"
        return [row["s"].value for row in self.store.select(query)]

    def fragments(self, iri: str) -> list[str]:
        """Typed IRIs made of `iri` and a fragment."""
        table = self.hash_table()
        if table is not None:
            return list(table.get(iri, ()))
        return self.starting_with(iri + "#", KIND_CACHE)  # a scan of the typed IRIs at the endpoint

    def hash_table(self) -> dict[str, list[str]] | None:
        """IRI -> its typed fragment IRIs, read in one query when there are at most
        HASH_TABLE_LIMIT of them (slash vocabularies have none); None when there are more."""
        if not self._hash_read:
            test = ' && CONTAINS(STR(?s), "#")'
            query = f"SELECT DISTINCT ?s WHERE {{ {_typed(self.store, test)} }} LIMIT {HASH_TABLE_LIMIT + 1}"
            found = [row["s"].value for row in self.store.select(query)]
            if len(found) <= HASH_TABLE_LIMIT:
                table: dict[str, list[str]] = {}
                for iri in found:
                    table.setdefault(iri.partition("#")[0], []).append(iri)
                self._hash_table = table
            self._hash_read = True
        return self._hash_table


class EndpointLabelIndex(LabelIndex):
    """LabelIndex over the endpoint: one query per IRI (remembered, at most KIND_CACHE)."""

    limit = KIND_CACHE

    def languages(self) -> list[str]:
        values = " ".join(f"<{p}>" for p in LABEL_PREDICATES)
        query = (f"SELECT DISTINCT (LCASE(LANG(?l)) AS ?tag) WHERE {{ VALUES ?p {{ {values} }} "
                 f"{self.store._in_graphs('?s ?p ?l')} FILTER(isLiteral(?l) && LANG(?l) != \"\") }}")
        return sorted({row["tag"].value for row in self.store.select(query)})


def best_kind(types: Iterable[str]) -> str:
    """The kind shown for a resource with these rdf:types (a scheme beats a concept...)."""
    kinds = [KINDS.get(t, "resource") for t in types] or ["resource"]
    return max(kinds, key=lambda k: RANK.get(k, 0))


def endpoint_vocabulary(settings: Settings) -> Vocabulary:
    """The vocabulary answered by settings.sparql_endpoint; no file is read.

    Its version is a hash of the base IRI, the triples per graph and the newest dct:modified (two
    aggregate queries at start), so every worker over one endpoint agrees on it. An edit that keeps
    every count should change dct:modified, as editors do.
    """
    from microcred.representations import RENDERERS

    store = EndpointStore(settings.sparql_endpoint, settings.query_timeout)
    summary = store.summary()
    resources = EndpointResourceIndex(store)
    resources.hash_table()  # one scan now rather than on the first request
    return Vocabulary(settings=settings, store=store, files=[], version=summary.version(settings.base_iri),
                      modified=summary.last_modified(), resources=resources,
                      labels=EndpointLabelIndex(store), renderers=dict(RENDERERS),
                      graphs=sorted(g for g in summary.graphs if g))
