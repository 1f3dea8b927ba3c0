"""The vocabulary's indexes over its pyoxigraph store: which IRIs it describes (and as what), and
their labels. Built cheaply at load and answered lazily, so a large vocabulary loads near the
speed and memory of the store itself.

Core module: no Flask.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

import pyoxigraph as ox

from microcred.namespaces import DCTERMS, OWL, RDF, RDFS, SKOS

KINDS = {str(SKOS.ConceptScheme): "scheme", str(OWL.Ontology): "ontology", str(SKOS.Concept): "concept"}
#: Label properties, weakest first: a skos:prefLabel beats an rdfs:label beats a dct:title.
LABEL_PREDICATES = (DCTERMS.title, RDFS.label, SKOS.prefLabel)
RANK = {"concept": 1, "scheme": 2, "ontology": 2}


class ResourceIndex(dict):
    """IRI -> kind ("scheme", "ontology", "concept", "resource") for every typed IRI subject.

    An IRI that is described but has no rdf:type is looked up in the store when asked for, and is
    not added to the mapping (so iterating it while pages render stays safe).
    """

    def __init__(self, store: ox.Store) -> None:
        super().__init__()
        self.store = store
        self.hash_members: dict[str, list[str]] = {}
        for quad in store.quads_for_pattern(None, ox.NamedNode(str(RDF.type)), None):
            subject = quad.subject
            if not isinstance(subject, ox.NamedNode):
                continue
            iri = subject.value
            kind = KINDS.get(quad.object.value, "resource")  # type: ignore[union-attr]
            current = dict.get(self, iri)
            if current is None:
                dict.__setitem__(self, iri, kind)
                head, hash_, _ = iri.partition("#")
                if hash_:
                    self.hash_members.setdefault(head, []).append(iri)
            elif RANK.get(kind, 0) > RANK.get(current, 0):
                dict.__setitem__(self, iri, kind)

    def _described(self, iri: str) -> bool:
        try:
            node = ox.NamedNode(iri)
        except ValueError:  # not a valid IRI: certainly not described here
            return False
        return next(iter(self.store.quads_for_pattern(node, None, None)), None) is not None

    def __missing__(self, iri: str) -> str:
        if self._described(iri):
            return "resource"
        raise KeyError(iri)

    def __contains__(self, iri: object) -> bool:
        return dict.__contains__(self, iri) or (isinstance(iri, str) and self._described(iri))

    def starting_with(self, prefix: str, limit: int) -> list[str]:
        """Typed IRIs that start with `prefix`, at most `limit`."""
        return [iri for iri in self if iri.startswith(prefix)][:limit]

    def fragments(self, iri: str) -> list[str]:
        """Typed IRIs made of `iri` and a fragment."""
        return list(self.hash_members.get(iri, ()))


def quads_for_subjects(store: Any, subjects: list[ox.NamedNode], predicates: list[ox.NamedNode]) -> Iterable[ox.Quad]:
    """The quads of any of `subjects` with any of `predicates`: one query where the store is
    remote, a lookup per pair in pyoxigraph."""
    batched = getattr(store, "quads_for_subjects", None)
    if batched is not None:
        return batched(subjects, predicates)
    return (q for s in subjects for p in predicates for q in store.quads_for_pattern(s, p, None))


class LabelIndex(Mapping[str, dict[str, str]]):
    """IRI -> {language tag: label}, read from the store on first use and kept (at most `limit`).

    Of two labels in one language the smaller is kept, so what is shown is never random.
    """

    limit: int | None = None

    def __init__(self, store: Any) -> None:  # a pyoxigraph Store or an EndpointStore
        self.store = store
        self._cache: OrderedDict[str, dict[str, str]] = OrderedDict()
        self._predicates = [ox.NamedNode(str(p)) for p in LABEL_PREDICATES]

    def _read(self, iri: str) -> dict[str, str]:
        try:
            node = ox.NamedNode(iri)
        except ValueError:
            return {}
        found: dict[str, dict[str, str]] = {p.value: {} for p in self._predicates}
        for quad in quads_for_subjects(self.store, [node], self._predicates):
            obj, per_tag = quad.object, found[quad.predicate.value]
            if isinstance(obj, ox.Literal):
                tag = (obj.language or "").lower()
                if tag not in per_tag or obj.value < per_tag[tag]:
                    per_tag[tag] = obj.value
        labels: dict[str, str] = {}
        for per_tag in found.values():  # weakest first: a stronger property overrides
            labels.update(per_tag)
        return labels

    def __getitem__(self, iri: str) -> dict[str, str]:
        labels = self._cache.get(iri)
        if labels is None:
            labels = self._cache[iri] = self._read(iri)
            if self.limit is not None and len(self._cache) > self.limit:
                self._cache.popitem(last=False)
        if not labels:
            raise KeyError(iri)
        return labels

    def __contains__(self, iri: object) -> bool:
        return isinstance(iri, str) and bool(self.get(iri))

    def get(self, iri: str, default=None):
        try:
            return self[iri]
        except KeyError:
            return default

    def subjects(self) -> Iterator[str]:
        """Every IRI with a label (a scan of the store)."""
        seen: set[str] = set()
        for predicate in self._predicates:
            for quad in self.store.quads_for_pattern(None, predicate, None):
                if isinstance(quad.subject, ox.NamedNode) and quad.subject.value not in seen:
                    seen.add(quad.subject.value)
                    yield quad.subject.value

    def __iter__(self) -> Iterator[str]:
        return self.subjects()

    def __len__(self) -> int:
        return sum(1 for _ in self.subjects())

    def languages(self) -> list[str]:
        """The language tags of every label, sorted (a scan of the label triples)."""
        tags = set()
        for predicate in self._predicates:
            for quad in self.store.quads_for_pattern(None, predicate, None):
                obj = quad.object
                if isinstance(obj, ox.Literal) and obj.language:
                    tags.add(obj.language.lower())
        return sorted(tags)
