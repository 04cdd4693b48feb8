"""The sandboxed runner: compare two versions of a function, then time them.

Run by ``sandbox.py`` as ``python -I child.py`` in an empty temporary directory with
resource limits; reads one JSON job on stdin and prints one JSON line. This file uses
the standard library and hypothesis only, and installs an audit hook (PEP 578) before
any of the job's code is compiled: sockets, subprocesses, exec/fork, ctypes, signals to
other processes and writes outside the working directory raise ``PermissionError``
and are reported as ``refused``.

Job: ``{"original", "candidate", "function", "examples": ["f(1, [2])", …],
"max_examples", "check_budget_s", "time_budget_s"}``. Answer: ``{"checked", "examples",
"counterexample": {"call", "original", "optimized"} | null, "timing": {…} | null}``,
or ``{"error": …}`` / ``{"refused": …}``.
"""

import ast
import copy
import inspect
import json
import math
import os
import random
import sys
import time

WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_APPEND
BLOCKED_PREFIXES = ("socket.", "subprocess.", "ctypes.", "os.exec", "os.spawn", "os.posix_spawn",
                    "os.fork", "pty.", "webbrowser.", "urllib.", "http.", "ftplib.", "smtplib.",
                    "telnetlib.", "poplib.", "imaplib.", "nntplib.", "winreg.", "msvcrt.")
BLOCKED = {"os.system", "os.kill", "os.killpg", "os.forkpty", "os.startfile",
           "resource.setrlimit", "resource.prlimit", "sys.addaudithook", "_winapi.CreateProcess",
           "os.setuid", "os.setgid", "os.chroot", "os.putenv", "os.unsetenv"}
PATH_EVENTS = {"os.remove", "os.rename", "os.replace", "os.rmdir", "os.mkdir", "os.chmod",
               "os.chown", "os.symlink", "os.link", "os.truncate", "os.utime", "shutil.rmtree",
               "shutil.copyfile", "shutil.copytree", "shutil.move", "os.chdir"}
REFUSED: list = []  # events the hook refused, in order


def install_audit_hook(root):
    root = os.path.realpath(root)

    def inside(path):
        try:
            path = os.fsdecode(path) if not isinstance(path, int) else None
        except TypeError:
            return False
        if path is None:  # a file descriptor we already hold
            return True
        full = os.path.realpath(path)
        return full == root or full.startswith(root + os.sep)

    def refuse(event, what=""):
        REFUSED.append(f"{event} {what}".strip()[:200])
        raise PermissionError(f"sandbox: {event} is not allowed")

    def hook(event, args):
        if event in BLOCKED or event.startswith(BLOCKED_PREFIXES):
            refuse(event)
        if event == "open" and args:
            path, mode, flags = ([*list(args), None, None, 0])[:3]
            writing = (isinstance(mode, str) and any(c in mode for c in "wax+")) or (
                isinstance(flags, int) and flags & WRITE_FLAGS)
            if writing and path is not None and not inside(path):
                refuse(event, str(path))
        elif event in PATH_EVENTS:
            for path in args[:2]:
                if isinstance(path, (str, bytes, os.PathLike)) and not inside(path):
                    refuse(event, str(path))

    sys.addaudithook(hook)


# -- comparing outcomes --------------------------------------------------------
def same(a, b):
    if isinstance(a, float) or isinstance(b, float):
        if not (isinstance(a, (int, float)) and isinstance(b, (int, float))):
            return False
        if math.isnan(a) and math.isnan(b):
            return True
        return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return type(a) is type(b) and len(a) == len(b) and all(map(same, a, b))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    try:
        return bool(a == b)
    except Exception:
        return False


def outcome(fn, args):
    """(kind, value, arguments after the call): kind is value or raise."""
    args = copy.deepcopy(args)
    try:
        return ("value", fn(*args), args)
    except RecursionError:
        return ("raise", "RecursionError", args)
    except Exception as exc:
        return ("raise", type(exc).__name__, args)


def agree(want, got):
    return want[0] == got[0] and same(want[1], got[1]) and same(want[2], got[2])


def show(value, limit=200):
    text = repr(value)
    return text if len(text) <= limit else text[:limit] + "…"


def call_text(name, args):
    return f"{name}({', '.join(show(a, 120) for a in args)})"


