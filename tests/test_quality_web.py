"""GET /quality: the quality report over HTTP as JSON, HTML and Turtle, once per version."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import quote

from rdflib import Graph
from rdflib.namespace import RDF

from microcred.config import Settings
from microcred.namespaces import DQV, OA
from microcred.quality import CHECKS
from microcred.web import create_app, state

DATA = Path(__file__).parent / "data" / "quality"


def test_json_by_default_for_the_shipped_vocabulary(client, vocabulary) -> None:
    for accept in ("application/json", "*/*", None):
        response = client.get("/quality", headers={"Accept": accept} if accept else {})
        assert response.status_code == 200
        assert response.headers["Content-Type"] == "application/json"
    report = response.get_json()
    assert report["vocabulary_version"] == vocabulary.version
    assert report["sources"] == [f.name for f in vocabulary.files]
    assert [c["id"] for c in report["checks"]] == [c.id for c in CHECKS]
    assert report["totals"]["error"] == 0 and report["totals"]["warning"] == 0
    assert report["stats"]["concepts"] == sum(1 for k in vocabulary.resources.values()
                                              if k == "concept")


def test_html_for_browsers_extends_the_site_pages(client) -> None:
    browser = "text/html,application/xhtml+xml,*/*;q=0.8"
    response = client.get("/quality", headers={"Accept": browser})
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/html; charset=utf-8"
    page = response.get_data(as_text=True)
    assert "<h1>Quality report</h1>" in page
    assert '<a href="/quality">Quality</a>' in page  # the site's navigation, from base.html
    assert "<td><code>S27</code></td><td>Related vs. broader clash</td>" in page


def test_turtle_is_the_dqv_report_graph(client) -> None:
    response = client.get("/quality", headers={"Accept": "text/turtle"})
    assert response.headers["Content-Type"] == "text/turtle; charset=utf-8"
    graph = Graph().parse(data=response.get_data(as_text=True), format="turtle")
    assert len(set(graph.subjects(RDF.type, DQV.QualityMeasurement))) == len(CHECKS)
    assert len(set(graph.subjects(RDF.type, DQV.QualityAnnotation))) == \
        len(client.get("/quality").get_json()["findings"])


def test_mediatype_parameter_overrides_accept(client) -> None:
    response = client.get("/quality?_mediatype=ttl", headers={"Accept": "text/html"})
    assert response.headers["Content-Type"] == "text/turtle; charset=utf-8"


def test_report_is_computed_once_per_version(app, client, vocabulary) -> None:
    first = client.get("/quality").data
    second = client.get("/quality").data
    assert first == second
    keys = [k for k in state(app).extras if k.startswith("quality:")]
    assert keys == ["quality:" + vocabulary.version]


def test_etag_and_conditional_get(client) -> None:
    response = client.get("/quality")
    assert response.headers["Vary"] == "Accept"
    etag = response.headers["ETag"]
    again = client.get("/quality", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    html = client.get("/quality", headers={"Accept": "text/html", "If-None-Match": etag})
    assert html.status_code == 200 and html.headers["ETag"] != etag
    head = client.head("/quality")
    assert head.status_code == 200 and head.data == b"" and head.headers["ETag"] == etag


def test_unacceptable_media_type_is_a_problem(client) -> None:
    response = client.get("/quality", headers={"Accept": "image/png"})
    assert response.status_code == 406
    problem = response.get_json(force=True)
    assert response.headers["Content-Type"] == "application/problem+json"
    assert problem["accepted"] == ["application/json", "text/html", "text/turtle"]


def test_openapi_describes_quality(client) -> None:
    paths = json.loads(client.get("/openapi.json").data)["paths"]
    assert set(paths["/quality"]["get"]["responses"]["200"]["content"]) == {
        "application/json", "text/html", "text/turtle"}


def test_faults_of_another_vocabulary_are_reported_and_linked(settings: Settings,
                                                              tmp_path: Path) -> None:
    for name in ("chr-cycle.ttl", "el-empty-labels.ttl"):
        (tmp_path / name).write_text((DATA / name).read_text())
    client = create_app(settings.replace(vocab_dir=str(tmp_path))).test_client()
    report = client.get("/quality").get_json()
    assert report["sources"] == ["chr-cycle.ttl", "el-empty-labels.ttl"]
    assert {(f["check"], f["resource"]) for f in report["findings"]} == {
        ("chr", "http://example.org/q/c1"), ("el", "http://example.org/q/a"),
        ("el", "http://example.org/q/b")}
    assert report["totals"] == {"info": 0, "warning": 2, "error": 1}
    page = client.get("/quality", headers={"Accept": "text/html"}).get_data(as_text=True)
    assert f'href="/resource?uri={quote("http://example.org/q/c1", safe="")}"' in page
    assert "hierarchy cycle through 3 concepts" in page
    graph = Graph().parse(data=client.get("/quality?_mediatype=ttl").data, format="turtle")
    targets = {str(graph.value(a, OA.hasTarget)) for a in graph.subjects(RDF.type,
                                                                          DQV.QualityAnnotation)}
    assert targets == {"http://example.org/q/c1", "http://example.org/q/a", "http://example.org/q/b"}


def test_two_processes_serve_the_same_report_under_the_same_etag(app, settings, vocabulary) -> None:  # noqa: ANN001
    """Each worker process builds its own app: the report's timings differed, so did its ETag."""
    other = create_app(settings, vocabulary)
    try:
        for accept in ("application/json", "text/html", "text/turtle"):
            ours = app.test_client().get("/quality", headers={"Accept": accept})
            theirs = other.test_client().get("/quality", headers={"Accept": accept})
            assert ours.headers["ETag"] == theirs.headers["ETag"] and ours.data == theirs.data
            again = other.test_client().get("/quality", headers={"Accept": accept,
                                                                  "If-None-Match": ours.headers["ETag"]})
            assert again.status_code == 304
        assert "seconds" not in app.test_client().get("/quality").get_json()
    finally:
        other.extensions["microcred"].extras["sparql"].close()
