"""Write the demo replay transcripts shipped in resources/demo/.

Deltas are cut at 1-8 characters with timing like a fast remote model
(about 100 deltas per second). Run again after changing the answers.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "resources" / "demo"

OPTIMIZATION = {
    "optimized_code": (
        "def two_sum(nums, target):\n"
        "    \"\"\"Return indices of the two numbers that add up to target.\"\"\"\n"
        "    seen = {}  # value -> index\n"
        "    for i, value in enumerate(nums):\n"
        "        complement = target - value\n"
        "        if complement in seen:\n"
        "            return [seen[complement], i]\n"
        "        seen[value] = i\n"
        "    return []\n"
    ),
    "improvements": [
        "Replaced the nested loops with a single pass over the list.",
        "A dictionary maps each value to its index, so finding the complement is O(1).",
        "enumerate() avoids repeated indexing of nums[i].",
        "Returns as soon as the pair is found, as before.",
    ],
    "original_time_complexity": "O(n^2)",
    "optimized_time_complexity": "O(n)",
    "original_space_complexity": "O(1)",
    "optimized_space_complexity": "O(n)",
    "explanation": (
        "The original compares every pair of elements, which takes quadratic time. "
        "The optimized version trades memory for time: while scanning once, it remembers "
        "the index of every value seen so far in a hash map. For each element it checks "
        "whether `target - value` was already seen; hash lookups are O(1) on average, so "
        "the whole scan is linear. The extra dictionary holds at most n entries, so space "
        "grows from O(1) to O(n) — the classic time–space trade-off interviewers expect."
    ),
}

SOLUTION = {
    "code": (
        "from collections import defaultdict\n\n\n"
        "def subarray_sum(nums: list[int], k: int) -> int:\n"
        "    counts = defaultdict(int)\n"
        "    counts[0] = 1  # the empty prefix\n"
        "    prefix = total = 0\n"
        "    for value in nums:\n"
        "        prefix += value\n"
        "        total += counts[prefix - k]\n"
        "        counts[prefix] += 1\n"
        "    return total\n"
    ),
    "explanation": (
        "Keep a running prefix sum and a count of how often each prefix sum occurred. "
        "A subarray ending here sums to k exactly when an earlier prefix equals "
        "prefix - k, so add that count. Negative numbers are fine because nothing "
        "depends on the sums being monotonic."
    ),
    "time_complexity": "O(n)",
    "space_complexity": "O(n)",
    "edge_cases": [
        "k = 0 with zeros in the array",
        "negative numbers",
        "a single element equal to k",
        "no subarray sums to k",
    ],
    "alternative_approaches": (
        "Brute force over all (i, j) pairs with running sums is O(n^2) time and O(1) "
        "space. A sliding window only works when all numbers are non-negative."
    ),
}


def transcript(answer: dict, seed: int) -> list[dict]:
    rng = random.Random(seed)
    text = json.dumps(answer, ensure_ascii=False, indent=1)
    items, i = [], 0
    while i < len(text):
        size = rng.randint(1, 8)
        items.append({"delta": text[i : i + size], "delay_ms": round(rng.uniform(4, 16), 1)})
        i += size
    items.append({"usage": {"input_tokens": 420, "output_tokens": len(text) // 4}})
    return items


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for name, answer, seed in (("optimization", OPTIMIZATION, 1),
                               ("solution", SOLUTION, 2)):
        path = OUT / f"{name}.jsonl"
        lines = transcript(answer, seed)
        path.write_text("".join(json.dumps(x, ensure_ascii=False) + "\n" for x in lines),
                        encoding="utf-8")
        print(f"{path}: {len(lines)} lines")


if __name__ == "__main__":
    main()
