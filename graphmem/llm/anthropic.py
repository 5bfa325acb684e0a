"""Anthropic's messages API: structured output through one forced tool call whose input is the schema."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from graphmem.config import AnthropicLlmConfig
from graphmem.errors import MissingDependencyError
from graphmem.llm.base import (
    LoopClient,
    M,
    RawAnswer,
    Retry,
    Turn,
    call_sdk,
    inline_schema,
    structured_answer,
    text_of,
    with_retries,
)
from graphmem.llm.endpoints import Endpoint


def import_anthropic() -> Any:
    try:
        import anthropic
    except ImportError:
        raise MissingDependencyError("the anthropic provider needs its SDK: pip install 'graphmem[anthropic]'") \
            from None
    return anthropic


def sampling_enabled(model: str, explicit: bool | None) -> bool:
    """mem0's rule: newer Claude models (Sonnet 5+, Opus 4.7+) reject temperature and top_p; Haiku and the
    Claude 3 generation ("claude-3-5-sonnet-...") take them; unknown names get none."""
    if explicit is not None:
        return explicit
    parts = model.lower().rsplit("[", 1)[0].split("-")
    family = next((p for p in parts if p in ("haiku", "sonnet", "opus")), None)
    if family is None:
        return False
    at = parts.index(family)
    if family == "haiku" or at > 1:
        return True
    # A date after the major version ("claude-opus-4-20250514") is not a minor version.
    major, minor = [*(p if p.isdigit() and len(p) <= 2 else "" for p in parts[at + 1:at + 3]), "", ""][:2]
    if family == "sonnet" and major:
        return int(major) < 5
    if family == "opus" and major:
        return (int(major), int(minor or 0)) < (4, 7)
    return False


class AnthropicLLM:
    """A StructuredLLM over Claude's messages API."""

    def __init__(self, endpoint: Endpoint, config: AnthropicLlmConfig) -> None:
        self._sdk = import_anthropic()
        self.endpoint = endpoint
        self._config = config
        self._retry = Retry(config.max_retries, config.retry_delay)
        self._client: LoopClient[Any] = LoopClient(self._make_client)

    def _make_client(self) -> Any:
        kwargs: dict[str, Any] = {"api_key": self.endpoint.api_key, "timeout": self._config.timeout,
                                  "max_retries": 0}
        if self.endpoint.base_url:
            kwargs["base_url"] = self.endpoint.base_url
        return self._sdk.AsyncAnthropic(**kwargs)

    @property
    def description(self) -> str:
        return self.endpoint.description

    async def generate(self, system: str, user: str, schema: type[M]) -> M:
        tool = {"name": schema.__name__, "description": "Record the answer.", "input_schema": inline_schema(schema)}

        async def ask(turns: Sequence[Turn]) -> RawAnswer:
            request = self._request(system, turns)
            request["tools"] = [tool]
            request["tool_choice"] = {"type": "tool", "name": tool["name"]}
            return _read(await self._send(request), str(tool["name"]))

        return await structured_answer(ask, user, schema, self.description)

    async def complete(self, system: str, user: str) -> str:
        answer = _read(await self._send(self._request(system, [("user", user)])), None)
        return text_of(answer, self.description, self._config.max_tokens)

    async def aclose(self) -> None:
        await self._client.aclose()

    def _request(self, system: str, turns: Sequence[Turn]) -> dict[str, Any]:
        request: dict[str, Any] = {
            "model": self.endpoint.model,
            "system": system,
            "max_tokens": self._config.max_tokens,
            "messages": [{"role": role, "content": content} for role, content in turns],
        }
        if sampling_enabled(self.endpoint.model, self._config.enable_sampling_parameters):
            # Anthropic rejects temperature and top_p together: temperature wins, as in mem0. Sent as extra
            # body fields because newer SDKs dropped them from the signature while older models take them.
            sampling = ({"temperature": self._config.temperature} if self._config.temperature is not None
                        else {"top_p": self._config.top_p} if self._config.top_p is not None else {})
            if sampling:
                request["extra_body"] = sampling
        return request

    async def _send(self, request: dict[str, Any]) -> Any:
        async def once() -> Any:
            create = self._client.get().messages.create
            return await call_sdk(self._sdk, self._sdk.AnthropicError, create, self.description, **request)

        return await with_retries(once, self._retry, self.description)


def _read(message: Any, tool: str | None) -> RawAnswer:
    """The forced tool's input (or the text, when the model answered in prose), and whether it was cut off."""
    truncated = getattr(message, "stop_reason", None) == "max_tokens"
    blocks = getattr(message, "content", None) or []
    if tool is not None:
        for block in blocks:
            if getattr(block, "type", None) == "tool_use" and getattr(block, "name", None) == tool:
                return RawAnswer(data=block.input, truncated=truncated)
    text = "".join(getattr(b, "text", "") for b in blocks if getattr(b, "type", None) == "text")
    return RawAnswer(text=text, truncated=truncated)
