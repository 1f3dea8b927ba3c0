"""The vocabulary quality report: each check on its own fixture, the CLI, the output formats,
the limits that keep large or cyclic vocabularies in check, and the corpus (marked `corpus`)."""

from __future__ import annotations

import json
from pathlib import Path

import pyoxigraph
import pytest
from click.testing import CliRunner
from rdflib import Graph, URIRef

from microcred.cli import main
from microcred.config import load_settings
from microcred.errors import InputError, RDFSyntaxError
from microcred.namespaces import DQV, OA, SH
from microcred.quality import CHECKS, check_vocabulary
from microcred.quality_output import render

DATA = Path(__file__).parent / "data" / "quality"
CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus"
EX = "http://example.org/q/"

corpus = pytest.mark.corpus
needs_corpus = pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared/corpus is absent")

#: fixture -> every finding it must give, as (resource, check); nothing else may be found.
EXPECTED = {
    "clean": set(),
    "bom": set(),
    "s13-disjoint-labels": {("a", "S13"), ("b", "S13")},
    "s14-pref-labels": {("a", "S14"), ("untyped", "S14")},
    "s27-related-broader": {("a1", "S27")},
    "s46-exact-broad-match": {("a", "S46"), ("b", "S46")},
    "chr-cycle": {("c1", "chr")},
    "rrc-reflexive": {("a", "rrc"), ("b", "rrc")},
    "oc-orphan": {("lonely", "oc")},
    "oc-flat-list": {("scheme", "oc")},
    "oc-flat-scheme": {("topics", "oc"), ("stray", "oc")},
    "dcc-clusters": {("i1", "dcc")},
    "hr-redundancy": {("a1", "hr")},
    "otc-omitted-top": {("other", "otc"), ("root", "otc")},
    "tchbc-top-broader": {("b", "tchbc")},
    "urc-unidirectional": {("a", "urc"), ("c", "urc")},
    "mri-mapping-same-scheme": {("a", "mri"), ("b", "mri")},
    "usr-undefined-skos": {("http://www.w3.org/2004/02/skos/core#prefSymbol", "usr"),
                           ("http://www.w3.org/2004/02/skos/core#subTopic", "usr")},
    "ml-missing-labels": {("c", "ml"), ("d", "ml"), ("other", "ml")},
    "el-empty-labels": {("a", "el"), ("b", "el")},
    "oilt-language-tags": {("a", "oilt"), ("b", "oilt")},
    "ol-overlapping": {("a", "ol"), ("b", "ol")},
    "uc-undocumented": {("c", "uc")},
    "ilc-language-coverage": {("b", "ilc")},
}


def short(resource: str | None) -> str | None:
    return resource[len(EX):] if resource and resource.startswith(EX) else resource


def found(report) -> set[tuple[str | None, str]]:
    return {(short(f.resource), f.check) for f in report.findings}


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["check", *args])
    return result.exit_code, result.output


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_fixture_gives_exactly_its_findings(name: str) -> None:
    report = check_vocabulary(DATA / f"{name}.ttl")
    assert found(report) == EXPECTED[name]


def test_every_check_has_a_fixture_that_triggers_it() -> None:
    triggered = {check for findings in EXPECTED.values() for _, check in findings}
    assert triggered == {check.id for check in CHECKS}


def test_severities_follow_the_check_table() -> None:
    severity = {check.id: check.severity for check in CHECKS}
    assert {c.id for c in CHECKS if c.severity == "error"} == {"S13", "S14", "S27", "S46", "chr",
                                                                  "rrc"}
    for name in EXPECTED:
        for finding in check_vocabulary(DATA / f"{name}.ttl").findings:
            if finding.message.startswith("flat list"):
                assert finding.severity == "info"
            else:
                assert finding.severity == severity[finding.check], finding


def test_flat_list_is_one_info_finding() -> None:
    report = check_vocabulary(DATA / "oc-flat-list.ttl")
    [finding] = report.findings
    assert finding.severity == "info" and finding.resource == EX + "scheme"
    assert "flat list: 3 concepts" in finding.message
    assert report.worst() == "info" and not report.fails("warning")


def test_flat_vocabulary_of_several_schemes_is_still_one_finding(tmp_path: Path) -> None:
    lines = [f"<{EX}s{i}> a <http://www.w3.org/2004/02/skos/core#ConceptScheme> .\n"
             f"<{EX}c{i}{j}> a <http://www.w3.org/2004/02/skos/core#Concept> ; "
             f"<http://www.w3.org/2004/02/skos/core#inScheme> <{EX}s{i}> ."
             for i in range(3) for j in range(2)]
    (tmp_path / "schemes.ttl").write_text("\n".join(lines) + "\n")
    report = check_vocabulary(tmp_path / "schemes.ttl")
    orphans = [(f.resource, f.severity) for f in report.findings if f.check == "oc"]
    assert orphans == [(None, "info")]


