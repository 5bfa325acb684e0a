"""The offline extractor's helper process: spaCy and jieba parse there, not in the process they serve.

Parsing is CPU-bound work that holds the GIL, and in the calling process every other user of it (another
scope's `get_all`, a server's other requests) waited for it. Measured beside a 100,000-character add:
- spaCy's first load: thinc imports torch where it is installed, one 200 ms C call (`torch._C`), and the
  model's vocabulary is 120 ms more;
- then every full garbage collection walks spaCy's and torch's ~230,000 objects: ~110 ms each;
- the parse itself, in 5 ms slices between the other threads' turns.
In a process of its own, none of that holds anything the caller needs; messages go there and facts,
entities and relations come back pickled (a few KB per message).

A worker starts on first use and serves one call at a time; a second starts only while the first is busy
(MAX_WORKERS), so that a short add does not wait behind a long message's parse. Idle workers stop at exit
(a busy one when its input closes, as when this process is killed); a forked child starts its own. Where none can
start (no `sys.executable`, as in some frozen apps), the caller parses in its own process.
Protocol: length-prefixed pickles, requests on the worker's stdin, replies on its stdout; the worker
sends its own prints to stderr.
"""

from __future__ import annotations

import atexit
import contextlib
import logging
import os
import pickle
import signal
import struct
import subprocess
import sys
import threading
import weakref
from pathlib import Path
from typing import IO, Any

from graphmem.errors import ExtractionError, GraphMemError
from graphmem.models import Extraction
from graphmem.pacing import Pacer, slices

logger = logging.getLogger(__name__)

_HEADER = struct.Struct("!Q")
_PACKAGE_ROOT = Path(__file__).resolve().parents[2]  # the directory holding `graphmem`, for the worker's path
_STOP_SECONDS = 5.0
HELLO_SECONDS = 60.0  # a new worker imports graphmem (~0.5 s; more on a loaded machine) before it says hello
_HELLO = "graphmem extraction worker"
_IN_PARTS = "an extraction in parts follows"
PART_SIZE = 256  # facts, entities or relations per part of a reply
MAX_WORKERS = 2  # a second starts only while the first is busy: a short add need not wait behind a long one
_no_worker = False  # one failed to start: this process parses itself from then on

_pool = threading.Condition()
_idle: list[_Worker] = []
_running = 0  # workers of this process, idle or busy
_all: weakref.WeakSet[_Worker] = weakref.WeakSet()  # idle or busy, to disown in a forked child
_disowned: list[_Worker] = []  # in a forked child: the parent's workers
_pid = os.getpid()


def call(method: str, *args: Any) -> tuple[bool, Any]:
    """(True, graphmem.ingest.offline.`method`(*args) as run by a worker), or (False, None) where no
    worker can start. Errors are raised here: graphmem's own as they are, others as ExtractionError."""
    worker = _take()
    if worker is None:
        return False, None
    try:
        ok, value = worker.ask((method, args))
    except (EOFError, OSError, pickle.UnpicklingError) as exc:
        _drop(worker)
        raise ExtractionError(f"the offline extractor's worker process stopped ({exc!r}); "
                              "the next call starts another") from exc
    except BaseException:
        _drop(worker)  # interrupted mid-conversation: what is left in its pipes is not known
        raise
    _give_back(worker)
    if not ok:
        raise value
    return True, value


def _take() -> _Worker | None:
    """An idle worker, a new one while fewer than MAX_WORKERS run, else the next to be given back;
    None where none can start."""
    global _running
    with _pool:
        while True:
            while _idle:
                worker = _idle.pop()
                if worker.process.poll() is None:
                    return worker
                worker.stop()  # it exited between calls (killed from outside)
                _running -= 1
            if _no_worker or not sys.executable:
                return None
            if _running < MAX_WORKERS:
                _running += 1
                break
            _pool.wait()
    return _start()


