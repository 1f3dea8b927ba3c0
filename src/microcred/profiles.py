"""Validation profiles: discovered from shapes/ and the extra profiles directory, parsed once each.

Core module: no Flask. In shapes/ a file is a profile when it declares a prof:Profile with a
dct:identifier (so the vocabulary's own integrity shapes are not one); in the extra directory every
shape file is a profile, named after the file unless it declares one. owl:imports are resolved
only against the ontologies of the same directory, never fetched.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from pyshacl.shapes_graph import ShapesGraph
from rdflib import Graph, URIRef
from rdflib.term import Node

from microcred.errors import ConfigurationError, UnknownProfile
from microcred.namespaces import DCTERMS, OWL, PROF, RDF, RDFS, SH

SHAPE_SUFFIXES = {".ttl": "turtle", ".rdf": "xml", ".owl": "xml", ".nt": "nt", ".trig": "trig"}


@dataclass(frozen=True)
class ShapeInfo:
    """What a shape says about itself: the glossary concept it enforces, its element name by language."""

    term: str | None
    names: dict[str, str]


@dataclass
class Profile:
    """A named set of shapes, parsed and harvested once."""

    id: str
    iri: str
    titles: dict[str, str]
    descriptions: dict[str, str]
    origin: str                       # "shapes" or "extra"
    files: tuple[str, ...]
    graph: Graph
    term: str | None = None
    unresolved_imports: tuple[str, ...] = ()
    shapes: ShapesGraph = field(init=False, repr=False)
    info: dict[Node, ShapeInfo] = field(init=False, repr=False)
    target_classes: frozenset[Node] = field(init=False)
    target_predicates: frozenset[Node] = field(init=False)
    always_targets: bool = field(init=False)

    def __post_init__(self) -> None:
        self.shapes = ShapesGraph(self.graph)
        count = len(list(self.shapes.shapes))  # harvest now, once, not per validation
        if count == 0:
            raise ConfigurationError(f"validation profile {self.id!r} ({', '.join(self.files)}) defines no "
                                     "SHACL shape; it would accept anything")
        g = self.graph
        classes = set(g.objects(None, SH.targetClass))
        classes |= {s for s in g.subjects(RDF.type, SH.NodeShape)
                    if (s, RDF.type, RDFS.Class) in g or (s, RDF.type, OWL.Class) in g}
        self.target_classes = frozenset(classes)
        self.target_predicates = frozenset(g.objects(None, SH.targetSubjectsOf)) | frozenset(
            g.objects(None, SH.targetObjectsOf))
        self.always_targets = any(True for _ in g.subject_objects(SH.targetNode)) or any(
            True for _ in g.subject_objects(SH.target))
        if not (self.target_classes or self.target_predicates or self.always_targets):
            raise ConfigurationError(f"validation profile {self.id!r} ({', '.join(self.files)}) has shapes "
                                     "but no target; it would check nothing")
        self.info = {shape: ShapeInfo(_first(g, shape, DCTERMS.subject), _by_language(g, shape, SH.name))
                     for shape in set(g.subjects(SH.name, None)) | set(g.subjects(DCTERMS.subject, None))}

    def targets_present(self, data: Graph) -> bool:
        """Whether the data holds at least one focus node for this profile's targets."""
        if self.always_targets:
            return True
        if any((None, RDF.type, cls) in data for cls in self.target_classes):
            return True
        return any((None, pred, None) in data for pred in self.target_predicates)

    def title(self, lang: str) -> str:
        return pick_text(self.titles, lang) or self.id

    def description(self, lang: str) -> str:
        return pick_text(self.descriptions, lang) or ""

    def summary(self, lang: str = "en") -> dict:
        """The profile as plain JSON-ready data."""
        return {"id": self.id, "iri": self.iri, "title": self.title(lang),
                "description": self.description(lang), "origin": self.origin,
                "files": list(self.files), "shapes": len(list(self.shapes.shapes)),
                "glossaryTerm": self.term, "unresolvedImports": list(self.unresolved_imports)}


