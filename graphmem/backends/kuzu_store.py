"""One Kuzu database per path and process: its handle, its connections, their threads.

Kuzu locks an on-disk database for one process, and in 0.11.3 two connections that write at once race
each other's transactions (a failed `BEGIN TRANSACTION` left a connection whose next query segfaulted).
So every `Memory`/`AsyncMemory` of a process that opens the same real path shares one `SharedDatabase`:
one writing connection and one worker thread that runs every write in turn (a transaction stays on the
thread and connection that began it, and no other statement runs inside it), the scopes loaded for
search, and the write locks. Reads run on READ_THREADS other threads, each with its own connection:
Kuzu lets a read see the last commit while a write transaction runs, and releases the GIL meanwhile, so
a search or `get_all` of one scope queues neither behind another scope's big add nor behind its reads.
The registry counts its users and closes the database when the last one leaves. Each `:memory:`
database is its own.
"""

from __future__ import annotations

import logging
import threading
import weakref
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

from graphmem.backends.base import Row
from graphmem.backends.locks import WriteLocks
from graphmem.config import KuzuConfig
from graphmem.errors import BackendError, MissingDependencyError
from graphmem.inprocess.ann_files import IndexFiles
from graphmem.inprocess.cache import DEFAULT_MAX_ROWS, ScopeCache

T = TypeVar("T")
logger = logging.getLogger(__name__)
MEMORY_DB = ":memory:"
_MAX_PREPARED = 256
READ_THREADS = 2  # a big add's own reads (thousands of facts) must not hold up another scope's get_all
# Threads for lookups in loaded scopes that do not run on the event loop (a big scope's vector walk, a lookup while
# the scopes' lock is busy): they never run a statement, so they never queue behind one (a big scope's load reads
# for seconds; a read waits for a checkpoint), as lookups did on the read threads.
LOOKUP_THREADS = 2
MAX_SCOPE_ROWS = DEFAULT_MAX_ROWS  # rows the loaded scopes of one database hold at most

_REGISTRY: dict[str, SharedDatabase] = {}
_REGISTRY_LOCK = threading.Lock()
# Locks outlive a database's handle (a writer may wait while the last user closes and another reopens).
_LOCKS: dict[str, WriteLocks] = {}


def import_kuzu() -> Any:
    try:
        import kuzu
    except ImportError:
        raise MissingDependencyError("the Kuzu backend needs kuzu: pip install 'graphmem[kuzu]'") from None
    return kuzu


def real_path(db: str) -> str:
    """The registry's key: the directory's real path (symlinks and `~` resolved), or ':memory:'."""
    return db if db == MEMORY_DB else str(Path(db).expanduser().resolve())


def write_locks(path: str) -> WriteLocks:
    """The write locks of the store at `path` (a fresh set for each ':memory:' database)."""
    if path == MEMORY_DB:
        return WriteLocks()
    with _REGISTRY_LOCK:
        return _LOCKS.setdefault(path, WriteLocks())


def acquire(path: str, config: KuzuConfig, dims: int) -> SharedDatabase:
    """The shared database at `path`, opened by the first user (blocking: call it off the event loop)."""
    with _REGISTRY_LOCK:
        shared = _REGISTRY.get(path)
        if shared is not None:
            shared.users += 1
            return shared
        shared = SharedDatabase(path, config, dims)
        if path != MEMORY_DB:
            _REGISTRY[path] = shared
        return shared


def release(shared: SharedDatabase) -> None:
    """One user leaves; the last one closes the database (blocking: call it off the event loop)."""
    with _REGISTRY_LOCK:
        shared.users -= 1
        if shared.users > 0:
            return
        if _REGISTRY.get(shared.path) is shared:
            del _REGISTRY[shared.path]
    shared.shutdown()


def open_count(path: str) -> int:
    """How many users hold the database at `path` open (0: closed)."""
    with _REGISTRY_LOCK:
        shared = _REGISTRY.get(real_path(path))
        return shared.users if shared is not None else 0


