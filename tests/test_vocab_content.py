"""The glossary in vocab/: it parses, conforms to shapes/vocabulary.ttl, the shapes catch each
defect they exist for, and the content says what the MicroHE / e-SLP glossary says.

Self-contained: reads only vocab/ and shapes/ and does not import the microcred package.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from pyshacl import validate
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.namespace import DCTERMS, FOAF, OWL, RDF, RDFS, SH, SKOS, XSD
from rdflib.term import Node

ROOT = Path(__file__).parent.parent
VOCAB_DIR = ROOT / "vocab"
SHAPES_FILE = ROOT / "shapes" / "vocabulary.ttl"

MC = Namespace("https://w3id.org/microcred/glossary/")
MCT = Namespace("https://w3id.org/microcred/glossary/topics/")
MCO = Namespace("https://w3id.org/microcred/ontology#")
MCS = Namespace("https://w3id.org/microcred/shapes/")
EX = Namespace("http://example.org/")

SCHEME = URIRef("https://w3id.org/microcred/glossary")
TOPICS = URIRef("https://w3id.org/microcred/glossary/topics")
ONTOLOGY = URIRef("https://w3id.org/microcred/ontology")
GLOSSARY_PAGE = URIRef("https://microcredentials.eu/terminology/")
CC_BY = URIRef("http://creativecommons.org/licenses/by/4.0/")

SLUGS = (
    "credential",
    "credentialisation",
    "micro-credential",
    "qualification",
    "micro-qualification",
    "recognition",
    "learning-passport",
    "credentials-clearinghouse",
)

# The definitions as the glossary page gives them, character for character.
DEFINITIONS = {
    "credential": (
        "“An educational credential is a documented statement that acknowledges a person’s learning"
        " outcomes or achievements. A credential can be used for…”"
    ),
    "credentialisation": (
        "Credentialisation is the acknowledgement of learner’s learning outcomes or achievements."
        " It should be seen as part of the process of recognition."
    ),
    "micro-credential": (
        "Sub-unit of a credential or credentials (could be micro, meso, mini, etc.) that could"
        " accumulate into a larger credentials or be part of a portfolio"
    ),
    "qualification": (
        "‘Qualification’ means a formal outcome of an assessment and validation process which is"
        " obtained when a competent authority or body determines that an individual has achieved"
        " learning outcomes to given standards. Qualifications from part of the European"
        " Qualification Framework."
    ),
    "micro-qualification": (
        "A sub-unit of a qualification. While generally micro-qualifications are not mapped to"
        " EQF, some countries allow for this possibility (e.g. Malta) and non-EU countries copy the"
        " practice too (e.g. Singapore)."
    ),
    "recognition": "Process of acknowledging and accepting a statement of any type of credential",
    "learning-passport": (
        "“An official document that contains the description of the learning a person has done."
        " For example a Credit Supplement (diploma supplement for smaller achievements)”"
    ),
    "credentials-clearinghouse": "Repository of digitised, processed ‘Learning Passport’ content",
}

# Every label not in English, with the property that carries it: only forms read in official EU
# texts (and, for Italian, in Italian usage). Nothing else.
NON_ENGLISH_LABELS = {
    (MC["micro-credential"], SKOS.prefLabel, Literal("microcertification", lang="fr")),
    (MC["micro-credential"], SKOS.prefLabel, Literal("microcredenziale", lang="it")),
    (MC["micro-credential"], SKOS.prefLabel, Literal("Microcredential", lang="de")),
    (MC["micro-credential"], SKOS.prefLabel, Literal("microcredencial", lang="pt")),
    (MC["micro-credential"], SKOS.prefLabel, Literal("microcredential", lang="nl")),
    (MC["micro-credential"], SKOS.prefLabel, Literal("mikropoświadczenie", lang="pl")),
    (MC["micro-credential"], SKOS.prefLabel, Literal("mikromeriter", lang="sv")),
    (MC["micro-credential"], SKOS.altLabel, Literal("microcertifications", lang="fr")),
    (MC["micro-credential"], SKOS.altLabel, Literal("microcredenziali", lang="it")),
    (MC["micro-credential"], SKOS.altLabel, Literal("Microcredentials", lang="de")),
    (MC["micro-credential"], SKOS.altLabel, Literal("microcredenciais", lang="pt")),
    (MC["micro-credential"], SKOS.altLabel, Literal("microcredentials", lang="nl")),
    (MC["micro-credential"], SKOS.altLabel, Literal("mikropoświadczenia", lang="pl")),
    (MC["micro-credential"], SKOS.altLabel, Literal("micro-credenziale", lang="it")),
    (MC["micro-credential"], SKOS.altLabel, Literal("micro-credential", lang="it")),
    (MC.qualification, SKOS.prefLabel, Literal("certification", lang="fr")),
    (MC.qualification, SKOS.prefLabel, Literal("qualifica", lang="it")),
    (MC.qualification, SKOS.prefLabel, Literal("kwalificatie", lang="nl")),
}

# SKOS concepts of EU vocabularies whose IRIs were read in their published sources.
VERIFIED_MAPPING_TARGETS = {
    URIRef("http://data.europa.eu/snb/learning-opportunity/74a4a268e8"),  # Short learning programme
    URIRef("http://data.europa.eu/snb/credential/e34929035b"),  # Generic
    URIRef("http://data.europa.eu/snb/credential/6cf8e68c43"),  # Qualification Award
    URIRef("http://data.europa.eu/snb/credential/6dff8a0f87"),  # Diploma Supplement
    URIRef("http://data.europa.eu/snb/credential/48b514e72a"),  # Learning Activity
    URIRef("http://data.europa.eu/snb/credential/bdc47cb449"),  # Learning Entitlement
}
MAPPING_PROPERTIES = (
    SKOS.exactMatch,
    SKOS.closeMatch,
    SKOS.relatedMatch,
    SKOS.broadMatch,
    SKOS.narrowMatch,
    SKOS.mappingRelation,
)


@pytest.fixture(scope="module")
def vocab() -> Graph:
    graph = Graph()
    for path in sorted(VOCAB_DIR.glob("*.ttl")):
        graph.parse(path, format="turtle")
    return graph


@pytest.fixture(scope="module")
def shapes() -> Graph:
    return Graph().parse(SHAPES_FILE, format="turtle")


# --- the files and the shapes --------------------------------------------------------------------


def test_vocab_files_parse_and_hold_both_schemes() -> None:
    names = {path.name for path in VOCAB_DIR.glob("*.ttl")}
    assert {"glossary.ttl", "ontology.ttl"} <= names
    glossary = Graph().parse(VOCAB_DIR / "glossary.ttl", format="turtle")
    ontology = Graph().parse(VOCAB_DIR / "ontology.ttl", format="turtle")
    assert set(glossary.subjects(RDF.type, SKOS.ConceptScheme)) == {SCHEME, TOPICS}
    assert (ONTOLOGY, RDF.type, OWL.Ontology) in ontology
    assert len(glossary) > 200


def test_shipped_vocabulary_conforms_to_integrity_shapes(vocab: Graph, shapes: Graph) -> None:
    conforms, _report, text = validate(vocab, shacl_graph=shapes, inference="none")
    assert conforms, text


def test_every_shape_has_an_english_message(shapes: Graph) -> None:
    property_shapes = set(shapes.subjects(RDF.type, SH.PropertyShape))
    assert len(property_shapes) >= 20
    for shape in property_shapes:
        messages = list(shapes.objects(shape, SH.message))
        assert [m.language for m in messages] == ["en"], shape


def test_concept_shape_targets_skos_concept(shapes: Graph) -> None:
    assert (MCS.ConceptShape, SH.targetClass, SKOS.Concept) in shapes
    attached = set(shapes.objects(MCS.ConceptShape, SH.property)) | set(
        shapes.objects(MCS.ConceptSchemeShape, SH.property)
    )
    assert attached == set(shapes.subjects(RDF.type, SH.PropertyShape))


# --- the shapes bite -----------------------------------------------------------------------------

PREFIXES = """
@prefix ex:   <http://example.org/> .
@prefix mco:  <https://w3id.org/microcred/ontology#> .
@prefix dct:  <http://purl.org/dc/terms/> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
"""
GOOD_SCHEME = """
ex:scheme a skos:ConceptScheme ; dct:title "Test scheme"@en ;
    dct:license <http://creativecommons.org/licenses/by/4.0/> .
