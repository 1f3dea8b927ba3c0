"""Validation core and CLI: profiles, the Annex I elements one by one, parsing errors, contexts."""

from __future__ import annotations

import json
import pickle
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from microcred.cli import main
from microcred.config import load_settings
from microcred.contexts import ContextStore
from microcred.errors import ConfigurationError, ContextNotAvailable, InputError, RDFSyntaxError, UnknownProfile
from microcred.profiles import load_profiles
from microcred.validation import PassportValidator

DATA = Path(__file__).resolve().parent / "data"
PASSPORTS = DATA / "passports"
EX = "https://passports.example.org/"
MIN_COUNT = "http://www.w3.org/ns/shacl#MinCountConstraintComponent"
OR = "http://www.w3.org/ns/shacl#OrConstraintComponent"
MC = "https://w3id.org/microcred/glossary/"
MCS = "https://w3id.org/microcred/shapes/"
QA_PATH = "((elm:specifiedBy/elm:accreditation)|(elm:awardedBy/elm:awardingBody/elm:accreditation))"

#: file -> profile -> the exact findings (severity, component, focus node, path, source shape).
EXPECTED = {
    "learner-identification": [("Violation", OR, EX + "learner", None, MCS + "Learner-identification")],
    "title": [("Violation", MIN_COUNT, EX + "achievement", "dct:title", MCS + "Achievement-title")],
    "awarding-body": [("Violation", MIN_COUNT, EX + "achievement", "elm:awardedBy/elm:awardingBody",
                       MCS + "Achievement-awardingBody")],
    "learning-outcomes": [("Violation", MIN_COUNT, EX + "achievement",
                           "elm:specifiedBy/(elm:learningOutcome|elm:learningOutcomeSummary)",
                           MCS + "Achievement-learningOutcomes")],
    "workload": [("Violation", MIN_COUNT, EX + "achievement", "elm:specifiedBy/(elm:creditPoint|elm:volumeOfLearning)",
                  MCS + "Achievement-workload")],
    "eqf-level": [("Warning", MIN_COUNT, EX + "achievement", "elm:specifiedBy/elm:EQFLevel", MCS + "Achievement-level")],
    "assessment-type": [("Violation", MIN_COUNT, EX + "achievement", "elm:provenBy/elm:specifiedBy/dct:type",
                         MCS + "Achievement-assessment")],
    "participation": [("Violation", MIN_COUNT, EX + "achievement",
                       "((elm:specifiedBy/elm:mode)|(elm:influencedBy/elm:specifiedBy/elm:mode))",
                       MCS + "Achievement-participation")],
    "quality-assurance": [("Violation", MIN_COUNT, EX + "achievement", QA_PATH, MCS + "Achievement-qualityAssurance")],
}
COUNTRY = ("Violation", MIN_COUNT, EX + "university",
           "((elm:location/elm:address/elm:countryCode)|(elm:eidasLegalIdentifier/dct:spatial))", MCS + "Issuer-country")
ISSUED_ONLY = {  # elements the issued profile adds: the draft accepts a passport without them
    "issue-date": [("Violation", MIN_COUNT, EX + "credential", "cred:issued", MCS + "IssuedCredential-issued")],
    "issuer-identifier": [("Violation", MIN_COUNT, EX + "university", "elm:eidasLegalIdentifier",
                           MCS + "IssuedIssuer-identifier")],
}


@pytest.fixture(scope="module")
def contexts_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("contexts")
    ContextStore(directory).add(EX + "context.jsonld", (DATA / "contexts" / "passport.jsonld").read_bytes())
    return directory


@pytest.fixture(scope="module")
def validator(contexts_dir: Path) -> PassportValidator:
    return PassportValidator.from_settings(load_settings({"context_dir": str(contexts_dir)}, environ={}))


def findings(report) -> list[tuple]:  # noqa: ANN001
    return [(r.severity, r.component, r.focus_node, r.path, r.source_shape) for r in report.results]


def test_profiles_are_discovered_from_their_declaration_not_every_file(validator: PassportValidator) -> None:
    # shapes/vocabulary.ttl (the vocabulary's integrity shapes) declares no prof:Profile
    assert validator.profiles.ids() == ["draft", "issued"]
    assert validator.profiles.default == "issued"
    issued = validator.profiles.get("issued")
    assert issued.files == ("passport-issued.ttl", "passport-draft.ttl")  # owl:imports resolved locally
    assert issued.term == MC + "learning-passport"


