"""Reading SPARQL text: the query form, refused updates, and SERVICE found wherever a parser
would see it, never inside a literal, an IRI or a comment."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from conftest import Listener
from microcred.errors import QueryRefused, QuerySyntaxError
from microcred.querytext import read_query, unescape_codepoints


@pytest.mark.parametrize(("text", "form"), [
    ("SELECT * { ?s ?p ?o }", "SELECT"),
    ("PREFIX ex: <http://example.org/#> BASE <http://example.org/> ask { ?s ?p ?o }", "ASK"),
    ("# a comment first\nCONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", "CONSTRUCT"),
    ("DESCRIBE <http://example.org/a>", "DESCRIBE"),
])
def test_the_form_is_the_first_keyword_after_the_prologue(text: str, form: str) -> None:
    assert read_query(text).form == form


@pytest.mark.parametrize("text", [
    "INSERT DATA { <http://e/a> <http://e/b> <http://e/c> }",
    "PREFIX ex: <http://e/>\nDELETE WHERE { ?s ?p ?o }",
    "CLEAR ALL", "DROP GRAPH <http://e/g>", "LOAD <http://e/data.ttl>",
    "WITH <http://e/g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }",
])
def test_updates_are_refused_with_their_position(text: str) -> None:
    with pytest.raises(QueryRefused, match="read-only") as caught:
        read_query(text)
    assert caught.value.status == 400
    assert caught.value.extra == {"line": text.count("\n") + 1, "column": 1}


def test_an_update_keyword_on_a_later_line_is_located() -> None:
    with pytest.raises(QueryRefused) as caught:
        read_query("PREFIX ex: <http://e/>\n  DELETE WHERE { ?s ?p ?o }")
    assert (caught.value.extra["line"], caught.value.extra["column"]) == (2, 3)


@pytest.mark.parametrize("text", ["", "   ", "# only a comment", "FOO BAR", "{ ?s ?p ?o }"])
def test_text_that_is_no_query_is_a_syntax_error(text: str) -> None:
    with pytest.raises(QuerySyntaxError):
        read_query(text)


@pytest.mark.parametrize("text", [
    'SELECT * { ?s ?p "SERVICE <http://e/> { }" }',
    "SELECT * { ?s ?p 'service' }",
    'SELECT * { ?s ?p """\nSERVICE <http://e/> { }\n""" }',
    "SELECT * { ?s ?p ?o } # SERVICE <http://e/> { }",
    "SELECT * { ?s <http://e/SERVICE> ?o }",
    "PREFIX sd: <http://www.w3.org/ns/sparql-service-description#> SELECT * { ?s a sd:Service }",
    "PREFIX service: <http://e/> SELECT ?service { ?service a service:SERVICE }",
    "SELECT * { ?s ?p ?o FILTER(?o < 3) }",
])
def test_service_as_a_word_in_data_names_or_comments_is_allowed(text: str) -> None:
    assert read_query(text).form == "SELECT"


@pytest.mark.parametrize(("text", "column"), [
    ("SELECT * { SERVICE <http://e/> { ?s ?p ?o } }", 12),
    ("select * { service silent ?endpoint { ?s ?p ?o } }", 12),
    ("SELECT * { ?s ?p ?o . SERVICE<http://e/>{} }", 23),
    (r"SELECT * { \u0053ERVICE <http://e/> { } }", 12),  # Jena decodes escapes before lexing
    (r'SELECT * { ?s ?p "\u0022 SERVICE <http://e/> { } #" }', 21),
    ("SELECT * { ?s ?p <'x> . SERVICE <http://e/> { ?a ?b ?c } } #'", 25),
])
def test_service_clauses_are_refused_with_their_position(text: str, column: int) -> None:
    with pytest.raises(QueryRefused, match="SERVICE") as caught:
        read_query(text)
    assert caught.value.extra == {"line": 1, "column": column}


def test_the_dataset_clause_is_noticed_only_outside_literals() -> None:
    assert read_query("SELECT * FROM <http://e/g> { ?s ?p ?o }").has_dataset
    assert not read_query('SELECT * { ?s ?p "FROM" }').has_dataset


def test_codepoint_escapes_are_decoded_as_the_specification_says() -> None:
    assert unescape_codepoints(r"\u0053ERVICE \U0001F600 \uD800") == "SERVICE \U0001F600 \\uD800"


@pytest.mark.parametrize("template", [
    # oxigraph reads '<' as less-than here, so the quote opens a string and SERVICE is code
    "SELECT * {{ BIND('a' AS ?x) FILTER(?x<'x>') SERVICE <{url}> {{ }} }} #'",
    # ... and here the '#' opens a comment that hides the end of the would-be IRI
    "SELECT * {{ BIND(0 AS ?x) FILTER(?x<1)SERVICE#>\n<{url}> {{ }} }}",
    "SELECT * {{ BIND(0 AS ?x) FILTER(?x<1#> '''\n) SERVICE <{url}> {{ }} #'''\n}}",
])
def test_no_reading_of_a_checked_query_reaches_the_network(template: str) -> None:
    """Queries that a naive lexer misreads: unchecked, pyoxigraph calls out; checked, never."""
    listener = Listener()
    try:
        text = template.format(url=listener.url)
        with pytest.raises(OSError):
            list(ox.Store().query(text))
        assert listener.wait_for_connection()
        listener.connections = 0
        try:
            checked = read_query(text)
        except QueryRefused:
            return
        with pytest.raises(SyntaxError):
            list(ox.Store().query(checked.text))
        assert listener.connections == 0
    finally:
        listener.close()


def test_iris_that_could_be_read_two_ways_keep_their_meaning() -> None:
    store = ox.Store()
    store.add(ox.Quad(ox.NamedNode("http://e/a#b"), ox.NamedNode("http://e/p'q"), ox.Literal("v")))
    checked = read_query("SELECT ?o { VALUES (?s ?p) { (<http://e/a#b> <http://e/p'q>) } ?s ?p ?o }")
    assert "\\u0027" in checked.text
    assert [row["o"].value for row in store.query(checked.text)] == ["v"]
