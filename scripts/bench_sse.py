"""Benchmark: many concurrent SSE clients of the embedded server.

1, 10, 50 and 100 clients each start a run (POST /optimize-stream) on the replay
provider streaming about 100 deltas per second. Each delta carries the time it
left the provider (a ``<monotonic_ns>`` marker inside ``optimized_code``); a
client reads the newest marker of every event it receives, so latency is the age
of the freshest data at the moment a client gets it. The server runs in its own
process, so its CPU time is measured alone.

Reports p50/p99 latency, server CPU (% of one core), and bytes received per
client relative to the final JSON size, in snapshot mode and in delta mode;
``--heap both`` also compares the settled heap of ``corvus serve`` (start-up objects
frozen out of the collector's walks) with a plain one.

    python scripts/bench_sse.py            # all rows
    python scripts/bench_sse.py --seconds 2 --clients 1,10
    python scripts/bench_sse.py --clients 50 --heap both
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx

TAIL = {"improvements": ["Streams of timestamps."], "original_time_complexity": "O(n)",
        "optimized_time_complexity": "O(n)", "original_space_complexity": "O(1)",
        "optimized_space_complexity": "O(1)", "explanation": "Benchmark answer."}


def serve(port: int, deltas: int, rate: float, settled: bool) -> None:
    """The server process: EmbeddedServer over a timestamping replay provider."""
    from interview_corvus.api.server import EmbeddedServer
    from interview_corvus.core.config.settings import Settings
    from interview_corvus.core.providers.base import AnswerRequest, StreamInfo
    from interview_corvus.core.providers.replay import ReplayProvider
    from interview_corvus.core.runs.hub import RunHub
    from interview_corvus.core.runs.service import LLMService

    class StampedReplay(ReplayProvider):
        """Replays ``deltas`` pieces at ``rate`` per second, each stamped when it leaves."""

        def stream(self, request: AnswerRequest, info: StreamInfo) -> Iterator[str]:
            return self._stamped(info)

        def _stamped(self, info: StreamInfo) -> Iterator[str]:
            yield '{"optimized_code": "'
            start = time.monotonic()
            for index in range(deltas):
                delay = start + index / rate - time.monotonic()
                if delay > 0 and info.aborted.wait(delay):
                    return
                yield f"<{time.monotonic_ns()}>"
            yield '", ' + json.dumps(TAIL)[1:]
            info.finish_reason = "stop"

    provider = StampedReplay([], model="stamped-replay")
    service = LLMService(Settings(llm={"provider": "replay"}), provider)
    hub = RunHub(service, None, remote_concurrency=256)
    if settled:  # as `corvus serve` does
        from interview_corvus.core.config.heap import settle

        settle()
    server = EmbeddedServer(hub, port=port, rate_per_minute=10_000_000).start()
    sys.stdout.write("ready\n")
    sys.stdout.flush()
    sys.stdin.read()  # until the parent closes our stdin
    server.stop()


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def client(base: str, delta: bool, latencies: list[float], every: list[float],
                 http: httpx.AsyncClient) -> tuple[int, int]:
    """Run one stream; return (bytes received, final JSON size).

    ``latencies``: age of the newest delta in each event (how fresh the view is);
    ``every``: for every delta, the time from leaving the provider to arriving here
    (includes the coalescing wait of the older deltas in an event)."""
    received = 0
    seen = 0
    final_size = 0
    code = ""
    buffer = b""
    path = "/optimize-stream" + ("?delta=1" if delta else "")
    body = {"code": "def f(): pass", "language": "python"}
    async with http.stream("POST", base + path, json=body) as response:
        async for chunk in response.aiter_bytes():
            now = time.monotonic_ns()
            received += len(chunk)
            buffer += chunk
            while b"\n\n" in buffer:
                block, buffer = buffer.split(b"\n\n", 1)
                for line in block.split(b"\n"):
                    if not line.startswith(b"data:"):
                        continue
                    event = json.loads(line[5:])
                    if event["type"] == "done":
                        final_size = len(json.dumps(event["data"], separators=(",", ":")))
                        code = event["data"]["optimized_code"]
                    elif event["type"] == "partial":
                        if "data" in event:
                            code = event["data"]["optimized_code"]
                        else:
                            for patch in event["patch"]:
                                if patch["path"] == ["optimized_code"]:
                                    code = (code + patch["value"] if patch["op"] == "append"
                                            else patch["value"])
                    else:
                        continue
                    stamps = [int(m) for m in code[seen:].replace(">", "").split("<")[1:]
                              if m.isdigit()]
                    seen = code.rfind(">") + 1
                    every.extend((now - stamp) / 1e6 for stamp in stamps)
                    if stamps:
                        latencies.append((now - stamps[-1]) / 1e6)
    return received, final_size


async def scenario(base: str, clients: int, delta: bool
                   ) -> tuple[list[float], list[float], list[int], int]:
    latencies: list[float] = []
    every: list[float] = []
    limits = httpx.Limits(max_connections=clients + 10, max_keepalive_connections=0)
    async with httpx.AsyncClient(limits=limits, timeout=60) as http:
        results = await asyncio.gather(*(client(base, delta, latencies, every, http)
                                         for _ in range(clients)))
    return latencies, every, [r[0] for r in results], max(r[1] for r in results)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=3.0, help="stream length (default 3)")
    parser.add_argument("--rate", type=float, default=100.0, help="deltas per second")
    parser.add_argument("--clients", default="1,10,50,100")
    parser.add_argument("--heap", default="settled",
                        help="settled (as corvus serve: gc frozen after start-up), plain, "
                             "or both, compared in one run")
    parser.add_argument("--serve", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    deltas = int(args.seconds * args.rate)
    if args.serve is not None:
        serve(args.serve, deltas, args.rate, args.heap == "settled")
        return
    heaps = ["settled", "plain"] if args.heap == "both" else [args.heap]
    print(f"{deltas} deltas at {args.rate:.0f}/s per client "
          f"({args.seconds:.1f} s streams), server in its own process")
    print("fresh = age of the newest delta in each event; every = each delta's own "
          "delay (coalescing wait included)")
    print(f"{'heap':<8}{'mode':<9}{'clients':>8}{'fresh p50':>10}{'p99 ms':>8}"
          f"{'every p50':>10}{'p99 ms':>8}{'server CPU':>12}{'bytes/client':>14}"
          f"{'× final':>9}")
    for heap in heaps:
        port = free_port()
        proc = subprocess.Popen([sys.executable, __file__, "--serve", str(port), "--seconds",
                                 str(args.seconds), "--rate", str(args.rate), "--heap", heap],
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        try:
            assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
            base = f"http://127.0.0.1:{port}"
            for mode in ("snapshot", "delta"):
                for clients in (int(c) for c in args.clients.split(",")):
                    cpu0, wall0 = cpu_seconds(proc.pid), time.monotonic()
                    latencies, every, sizes, final = asyncio.run(
                        scenario(base, clients, mode == "delta"))
                    cpu = (cpu_seconds(proc.pid) - cpu0) / (time.monotonic() - wall0)
                    per_client = sum(sizes) / len(sizes)
                    print(f"{heap:<8}{mode:<9}{clients:>8}{percentile(latencies, 0.5):10.1f}"
                          f"{percentile(latencies, 0.99):8.1f}{percentile(every, 0.5):10.1f}"
                          f"{percentile(every, 0.99):8.1f}{cpu * 100:11.0f}%"
                          f"{per_client:14.0f}{per_client / final:9.2f}")
        finally:
            if proc.stdin is not None:
                proc.stdin.close()
            proc.wait(15)

if __name__ == "__main__":
    main()
