"""Anthropic through the official SDK, with the answer as a forced tool call.

The answer streams as ``input_json_delta`` events of the tool-use block. The
SDK is used directly (not llama-index's ``Anthropic`` LLM) for the same reasons
as the OpenAI provider: deterministic stream closing on cancel, and access to
``stop_reason`` to tell a cut-off answer (``max_tokens``) from a complete one.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import anthropic

from interview_corvus.core.errors import ProviderError
from interview_corvus.core.providers.base import (
    AnswerRequest,
    Provider,
    StreamInfo,
    image_data_url,
)
from interview_corvus.core.providers.sdk_calls import hang_up
from interview_corvus.core.providers.sdk_errors import HTTP_ERRORS, map_sdk_error

TOOL_NAME = "answer"
SDK_ERRORS: tuple[type[Exception], ...] = (anthropic.APIError, *HTTP_ERRORS)
_STOP = {"max_tokens": "length", "end_turn": "stop", "tool_use": "stop", "stop_sequence": "stop"}


def map_anthropic_error(exc: Exception, *, streaming: bool = False) -> ProviderError:
    return map_sdk_error(exc, anthropic, "Anthropic", streaming=streaming)


class AnthropicProvider(Provider):
    name = "anthropic"
    supports_vision = True

    def __init__(self, model: str, *, api_key: str | None, base_url: str | None = None,
                 timeout: float = 120.0) -> None:
        super().__init__(model)
        self.client = anthropic.Anthropic(api_key=api_key or "unused", base_url=base_url or None,
                                          max_retries=0, timeout=timeout)

    def _params(self, request: AnswerRequest) -> dict[str, Any]:
        content: list[dict[str, Any]] = []
        for path in request.images:
            media, data = image_data_url(path)
            content.append({"type": "image",
                            "source": {"type": "base64", "media_type": media, "data": data}})
        content.append({"type": "text", "text": request.prompt})
        return {
            "model": self.model,
            "max_tokens": request.max_tokens,
            # anthropic 2.x takes no temperature: current models fix their sampling.
            "system": request.system,
            "messages": [*request.history(), {"role": "user", "content": content}],
            "tools": [{"name": TOOL_NAME, "description": "Return the answer.",
                       "input_schema": request.schema}],
            "tool_choice": {"type": "tool", "name": TOOL_NAME},
        }

    def stream(self, request: AnswerRequest, info: StreamInfo) -> Iterator[str]:
        try:
            stream = self.client.messages.create(**self._params(request), stream=True)
        except SDK_ERRORS as exc:
            raise map_anthropic_error(exc) from exc
        # a cancel from another thread ends a blocked read (shut down, then closed)
        info.on_abort(lambda: hang_up(stream.response))
        with stream:
            try:
                for event in stream:
                    kind = event.type
                    if kind == "content_block_delta" and event.delta.type == "input_json_delta":
                        if event.delta.partial_json:
                            yield event.delta.partial_json
                    elif kind == "message_start":
                        info.usage["input_tokens"] = event.message.usage.input_tokens or 0
                    elif kind == "message_delta":
                        if event.delta.stop_reason:
                            info.finish_reason = _STOP.get(event.delta.stop_reason,
                                                           event.delta.stop_reason)
                        info.usage["output_tokens"] = event.usage.output_tokens or 0
            except SDK_ERRORS as exc:
                raise map_anthropic_error(exc, streaming=True) from exc

    def complete(self, request: AnswerRequest, info: StreamInfo) -> str:
        import json

        try:
            message = self.client.messages.create(**self._params(request))
        except SDK_ERRORS as exc:
            raise map_anthropic_error(exc) from exc
        info.finish_reason = _STOP.get(message.stop_reason or "", message.stop_reason)
        info.usage = {"input_tokens": message.usage.input_tokens,
                      "output_tokens": message.usage.output_tokens}
        for block in message.content:
            if block.type == "tool_use":
                return json.dumps(block.input)
        return ""

    def check(self) -> str:
        try:
            self.client.models.list(limit=1)
        except SDK_ERRORS as exc:
            raise map_anthropic_error(exc) from exc
        return "Connected to Anthropic."

    def close(self) -> None:
        self.client.close()
