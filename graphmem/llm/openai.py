"""OpenAI's chat-completions API: OpenAI, Azure OpenAI, and every OpenAI-compatible server by base URL.

Structured output is asked for in one of three ways, best first:
`json_schema` (response_format, strict), `tools` (one forced function call whose
parameters are the schema), `json` (the schema in the prompt). With
`structured_output="auto"` a server that rejects one (HTTP 400/422) is asked
the next way at once, and the way that worked is kept for later calls.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, TypeVar

from pydantic import BaseModel

from graphmem.config import OpenAICompatibleConfig
from graphmem.errors import MissingDependencyError
from graphmem.llm.base import (
    LoopClient,
    M,
    RawAnswer,
    Rejected,
    Retry,
    Turn,
    call_sdk,
    inline_schema,
    structured_answer,
    text_of,
    with_retries,
)
from graphmem.llm.endpoints import Endpoint

MODES = ("json_schema", "tools", "json")
_REASONING_PREFIXES = ("o1", "o3", "o4", "gpt-5")
T = TypeVar("T")


def import_openai() -> Any:
    try:
        import openai
    except ImportError:
        raise MissingDependencyError("this provider needs the OpenAI SDK: pip install 'graphmem[openai]'") from None
    return openai


def make_client(sdk: Any, endpoint: Endpoint, timeout: float) -> Any:
    """An async SDK client that never retries by itself: our loop does, deterministically."""
    common: dict[str, Any] = {"api_key": endpoint.api_key, "timeout": timeout, "max_retries": 0}
    if endpoint.provider == "azure_openai":
        return sdk.AsyncAzureOpenAI(azure_endpoint=endpoint.base_url, azure_deployment=endpoint.azure_deployment,
                                    api_version=endpoint.api_version, default_headers=endpoint.default_headers,
                                    **common)
    return sdk.AsyncOpenAI(base_url=endpoint.base_url, **common)


async def call_openai(sdk: Any, call: Callable[..., Awaitable[T]], description: str, *, fallback: bool = False,
                      **kwargs: Any) -> T:
    return await call_sdk(sdk, sdk.OpenAIError, call, description, fallback=fallback, **kwargs)


class OpenAILLM:
    """A StructuredLLM over the chat-completions API."""

    def __init__(self, endpoint: Endpoint, config: OpenAICompatibleConfig, *, store: bool | None = None) -> None:
        self._sdk = import_openai()
        self.endpoint = endpoint
        self._config = config
        self._store = store
        self._retry = Retry(config.max_retries, config.retry_delay)
        self._auto = config.structured_output == "auto"
        self.mode: str = "json_schema" if self._auto else config.structured_output
        self._client: LoopClient[Any] = LoopClient(lambda: make_client(self._sdk, endpoint, config.timeout))

    @property
    def description(self) -> str:
        return self.endpoint.description

    async def generate(self, system: str, user: str, schema: type[M]) -> M:
        async def ask(turns: Sequence[Turn]) -> RawAnswer:
            return await self._structured(system, turns, schema)

        return await structured_answer(ask, user, schema, self.description)

    async def complete(self, system: str, user: str) -> str:
        response = await self._send(self._request(system, [("user", user)], None, "text"))
        return text_of(_read(response, "text"), self.description, self._config.max_tokens)

    async def aclose(self) -> None:
        await self._client.aclose()

    async def _structured(self, system: str, turns: Sequence[Turn], schema: type[BaseModel]) -> RawAnswer:
        modes = MODES[MODES.index(self.mode):] if self._auto else (self.mode,)
        for index, mode in enumerate(modes):
            try:
                response = await self._send(self._request(system, turns, schema, mode),
                                            fallback=index + 1 < len(modes))
            except Rejected:
                continue  # this server does not take this way of asking: try the next one
            self.mode = mode  # remembered only once a way has worked
            return _read(response, mode)
        raise AssertionError("unreachable")  # pragma: no cover

    async def _send(self, request: dict[str, Any], *, fallback: bool = False) -> Any:
        async def once() -> Any:
            client = self._client.get()
            return await call_openai(self._sdk, client.chat.completions.create, self.description,
                                     fallback=fallback, **request)

        return await with_retries(once, self._retry, self.description)

    def _request(self, system: str, turns: Sequence[Turn], schema: type[BaseModel] | None,
                 mode: str) -> dict[str, Any]:
        json_schema = inline_schema(schema) if schema is not None else None
        if mode == "json" and json_schema is not None:
            system += ("\n\nAnswer with one JSON object only (no prose, no code fences) that matches this JSON "
                       f"Schema:\n{json.dumps(json_schema, ensure_ascii=False)}")
        request: dict[str, Any] = {
            "model": self.endpoint.model,
            "messages": [{"role": "system", "content": system}, *({"role": r, "content": c} for r, c in turns)],
            **self._sampling(),
        }
        if schema is not None and mode == "json_schema":
            request["response_format"] = {"type": "json_schema", "json_schema": {
                "name": schema.__name__, "schema": json_schema, "strict": True}}
        elif schema is not None and mode == "tools":
            request["tools"] = [{"type": "function", "function": {
                "name": schema.__name__, "description": "Record the answer.", "parameters": json_schema}}]
            request["tool_choice"] = {"type": "function", "function": {"name": schema.__name__}}
        if self._store is not None:
            request["store"] = self._store
        return request

    def _sampling(self) -> dict[str, Any]:
        """mem0's parameter rules: reasoning models take no temperature/top_p, gpt-5 wants max_completion_tokens."""
        config, model = self._config, self.endpoint.model.lower().rsplit("/", 1)[-1]
        reasoning = config.is_reasoning_model
        if reasoning is None:
            reasoning = model.startswith(_REASONING_PREFIXES) and not model.startswith("gpt-5.")
        tokens = "max_completion_tokens" if reasoning or model.startswith("gpt-5") else "max_tokens"
        params: dict[str, Any] = {tokens: config.max_tokens}
        if reasoning:
            if config.reasoning_effort:
                params["reasoning_effort"] = config.reasoning_effort
            return params
        params["temperature"] = config.temperature
        if config.top_p is not None:
            params["top_p"] = config.top_p
        return params


def _read(response: Any, mode: str) -> RawAnswer:
    """The answer's text (or tool arguments), and whether it was cut off or refused."""
    choices = getattr(response, "choices", None) or []
    if not choices:
        return RawAnswer(text="")
    choice = choices[0]
    message = choice.message
    truncated = choice.finish_reason == "length"
    refusal = getattr(message, "refusal", None)
    calls = getattr(message, "tool_calls", None) or []
    if mode == "tools" and calls:
        function = getattr(calls[0], "function", None)
        return RawAnswer(text=getattr(function, "arguments", None) or "", truncated=truncated, refusal=refusal)
    # A server that ignores tool_choice may still have answered with the JSON as text: use it.
    return RawAnswer(text=message.content or "", truncated=truncated, refusal=refusal)