@pytest.mark.parametrize("profile", ["draft", "issued"])
@pytest.mark.parametrize("name", ["complete.ttl", "complete.jsonld", "complete.rdf", "complete.nt"])
def test_complete_micro_credential_conforms(validator: PassportValidator, profile: str, name: str) -> None:
    report = validator.validate((PASSPORTS / name).read_bytes(), None, profile, name=name)
    assert report.conforms and report.results == ()
    assert report.counts == {"Violation": 0, "Warning": 0, "Info": 0}
    assert report.triples == 64


@pytest.mark.parametrize("profile", ["draft", "issued"])
@pytest.mark.parametrize("element", sorted(EXPECTED))
def test_each_missing_element_gives_exactly_its_finding(validator: PassportValidator, element: str,
                                                        profile: str) -> None:
    data = (PASSPORTS / f"missing-{element}.ttl").read_bytes()
    report = validator.validate(data, "text/turtle", profile)
    assert findings(report) == EXPECTED[element]
    assert report.conforms == (element == "eqf-level")  # the level is a warning: "if applicable"


def test_missing_country_of_issuer(validator: PassportValidator) -> None:
    data = (PASSPORTS / "missing-issuer-country.ttl").read_bytes()
    assert findings(validator.validate(data, "text/turtle", "draft")) == [COUNTRY]
    # issued also checks the eIDAS identifier, whose country was removed with the address
    assert findings(validator.validate(data, "text/turtle", "issued")) == [
        COUNTRY, ("Violation", MIN_COUNT, EX + "university-eidas", "dct:spatial",
                  findings(validator.validate(data, "text/turtle", "issued"))[1][4])]


@pytest.mark.parametrize("element", sorted(ISSUED_ONLY))
def test_issued_adds_date_of_issue_and_issuer_identifier(validator: PassportValidator, element: str) -> None:
    data = (PASSPORTS / f"missing-{element}.ttl").read_bytes()
    assert validator.validate(data, "text/turtle", "draft").conforms
    assert findings(validator.validate(data, "text/turtle", "issued")) == ISSUED_ONLY[element]


def test_messages_and_glossary_terms(validator: PassportValidator) -> None:
    data = (PASSPORTS / "missing-awarding-body.ttl").read_bytes()
    english = validator.validate(data, "text/turtle", "draft", lang="en").results[0]
    italian = validator.validate(data, "text/turtle", "draft", lang="it").results[0]
    assert english.message == "A micro-credential must name its awarding body (elm:awardedBy/elm:awardingBody)."
    assert italian.message.startswith("Una microcredenziale deve indicare l'ente che la conferisce")
    assert english.glossary_term == MC + "micro-credential"
    assert english.element == "Awarding body(ies)"


def test_every_shape_has_messages_in_english_and_italian_and_a_glossary_term(validator: PassportValidator) -> None:
    from rdflib.namespace import DCTERMS, SH

    graph = validator.profiles.get("issued").graph
    shapes = set(graph.subjects(SH.message, None))
    assert len(shapes) >= 30
    for shape in shapes:
        languages = {m.language for m in graph.objects(shape, SH.message)}
        assert languages == {"en", "it"}, shape
        assert str(graph.value(shape, DCTERMS.subject)).startswith(MC), shape


def test_identical_results_are_reported_once(validator: PassportValidator) -> None:
    # the same passport twice in one graph: same focus nodes, same findings
    data = (PASSPORTS / "missing-title.ttl").read_bytes()
    report = validator.validate(data + b"\n" + data.split(b"\n", 1)[1], "text/turtle", "draft")
    assert len(report.results) == 1


def test_report_carries_plain_values_with_datatype_and_language(validator: PassportValidator) -> None:
    report = validator.validate((PASSPORTS / "wrong-workload-datatype.ttl").read_bytes(), "text/turtle", "issued",
                                lang="it")
    (result,) = report.results
    assert (result.value, result.value_kind, result.value_datatype, result.value_lang) == (
        "75", "literal", "http://www.w3.org/2001/XMLSchema#integer", None)
    assert result.message_lang == "it" and result.message.startswith("Il volume di apprendimento")
    assert result.to_json()["valueDatatype"] == "http://www.w3.org/2001/XMLSchema#integer"
    # workers send reports between processes: strings and tuples only, no rdflib terms to pickle
    country = validator.validate((PASSPORTS / "missing-issuer-country.ttl").read_bytes(), "text/turtle", "issued")
    assert country.results[0].path_triples and b"rdflib" not in pickle.dumps(country)
    assert b"rdflib" not in pickle.dumps(report)