"""
# A concept that passes every check; each case below changes one thing in it or next to it.
GOOD_CONCEPT = """
ex:a a skos:Concept ; skos:inScheme ex:scheme ; skos:prefLabel "alpha"@en ;
    skos:definition "The first letter."@en ; mco:definitionSource ex:source .
"""
# A second concept for cases about relations between concepts.
GOOD_CONCEPT_B = """
ex:b a skos:Concept ; skos:inScheme ex:scheme ; skos:prefLabel "beta"@en ;
    skos:definition "The second letter."@en ; mco:definitionSource ex:source .
"""

ALT_IN_SCHEME = ("alternative", SKOS.inScheme, SKOS.topConceptOf)

# (id, Turtle, expected violations as {(focus, source shape, path, value or None)})
BAD_CASES: list[tuple[str, str, set[tuple[Node, URIRef, object, Node | None]]]] = [
    (
        "two-english-preflabels",
        GOOD_SCHEME + GOOD_CONCEPT + 'ex:a skos:prefLabel "alef"@en .',
        {(EX.a, MCS.PrefLabelOnePerLanguageShape, SKOS.prefLabel, None)},
    ),
    (
        "no-english-preflabel",
        GOOD_SCHEME + GOOD_CONCEPT.replace('"alpha"@en', '"alfa"@it'),
        {(EX.a, MCS.PrefLabelEnglishShape, SKOS.prefLabel, None)},
    ),
    (
        "preflabel-is-altlabel",
        GOOD_SCHEME + GOOD_CONCEPT + 'ex:a skos:altLabel "alpha"@en .',
        {(EX.a, MCS.PrefLabelNotAltLabelShape, SKOS.prefLabel, Literal("alpha", lang="en"))},
    ),
    (
        "preflabel-is-hiddenlabel",
        GOOD_SCHEME + GOOD_CONCEPT + 'ex:a skos:hiddenLabel "alpha"@en .',
        {(EX.a, MCS.PrefLabelNotHiddenLabelShape, SKOS.prefLabel, Literal("alpha", lang="en"))},
    ),
    (
        "altlabel-is-hiddenlabel",
        GOOD_SCHEME + GOOD_CONCEPT + 'ex:a skos:altLabel "alef"@en ; skos:hiddenLabel "alef"@en .',
        {(EX.a, MCS.AltLabelNotHiddenLabelShape, SKOS.altLabel, Literal("alef", lang="en"))},
    ),
    (
        "only-italian-definition",
        GOOD_SCHEME + GOOD_CONCEPT.replace('"The first letter."@en', '"La prima lettera."@it'),
        {(EX.a, MCS.DefinitionEnglishShape, SKOS.definition, None)},
    ),
    (
        "italian-definition-with-english-scope-note",
        GOOD_SCHEME
        + GOOD_CONCEPT.replace('"The first letter."@en', '"La prima lettera."@it')
        + 'ex:a skos:scopeNote "Letters of the alphabet."@en .',
        {(EX.a, MCS.DefinitionEnglishShape, SKOS.definition, None)},
    ),
    (
        "no-definition-and-no-scope-note",
        GOOD_SCHEME + 'ex:a a skos:Concept ; skos:inScheme ex:scheme ; skos:prefLabel "alpha"@en .',
        {(EX.a, MCS.DefinitionEnglishShape, SKOS.definition, None)},
    ),
    (
        "definition-without-source",
        GOOD_SCHEME + GOOD_CONCEPT.replace("; mco:definitionSource ex:source", ""),
        {(EX.a, MCS.DefinitionSourceShape, MCO.definitionSource, None)},
    ),
    (
        "concept-in-no-scheme",
        GOOD_SCHEME + GOOD_CONCEPT.replace("skos:inScheme ex:scheme ;", ""),
        {(EX.a, MCS.InSchemeShape, ALT_IN_SCHEME, None)},
    ),
    (
        "in-scheme-that-is-not-a-scheme",
        GOOD_SCHEME + GOOD_CONCEPT.replace("skos:inScheme ex:scheme", "skos:inScheme ex:nowhere"),
        {(EX.a, MCS.InSchemeIsSchemeShape, SKOS.inScheme, EX.nowhere)},
    ),
    (
        "top-concept-of-without-has-top-concept",
        GOOD_SCHEME + GOOD_CONCEPT + "ex:a skos:topConceptOf ex:scheme .",
        {(EX.a, MCS.TopConceptInverseShape, ("inverse", SKOS.hasTopConcept), EX.scheme)},
    ),
    (
        "broader-without-narrower",
        GOOD_SCHEME + GOOD_CONCEPT + GOOD_CONCEPT_B + "ex:b skos:broader ex:a .",
        {(EX.b, MCS.BroaderNarrowerInverseShape, ("inverse", SKOS.narrower), EX.a)},
    ),
    (
        "narrower-without-broader",
        GOOD_SCHEME + GOOD_CONCEPT + GOOD_CONCEPT_B + "ex:a skos:narrower ex:b .",
        {(EX.b, MCS.BroaderNarrowerInverseShape, ("inverse", SKOS.narrower), EX.a)},
    ),
    (
        "related-one-way",
        GOOD_SCHEME + GOOD_CONCEPT + GOOD_CONCEPT_B + "ex:a skos:related ex:b .",
        {
            (EX.a, MCS.RelatedSymmetricShape, ("inverse", SKOS.related), EX.b),
            (EX.b, MCS.RelatedSymmetricShape, ("inverse", SKOS.related), EX.a),
        },
    ),
    (
        "related-to-own-broader-concept",
        GOOD_SCHEME
        + GOOD_CONCEPT
        + GOOD_CONCEPT_B
        + "ex:b skos:broader ex:a ; skos:related ex:a . "
        + "ex:a skos:narrower ex:b ; skos:related ex:b .",
        {(EX.b, MCS.RelatedNotHierarchicalShape, SKOS.related, EX.a)},
    ),
    (
        "scheme-without-licence",
        GOOD_SCHEME.replace(";\n    dct:license <http://creativecommons.org/licenses/by/4.0/>", "")
        + GOOD_CONCEPT,
        {(EX.scheme, MCS.SchemeLicenseShape, DCTERMS.license, None)},
    ),
    (
        "scheme-without-english-title",
        GOOD_SCHEME.replace('"Test scheme"@en', '"Schema di prova"@it') + GOOD_CONCEPT,
        {(EX.scheme, MCS.SchemeTitleEnglishShape, DCTERMS.title, None)},
    ),
    (
        "untagged-scheme-title",
        GOOD_SCHEME + GOOD_CONCEPT + 'ex:scheme dct:title "Test scheme" .',
        {(EX.scheme, MCS.SchemeTitleTaggedShape, DCTERMS.title, Literal("Test scheme"))},
    ),
]

# An untagged literal for each label and note property gives exactly one violation of its own shape.
UNTAGGED = [
    (SKOS.prefLabel, "skos:prefLabel", MCS.PrefLabelTaggedShape),
    (SKOS.altLabel, "skos:altLabel", MCS.AltLabelTaggedShape),
    (SKOS.hiddenLabel, "skos:hiddenLabel", MCS.HiddenLabelTaggedShape),
    (SKOS.definition, "skos:definition", MCS.DefinitionTaggedShape),
    (SKOS.note, "skos:note", MCS.NoteTaggedShape),
    (SKOS.scopeNote, "skos:scopeNote", MCS.ScopeNoteTaggedShape),
    (SKOS.example, "skos:example", MCS.ExampleTaggedShape),
    (SKOS.editorialNote, "skos:editorialNote", MCS.EditorialNoteTaggedShape),
    (SKOS.historyNote, "skos:historyNote", MCS.HistoryNoteTaggedShape),
    (SKOS.changeNote, "skos:changeNote", MCS.ChangeNoteTaggedShape),
    (MCO.translationNote, "mco:translationNote", MCS.TranslationNoteTaggedShape),
    (MCO.definitionAttribution, "mco:definitionAttribution", MCS.DefinitionAttributionTaggedShape),
]
BAD_CASES += [
    (
        f"untagged-{curie.split(':')[1]}",
        GOOD_SCHEME + GOOD_CONCEPT + f'ex:a {curie} "no language tag" .',
        {(EX.a, shape, prop, Literal("no language tag"))},
    )
    for prop, curie, shape in UNTAGGED
]


def describe_path(report: Graph, path: Node) -> object:
    """A comparable form of sh:resultPath: an IRI, or a tuple for the complex paths we use."""
    if isinstance(path, URIRef):
        return path
    inverse = report.value(path, SH.inversePath)
    if inverse is not None:
        return ("inverse", inverse)
    alternatives = report.value(path, SH.alternativePath)
    if alternatives is not None:
        return ("alternative", *Collection(report, alternatives))
    raise AssertionError(f"unexpected result path {path!r}")


def violations(data: Graph, shapes: Graph) -> list[tuple[Node, URIRef, object, Node | None]]:
    """Validate without inference; return (focus, source shape, path, value) for every result."""
    conforms, report, text = validate(data, shacl_graph=shapes, inference="none")
    results = []
    for result in report.subjects(RDF.type, SH.ValidationResult):
        shape = report.value(result, SH.sourceShape)
        assert report.value(result, SH.resultSeverity) == SH.Violation, text
        message = report.value(result, SH.resultMessage)
        assert str(message) == str(shapes.value(shape, SH.message)), text
        results.append(
            (
                report.value(result, SH.focusNode),
                shape,
                describe_path(report, report.value(result, SH.resultPath)),
                report.value(result, SH.value),
            )
        )
    assert conforms == (not results), text
    return results


def test_good_case_conforms(shapes: Graph) -> None:
    data = Graph().parse(
        data=PREFIXES + GOOD_SCHEME + GOOD_CONCEPT + GOOD_CONCEPT_B, format="turtle"
    )
    assert violations(data, shapes) == []


def test_concept_with_only_an_english_scope_note_conforms(shapes: Graph) -> None:
    data = Graph().parse(
        data=PREFIXES + GOOD_SCHEME + "ex:a a skos:Concept ; skos:inScheme ex:scheme ;"
        ' skos:prefLabel "alpha"@en ; skos:scopeNote "A topic, not defined."@en .',
        format="turtle",
    )
    assert violations(data, shapes) == []


@pytest.mark.parametrize(
    ("turtle", "expected"), [c[1:] for c in BAD_CASES], ids=[c[0] for c in BAD_CASES]
)
def test_shapes_report_exactly_the_expected_violation(
    shapes: Graph, turtle: str, expected: set[tuple[Node, URIRef, object, Node | None]]
) -> None:
    data = Graph().parse(data=PREFIXES + turtle, format="turtle")
    found = violations(data, shapes)
    assert len(found) == len(expected) and set(found) == expected, found


def test_every_property_shape_is_shown_to_bite(shapes: Graph) -> None:
    exercised = {shape for _id, _ttl, expected in BAD_CASES for _f, shape, _p, _v in expected}
    assert exercised == set(shapes.subjects(RDF.type, SH.PropertyShape))


# --- the content ---------------------------------------------------------------------------------


def test_glossary_scheme_holds_the_eight_terms(vocab: Graph) -> None:
    in_scheme = set(vocab.subjects(SKOS.inScheme, SCHEME))
    assert in_scheme == {MC[slug] for slug in SLUGS}
    for concept in in_scheme:
        assert (concept, RDF.type, SKOS.Concept) in vocab


@pytest.mark.parametrize("slug", SLUGS)
def test_definition_is_the_source_text(vocab: Graph, slug: str) -> None:
    concept = MC[slug]
    assert set(vocab.objects(concept, SKOS.definition)) == {Literal(DEFINITIONS[slug], lang="en")}
    assert (concept, MCO.definitionSource, GLOSSARY_PAGE) in vocab
    assert (concept, DCTERMS.source, GLOSSARY_PAGE) in vocab


def test_micro_credential_definition_is_exact(vocab: Graph) -> None:
    definition = vocab.value(MC["micro-credential"], SKOS.definition)
    assert definition == Literal(
        "Sub-unit of a credential or credentials (could be micro, meso, mini, etc.) that could"
        " accumulate into a larger credentials or be part of a portfolio",
        lang="en",
    )


def test_jrc_origin_of_credentialisation_is_recorded(vocab: Graph) -> None:
    assert set(vocab.objects(MC.credentialisation, MCO.definitionAttribution)) == {
        Literal("Definition partially formed and adopted from JRC", lang="en")
    }
    notes = " ".join(vocab.objects(MC.credential, SKOS.editorialNote))
    assert "truncated" in notes and "JRC" in notes


def test_glossary_notes_are_kept_verbatim(vocab: Graph) -> None:
    assert (
        MC["micro-credential"],
        MCO.translationNote,
        Literal(
            "In some languages (e.g. in Italian) there is a translation problem with the term"
            " micro-credential",
            lang="en",
        ),
    ) in vocab
    assert (
        MC["micro-qualification"],
        SKOS.note,
        Literal("This term is also known as ‘partial qualification’", lang="en"),
    ) in vocab
    assert (
        MC["learning-passport"],
        SKOS.note,
        Literal("The term ‘Learning Passport’ is also used by the OEPass project", lang="en"),
    ) in vocab


@pytest.mark.parametrize("slug", ["credential", "micro-credential", "qualification"])
def test_italian_translation_notes(vocab: Graph, slug: str) -> None:
    notes = [n for n in vocab.objects(MC[slug], MCO.translationNote) if n.language == "it"]
    assert len(notes) == 1
    assert ("qualifica" if slug == "qualification" else "credenziali") in notes[0]


@pytest.mark.parametrize("slug", ["micro-credential", "qualification"])
def test_french_translation_notes_name_certification(vocab: Graph, slug: str) -> None:
    languages = sorted(
        n.language for n in vocab.objects(MC[slug], MCO.translationNote) if "certification" in n
    )
    assert languages == ["en", "fr"]


def test_micro_qualification_labels_and_eqf_note(vocab: Graph) -> None:
    concept = MC["micro-qualification"]
    assert (concept, SKOS.altLabel, Literal("partial qualification", lang="en")) in vocab
    scope = " ".join(vocab.objects(concept, SKOS.scopeNote))
    assert "Malta" in scope and "Singapore" in scope
    assert (
        concept,
        RDFS.seeAlso,
        URIRef("http://data.europa.eu/snb/model/elm/isPartialQualification"),
    ) in vocab


def test_learning_passport_example_and_oepass(vocab: Graph) -> None:
    concept = MC["learning-passport"]
    assert (
        concept,
        SKOS.example,
        Literal("a Credit Supplement (diploma supplement for smaller achievements)", lang="en"),
    ) in vocab
    assert (concept, RDFS.seeAlso, URIRef("https://oepass.eu/outputs/learningpassport/")) in vocab


def test_non_english_labels_are_exactly_the_verified_ones(vocab: Graph) -> None:
    found = {
        (s, p, o)
        for p in (SKOS.prefLabel, SKOS.altLabel, SKOS.hiddenLabel)
        for s, o in vocab.subject_objects(p)
        if isinstance(o, Literal) and o.language != "en"
    }
    assert found == NON_ENGLISH_LABELS


def test_concepts_with_non_english_labels_name_their_sources(vocab: Graph) -> None:
    for concept in {s for s, _p, _o in NON_ENGLISH_LABELS}:
        sources = set(vocab.objects(concept, MCO.labelSource))
        assert sources and all(str(s).startswith("https://eur-lex.europa.eu/") for s in sources)
        assert any(
            "Labels in other languages" in n for n in vocab.objects(concept, SKOS.editorialNote)
        )


def test_mapping_targets_are_verified_concepts(vocab: Graph) -> None:
    mappings = {(s, p, o) for p in MAPPING_PROPERTIES for s, o in vocab.subject_objects(p)}
    assert {o for _s, _p, o in mappings} <= VERIFIED_MAPPING_TARGETS
    assert mappings == {
        (
            MC["micro-credential"],
            SKOS.relatedMatch,
            URIRef("http://data.europa.eu/snb/learning-opportunity/74a4a268e8"),
        ),
        (
            MC.qualification,
            SKOS.relatedMatch,
            URIRef("http://data.europa.eu/snb/credential/6cf8e68c43"),
        ),
        (
            MC["learning-passport"],
            SKOS.relatedMatch,
            URIRef("http://data.europa.eu/snb/credential/6dff8a0f87"),
        ),
    }


def test_broader_and_narrower_are_mutual_inverses(vocab: Graph) -> None:
    broader = set(vocab.subject_objects(SKOS.broader))
    narrower_inverted = {(o, s) for s, o in vocab.subject_objects(SKOS.narrower)}
    assert (
        broader
        == narrower_inverted
        == {
            (MC["micro-credential"], MC.credential),
            (MC["micro-qualification"], MC.qualification),
        }
    )


def test_related_is_symmetric(vocab: Graph) -> None:
    related = set(vocab.subject_objects(SKOS.related))
    assert related == {(o, s) for s, o in related}
    assert {frozenset(pair) for pair in related} == {
        frozenset({MC.credentialisation, MC.recognition}),
        frozenset({MC.credentialisation, MC.credential}),
        frozenset({MC.recognition, MC.credential}),
        frozenset({MC["credentials-clearinghouse"], MC["learning-passport"]}),
    }


def test_each_relation_is_explained_in_an_editorial_note(vocab: Graph) -> None:
    """The note on either end says "Narrower than <label>" or "Related to <label>"."""
    pairs = [(s, o, "narrower than") for s, o in vocab.subject_objects(SKOS.broader)]
    pairs += [(s, o, "related to") for s, o in vocab.subject_objects(SKOS.related)]
    for a, b, phrase in pairs:
        notes = " ".join(str(n) for c in (a, b) for n in vocab.objects(c, SKOS.editorialNote))
        labels = [vocab.value(b, SKOS.prefLabel)]
        if phrase == "related to":
            labels.append(vocab.value(a, SKOS.prefLabel))
        wanted = "|".join(re.escape(f"{phrase} {label}") for label in labels)
        assert re.search(rf"\b({wanted})\b", notes, re.IGNORECASE), (a, b)


def test_top_concepts_are_consistent(vocab: Graph) -> None:
    for scheme in (SCHEME, TOPICS):
        has_top = set(vocab.objects(scheme, SKOS.hasTopConcept))
        assert has_top == set(vocab.subjects(SKOS.topConceptOf, scheme))
        assert not any((c, SKOS.broader, None) in vocab for c in has_top)
    assert set(vocab.objects(SCHEME, SKOS.hasTopConcept)) == {
        MC[s] for s in SLUGS if s not in ("micro-credential", "micro-qualification")
    }


def test_scheme_metadata(vocab: Graph) -> None:
    assert vocab.value(SCHEME, OWL.versionInfo) == Literal("1.0.0")
    assert vocab.value(SCHEME, DCTERMS.modified) == Literal("2026-12-03", datatype=XSD.date)
    assert vocab.value(SCHEME, DCTERMS.license) == CC_BY
    assert vocab.value(SCHEME, DCTERMS.source) == GLOSSARY_PAGE
    creators = {str(vocab.value(c, FOAF.name)) for c in vocab.objects(SCHEME, DCTERMS.creator)}
    assert creators == {"MicroHE", "e-SLP"}
    homepages = {vocab.value(c, FOAF.homepage) for c in vocab.objects(SCHEME, DCTERMS.creator)}
    assert URIRef("https://e-slp.eadtu.eu/") in homepages


def test_topic_areas_are_concepts_of_their_own_scheme(vocab: Graph) -> None:
    topics = set(vocab.objects(SCHEME, DCTERMS.subject))
    labels = {str(vocab.value(t, SKOS.prefLabel)) for t in topics}
    assert labels == {
        "prior learning recognition",
        "nano-degrees",
        "certification of short cycle higher education",
        "modularised higher education",
    }
    for topic in topics:
        assert str(topic).startswith(str(MCT))
        assert (topic, SKOS.inScheme, TOPICS) in vocab


def test_ontology_declares_every_term_the_glossary_uses(vocab: Graph) -> None:
    used = {p for p in vocab.predicates() if str(p).startswith(str(MCO))}
    assert used == {
        MCO.translationNote,
        MCO.definitionSource,
        MCO.definitionAttribution,
        MCO.labelSource,
    }
    for term in used:
        assert (term, RDF.type, OWL.AnnotationProperty) in vocab
        assert (term, RDFS.isDefinedBy, ONTOLOGY) in vocab
        assert vocab.value(term, RDFS.label).language == "en"
        assert vocab.value(term, RDFS.comment).language == "en"
    assert (MCO.translationNote, RDFS.subPropertyOf, SKOS.note) in vocab
    assert (MCO.definitionSource, RDFS.subPropertyOf, DCTERMS.source) in vocab
