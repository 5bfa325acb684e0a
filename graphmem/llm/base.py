"""What every LLM provider shares: the protocol, retries with back-off, and parsing with one repair.

A provider only knows how to send turns to its API and read back a `RawAnswer`;
`structured_answer` turns that into a validated pydantic model, asking the model
once to fix output that is malformed, schema-invalid or cut off.
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, Protocol, TypeVar

from pydantic import BaseModel
from pydantic import ValidationError as PydanticValidationError

from graphmem.errors import ExtractionError, ProviderError

M = TypeVar("M", bound=BaseModel)
T = TypeVar("T")
C = TypeVar("C")

Turn = tuple[str, str]  # (role, content): "user" or "assistant"

# Longest bad answer sent back in the repair turn: enough to fix it, bounded in cost.
_REPAIR_ECHO_CHARS = 8000
_MAX_PAUSE = 30.0


class StructuredLLM(Protocol):
    """An LLM that answers with an instance of a pydantic model, or with text."""

    @property
    def description(self) -> str:
        """Provider, model and address, for error messages."""
        ...

    async def generate(self, system: str, user: str, schema: type[M]) -> M: ...

    async def complete(self, system: str, user: str) -> str: ...

    async def aclose(self) -> None: ...


@dataclass(frozen=True)
class RawAnswer:
    """What a provider read back: a text or a parsed tool input, and whether it was cut off."""

    text: str | None = None
    data: Any = None
    truncated: bool = False
    refusal: str | None = None

    def echo(self) -> str:
        body = self.text if self.data is None else json.dumps(self.data, ensure_ascii=False)
        return (body or "(empty)")[:_REPAIR_ECHO_CHARS]


class BadOutput(Exception):
    """The answer cannot be used; the message says why, for the repair turn and the final error."""


@dataclass(frozen=True)
class Retry:
    """Retry settings: `retries` more attempts after the first, pauses of delay, 2*delay, 4*delay ..."""

    retries: int = 3
    delay: float = 0.5

    def pause(self, attempt: int, retry_after: float | None) -> float:
        # No jitter, so tests are deterministic; a server's Retry-After wins, within bounds.
        if retry_after is not None:
            return min(max(retry_after, 0.0), _MAX_PAUSE)
        return min(self.delay * 2.0**attempt, _MAX_PAUSE)


class Transient(Exception):
    """A failure worth retrying (timeout, connection, 429, 5xx), wrapping the SDK's exception."""

    def __init__(self, cause: BaseException, retry_after: float | None = None) -> None:
        super().__init__(str(cause))
        self.cause = cause
        self.retry_after = retry_after


async def with_retries(call: Callable[[], Awaitable[T]], retry: Retry, description: str) -> T:
    """Run `call`, retrying `Transient` failures with back-off; the last one becomes a ProviderError."""
    for attempt in range(retry.retries + 1):
        try:
            return await call()
        except Transient as failure:
            if attempt == retry.retries:
                raise ProviderError(f"{description}: {sdk_message(failure.cause)} "
                                    f"(gave up after {attempt + 1} attempts)") from failure.cause
            await asyncio.sleep(retry.pause(attempt, failure.retry_after))
    raise AssertionError("unreachable")  # pragma: no cover


class Rejected(Exception):
    """The server refused the request (HTTP 400/422): maybe the way structured output was asked for."""

    def __init__(self, cause: Any) -> None:
        super().__init__(str(cause))
        self.cause = cause


async def call_sdk(sdk: Any, base_error: type[BaseException], call: Callable[..., Awaitable[T]], description: str,
                   *, fallback: bool = False, **kwargs: Any) -> T:
    """One call of an openai or anthropic SDK client (they share their error classes' names and shape):
    timeouts, 429 and 5xx become Transient, other failures a ProviderError naming the endpoint.
    With `fallback`, a 400/422 becomes `Rejected` instead, so the caller can ask another way."""
    try:
        return await call(**kwargs)
    except sdk.APIConnectionError as exc:  # also the SDK's timeout error
        raise Transient(exc) from exc
    except sdk.APIStatusError as exc:
        transient = status_failure(exc)
        if transient is not None:
            raise transient from exc
        if fallback and exc.status_code in (400, 422):
            raise Rejected(exc) from exc
        raise ProviderError(f"{description}: {sdk_message(exc)}") from exc
    except base_error as exc:
        raise ProviderError(f"{description}: {sdk_message(exc)}") from exc


def status_failure(exc: Any) -> Transient | None:
    """An SDK status error (openai and anthropic share the shape) as a Transient when worth retrying."""
    return retryable_status(int(getattr(exc, "status_code", 0)),
                            getattr(getattr(exc, "response", None), "headers", None), exc)


def retryable_status(status: int, headers: Any, cause: BaseException) -> Transient | None:
    """An HTTP answer's status as a Transient (with the server's Retry-After) when worth retrying:
    408, 409, 429 and 5xx; None otherwise."""
    if status not in (408, 409, 429) and status < 500:
        return None
    value = (headers or {}).get("retry-after")
    try:
        retry_after = float(value) if value is not None else None
    except ValueError:  # an HTTP date: fall back to our own back-off
        retry_after = None
    return Transient(cause, retry_after)


