"""The `graphmem` command: demo, add, search, get-all, cypher.

    graphmem demo                                   # a short conversation in a throw-away store
    graphmem add "I love pizza" --user alex
    graphmem search "food" --user alex
    graphmem get-all --user alex
    graphmem cypher "MATCH (e:Entity) RETURN e.name LIMIT 5"   # read-only exploration of the store

`--db PATH` (or GRAPHMEM_DIR) chooses the Kuzu directory; `--config FILE` takes a JSON config.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path
from typing import Any

from graphmem.errors import GraphMemError

DEMO_CONVERSATION = [
    {"role": "user", "content": "Hi, I'm Alex. I'm a vegetarian and I love pizza, but I hate broccoli."},
    {"role": "assistant", "content": "Nice to meet you, Alex! I'll remember your food preferences."},
    {"role": "user", "content": "John works at OpenAI and is friends with Sarah."},
    {"role": "user", "content": "Sarah lives in Berlin and plays the violin."},
]
DEMO_QUERIES = ["food preferences", "Who does John work with?", "Where does Sarah live?"]


def _config(args: argparse.Namespace) -> dict[str, Any]:
    config: dict[str, Any] = json.loads(Path(args.config).read_text("utf-8")) if args.config else {}
    if args.db:
        config["graph_store"] = {"provider": "kuzu", "config": {"db": args.db}}
    return config


def _print(value: Any) -> None:
    print(json.dumps(value, indent=2, ensure_ascii=False, default=str))




def run_demo(args: argparse.Namespace) -> None:
    from graphmem import Memory

    with tempfile.TemporaryDirectory(prefix="graphmem-demo-") as folder:
        config = _config(args)
        config.setdefault("graph_store", {"provider": "kuzu", "config": {"db": str(Path(folder) / "db")}})
        with Memory(config) as memory:
            print("Adding a short conversation for user 'alex'...")
            added = memory.add(DEMO_CONVERSATION, user_id="alex")
            for item in added["results"]:
                print(f"  + {item['memory']}")
            for rel in added["relations"]["added_entities"]:
                print(f"  ~ ({rel['source']}) -[{rel['relationship']}]-> ({rel['target']})")
            for query in DEMO_QUERIES:
                found = memory.search(query, user_id="alex", limit=3)
                print(f"\nsearch({query!r}):")
                for item in found["results"]:
                    print(f"  {item['score']:.3f}  {item['memory']}")
                for rel in found["relations"][:5]:
                    print(f"  relation: ({rel['source']}) -[{rel['relationship']}]-> ({rel['target']})"
                          f"  score={rel['score']:.3f} hops={rel['hops']}")


def run_command(args: argparse.Namespace) -> None:
    from graphmem import Memory

    with Memory(_config(args)) as memory:
        if args.command == "add":
            _print(memory.add(args.text, user_id=args.user, agent_id=args.agent, run_id=args.run,
                              infer=not args.no_infer, timestamp=args.timestamp))
        elif args.command == "search":
            _print(memory.search(args.query, user_id=args.user, agent_id=args.agent, run_id=args.run,
                                 limit=args.limit))
        elif args.command == "get-all":
            _print(memory.get_all(user_id=args.user, agent_id=args.agent, run_id=args.run, limit=args.limit))


def run_cypher(args: argparse.Namespace) -> None:
    """Run one read query against the Kuzu store (opened read-only: exploration cannot change it)."""
    import kuzu

    from graphmem.config import KuzuConfig, MemoryConfig

    config = MemoryConfig.parse(_config(args))
    path = config.graph_store.config.db if isinstance(config.graph_store.config, KuzuConfig) else KuzuConfig().db
    database = kuzu.Database(str(Path(path).expanduser()), read_only=True)
    try:
        result = kuzu.Connection(database).execute(args.query, json.loads(args.params) if args.params else {})
        results = result if isinstance(result, list) else [result]
        for item in results:
            columns = item.get_column_names()
            _print([dict(zip(columns, row, strict=True)) for row in item.get_all()])
    finally:
        database.close()


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="graphmem", description="Graph-first memory for AI agents.")
    parser.add_argument("--db", help="Kuzu database directory (default ~/.graphmem/kuzu)")
    parser.add_argument("--config", help="JSON file with a Memory config")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("demo", help="add a short conversation to a throw-away store and search it")
    for name, arg in (("add", "text"), ("search", "query"), ("get-all", None)):
        cmd = sub.add_parser(name)
        if arg:
            cmd.add_argument(arg)
        cmd.add_argument("--user")
        cmd.add_argument("--agent")
        cmd.add_argument("--run")
        cmd.add_argument("--limit", type=int, default=10)
        cmd.add_argument("--no-infer", action="store_true", help="store the text as it is")
        if name == "add":
            cmd.add_argument("--timestamp", help="when it was said (ISO-8601; default now)")
    cypher = sub.add_parser("cypher", help="run a read-only Cypher query on the Kuzu store")
    cypher.add_argument("query")
    cypher.add_argument("--params", help="JSON object of query parameters")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        if args.command == "demo":
            run_demo(args)
        elif args.command == "cypher":
            run_cypher(args)
        else:
            run_command(args)
    except GraphMemError as exc:
        print(f"graphmem: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
