"""The label index behind search and autocomplete: accent- and case-folded prefix matching over
preferred, alternative and hidden labels in every language, ranked by match quality.

Core module: no Flask. Built once per vocabulary version, on the first search (so loading a large
vocabulary does not pay for it); a query is two bisections in sorted key lists, not a scan.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from array import array
from bisect import bisect_left
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pyoxigraph as ox

from microcred.namespaces import RDFS, SKOS

if TYPE_CHECKING:
    from microcred.vocabulary import Vocabulary

#: Label properties, in ranking order: a match on a preferred label beats an alternative one...
FIELDS: tuple[tuple[str, str], ...] = (
    ("pref", str(SKOS.prefLabel)), ("pref", str(RDFS.label)),
    ("alt", str(SKOS.altLabel)), ("hidden", str(SKOS.hiddenLabel)),
)
FIELD_RANK = {"pref": 0, "alt": 1, "hidden": 2}
#: Match qualities, best first.
QUALITIES = ("exact", "label-prefix", "word-prefix")
#: Letters that Unicode does not decompose into a base letter and a mark.
EXTRA_FOLDS = str.maketrans({"ł": "l", "ø": "o", "đ": "d", "ħ": "h", "ı": "i", "æ": "ae", "œ": "oe",
                             "þ": "th", "ð": "d"})
WORD = re.compile(r"\w+")
#: Most candidate labels ranked per tier; only a one- or two-letter query on a huge vocabulary has more.
SCAN_LIMIT = 2000
MAX_LIMIT = 100


def fold(text: str) -> str:
    """Search key of a text: case-folded, accents removed, compatibility-normalised, words joined
    by single spaces ("Prüf-ung" and a decomposed "Prüf-ung" both give "pruf ung")."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    bare = "".join(c for c in decomposed if not unicodedata.combining(c)).translate(EXTRA_FOLDS)
    return " ".join(WORD.findall(bare))


@dataclass(frozen=True)
class Hit:
    """One search result: the resource, the label to show for it, and the label that matched."""

    iri: str
    label: str
    label_lang: str
    matched: str | None   # None when a hidden label matched: hidden labels are never shown
    matched_lang: str
    field: str
    quality: str

    def as_dict(self) -> dict[str, Any]:
        return {"iri": self.iri, "label": self.label, "label_lang": self.label_lang,
                "matched": self.matched, "matched_lang": self.matched_lang,
                "field": self.field, "quality": self.quality}


