"""A generated SKOS vocabulary of any size, for benchmarks: deterministic, multilingual labels with
accents, alternative and hidden labels, a three-level hierarchy."""

from __future__ import annotations

import random
from pathlib import Path

SYLLABLES = ("cre", "den", "tia", "mi", "kro", "qua", "li", "fi", "ca", "zio", "ne", "prü", "fung", "ré",
             "seau", "ço", "na", "lé", "ger", "ma", "ños", "por", "ta", "fo", "lio", "ste", "ck", "bre", "vet")
LANGUAGES = ("en", "it", "de", "fr")


def word(rng: random.Random) -> str:
    return "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4)))


def write_vocabulary(path: Path, concepts: int, seed: int = 7) -> Path:
    """Write a Turtle vocabulary of `concepts` concepts to `path`; returns the path."""
    rng = random.Random(seed)
    base = "https://w3id.org/microcred/bench/"
    lines = ["@prefix skos: <http://www.w3.org/2004/02/skos/core#> .", f"@prefix b: <{base}> .",
             "b:scheme a skos:ConceptScheme ; skos:prefLabel \"Generated scheme\"@en .", ""]
    for n in range(concepts):
        words = [word(rng) for _ in range(rng.randint(1, 3))]
        labels = [f'"{" ".join(words).capitalize()} {n}"@en']
        for lang in LANGUAGES[1:]:
            if rng.random() < 0.5:
                labels.append(f'"{word(rng).capitalize()} {" ".join(words[1:])}"@{lang}')
        parts = [f"b:c{n} a skos:Concept", "skos:inScheme b:scheme", "skos:prefLabel " + ", ".join(labels)]
        if rng.random() < 0.5:
            parts.append(f'skos:altLabel "{word(rng)} {word(rng)}"@{rng.choice(LANGUAGES)}')
        if rng.random() < 0.2:
            parts.append(f'skos:hiddenLabel "{"".join(words)}"@en')
        if n >= 100:
            parts.append(f"skos:broader b:c{rng.randrange(n // 10 if n >= 1000 else 100)}")
        else:
            parts.append("skos:topConceptOf b:scheme")
        lines.append(" ;\n    ".join(parts) + " .")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path