def test_document_without_anything_to_check_does_not_silently_conform(validator: PassportValidator) -> None:
    report = validator.validate(b"<https://a.example/x> <https://a.example/y> \"1\" .", "application/n-triples")
    assert not report.conforms
    assert [r.component for r in report.results] == ["https://w3id.org/microcred/shapes/NoFocusNodeComponent"]


def test_unknown_profile(validator: PassportValidator) -> None:
    with pytest.raises(UnknownProfile):
        validator.validate((PASSPORTS / "complete.ttl").read_bytes(), "text/turtle", "nope")


@pytest.mark.parametrize("name,line,column", [("bad.ttl", 3, 24), ("bad.nt", 2, 69), ("bad.jsonld", 4, 7),
                                              ("bad.rdf", 4, 5), ("bad.trig", 4, 1)])
def test_malformed_documents_name_their_position(validator: PassportValidator, name: str, line: int,
                                                column: int) -> None:
    with pytest.raises(RDFSyntaxError) as caught:
        validator.validate((PASSPORTS / "malformed" / name).read_bytes(), None)
    assert (caught.value.extra["line"], caught.value.extra["column"]) == (line, column)


def test_deeply_nested_json_is_a_clear_error(validator: PassportValidator) -> None:
    for data in (b"[" * 200000, b'{"@id": "https://a.example/x", "https://a.example/p": ' * 3000):
        with pytest.raises(InputError, match="nested too deeply"):
            validator.validate(data, "application/ld+json")


class Recorder(BaseHTTPRequestHandler):
    """A loopback server that answers everything and counts what it was asked."""

    hits: list[str] = []

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        Recorder.hits.append(self.path)
        body = b'{"@context": {"x": "https://a.example/"}}'
        self.send_response(200)
        self.send_header("Content-Type", "application/ld+json")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture()
def recorder():  # noqa: ANN201
    server = ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    Recorder.hits = []
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


def test_contexts_come_from_the_store_never_the_network(validator: PassportValidator, recorder: str) -> None:
    url = recorder + "/context.jsonld"
    document = {"@context": ["https://passports.example.org/context.jsonld", url], "@id": "ex:x", "x:y": "z"}
    with pytest.raises(ContextNotAvailable) as caught:
        validator.validate(json.dumps(document).encode(), "application/ld+json")
    assert caught.value.extra["context"] == url and url in caught.value.detail
    scoped = {"@context": {"t": {"@id": "https://a.example/t", "@context": url}}, "@id": "https://a.example/s"}
    with pytest.raises(ContextNotAvailable):
        validator.validate(json.dumps(scoped).encode(), "application/ld+json")
    imported = {"@context": {"@import": url}, "@id": "https://a.example/s"}
    with pytest.raises(ContextNotAvailable):
        validator.validate(json.dumps(imported).encode(), "application/ld+json")
    assert Recorder.hits == []


def test_owl_imports_in_data_are_not_followed(validator: PassportValidator, recorder: str) -> None:
    data = (PASSPORTS / "complete.ttl").read_bytes() + (
        f"\nex:credential <http://www.w3.org/2002/07/owl#imports> <{recorder}/more.ttl> .\n").encode()
    assert validator.validate(data, "text/turtle", "issued").conforms
    assert Recorder.hits == []


def test_extra_profiles_register_with_local_imports(tmp_path: Path) -> None:
    prefixes = ("@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix owl: <http://www.w3.org/2002/07/owl#> .\n"
                "@prefix ex: <https://shapes.example.org/> .\n")
    (tmp_path / "Base.ttl").write_text(prefixes + "ex:base a owl:Ontology . ex:S a sh:NodeShape ; "
                                       "sh:targetClass ex:C ; sh:property [ sh:path ex:p ; sh:minCount 1 ] .")
    (tmp_path / "More.ttl").write_text(prefixes + "ex:more a owl:Ontology ; owl:imports ex:base , "
                                       "<https://elsewhere.example.org/never-fetched> .")
    profiles = load_profiles(str(DATA.parent.parent / "shapes"), str(tmp_path))
    assert profiles.ids() == ["draft", "issued", "base", "more"]
    assert profiles.get("more").files == ("More.ttl", "Base.ttl")
    assert profiles.get("more").unresolved_imports == ("https://elsewhere.example.org/never-fetched",)


@pytest.mark.parametrize("body,problem", [
    ("ex:o a owl:Ontology .", "defines no SHACL shape"),
    ("ex:S a sh:NodeShape ; sh:property [ sh:path ex:p ; sh:minCount 1 ] .", "has shapes but no target"),
])
def test_profile_without_shapes_or_targets_is_an_error(tmp_path: Path, body: str, problem: str) -> None:
    (tmp_path / "broken.ttl").write_text("@prefix sh: <http://www.w3.org/ns/shacl#> . "
                                         "@prefix owl: <http://www.w3.org/2002/07/owl#> . "
                                         "@prefix ex: <https://shapes.example.org/> .\n" + body)
    with pytest.raises(ConfigurationError, match=problem):
        load_profiles(str(DATA.parent.parent / "shapes"), str(tmp_path))


