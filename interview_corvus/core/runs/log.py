"""The run log: one run's ordered events, and the wire format's one home.

A ``RunLog`` owns the ops (with consecutive integer ids), the bounded replay
buffer, the snapshot cache, the subscribers and the lock that guards them. The
run's attempt feeds the assembler while holding the same lock, so an update
and its op are one step (the feed-and-log invariant: a snapshot taken under the
lock is exactly the state after the newest op). Every event type is built here,
including the two events a run known only from history replays.

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

Partials are coalesced by the reader (``partials=False`` holds them back);
``done`` and ``error`` are never held back, and they end the stream.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, NamedTuple

from interview_corvus.core.answers.models import StreamedAnswer
from interview_corvus.core.errors import CorvusError

if TYPE_CHECKING:
    from interview_corvus.core.runs.history import RunEntry
    from interview_corvus.core.runs.update import StreamUpdate

TERMINAL = ("done", "error")
REPLAY_BUFFER = 4096  # events kept per run for Last-Event-ID resume

Event = tuple[int, dict[str, Any]]  # (id, payload): what an SSE client gets


class Op(NamedTuple):
    """One logged event. A tuple, with patches kept as tuples of strings and numbers: once
    the collector has seen such a tuple it stops tracking it, so a full collection does
    not walk the thousands of ops that streaming runs hold (see ``core.config.heap``)."""

    seq: int
    kind: str  # start, queued, patch, done, error
    payload: Any


def answer_data(model: StreamedAnswer | None) -> dict[str, Any] | None:
    return None if model is None else model.model_dump(mode="json")


# -- payloads: every event type of the wire format ------------------------
def start_payload(run_id: str, kind: str, provider: str, model: str,
                  streaming: bool) -> dict[str, Any]:
    return {"type": "start", "run_id": run_id, "kind": kind, "provider": provider,
            "model": model, "streaming": streaming}


def done_payload(run_id: str, data: dict[str, Any] | None, elapsed_ms: float,
                 usage: dict[str, int] | None = None, repaired: bool = False
                 ) -> dict[str, Any]:
    event: dict[str, Any] = {"type": "done", "run_id": run_id, "data": data,
                             "elapsed_ms": round(elapsed_ms, 1)}
    if usage:
        event["usage"] = usage
    if repaired:  # the first answer was invalid or cut off; asking again fixed it
        event["repaired"] = True
    return event


def error_payload(run_id: str, error: dict[str, Any], data: dict[str, Any] | None
                  ) -> dict[str, Any]:
    return {"type": "error", "run_id": run_id, "error": error, "data": data}


def stored_events(entry: RunEntry) -> list[Event]:
    """A finished run known only from history: its start (id 1) and its last event (id 2)."""
    start = start_payload(entry.id, entry.kind, entry.provider, entry.model, entry.streaming)
    if entry.status == "done":
        final = done_payload(entry.id, entry.result, entry.elapsed_ms or 0.0, entry.usage)
    else:
        error = {"code": entry.error_code or "internal", "message": entry.error_message or ""}
        final = error_payload(entry.id, error, entry.result)
    return [(1, start), (2, final)]


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


class RunLog:
    """The events of one run; thread-safe. Subscribers are told the kind of each new op."""

    def __init__(self, run_id: str, model_cls: type[StreamedAnswer]) -> None:
        self.run_id = run_id
        self.lock = threading.RLock()  # the attempt feeds under it too (see module doc)
        self.ops: list[Op] = []  # the replay buffer: consecutive ids, the newest last
        self.seq = 0
        self.start: dict[str, Any] = {}
        self.ended = False  # a done or error op is in the log
        # the newest answer model (the attempt's ``latest``), read under the lock
        self.source: Callable[[], StreamedAnswer | None] = lambda: None
        self._fields = {*model_cls.answer_fields(), *model_cls.STATUS_FIELDS} - {"progress"}
        self._snapshot: tuple[int, dict[str, Any] | None] = (-1, None)
        self._subscribers: list[Callable[[str], None]] = []
        self._sub_lock = threading.Lock()

    # -- writing ----------------------------------------------------------
    def _append(self, kind: str, payload: Any) -> None:
        with self.lock:
            self.seq += 1
            self.ops.append(Op(self.seq, kind, payload))
            if len(self.ops) > 2 * REPLAY_BUFFER:  # trim in bulk: amortized O(1) per event
                del self.ops[:-REPLAY_BUFFER]
            self.ended = self.ended or kind in TERMINAL
            self.notify(kind)

    def log_start(self, kind: str, provider: str, model: str, streaming: bool) -> None:
        self.start = start_payload(self.run_id, kind, provider, model, streaming)
        self._append("start", self.start)

    def log_queued(self, position: int) -> None:
        self._append("queued", {"type": "queued", "run_id": self.run_id, "position": position})

    def record(self, update: StreamUpdate) -> None:
        """The attempt's listener: called with the lock held, once per fed update."""
        if not update.final:  # the final one is logged by ``log_done`` with its timing
            self._append("patch", (tuple(update.patches), update.progress))

    def log_done(self, result: StreamedAnswer, elapsed_ms: float,
                 usage: dict[str, int] | None, repaired: bool = False) -> None:
        with self.lock:  # the closing patch makes a delta client's document equal done.data
            closing: tuple[Any, ...] = (("set", ("is_complete",), True),
                                        ("set", ("fields",), dict(result.fields)))
            verification = getattr(result, "verification", None)
            if verification is not None:
                closing += (("set", ("verification",), verification.model_dump()),)
            self._append("patch", (closing, 1.0))
            self._append("done", done_payload(self.run_id, answer_data(result), elapsed_ms,
                                              usage, repaired))

    def log_error(self, error: CorvusError, partial: StreamedAnswer | None) -> None:
        self._append("error", error_payload(self.run_id, error.to_dict(), answer_data(partial)))

    # -- reading ----------------------------------------------------------
    def snapshot(self) -> dict[str, Any] | None:
        """The newest partial (or final) as a dict; cached per event id."""
        with self.lock:
            if self._snapshot[0] != self.seq:
                self._snapshot = (self.seq, answer_data(self.source()))
            return self._snapshot[1]

    def ops_after(self, after: int) -> list[Op]:
        """Buffered ops with ids above ``after``; O(result), not O(buffer)."""
        with self.lock:
            if not self.ops:
                return []
            return self.ops[max(0, after - self.ops[0].seq + 1):]

    def events_after(self, after: int, *, delta: bool, partials: bool, has_base: bool
                     ) -> tuple[list[Event], int, bool]:
        """(events, id of the last one rendered, whether the stream ended) for a reader
        that has everything up to ``after``; ``partials=False`` holds partials back."""
        with self.lock:
            return self._render(after, delta=delta, partials=partials, has_base=has_base)

    def _render(self, after: int, *, delta: bool, partials: bool, has_base: bool
                ) -> tuple[list[Event], int, bool]:
        out: list[Event] = []
        ops = self.ops_after(after)
        first = self.ops[0].seq if self.ops else self.seq + 1
        truncated = after < first - 1
        if after == 0 and truncated:  # a late watcher still learns what the run is
            out.append((0, self.start))
        pending: list[Op] = []
        last = after
        ended = False
        patching = delta and has_base and not truncated
        for op in ops:
            if op.kind == "patch":
                pending.append(op)
                continue
            if op.kind in TERMINAL:
                if pending and patching:  # patches alone then rebuild the whole answer
                    out.append(self._patch_event(pending))
                pending = []  # otherwise the final event carries the whole answer
                ended = True
            out.append((op.seq, op.payload))
            last = op.seq
        # resuming at or past the end of a finished run: nothing more will come
        ended = ended or (self.ended and after >= self.seq)
        if pending and partials:
            if patching:
                out.append(self._patch_event(pending))
            else:
                out.append((pending[-1].seq, {"type": "partial", "run_id": self.run_id,
                                              "data": self.snapshot()}))
            last = pending[-1].seq
        return out, last, ended

    def _patch_event(self, ops: list[Op]) -> Event:
        return ops[-1].seq, {"type": "partial", "run_id": self.run_id,
                             "patch": merge_patches(ops, self._fields)}

    # -- subscribers ------------------------------------------------------
    def subscribe(self, callback: Callable[[str], None]) -> Callable[[], None]:
        """Call ``callback(kind)`` (from the writing thread; it must not block) after each
        new op, and with ``end`` when the run is retired. Returns the unsubscriber."""
        with self._sub_lock:
            self._subscribers.append(callback)

        def unsubscribe() -> None:
            with self._sub_lock:
                if callback in self._subscribers:
                    self._subscribers.remove(callback)

        return unsubscribe

    @property
    def subscriber_count(self) -> int:
        with self._sub_lock:
            return len(self._subscribers)

    def notify(self, kind: str) -> None:
        with self._sub_lock:
            callbacks = list(self._subscribers)
        for callback in callbacks:
            callback(kind)
