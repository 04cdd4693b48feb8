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

import httpx
import openai

from interview_corvus.core.errors import ProviderError
from interview_corvus.core.providers.base import (
    AnswerRequest,
    Provider,
    StreamInfo,
    image_data_url,
)
from interview_corvus.core.providers.sdk_errors import map_sdk_error

log = logging.getLogger(__name__)

TOOL_NAME = "answer"


def map_openai_error(exc: Exception, who: str) -> ProviderError:
    return map_sdk_error(exc, openai, who, check_also=" and base URL",
                         connect_hint=" Is the server running and the base URL right?")


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
        """Send the request; on a compatible server that refuses the ``json_schema``
        response format (llama-cpp-python's server accepts only ``json_object`` with a
        schema, and answers 500 to anything else), switch to ``json_object`` once and
        remember it."""
        try:
            try:
                return self.client.chat.completions.create(**self._params(request), **kwargs)
            except openai.APIStatusError as exc:
                if not (self.compatible and self.structured == "json_schema"
                        and exc.status_code in (400, 422, 500)):
                    raise
                log.info("%s refused response_format json_schema; using json_object",
                         self._who)
                self.structured = "json_object"
                return self.client.chat.completions.create(**self._params(request), **kwargs)
        except (openai.APIError, httpx.HTTPError) as exc:
            raise map_openai_error(exc, self._who) from exc

    def stream(self, request: AnswerRequest, info: StreamInfo) -> Iterator[str]:
        stream = self._create(request, stream=True, stream_options={"include_usage": True})
        info.on_abort(stream.close)  # a cancel from another thread ends a blocked read
        with stream:  # leaving the block closes the HTTP response (openai-python #969)
            try:
                for chunk in stream:
                    if chunk.usage is not None:
                        info.usage = _usage(chunk.usage)
                    for choice in chunk.choices:
                        if choice.finish_reason:
                            info.finish_reason = choice.finish_reason
                        text = self._text(choice.delta)
                        if text:
                            yield text
            except (openai.APIError, httpx.HTTPError) as exc:
                raise map_openai_error(exc, self._who) from exc

    def complete(self, request: AnswerRequest, info: StreamInfo) -> str:
        response = self._create(request)
        if response.usage is not None:
            info.usage = _usage(response.usage)
        if not response.choices:
            return ""
        choice = response.choices[0]
        info.finish_reason = choice.finish_reason
        message = choice.message
        if self.structured == "tools" and message.tool_calls:
            return message.tool_calls[0].function.arguments or ""
        return message.content or ""

    def check(self) -> str:
        try:
            models = [m.id for m in self.client.models.list()]
        except (openai.APIError, httpx.HTTPError) as exc:
            raise map_openai_error(exc, self._who) from exc
        known = "" if not models or self.model in models else (
            f" (note: {self.model!r} is not among its {len(models)} models)")
        return f"Connected to {self._who}{known}."

    def _text(self, delta: Any) -> str | None:
        if delta is None:
            return None
        if self.structured == "tools":
            calls = delta.tool_calls or []
            return "".join(c.function.arguments or "" for c in calls if c.function)
        return delta.content

    def close(self) -> None:
        self.client.close()


def _usage(usage: Any) -> dict[str, int]:
    return {"input_tokens": usage.prompt_tokens or 0,
            "output_tokens": usage.completion_tokens or 0}
