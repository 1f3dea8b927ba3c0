"""Validating a passport: parse it, run pySHACL with a profile's pre-harvested shapes, build a Report.

Core module: no Flask, no printing. The time limit per validation is applied by the worker pool
(microcred.workers); this module does the work in the calling process.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

from pyshacl import Validator
from pyshacl.graph_abstraction import DataGraph
from rdflib import BNode, Graph, Literal
from rdflib.term import Node

from microcred.config import Settings
from microcred.contexts import ContextStore
from microcred.errors import InputError
from microcred.namespaces import MCS, PREFIXES, RDF, SH
from microcred.parsing import InputFormat, format_for, parse_passport
from microcred.profiles import Profile, Profiles, load_profiles, pick_language, pick_text
from microcred.report import Report, Result, render_path, render_term

#: The languages our validation messages are written in.
MESSAGE_LANGUAGES = ("en", "it")
SEVERITIES = {SH.Violation: "Violation", SH.Warning: "Warning", SH.Info: "Info"}
#: The component of our own result for a document that holds nothing a profile targets.
NO_FOCUS_COMPONENT = MCS.NoFocusNodeComponent
PYSHACL_OPTIONS = {"inference": "none", "advanced": False, "inplace": True, "abort_on_first": False,
                   "allow_infos": True, "allow_warnings": True}


@dataclass
class PassportValidator:
    """Profiles and the context store of one deployment; validates documents against them."""

    profiles: Profiles
    contexts: ContextStore
    default_language: str = "en"
    _prefixes: dict[str, str] = field(default_factory=lambda: dict(PREFIXES))

    @classmethod
    def from_settings(cls, settings: Settings) -> PassportValidator:
        """Load every profile once and open the context store named by the settings."""
        profiles = load_profiles(settings.shapes_dir, settings.extra_profiles_dir)
        validator = cls(profiles, ContextStore(settings.context_dir), settings.default_language)
        for profile in profiles:
            for prefix, namespace in profile.graph.namespaces():
                validator._prefixes.setdefault(prefix, str(namespace))
        return validator

    def parse(self, data: bytes, media_type: str | None = None, base: str | None = None) -> tuple[Graph, InputFormat]:
        """Parse a document; the format comes from `media_type` or is detected."""
        fmt = format_for(media_type, data)
        return parse_passport(data, fmt, self.contexts, base), fmt

    def validate(self, data: bytes, media_type: str | None = None, profile: str | None = None,
                 lang: str | None = None, base: str | None = None, name: str | None = None) -> Report:
        """Parse and validate one document; typed errors for bad input."""
        chosen = self.profiles.get(profile)  # an unknown profile fails before any parsing
        lang = check_language(lang)
        started = time.perf_counter()
        graph, fmt = self.parse(data, media_type, base)
        report = self.validate_graph(graph, chosen, lang)
        elapsed = round((time.perf_counter() - started) * 1000, 2)
        return report.with_source(name=name, fmt=fmt.name, elapsed_ms=elapsed)

    def validate_graph(self, data: Graph, profile: Profile, lang: str | None = None) -> Report:
        """Validate a parsed graph against a profile whose shapes were harvested at load time."""
        lang = lang or self.default_language
        validator = Validator(DataGraph.from_rdflib(data), shacl_graph=profile.graph,
                              options=dict(PYSHACL_OPTIONS))
        validator.shacl_graph = profile.shapes  # reuse the harvested shapes: no per-request parsing
        _, report_graph, _ = validator.run()
        results = [self._result(report_graph, node, profile, lang)
                   for node in report_graph.objects(None, SH.result)]
        if not profile.targets_present(data):
            results.append(self._no_focus(profile, lang))
        return Report.build(profile.id, results, len(data))

    def _result(self, report: Graph, node: Node, profile: Profile, lang: str) -> Result:
        value = lambda p: report.value(node, p)
        shape = value(SH.sourceShape)
        info = profile.info.get(shape) if shape is not None else None
        messages = {getattr(m, "language", None) or "": str(m) for m in report.objects(node, SH.resultMessage)}
        message_lang = pick_language(messages, lang)
        path = value(SH.resultPath)
        focus, val = value(SH.focusNode), value(SH.value)
        return Result(
            focus_node=render_term(focus), path=render_path(report, path, self._prefixes) if path else None,
            value=render_term(val) if val is not None else None,
            value_kind=_kind(val), message=messages.get(message_lang or "", ""),
            severity=_severity(value(SH.resultSeverity)),
            source_shape=render_term(shape) or "", component=str(value(SH.sourceConstraintComponent)),
            glossary_term=info.term if info else None,
            element=pick_text(info.names, lang) if info and info.names else None,
            focus_types=tuple(sorted(render_term(t) for t in _types(report, focus))),
            value_datatype=str(val.datatype) if isinstance(val, Literal) and val.datatype else None,
            value_lang=val.language if isinstance(val, Literal) else None,
            message_lang=message_lang or None,
            path_triples=_closure(report, path) if isinstance(path, BNode) else ())

    def _no_focus(self, profile: Profile, lang: str) -> Result:
        expected = ", ".join(sorted(render_term(c, self._prefixes) for c in profile.target_classes)[:5])
        message = {"en": "The document holds nothing this profile checks: no node is a target of its shapes"
                         + (f" (such as an instance of {expected})" if expected else "") + ".",
                   "it": "Il documento non contiene nulla che questo profilo verifichi: nessun nodo è "
                         "destinatario delle sue forme" + (f" (per esempio un'istanza di {expected})"
                                                           if expected else "") + "."}
        message_lang = pick_language(message, lang) or "en"
        return Result(focus_node=None, path=None, value=None, value_kind=None,
                      message=message[message_lang], message_lang=message_lang, severity="Violation",
                      source_shape=profile.iri, component=str(NO_FOCUS_COMPONENT),
                      glossary_term=profile.term, element=None)


def check_language(lang: str | None) -> str | None:
    """`lang` when messages exist in it (a region subtag is allowed: en-GB); InputError otherwise."""
    if lang is None or lang.split("-")[0].lower() in MESSAGE_LANGUAGES:
        return lang
    raise InputError(f"validation messages are written in {' and '.join(MESSAGE_LANGUAGES)}, not {lang!r}",
                     accepted=list(MESSAGE_LANGUAGES))


def _severity(term: Node | None) -> str:
    """sh:Violation -> "Violation"; a severity of the shapes' own keeps its IRI."""
    for iri, name in SEVERITIES.items():
        if term == iri:
            return name
    return str(term)


