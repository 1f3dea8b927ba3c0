"""The label and documentation checks of the quality report (S13, S14 and the qSKOS label checks).

Each check takes a SkosIndex and yields Issues in a stable order. Must not import Flask.
"""

from __future__ import annotations

import unicodedata
from collections import defaultdict
from collections.abc import Iterator
from functools import lru_cache
from itertools import combinations

import langcodes

from microcred.namespaces import SKOS
from microcred.quality_index import LABELS, Issue, Lit, SkosIndex

PREF, ALT, HIDDEN = LABELS


def curie(iri: str) -> str:
    """skos:prefLabel for a SKOS term, <iri> otherwise."""
    return "skos:" + iri[len(str(SKOS)):] if iri.startswith(str(SKOS)) else f"<{iri}>"


def show(lit: Lit) -> str:
    """A literal as Turtle shows it: "text"@lang."""
    text = lit.value if len(lit.value) <= 60 else lit.value[:57] + "..."
    return f'"{text}"' + (f"@{lit.lang}" if lit.lang else "")


def language(lang: str | None) -> str:
    return f'"{lang}"' if lang else "no language tag"


def check_disjoint_labels(ix: SkosIndex) -> Iterator[Issue]:
    """S13: prefLabel, altLabel and hiddenLabel of one resource are pairwise disjoint."""
    kinds = [(kind, ix.labels[kind]) for kind in LABELS]
    resources = set().union(*(per.keys() for _, per in kinds))
    for resource in sorted(resources):
        for (kind_a, a), (kind_b, b) in combinations(kinds, 2):
            for lit in sorted(a.get(resource, set()) & b.get(resource, set())):
                yield Issue(resource, f"{show(lit)} is both {curie(kind_a)} and {curie(kind_b)}")


def check_one_pref_label(ix: SkosIndex) -> Iterator[Issue]:
    """S14: at most one prefLabel per language tag (tags compared case-insensitively)."""
    for resource, lits in sorted(ix.labels[PREF].items()):
        by_lang: dict[str | None, set[str]] = defaultdict(set)
        for lit in lits:
            by_lang[lit.lang].add(lit.value)
        for lang, values in sorted(by_lang.items(), key=lambda item: item[0] or ""):
            if len(values) > 1:
                shown = ", ".join(show(Lit(v, None, None)) for v in sorted(values)[:4])
                yield Issue(resource,
                            f"{len(values)} skos:prefLabel with {language(lang)}: {shown}")


@lru_cache(maxsize=4096)
def tag_problem(tag: str) -> str | None:
    """Why a language tag is not acceptable, or None when it is."""
    if tag.startswith(("x-", "i-")):
        return "a private-use or grandfathered tag that other systems cannot interpret"
    if not langcodes.tag_is_valid(tag):
        return "not a valid BCP 47 tag (IANA language subtag registry)"
    return None


def check_language_tags(ix: SkosIndex) -> Iterator[Issue]:
    """oilt: labels and notes carry a valid language tag."""
    for resource, texts in sorted(ix.texts.items()):
        untagged = sorted({curie(p) for p, lit in texts if lit.lang is None and lit.is_text()})
        if untagged:
            count = sum(1 for _, lit in texts if lit.lang is None and lit.is_text())
            yield Issue(resource, f"{count} text value(s) without a language tag "
                                  f"({', '.join(untagged)})")
        for tag in sorted({lit.lang for _, lit in texts if lit.lang}):
            problem = tag_problem(tag)
            if problem:
                yield Issue(resource, f'language tag "{tag}" is {problem}')


def check_language_coverage(ix: SkosIndex) -> Iterator[Issue]:
    """ilc: each concept has a prefLabel in every language the vocabulary's prefLabels use."""
    prefs = ix.labels[PREF]
    langs = {lit.lang for c in ix.active for lit in prefs.get(c, ()) if lit.lang}
    if len(langs) < 2:
        return
    for concept in sorted(ix.active):
        missing = langs - {lit.lang for lit in prefs.get(concept, ())}
        if missing and missing != langs:
            yield Issue(concept, f"no skos:prefLabel in {', '.join(sorted(missing))} "
                                 f"(the vocabulary uses {len(langs)} languages)")


def check_missing_labels(ix: SkosIndex) -> Iterator[Issue]:
    """ml: every concept in use has a prefLabel; every concept scheme has a label or title."""
    for concept in sorted(ix.active):
        if not any(lit.value.strip() for lit in ix.labels[PREF].get(concept, ())):
            has_other = concept in ix.labels[ALT] or concept in ix.labels[HIDDEN]
            yield Issue(concept, "no skos:prefLabel" + (
                " (only alternative or hidden labels)" if has_other else ""))
    for scheme in sorted(ix.schemes - ix.titled):
        yield Issue(scheme, "concept scheme has no label or title "
                            "(skos:prefLabel, rdfs:label, dct:title)")


def check_empty_labels(ix: SkosIndex) -> Iterator[Issue]:
    """el: no label is empty or only white space."""
    for kind in LABELS:
        for resource, lits in sorted(ix.labels[kind].items()):
            if any(not lit.value.strip() for lit in lits):
                yield Issue(resource, f"empty {curie(kind)}")


def check_undocumented(ix: SkosIndex) -> Iterator[Issue]:
    """uc: every concept has a definition or another skos:note."""
    for concept in sorted(ix.active - ix.documented):
        yield Issue(concept, "no skos:definition, skos:scopeNote or other skos:note")


def label_key(value: str) -> str:
    """Case-, width- and space-insensitive form of a label, for finding overlaps."""
    return " ".join(unicodedata.normalize("NFKC", value).casefold().split())


def check_overlapping_labels(ix: SkosIndex) -> Iterator[Issue]:
    """ol: no two concepts share a prefLabel, or one's prefLabel is the other's altLabel."""
    holders: dict[tuple[str | None, str], dict[str, set[str]]] = {}
    for kind, name in ((PREF, "prefLabel"), (ALT, "altLabel")):
        for concept, lits in ix.labels[kind].items():
            if concept in ix.active:
                for lit in lits:
                    if lit.value.strip():
                        group = (lit.lang, label_key(lit.value))
                        holders.setdefault(group, {}).setdefault(concept, set()).add(name)
    shared = [(group, by) for group, by in holders.items() if len(by) > 1]
    for (lang, key), by_concept in sorted(shared, key=lambda i: (i[0][0] or "", i[0][1])):
        prefs = sorted(c for c, names in by_concept.items() if "prefLabel" in names)
        if not prefs:
            continue
        shown = next(lit for lit in ix.labels[PREF][prefs[0]]
                     if lit.lang == lang and label_key(lit.value) == key)
        others = sorted(c for c in by_concept if c != prefs[0])
        roles = "; ".join(f"<{c}> ({'/'.join(sorted(by_concept[c]))})" for c in others[:3])
        more = f" and {len(others) - 3} more" if len(others) > 3 else ""
        yield Issue(prefs[0], f"prefLabel {show(shown)} is also a label of {roles}{more}")
