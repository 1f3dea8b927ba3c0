"""Load vocab/ into a Vocabulary: a pyoxigraph store (one named graph per file), its resources,
its version, and the documents that describe each resource, computed once per version. With a
remote SPARQL endpoint set, the store is the endpoint and nothing is loaded (endpointstore.py).

Core module: no Flask. Serialisation lives in representations.py.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from rdflib import Graph, URIRef

from microcred.config import Settings
from microcred.conneg import Format
from microcred.errors import ConfigurationError, NotFound, RDFSyntaxError
from microcred.namespaces import CANONICAL_BASE, OWL, RDF, RDFS, SKOS
from microcred.rdfterms import canonical_bnodes, new_graph, to_rdflib_triple
from microcred.vocabindex import LabelIndex, ResourceIndex, quads_for_subjects

#: File extensions read from vocab/, and the parser each needs.
RDF_FILE_FORMATS: dict[str, ox.RdfFormat] = {
    ".ttl": ox.RdfFormat.TURTLE,
    ".nt": ox.RdfFormat.N_TRIPLES,
    ".rdf": ox.RdfFormat.RDF_XML,
    ".owl": ox.RdfFormat.RDF_XML,
    ".xml": ox.RdfFormat.RDF_XML,
    ".jsonld": ox.RdfFormat.JSON_LD,
    ".nq": ox.RdfFormat.N_QUADS,
    ".trig": ox.RdfFormat.TRIG,
}
BOM = b"\xef\xbb\xbf"
#: Graph names are stable across machines: urn:microcred:vocab:<file name>.
GRAPH_PREFIX = "urn:microcred:vocab:"
#: Types whose documents hold the whole graph they are declared in.
WHOLE_GRAPH_TYPES = (str(SKOS.ConceptScheme), str(OWL.Ontology))
#: The labels a description carries for each resource it links to (vocabindex has its own, wider
#: list for choosing the label a page shows).
LINKED_LABELS = (str(SKOS.prefLabel), str(RDFS.label))
#: Below this many resources every document is rendered at load time; above, on first request.
EAGER_LIMIT = 2000
#: Most documents kept in memory for a large vocabulary.
CACHE_LIMIT = 50_000


@dataclass(frozen=True)
class Representation:
    """One document: its bytes and the validators that go with them."""

    body: bytes
    content_type: str
    etag: str
    last_modified: str


@dataclass
class Vocabulary:
    """Everything loaded from vocab/: the store, the resources it describes, its version.

    `store` is a pyoxigraph Store, or an EndpointStore answering the same calls from a remote
    endpoint (then `files` is empty and `graphs` names the endpoint's graphs).
    """

    settings: Settings
    store: Any
    files: list[Path]
    version: str
    modified: datetime
    resources: Any  # ResourceIndex or EndpointResourceIndex: IRI -> "scheme", "ontology", "concept", "resource"
    labels: LabelIndex        # IRI -> {language tag: preferred label}
    renderers: dict[str, Callable[[Vocabulary, str, Format, str], bytes]] = field(default_factory=dict)
    _cache: OrderedDict[tuple[str, str, str], Representation] = field(default_factory=OrderedDict)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _languages: list[str] | None = None
    graphs: list[str] = field(default_factory=list)

    @property
    def base_iri(self) -> str:
        return self.settings.base_iri

    @property
    def last_modified(self) -> str:
        """The HTTP date of the newest vocabulary file."""
        return self.modified.strftime("%a, %d %b %Y %H:%M:%S GMT")

    def graph_names(self) -> list[str]:
        return self.graphs or [GRAPH_PREFIX + f.name for f in self.files]

    def iri_for_path(self, path: str) -> str:
        """The IRI a request path under the base stands for."""
        return self.base_iri + path.lstrip("/")

    def path_for_iri(self, iri: str) -> str | None:
        """The local path of an IRI under the base, or None for an IRI outside it."""
        if iri.startswith(self.base_iri):
            return "/" + iri[len(self.base_iri):]
        return None

    def kind(self, iri: str) -> str:
        """The kind of a resource, raising NotFound with the nearest IRIs for an unknown one."""
        try:
            return self.resources[iri]
        except KeyError:
            raise NotFound(f"{iri} is not described by this vocabulary",
                           iri=iri, nearest=self.nearest(iri)) from None

    def nearest(self, iri: str, n: int = 3) -> list[str]:
        """The IRIs that look most like `iri`, for 'did you mean' answers."""
        import difflib

        if len(self.resources) > EAGER_LIMIT:  # keep a 404 cheap on a large vocabulary
            candidates = self.resources.starting_with(iri.rstrip("/").rsplit("/", 1)[0], EAGER_LIMIT)
        else:
            candidates = list(self.resources)
        return difflib.get_close_matches(iri, candidates, n=n, cutoff=0.6)

    def label(self, iri: str, lang: str | None = None) -> str:
        """The preferred label in `lang`, then the default language, untagged, English, any."""
        return self.label_and_language(iri, lang)[0]

    def label_and_language(self, iri: str, lang: str | None = None) -> tuple[str, str]:
        """The label shown for `iri` in `lang` and the language tag it carries ("" untagged).

        One order everywhere: `lang`, the configured default, untagged, English, then the
        alphabetically first tag; a resource without labels shows its IRI's last segment.
        """
        labels = self.labels.get(iri, {})
        for tag in (lang.lower() if lang else None, self.settings.default_language.lower(), "", "en"):
            if tag is not None and tag in labels:
                return labels[tag], tag
        if labels:
            first = min(labels)
            return labels[first], first
        return iri.rstrip("/#").rsplit("/", 1)[-1].rsplit("#", 1)[-1], ""

    @property
    def languages(self) -> list[str]:
        """The language tags of the vocabulary's preferred labels, sorted."""
        if self._languages is None:
            self._languages = self.labels.languages()
        return self._languages

    def representation(self, iri: str, fmt: Format, variant: str = "") -> Representation:
        """The document for `iri` in `fmt` (and a variant, such as a page's language), rendered
        once per vocabulary version."""
        key = (iri, fmt.token, variant)
        cached = self._cache.get(key)
        if cached is not None:
            return cached
        self.kind(iri)
        body = self.renderers[fmt.token](self, iri, fmt, variant)
        rep = Representation(body, fmt.content_type, etag_for(body), self.last_modified)
        with self._lock:
            self._cache[key] = rep
            if len(self._cache) > CACHE_LIMIT:
                self._cache.popitem(last=False)
        return rep

    def cached(self, iri: str, token: str, variant: str = "") -> Representation | None:
        """A document already rendered, without rendering it."""
        return self._cache.get((iri, token, variant))

    def describe(self, iri: str) -> Graph:
        """What the vocabulary says about `iri`, plus the labels of the resources it links to.

        A scheme or ontology is described by every graph that declares it; anything else by its
        concise bounded description and the hash IRIs under it.
        """
        graph = new_graph()
        node = ox.NamedNode(iri)
        whole = [q.graph_name for q in self.store.quads_for_pattern(node, ox.NamedNode(str(RDF.type)), None)
                 if q.object.value in WHOLE_GRAPH_TYPES]
        if whole:
            for name in dict.fromkeys(whole):
                for quad in self.store.quads_for_pattern(None, None, None, name):
                    graph.add(to_rdflib_triple(quad))
            return canonical_bnodes(graph)
        subjects = [node] + [ox.NamedNode(s) for s in self.resources.fragments(iri)]
        self._add_bounded(graph, subjects)
        linked = sorted(str(o) for o in set(graph.objects()) if isinstance(o, URIRef) and o != URIRef(iri))
        for quad in quads_for_subjects(self.store, [ox.NamedNode(o) for o in linked],
                                       [ox.NamedNode(p) for p in LINKED_LABELS]):
            graph.add(to_rdflib_triple(quad))
        return canonical_bnodes(graph)

    def _add_bounded(self, graph: Graph, subjects: list) -> None:
        if hasattr(self.store, "bounded_quads"):  # a remote store follows blank nodes in one query
            for quad in self.store.bounded_quads(subjects):
                graph.add(to_rdflib_triple(quad))
            return
        seen: set[str] = set()
        while subjects:
            subject = subjects.pop()
            if subject.value in seen:
                continue
            seen.add(subject.value)
            for quad in self.store.quads_for_pattern(subject, None, None):
                graph.add(to_rdflib_triple(quad))
                if isinstance(quad.object, ox.BlankNode):
                    subjects.append(quad.object)

    def dataset_graph(self) -> Graph:
        """The union of every graph (triples once each)."""
        graph = new_graph()
        for quad in self.store:
            graph.add(to_rdflib_triple(quad))
        return canonical_bnodes(graph)

    def export(self, fmt: Format) -> bytes:
        """The whole vocabulary in one RDF format."""
        from microcred.representations import serialize

        return serialize(self.dataset_graph(), fmt)

    def warm(self, formats: tuple[Format, ...]) -> None:
        """Render every document now, when the vocabulary is small enough to hold them all."""
        if len(self.resources) <= EAGER_LIMIT:
            for iri in self.resources:
                for fmt in formats:
                    self.representation(iri, fmt)


def etag_for(body: bytes) -> str:
    """A strong entity tag: the start of the body's SHA-256."""
    return '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


def vocabulary_files(directory: Path) -> list[Path]:
    """The RDF files of a vocabulary directory, in a stable order."""
    if not directory.is_dir():
        raise ConfigurationError(f"vocabulary directory {directory} does not exist")
    return sorted(p for p in directory.iterdir() if p.is_file() and p.suffix.lower() in RDF_FILE_FORMATS)


def _rebase(quads: Iterator[ox.Quad], base: str) -> Iterator[ox.Quad]:
    """Rewrite IRIs under the canonical base to the deployment's base."""
    def move(term):
        if isinstance(term, ox.NamedNode) and term.value.startswith(CANONICAL_BASE):
            return ox.NamedNode(base + term.value[len(CANONICAL_BASE):])
        return term

    for q in quads:
        yield ox.Quad(move(q.subject), move(q.predicate), move(q.object), move(q.graph_name))


def load_file(store: ox.Store, path: Path, base: str) -> None:
    """Load one file into its own named graph, mapping parser errors to RDFSyntaxError.

    Relative IRIs resolve against the canonical base (then moved to the deployment's, like every
    other IRI), never against where the file lies; a leading UTF-8 byte-order mark is skipped.
    """
    fmt = RDF_FILE_FORMATS[path.suffix.lower()]
    graph = ox.NamedNode(GRAPH_PREFIX + path.name)
    with path.open("rb") as stream:
        has_bom = stream.read(3) == BOM
    source = {"input": path.read_bytes()[3:]} if has_bom else {"path": str(path)}
    try:
        if base == CANONICAL_BASE:
            store.bulk_load(**source, format=fmt, to_graph=graph, base_iri=CANONICAL_BASE)
        else:
            quads = ox.parse(**source, format=fmt, base_iri=CANONICAL_BASE)
            store.bulk_extend(_rebase((ox.Quad(q.subject, q.predicate, q.object, graph) for q in quads), base))
    except SyntaxError as exc:
        raise RDFSyntaxError(f"{path.name}: {exc}", file=path.name, line=getattr(exc, "lineno", None),
                             column=getattr(exc, "offset", None)) from exc


def files_version(files: Iterable[Path], base_iri: str) -> str:
    """The version of a vocabulary: a hash of its base IRI and its files' names and bytes (the
    same for the loader and for an on-disk store made by `microcred load`)."""
    digest = hashlib.sha256(base_iri.encode())
    for path in files:
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


def load_vocabulary(settings: Settings) -> Vocabulary:
    """Load every RDF file of settings.vocab_dir; the vocabulary's version is a hash of them all.

    With settings.sparql_endpoint, read nothing: the vocabulary is answered by the endpoint."""
    if settings.sparql_endpoint:
        from microcred.endpointstore import endpoint_vocabulary

        return endpoint_vocabulary(settings)
    files = vocabulary_files(Path(settings.vocab_dir))
    store = ox.Store()
    for path in files:
        load_file(store, path, settings.base_iri)
    newest = max((path.stat().st_mtime for path in files), default=0.0)
    resources, labels = ResourceIndex(store), LabelIndex(store)
    from microcred.representations import RENDERERS

    return Vocabulary(settings=settings, store=store, files=files,
                      version=files_version(files, settings.base_iri),
                      modified=datetime.fromtimestamp(int(newest), tz=UTC),
                      resources=resources, labels=labels, renderers=dict(RENDERERS))