def sdk_message(exc: BaseException) -> str:
    """The useful part of an SDK error: its status and the server's message, without the request dump."""
    status = getattr(exc, "status_code", None)
    message = getattr(exc, "message", None) or str(exc) or type(exc).__name__
    return f"HTTP {status}: {message}" if status else f"{type(exc).__name__}: {message}"


_FENCE = re.compile(r"^\s*```[\w-]*\s*\n?(.*?)\n?\s*```\s*$", re.DOTALL)


def strip_code_fences(text: str) -> str:
    """Models often wrap JSON or summaries in ``` fences; the content is what we want."""
    match = _FENCE.match(text)
    return match.group(1).strip() if match else text.strip()


def _json_of(text: str) -> Any:
    body = strip_code_fences(text)
    try:
        return json.loads(body)
    except json.JSONDecodeError as exc:
        # Some models add a sentence around the object: try the outermost braces once.
        start, end = body.find("{"), body.rfind("}")
        if 0 <= start < end:
            try:
                return json.loads(body[start:end + 1])
            except json.JSONDecodeError:
                pass
        raise BadOutput(f"the output is not valid JSON ({exc.msg} at line {exc.lineno} column {exc.colno})") \
            from None


def _schema_errors(exc: PydanticValidationError) -> str:
    parts = [f"{'.'.join(str(p) for p in e['loc']) or '(root)'}: {e['msg']}" for e in exc.errors()[:3]]
    more = f" and {exc.error_count() - 3} more" if exc.error_count() > 3 else ""
    return "; ".join(parts) + more


def parse_answer(answer: RawAnswer, schema: type[M]) -> M:
    """The answer as `schema`, or BadOutput saying what is wrong with it."""
    if answer.refusal:
        raise BadOutput(f"the model refused: {answer.refusal}")
    if answer.truncated:
        raise BadOutput("the output was cut off at the max_tokens limit")
    data = answer.data if answer.data is not None else _json_of(answer.text or "")
    try:
        return schema.model_validate(data)
    except PydanticValidationError as exc:
        raise BadOutput(f"the JSON does not match the schema ({_schema_errors(exc)})") from None


def text_of(answer: RawAnswer, description: str, max_tokens: int) -> str:
    """A plain-text answer, fences stripped; a cut-off one is an error (a summary must not lose its end)."""
    if answer.truncated:
        raise ExtractionError(f"{description}: the answer was cut off at max_tokens={max_tokens}; "
                              "raise llm.config.max_tokens")
    return strip_code_fences(answer.text or "")


def repair_request(reason: str) -> str:
    shorter = " Keep it shorter so that it fits." if "cut off" in reason else ""
    return (f"Your previous answer could not be used: {reason}. Answer again with the complete, corrected JSON "
            f"object only, exactly following the schema.{shorter}")


async def structured_answer(ask: Callable[[Sequence[Turn]], Awaitable[RawAnswer]], user: str,
                            schema: type[M], description: str) -> M:
    """One call; when its output is unusable, exactly one repair call; then ExtractionError."""
    first = await ask([("user", user)])
    try:
        return parse_answer(first, schema)
    except BadOutput as problem:
        if first.refusal:
            raise ExtractionError(f"{description}: {problem}") from None
        reason = str(problem)
    second = await ask([("user", user), ("assistant", first.echo()), ("user", repair_request(reason))])
    try:
        return parse_answer(second, schema)
    except BadOutput as problem:
        raise ExtractionError(f"{description} gave no usable {schema.__name__} after one repair attempt: "
                              f"first {reason}; then {problem}") from None


def inline_schema(model: type[BaseModel]) -> dict[str, Any]:
    """The model's JSON Schema with every `$ref` inlined: some servers' grammar engines ignore `$defs`."""
    schema = model.model_json_schema()
    defs: dict[str, Any] = schema.pop("$defs", {})

    def resolve(node: Any) -> Any:
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and ref.startswith("#/$defs/"):
                return resolve(defs[ref.removeprefix("#/$defs/")])
            return {key: resolve(value) for key, value in node.items()}
        if isinstance(node, list):
            return [resolve(item) for item in node]
        return node

    resolved: dict[str, Any] = resolve(schema)
    return resolved


class LoopClient(Generic[C]):
    """One SDK client per event loop: an async HTTP client must not outlive or cross its loop."""

    def __init__(self, make: Callable[[], C]) -> None:
        self._make = make
        self._client: C | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    def get(self) -> C:
        loop = asyncio.get_running_loop()
        if self._client is None or self._loop is not loop:
            # A client of another (finished) loop cannot be closed from here; its sockets go with that loop.
            self._client, self._loop = self._make(), loop
        return self._client

    async def aclose(self) -> None:
        client, loop = self._client, self._loop
        self._client = self._loop = None
        if client is not None and loop is asyncio.get_running_loop():
            close = getattr(client, "close", None)
            if close is not None:
                await close()
