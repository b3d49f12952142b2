"""The OpenAPI 3.0 document served at GET /api/openapi.json.

It is written by hand next to the views it describes; tests/test_web_openapi.py validates it
against the OpenAPI meta-schema and runs schemathesis against the app with it, so a view that
drifts from this document fails the tests.
"""
from __future__ import annotations

from .validate import DATE_PATTERN, MAX_HISTORY, MAX_K, MAX_QUESTION, MAX_TEXT, MAX_TOP_K


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema: dict, description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _error(description: str) -> dict:
    return _json(_ref("Error"), description)


_TEXT_FILTER = {"type": "string", "maxLength": MAX_TEXT, "nullable": True}
_DATE = {"type": "string", "pattern": DATE_PATTERN, "nullable": True,
         "description": "A day (YYYY-MM-DD), a month (YYYY-MM) or a year (YYYY)."}
_QUESTION = {"type": "string", "minLength": 1, "maxLength": MAX_QUESTION, "pattern": r"\S"}

_SCHEMAS = {
    "Error": {
        "type": "object",
        "required": ["error"],
        "properties": {
            "error": {
                "type": "object",
                "required": ["code", "message"],
                "properties": {
                    "code": {"type": "string", "description": "Stable machine-readable code, e.g. invalid_field."},
                    "message": {"type": "string", "description": "What was wrong and how to fix it."},
                    "field": {"type": "string", "description": "The request field to blame, when there is one."},
                },
            },
        },
    },
    "Filters": {
        "type": "object",
        "description": "The filters the answer was searched with: the request's, plus those read from the question.",
        "properties": {
            "date_from": {"type": "string", "nullable": True},
            "date_to": {"type": "string", "nullable": True},
            "source": {"type": "string", "nullable": True},
            "place": {"type": "string", "nullable": True},
        },
    },
    "Citation": {
        "type": "object",
        "required": ["n", "item_id", "title", "source", "dateline", "date", "excerpt", "start", "end"],
        "properties": {
            "n": {"type": "integer", "minimum": 1, "description": "The number of the [n] marker in the answer."},
            "item_id": {"type": "string"},
            "title": {"type": "string"},
            "source": {"type": "string"},
            "dateline": {"type": "string", "description": "The dateline's place, e.g. London."},
            "date": {"type": "string", "nullable": True, "description": "ISO date of the item."},
            "date_display": {"type": "string", "nullable": True},
            "year_inferred": {"type": "boolean"},
            "excerpt": {"type": "string", "description": "A verbatim span of the item's body."},
            "start": {"type": "integer", "minimum": 0, "description": "Offset of the excerpt in the body."},
            "end": {"type": "integer", "minimum": 0},
            "url": {"type": "string", "nullable": True},
            "score": {"type": "number"},
        },
    },
    "Answer": {
        "type": "object",
        "required": ["question", "answer", "found", "citations", "filters"],
        "properties": {
            "question": {"type": "string"},
            "answer": {"type": "string", "description": "The answer text with [n] citation markers."},
            "found": {"type": "boolean", "description": "False when the archive holds no answer."},
            "citations": {"type": "array", "items": _ref("Citation")},
            "filters": _ref("Filters"),
            "took_ms": {"type": "number"},
        },
    },
    "HistoryTurn": {
        "type": "object",
        "required": ["question", "answer"],
        "additionalProperties": False,
        "properties": {
            "question": _QUESTION,
            "answer": {"type": "object", "description": "The Answer that /api/ask returned for that question."},
        },
    },
    "AskRequest": {
        "type": "object",
        "required": ["question"],
        "additionalProperties": False,
        "properties": {
            "question": _QUESTION,
            "history": {"type": "array", "maxItems": MAX_HISTORY, "items": _ref("HistoryTurn"),
                        "description": "Earlier turns of this conversation, oldest first, for follow-ups."},
            "date_from": _DATE,
            "date_to": _DATE,
            "source": _TEXT_FILTER,
            "place": _TEXT_FILTER,
            "top_k": {"type": "integer", "minimum": 1, "maximum": MAX_TOP_K,
                      "description": "Citations to return (default: the top_k setting)."},
        },
    },
    "Passage": {
        "type": "object",
        "required": ["item_id"],
        "properties": {
            "item_id": {"type": "string"},
            "score": {"type": "number"},
        },
    },
    "SearchResult": {
        "type": "object",
        "required": ["query", "passages", "took_ms"],
        "properties": {
            "query": {"type": "string"},
            "passages": {"type": "array", "items": _ref("Passage")},
            "took_ms": {"type": "number"},
        },
    },
    "Item": {
        "type": "object",
        "required": ["id", "source", "title", "body", "dateline", "date"],
        "properties": {
            "id": {"type": "string"},
            "url": {"type": "string"},
            "source": {"type": "string"},
            "title": {"type": "string"},
            "dateline": {"type": "string"},
            "date": {"type": "string", "nullable": True},
            "body": {"type": "string"},
            "date_precision": {"type": "string", "nullable": True},
            "year_inferred": {"type": "boolean"},
            "dateline_text": {"type": "string"},
            "title_derived": {"type": "boolean"},
            "content_hash": {"type": "string"},
            "origin": {"type": "string"},
            "metadata": {"type": "object"},
        },
    },
    "Status": {
        "type": "object",
        "required": ["reindex"],
        "description": "Archive and index counts, the live index generation, the model and the date range.",
        "properties": {
            "items": {"type": "integer"},
            "chunks": {"type": "integer"},
            "generation": {"type": "string", "nullable": True, "description": "The published (CURRENT) index generation."},
            "loaded_generation": {"type": "string", "nullable": True,
                                  "description": "The generation the answering worker has loaded."},
            "model": {"type": "string"},
            "date_from": {"type": "string", "nullable": True},
            "date_to": {"type": "string", "nullable": True},
            "pid": {"type": "integer", "description": "Process id of the server worker that answered."},
            "reindex": {
                "type": "object",
                "required": ["enabled", "running"],
                "properties": {"enabled": {"type": "boolean"}, "running": {"type": "boolean"}},
            },
        },
    },
    "ReindexRequest": {
        "type": "object",
        "additionalProperties": False,
        "properties": {"full": {"type": "boolean", "description": "Rebuild from scratch instead of incrementally."}},
    },
    "ReindexStarted": {
        "type": "object",
        "required": ["status"],
        "properties": {"status": {"type": "string", "enum": ["started", "already running"]},
                       "full": {"type": "boolean"}},
    },
}

