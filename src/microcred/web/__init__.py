"""create_app(): the Flask application, its state and its blueprints.

The vocabulary is loaded once here and kept on app.extensions["microcred"]; nothing is read at
import time.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask import Flask

from microcred.config import Settings, load_settings
from microcred.conneg import DOCUMENT_FORMATS
from microcred.vocabulary import Vocabulary, load_vocabulary


@dataclass
class State:
    """What the app holds for its lifetime: settings, the vocabulary, per-version caches."""

    settings: Settings
    vocabulary: Vocabulary
    extras: dict[str, Any] = field(default_factory=dict)


def state(app: Flask) -> State:
    """The app's State."""
    return app.extensions["microcred"]


def create_app(settings: Settings | None = None, vocabulary: Vocabulary | None = None) -> Flask:
    """Build the application: load the vocabulary, render its documents, register blueprints."""
    from microcred.web import (
        cors,
        errors,
        guards,
        openapi,
        quality,
        search,
        sparql,
        terms,
        validate,
    )
    from microcred.web.bodylimit import BodyLimit
    from microcred.web.fastpath import FastPath

    settings = settings or load_settings()
    vocabulary = vocabulary or load_vocabulary(settings)
    vocabulary.warm(DOCUMENT_FORMATS)
    app = Flask("microcred", static_folder="static", static_url_path="/static")
    # the body limit is BodyLimit's (below); form fields may fill it, as a raw body may
    app.config["MAX_FORM_MEMORY_SIZE"] = settings.max_body
    app.json.sort_keys = False  # type: ignore[attr-defined]
    app.extensions["microcred"] = State(settings, vocabulary)
    errors.register(app)
    cors.register(app)
    guards.register(app)
    app.register_blueprint(openapi.bp)
    app.register_blueprint(search.bp)
    app.register_blueprint(quality.bp)
    app.register_blueprint(sparql.bp)
    sparql.attach(app)
    app.register_blueprint(validate.bp)
    # further blueprints go here, before terms: its catch-all route must come last
    app.register_blueprint(terms.bp)
    app.wsgi_app = BodyLimit(app.wsgi_app, settings.max_body)  # type: ignore[method-assign]
    # outermost: a rendered document is a dictionary lookup, before any other layer runs
    app.wsgi_app = FastPath(app.wsgi_app, vocabulary, settings.cache_max_age)  # type: ignore[method-assign]
    return app
