"""The relation and structure checks of the quality report (S27, S46 and the qSKOS ones).

Each check takes a SkosIndex and yields Issues in a stable order; graph walks are iterative and
cycle-safe, so deep or cyclic hierarchies neither recurse nor loop. Must not import Flask.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator

from microcred.namespaces import SKOS
from microcred.quality_index import (
    INVERSES,
    MAPPINGS,
    SKOS_NS,
    Issue,
    SkosIndex,
    ancestors,
    namespace_of,
)
from microcred.quality_labels import curie

#: Every term the SKOS reference defines, and the SKOS 2004 drafts' terms it dropped.
SKOS_TERMS = frozenset(str(SKOS[name]) for name in SKOS.__annotations__)
DROPPED_TERMS = frozenset(SKOS_NS + name for name in (
    "symbol", "prefSymbol", "altSymbol", "CollectableProperty", "subject", "isSubjectOf",
    "primarySubject", "isPrimarySubjectOf", "subjectIndicator"))


def names(nodes: set[str] | list[str], limit: int = 4) -> str:
    """A short list of IRIs for a message."""
    shown = sorted(nodes)
    text = ", ".join(f"<{n}>" for n in shown[:limit])
    return text + (f" and {len(shown) - limit} more" if len(shown) > limit else "")


class UnionFind:
    """Disjoint sets over strings, for clusters and exactMatch classes."""

    def __init__(self) -> None:
        self.parent: dict[str, str] = {}

    def find(self, x: str) -> str:
        root = self.parent.setdefault(x, x)
        while root != self.parent[root]:
            root = self.parent[root]
        while x != root:
            self.parent[x], x = root, self.parent[x]
        return root

    def union(self, a: str, b: str) -> None:
        self.parent[self.find(a)] = self.find(b)


def check_related_clash(ix: SkosIndex) -> Iterator[Issue]:
    """S27: skos:related is disjoint with skos:broaderTransitive (mapping sub-properties too)."""
    cache: dict[str, set[str]] = {}

    def up(node: str) -> set[str]:
        if node not in cache:
            cache[node] = ancestors(ix.parents, node, ix.match_parents)
        return cache[node]

    clashes = {tuple(sorted(pair)) for pair in ix.related if pair[1] in up(pair[0])
               or pair[0] in up(pair[1])}
    for a, b in sorted(clashes):
        yield Issue(a, f"related to <{b}>, which is also linked to it by a (transitive) "
                       f"broader/narrower chain")


def check_mapping_clash(ix: SkosIndex) -> Iterator[Issue]:
    """S46: skos:exactMatch is disjoint with skos:broadMatch and skos:relatedMatch."""
    same = UnionFind()
    for a, b in ix.exact:
        same.union(a, b)
    clashes: set[tuple[str, str, str]] = set()
    for prop in (str(SKOS.broadMatch), str(SKOS.narrowMatch), str(SKOS.relatedMatch)):
        for a, b in ix.pairs(prop):
            if a != b and a in same.parent and b in same.parent and same.find(a) == same.find(b):
                clashes.add((a, b, curie(prop)))
    for a, b, prop in sorted(clashes):
        yield Issue(a, f"{prop} <{b}>, which is also an exactMatch (directly or transitively)")


def is_flat(ix: SkosIndex) -> bool:
    return not ix.parents


def flat_lists(ix: SkosIndex) -> dict[str | None, set[str]]:
    """The flat lists: the whole vocabulary if it has no hierarchy at all (key: its only scheme
    or None), else each scheme of two or more concepts none of which has a broader or narrower."""
    if is_flat(ix):
        return {next(iter(ix.schemes)) if len(ix.schemes) == 1 else None: set(ix.active)}
    members: dict[str | None, set[str]] = defaultdict(set)
    for concept in ix.active:
        for scheme in ix.in_scheme.get(concept, ()):
            members[scheme].add(concept)
    return {scheme: concepts for scheme, concepts in members.items() if len(concepts) > 1
            and not any(ix.parents.get(c) or ix.children.get(c) for c in concepts)}


def check_orphans(ix: SkosIndex) -> Iterator[Issue]:
    """oc: every concept takes part in some semantic relation; a flat list is reported once."""
    if not ix.active:
        return
    flat = flat_lists(ix)
    for scheme, concepts in sorted(flat.items(), key=lambda item: item[0] or ""):
        yield Issue(scheme, f"flat list: {len(concepts)} concepts and no broader/narrower "
                            "relation (concepts without relations are not listed one by one)",
                    "info")
    if is_flat(ix):
        return
    # A concept is listed as an orphan unless every scheme it belongs to is a flat list.
    covered = {c for c in ix.active
               if ix.in_scheme.get(c) and all(s in flat for s in ix.in_scheme[c])}
    linked = {node for s, _, o in ix.semantic for node in (s, o)}
    for concept in sorted(ix.active - linked - covered):
        yield Issue(concept, "no broader, narrower, related or mapping relation")


def check_clusters(ix: SkosIndex) -> Iterator[Issue]:
    """dcc: related concepts form one connected whole (a scheme's top concepts count as joined).

    Concepts without any relation are orphans, not clusters; a flat list has no clusters.
    """
    if is_flat(ix):
        return
    clusters = UnionFind()
    for s, _, o in ix.semantic:
        if s != o and s in ix.active and o in ix.active:
            clusters.union(s, o)
    by_scheme: dict[str, list[str]] = defaultdict(list)
    for scheme, concept in sorted(ix.top):
        if concept in clusters.parent:
            by_scheme[scheme].append(concept)
    for tops in by_scheme.values():
        for concept in tops[1:]:
            clusters.union(tops[0], concept)
    members: dict[str, list[str]] = defaultdict(list)
    for node in list(clusters.parent):
        members[clusters.find(node)].append(node)
    groups = sorted((sorted(m) for m in members.values() if len(m) > 1),
                    key=lambda m: (-len(m), m[0]))
    for group in groups[1:]:
        yield Issue(group[0], f"cluster of {len(group)} concepts ({names(group, 3)}) is not "
                              f"connected to the largest cluster ({len(groups[0])} concepts)")


def strongly_connected(graph: dict[str, set[str]]) -> list[list[str]]:
    """Tarjan's strongly connected components, iteratively (no recursion limit)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph.get(root, ()))))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, successors = work[-1]
            for nxt in successors:
                if nxt not in index:
                    index[nxt] = low[nxt] = len(index)
                    stack.append(nxt)
                    on_stack.add(nxt)
                    work.append((nxt, iter(sorted(graph.get(nxt, ())))))
                    break
                if nxt in on_stack:
                    low[node] = min(low[node], index[nxt])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    component = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member == node:
                            break
                    found.append(sorted(component))
    return found


def cycles(ix: SkosIndex) -> list[list[str]]:
    return sorted(c for c in strongly_connected(ix.parents) if len(c) > 1)


def check_cycles(ix: SkosIndex) -> Iterator[Issue]:
    """chr: the broader/narrower hierarchy has no cycles."""
    for cycle in cycles(ix):
        yield Issue(cycle[0], f"hierarchy cycle through {len(cycle)} concepts: {names(cycle)}")


def check_redundancy(ix: SkosIndex) -> Iterator[Issue]:
    """hr: no broader link that is already implied by a longer broader chain."""
    in_cycle = {node for cycle in cycles(ix) for node in cycle}
    cache: dict[str, set[str]] = {}

    def up(node: str) -> set[str]:
        if node not in cache:
            cache[node] = ancestors(ix.parents, node)
        return cache[node]

    for child in sorted(ix.parents):
        parents = ix.parents[child]
        if len(parents) < 2 or child in in_cycle:
            continue
        for parent in sorted(parents):
            via = [p for p in sorted(parents) if p != parent and parent in up(p)]
            if via:
                yield Issue(child, f"broader <{parent}> is already implied through <{via[0]}>")


def check_top_with_broader(ix: SkosIndex) -> Iterator[Issue]:
    """tchbc: a top concept has no broader concept in this vocabulary."""
    for concept in sorted({c for _, c in ix.top}):
        broader = ix.parents.get(concept, set()) & ix.concepts
        if broader:
            yield Issue(concept, f"top concept with broader concept(s) {names(broader)}")


def check_omitted_top(ix: SkosIndex) -> Iterator[Issue]:
    """otc: every scheme names its top concepts, and every hierarchy root is one of them."""
    with_top = {scheme for scheme, _ in ix.top}
    without = ix.schemes - with_top
    for scheme in sorted(without):
        yield Issue(scheme, "concept scheme has no top concepts (skos:hasTopConcept)")
    tops = {concept for _, concept in ix.top}
    for concept in sorted(ix.active & set(ix.children) & ix.subjects):
        if (not ix.parents.get(concept) and concept not in tops
                and not ix.in_scheme.get(concept, set()) & without):
            yield Issue(concept, "root of a hierarchy but not a top concept of any scheme")


def is_local(ix: SkosIndex, source: str, target: str) -> bool:
    """Whether target belongs to the checked vocabulary rather than to a mapped one."""
    return target in ix.concepts or namespace_of(target) == namespace_of(source)


def check_unidirectional(ix: SkosIndex) -> Iterator[Issue]:
    """urc: relations SKOS pairs with an inverse are stated both ways (within the vocabulary)."""
    for prop, inverse in sorted(INVERSES.items()):
        stated = {(s, o) for s, o in ix.by_predicate.get(inverse, ()) if type(o) is str}
        for s, o in sorted({(s, o) for s, o in ix.by_predicate.get(prop, ()) if type(o) is str}):
            if s != o and (o, s) not in stated and s in ix.concepts and is_local(ix, s, o):
                yield Issue(s, f"{curie(prop)} <{o}> without the inverse {curie(inverse)}")


def check_reflexive(ix: SkosIndex) -> Iterator[Issue]:
    """rrc: no concept is related (hierarchically, associatively or by mapping) to itself."""
    for s, p in sorted({(s, p) for s, p, o in ix.semantic if s == o}):
        yield Issue(s, f"{curie(p)} links the concept to itself")


def check_mapping_within_scheme(ix: SkosIndex) -> Iterator[Issue]:
    """mri: mapping relations link concepts of different schemes, not of one scheme."""
    found = set()
    for a, b in ix.pairs(*MAPPINGS):
        if a == b or a not in ix.concepts:
            continue
        ours, theirs = ix.in_scheme.get(a, set()), ix.in_scheme.get(b, set())
        if ours & theirs or (namespace_of(a) == namespace_of(b) and not (ours and theirs)):
            found.add((a, b))
    for a, b in sorted(found):
        yield Issue(a, f"mapping relation to <{b}>, a concept of the same scheme or vocabulary")


def check_undefined_skos(ix: SkosIndex) -> Iterator[Issue]:
    """usr: only terms the SKOS reference defines are used from the SKOS namespace."""
    for term, (count, example) in sorted(ix.skos_uses.items()):
        if term in SKOS_TERMS or term == SKOS_NS:
            continue
        what = "a SKOS 2004 draft term dropped from SKOS" if term in DROPPED_TERMS \
            else "not defined by SKOS"
        yield Issue(term, f"{what}; used in {count} triple(s), e.g. about <{example}>")
