"""The OpenAPI 3.0 document served at GET /api/openapi.json.

Its schemas are the JSON schemas of the request models (qa/request.py) and the response models
(web/models.py); the paths are the table below. tests/test_web_openapi.py validates the document
against the OpenAPI meta-schema and runs schemathesis against the app with it, so a view that
drifts from its model fails the tests.
"""
from __future__ import annotations

import functools
from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import GenerateJsonSchema, models_json_schema

from dateline.qa.request import AskRequest, SearchRequest

from .models import RESPONSES, ChatCompletionRequest, ImportForm, ReindexRequest


class OpenAPI30Schema(GenerateJsonSchema):
    """JSON Schema as OpenAPI 3.0 writes it: ``nullable`` instead of a null type; no field titles."""

    def nullable_schema(self, schema: Any) -> dict:
        inner = self.generate_inner(schema["schema"])
        # OpenAPI 3.0 ignores a $ref's sibling keywords, so a nullable reference is wrapped.
        return {"allOf": [inner], "nullable": True} if "$ref" in inner else {**inner, "nullable": True}

    def field_title_should_be_set(self, schema: Any) -> bool:
        return False

    def literal_schema(self, schema: Any) -> dict:
        # OpenAPI 3.0 has no ``const``: a one-value literal is a one-value enum.
        result = super().literal_schema(schema)
        if "const" in result:
            result["enum"] = [result.pop("const")]
        return result


def schemas() -> dict:
    """components/schemas: the request and response models, each under its class name."""
    models = (AskRequest, ReindexRequest, ChatCompletionRequest, *RESPONSES)
    _, top = models_json_schema([(m, "validation") for m in models], schema_generator=OpenAPI30Schema,
                                ref_template="#/components/schemas/{model}")
    return top["$defs"]


def query_parameters(model: type[BaseModel]) -> list[dict]:
    """A flat request model's fields as query parameters: absent, never null, when not given."""
    schema = model.model_json_schema(schema_generator=OpenAPI30Schema)
    params = []
    for name, prop in schema["properties"].items():
        param = {"name": name, "in": "query", "required": name in schema.get("required", ())}
        if "description" in prop:
            param["description"] = prop["description"]
        param["schema"] = {k: v for k, v in prop.items() if k not in ("description", "nullable")
                           and not (k == "default" and v is None)}
        params.append(param)
    return params


