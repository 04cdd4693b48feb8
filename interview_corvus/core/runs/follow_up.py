"""Follow-up turns: continue an answer ("now O(1) space", "explain line 3", or
optimize a solution).

A follow-up is a run of its own that names its parent; its thread is the chain
of parents (runs still in memory, else history). The provider gets the thread as
a conversation — each earlier request and its answer (as the JSON it wrote) —
then the new request, and answers with a complete answer of the asked kind.
"""

from __future__ import annotations

import json

from interview_corvus.core.answers import prompts
from interview_corvus.core.answers.models import MODELS
from interview_corvus.core.errors import BadRequest
from interview_corvus.core.runs.attempt import Job
from interview_corvus.core.runs.history import RunEntry
from interview_corvus.core.runs.hub import HubRun, RunHub
from interview_corvus.core.runs.service import LLMService, answer_class, language_of
from interview_corvus.core.stream.partial_json import clean_text

MAX_TURNS = 6  # earlier answers sent along (the oldest are dropped first)
MAX_MESSAGE = 4000


class NotFound(BadRequest):
    """No run with that id (answered 404 by the API)."""

    status = 404


class NotFinished(BadRequest):
    """The run has no finished answer to follow up (answered 409 by the API)."""

    status = 409


def entry_of(hub: RunHub, run_id: str) -> RunEntry | None:
    run = hub.get(run_id)
    if run is not None:
        return run.entry
    return hub.history.get(run_id) if hub.history is not None else None


def lineage(hub: RunHub, entry: RunEntry, limit: int = 50) -> list[RunEntry]:
    """``entry`` and the runs it follows up, oldest first (at most ``limit``), whatever
    their outcome: the thread as the window shows it. Stops at a parent that is gone."""
    chain = [entry]
    while len(chain) < limit and chain[-1].parent_id:
        parent = entry_of(hub, chain[-1].parent_id)
        if parent is None or any(turn.id == parent.id for turn in chain):
            break
        chain.append(parent)
    return chain[::-1]


def thread(hub: RunHub, run_id: str) -> list[RunEntry]:
    """The run and its ancestors with answers, oldest first (at most ``MAX_TURNS``); the
    run itself must have finished with an answer."""
    entry = entry_of(hub, run_id)
    if entry is None:
        raise NotFound(f"No run with id {run_id!r}.")
    if entry.status != "done" or not entry.result:
        raise NotFinished(f"Run {run_id!r} has no finished answer to follow up "
                          f"(it is {entry.status}).")
    chain = lineage(hub, entry, MAX_TURNS)
    gaps = [i for i, turn in enumerate(chain) if not turn.result]
    return chain[gaps[-1] + 1:] if gaps else chain


def _request_text(entry: RunEntry) -> str:
    """What the user asked in a turn, as the conversation shows it."""
    if entry.parent_id:
        return entry.input
    action = MODELS[entry.kind].ACTION
    return f"{action.capitalize()} this ({entry.language}):\n{entry.input}"


def _answer_text(entry: RunEntry) -> str:
    fields = MODELS[entry.kind].answer_fields()
    return json.dumps({k: v for k, v in (entry.result or {}).items() if k in fields},
                      ensure_ascii=False)


def follow_up_job(service: LLMService, chain: list[RunEntry], message: str,
                  kind: str | None = None, language: str | None = None) -> Job:
    """A job answering ``message`` after the turns of ``chain`` (oldest first)."""
    message = clean_text(message or "").strip()
    if not message:
        raise BadRequest("There is no follow-up: the message is empty.")
    if len(message) > MAX_MESSAGE:
        raise BadRequest(f"The follow-up is too long: {len(message)} characters (at most "
                         f"{MAX_MESSAGE}).")
    parent = chain[-1]
    kind = kind or parent.kind
    model_cls = answer_class(kind)
    language = language_of(language or parent.language)
    base = _base_code(parent, kind)
    job = service.answer_job(model_cls, language, len(base), lambda language, schema, fence:
                             prompts.follow_up_prompt(kind, message, language, schema, base,
                                                      fence))
    if "original_code" in model_cls.REQUEST_FIELDS:
        job.fixed["original_code"] = base
    job.request.turns = [turn for entry in chain
                         for turn in (("user", _request_text(entry)),
                                      ("assistant", _answer_text(entry)))]
    return job


def _base_code(parent: RunEntry, kind: str) -> str:
    """The code a follow-up optimization works on: the original code of an optimization
    thread, or the code a solution wrote."""
    if kind != "optimization":
        return ""
    if parent.kind == "optimization":
        return str((parent.result or {}).get("original_code") or parent.input)
    return parent.answer_code()


def submit_follow_up(hub: RunHub, run_id: str, message: str, *, origin: str,
                     kind: str | None = None, language: str | None = None) -> HubRun:
    """Start a follow-up of ``run_id``; raises ``NotFound``, ``NotFinished`` or
    ``BadRequest`` naming what is wrong."""
    chain = thread(hub, run_id)
    job = follow_up_job(hub.service, chain, message, kind, language)
    return hub.submit(job, origin=origin, input_text=message.strip(), parent_id=run_id)
