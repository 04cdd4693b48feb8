"""Rendering a run's event log into wire events for one subscriber.

Snapshot mode: a ``partial`` carries ``data``, the whole partial object.
Delta mode: the first ``partial`` of a connection carries ``data`` (the base);
later ones carry ``patch``, a list of operations to apply in order:

* ``{"op": "set", "path": [...], "value": v}`` – set a key, or append a new list
  item when the last path element equals the list's length;
* ``{"op": "append", "path": [...], "value": "text"}`` – append to a string.

Client rule (JavaScript)::

    function apply(doc, p) {
      let t = doc; for (const k of p.path.slice(0, -1)) t = t[k];
      const k = p.path[p.path.length - 1];
      if (p.op === "append") t[k] += p.value;
      else if (Array.isArray(t) && k === t.length) t.push(p.value);
      else t[k] = p.value;
    }

Partials are coalesced by the caller (``partials=False`` holds them back);
``done`` and ``error`` are never held back, and they end the stream.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from interview_corvus.core.hub import HubRun

TERMINAL = ("done", "error")


@dataclass(frozen=True)
class Op:
    seq: int
    kind: str  # start, queued, patch, done, error
    payload: Any


def merge_patches(ops: list[Op], fields: set[str]) -> list[dict[str, Any]]:
    """Wire patches for a run of ``patch`` ops; appends to one string are joined."""
    out: list[dict[str, Any]] = []
    progress = 0.0
    for op in ops:
        patches, progress = op.payload
        for kind, path, value in patches:
            if not path or path[0] not in fields:
                continue
            if kind == "append" and out:
                last = out[-1]
                if last["path"] == list(path) and isinstance(last["value"], str):
                    last["value"] += value
                    continue
            out.append({"op": kind, "path": list(path), "value": value})
    out.append({"op": "set", "path": ["progress"], "value": progress})
    return out


def render_events(run: HubRun, after: int, *, delta: bool, partials: bool, has_base: bool
                  ) -> tuple[list[tuple[int, dict[str, Any]]], int, bool]:
    """(events as (id, payload), id of the last one rendered, whether the stream ended).

    The caller holds the run's lock. ``after`` is the last event id the subscriber
    has; ``partials=False`` holds partials back (coalescing) without delaying
    anything else.
    """
    out: list[tuple[int, dict[str, Any]]] = []
    ops = run.ops_after(after)
    first = run.ops[0].seq if run.ops else run.seq + 1
    truncated = after < first - 1
    if after == 0 and truncated:  # a late watcher still learns what the run is
        out.append((0, run.start_payload))
    pending: list[Op] = []
    last = after
    ended = False
    patching = delta and has_base and not truncated
    fields = {*run.job.model_cls.answer_fields(), "is_complete"}

    def patch_event(ops: list[Op]) -> tuple[int, dict[str, Any]]:
        return ops[-1].seq, {"type": "partial", "run_id": run.id,
                             "patch": merge_patches(ops, fields)}

    for op in ops:
        if op.kind == "patch":
            pending.append(op)
            continue
        if op.kind in TERMINAL:
            if pending and patching:  # patches alone then rebuild the whole answer
                out.append(patch_event(pending))
            pending = []  # otherwise the final event carries the whole answer
            ended = True
        out.append((op.seq, op.payload))
        last = op.seq
    # resuming at or past the end of a finished run: nothing more will come
    ended = ended or (run.finished.is_set() and after >= run.seq)
    if pending and partials:
        if patching:
            out.append(patch_event(pending))
        else:
            out.append((pending[-1].seq, {"type": "partial", "run_id": run.id,
                                          "data": run.snapshot()}))
        last = pending[-1].seq
    return out, last, ended