def form_schema(model: type[BaseModel], files: str) -> dict:
    """A flat request model's fields as multipart/form-data fields, with ``files`` as file parts."""
    schema = model.model_json_schema(schema_generator=OpenAPI30Schema)
    properties = {files: {"type": "array", "minItems": 1, "items": {"type": "string", "format": "binary"},
                          "description": "The files to import, each a part of this name, in any format "
                                         "`dateline import` reads."}}
    for name, prop in schema["properties"].items():
        properties[name] = {k: v for k, v in prop.items() if k != "nullable" and not (k == "default" and v is None)}
    return {"type": "object", "required": [files], "properties": properties, "additionalProperties": False}


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(name: str, description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": _ref(name)}}}


def _error(description: str) -> dict:
    return _json("ErrorOut", description)


_NO_INDEX = _error("No index is built yet; the message names the command to run.")
_NO_KEY = _error("The api_keys setting is set and the request sends no known key.")
# Optional: only when the api_keys setting holds keys.
_KEYED = [{"apiKey": []}, {}]


# One server-sent event; OpenAPI 3.0 cannot point a string at the schema of the JSON it holds.
_SSE_EVENT = {"type": "object", "required": ["data"], "properties": {"data": {
    "type": "string", "description": "A ChatCompletionChunkOut as JSON; the last event's data is `[DONE]`."}}}


def _v1_error(description: str) -> dict:
    return _json("OpenAIErrorOut", description)
def _html(description: str) -> dict:
    """A response that is an HTML page: a page, or a page's failure with its message (the API's
    errors are JSON)."""
    return {"description": description, "content": {"text/html": {"schema": {"type": "string"}}}}


_PAGE = _html("The page.")
_ITEM_ID = {"name": "item_id", "in": "path", "required": True, "schema": {"type": "string", "minLength": 1}}
_OFFSET = {"type": "integer", "minimum": 0, "maximum": 10 ** 18 - 1}  # web/pages.py takes at most 18 digits
_LOCATION = {"Location": {"description": "The job: /api/jobs/{job_id}.", "schema": {"type": "string"}}}


def paths() -> dict:
    """Every route of the app, with its parameters, body and responses."""
    return {
        "/api/ask": {"post": {
            "operationId": "ask",
            "summary": "Answer a question with numbered, cited excerpts.",
            "security": _KEYED,
            "requestBody": {"required": True, "content": {"application/json": {"schema": _ref("AskRequest")}}},
            "responses": {
                "200": _json("AnswerOut", "The answer (found is false when the archive holds none)."),
                "400": _error("The body is empty, not JSON, or not a JSON object."),
                "413": _error("The body is larger than the max_request_bytes setting."),
                "401": _NO_KEY,
                "415": _error("The body is not sent as application/json."),
                "422": _error("A field is missing or invalid; `field` names it."),
                "503": _NO_INDEX,
            },
        }},
        "/api/search": {"get": {
            "operationId": "search",
            "summary": "Ranked passages for a query, without an answer.",
            "security": _KEYED,
            "parameters": query_parameters(SearchRequest),
            "responses": {
                "401": _NO_KEY,
                "200": _json("SearchOut", "The passages, best first."),
                "422": _error("A parameter is missing or invalid; `field` names it."),
                "503": _NO_INDEX,
            },
        }},
        "/api/items/{item_id}": {"get": {
            "operationId": "getItem",
            "summary": "One whole item with every stored field.",
            "security": _KEYED,
            "parameters": [_ITEM_ID],
            "responses": {"200": _json("ItemOut", "The item."), "401": _NO_KEY,
                          "404": _error("No item has this id."), "503": _NO_INDEX},
        }},
        "/api/status": {"get": {
            "operationId": "status",
            "summary": "Items, chunks, index generation, model, date range, rebuild state.",
            "responses": {"200": _json("StatusOut", "The archive and index status."), "503": _NO_INDEX},
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
                "202": {**_json("ReindexStarted", "The rebuild's job is queued; it starts when the job "
                                                  "before it (if any) ends."), "headers": _LOCATION},
                "200": _json("ReindexStarted", "A rebuild is already queued or running."),
                "400": _error("The body is not JSON or not a JSON object."),
                "401": _error("The token is missing or wrong."),
                "403": _error("Reindexing over HTTP is disabled (no reindex_token is set)."),
                "413": _error("The body is larger than the max_request_bytes setting."),
                "415": _error("The body is not sent as application/json."),
                "422": _error("A field is invalid; `field` names it."),
                "503": _error("There is no archive yet, or it cannot be written."),
            },
        }},
        **job_paths(),
        **v1_paths(),
        "/api/openapi.json": {"get": {
            "operationId": "openapi",
            "summary": "This document.",
            "responses": {"200": {"description": "The OpenAPI document.",
                                  "content": {"application/json": {"schema": {"type": "object"}}}}},
        }},
        "/": {"get": {
            "operationId": "chatPage",
            "summary": "The chat page (HTML; its script and style are served by the app).",
            "responses": {"200": _PAGE},
        }},
        "/archive": {"get": {
            "operationId": "archivePage",
            "summary": "The archive page (HTML): upload files, follow the jobs, see the counts and date range.",
            "responses": {"200": _PAGE},
        }},
        "/items/{item_id}": {"get": {
            "operationId": "itemPage",
            "summary": "One item as a page, the cited excerpt marked.",
            "parameters": [
                _ITEM_ID,
                {"name": "start", "in": "query", "schema": _OFFSET,
                 "description": "Body offset where the marked excerpt starts."},
                {"name": "end", "in": "query", "schema": _OFFSET,
                 "description": "Body offset where the marked excerpt ends."},
            ],
            "responses": {
                "200": _PAGE,
                "404": _html("No item has this id."),
                "422": _html("start or end is not an offset, or end is before start."),
                "503": _html("No archive is there yet; the page names the command to run."),
            },
        }},
    }


