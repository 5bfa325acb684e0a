"""MemoryClient: the blocking facade of AsyncMemoryClient. Every call runs the async client's coroutine on a
private event-loop thread (as graphmem.Memory does), so there is one implementation of the HTTP calls."""

from __future__ import annotations

from collections.abc import Coroutine
from datetime import datetime
from typing import Any, TypeVar

from graphmem.client.aio import AsyncMemoryClient

T = TypeVar("T")


async def _make(api_key: str | None, host: str | None, org_id: str | None, project_id: str | None,
                timeout: float) -> AsyncMemoryClient:
    return AsyncMemoryClient(api_key, host, org_id, project_id, timeout=timeout)


class MemoryClient:
    """mem0's MemoryClient methods against a graphmem server; see AsyncMemoryClient for each one."""

    def __init__(self, api_key: str | None = None, host: str | None = None, org_id: str | None = None,
                 project_id: str | None = None, timeout: float = 300.0) -> None:
        from graphmem.sync import _LoopThread

        self._loop = _LoopThread()
        try:
            # The httpx client is made on the loop that will use it.
            self._async = self._loop.run(_make(api_key, host, org_id, project_id, timeout))
        except BaseException:
            self._loop.stop()
            raise
        try:
            self._loop.run(self._async.ping())  # as mem0's client: a bad key or host fails here
        except BaseException:
            self.close()
            raise

    @property
    def host(self) -> str:
        return self._async.host

    @property
    def org_id(self) -> str | None:
        return self._async.org_id

    @property
    def project_id(self) -> str | None:
        return self._async.project_id

    def _run(self, coro: Coroutine[Any, Any, T]) -> T:
        return self._loop.run(coro)

    def close(self) -> None:
        if self._loop.alive():
            try:
                self._run(self._async.aclose())
            finally:  # as graphmem.Memory.close: a failed close leaves no loop thread behind
                self._loop.stop()

    def __enter__(self) -> MemoryClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def ping(self) -> dict[str, Any]:
        return self._run(self._async.ping())

    def add(self, messages: Any, *, timestamp: int | float | str | datetime | None = None,
            **kwargs: Any) -> dict[str, Any]:
        return self._run(self._async.add(messages, timestamp=timestamp, **kwargs))

    def search(self, query: str, *, version: str = "v3", relations: bool = True, as_of: datetime | str | None = None,
               explain: bool = False, **kwargs: Any) -> Any:
        return self._run(self._async.search(query, version=version, relations=relations, as_of=as_of,
                                            explain=explain, **kwargs))

    def get_all(self, *, version: str = "v3", page: int | None = None, page_size: int | None = None,
                **kwargs: Any) -> Any:
        return self._run(self._async.get_all(version=version, page=page, page_size=page_size, **kwargs))

    def get(self, memory_id: str) -> dict[str, Any]:
        return self._run(self._async.get(memory_id))

    def update(self, memory_id: str, text: str | None = None, metadata: dict[str, Any] | None = None,
               **kwargs: Any) -> dict[str, Any]:
        return self._run(self._async.update(memory_id, text, metadata, **kwargs))

    def delete(self, memory_id: str) -> dict[str, Any]:
        return self._run(self._async.delete(memory_id))

    def delete_all(self, **kwargs: Any) -> dict[str, Any]:
        return self._run(self._async.delete_all(**kwargs))

    def history(self, memory_id: str) -> list[dict[str, Any]]:
        return self._run(self._async.history(memory_id))

    def batch_update(self, memories: list[dict[str, Any]]) -> dict[str, Any]:
        return self._run(self._async.batch_update(memories))

    def batch_delete(self, memories: list[dict[str, Any]]) -> dict[str, Any]:
        return self._run(self._async.batch_delete(memories))

    def users(self) -> dict[str, Any]:
        return self._run(self._async.users())

    def delete_users(self, user_id: str | None = None, agent_id: str | None = None, app_id: str | None = None,
                     run_id: str | None = None) -> dict[str, str]:
        return self._run(self._async.delete_users(user_id, agent_id, app_id, run_id))

    def reset(self) -> dict[str, str]:
        return self._run(self._async.reset())

    def feedback(self, memory_id: str, feedback: str | None = None,
                 feedback_reason: str | None = None) -> dict[str, Any]:
        return self._run(self._async.feedback(memory_id, feedback, feedback_reason))

    def create_memory_export(self, schema: str | dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        return self._run(self._async.create_memory_export(schema, **kwargs))

    def get_memory_export(self, **kwargs: Any) -> dict[str, Any]:
        return self._run(self._async.get_memory_export(**kwargs))

    def get_webhooks(self, project_id: str | None = None) -> list[dict[str, Any]]:
        return self._run(self._async.get_webhooks(project_id))

    def create_webhook(self, url: str, name: str, project_id: str | None = None,
                       event_types: list[str] | None = None) -> dict[str, Any]:
        return self._run(self._async.create_webhook(url, name, project_id, event_types))

    def update_webhook(self, webhook_id: int, name: str | None = None, url: str | None = None,
                       event_types: list[str] | None = None) -> dict[str, Any]:
        return self._run(self._async.update_webhook(webhook_id, name, url, event_types))

    def delete_webhook(self, webhook_id: int) -> dict[str, str]:
        return self._run(self._async.delete_webhook(webhook_id))
