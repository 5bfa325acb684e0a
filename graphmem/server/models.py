"""Request bodies of the REST API, as mem0's clients send them (unknown keys are accepted and ignored,
so newer clients' extra options do not break). They also make the OpenAPI document."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

Messages = list[dict[str, Any]] | dict[str, Any] | str


class _Body(BaseModel):
    model_config = ConfigDict(extra="allow")


class _Ids(_Body):
    user_id: str | None = None
    agent_id: str | None = None
    app_id: str | None = None
    run_id: str | None = None

    def ids(self) -> dict[str, Any]:
        return {"user_id": self.user_id, "agent_id": self.agent_id, "app_id": self.app_id, "run_id": self.run_id}


class AddRequest(_Ids):
    messages: Messages = Field(description="A string, a {role, content} message, or a list of them.")
    metadata: dict[str, Any] | None = None
    infer: bool = True
    timestamp: int | float | str | None = Field(default=None, description="When it was said: Unix seconds "
                                                "or ISO-8601.")
    prompt: str | None = None
    custom_instructions: str | None = None
    filters: dict[str, Any] | None = None


class SearchRequest(_Ids):
    query: str
    filters: dict[str, Any] | None = None
    top_k: int | None = Field(default=None, ge=0, le=1000)
    limit: int | None = Field(default=None, ge=0, le=1000)
    threshold: float | None = Field(default=None, ge=0, le=1)
    rerank: bool = True
    explain: bool = False
    as_of: str | None = Field(default=None, description="ISO-8601: what was valid then (graphmem).")
    relations: bool = Field(default=True, description="Also return the relations found (graphmem).")
    output_format: str | None = None


class ListRequest(_Ids):
    filters: dict[str, Any] | None = None
    relations: bool = True


class UpdateRequest(_Body):
    text: str | None = None
    metadata: dict[str, Any] | None = None
    timestamp: int | float | str | None = None


class BatchUpdateItem(_Body):
    memory_id: str
    text: str | None = None
    metadata: dict[str, Any] | None = None


class BatchUpdateRequest(_Body):
    memories: list[BatchUpdateItem] = Field(max_length=1000)


class BatchDeleteItem(_Body):
    memory_id: str


class BatchDeleteRequest(_Body):
    memories: list[BatchDeleteItem] = Field(max_length=1000)


class FeedbackRequest(_Body):
    memory_id: str
    feedback: Literal["POSITIVE", "NEGATIVE", "VERY_NEGATIVE"] | None = None
    feedback_reason: str | None = None


class ExportRequest(_Ids):
    schema_: dict[str, Any] | str = Field(alias="schema", description="A JSON Schema (an object or its JSON text).")
    filters: dict[str, Any] | None = None


class ExportGetRequest(_Ids):
    memory_export_id: str | None = None
    filters: dict[str, Any] | None = None


class WebhookRequest(_Body):
    url: str = Field(pattern=r"^https?://")
    name: str = Field(min_length=1, max_length=200)
    event_types: list[Literal["memory.created", "memory.updated", "memory.deleted"]] = Field(min_length=1)


class WebhookUpdate(_Body):
    url: str | None = Field(default=None, pattern=r"^https?://")
    name: str | None = Field(default=None, min_length=1, max_length=200)
    event_types: list[Literal["memory.created", "memory.updated", "memory.deleted"]] | None = None


class ErrorAnswer(BaseModel):
    """Every error answer: `detail` says what is wrong, `field` names the argument for a 400."""

    detail: Any
    field: str | None = None


ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorAnswer, "description": "Bad input (`field` names it)"},
    401: {"model": ErrorAnswer, "description": "No key, or an unknown or revoked one"},
    403: {"model": ErrorAnswer, "description": "The key may not touch this scope"},
    404: {"model": ErrorAnswer, "description": "No such memory, entity, export or webhook in the key's project"},
    413: {"model": ErrorAnswer, "description": "The body is larger than the server's limit"},
    429: {"model": ErrorAnswer, "description": "The key's rate limit: retry after `Retry-After` seconds"},
}
