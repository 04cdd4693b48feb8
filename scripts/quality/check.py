"""Run the original and the candidate on the same arguments; print a JSON verdict.

Used by bench_quality.py in a child process (``python -I check.py``), fed JSON on
stdin: {"original", "candidate", "function", "cases"}. A case passes when both
return equal values (floats within 1e-9) or raise the same exception type, and leave
their arguments equal.
"""

import copy
import json
import math
import sys


def same(a, b):
    if isinstance(a, float) or isinstance(b, float):
        return (isinstance(a, (int, float)) and isinstance(b, (int, float))
                and math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9))
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return type(a) is type(b) and len(a) == len(b) and all(map(same, a, b))
    return a == b


def outcome(fn, args):
    args = copy.deepcopy(args)
    try:
        return ("value", fn(*args), args)
    except Exception as exc:
        return ("raise", type(exc).__name__, args)


def load(source, name):
    namespace = {"__name__": "candidate"}
    exec(compile(source, "<code>", "exec"), namespace)
    return namespace[name]


def main():
    job = json.load(sys.stdin)
    original = load(job["original"], job["function"])
    try:
        candidate = load(job["candidate"], job["function"])
    except Exception as exc:
        print(json.dumps({"ok": False, "why": f"does not load: {type(exc).__name__}: {exc}"}))
        return
    for case in job["cases"]:
        args = json.loads(case)
        want, got = outcome(original, args), outcome(candidate, args)
        if not (want[0] == got[0] and same(want[1], got[1]) and same(want[2], got[2])):
            print(json.dumps({"ok": False, "why": f"{case}: {want!r} vs {got!r}"[:300]}))
            return
    print(json.dumps({"ok": True}))


main()
