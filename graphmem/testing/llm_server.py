"""A scripted stand-in for the OpenAI and Anthropic HTTP APIs on 127.0.0.1, for tests without network.

The real `openai` and `anthropic` SDK clients talk to it by base URL. It answers
from a script (prompt substring → answer), counts the calls per endpoint, and
can be told to fail: HTTP errors, timeouts, malformed or truncated output.

    from graphmem.testing.llm_server import Fault, LLMServer

    with LLMServer({"pizza": {"facts": [...], "entities": [...], "relations": []}}) as server:
        config = {"llm": {"provider": "openai",
                          "config": {"openai_base_url": server.openai_base_url, "api_key": "test"}}}
        ...                                   # or "anthropic" with anthropic_base_url=server.url
        server.fail(Fault.http(429))          # the next chat/messages call answers 429
        assert server.calls["chat"] == 1      # "chat", "messages", "embeddings"

Endpoints: POST /v1/chat/completions (response_format json_schema, tools, plain),
/v1/embeddings (deterministic bag-of-words vectors), /v1/messages (tool use),
Azure's /openai/deployments/<name>/... paths, and Cohere-style /rerank, /v1/rerank
and /v2/rerank (relevance: the share of the query's words in the document;
faults with endpoint="rerank").

An answer is a dict or list (sent as the JSON the request asked for: content,
tool call or tool_use input), a str (sent verbatim: malformed output on
purpose), or a callable taking the `LLMRequest` and returning one of those.

Agent loops: `ToolCall(name, arguments)` answers with a call of that offered tool
(an unoffered name is a 400), `Text(text)` with plain text even when tools are
offered. Tool results a client sends back (OpenAI `tool` messages, Anthropic
`tool_result` blocks) are part of `LLMRequest.text`. Tool definitions in a request
are checked as the APIs do (name pattern, an object JSON Schema for the
arguments): a bad one is a 400 naming it.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import struct
import threading
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from graphmem.testing.llm_tools import Text, ToolCall, offered, part_text, tool_problem

Answer = Any  # dict | list | str | ToolCall | Text, or a callable LLMRequest -> one of those
__all__ = ["Fault", "LLMRequest", "LLMServer", "Text", "ToolCall", "relevance"]
Script = Mapping[str, Answer] | Iterable[tuple[str, Answer]] | Callable[["LLMRequest"], Answer]
_WORD = re.compile(r"\w+", re.UNICODE)


@dataclass(frozen=True)
class LLMRequest:
    """One request the server received."""

    endpoint: str                     # "chat", "messages", "embeddings" or "rerank"
    path: str
    body: dict[str, Any]
    system: str = ""                  # the system prompt
    text: str = ""                    # every other message's text, joined by newlines
    mode: str = "text"                # "json_schema", "tools" or "text"
    schema: dict[str, Any] | None = None
    tool: str | None = None           # the tool the request forces or offers first


@dataclass(frozen=True)
class Fault:
    """A failure the server plays instead of (or on) its next answer."""

    kind: str                         # "http", "timeout", "malformed", "truncated"
    status: int = 500
    seconds: float = 5.0
    retry_after: float | None = None
    endpoint: str | None = None       # None: the next chat or messages call

    @classmethod
    def http(cls, status: int, *, retry_after: float | None = None, endpoint: str | None = None) -> Fault:
        return cls("http", status=status, retry_after=retry_after, endpoint=endpoint)

    @classmethod
    def timeout(cls, seconds: float = 5.0, *, endpoint: str | None = None) -> Fault:
        """Hold the request this long without answering (set a shorter client timeout)."""
        return cls("timeout", seconds=seconds, endpoint=endpoint)

    @classmethod
    def malformed(cls, *, endpoint: str | None = None) -> Fault:
        """Answer with broken JSON (Anthropic: a tool input of the wrong shape)."""
        return cls("malformed", endpoint=endpoint)

    @classmethod
    def truncated(cls, *, endpoint: str | None = None) -> Fault:
        """Answer with the first half of the JSON and finish_reason "length" / stop_reason "max_tokens"."""
        return cls("truncated", endpoint=endpoint)


@dataclass
class _State:
    rules: list[tuple[str, Answer]] = field(default_factory=list)
    matcher: Callable[[LLMRequest], Answer] | None = None
    faults: list[Fault] = field(default_factory=list)
    calls: Counter[str] = field(default_factory=Counter)
    requests: list[LLMRequest] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


class LLMServer:
    """The server; a context manager that starts it on a free port of 127.0.0.1 and stops it."""

    def __init__(self, script: Script | None = None, *, default: Answer = None, embedding_dims: int = 32,
                 json_schema: bool = True, tools: bool = True) -> None:
        self._state = _State()
        self.default = default
        self.embedding_dims = embedding_dims
        self.json_schema = json_schema    # False: reject response_format json_schema with HTTP 400
        self.tools = tools                # False: reject tools with HTTP 400
        if callable(script):
            self._state.matcher = script
        elif script is not None:
            for pattern, answer in (script.items() if isinstance(script, Mapping) else script):
                self.script(pattern, answer)
        self._stopping = threading.Event()
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- control -----------------------------------------------------------------------------

    def script(self, pattern: str, answer: Answer) -> None:
        """Answer requests whose non-system text contains `pattern` (first matching rule wins)."""
        with self._state.lock:
            self._state.rules.append((pattern, answer))

    def fail(self, *faults: Fault) -> None:
        """Queue failures; each is used up by the next request it applies to."""
        with self._state.lock:
            self._state.faults.extend(faults)

    @property
    def calls(self) -> Counter[str]:
        with self._state.lock:
            return Counter(self._state.calls)

    @property
    def requests(self) -> list[LLMRequest]:
        with self._state.lock:
            return list(self._state.requests)

    def reset(self) -> None:
        """Forget counted calls, recorded requests and queued faults (the script stays)."""
        with self._state.lock:
            self._state.calls.clear()
            self._state.requests.clear()
            self._state.faults.clear()

    @property
    def url(self) -> str:
        """The server's root: Anthropic's base_url and Azure's azure_endpoint."""
        if self._httpd is None:
            raise RuntimeError("the LLMServer is not started")
        host, port = self._httpd.server_address[:2]
        return f"http://{host!s}:{port}"

    @property
    def openai_base_url(self) -> str:
        return self.url + "/v1"

    anthropic_base_url = url

    def start(self) -> LLMServer:
        self._stopping.clear()
        handler = type("Handler", (_Handler,), {"owner": self})
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        # A short poll keeps stop() quick (shutdown waits for the serving loop's next poll).
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.02},
                                        name="llm-server", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()  # wakes requests held by a timeout fault
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
        if self._thread is not None:
            self._thread.join()
        self._httpd = self._thread = None

    def __enter__(self) -> LLMServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- answering (runs on the server's threads) --------------------------------------------

    def _record(self, request: LLMRequest) -> Fault | None:
        with self._state.lock:
            self._state.calls[request.endpoint] += 1
            self._state.requests.append(request)
            for index, fault in enumerate(self._state.faults):
                wanted = (fault.endpoint,) if fault.endpoint else ("chat", "messages")
                if request.endpoint in wanted:
                    return self._state.faults.pop(index)
        return None

    def _answer(self, request: LLMRequest) -> Answer:
        with self._state.lock:
            matcher, rules = self._state.matcher, list(self._state.rules)
        answer = matcher(request) if matcher is not None else next(
            (a for pattern, a in rules if pattern in request.text), self.default)
        return answer(request) if callable(answer) else answer

    def _embedding(self, text: str, dims: int) -> list[float]:
        """Hashed bag of words: equal texts get equal vectors, shared words make them close. Not unit length."""
        row = [0.0] * dims
        for word in _WORD.findall(text.lower()) or [""]:
            digest = hashlib.blake2b(word.encode(), digest_size=8).digest()
            row[int.from_bytes(digest[:4], "little") % dims] += 2.0 if digest[4] & 1 else -2.0
        return row


def relevance(query: str, document: str) -> float:
    """The rerank endpoint's score: the share of the query's distinct words that the document contains."""
    asked = set(_WORD.findall(query.lower()))
    return len(asked & set(_WORD.findall(document.lower()))) / len(asked) if asked else 0.0


def _rerank_reply(body: dict[str, Any]) -> dict[str, Any]:
    """Cohere v2's answer: the top_n documents by relevance, best first, ties in document order."""
    documents = [d if isinstance(d, str) else str(d.get("text", "")) for d in body.get("documents") or []]
    scores = [relevance(str(body.get("query", "")), d) for d in documents]
    order = sorted(range(len(documents)), key=lambda i: (-scores[i], i))[:body.get("top_n") or len(documents)]
    return {"id": "rerank-test", "results": [{"index": i, "relevance_score": scores[i]} for i in order],
            "meta": {"billed_units": {"search_units": 1}}}


def _request_of(endpoint: str, path: str, body: dict[str, Any]) -> LLMRequest:
    if endpoint == "rerank":
        return LLMRequest(endpoint, path, body, text=str(body.get("query", "")))
    messages = body.get("messages") or []
    system = body.get("system") or ""
    if isinstance(system, list):
        system = "".join(part.get("text", "") for part in system)
    texts = []
    for message in messages:
        content = message.get("content")
        text = content if isinstance(content, str) else "".join(
            part_text(p) for p in content or [] if isinstance(p, dict))
        if message.get("role") in ("system", "developer"):
            system += text
        else:
            texts.append(text)
    mode, schema, tool = "text", None, None
    response_format = body.get("response_format") or {}
    if response_format.get("type") == "json_schema":
        mode, schema = "json_schema", response_format.get("json_schema", {}).get("schema")
    elif body.get("tools"):
        first = body["tools"][0]
        mode, tool = "tools", first.get("function", first).get("name")
        schema = first.get("function", {}).get("parameters") or first.get("input_schema")
    return LLMRequest(endpoint, path, body, system, "\n".join(texts), mode, schema, tool)


class _Handler(BaseHTTPRequestHandler):
    owner: LLMServer
    protocol_version = "HTTP/1.1"  # keep-alive, as the SDKs expect
    timeout = 30  # an idle kept-alive connection's thread ends by itself

    def log_message(self, format: str, *args: Any) -> None:
        pass  # quiet: tests read the recorded requests instead

    def do_POST(self) -> None:
        path = self.path.split("?", 1)[0]
        endpoint = next((name for suffix, name in (("/chat/completions", "chat"), ("/embeddings", "embeddings"),
                                                   ("/messages", "messages"), ("/rerank", "rerank"))
                         if path.endswith(suffix)), None)
        length = int(self.headers.get("content-length") or 0)
        try:
            body = json.loads(self.rfile.read(length) or b"{}")
        except json.JSONDecodeError:
            return self._error(400, "the request body is not JSON", "anthropic" if endpoint == "messages" else "")
        if endpoint is None:
            return self._error(404, f"no such endpoint: {path}", "")
        request = _request_of(endpoint, path, body)
        fault = self.owner._record(request)
        flavour = "anthropic" if endpoint == "messages" else "openai"
        if fault is not None and fault.kind == "timeout":
            self.owner._stopping.wait(fault.seconds)
            self.close_connection = True
            return None
        if fault is not None and fault.kind == "http":
            return self._error(fault.status, f"scripted HTTP {fault.status}", flavour, fault.retry_after)
        if endpoint == "embeddings":
            return self._send(200, self._embeddings(body))
        if endpoint == "rerank":
            return self._send(200, _rerank_reply(body), malformed=fault is not None and fault.kind == "malformed")
        if request.mode == "json_schema" and not self.owner.json_schema:
            return self._error(400, "response_format json_schema is not supported by this server", flavour)
        if request.mode == "tools" and not self.owner.tools:
            return self._error(400, "tools are not supported by this server", flavour)
        problem = tool_problem(endpoint, body["tools"]) if "tools" in body else None
        if problem:
            return self._error(400, problem, flavour)
        answer = self.owner._answer(request)
        if answer is None:
            return self._error(400, "LLMServer has no scripted answer for: " + request.text[:200], flavour)
        if isinstance(answer, ToolCall) and answer.name not in offered(body):
            return self._error(400, f"the scripted tool call {answer.name!r} is not among the request's tools", flavour)
        kind = fault.kind if fault is not None else None
        reply = _anthropic_reply(request, answer, kind) if endpoint == "messages" else _openai_reply(
            request, answer, kind)
        return self._send(200, reply)

    def _embeddings(self, body: dict[str, Any]) -> dict[str, Any]:
        inputs = body.get("input")
        texts = [inputs] if isinstance(inputs, str) else list(inputs or [])
        dims = int(body.get("dimensions") or self.owner.embedding_dims)
        data = []
        for index, text in enumerate(texts):
            vector: Any = self.owner._embedding(str(text), dims)
            if body.get("encoding_format") == "base64":
                vector = base64.b64encode(struct.pack(f"<{dims}f", *vector)).decode()
            data.append({"object": "embedding", "index": index, "embedding": vector})
        return {"object": "list", "data": data, "model": body.get("model", "test"),
                "usage": {"prompt_tokens": len(texts), "total_tokens": len(texts)}}

    def _send(self, status: int, payload: dict[str, Any], headers: Mapping[str, str] | None = None,
              malformed: bool = False) -> None:
        data = json.dumps(payload).encode()
        data = data[:len(data) // 2] if malformed else data
        self.send_response(status)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(data)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def _error(self, status: int, message: str, flavour: str, retry_after: float | None = None) -> None:
        kind = {400: "invalid_request_error", 404: "not_found_error", 429: "rate_limit_error"}.get(status, "api_error")
        payload = ({"type": "error", "error": {"type": kind, "message": message}} if flavour == "anthropic"
                   else {"error": {"message": message, "type": kind, "param": None, "code": None}})
        headers = {"retry-after": str(retry_after)} if retry_after is not None else None
        self._send(status, payload, headers)


def _encoded(answer: Answer, fault: str | None) -> str:
    text = answer if isinstance(answer, str) else json.dumps(answer, ensure_ascii=False)
    if fault == "malformed":
        return text[: max(1, len(text) // 2)] + ' "oops'
    if fault == "truncated":
        return text[: max(1, len(text) // 2)]
    return text


def _openai_reply(request: LLMRequest, answer: Answer, fault: str | None) -> dict[str, Any]:
    tool = answer.name if isinstance(answer, ToolCall) else request.tool
    answer = answer.arguments if isinstance(answer, ToolCall) else answer
    text = _encoded(answer.text if isinstance(answer, Text) else answer, fault)
    finish = "length" if fault == "truncated" else "stop"
    message: dict[str, Any] = {"role": "assistant", "content": text, "refusal": None}
    if request.mode == "tools" and not isinstance(answer, Text):
        message["content"] = None
        message["tool_calls"] = [{"id": "call_1", "type": "function",
                                  "function": {"name": tool, "arguments": text}}]
        finish = "length" if fault == "truncated" else "tool_calls"
    return {"id": "chatcmpl-test", "object": "chat.completion", "created": 0,
            "model": request.body.get("model", "test"),
            "choices": [{"index": 0, "message": message, "finish_reason": finish, "logprobs": None}],
            "usage": {"prompt_tokens": len(request.text.split()), "completion_tokens": len(text.split()),
                      "total_tokens": len(request.text.split()) + len(text.split())}}


def _anthropic_reply(request: LLMRequest, answer: Answer, fault: str | None) -> dict[str, Any]:
    stop = "max_tokens" if fault == "truncated" else "end_turn"
    tool = answer.name if isinstance(answer, ToolCall) else request.tool
    answer = answer.arguments if isinstance(answer, ToolCall) else answer
    if isinstance(answer, Text):
        answer = answer.text
    if request.mode == "tools" and not isinstance(answer, str):
        # A tool input is always an object; a broken one has the wrong shape, a cut-off one is partial.
        payload = {"malformed": "oops"} if fault == "malformed" else {} if fault == "truncated" else answer
        content: list[dict[str, Any]] = [{"type": "tool_use", "id": "toolu_1", "name": tool,
                                          "input": payload}]
        stop = "max_tokens" if fault == "truncated" else "tool_use"
    else:
        content = [{"type": "text", "text": _encoded(answer, fault)}]
    return {"id": "msg_test", "type": "message", "role": "assistant", "model": request.body.get("model", "test"),
            "content": content, "stop_reason": stop, "stop_sequence": None,
            "usage": {"input_tokens": len(request.text.split()), "output_tokens": 1}}