def parse_call(text, name, signature=None):
    """The literal arguments of a call such as ``f([1, 2], 3)``, as a positional list;
    None if it is not one. A stated result (after ``->``, ``==``, ``=>`` or ``#``), a
    leading ``assert``/``>>>`` and a ``print(...)`` around the call are ignored; keyword
    arguments are put in place with the original function's ``signature``."""
    for mark in ("->", "==", "=>", "#", "\u2192"):
        text = text.split(mark)[0]
    text = text.strip().rstrip(";")
    for prefix in ("assert ", ">>> ", "return "):
        text = text.removeprefix(prefix).strip()
    try:
        node = ast.parse(text, mode="eval").body
    except (SyntaxError, ValueError, RecursionError):
        return None
    if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
            and node.func.id == "print" and len(node.args) == 1):
        node = node.args[0]
    if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
            and node.func.id == name):
        return None
    try:
        args = [ast.literal_eval(arg) for arg in node.args]
        kwargs = {k.arg: ast.literal_eval(k.value) for k in node.keywords if k.arg}
    except (ValueError, SyntaxError, TypeError, RecursionError):
        return None
    if len(kwargs) != len(node.keywords):
        return None
    if kwargs:
        if signature is None:
            return None
        try:
            bound = signature.bind(*args, **kwargs)
        except TypeError:
            return None
        if bound.kwargs:
            return None
        args = list(bound.args)
    return args


# -- inputs like the examples (hypothesis) --------------------------------------
def strategy_for(values, st):
    """A hypothesis strategy drawing values shaped like ``values`` (one per example)."""
    kinds = {type(v) for v in values}
    if kinds <= {bool}:
        return st.booleans()
    if kinds <= {int}:
        low = min(min(values), 0) - 3
        high = max(max(values), 0) + 3
        return st.integers(low, high)
    if kinds <= {int, float}:
        bound = max(10.0, *(abs(v) * 2 for v in values))
        return st.floats(-bound, bound, allow_nan=False, allow_infinity=False)
    if kinds <= {str}:
        alphabet = sorted(set("".join(values)) | set("ab")) or ["a", "b"]
        return st.text(alphabet=alphabet, max_size=max(8, *(len(v) * 2 for v in values)))
    if kinds <= {type(None)}:
        return st.none()
    if kinds <= {list} or kinds <= {tuple}:
        items = [item for v in values for item in v]
        inner = strategy_for(items, st) if items else st.integers(-10, 10)
        size = max(8, *(len(v) * 2 for v in values))
        if kinds <= {list}:
            return st.lists(inner, max_size=size)
        lengths = {len(v) for v in values}
        if len(lengths) == 1:  # a fixed-shape tuple: each position its own strategy
            return st.tuples(*(strategy_for([v[i] for v in values], st)
                               for i in range(lengths.pop())))
        return st.lists(inner, max_size=size).map(tuple)
    if kinds <= {dict}:
        keys = [k for v in values for k in v]
        vals = [x for v in values for x in v.values()]
        return st.dictionaries(strategy_for(keys, st) if keys else st.text(max_size=4),
                               strategy_for(vals, st) if vals else st.integers(-10, 10),
                               max_size=max(6, *(len(v) * 2 for v in values)))
    if kinds <= {set}:
        items = [item for v in values for item in v]
        return st.sets(strategy_for(items, st) if items else st.integers(-10, 10), max_size=8)
    return st.sampled_from(values)


def check(original, candidate, name, examples, max_examples, budget_s):
    """Run both on the examples, then on generated inputs; the first difference,
    shrunk by hypothesis."""
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st
    from hypothesis.errors import HypothesisException

    checked = 0
    for args in examples:
        want, got = outcome(original, args), outcome(candidate, args)
        checked += 1
        if not agree(want, got):
            return checked, counterexample(name, args, want, got)
    if not examples:
        return checked, None
    arity = {len(a) for a in examples}
    if len(arity) != 1:
        return checked, None
    strategies = [strategy_for([a[i] for a in examples], st) for i in range(arity.pop())]
    deadline = time.monotonic() + budget_s
    found = {}

    @settings(max_examples=max_examples, database=None, deadline=None, derandomize=True,
              suppress_health_check=list(HealthCheck), report_multiple_bugs=False)
    @given(st.tuples(*strategies))
    def compare(args):
        nonlocal checked
        if time.monotonic() > deadline:
            return  # out of time: the rest pass unchecked (counted as not checked)
        args = list(args)
        want, got = outcome(original, args), outcome(candidate, args)
        checked += 1
        if not agree(want, got):
            found["last"] = (args, want, got)  # hypothesis shrinks: the last is smallest
            raise AssertionError("differs")

    try:
        compare()
    except AssertionError:
        args, want, got = found["last"]
        return checked, counterexample(name, args, want, got)
    except HypothesisException:
        pass
    return checked, None


def counterexample(name, args, want, got):
    def side(result):
        return f"raises {result[1]}" if result[0] == "raise" else show(result[1])

    note = ""
    if want[0] == got[0] == "value" and same(want[1], got[1]):
        note = "the arguments are left in a different state"
    return {"call": call_text(name, args), "original": side(want), "optimized": side(got),
            "note": note}


