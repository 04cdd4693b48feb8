"""Where the local model's time goes: each decoding option on the default model, one run.

For the default local model (the best catalog model installed; ``--local-model`` or
``--gguf`` for another) and the answer to ``examples/two_sum.py``, each option runs a
warm-up, then ``--runs`` timed answers through the real service and model process:

* ``grammar``: llama.cpp's JSON-schema grammar filtering the vocabulary at every token
  (what shipped first);
* ``resample`` (the default for catalog coder models): the code in a Markdown fence,
  then JSON; each token sampled freely and checked against the grammar, the vocabulary
  filtered only when it is rejected (``local_grammar``); column "rejected" counts those;
* ``free``: no grammar; the answer's start (``{"first_field": "``) is prefilled and the
  incremental parser, validation and self-repair handle an invalid answer.

Columns: first partial (warm; the first partial model with text in a field), prompt
tokens evaluated per warm run (each run's input is new; the shared system/task prefix
is kept by llama.cpp between runs, so only the input is evaluated), prompt tokens/s,
generation tokens/s,
tokens per answer, total seconds per answer; then each option's generation rate as a
ratio of the free one's. Greedy decoding (temperature 0).

    python scripts/bench_local.py [--runs 3] [--local-model NAME | --gguf PATH]
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def one_answer(service, code: str) -> dict[str, float]:
    from interview_corvus.core.providers.local import model_process

    provider = service.provider
    started = time.perf_counter()
    first = None
    for partial in service.get_code_optimization_stream(code, "python"):
        if first is None and any((isinstance(v, str) and v) or (isinstance(v, list) and v)
                                 for k, v in partial.model_dump().items()
                                 if k in type(partial).answer_fields()):
            first = time.perf_counter() - started
    total = time.perf_counter() - started
    end = model_process(provider.path, provider.n_ctx).last_end
    prompt_s = max(float(end.get("first_token_s", 0.0)), 1e-9)
    return {"first_s": first or total, "total_s": total,
            "prompt_tokens": float(end.get("prompt_tokens", 0)),
            "prompt_rate": float(end.get("prompt_tokens", 0)) / prompt_s,
            "tokens": float(end.get("output_tokens", 0)),
            "rejected": float(end.get("grammar_rejected", 0)),
            "rate": float(end.get("tokens_per_s", 0.0))}


def measure(decoding: str, args: argparse.Namespace, code: str) -> dict[str, float]:
    from interview_corvus.core.config.settings import Settings
    from interview_corvus.core.runs.service import LLMService

    llm = {"provider": "local", "temperature": 0.0, "local_decoding": decoding,
           "local_model": args.local_model or "", "gguf_path": args.gguf or "",
           "self_repair": False}
    service = LLMService(Settings(llm=llm))
    service.provider.prepare()
    one_answer(service, code.replace("two_sum", "pair_sum"))  # warm-up: load, shared prefix
    # a new input each run (as a user's next question): only it is evaluated, not the
    # system prompt, task and field list before it
    rows = [one_answer(service, code.replace("two_sum", f"two_sum_{decoding}_{run}"))
            for run in range(args.runs)]
    return {key: statistics.median(row[key] for row in rows) for key in rows[0]}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--local-model", default="")
    parser.add_argument("--gguf", default="")
    parser.add_argument("--options", default="grammar,resample,free")
    args = parser.parse_args()
    code = (ROOT / "examples" / "two_sum.py").read_text()
    results = {name: measure(name, args, code) for name in args.options.split(",")}
    from interview_corvus.core.config.settings import Settings
    from interview_corvus.core.runs.service import LLMService

    probe = LLMService(Settings(llm={"provider": "local", "local_model": args.local_model,
                                     "gguf_path": args.gguf})).provider
    print(f"model: {probe.describe()}; {args.runs} warm runs per option (medians)")
    print(f"{'option':9} {'first partial s':>15} {'prompt tok':>10} {'prompt tok/s':>12} "
          f"{'gen tok/s':>9} {'tokens':>7} {'rejected':>8} {'total s':>8} "
          f"{'gen vs free':>11}")
    free = results.get("free", {}).get("rate") or 0.0
    for name, row in results.items():
        ratio = f"{row['rate'] / free:.2f}" if free else "-"
        print(f"{name:9} {row['first_s']:>15.2f} {row['prompt_tokens']:>10.0f} "
              f"{row['prompt_rate']:>12.1f} {row['rate']:>9.1f} {row['tokens']:>7.0f} "
              f"{row['rejected']:>8.0f} {row['total_s']:>8.1f} {ratio:>11}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