def test_pref_label_tags_compare_case_insensitively() -> None:
    report = check_vocabulary(DATA / "s14-pref-labels.ttl")
    messages = {short(f.resource): f.message for f in report.findings}
    assert messages["a"] == '2 skos:prefLabel with "en": "alpha", "alpha two"'
    # fr-FR is a tag of its own
    assert messages["untyped"] == '2 skos:prefLabel with "fr": "trois", "un"'


def test_a_label_with_line_breaks_gives_a_one_line_message(tmp_path: Path) -> None:
    (tmp_path / "lines.ttl").write_text(
        '@prefix skos: <http://www.w3.org/2004/02/skos/core#> .\n'
        f'<{EX}a> skos:prefLabel """two\nlines"""@en ; skos:altLabel """two\nlines"""@en .\n')
    [finding] = check_vocabulary(tmp_path / "lines.ttl", only=["S13"]).findings
    assert finding.message == '"two lines"@en is both skos:prefLabel and skos:altLabel'


def test_language_tag_findings_name_the_tag() -> None:
    report = check_vocabulary(DATA / "oilt-language-tags.ttl")
    messages = sorted(f.message for f in report.findings)
    assert messages[0] == "1 text value(s) without a language tag (skos:altLabel)"
    assert messages[1].startswith('language tag "x-internal" is a private-use')
    assert messages[2].startswith('language tag "xy" is not a valid BCP 47 tag')


def test_byte_order_mark_is_read_like_the_file_without_it() -> None:
    assert check_vocabulary(DATA / "bom.ttl").stats == check_vocabulary(DATA / "clean.ttl").stats


def test_rdflib_graph_and_oxigraph_store_give_the_same_report_as_the_file() -> None:
    path = DATA / "urc-unidirectional.ttl"
    graph = Graph().parse(path)
    store = pyoxigraph.Store()
    store.load(path=str(path), format=pyoxigraph.RdfFormat.TURTLE)
    by_file = check_vocabulary(path).findings
    assert check_vocabulary(graph).findings == by_file
    assert check_vocabulary(store).findings == by_file


def test_directory_merges_its_rdf_files(tmp_path: Path) -> None:
    (tmp_path / "one.ttl").write_text((DATA / "clean.ttl").read_text())
    (tmp_path / "two.nt").write_text(
        f"<{EX}a> <http://www.w3.org/2004/02/skos/core#related> <{EX}a> .\n")
    (tmp_path / "notes.txt").write_text("not RDF")
    report = check_vocabulary(tmp_path)
    assert report.sources == ["one.ttl", "two.nt"]
    assert found(report) == {("a", "rrc")}


def test_findings_are_capped_per_check_but_counted_in_full() -> None:
    report = check_vocabulary(DATA / "rrc-reflexive.ttl", max_findings=1)
    [result] = [c for c in report.checks if c.id == "rrc"]
    assert (result.count, result.shown) == (2, 1)
    assert len(report.findings) == 1 and report.totals()["error"] == 2
    assert "2 (1 shown)" in " ".join(render(report, "text").split())


def test_unknown_check_is_an_input_error() -> None:
    with pytest.raises(InputError, match="unknown checks: nope"):
        check_vocabulary(DATA / "clean.ttl", only=["nope"])


def test_only_runs_the_checks_asked_for() -> None:
    report = check_vocabulary(DATA / "chr-cycle.ttl", only=["chr", "uc"])
    assert [c.id for c in report.checks] == ["chr", "uc"]
    assert found(report) == {("c1", "chr")}


def chain_with_cycle(path: Path, length: int) -> Path:
    """A broader chain of `length` concepts whose last one points back to the first."""
    lines = [f"<{EX}c{i}> a <http://www.w3.org/2004/02/skos/core#Concept> ; "
             f"<http://www.w3.org/2004/02/skos/core#broader> <{EX}c{(i + 1) % length}> ."
             for i in range(length)]
    path.write_text("\n".join(lines) + "\n")
    return path


