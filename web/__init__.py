"""The Flask app: the chat page, the item page and the JSON API, all answered by `qa`.

>>> app = create_app({"DATA_DIR": "./dateline-data"})
>>> app.test_client().get("/api/status").status_code  # 503 until `dateline index` has run
503
"""
from __future__ import annotations

from pathlib import Path

from flask import Flask

from dateline.index import settings


def create_app(config: dict | None = None) -> Flask:
    """Make the app; ``config`` overrides the settings read from ``DATELINE_*`` variables.

    Keys: ``DATA_DIR``, ``MODEL``, ``REINDEX_TOKEN``, ``API_KEYS`` (comma-separated),
    ``PUBLIC_URL``, ``MAX_CONTENT_LENGTH`` and ``UPLOAD_MAX_BYTES`` (bytes), ``RELOAD_INTERVAL`` (seconds) and, for tests, ``ENGINE``: an object with the
    ``qa.engine.Engine`` methods used instead of loading the model and the index.
    """
    app = Flask(__name__)
    app.config.from_mapping(
        DATA_DIR=str(settings.get("data")),
        MODEL=settings.get("model") or None,
        REINDEX_TOKEN=settings.get("reindex_token"),
        API_KEYS=settings.get("api_keys"),
        PUBLIC_URL=settings.get("public_url"),
        MAX_CONTENT_LENGTH=settings.get("max_request_bytes"),
        UPLOAD_MAX_BYTES=settings.get("upload_max_mb") * 1024 * 1024,
        RELOAD_INTERVAL=settings.get("reload_interval"),
        ENGINE=None,
    )
    if config:
        app.config.update(config)
    app.config["DATA_DIR"] = str(Path(app.config["DATA_DIR"]))
    from .auth import configured_keys

    app.config["API_KEYS"] = configured_keys(app.config["API_KEYS"])
    from .strict_json import StrictJSONProvider

    app.json = StrictJSONProvider(app)  # no NaN in or out, bounded nesting in
    app.json.sort_keys = False

    from . import api, engine, errors, jobs_api, openai_api, pages

    errors.init_app(app)
    engine.init_app(app)
    app.register_blueprint(api.bp)
    app.register_blueprint(jobs_api.bp)
    app.register_blueprint(openai_api.bp)
    app.register_blueprint(pages.bp)
    return app