class Profiles:
    """The profiles of one deployment, by id, in discovery order."""

    def __init__(self, profiles: Iterable[Profile], default: str | None = None) -> None:
        self._by_id: dict[str, Profile] = {}
        for profile in profiles:
            if profile.id in self._by_id:
                raise ConfigurationError(f"two validation profiles are called {profile.id!r}: "
                                         f"{self._by_id[profile.id].files} and {profile.files}")
            self._by_id[profile.id] = profile
        if not self._by_id:
            raise ConfigurationError("no validation profile found: shapes/ must declare at least one prof:Profile")
        self.default = default if default in self._by_id else next(iter(self._by_id))

    def __iter__(self):
        return iter(self._by_id.values())

    def __len__(self) -> int:
        return len(self._by_id)

    def ids(self) -> list[str]:
        return list(self._by_id)

    def get(self, profile_id: str | None) -> Profile:
        """The profile called `profile_id` (the default when None), or UnknownProfile."""
        key = self.default if not profile_id else profile_id
        try:
            return self._by_id[key]
        except KeyError:
            raise UnknownProfile(f"no validation profile {profile_id!r}; known: {', '.join(self._by_id)}",
                                 profiles=list(self._by_id)) from None


def load_profiles(shapes_dir: str, extra_dir: str = "", default: str = "issued") -> Profiles:
    """Discover and parse the profiles of `shapes_dir` (declared ones) and `extra_dir` (every file)."""
    found = discover(Path(shapes_dir), "shapes", declared_only=True)
    if extra_dir:
        extra = Path(extra_dir)
        if not extra.is_dir():
            raise ConfigurationError(f"extra profiles directory {extra_dir} does not exist")
        found += discover(extra, "extra", declared_only=False)
    return Profiles(found, default)


def discover(directory: Path, origin: str, declared_only: bool) -> list[Profile]:
    """The profiles in one directory; imports resolve only to files of that directory."""
    graphs: dict[Path, Graph] = {}
    for path in sorted(directory.iterdir()) if directory.is_dir() else []:
        if path.suffix in SHAPE_SUFFIXES and path.is_file():
            graphs[path] = _read(path)
    ontologies = {o: path for path, g in graphs.items()
                  for s in g.subjects(RDF.type, OWL.Ontology) for o in (s, *g.objects(s, OWL.versionIRI))}
    profiles = []
    for path, g in graphs.items():
        declared = [s for s in g.subjects(RDF.type, PROF.Profile) if (s, DCTERMS.identifier, None) in g]
        if not declared and declared_only:
            continue
        node = declared[0] if declared else next(iter(g.subjects(RDF.type, OWL.Ontology)), URIRef(path.as_uri()))
        merged, files, missing = _with_imports(path, graphs, ontologies)
        profiles.append(Profile(
            id=str(_first(g, node, DCTERMS.identifier) or path.stem.lower()), iri=str(node),
            titles=_by_language(g, node, DCTERMS.title) or _by_language(g, node, RDFS.label) or {"": path.stem},
            descriptions=_by_language(g, node, DCTERMS.description) or _by_language(g, node, RDFS.comment),
            origin=origin, files=tuple(files), graph=merged, term=_first(g, node, DCTERMS.subject),
            unresolved_imports=tuple(missing)))
    return profiles


def _read(path: Path) -> Graph:
    graph = Graph()
    try:
        graph.parse(path, format=SHAPE_SUFFIXES[path.suffix])
    except Exception as exc:  # rdflib raises many types for bad files; all mean broken configuration
        raise ConfigurationError(f"cannot read shapes file {path.name}: {exc}") from exc
    return graph


def _with_imports(root: Path, graphs: dict[Path, Graph], ontologies: dict[Node, Path]):
    merged, files, missing, todo, seen = Graph(), [], [], [root], set()
    while todo:
        path = todo.pop()
        if path in seen:
            continue
        seen.add(path)
        files.append(path.name)
        merged += graphs[path]
        for target in graphs[path].objects(None, OWL.imports):
            if target in ontologies:
                todo.append(ontologies[target])
            elif str(target) not in missing:
                missing.append(str(target))
    for prefix, namespace in graphs[root].namespaces():
        merged.bind(prefix, namespace, replace=True)
    return merged, files, missing


def _first(graph: Graph, node: Node, predicate: URIRef) -> str | None:
    value = next(iter(graph.objects(node, predicate)), None)
    return None if value is None else str(value)


def _by_language(graph: Graph, node: Node, predicate: URIRef) -> dict[str, str]:
    return {getattr(v, "language", None) or "": str(v) for v in graph.objects(node, predicate)}


def pick_text(texts: dict[str, str], lang: str) -> str | None:
    """The text in `lang`, its primary subtag, English, untagged, or any; None when empty."""
    key = pick_language(texts, lang)
    return None if key is None else texts[key]


def pick_language(texts: dict[str, str], lang: str) -> str | None:
    """Which of `texts` (keyed by language tag, "" for none) pick_text chooses; None when empty."""
    for key in (lang, lang.split("-")[0], "en", ""):
        if key in texts:
            return key
    return next(iter(texts), None)