def test_a_deep_cycle_is_one_finding_without_recursion(tmp_path: Path) -> None:
    report = check_vocabulary(chain_with_cycle(tmp_path / "deep.ttl", 20000))
    [cycle] = [f for f in report.findings if f.check == "chr"]
    assert cycle.message.startswith("hierarchy cycle through 20000 concepts:")
    assert cycle.message.endswith("and 19996 more")
    [undocumented] = [c for c in report.checks if c.id == "uc"]
    assert (undocumented.count, undocumented.shown) == (20000, 100)


def test_a_large_flat_list_is_still_one_finding(tmp_path: Path) -> None:
    lines = [f'<{EX}t{i}> a <http://www.w3.org/2004/02/skos/core#Concept> ; '
             f'<http://www.w3.org/2004/02/skos/core#prefLabel> "term {i}"@en .'
             for i in range(20000)]
    (tmp_path / "flat.ttl").write_text("\n".join(lines) + "\n")
    report = check_vocabulary(tmp_path / "flat.ttl")
    assert [(f.check, f.severity) for f in report.findings if f.check == "oc"] == [("oc", "info")]


# --- the command line ------------------------------------------------------------------------

def test_cli_exit_status_follows_the_worst_severity() -> None:
    assert run(str(DATA / "clean.ttl"))[0] == 0
    assert run(str(DATA / "uc-undocumented.ttl"))[0] == 0
    assert run(str(DATA / "uc-undocumented.ttl"), "--fail-on", "warning")[0] == 1
    assert run(str(DATA / "chr-cycle.ttl"))[0] == 1
    assert run(str(DATA / "oc-flat-list.ttl"), "--fail-on", "warning")[0] == 0


def test_cli_text_lists_findings_and_totals() -> None:
    code, out = run(str(DATA / "chr-cycle.ttl"))
    assert code == 1
    assert f"error   chr   <{EX}c1> hierarchy cycle through 3 concepts" in out
    assert out.rstrip().endswith("Total: 1 error, 0 warnings, 0 info")


def test_cli_malformed_turtle_names_file_line_and_column() -> None:
    code, out = run(str(DATA / "malformed.ttl"))
    assert code == 2
    assert "malformed.ttl:6:23: malformed RDF" in out


def test_cli_malformed_rdfxml_names_file_line_and_column() -> None:
    code, out = run(str(DATA / "malformed.rdf"))
    assert code == 2
    assert "malformed.rdf:6:5: malformed RDF" in out


def test_syntax_error_carries_line_and_column_for_the_web_too() -> None:
    with pytest.raises(RDFSyntaxError) as caught:
        check_vocabulary(DATA / "malformed.ttl")
    problem = caught.value.to_problem()
    assert (problem["status"], problem["line"], problem["column"], problem["file"]) == (
        400, 6, 23, "malformed.ttl")


def test_cli_remote_jsonld_context_is_not_fetched(tmp_path: Path) -> None:
    (tmp_path / "remote.jsonld").write_text(
        '{"@context": "https://schema.org/", "@id": "http://example.org/q/a", "name": "a"}')
    code, out = run(str(tmp_path / "remote.jsonld"))
    assert code == 2
    assert "remote.jsonld: refers to a remote JSON-LD context, which is not fetched" in out


@pytest.mark.parametrize("name", ["missing.ttl", "notes.txt", "empty-dir"])
def test_cli_unreadable_input_exits_2(tmp_path: Path, name: str) -> None:
    (tmp_path / "notes.txt").write_text("not RDF")
    (tmp_path / "empty-dir").mkdir()
    code, out = run(str(tmp_path / name))
    assert code == 2 and out.startswith("microcred: error: ")


def test_cli_checks_the_configured_vocabulary_by_default(tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "glossary.ttl").write_text((DATA / "hr-redundancy.ttl").read_text())
    monkeypatch.setenv("MICROCRED_VOCAB_DIR", str(tmp_path))
    code, out = run("--format", "json")
    report = json.loads(out)
    assert code == 0 and report["sources"] == ["glossary.ttl"]
    assert [(f["check"], f["resource"]) for f in report["findings"]] == [("hr", EX + "a1")]


def test_json_output_has_counts_timings_and_findings() -> None:
    code, out = run(str(DATA / "rrc-reflexive.ttl"), "--format", "json", "--max-findings", "1")
    report = json.loads(out)
    assert code == 1
    assert report["totals"] == {"info": 0, "warning": 0, "error": 2}
    assert report["worst"] == "error"
    rrc = next(c for c in report["checks"] if c["id"] == "rrc")
    assert (rrc["count"], rrc["shown"], rrc["name"]) == (2, 1, "Reflexive relations")
    assert all(c["seconds"] >= 0 for c in report["checks"])
    assert report["findings"] == [{"check": "rrc", "name": "Reflexive relations",
                                   "severity": "error", "resource": EX + "a",
                                   "message": "skos:related links the concept to itself"}]