class SearchIndex:
    """Sorted folded keys of every label (whole labels, and each label from each word on)."""

    def __init__(self, entries: list[tuple[str, str, str, str]]) -> None:
        self.entries = entries  # (iri, text, lang, field)
        full: list[str] = []
        words: list[str] = []
        word_refs: list[int] = []
        for ref, (_, text, _, _) in enumerate(entries):
            key = fold(text)
            full.append(key)
            for match in re.finditer(" ", key):
                words.append(key[match.end():])
                word_refs.append(ref)
        self.folded = full
        self.full_keys, self.full_refs = _sorted_keys(full, range(len(full)))
        self.word_keys, self.word_refs = _sorted_keys(words, word_refs)

    def __len__(self) -> int:
        return len(self.entries)

    def search(self, vocabulary: Vocabulary, query: str, lang: str | None = None,
               limit: int = 10, only_lang: bool = False) -> list[Hit]:
        """The best `limit` resources for `query`, one hit per resource, best first.

        Order: exact > prefix of a label > prefix of a later word; then the requested language;
        then preferred > alternative > hidden; then shorter labels, then alphabetical.
        """
        key = fold(query)
        if not key or limit < 1:
            return []
        only_lang = only_lang and bool(lang)
        lang = (lang or vocabulary.settings.default_language).lower()
        best: dict[str, tuple] = {}
        tiers = ((self.full_keys, self.full_refs, False), (self.word_keys, self.word_refs, True))
        for keys, refs, is_word in tiers:
            lo = bisect_left(keys, key)
            hi = bisect_left(keys, key + "\U0010ffff", lo)
            for pos in range(lo, min(hi, lo + SCAN_LIMIT)):
                ref = refs[pos]
                iri, text, tag, field = self.entries[ref]
                if only_lang and not _same_language(tag, lang):
                    continue
                quality = 2 if is_word else (0 if keys[pos] == key else 1)
                lang_rank = 0 if _same_language(tag, lang) else 1
                rank = (quality, lang_rank, FIELD_RANK[field], len(text), self.folded[ref], ref)
                if iri not in best or rank < best[iri]:
                    best[iri] = rank
            if len(best) >= limit:  # every match of a later tier ranks below these
                break
        ranked = sorted(best.items(), key=lambda item: (item[1], item[0]))[:limit]
        return [self._hit(vocabulary, iri, rank, lang) for iri, rank in ranked]

    def _hit(self, vocabulary: Vocabulary, iri: str, rank: tuple, lang: str) -> Hit:
        _, text, tag, field = self.entries[rank[-1]]
        label, label_lang = vocabulary.label_and_language(iri, lang)
        return Hit(iri, label, label_lang, None if field == "hidden" else text, tag, field,
                   QUALITIES[rank[0]])

    def static_index(self, vocabulary: Vocabulary, page: Callable[[str], str]) -> dict[str, Any]:
        """The index as plain data for client-side search on a static site (sorted, stable).

        `page(iri)` is the URL of the resource's page with "{lang}" where the language goes.
        """
        iris = sorted({e[0] for e in self.entries})
        number = {iri: n for n, iri in enumerate(iris)}
        return {
            "default_language": vocabulary.settings.default_language,
            "resources": [{"iri": iri, "page": page(iri),
                           "labels": dict(sorted(vocabulary.labels.get(iri, {}).items()))} for iri in iris],
            "entries": sorted([number[iri], text, tag, field, self.folded[ref]]
                              for ref, (iri, text, tag, field) in enumerate(self.entries)),
        }


def _same_language(tag: str, lang: str) -> bool:
    """Whether a label's tag answers a requested language ("en-gb" answers "en" and back)."""
    return tag == lang or (tag != "" and (tag.startswith(lang + "-") or lang.startswith(tag + "-")))


def _sorted_keys(keys: list[str], refs: Iterable[int]) -> tuple[list[str], array]:
    refs = list(refs)
    order = sorted(range(len(keys)), key=keys.__getitem__)
    return [keys[i] for i in order], array("l", (refs[i] for i in order))


def label_entries(vocabulary: Vocabulary) -> list[tuple[str, str, str, str]]:
    """(iri, text, language, field) of every label of a resource the vocabulary describes."""
    entries = set()
    shared: dict[str, str] = {}  # one string per IRI and language tag, however many labels use it
    for field, predicate in FIELDS:
        for quad in vocabulary.store.quads_for_pattern(None, ox.NamedNode(predicate), None):
            subject, obj = quad.subject, quad.object
            # a labelled IRI is always a described resource: no lookup per label
            if isinstance(subject, ox.NamedNode) and isinstance(obj, ox.Literal) and obj.value.strip():
                iri, tag = subject.value, obj.language or ""
                entries.add((shared.setdefault(iri, iri), obj.value, shared.setdefault(tag, tag), field))
    return sorted(entries)


def build_index(vocabulary: Vocabulary) -> SearchIndex:
    """Index every label of the vocabulary."""
    return SearchIndex(label_entries(vocabulary))


_BUILD_LOCK = threading.Lock()


def index_for(cache: dict[str, Any], vocabulary: Vocabulary) -> SearchIndex:
    """The vocabulary's index, built on first use and kept in `cache` (one per version)."""
    key = "search-index:" + vocabulary.version
    index = cache.get(key)
    if index is None:
        with _BUILD_LOCK:  # two first searches at once build it once
            index = cache.get(key)
            if index is None:
                index = cache[key] = build_index(vocabulary)
    return index
