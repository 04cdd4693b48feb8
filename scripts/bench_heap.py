"""Benchmark: the stop-the-world pause of a full garbage collection, plain vs settled.

A full (generation 2) collection walks every object the collector tracks; after
start-up most of them are modules, classes, routes and schemas that never die. The app
and ``corvus serve`` call ``core.config.heap.settle()`` once start-up is over (collect,
then ``gc.freeze``), so later full collections skip them. For each kind of process —
the HTTP server (``corvus serve``) and the desktop app with its embedded server — this
starts a fresh process, builds it as the real entry point does, and times full
collections before and after settling. A full collection can come at any allocation,
so its pause lands on whatever is running: an SSE stream's next event, the window's
next paint.

    python scripts/bench_heap.py [--rounds 9]
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def build(kind: str) -> object:
    """What the entry point builds for ``kind``, kept alive by the return value."""
    from interview_corvus.core.config.settings import Settings
    from interview_corvus.core.providers.replay import ReplayProvider
    from interview_corvus.core.runs.hub import RunHub
    from interview_corvus.core.runs.service import LLMService

    settings = Settings(llm={"provider": "replay"})
    if kind == "server":
        from interview_corvus.api.app import create_app

        hub = RunHub(LLMService(settings, ReplayProvider([], model="r")), None)
        return hub, create_app(hub)
    from PyQt6.QtWidgets import QApplication

    from interview_corvus.api.app import create_app
    from interview_corvus.ui.app import CorvusApp

    app = QApplication([])
    corvus = CorvusApp(app, settings, history=None, tray=False)
    corvus.window.show()
    app.processEvents()
    return app, corvus, create_app(corvus.hub)


def measure(kind: str, rounds: int) -> dict[str, float]:
    from interview_corvus.core.config.heap import settle

    kept = build(kind)

    def pauses() -> list[float]:
        out = []
        for _ in range(rounds):
            started = time.perf_counter()
            gc.collect(2)
            out.append((time.perf_counter() - started) * 1000)
        return out

    tracked = len(gc.get_objects())
    plain = pauses()
    frozen = settle()
    settled = pauses()
    del kept
    return {"tracked": tracked, "frozen": frozen,
            "plain_p50": statistics.median(plain), "plain_max": max(plain),
            "settled_p50": statistics.median(settled), "settled_max": max(settled)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=9)
    parser.add_argument("--measure", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        sys.stdout.write(json.dumps(measure(args.measure, args.rounds)) + "\n")
        return
    print(f"full (generation 2) collection, {args.rounds} rounds each, a fresh process per row")
    print(f"{'process':<10}{'objects':>9}{'plain p50 ms':>14}{'max ms':>8}"
          f"{'settled p50 µs':>16}{'max µs':>8}{'ratio p50':>11}")
    env = {**os.environ, "INTERVIEW_CORVUS_CONFIG_DIR": tempfile.mkdtemp(),
           "INTERVIEW_CORVUS_DATA_DIR": tempfile.mkdtemp()}
    for kind in ("server", "desktop"):
        done = subprocess.run([sys.executable, __file__, "--measure", kind, "--rounds",
                               str(args.rounds)], capture_output=True, text=True, env=env,
                              check=True)
        row = json.loads(done.stdout.strip().splitlines()[-1])
        ratio = row["plain_p50"] / max(row["settled_p50"], 1e-6)
        print(f"{kind:<10}{row['tracked']:>9}{row['plain_p50']:14.1f}{row['plain_max']:8.1f}"
              f"{row['settled_p50'] * 1000:16.1f}{row['settled_max'] * 1000:8.1f}"
              f"{ratio:10.0f}x")


if __name__ == "__main__":
    main()
