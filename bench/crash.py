"""Crash safety, longer: `--kills` abnormal exits (SIGKILL from outside, or `os._exit` from a timer thread inside
the writer, alternately) during mixed add/update/delete, the store reopened and checked after each (see
tests/reliability/test_crash.py, which runs a few SIGKILLs in CI).

    python bench/crash.py [--kills 40] [--seed 21] [--checkpoint 1]

Prints how many exits ran and each failed check (none: every returned call held, nothing half-written).
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import tempfile
import time
import traceback
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests" / "reliability"))
from test_crash import WORKERS, check, kill_while_writing, lines


def exit_inside(db: Path, log: Path, seed: int, delay: float) -> None:
    """A writer that ends itself with os._exit after `delay` seconds (no close, no flush of Kuzu's state)."""
    done = subprocess.run([sys.executable, str(WORKERS), "mixed_writes", str(db), str(log), str(seed), str(delay)],
                          capture_output=True, text=True, timeout=300)
    if done.returncode != 0:
        raise AssertionError(f"the writer failed: {done.stderr[-2000:]}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--kills", type=int, default=40)
    parser.add_argument("--seed", type=int, default=21)
    parser.add_argument("--checkpoint", type=int, default=0,
                        help="the writers' checkpoint_threshold in bytes (1: a checkpoint after every commit)")
    args = parser.parse_args()
    if args.checkpoint:
        os.environ["GRAPHMEM_CRASH_CHECKPOINT"] = str(args.checkpoint)  # read by the child writers only
    rng = random.Random(args.seed)
    root = Path(tempfile.mkdtemp())
    db, log = root / "db", root / "calls.jsonl"
    failures = 0
    began = time.monotonic()
    for exit_no in range(args.kills):
        how = "SIGKILL" if exit_no % 2 == 0 else "os._exit"
        if how == "SIGKILL":
            kill_while_writing(db, log, 1000 + exit_no, after=rng.randint(3, 30))
        else:
            exit_inside(db, log, 1000 + exit_no, delay=1.5 + rng.random() * 2)
        try:
            check(db, log)
        except AssertionError as exc:
            failures += 1
            print(f"exit {exit_no} ({how}): {exc!r} {traceback.format_exc().splitlines()[-3:]}")
    calls = sum(1 for e in lines(log) if e["phase"] == "done")
    print(f"{args.kills} abnormal exits, {calls} returned calls, {failures} failed checks, "
          f"{time.monotonic() - began:.0f} s")


if __name__ == "__main__":
    main()