def _start() -> _Worker | None:
    global _running, _no_worker
    try:
        worker = _Worker()  # outside the pool's lock: it takes ~0.3 s
    except Exception as exc:  # no process (OSError), a bad path (ValueError), no thread (RuntimeError), ...
        logger.warning("the offline extractor parses in this process: no worker process (%s)", exc)
        with _pool:
            _running -= 1
            _no_worker = True
            _pool.notify_all()
        return None
    _all.add(worker)
    return worker


def _give_back(worker: _Worker) -> None:
    with _pool:
        if worker.pid == os.getpid():
            _idle.append(worker)
            _pool.notify()


def _drop(worker: _Worker) -> None:
    global _running
    worker.kill()
    with _pool:
        if worker.pid == os.getpid():
            _running -= 1
            _pool.notify()


def _after_fork() -> None:
    """In a forked child the workers are its parent's (their pipes, its conversations): start afresh.

    The child's copies of their pipes are closed, or a worker would outlive its parent for as long as the
    child lives (it exits when its input closes, and the child held it open)."""
    global _running, _pid, _pool
    if _pid == os.getpid():
        return
    for worker in list(_all):
        worker.disown()
        _disowned.append(worker)  # kept: freeing one mid-read (a call on another thread at the fork) would block
    _all.clear()
    _idle.clear()
    _running, _pid = 0, os.getpid()
    _pool = threading.Condition()  # forked while another thread held it: it would stay held here


if hasattr(os, "register_at_fork"):  # POSIX; Windows does not fork
    os.register_at_fork(after_in_child=_after_fork)


