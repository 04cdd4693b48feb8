"""Run ``python -m llama_cpp.server`` with the project's llama.cpp crash workaround.

Same server and arguments as ``python -m llama_cpp.server``; the weights are
loaded without llama.cpp's extra buffer types (see
``interview_corvus.core.providers.local_worker._without_extra_buffers``), which crash
batched prompt evaluation on some AMX CPUs in VMs.
"""

from __future__ import annotations

import runpy

from interview_corvus.core.providers.local_worker import _without_extra_buffers

if __name__ == "__main__":
    with _without_extra_buffers():
        runpy.run_module("llama_cpp.server", run_name="__main__", alter_sys=True)
