"""Search: the folded label index (core) and /search over real HTTP."""

from __future__ import annotations

import json
import unicodedata
from urllib.parse import quote

import pytest

from microcred.namespaces import MC
from microcred.search import SearchIndex, build_index, fold, index_for, label_entries
from microcred.vocabulary import load_vocabulary
from microcred.web import create_app, state

from conftest import DATA, LiveServer
from test_terms import fetch

EX = "https://w3id.org/microcred/test/"


@pytest.fixture(scope="module")
def labels_vocabulary(settings):  # noqa: ANN001, ANN201
    return load_vocabulary(settings.replace(vocab_dir=str(DATA / "vocab-labels"), default_language="de"))


@pytest.fixture(scope="module")
def labels_index(labels_vocabulary) -> SearchIndex:  # noqa: ANN001
    return build_index(labels_vocabulary)


def iris(hits) -> list[str]:  # noqa: ANN001
    return [h.iri.removeprefix(EX) for h in hits]


@pytest.mark.parametrize("lang, expected", [
    ("it", ("A-de", "de")), ("fr", ("A-fr", "fr")), (None, ("A-de", "de")), ("FR", ("A-fr", "fr")),
])
def test_label_order_requested_then_default(labels_vocabulary, lang, expected) -> None:  # noqa: ANN001
    assert labels_vocabulary.label_and_language(EX + "all", lang) == expected


@pytest.mark.parametrize("iri, expected", [
    ("no-default", ("B-untagged", "")), ("no-untagged", ("C-en", "en")), ("no-english", ("D-fr", "fr")),
    ("two-labels", ("alpha", "en")), ("unlabelled-thing", ("unlabelled-thing", "")),
])
def test_label_fallback_is_untagged_then_english_then_first_tag(labels_vocabulary, iri, expected) -> None:  # noqa: ANN001
    assert labels_vocabulary.label_and_language(EX + iri, "it") == expected


def test_fold_ignores_case_accents_and_normalisation() -> None:
    composed, decomposed = "Prüf", unicodedata.normalize("NFD", "Prüf")
    assert composed != decomposed
    assert fold(composed) == fold(decomposed) == fold("pruf") == fold("PRÜF") == "pruf"
    assert fold("Micro-Credential") == "micro credential"
    assert fold("Łódź") == "lodz" and fold("Straße") == "strasse"


@pytest.mark.parametrize("query", ["pruf", "Prüf", unicodedata.normalize("NFD", "Prüf"), "PRUFUNG"])
def test_accent_case_and_normalisation_variants_find_the_same_term(labels_vocabulary, labels_index, query) -> None:  # noqa: ANN001
    hits = labels_index.search(labels_vocabulary, query)
    assert iris(hits) == ["exam"]
    assert hits[0].matched == "Prüfung" and hits[0].matched_lang == "de" and hits[0].field == "pref"


def test_ranking_exact_then_label_prefix_then_word_prefix(labels_vocabulary, labels_index) -> None:  # noqa: ANN001
    hits = labels_index.search(labels_vocabulary, "exam", lang="en")
    assert iris(hits) == ["exam", "exam-board", "final-exam"]
    assert [h.quality for h in hits] == ["exact", "label-prefix", "word-prefix"]
    assert hits[0].matched == "exam" and hits[0].field == "alt"


def test_ranking_preferred_before_alternative(labels_vocabulary, labels_index) -> None:  # noqa: ANN001
    hits = labels_index.search(labels_vocabulary, "proof", lang="en")
    assert iris(hits) == ["proof", "evidence"] and [h.field for h in hits] == ["pref", "alt"]


@pytest.mark.parametrize("lang, first", [("fr", "deja-fr"), ("en", "deja-en")])
def test_ranking_puts_the_requested_language_first(labels_vocabulary, labels_index, lang, first) -> None:  # noqa: ANN001
    hits = labels_index.search(labels_vocabulary, "deja vu", lang=lang)
    assert iris(hits)[0] == first and len(hits) == 2


def test_lang_only_filters_and_hidden_labels_match_without_being_shown(labels_vocabulary, labels_index) -> None:  # noqa: ANN001
    assert labels_index.search(labels_vocabulary, "pruf", lang="en", only_lang=True) == []
    assert iris(labels_index.search(labels_vocabulary, "pruf", lang="de", only_lang=True)) == ["exam"]
    hidden = labels_index.search(labels_vocabulary, "examen")
    assert iris(hidden) == ["exam"] and hidden[0].matched is None and hidden[0].field == "hidden"
    assert hidden[0].label == "Prüfung"  # the label shown follows the fallback order (default de)


def test_the_glossary_finds_terms_by_alternative_labels_in_any_language(vocabulary) -> None:  # noqa: ANN001
    index = build_index(vocabulary)
    hit = index.search(vocabulary, "partial qualification")[0]
    assert hit.iri == str(MC["micro-qualification"]) and hit.matched == "partial qualification"
    assert hit.quality == "exact" and hit.field == "alt"
    hit = index.search(vocabulary, "microcredenziali")[0]
    assert hit.iri == str(MC["micro-credential"]) and hit.matched_lang == "it"
    assert index.search(vocabulary, "partial qual", limit=1)[0].iri == str(MC["micro-qualification"])