class _Worker:
    def __init__(self) -> None:
        path = os.pathsep.join(p for p in (str(_PACKAGE_ROOT), os.environ.get("PYTHONPATH")) if p)
        self.pid = os.getpid()
        self.process = subprocess.Popen(  # the same interpreter and graphmem as this process
            [sys.executable, "-c", "from graphmem.ingest.extract_worker import main; main()"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, env={**os.environ, "PYTHONPATH": path})
        if not self._greeted():  # `sys.executable` may be no Python at all (an embedding server's own binary)
            self.kill()
            raise OSError(f"{sys.executable} did not start graphmem's extraction worker")

    def _greeted(self) -> bool:
        """Whether it says hello within HELLO_SECONDS: a binary that is no Python may never answer, or exit."""
        said: list[Any] = []

        def listen() -> None:
            with contextlib.suppress(Exception):  # not a frame, or no more output: no hello
                assert self.process.stdout is not None
                said.append(read_frame(self.process.stdout))

        listener = threading.Thread(target=listen, name="graphmem-worker-hello", daemon=True)
        listener.start()
        listener.join(HELLO_SECONDS)
        return said == [_HELLO]

    def ask(self, request: Any) -> tuple[bool, Any]:
        assert self.process.stdin is not None and self.process.stdout is not None
        write_frame(self.process.stdin, request)
        reply: tuple[bool, Any] = read_frame(self.process.stdout)
        if reply == (True, _IN_PARTS):
            return True, _read_extraction(self.process.stdout)
        return reply

    def stop(self) -> None:
        """An idle worker: close its input (it exits at once), then wait; kill if it does not."""
        if self.process.stdin is not None:
            with contextlib.suppress(OSError):  # it is gone already
                self.process.stdin.close()
        try:
            self.process.wait(_STOP_SECONDS)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self._close_pipes()

    def kill(self) -> None:
        """A worker in an unknown state (mid-reply, or never answered): it may be blocked writing a reply
        nobody reads, and would never see its input close."""
        with contextlib.suppress(OSError):
            self.process.kill()
        self.process.wait()
        self._close_pipes()

    def _close_pipes(self) -> None:
        for pipe in (self.process.stdin, self.process.stdout):
            if pipe is not None:
                with contextlib.suppress(OSError):
                    pipe.close()

    def disown(self) -> None:
        """In a forked child: let go of this process's copies of the pipes (the worker keeps serving its
        parent, and exits when the parent closes its input) and never wait for it here. The descriptors are
        pointed at /dev/null rather than closed: the pipe objects close them again when they are freed."""
        devnull = os.open(os.devnull, os.O_RDWR)
        try:
            for pipe in (self.process.stdin, self.process.stdout):
                if pipe is not None:
                    with contextlib.suppress(OSError, ValueError):
                        os.dup2(devnull, pipe.fileno())
        finally:
            os.close(devnull)
        self.process.returncode = 0  # not this process's child: nothing to reap, nothing to warn about


@atexit.register
def _stop_at_exit() -> None:
    with _pool:
        stopping = list(_idle)
        _idle.clear()
    for worker in stopping:  # a busy one is its caller's: it ends when this process does (its input closes)
        worker.stop()


def _read_extraction(stream: IO[bytes]) -> Extraction:
    """An extraction sent in parts (see _send): unpickling 5,610 facts at once held the GIL for 130 ms."""
    parts: dict[str, list[Any]] = {"facts": [], "entities": [], "relations": []}
    pacer = Pacer()
    while (part := read_frame(stream))[0] is not None:
        parts[part[0]] += part[1]
        pacer.tick()
    return Extraction(**parts)


def write_frame(stream: IO[bytes], value: Any) -> None:
    data = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    stream.write(_HEADER.pack(len(data)))
    stream.write(data)
    stream.flush()


def read_frame(stream: IO[bytes]) -> Any:
    (size,) = _HEADER.unpack(_read_exactly(stream, _HEADER.size))
    return pickle.loads(_read_exactly(stream, size))


def _read_exactly(stream: IO[bytes], size: int) -> bytes:
    data = stream.read(size)
    if data is None or len(data) < size:
        raise EOFError("the stream ended")
    return data


# -- the worker's side ------------------------------------------------------------------------------------


def serve(requests: IO[bytes], replies: IO[bytes]) -> None:
    """Answer requests until the input ends."""
    from graphmem.ingest import offline

    methods = {"extract": offline.extract_here, "mentions": offline.mentions_here}
    write_frame(replies, _HELLO)
    while True:
        try:
            method, args = read_frame(requests)
        except EOFError:
            return
        try:
            reply: tuple[bool, Any] = (True, methods[method](*args))
        except Exception as exc:  # sent back to be raised by the caller
            reply = (False, _sendable(exc))
        _send(replies, reply)


def _send(replies: IO[bytes], reply: tuple[bool, Any]) -> None:
    """The reply; an extraction in parts of PART_SIZE items, which the caller unpickles one at a time."""
    value = reply[1]
    if not isinstance(value, Extraction):
        write_frame(replies, reply)
        return
    write_frame(replies, (True, _IN_PARTS))
    for name in ("facts", "entities", "relations"):
        for part in slices(getattr(value, name), PART_SIZE):
            write_frame(replies, (name, part))
    write_frame(replies, (None, []))


def _sendable(exc: Exception) -> GraphMemError:
    """graphmem's own error as it is (when it survives pickling), any other as an ExtractionError."""
    if isinstance(exc, GraphMemError):
        try:
            sent: GraphMemError = pickle.loads(pickle.dumps(exc))
            return sent
        except Exception:
            pass
    return foreign_error(exc)


def foreign_error(exc: Exception) -> ExtractionError:
    """An error of spaCy's, jieba's or Python's in parsing, as graphmem reports it (in a worker or not)."""
    return ExtractionError(f"the offline extractor failed: {type(exc).__name__}: {exc}")


def main() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the caller's to handle; it closes our input
    replies = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())  # a library's print() must not land in the replies
    from graphmem import pacing

    pacing.pause_never()  # nothing else runs in this process to give the GIL to
    with contextlib.suppress(BrokenPipeError):  # the caller is gone
        serve(sys.stdin.buffer, replies)