# -- growth ------------------------------------------------------------------
def scaled(value, n, rng):
    """``value`` grown to size ``n``: a list of n items like its own, a string of n
    characters, or the int n."""
    if isinstance(value, list):
        sample = value[0] if value else 0
        if isinstance(sample, bool):
            return [rng.random() < 0.5 for _ in range(n)]
        if isinstance(sample, int):
            return [rng.randint(-10**9, 10**9) for _ in range(n)]
        if isinstance(sample, float):
            return [rng.uniform(-1e6, 1e6) for _ in range(n)]
        if isinstance(sample, str):
            return [rng.choice("abcdefghij") * max(1, len(sample)) for _ in range(n)]
        return None
    if isinstance(value, str):
        alphabet = sorted(set(value)) or ["a"]
        return "".join(rng.choice(alphabet) for _ in range(n))
    if isinstance(value, int) and not isinstance(value, bool):
        return n
    return None


def best_time(fn, args, repeats, limit_s):
    """The minimum of ``repeats`` timed calls (Codeflash's noise guard), or None when
    one call takes longer than ``limit_s``."""
    best = None
    for _ in range(repeats):
        fresh = copy.deepcopy(args)
        started = time.perf_counter()
        try:
            fn(*fresh)
        except Exception:
            return None
        took = time.perf_counter() - started
        best = took if best is None else min(best, took)
        if took > limit_s:
            break
    return best


def measure(original, candidate, examples, budget_s):
    """Time both at growing sizes of the first argument that scales; fit n^k."""
    if not examples:
        return None
    base = max(examples, key=lambda a: len(repr(a)))
    rng = random.Random(7)
    position = next((i for i, v in enumerate(base) if scaled(v, 4, rng) is not None), None)
    if position is None:
        return None
    sizes, times = [], {"original": [], "optimized": []}
    deadline = time.monotonic() + budget_s
    n = 16
    while n <= 1 << 20 and time.monotonic() < deadline:
        args = list(base)
        args[position] = scaled(base[position], n, rng)
        left = deadline - time.monotonic()
        pair = [best_time(fn, args, 3, left / 4) for fn in (original, candidate)]
        if None in pair:
            break
        sizes.append(n)
        times["original"].append(pair[0])
        times["optimized"].append(pair[1])
        if max(pair) > budget_s / 8:
            break
        n *= 2
    if len(sizes) < 3:
        return None
    return {"argument": position, "sizes": sizes, **times}


def main():
    job = json.loads(sys.stdin.read())
    sys.stdin.close()
    # The protocol keeps a private copy of stdout; what the code prints goes nowhere.
    out = os.fdopen(os.dup(1), "w", encoding="utf-8")
    null = os.open(os.devnull, os.O_WRONLY)
    os.dup2(null, 1)
    os.dup2(null, 2)
    sys.dont_write_bytecode = True
    root = os.environ.pop("CORVUS_SANDBOX_DIR", os.getcwd())
    from hypothesis.configuration import set_hypothesis_home_dir

    # hypothesis keeps its files beside the code's (empty) cwd, not in it
    set_hypothesis_home_dir(os.environ.pop("HYPOTHESIS_STORAGE_DIRECTORY", root))
    install_audit_hook(root)
    answer = {}
    try:
        name = job["function"]
        spaces = []
        for source in (job["original"], job["candidate"]):
            space = {"__name__": "corvus_sandbox"}
            exec(compile(source, "<code>", "exec"), space)
            spaces.append(space)
        missing = [label for label, space in zip(("original", "optimized"), spaces, strict=False)
                   if not callable(space.get(name))]
        if missing:
            answer = {"error": f"the {missing[0]} code defines no function {name}"}
        else:
            original, candidate = spaces[0][name], spaces[1][name]
            try:
                signature = inspect.signature(original)
            except (TypeError, ValueError):
                signature = None
            examples = [a for a in (parse_call(t, name, signature) for t in job["examples"])
                        if a is not None]
            checked, found = check(original, candidate, name, examples,
                                   int(job.get("max_examples", 200)),
                                   float(job.get("check_budget_s", 6)))
            answer = {"checked": checked, "examples": len(examples), "counterexample": found}
            if found is None and not REFUSED:
                answer["timing"] = measure(original, candidate, examples,
                                           float(job.get("time_budget_s", 3)))
    except MemoryError:
        answer = {"error": "MemoryError"}
    except SyntaxError as exc:
        answer = {"error": f"SyntaxError: {exc.msg} (line {exc.lineno})"}
    except BaseException as exc:  # the code's own failure at load time, reported
        answer = {"error": f"{type(exc).__name__}: {exc}"[:300]}
    if REFUSED:
        answer["refused"] = REFUSED[0]
    out.write(json.dumps(answer) + "\n")
    out.flush()


if __name__ == "__main__":
    main()