def naive(entries: list[tuple[str, str, str, str]], query: str) -> set[str]:
    """Every resource with a label whose folded form starts with the query or has a word that does."""
    key = fold(query)
    return {iri for iri, text, _, _ in entries if fold(text).startswith(key) or f" {key}" in fold(text)}


def test_bisection_finds_what_a_linear_scan_finds(labels_vocabulary, vocabulary) -> None:  # noqa: ANN001
    for vocab in (labels_vocabulary, vocabulary):
        entries = label_entries(vocab)
        index = SearchIndex(entries)
        # every 1-, 2- and 4-letter prefix of every label, and some that match nothing or span words
        queries = {fold(text)[:n] for _, text, _, _ in entries for n in (1, 2, 4)} | {"zz", "qu", "a b"}
        for query in sorted(queries):
            found = {h.iri for h in index.search(vocab, query, limit=100)}
            assert found == naive(entries, query), query


def test_index_is_built_once_per_version_on_first_search(settings, vocabulary) -> None:  # noqa: ANN001
    app = create_app(settings, vocabulary)
    extras = state(app).extras
    assert not any(k.startswith("search-index") for k in extras)
    app.test_client().get("/search?q=cred", headers={"Accept": "application/json"})
    first = index_for(extras, vocabulary)
    app.test_client().get("/search?q=qual", headers={"Accept": "application/json"})
    assert index_for(extras, vocabulary) is first and f"search-index:{vocabulary.version}" in extras


def test_search_json_over_http(live_server) -> None:  # noqa: ANN001
    status, headers, body = fetch(live_server.url + "/search?q=partial%20qual&lang=en",
                                  {"Accept": "application/json"})
    assert status == 200 and headers["Content-Type"] == "application/json"
    assert "Accept" in headers["Vary"]
    data = json.loads(body)
    top = data["results"][0]
    assert top["iri"] == str(MC["micro-qualification"]) and top["label"] == "Micro-qualification"
    assert top["matched"] == "partial qualification" and top["href"] == "/glossary/micro-qualification.en.html"


def test_search_html_is_negotiated_and_shows_the_matched_label(live_server) -> None:  # noqa: ANN001
    url = live_server.url + "/search?q=" + quote("microcredenziali") + "&lang=it"
    status, headers, body = fetch(url, {"Accept": "text/html,*/*;q=0.8"})
    assert status == 200 and headers["Content-Type"].startswith("text/html")
    page = body.decode()
    assert '<html lang="it">' in page and 'href="/glossary/micro-credential.it.html"' in page
    assert '<span lang="it">microcredenziali</span>' in page or ">microcredenziale<" in page
    status, headers, _ = fetch(live_server.url + "/search?q=cred&_mediatype=html", {"Accept": "application/json"})
    assert headers["Content-Type"].startswith("text/html")


@pytest.mark.parametrize("query, parameter", [
    ("q=cred&limit=0", "limit"), ("q=cred&limit=abc", "limit"), ("q=cred&limit=101", "limit"),
    ("q=cred&lang=not%20a%20tag", "lang"), ("q=" + "a" * 201, "q"), ("q=cred&lang_only=maybe", "lang_only"),
])
def test_bad_parameters_are_problems(live_server, query: str, parameter: str) -> None:  # noqa: ANN001
    status, headers, body = fetch(live_server.url + "/search?" + query, {"Accept": "application/json"})
    assert status == 400 and headers["Content-Type"] == "application/problem+json"
    assert json.loads(body)["parameter"] == parameter


def test_search_refuses_unservable_types_and_answers_empty_queries(live_server) -> None:  # noqa: ANN001
    assert fetch(live_server.url + "/search?q=cred", {"Accept": "image/png"})[0] == 406
    status, _, body = fetch(live_server.url + "/search?q=%20-%20", {"Accept": "application/json"})
    assert status == 200 and json.loads(body)["results"] == []


def test_openapi_describes_search(live_server) -> None:  # noqa: ANN001
    spec = json.loads(fetch(live_server.url + "/openapi.json")[2])
    params = {p["name"] for p in spec["paths"]["/search"]["get"]["parameters"]}
    assert {"q", "lang", "limit"} <= params
    assert "SearchResults" in spec["components"]["schemas"]


def test_a_second_app_on_another_vocabulary_searches_its_own_labels(settings) -> None:  # noqa: ANN001
    app = create_app(settings.replace(vocab_dir=str(DATA / "vocab-labels")))
    with LiveServer(app) as server:
        _, _, body = fetch(server.url + "/search?q=lodz", {"Accept": "application/json"})
    assert [r["label"] for r in json.loads(body)["results"]] == ["Łódź"]


@pytest.mark.parametrize("limit", ["9" * 5000, quote("٥"), "%2B5", "5%0A", quote("０５")])
def test_a_limit_of_5000_digits_or_non_ascii_digits_is_400_not_500(live_server, limit: str) -> None:  # noqa: ANN001
    status, headers, body = fetch(f"{live_server.url}/search?q=c&limit={limit}", {"Accept": "application/json"})
    problem = json.loads(body)
    assert status == 400 and headers["Content-Type"] == "application/problem+json"
    assert problem["parameter"] == "limit" and len(problem["detail"]) < 400
