"""REST against in-process: search and add latency of `graphmem serve` (a uvicorn subprocess on 127.0.0.1,
a key from `graphmem keys create`, keep-alive httpx) against AsyncMemory in this process, one run.

    python bench/rest_latency.py [--memories 300] [--queries 60] [--adds 40] [--embedder hash|local] [--json F]

Both stores get the same memories (infer=False) and answer the same queries; the difference of the p50s
is what the HTTP layer costs (JSON, auth, tenancy, uvicorn). Nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

TOPICS = ["pizza", "Paris", "tennis", "Python", "jazz", "sushi", "Berlin", "chess", "hiking", "coffee"]
VERBS = ["loves", "visited", "plays", "learns", "hates", "cooks", "moved to", "watches", "teaches", "collects"]


def sentences(count: int) -> list[str]:
    return [f"Person{i % 37} {VERBS[i % len(VERBS)]} {TOPICS[(i * 7) % len(TOPICS)]} in week {i}" for i in range(count)]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def summary(values: list[float]) -> dict[str, float]:
    return {"p50_ms": round(statistics.median(values) * 1000, 2), "p95_ms": round(percentile(values, 0.95) * 1000, 2),
            "n": len(values)}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def config_file(folder: Path, embedder: str) -> Path:
    path = folder / "config.json"
    path.write_text(json.dumps({"embedder": {"provider": embedder}}), "utf-8")
    return path


def start_server(folder: Path, config: Path, port: int) -> tuple[subprocess.Popen[bytes], str]:
    cli = [sys.executable, "-m", "graphmem.cli", "--db", str(folder / "rest-db"), "--config", str(config)]
    made = subprocess.run([*cli, "keys", "create", "--org", "bench", "--project", "p1", "--json"],
                          capture_output=True, text=True, check=True)
    key = json.loads(made.stdout)["key"]
    server = subprocess.Popen([*cli, "serve", "--port", str(port)], stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    return server, key


def wait_ready(url: str, seconds: float = 120) -> None:
    import httpx

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if httpx.get(url + "/ready", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise RuntimeError("the server did not become ready")


async def measure(folder: Path, embedder: str, url: str, key: str, texts: list[str], queries: list[str],
                  adds: list[str]) -> dict[str, Any]:
    """Each query (and each add) in-process, then over REST, one after the other: the machine's load at that
    moment weighs on both alike."""
    import httpx

    from graphmem import AsyncMemory

    memory = AsyncMemory({"graph_store": {"provider": "kuzu", "config": {"db": str(folder / "local-db")}},
                          "embedder": {"provider": embedder}})
    headers = {"Authorization": f"Token {key}"}
    timings: dict[str, list[float]] = {"local_search": [], "rest_search": [], "local_add": [], "rest_add": []}
    try:
        async with httpx.AsyncClient(base_url=url, headers=headers, timeout=300) as http:
            said = [{"role": "user", "content": t} for t in texts]
            await memory.add(said, user_id="u", infer=False)
            (await http.post("/v3/memories/add/", json={"messages": said, "user_id": "u", "infer": False}
                             )).raise_for_status()
            for round_ in range(-5, len(queries)):  # five rounds of warm-up: the scope's RAM index, the embedder
                query = queries[max(round_, 0)]
                started = time.perf_counter()
                await memory.search(query, user_id="u", limit=10)
                middle = time.perf_counter()
                (await http.post("/v3/memories/search/", json={"query": query, "filters": {"user_id": "u"},
                                                              "top_k": 10})).raise_for_status()
                if round_ >= 0:
                    timings["local_search"].append(middle - started)
                    timings["rest_search"].append(time.perf_counter() - middle)
            for text in adds[:3]:  # warm-up of the add path (the local model's batch session, the linker)
                await memory.add("warm-up " + text, user_id="w", infer=False)
                await http.post("/v3/memories/add/", json={"messages": "warm-up " + text, "user_id": "w",
                                                           "infer": False})
            for text in adds:
                started = time.perf_counter()
                await memory.add(text, user_id="u", infer=False)
                middle = time.perf_counter()
                (await http.post("/v3/memories/add/", json={"messages": text, "user_id": "u", "infer": False}
                                 )).raise_for_status()
                timings["local_add"].append(middle - started)
                timings["rest_add"].append(time.perf_counter() - middle)
    finally:
        await memory.close()
    return {"in_process": {"search": summary(timings["local_search"]), "add": summary(timings["local_add"])},
            "rest": {"search": summary(timings["rest_search"]), "add": summary(timings["rest_add"])}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--memories", type=int, default=300)
    parser.add_argument("--queries", type=int, default=60)
    parser.add_argument("--adds", type=int, default=40)
    parser.add_argument("--embedder", default="hash", choices=["hash", "local"])
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    texts = sentences(args.memories)
    queries = [f"who {VERBS[i % len(VERBS)]} {TOPICS[i % len(TOPICS)]}" for i in range(args.queries)]
    adds = [f"New fact number {i} about {TOPICS[i % len(TOPICS)]}" for i in range(args.adds)]
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        port = free_port()
        server, key = start_server(folder, config_file(folder, args.embedder), port)
        try:
            url = f"http://127.0.0.1:{port}"
            wait_ready(url)
            measured = asyncio.run(measure(folder, args.embedder, url, key, texts, queries, adds))
        finally:
            server.terminate()
            server.wait(timeout=60)
    rest, local = measured["rest"], measured["in_process"]
    result = {"embedder": args.embedder, "memories": args.memories, "rest": rest, "in_process": local,
              "search_overhead_p50_ms": round(rest["search"]["p50_ms"] - local["search"]["p50_ms"], 2),
              "add_overhead_p50_ms": round(rest["add"]["p50_ms"] - local["add"]["p50_ms"], 2),
              "cpus": os.cpu_count(), "loadavg_1m": round(os.getloadavg()[0], 2)}
    print(f"{'':12}{'search p50':>12}{'search p95':>12}{'add p50':>10}{'add p95':>10}  (ms)")
    for name, part in (("in-process", local), ("REST", rest)):
        print(f"{name:12}{part['search']['p50_ms']:>12}{part['search']['p95_ms']:>12}"
              f"{part['add']['p50_ms']:>10}{part['add']['p95_ms']:>10}")
    print(f"REST overhead p50: search {result['search_overhead_p50_ms']} ms, add {result['add_overhead_p50_ms']} ms")
    if args.json:
        args.json.write_text(json.dumps(result, indent=2), "utf-8")


if __name__ == "__main__":
    main()