def _kind(term: Node | None) -> str | None:
    if term is None:
        return None
    return "literal" if isinstance(term, Literal) else "blank" if isinstance(term, BNode) else "iri"


def _types(report: Graph, focus: Node | None) -> list[Node]:
    """rdf:type of a focus node, where pySHACL copied it into the report (blank nodes)."""
    return list(report.objects(focus, RDF.type)) if focus is not None else []


def _closure(graph: Graph, node: Node) -> tuple[tuple[str, str, str], ...]:
    """The triples that describe a blank-node path (an RDF list and nested path nodes), as text."""
    out, todo, seen = [], [node], set()
    while todo:
        current = todo.pop()
        if current in seen:
            continue
        seen.add(current)
        for p, o in graph.predicate_objects(current):
            out.append((f"_:{current}", str(p), f"_:{o}" if isinstance(o, BNode) else str(o)))
            if isinstance(o, BNode):
                todo.append(o)
    return tuple(out)


def read_file(path: Path) -> tuple[bytes, str | None]:
    """A file's bytes and the media type its extension announces (None: detect from the bytes)."""
    from microcred.parsing import BY_SUFFIX, BY_TOKEN

    token = BY_SUFFIX.get(path.suffix.lower())
    return path.read_bytes(), BY_TOKEN[token].media_types[0] if token else None


__all__ = ["MESSAGE_LANGUAGES", "PassportValidator", "Report", "Result", "check_language", "read_file"]