class SharedDatabase:
    """A database, its writing connection and thread, and its reading threads with a connection each."""

    def __init__(self, path: str, config: KuzuConfig, dims: int) -> None:
        kuzu = import_kuzu()
        if path != MEMORY_DB:
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        try:
            self.db = kuzu.Database(path, buffer_pool_size=config.buffer_pool_size or 0,  # 0: Kuzu's default
                                    checkpoint_threshold=config.checkpoint_threshold,
                                    compression=config.compression)
        except RuntimeError as exc:
            raise BackendError(f"cannot open Kuzu database at {path!r}: {exc}") from exc
        self.path = path
        self.users = 1
        # A store on disk keeps its large scopes' approximate indexes beside it (<store>.ann/): a process that
        # loads such a scope reads its index instead of building it (~80 s of a core at 100k rows).
        self.scopes = ScopeCache(dims, MAX_SCOPE_ROWS, None if path == MEMORY_DB else IndexFiles(path + ".ann"))
        # Whether the database holds any RELATES edge (None: not read yet), and how many commits may have created
        # some; both change together, under the scopes' lock (the relations_* methods; KuzuBackend._holds_relations).
        self.holds_relations: bool | None = None
        self.relation_commits = 0
        self._writer = _Session(self.db)
        self._readers: list[_Session] = []
        self._readers_lock = threading.Lock()
        self.executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="graphmem-kuzu")
        # The threads hold the database weakly: an AsyncMemory on ':memory:' that is never closed is freed.
        self.read_executor = ThreadPoolExecutor(max_workers=READ_THREADS, thread_name_prefix="graphmem-kuzu-read",
                                                initializer=_start_reader, initargs=(weakref.ref(self),))
        self.lookup_executor = ThreadPoolExecutor(max_workers=LOOKUP_THREADS, thread_name_prefix="graphmem-lookup")

    def reader_session(self) -> _Session:
        """A new connection for one read thread (a Kuzu connection runs one statement at a time)."""
        session = _Session(self.db)
        with self._readers_lock:
            self._readers.append(session)
        return session

    def execute(self, text: str, params: dict[str, Any] | None = None) -> list[Row]:
        """Run one statement on this thread's connection: a read thread's own, else the writing one (on
        the database's thread only)."""
        return self._session().execute(text, params)

    def _session(self) -> _Session:
        reads_for = getattr(_thread, "reads_for", None)
        session: _Session = _thread.session if reads_for is not None and reads_for() is self else self._writer
        return session

    def read_transaction(self, work: Callable[[], T]) -> T:
        """`work`'s reads as of one commit: one read-only transaction on this read thread's connection."""
        session = self._session()
        done = session.within("BEGIN TRANSACTION READ ONLY", work)
        session.execute("COMMIT")
        return done

    def transaction(self, work: Callable[[], T], commit: Callable[[], Callable[[], None] | None]) -> T:
        """BEGIN, `work`, COMMIT (`commit` runs right after it, under the loaded scopes' lock, and may return
        the rest of its work, run next without that lock: it takes the lock itself); ROLLBACK on error.

        The COMMIT itself runs without that lock: Kuzu may checkpoint in it, and in Kuzu 0.11.3 a checkpoint begun
        while any read is open (a big scope's load, a get_all) waits for it to end or for its ~5 s timeout, while
        every loaded scope's lookups need the lock (they waited ~5.5 s). Until `commit` has tracked the commit's
        changes no scope is loaded from the store (ScopeCache.commit_begins): one that read the commit would be
        given its changes again."""
        done = self._writer.within("BEGIN TRANSACTION", work)
        with self.scopes.lock:
            self.scopes.commit_begins()
        try:
            self._commit()
        except BaseException:
            with self.scopes.lock:
                self.scopes.commit_ends()
            raise
        with self.scopes.lock:
            try:
                later = commit()
            finally:
                self.scopes.commit_ends()
        if later is not None:
            try:
                later()
            except Exception:  # the commit stands: the loaded scopes reload rather than miss part of it
                logger.exception("updating the loaded scopes after a commit failed; they reload from the store")
                with self.scopes.lock:
                    self.scopes.forget()
        return done

    def _commit(self) -> None:
        try:
            self.execute("COMMIT")
        except BackendError as exc:
            if _CHECKPOINT_TIMEOUT not in str(exc):
                # Whether anything landed is not known: the scopes reload, and whether the database holds
                # RELATES edges is read again (a probe under way meanwhile keeps nothing: the count moved).
                with self.scopes.lock:
                    self.scopes.forget()
                    self.relations_changed(None)
                raise
            # Kuzu wrote the commit, then its automatic checkpoint gave up waiting for a long read (on
            # a read connection): the commit stands and the checkpoint comes at a later commit.

    def relations_changed(self, holds: bool | None) -> None:
        """A commit created RELATES edges (True), or may have (None: read again). Under the scopes' lock."""
        self.relation_commits += 1
        self.holds_relations = holds

    def relations_read(self, seen: int, found: bool) -> None:
        """What a read of the store found, kept unless a commit changed relations since it began (at `seen`)."""
        with self.scopes.lock:
            if self.holds_relations is None and self.relation_commits == seen:
                self.holds_relations = found

    def shutdown(self) -> None:
        """Stop the lookup and read threads, then close every connection and the database on the writing thread;
        then the loaded scopes' indexes stop building, and are saved beside the store (inprocess/ann_files.py)."""
        self.lookup_executor.shutdown(wait=True)
        self.read_executor.shutdown(wait=True)
        try:
            self.executor.submit(self._close).result()
        finally:
            self.executor.shutdown(wait=True)
            with self.scopes.lock:
                self.scopes.close()

    def _close(self) -> None:
        for session in self._readers:  # their threads have ended: nothing runs on them
            session.close()
        self._writer.close()
        self.db.close()