def job_paths() -> dict:
    """The jobs and uploads (web/jobs_api.py)."""
    readable = "Open like the rest of the API, and to the reindex token as well as to an API key."
    return {
        "/api/jobs": {"get": {
            "operationId": "listJobs",
            "summary": "The latest imports and index builds, from every origin, newest first.",
            "description": readable,
            "security": [*_KEYED, {"reindexToken": []}],
            "parameters": [{"name": "limit", "in": "query", "required": False,
                            "description": "How many jobs to list.",
                            "schema": {"type": "integer", "minimum": 1, "maximum": 100, "default": 20}}],
            "responses": {"200": _json("JobListOut", "The jobs."), "401": _NO_KEY,
                          "422": _error("limit is not a number from 1 to 100.")},
        }},
        "/api/jobs/{job_id}": {"get": {
            "operationId": "getJob",
            "summary": "One job: its state, progress and result.",
            "description": readable,
            "security": [*_KEYED, {"reindexToken": []}],
            "parameters": [{"name": "job_id", "in": "path", "required": True,
                            "schema": {"type": "integer", "minimum": 0, "maximum": 2 ** 53}}],
            "responses": {"200": _json("JobOut", "The job."), "401": _NO_KEY,
                          "404": _error("No job has this id.")},
        }},
        "/api/import": {"post": {
            "operationId": "importFiles",
            "summary": "Upload files to import, as a job; the index is brought up to date after it.",
            "description": "Needs the reindex_token setting, sent as `Authorization: Bearer <token>`. "
                           "The files are kept in the data directory's uploads/<job id>/ and imported by a "
                           "job (one writer at a time: it waits while another import or build runs); then, "
                           "unless `index` is false, the same job rebuilds the index. Poll the job at its "
                           "Location: a file that holds no news, or records that are not, are listed in "
                           "its result with file, line and reason.",
            "security": [{"reindexToken": []}],
            "requestBody": {"required": True, "content": {"multipart/form-data": {
                "schema": form_schema(ImportForm, "file")}}},
            "responses": {
                "202": {**_json("JobOut", "The import's job, queued."), "headers": _LOCATION},
                "401": _error("The token is missing or wrong."),
                "403": _error("Uploads over HTTP are disabled (no reindex_token is set)."),
                "413": _error("The upload is larger than the upload_max_mb setting."),
                "415": _error("The body is not sent as multipart/form-data."),
                "422": _error("A field is invalid, or no file is sent; `field` names it."),
                "503": _error("The archive or the upload folder cannot be written."),
            },
        }},
    }


def v1_paths() -> dict:
    """The OpenAI-compatible endpoints (web/openai_api.py); their errors are in that protocol's shape."""
    no_key = _v1_error("The api_keys setting is set and the request sends no known key.")
    return {
        "/v1/models": {"get": {
            "operationId": "listModels",
            "summary": "The one model, `dateline`, for chat clients that list models.",
            "security": _KEYED,
            "responses": {"200": _json("ModelListOut", "The model list."), "401": no_key},
        }},
        "/v1/models/{model_id}": {"get": {
            "operationId": "getModel",
            "summary": "One model by id.",
            "security": _KEYED,
            "parameters": [{"name": "model_id", "in": "path", "required": True, "schema": {"type": "string"}}],
            "responses": {"200": _json("ModelOut", "The model."), "401": no_key,
                          "404": _v1_error("No model has this id.")},
        }},
        "/v1/chat/completions": {"post": {
            "operationId": "createChatCompletion",
            "summary": "Answer the last user message (OpenAI chat-completions protocol).",
            "description": "The earlier messages are the conversation: an assistant message holding a "
                           "dateline answer (its sources list) lets a follow-up find the items it cited. "
                           "`stream: true` answers as server-sent events in the protocol's chunk format "
                           "(the last chunk carries `citations` and `answer`), ending with `data: [DONE]`.",
            "security": _KEYED,
            "requestBody": {"required": True,
                            "content": {"application/json": {"schema": _ref("ChatCompletionRequest")}}},
            "responses": {
                "200": {"description": "The completion, or its stream of chunks.",
                        "content": {"application/json": {"schema": _ref("ChatCompletionOut")},
                                    "text/event-stream": {"schema": _SSE_EVENT}}},
                "400": _v1_error("The body is empty, not JSON, or not a JSON object."),
                "401": no_key,
                "404": _v1_error("The model is not `dateline`."),
                "413": _v1_error("The body is larger than the max_request_bytes setting."),
                "415": _v1_error("The body is not sent as application/json."),
                "422": _v1_error("A field is missing or invalid; `param` names it."),
                "503": _v1_error("No index is built yet; the message names the command to run."),
            },
        }},
    }


@functools.cache
def document(*, max_request_bytes: int) -> dict:
    """The OpenAPI document; ``max_request_bytes`` is the 413 limit it states. Made once per
    limit: generating the models' schemas takes about 10 ms. Callers must not change it."""
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
        "paths": paths(),
        "components": {
            "schemas": schemas(),
            "securitySchemes": {
                "reindexToken": {"type": "http", "scheme": "bearer"},
                "apiKey": {"type": "http", "scheme": "bearer",
                           "description": "One of the api_keys setting's keys; needed only when it is set."},
            },
        },
    }
