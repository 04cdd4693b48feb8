"""OpenAI and OpenAI-compatible servers (Ollama, vLLM, LM Studio, llama.cpp server).

Built on the official ``openai`` SDK rather than llama-index's ``OpenAI`` LLM:
llama-index has no stream cancellation (run-llama/llama_index#12242) and its
``stream_chat`` does not close the SDK stream when the consumer stops, while
this project's contract is that closing the generator closes the HTTP
connection; it also hides ``finish_reason`` and usage on the last chunk, which
the service needs to tell a cut-off answer from a complete one. SDK retries are
off (``max_retries=0``): retries live once, in the service.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import openai

from interview_corvus.core.errors import AnswerInvalid, ProviderError
from interview_corvus.core.providers.base import (
    AnswerRequest,
    Provider,
    StreamInfo,
    image_data_url,
)
from interview_corvus.core.providers.sdk_calls import hang_up
from interview_corvus.core.providers.sdk_errors import HTTP_ERRORS, map_sdk_error, short

log = logging.getLogger(__name__)
SDK_ERRORS: tuple[type[Exception], ...] = (openai.APIError, *HTTP_ERRORS)

TOOL_NAME = "answer"


# parameters a request can do without, which some OpenAI-compatible servers refuse
OPTIONAL_PARAMS = ("stream_options", "temperature")


def map_openai_error(exc: Exception, who: str, *, streaming: bool = False) -> ProviderError:
    return map_sdk_error(exc, openai, who, check_also=" and base URL",
                         connect_hint=" Is the server running and the base URL right?",
                         streaming=streaming)


def refused_param(exc: Exception) -> str | None:
    """The optional parameter a 400/422 names (its ``param``, or its message), if any."""
    if not isinstance(exc, openai.APIStatusError) or exc.status_code not in (400, 422):
        return None
    body = exc.body if isinstance(exc.body, dict) else {}
    error = body.get("error", body)
    named = str(error.get("param") or "") if isinstance(error, dict) else ""
    text = f"{named} {exc.message}"
    return next((p for p in OPTIONAL_PARAMS if p in text), None)


def content_text(content: Any, chunk: Any) -> str:
    """The answer text of a message's or delta's ``content``: a string, or a list of
    typed blocks (text kept; thinking, reasoning and other blocks dropped)."""
    if content is None or isinstance(content, str):
        return content or ""
    if isinstance(content, list):
        parts = []
        for block in content:
            block = block if isinstance(block, dict) else getattr(block, "__dict__", {})
            if block.get("type") in ("text", "output_text") and isinstance(block.get("text"),
                                                                           str):
                parts.append(block["text"])
        return "".join(parts)
    raise AnswerInvalid(f"The server sent a chunk this app cannot read (content is a "
                        f"{type(content).__name__}): {short(_dump(chunk))}", reason="json")


def _dump(chunk: Any) -> str:
    try:
        return str(chunk.model_dump_json(exclude_none=True, warnings=False))
    except Exception:  # a chunk the SDK could not model
        return repr(chunk)


class OpenAIProvider(Provider):
    name = "openai"
    supports_vision = True

    def __init__(self, model: str, *, api_key: str | None, base_url: str | None = None,
                 structured: str = "json_schema", timeout: float = 120.0,
                 compatible: bool = False) -> None:
        super().__init__(model)
        self.compatible = compatible
        if compatible:
            self.name = "openai-compatible"
            # Ollama, LM Studio, llama.cpp: often a small model, which without bounds may
            # list hundreds of improvements and never finish
            self.small_model_likely = True
        self.structured = structured
        self.dropped: set[str] = set()  # optional parameters this server refused
        self._who = f"The server at {base_url}" if compatible else "OpenAI"
        self.client = openai.OpenAI(api_key=api_key or "unused", base_url=base_url or None,
                                    max_retries=0, timeout=timeout)

    def _params(self, request: AnswerRequest) -> dict[str, Any]:
        content: Any = request.prompt
        if request.images:
            content = [{"type": "text", "text": request.prompt}]
            for path in request.images:
                media, data = image_data_url(path)
                content.append({"type": "image_url",
                                "image_url": {"url": f"data:{media};base64,{data}"}})
        params: dict[str, Any] = {
            "model": self.model,
            "messages": [{"role": "system", "content": request.system}, *request.history(),
                         {"role": "user", "content": content}],
            "temperature": request.temperature,
        }
        params["max_tokens" if self.compatible else "max_completion_tokens"] = request.max_tokens
        if self.structured == "tools":
            params["tools"] = [{"type": "function", "function": {
                "name": TOOL_NAME, "description": "Return the answer.",
                "parameters": request.schema}}]
            params["tool_choice"] = {"type": "function", "function": {"name": TOOL_NAME}}
        elif self.structured == "json_object":
            params["response_format"] = {"type": "json_object"}
            if self.compatible:  # llama.cpp / vLLM read a schema here
                params["response_format"]["schema"] = request.schema
        else:
            params["response_format"] = {"type": "json_schema", "json_schema": {
                "name": request.schema_name, "schema": request.schema,
                "strict": not self.compatible}}
        return params

    def _create(self, request: AnswerRequest, **kwargs: Any) -> Any:
        """Send the request. A 400/422 that names an optional parameter
        (``OPTIONAL_PARAMS``: several compatible servers refuse ``stream_options``) is
        retried once without it, and it is left out for this server from then on; a
        compatible server that refuses the ``json_schema`` response format
        (llama-cpp-python's server accepts only ``json_object`` with a schema, and answers
        500 to anything else) gets ``json_object`` once and from then on."""
        try:
            for _ in range(len(OPTIONAL_PARAMS) + 2):
                try:
                    params = {**self._params(request), **kwargs}
                    return self.client.chat.completions.create(
                        **{k: v for k, v in params.items() if k not in self.dropped})
                except openai.APIStatusError as exc:
                    if (param := refused_param(exc)) and param not in self.dropped:
                        log.info("%s refused %s; asking without it from now on", self._who,
                                 param)
                        self.dropped.add(param)
                        continue
                    if not (self.compatible and self.structured == "json_schema"
                            and exc.status_code in (400, 422, 500)):
                        raise
                    log.info("%s refused response_format json_schema; using json_object",
                             self._who)
                    self.structured = "json_object"
            raise AssertionError("unreachable: each fallback is taken once")
        except SDK_ERRORS as exc:
            raise map_openai_error(exc, self._who) from exc

    def stream(self, request: AnswerRequest, info: StreamInfo) -> Iterator[str]:
        stream = self._create(request, stream=True, stream_options={"include_usage": True})
        # a cancel from another thread ends a blocked read (shut down, then closed)
        info.on_abort(lambda: hang_up(stream.response))
        with stream:  # leaving the block closes the HTTP response (openai-python #969)
            try:
                for chunk in stream:
                    if getattr(chunk, "usage", None) is not None:
                        info.usage = _usage(chunk.usage)
                    # null, absent or empty: usage-only and keep-alive chunks of proxies
                    for choice in getattr(chunk, "choices", None) or []:
                        if getattr(choice, "finish_reason", None):
                            info.finish_reason = choice.finish_reason
                        text = self._text(getattr(choice, "delta", None), chunk)
                        if text:
                            yield text
            except SDK_ERRORS as exc:
                raise map_openai_error(exc, self._who, streaming=True) from exc

    def complete(self, request: AnswerRequest, info: StreamInfo) -> str:
        response = self._create(request)
        if getattr(response, "usage", None) is not None:
            info.usage = _usage(response.usage)
        choices = getattr(response, "choices", None) or []
        if not choices:
            return ""
        choice = choices[0]
        info.finish_reason = getattr(choice, "finish_reason", None)
        message = getattr(choice, "message", None)
        if message is None:
            return ""
        if self.structured == "tools" and message.tool_calls:
            return message.tool_calls[0].function.arguments or ""
        return content_text(message.content, response)

    def check(self) -> str:
        try:
            models = [m.id for m in self.client.models.list()]
        except SDK_ERRORS as exc:
            raise map_openai_error(exc, self._who) from exc
        known = "" if not models or self.model in models else (
            f" (note: {self.model!r} is not among its {len(models)} models)")
        return f"Connected to {self._who}{known}."

    def _text(self, delta: Any, chunk: Any) -> str:
        """The answer text of a streamed delta (``reasoning_content`` is not the answer)."""
        if delta is None:
            return ""
        if self.structured == "tools":
            calls = getattr(delta, "tool_calls", None) or []
            return "".join(c.function.arguments or "" for c in calls
                           if getattr(c, "function", None))
        return content_text(getattr(delta, "content", None), chunk)

    def close(self) -> None:
        self.client.close()


def _usage(usage: Any) -> dict[str, int]:
    return {"input_tokens": usage.prompt_tokens or 0,
            "output_tokens": usage.completion_tokens or 0}