def test_turtle_output_is_a_dqv_report_graph() -> None:
    code, out = run(str(DATA / "urc-unidirectional.ttl"), "--format", "turtle")
    assert code == 0
    graph = Graph().parse(data=out, format="turtle")
    annotations = set(graph.subjects(predicate=OA.hasTarget))
    assert {graph.value(a, OA.hasTarget) for a in annotations} == {URIRef(EX + "a"),
                                                                   URIRef(EX + "c")}
    assert {graph.value(a, SH.resultSeverity) for a in annotations} == {SH.Warning}
    counts = {str(graph.value(graph.value(m, DQV.isMeasurementOf),
                              URIRef("http://www.w3.org/2004/02/skos/core#notation"))):
              graph.value(m, DQV.value).toPython()
              for m in graph.subjects(predicate=DQV.isMeasurementOf)}
    assert counts["urc"] == 2 and counts["chr"] == 0 and len(counts) == len(CHECKS)


# --- the shipped vocabulary ------------------------------------------------------------------

def test_shipped_vocabulary_has_no_errors_or_warnings() -> None:
    vocab_dir = Path(load_settings().vocab_dir)
    if not any(vocab_dir.glob("*.ttl")):
        pytest.skip("vocab/ holds no Turtle file yet")
    report = check_vocabulary(vocab_dir, max_findings=None)
    faults = [f for f in report.findings if f.severity != "info"]
    assert faults == []


# --- the corpus: qSKOS's own fixtures, the Skosmos test vocabularies, STW ---------------------

QSKOS = CORPUS / "skos-quality" / "qskos"

#: qSKOS fixture -> the check it was built for and the resources (local names) it must flag.
QSKOS_EXPECTED = {
    "ambiguousLabels": ("S14", {"conceptA", "conceptA2", "conceptA3", "conceptA4"}),
    # a clash is reported on the first of the two concepts in IRI order ("10" before "8")
    "relationClashes": ("S27", {"1", "3", "5", "10", "26", "31", "34", "36", "38", "41"}),
    "hierarchicalAndAssociativeRelations": ("S27", {"conceptA", "conceptC", "conceptE",
                                                     "conceptG"}),
    "exactVsAssociativeMappingClashes": ("S46", {"1", "17", "19", "21", "26"}),
    "cycles": ("chr", {"conceptA", "conceptF"}),
    "reflexivelyRelatedConcepts": ("rrc", {"conceptA", "conceptB"}),
    "concepts": ("oc", {"17791-0", "15063-1", "73338", "70934", "definedConcept", "p",
                        "testTopConcept"}),
    # seven clusters, as qSKOS counts them: the largest (F, G, H, N, O) and these six
    "components_1": ("dcc", {"conceptA", "conceptB", "conceptI", "conceptK", "conceptQ", "1"}),
    "hierarchicalRedundancy": ("hr", {"conceptA", "conceptF", "conceptG", "conceptJ"}),
    "missingTopConcepts": ("otc", {"conceptSchemeA", "resourceF"}),
    "noBroaderAndNotTopConcepts": ("otc", {"resourceG", "resourceJ", "myConceptScheme"}),
    "topConceptsHavingBroaderConcept": ("tchbc", {"resourceA", "resourceB", "resourceE",
                                                  "resourceG"}),
    "omittedInverseRelations": ("urc", {"conceptA", "conceptC", "conceptG", "conceptI",
                                        "conceptM", "conceptO", "conceptS", "conceptW"}),
    "mappingRelationsMisuse": ("mri", {"conceptA", "conceptC", "conceptI", "conceptK",
                                       "conceptM"}),
    "deprecatedAndIllegalTerms": ("usr", {"symbol", "prefSymbol", "altSymbol",
                                          "CollectableProperty", "subject", "isSubjectOf",
                                          "primarySubject", "isPrimarySubjectOf",
                                          "subjectIndicator", "NotExistingResource",
                                          "fantasyProperty", "OtherNotExistingResource"}),
    "missingLabels": ("ml", {"conceptA", "conceptC", "conceptD", "conceptE", "conceptG",
                             "conceptSchemeC", "conceptSchemeD"}),
    "emptyLabels": ("el", {"conceptA", "conceptB", "conceptD"}),
    "languageTags": ("oilt", {"conceptE", "conceptH", "conceptJ"}),
    "overlappingLabels": ("ol", {"conceptA", "conceptC"}),
    "documentedConcepts": ("uc", {"conceptC"}),
    "components_2": ("dcc", set()),  # two trees joined by skos:related: one cluster
}