_thread = threading.local()  # on a read thread: reads_for, a weak reference to its database; session, its connection
_CHECKPOINT_TIMEOUT = "Timeout waiting for active transactions to leave the system before checkpointing"


def _start_reader(database: weakref.ref[SharedDatabase]) -> None:
    shared = database()
    if shared is not None:
        _thread.reads_for, _thread.session = database, shared.reader_session()


class _Session:
    """A connection and its prepared statements."""

    def __init__(self, db: Any) -> None:
        self._db = db
        self._conn: Any = import_kuzu().Connection(db)
        self._prepared: OrderedDict[tuple[str, tuple[tuple[str, str], ...]], Any] = OrderedDict()

    def execute(self, text: str, params: dict[str, Any] | None = None) -> list[Row]:
        try:
            result = self._conn.execute(self._prepare(text, params) if params else text, params or {})
        except RuntimeError as exc:
            raise BackendError(f"Kuzu: {exc}") from exc
        results = result if isinstance(result, list) else [result]
        rows: list[Row] = []
        for item in results:
            columns = item.get_column_names()
            rows.extend(dict(zip(columns, values, strict=True)) for values in item.get_all())
            item.close()
        return rows

    def _prepare(self, text: str, params: dict[str, Any]) -> Any:
        """The connection's prepared statement for this text and parameter types, made once.

        Kuzu 0.11 keeps every statement that `execute(text, params)` prepares until the
        connection closes (about 55 KiB per 384-float vector parameter), and preparing costs
        about as much as running a small query. Reusing them bounds memory and saves that.
        """
        key = (text, tuple((name, _kind(value)) for name, value in sorted(params.items())))
        prepared = self._prepared.get(key)
        if prepared is not None:
            self._prepared.move_to_end(key)
            return prepared
        # Connection.prepare() is deprecated in favour of execute(text, params), which leaks (above).
        prepared = self._conn._prepare(text, params)
        self._prepared[key] = prepared
        if len(self._prepared) > _MAX_PREPARED:
            self._prepared.popitem(last=False)
        return prepared

    def within(self, begin: str, work: Callable[[], T]) -> T:
        """`begin` (a BEGIN TRANSACTION statement), then `work`; ROLLBACK if it fails. The caller commits.

        A BEGIN or ROLLBACK that fails gets a new connection: Kuzu 0.11.3 crashed on the next query of one
        whose BEGIN had failed."""
        try:
            self.execute(begin)
        except BackendError:
            self._renew()
            raise
        try:
            return work()
        except BaseException:
            self._rollback()
            raise

    def _rollback(self) -> None:
        try:
            self.execute("ROLLBACK")
        except BackendError as exc:
            if "No active transaction" not in str(exc):  # a failed COPY has rolled back already
                self._renew()
                raise

    def _renew(self) -> None:
        self._prepared.clear()
        old, self._conn = self._conn, import_kuzu().Connection(self._db)
        old.close()

    def close(self) -> None:
        self._prepared.clear()
        self._conn.close()


def _kind(value: Any) -> str:
    """A parameter's type as far as Kuzu's binder cares: statements are prepared per kind."""
    if isinstance(value, list):
        return "list:" + (_kind(value[0]) if value else "empty")
    if isinstance(value, dict):
        return "struct:" + ",".join(f"{k}={_kind(v)}" for k, v in sorted(value.items()))
    return type(value).__name__
