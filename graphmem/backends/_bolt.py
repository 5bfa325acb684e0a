"""The connection code the Bolt backends share (neo4j.py, memgraph.py, arcadedb.py): the official async `neo4j` driver.

Not a backend itself: a backend is a small subclass naming its dialect (its `cypher/<dialect>/`
folder) and what differs in its engine: whether it has a native vector index, which schema
errors mean "already there". Statements resolve `cypher/<dialect>/`, then `cypher/bolt/` (what
the Bolt engines share), then `cypher/common/`. The driver pools connections and retries a managed
transaction after transient errors (deadlocks, leader switches, dropped connections) for up to
`max_retry_time` seconds; a write plan is one such transaction, all or nothing. Driver errors
come out as graphmem's: ConnectionFailedError naming the URL, BackendError naming the statement.

Vector search, where the dialect has a native vector index, runs `<table>/vector_index_search`
(the index's global top-N, then the scope filter) and falls back to `<table>/vector_scan` (exact
cosine over the scope's rows) whenever the index leaves fewer than k rows in the scope: a small
scope in a big store is never starved, and a scope smaller than k is answered exactly. Without
an index, the scan answers.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

from graphmem.backends.base import Row, Statement, VectorTable, dims_marker, reset_statements
from graphmem.backends.cypher import CypherLibrary
from graphmem.backends.locks import WriteLocks
from graphmem.config import BoltConfig
from graphmem.errors import BackendError, ConfigError, ConnectionFailedError, MissingDependencyError
from graphmem.inprocess.vectors import owns
from graphmem.scope import Scope
from graphmem.search.scan_terms import scan_terms

if TYPE_CHECKING:
    from neo4j import AsyncDriver, AsyncManagedTransaction

T = TypeVar("T")
# The folder every Bolt dialect consults between its own and cypher/common/.
SHARED_LAYERS = ("bolt",)
# The native vector index is asked for this many times k (at least INDEX_MIN_FETCH) before the scope filter.
INDEX_OVERFETCH = 10
INDEX_MIN_FETCH = 100
INDEX_MAX_FETCH = 10_000
ALL_ROWS = 2**31 - 1  # a list slice's bound that keeps every row (Cypher has no "no limit" for one)


def _import_neo4j(dialect: str = "neo4j") -> Any:
    """The driver, imported on first use: graphmem imports without it."""
    try:
        import neo4j
    except ImportError:
        raise MissingDependencyError(f"the {dialect} backend needs the neo4j driver: "
                                     f"pip install 'graphmem[{dialect}]'") from None
    return neo4j


def _message(exc: BaseException) -> str:
    """The server's own words, without the driver's GQL status decoration."""
    text = getattr(exc, "message", None) or str(exc) or type(exc).__name__
    return str(text).strip()


class BoltBackend:
    """A graph store behind a Bolt URL. Subclasses set what differs per engine (below)."""

    dialect: str  # its cypher/<dialect>/ folder
    # Whether the dialect has `<table>/vector_index_search` (a native vector index) to try before the scan.
    vector_index: ClassVar[bool] = False
    # Words of the server's error that mean a schema statement found its constraint or index already there
    # (for DDL without IF NOT EXISTS, or an equivalent index under another name).
    schema_exists_errors: ClassVar[tuple[str, ...]] = ()

    def __init__(self, config: BoltConfig) -> None:
        self._config = config
        self._library = self.library()
        self._driver: AsyncDriver | None = None
        self._dims = 0
        self.locks = WriteLocks()  # this object's writes only: other processes' are the server's to order

    @classmethod
    def library(cls) -> CypherLibrary:
        """The statements this dialect runs: its folder over `cypher/bolt/` over `cypher/common/`."""
        return CypherLibrary(cls.dialect, shared=SHARED_LAYERS)

    @property
    def location(self) -> str:
        return self._config.url

    # -- connection and schema -------------------------------------------------------------

    async def open(self, dims: int) -> None:
        if self._driver is not None:
            return
        neo4j = _import_neo4j(self.dialect)
        config = self._config
        auth = (config.username or "", config.password or "") if config.username or config.password else None
        try:
            driver = neo4j.AsyncGraphDatabase.driver(
                config.url, auth=auth, connection_timeout=config.connection_timeout,
                max_connection_pool_size=config.max_connection_pool_size,
                max_transaction_retry_time=config.max_retry_time, notifications_min_severity="OFF")
        except (ValueError, neo4j.exceptions.ConfigurationError) as exc:
            raise ConfigError(f"graph_store.config.url {config.url!r}: {_message(exc)}",
                              field="graph_store.config.url") from None
        self._driver = driver
        try:
            await self._verify(neo4j, driver)
            await self._create_schema(dims)
        except BaseException:
            self._driver = None
            await driver.close()
            raise
        self._dims = dims

    async def _verify(self, neo4j: Any, driver: AsyncDriver) -> None:
        url = self._config.url
        try:
            await driver.verify_connectivity()
        except neo4j.exceptions.AuthError as exc:
            raise ConnectionFailedError(f"{self.dialect} at {url} refused the credentials of user "
                                        f"{self._config.username!r}: {_message(exc)}", url=url) from None
        except (neo4j.exceptions.DriverError, neo4j.exceptions.Neo4jError, OSError) as exc:
            raise ConnectionFailedError(f"cannot reach the {self.dialect} server at {url}: {_message(exc)}",
                                        url=url) from None

    async def _create_schema(self, dims: int) -> None:
        """Constraints and indexes, one auto-commit statement each (DDL cannot share a transaction)."""
        for name in self._library.names():
            if name.startswith("schema/"):
                await self._auto_commit(name, self._library.render(name, dims=dims))
        marker = dims_marker(await self.read("admin/get_meta", {"key": "embedding_dims"}), dims,
                             f"{self.dialect} database at {self._config.url}", "another database")
        if marker is not None:
            await self.write([marker])

    async def _auto_commit(self, name: str, text: str) -> None:
        neo4j = _import_neo4j(self.dialect)
        async with self._session() as session:
            try:
                result = await session.run(text)
                await result.consume()
            except neo4j.exceptions.Neo4jError as exc:
                if any(words in _message(exc).lower() for words in self.schema_exists_errors):
                    return
                raise BackendError(f"{self.dialect}: schema statement {name!r} failed: {_message(exc)}") from exc
            except neo4j.exceptions.DriverError as exc:
                raise ConnectionFailedError(f"lost the {self.dialect} server at {self._config.url}: "
                                            f"{_message(exc)}", url=self._config.url) from exc

    def _session(self, read: bool = False) -> Any:
        if self._driver is None:
            raise BackendError(f"the {self.dialect} backend is not open")
        neo4j = _import_neo4j(self.dialect)
        return self._driver.session(
            database=self._config.database, default_access_mode=neo4j.READ_ACCESS if read else neo4j.WRITE_ACCESS,
            bookmark_manager=self._driver.execute_query_bookmark_manager)

    # -- running statements ----------------------------------------------------------------

    async def read(self, name: str, params: dict[str, Any]) -> list[Row]:
        [rows] = await self.read_together([(name, params)])
        return rows

    async def read_together(self, reads: Sequence[tuple[str, dict[str, Any]]]) -> list[list[Row]]:
        plan = [self._library.runs(name, params) for name, params in reads]

        async def work(tx: AsyncManagedTransaction) -> list[list[Row]]:
            found: list[list[Row]] = []
            for runs in plan:
                rows: list[Row] = []
                for text, values in runs:
                    result = await tx.run(text, values)
                    rows.extend([record.data() async for record in result])
                found.append(rows)
            return found

        return await self._managed(work, read=True, current=[name for name, _ in reads])

    async def write(self, statements: Sequence[Statement]) -> None:
        plan = [(s.name, self._library.runs(s.name, s.params)) for s in statements if not s.is_empty_batch()]
        if not plan:
            return
        current: list[str] = []

        async def work(tx: AsyncManagedTransaction) -> None:
            for name, runs in plan:
                current[:] = [name]
                for text, values in runs:
                    result = await tx.run(text, values)
                    await result.consume()

        await self._managed(work, read=False, current=current)

    async def _managed(self, work: Callable[[AsyncManagedTransaction], Awaitable[T]], *, read: bool,
                       current: list[str]) -> T:
        """Run `work` in one managed transaction (retried on transient errors); map failures to ours.

        `current` holds the name of the statement running, so that an error can name it.
        """
        neo4j = _import_neo4j(self.dialect)
        try:
            async with self._session(read) as session:
                run = session.execute_read if read else session.execute_write
                done: T = await run(work)
                return done
        except (neo4j.exceptions.ServiceUnavailable, neo4j.exceptions.SessionExpired) as exc:
            raise ConnectionFailedError(f"lost the {self.dialect} server at {self._config.url}: {_message(exc)}",
                                        url=self._config.url) from exc
        except (neo4j.exceptions.Neo4jError, neo4j.exceptions.DriverError) as exc:
            what = f"statement {current[0]!r}" if current else "a transaction"
            raise BackendError(f"{self.dialect}: {what} failed: {_message(exc)}") from exc

    # -- scoped vector search --------------------------------------------------------------

    async def vector_search(self, table: VectorTable, vector: list[float], k: int, scope: Scope,
                            context_vector_weight: float = 0.0, approximate: bool = False) -> list[Row]:
        # No context vectors here (`context_vector_weight` has nothing to weigh); the server's vector index is
        # walked as it is configured either way (`approximate`).
        if k <= 0:
            return []
        params: dict[str, Any] = {"vector": vector, "k": k, **scope.params()}
        if self.vector_index:
            fetch = min(max(k * INDEX_OVERFETCH, INDEX_MIN_FETCH), INDEX_MAX_FETCH)
            rows = await self.read(f"{table}/vector_index_search", {**params, "fetch": fetch})
            if len(rows) >= k:
                return rows[:k]
        return await self.read(f"{table}/vector_scan", params)

    async def keyword_search(self, query: str, k: int, scope: Scope) -> list[Row]:
        # The index is global: ask it for far more than we keep, so that the scope filter leaves enough
        # for a small scope in a big store.
        params = {"query": query, "terms": scan_terms(query), "k": k * 200, "limit": k, **scope.params()}
        return await self.read("memory/fulltext", params)

    async def keyword_coverage(self, query: str, scope: Scope) -> float | None:
        # Unknown: the engines' full-text indexes are global, and a scan of the scope per search for the terms'
        # counts would cost what the index saves. The keyword signal keeps its configured weight here.
        return None

    async def memory_briefs(self, ids: list[str], scope: Scope) -> list[Row]:
        rows = await self.read("memory/get_many", {"ids": ids})
        return [r for r in rows if r["invalid_at"] is None and owns(scope, (r["user_id"], r["agent_id"], r["run_id"]))]

    async def entities_named(self, names: list[str], scope: Scope) -> list[Row]:
        return await self.read("entity/match_names", {"names": names, **scope.params()})

    async def memories_mentioning(self, entity_ids: list[str], max_degree: int, scope: Scope,
                                  per_entity: int | None = None) -> list[Row]:
        return await self.read("graph/memories_mentioning",
                               {"ids": entity_ids, "max_degree": max_degree,
                                "per_entity": ALL_ROWS if per_entity is None else per_entity, **scope.params()})

    async def memories_between(self, start: str | None, end: str | None, k: int, scope: Scope) -> list[Row]:
        return await self.read("memory/between", {"start": start, "end": end, "limit": k, **scope.params()})

    async def entities_by_names(self, names: list[str], scope: Scope) -> list[Row]:
        return await self.read("entity/by_names", {"sk": scope.key, "names": names})

    async def valid_hashes(self, hashes: list[str], scope: Scope) -> list[Row]:
        return await self.read("memory/find_hashes", {"sk": scope.key, "hashes": hashes})

    async def memory_rows(self, ids: list[str]) -> list[Row]:
        return await self.read("memory/get_many", {"ids": ids})

    async def memories_of_episodes(self, episode_ids: list[str], scope: Scope) -> list[Row]:
        return await self.read("memory/of_episodes", {"ids": episode_ids})

    # -- lifecycle -------------------------------------------------------------------------

    async def reset(self) -> None:
        """graphmem's nodes and edges go; the schema, and any other table of the database, stay."""
        await self.write(reset_statements(self._dims))

    async def close(self) -> None:
        driver, self._driver = self._driver, None
        if driver is not None:
            await driver.close()
