"""The bundled model in its own process vs in the app's process: what isolation costs.

Same GGUF, prompt, schema and max tokens; greedy decoding (temperature 0) so both
produce the same tokens. Prints a table: start-up, time to the first delta,
tokens per second, and the child's throughput as a ratio of in-process.

    python scripts/bench_local.py [--runs 5] [--max-tokens 200]
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def request(max_tokens: int):
    from interview_corvus.core.config.settings import Settings
    from interview_corvus.core.providers.local import LocalProvider
    from interview_corvus.core.runs.service import LLMService

    provider = LocalProvider()
    service = LLMService(Settings(llm={"provider": "local", "max_tokens": max_tokens,
                                       "temperature": 0.0}), provider)
    code = (ROOT / "examples" / "two_sum.py").read_text()
    return provider, service.optimization_job(code, "python").request


def in_process(req, runs: int) -> dict[str, float]:
    from interview_corvus.core.providers.local import bundled_model_path
    from interview_corvus.core.providers.local_worker import load_model

    started = time.perf_counter()
    llm = load_model(bundled_model_path(), 4096)
    load = time.perf_counter() - started
    firsts, rates = [], []
    messages = [{"role": "system", "content": req.system}, {"role": "user", "content": req.prompt}]
    for _ in range(runs):
        t0 = time.perf_counter()
        first, count = None, 0
        for chunk in llm.create_chat_completion(
                messages, response_format={"type": "json_object", "schema": req.schema},
                stream=True, max_tokens=req.max_tokens, temperature=0.0, repeat_penalty=1.15):
            if chunk["choices"][0]["delta"].get("content"):
                count += 1
                first = first or time.perf_counter() - t0
        total = time.perf_counter() - t0
        firsts.append(first or total)
        rates.append(count / max(1e-9, total - (first or 0)))
    llm.close()
    return {"load_s": load, "first_ms": statistics.median(firsts) * 1000,
            "tokens_s": statistics.median(rates)}


def child(provider, req, runs: int) -> dict[str, float]:
    from interview_corvus.core.providers.base import StreamInfo
    from interview_corvus.core.providers.local import model_process

    started = time.perf_counter()
    model_process(provider.path, provider.n_ctx)
    load = time.perf_counter() - started
    firsts, rates = [], []
    for _ in range(runs):
        t0 = time.perf_counter()
        first, count = None, 0
        for _delta in provider.stream(req, StreamInfo()):
            count += 1
            first = first or time.perf_counter() - t0
        total = time.perf_counter() - t0
        firsts.append(first or total)
        rates.append(count / max(1e-9, total - (first or 0)))
    return {"load_s": load, "first_ms": statistics.median(firsts) * 1000,
            "tokens_s": statistics.median(rates)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--max-tokens", type=int, default=200)
    args = parser.parse_args()
    provider, req = request(args.max_tokens)
    inside = in_process(req, args.runs)
    apart = child(provider, req, args.runs)
    print(f"{'':24} {'start-up s':>11} {'first delta ms':>15} {'tokens/s':>9}")
    for name, row in (("in the app's process", inside), ("own process (shipped)", apart)):
        print(f"{name:24} {row['load_s']:>11.2f} {row['first_ms']:>15.1f} "
              f"{row['tokens_s']:>9.1f}")
    print(f"throughput ratio own/in-process: {apart['tokens_s'] / inside['tokens_s']:.3f}; "
          f"first-delta ratio: {apart['first_ms'] / inside['first_ms']:.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
