"""Growth exponents: fit time ~ c·n^k to measurements, read k from a Big-O claim.

The fit is ordinary least squares of log t on log n (the slope is k), over the
points slow enough to time reliably (>= 2 µs per call). Claims are read for the
usual forms: O(1), O(log n), O(n), O(n log n), O(n^2), O(n·m) …; log factors count
as 0.15 of a power, which is what they look like over the sizes measured here.
"""

from __future__ import annotations

import math
import re

MIN_SECONDS = 2e-6
LOG_WEIGHT = 0.15


def fit_exponent(sizes: list[int], seconds: list[float]) -> float | None:
    """k of the least-squares fit log t = k·log n + c; None with fewer than 3 usable
    points."""
    points = [(math.log(n), math.log(t)) for n, t in zip(sizes, seconds, strict=False)
              if n > 0 and t >= MIN_SECONDS]
    if len(points) < 3:
        return None
    mean_x = sum(x for x, _ in points) / len(points)
    mean_y = sum(y for _, y in points) / len(points)
    spread = sum((x - mean_x) ** 2 for x, _ in points)
    if spread == 0:
        return None
    return sum((x - mean_x) * (y - mean_y) for x, y in points) / spread


def claimed_exponent(claim: str) -> float | None:
    """k of a Big-O claim in one variable (``O(n^2)`` → 2, ``O(n log n)`` → 1.15,
    ``O(1)`` → 0); None when it cannot be read (e.g. two sizes, ``O(n + m)`` counts as n)."""
    text = claim.strip().lower().replace(" ", "").replace("²", "^2").replace("³", "^3")
    match = re.search(r"o\((.*)\)", text)
    if not match:
        return None
    body = match.group(1).replace("*", "").replace("·", "")
    if body in ("1", "c", "k"):
        return 0.0
    logs = body.count("log")
    body = re.sub(r"log\(?[a-z]\)?", "", body)
    if "+" in body:  # O(n + m): the larger term, one size
        body = body.split("+")[0]
    power = 0.0
    for _var, exp in re.findall(r"([a-z])(?:\^(\d+(?:\.\d+)?))?", body):
        power += float(exp) if exp else 1.0
    if re.search(r"\d+\^n|2\^n", body):
        return None  # exponential: not a power of n
    return power + LOG_WEIGHT * logs


def describe_exponent(k: float) -> str:
    return f"n^{k:.1f}"