def test_time_limit_per_validation(contexts_dir: Path) -> None:
    from microcred.errors import LimitExceeded
    from microcred.workers import Job, ValidationPool

    settings = load_settings({"context_dir": str(contexts_dir), "validation_timeout": 0.2}, environ={})
    big = "\n".join(f"<{EX}c{i}> a <http://data.europa.eu/snb/model/elm/EuropeanDigitalCredential> ; "
                    f"<https://www.w3.org/2018/credentials#credentialSubject> <{EX}p{i}> . "
                    f"<{EX}p{i}> <http://data.europa.eu/snb/model/elm/hasClaim> <{EX}a{i}> ."
                    for i in range(6000)).encode()
    complete = Job((PASSPORTS / "complete.ttl").read_bytes(), "text/turtle", "issued")
    with ValidationPool(settings, 1, "forkserver") as pool:
        outcomes = pool.validate_many([Job(big, "text/turtle", "issued", name="big.ttl"), complete])
        assert isinstance(outcomes[0], LimitExceeded) and "big.ttl" in outcomes[0].detail
        assert outcomes[1].conforms  # the worker goes on serving


# --- the command line -------------------------------------------------------------------------

def cli_env(contexts_dir: Path) -> dict[str, str]:
    return {"MICROCRED_CONTEXT_DIR": str(contexts_dir)}


def test_cli_exit_codes(runner, contexts_dir: Path) -> None:  # noqa: ANN001
    env = cli_env(contexts_dir)
    ok = runner.invoke(main, ["validate", str(PASSPORTS / "complete.ttl")], env=env)
    assert ok.exit_code == 0, ok.output
    assert "conforms to issued" in ok.stdout
    bad = runner.invoke(main, ["validate", "--profile", "draft", str(PASSPORTS / "missing-title.ttl")], env=env)
    assert bad.exit_code == 1 and "must have a title" in bad.stdout
    broken = runner.invoke(main, ["validate", str(PASSPORTS / "malformed" / "bad.ttl")], env=env)
    assert broken.exit_code == 2 and "(line 3, column 24)" in broken.stderr
    unknown = runner.invoke(main, ["validate", "--profile", "nope", str(PASSPORTS / "complete.ttl")], env=env)
    assert unknown.exit_code == 2 and "no validation profile 'nope'" in unknown.stderr


def test_cli_directory_json_and_progress(runner, contexts_dir: Path) -> None:  # noqa: ANN001
    result = runner.invoke(main, ["validate", "--format", "json", str(PASSPORTS)], env=cli_env(contexts_dir))
    assert result.exit_code == 2  # the malformed/ files are errors
    body = json.loads(result.stdout)
    assert body["summary"] == {"files": 22, "conforming": 5, "notConforming": 12, "errors": 5}
    assert "validating" in result.stderr  # the progress bar, on standard error
    by_source = {Path(r["source"]).name: r for r in body["reports"]}
    assert by_source["missing-title.ttl"]["results"][0]["glossaryTerm"] == MC + "micro-credential"


def test_cli_turtle_report_is_a_shacl_report(runner, contexts_dir: Path) -> None:  # noqa: ANN001
    from rdflib import Graph
    from rdflib.namespace import SH

    result = runner.invoke(main, ["validate", "--format", "turtle", str(PASSPORTS / "missing-workload.ttl")],
                           env=cli_env(contexts_dir))
    graph = Graph().parse(data=result.stdout, format="turtle")
    assert result.exit_code == 1
    assert len(list(graph.subjects(SH.resultSeverity, SH.Violation))) == 1


def test_cli_contexts_add_and_list(runner, tmp_path: Path) -> None:  # noqa: ANN001
    env = {"MICROCRED_CONTEXT_DIR": str(tmp_path)}
    added = runner.invoke(main, ["contexts", "add", str(DATA / "contexts" / "passport.jsonld"),
                                 "--url", EX + "context.jsonld"], env=env)
    assert added.exit_code == 0, added.output
    assert runner.invoke(main, ["contexts", "list"], env=env).stdout == EX + "context.jsonld\n"
    needs_url = runner.invoke(main, ["contexts", "add", str(DATA / "contexts" / "passport.jsonld")], env=env)
    assert needs_url.exit_code == 2