def local_name(iri: str | None) -> str:
    """The last segment of an IRI (after '#' or '/')."""
    assert iri is not None
    return iri[max(iri.rfind("#"), iri.rfind("/")) + 1:]


@corpus
@needs_corpus
@pytest.mark.parametrize("name", sorted(QSKOS_EXPECTED))
def test_qskos_fixture_triggers_the_check_it_was_built_for(name: str) -> None:
    check, resources = QSKOS_EXPECTED[name]
    report = check_vocabulary(QSKOS / f"{name}.rdf", max_findings=None)
    assert {local_name(f.resource) for f in report.findings if f.check == check} == resources


@corpus
@needs_corpus
@pytest.mark.parametrize("name,line,column", [("invalidCharacters", 5, 33),
                                              ("resources", 27, 33), ("skosxl", 8, 47)])
def test_qskos_fixtures_with_invalid_rdf_exit_2_with_the_place(name: str, line: int,
                                                                column: int) -> None:
    code, out = run(str(QSKOS / f"{name}.rdf"))
    assert code == 2
    assert f"{name}.rdf:{line}:{column}: malformed RDF" in out


@corpus
@needs_corpus
def test_every_qskos_fixture_gives_a_report_or_a_syntax_error() -> None:
    for path in sorted(QSKOS.glob("*.rdf")):
        code, out = run(str(path), "--format", "json")
        assert code in (0, 1) or out.startswith("microcred: error: "), path.name
        if code != 2:
            assert json.loads(out)["sources"] == [path.name]


def cli_json(path: Path) -> tuple[int, dict]:
    code, out = run(str(path), "--format", "json", "--max-findings", "0")
    assert code in (0, 1), out
    return code, json.loads(out)


def counts(report: dict) -> dict[str, int]:
    return {c["id"]: c["count"] for c in report["checks"] if c["count"]}


@corpus
@needs_corpus
@pytest.mark.parametrize("path", sorted((CORPUS / "skos-vocab" / "skosmos-tests").glob("*.ttl")),
                         ids=lambda p: p.name)
def test_skosmos_test_vocabularies_run_through_the_cli(path: Path) -> None:
    code, report = cli_json(path)
    assert code == (1 if report["totals"]["error"] else 0)
    assert sum(c["count"] for c in report["checks"]) == len(report["findings"])


@corpus
@needs_corpus
def test_skosmos_cycle_and_dup_findings() -> None:
    tests = CORPUS / "skos-vocab" / "skosmos-tests"
    _, cycle = cli_json(tests / "cycle.ttl")
    assert {(f["check"], local_name(f["resource"])) for f in cycle["findings"]
            if f["severity"] == "error"} == {("chr", "ta3"), ("rrc", "ta2")}
    _, dup = cli_json(tests / "dup.ttl")
    assert {(f["check"], local_name(f["resource"])) for f in dup["findings"]
            if f["check"] in ("ol", "S14")} == {("ol", "d1"), ("ol", "d3"), ("S14", "d6")}
    _, nolang = cli_json(tests / "nolang.ttl")
    assert {local_name(f["resource"]) for f in nolang["findings"] if f["check"] == "oilt"} == {
        "no1", "no2", "no3"}
    _, subtag = cli_json(tests / "subtag.ttl")
    assert "oilt" not in counts(subtag)  # en-gb is a valid tag


@corpus
@needs_corpus
def test_flat_euroscivoc_is_reported_once_as_a_flat_list() -> None:
    _, report = cli_json(CORPUS / "skos-vocab" / "EuroSciVoc.ttl")
    orphans = [f for f in report["findings"] if f["check"] == "oc"]
    assert [(f["severity"], f["message"].split(":")[0]) for f in orphans] == [("info", "flat list")]
    assert report["stats"]["concepts"] == 1031


@corpus
@needs_corpus
def test_stw_thesaurus_through_the_cli() -> None:
    code, report = cli_json(CORPUS / "skos-large" / "stw-skos.ttl")
    assert code == 0
    assert report["stats"]["triples"] == 109659
    assert report["stats"]["concepts"] - report["stats"]["deprecated_concepts"] == 6243
    assert counts(report) == {"hr": 3447, "uc": 5719}
    assert report["totals"] == {"error": 0, "warning": 9166, "info": 0}