_FILTER_PARAMS = [
    {"name": "date_from", "in": "query", "schema": {"type": "string", "pattern": DATE_PATTERN},
     "description": "Only items dated on or after this day, month or year (YYYY-MM-DD, YYYY-MM, YYYY)."},
    {"name": "date_to", "in": "query", "schema": {"type": "string", "pattern": DATE_PATTERN},
     "description": "Only items dated on or before this day, month or year (YYYY-MM-DD, YYYY-MM, YYYY)."},
    {"name": "source", "in": "query", "schema": {"type": "string", "maxLength": MAX_TEXT},
     "description": "Only items of this source (publication)."},
    {"name": "place", "in": "query", "schema": {"type": "string", "maxLength": MAX_TEXT},
     "description": "Only items with this dateline place."},
]

_NO_INDEX = _error("No index is built yet; the message names the command to run.")
_ITEM_ID = {"name": "item_id", "in": "path", "required": True,
            "schema": {"type": "string", "minLength": 1}}


def document(*, max_request_bytes: int) -> dict:
    """The OpenAPI document; ``max_request_bytes`` is the 413 limit it states."""
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "dateline",
            "version": "1",
            "description": (
                "Ask questions of a news archive; answers cite verbatim excerpts with their source, "
                "dateline and date. Every error is JSON: {\"error\": {\"code\", \"message\", \"field\"}}. "
                f"Request bodies above {max_request_bytes} bytes are refused with 413."),
        },
        "paths": {
            "/api/ask": {"post": {
                "operationId": "ask",
                "summary": "Answer a question with numbered, cited excerpts.",
                "requestBody": {"required": True,
                                "content": {"application/json": {"schema": _ref("AskRequest")}}},
                "responses": {
                    "200": _json(_ref("Answer"), "The answer (found is false when the archive holds none)."),
                    "400": _error("The body is empty, not JSON, or not a JSON object."),
                    "413": _error("The body is larger than the max_request_bytes setting."),
                    "415": _error("The body is not sent as application/json."),
                    "422": _error("A field is missing or invalid; `field` names it."),
                    "503": _NO_INDEX,
                },
            }},
            "/api/search": {"get": {
                "operationId": "search",
                "summary": "Ranked passages for a query, without an answer.",
                "parameters": [
                    {"name": "q", "in": "query", "required": True, "schema": _QUESTION},
                    {"name": "k", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": MAX_K}},
                    *_FILTER_PARAMS,
                ],
                "responses": {
                    "200": _json(_ref("SearchResult"), "The passages, best first."),
                    "422": _error("A parameter is missing or invalid; `field` names it."),
                    "503": _NO_INDEX,
                },
            }},
            "/api/items/{item_id}": {"get": {
                "operationId": "getItem",
                "summary": "One whole item with every stored field.",
                "parameters": [_ITEM_ID],
                "responses": {
                    "200": _json(_ref("Item"), "The item."),
                    "404": _error("No item has this id."),
                    "503": _NO_INDEX,
                },
            }},
            "/api/status": {"get": {
                "operationId": "status",
                "summary": "Items, chunks, index generation, model, date range, rebuild state.",
                "responses": {
                    "200": _json(_ref("Status"), "The archive and index status."),
                    "503": _NO_INDEX,
                },
            }},
            "/api/reindex": {"post": {
                "operationId": "reindex",
                "summary": "Start an incremental rebuild of the index in the background.",
                "description": "Needs the reindex_token setting, sent as `Authorization: Bearer <token>`. "
                               "Every server worker answers from the new index within reload_interval "
                               "seconds of its publication.",
                "security": [{"reindexToken": []}],
                "requestBody": {"required": False,
                                "content": {"application/json": {"schema": _ref("ReindexRequest")}}},
                "responses": {
                    "202": _json(_ref("ReindexStarted"), "The rebuild started."),
                    "200": _json(_ref("ReindexStarted"), "A rebuild is already running."),
                    "400": _error("The body is not JSON or not a JSON object."),
                    "401": _error("The token is missing or wrong."),
                    "403": _error("Reindexing over HTTP is disabled (no reindex_token is set)."),
                    "413": _error("The body is larger than the max_request_bytes setting."),
                    "415": _error("The body is not sent as application/json."),
                    "422": _error("A field is invalid; `field` names it."),
                },
            }},
            "/api/openapi.json": {"get": {
                "operationId": "openapi",
                "summary": "This document.",
                "responses": {"200": {"description": "The OpenAPI document.",
                                      "content": {"application/json": {"schema": {"type": "object"}}}}},
            }},
            "/": {"get": {
                "operationId": "chatPage",
                "summary": "The chat page (HTML; its script and style are served by the app).",
                "responses": {"200": {"description": "The page.", "content": {"text/html": {"schema": {"type": "string"}}}}},
            }},
            "/items/{item_id}": {"get": {
                "operationId": "itemPage",
                "summary": "One item as a page, the cited excerpt marked.",
                "parameters": [
                    _ITEM_ID,
                    {"name": "start", "in": "query", "schema": {"type": "integer", "minimum": 0},
                     "description": "Body offset where the marked excerpt starts."},
                    {"name": "end", "in": "query", "schema": {"type": "integer", "minimum": 0},
                     "description": "Body offset where the marked excerpt ends."},
                ],
                "responses": {
                    "200": {"description": "The page.", "content": {"text/html": {"schema": {"type": "string"}}}},
                    "404": _error("No item has this id."),
                    "422": _error("start or end is not an offset, or end is before start."),
                    "503": _NO_INDEX,
                },
            }},
        },
        "components": {
            "schemas": _SCHEMAS,
            "securitySchemes": {"reindexToken": {"type": "http", "scheme": "bearer"}},
        },
    }
