"""Grammar-checked sampling for the local model: sample first, filter only on rejection.

llama-cpp-python applies a grammar by filtering the whole vocabulary (151k tokens
for Qwen) at every step, before top-k: 24-41 % of the generation rate on a laptop
CPU. llama.cpp's own sampler (``common/sampling.cpp``, ``common_sampler_sample``
with ``grammar_first = false``) does it the other way round, and so does this:

1. sample a token with the usual chain (penalties, top-k/p, min-p, temperature),
   without the grammar;
2. check that one token against the grammar (a one-entry candidate array);
3. only if the grammar rejects it, filter the whole vocabulary with the grammar
   and sample again from what is left.

The answer is then always valid for the grammar (as with the full filter) at
nearly the rate of free decoding, because a model that keeps to JSON is rarely
rejected. With greedy decoding the tokens are exactly those of the full filter;
with temperature > 0 the chain has already counted the rejected token once in its
repetition history (one token of its last 64), a difference the full filter does
not have.

Runs only inside the local model's process (``local_worker.py``).
"""

from __future__ import annotations

import ctypes
import json
import math
import re
from typing import Any

import llama_cpp
import numpy as np
from llama_cpp import Llama, LlamaGrammar
from llama_cpp._internals import LlamaSampler
from llama_cpp.llama_grammar import json_schema_to_gbnf

# the layout of llama.cpp's llama_token_data, for a whole-vocabulary array in numpy
_TOKEN_DATA = np.dtype([("id", np.int32), ("logit", np.float32), ("p", np.float32)],
                       align=True)


class GrammarCheck:
    """One answer's grammar state: ``allows`` a sampled token, or ``resample`` one.

    ``prefill`` are tokens already written for the model (the answer's start);
    they advance the grammar as if the model had sampled them.
    """

    def __init__(self, llm: Llama, grammar: LlamaGrammar, prefill: list[int]) -> None:
        self.n_vocab = llm.n_vocab()
        self.grammar = LlamaSampler()
        self.grammar.add_grammar(llm._model, grammar)
        self._one = (llama_cpp.llama_token_data * 1)()
        self._one_array = llama_cpp.llama_token_data_array(
            data=ctypes.cast(self._one, llama_cpp.llama_token_data_p),
            size=1, selected=-1, sorted=False)
        self.checked = 0
        self.rejected = 0
        for token in prefill:
            self.grammar.accept(token)

    def close(self) -> None:
        self.grammar.close()

    def allows(self, token: int) -> bool:
        """Whether the grammar accepts ``token`` next (without advancing it)."""
        self.checked += 1
        self._one[0] = llama_cpp.llama_token_data(token, 0.0, 0.0)
        self._one_array.size = 1
        self._one_array.selected = -1
        self._one_array.sorted = False
        llama_cpp.llama_sampler_apply(self.grammar.sampler, ctypes.byref(self._one_array))
        return not math.isinf(self._one[0].logit)

    def accept(self, token: int) -> None:
        self.grammar.accept(token)

    def resample(self, ctx: Any, index: int, chain: LlamaSampler) -> int:
        """A token for logits row ``index`` of ``ctx`` that the grammar allows:
        the vocabulary filtered by the grammar, then sampled by ``chain``."""
        self.rejected += 1
        logits = np.ctypeslib.as_array(llama_cpp.llama_get_logits_ith(ctx.ctx, index),
                                       shape=(self.n_vocab,))
        data = np.empty(self.n_vocab, dtype=_TOKEN_DATA)
        data["id"] = np.arange(self.n_vocab, dtype=np.int32)
        data["logit"] = logits
        data["p"] = 0.0
        array = llama_cpp.llama_token_data_array(
            data=data.ctypes.data_as(llama_cpp.llama_token_data_p),
            size=self.n_vocab, selected=-1, sorted=False)
        llama_cpp.llama_sampler_apply(self.grammar.sampler, ctypes.byref(array))
        llama_cpp.llama_sampler_apply(chain.sampler, ctypes.byref(array))
        if array.selected >= 0:
            token = int(array.data[array.selected].id)
        else:  # a chain without a final selector (never built here): the best allowed
            token = int(data["id"][int(np.argmax(data["logit"][:array.size]))])
        chain.accept(token)
        return token


class CheckedLlama(Llama):
    """``Llama`` whose sampling is grammar-checked while ``grammar_check`` is set."""

    grammar_check: GrammarCheck | None = None

    def sample(self, *args: Any, **kwargs: Any) -> Any:
        token = super().sample(*args, **kwargs)
        idx: int | None = kwargs.get("idx")  # Llama.generate passes it by keyword
        check = self.grammar_check
        if check is None or self._sampler is None:
            return token
        if not check.allows(token):
            index = idx - self.n_tokens if idx is not None else -1
            token = check.resample(self._ctx, index, self._sampler)
        check.accept(token)
        return token


_grammars: dict[str, LlamaGrammar] = {}

# The fenced layout (``local_fence``): a language tag, code (not empty, not opening with
# a blank line) without a triple backtick, the closing fence, then the JSON object of the
# other fields (rule ``rest``).
_FENCED_ROOT = (
    'root ::= "```" [a-zA-Z0-9_+#.-]* "\\n" fenced-code "```" [ \\t\\n]* rest\n'
    'fenced-code ::= [^`\\n] ([^`] | "`" [^`] | "``" [^`])*\n'
)


def grammar_for(schema: dict[str, Any], fence: str = "") -> LlamaGrammar:
    """The GBNF grammar of a JSON schema (built once per schema), or with ``fence``
    (the name of its first, code field) that of the fenced layout: the code in a
    Markdown fence, then the JSON object of the schema without that field."""
    key = json.dumps([schema, fence], sort_keys=True)
    if key not in _grammars:
        if not fence:
            _grammars[key] = LlamaGrammar.from_json_schema(json.dumps(schema), verbose=False)
        else:
            rest = dict(schema, properties={k: v for k, v in schema["properties"].items()
                                            if k != fence},
                        required=[k for k in schema.get("required", []) if k != fence])
            rules = json_schema_to_gbnf(json.dumps(rest))
            if len(re.findall(r"\broot\b", rules)) != 1:
                raise ValueError("unexpected grammar: 'root' used besides its definition")
            rules = re.sub(r"^root ::=", "rest ::=", rules, flags=re.MULTILINE)
            _grammars[key] = LlamaGrammar.from_string(_FENCED_ROOT + rules, verbose=False)
    return _grammars[key]
