"""Answer quality on small optimization tasks, through the real CLI.

Each task (scripts/quality/tasks.toml) is correct but slow code with cases on which
the optimized code must behave as the original does. For every configuration this
runs ``corvus optimize FILE --json …``, then checks the answer's code in a child
process (python -I, or node) and compares its stated time complexity with the
optimal ones. Prints one row per configuration: valid answers, code that passes the
check, complexity right, median and p90 seconds per answer.

    python scripts/bench_quality.py                          # the default local model
    python scripts/bench_quality.py --config smollm2="--local-model smollm2-135m" \
        --config coder="--local-model qwen2.5-coder-1.5b"
"""

from __future__ import annotations

import argparse
import json
import re
import shlex
import shutil
import statistics
import subprocess
import sys
import time
import tomllib
from pathlib import Path

HERE = Path(__file__).resolve().parent
TASKS = HERE / "quality"
CORVUS = [sys.executable, "-m", "interview_corvus.cli"]


def load_tasks() -> list[dict]:
    tasks = tomllib.loads((TASKS / "tasks.toml").read_text())["task"]
    for task in tasks:
        task["path"] = (TASKS / task["file"]).resolve()
    return tasks


def complexity_key(text: str) -> str:
    """``O(n log n)``, ``O(N*log(N))`` and ``O(n logn)`` all become ``o(nlogn)``."""
    text = text.strip().lower().replace("²", "^2").replace("**", "^")
    text = re.sub(r"[\s*·⋅]", "", text)
    text = text.replace("log(n)", "logn").replace("θ", "o").replace("big-o", "")
    return text.split("—")[0].split(",")[0].rstrip(".")


def check(task: dict, code: str) -> tuple[bool, str]:
    """Whether ``code`` behaves as the task's original on every case."""
    js = task["path"].suffix == ".js"
    if js and not shutil.which("node"):
        return False, "node is not installed"
    job = {"original": task["path"].read_text(), "candidate": code,
           "function": task["function"], "cases": task["cases"]}
    runner = (["node", str(TASKS / "check.js")] if js
              else [sys.executable, "-I", str(TASKS / "check.py")])
    try:
        done = subprocess.run(runner, input=json.dumps(job), capture_output=True, text=True,
                              timeout=20, cwd=TASKS)
        verdict = json.loads(done.stdout.strip().splitlines()[-1])
    except subprocess.TimeoutExpired:
        return False, "timed out"
    except (ValueError, IndexError):
        return False, f"the check crashed: {done.stderr.strip()[-200:]}"
    return bool(verdict.get("ok")), str(verdict.get("why", ""))


def run_task(task: dict, flags: list[str], timeout: float) -> dict:
    started = time.perf_counter()
    try:
        done = subprocess.run([*CORVUS, "optimize", str(task["path"]), "--json", *flags],
                              capture_output=True, text=True, timeout=timeout)
        output = done.stdout
    except subprocess.TimeoutExpired as exc:
        output = exc.stdout.decode() if isinstance(exc.stdout, bytes) else (exc.stdout or "")
    seconds = time.perf_counter() - started
    events = [json.loads(line) for line in output.splitlines() if line.startswith("{")]
    last = events[-1] if events else {"type": "none"}
    row = {"task": task["path"].name, "seconds": seconds, "valid": last["type"] == "done",
           "correct": False, "complexity": False, "why": "", "stated": ""}
    if not row["valid"]:
        row["why"] = str(last.get("error", {}).get("message", "no answer"))[:200]
        return row
    answer = last["data"]
    row["code"] = answer.get("optimized_code", "")
    row["correct"], row["why"] = check(task, row["code"])
    row["stated"] = answer.get("optimized_time_complexity", "")
    row["complexity"] = complexity_key(row["stated"]) in {complexity_key(t) for t in task["time"]}
    row["verification"] = answer.get("verification")
    row["repaired"] = bool(last.get("repaired"))
    return row


def summary(name: str, rows: list[dict]) -> dict:
    """One row of the table: counts, and median and p90 seconds per answer."""
    seconds = sorted(r["seconds"] for r in rows)
    checked = [r.get("verification") or {} for r in rows]
    return {"config": name, "tasks": len(rows), "valid": sum(r["valid"] for r in rows),
            "correct": sum(r["correct"] for r in rows),
            "complexity": sum(r["complexity"] for r in rows),
            "verified": sum(v.get("status") == "verified" for v in checked),
            "repaired": sum(bool(v.get("repaired")) and r["correct"]
                            for v, r in zip(checked, rows, strict=True)),
            "checked": any(checked),
            "median": statistics.median(seconds),
            "p90": seconds[min(len(seconds) - 1, int(0.9 * len(seconds)))]}


def print_table(table: list[dict]) -> None:
    def share(count: int, n: int) -> str:
        return f"{count} ({count / n:.0%})"

    print(f"{'config':20} {'tasks':>5} {'valid':>6} {'correct code':>13} "
          f"{'complexity right':>17} {'verified':>9} {'correct after repair':>21} "
          f"{'median s':>9} {'p90 s':>7}")
    for row in table:
        n = row["tasks"]
        verified = share(row["verified"], n) if row["checked"] else "-"
        repaired = str(row["repaired"]) if row["checked"] else "-"
        print(f"{row['config']:20} {n:>5} {row['valid']:>6} {share(row['correct'], n):>13} "
              f"{share(row['complexity'], n):>17} {verified:>9} {repaired:>21} "
              f"{row['median']:>9.1f} {row['p90']:>7.1f}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--config", action="append", default=[], metavar="NAME=FLAGS",
                        help="a configuration: its name and the corvus flags it adds")
    parser.add_argument("--tasks", type=int, default=0, help="only the first N tasks")
    parser.add_argument("--only", default="", help="only tasks whose file contains this")
    parser.add_argument("--timeout", type=float, default=400.0, help="seconds per answer")
    parser.add_argument("--out", type=Path, help="write every row as JSON lines here")
    parser.add_argument("--table", type=Path, metavar="ROWS",
                        help="only print the table of rows written earlier with --out")
    args = parser.parse_args()
    if args.table:
        rows = [json.loads(line) for line in args.table.read_text().splitlines() if line]
        names = list(dict.fromkeys(r["config"] for r in rows))
        print_table([summary(n, [r for r in rows if r["config"] == n]) for n in names])
        return 0
    tasks = [t for t in load_tasks() if args.only in t["file"]]
    tasks = tasks[:args.tasks] if args.tasks else tasks
    configs = [c.split("=", 1) for c in args.config] or [["default", ""]]
    table = []
    for name, flags in configs:
        rows = []
        for task in tasks:
            row = run_task(task, shlex.split(flags), args.timeout)
            row["config"] = name
            rows.append(row)
            mark = "ok " if row["correct"] else "BAD"
            print(f"  {name:14} {mark} {row['task']:32} {row['seconds']:6.1f} s  "
                  f"{row['stated']!r:14} {row['why'][:90]}", file=sys.stderr, flush=True)
            if args.out:
                with args.out.open("a") as out:
                    out.write(json.dumps(row) + "\n")
        table.append(summary(name, rows))
    print_table(table)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
