"""Models already on the machine: GGUF files in the usual caches, and local servers."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from interview_corvus.core.config.settings import Settings
from interview_corvus.core.providers import build_provider
from interview_corvus.core.providers.discovery import (
    FoundModel,
    discover,
    find_files,
    model_folders,
    probe_servers,
)
from interview_corvus.core.providers.local import bundled_model_path
from interview_corvus.core.runs.service import LLMService

REPO = "models--Qwen--Qwen2.5-Coder-0.5B-Instruct-GGUF"


def fake_home(tmp_path):
    """A home with the hub's layout (snapshot links to blobs) and an LM Studio folder."""
    home = tmp_path / "home"
    hub = home / ".cache" / "huggingface" / "hub" / REPO
    (hub / "blobs").mkdir(parents=True)
    (hub / "snapshots" / "abc123").mkdir(parents=True)
    os.symlink(bundled_model_path(), hub / "blobs" / "sha256-1")
    os.symlink("../../blobs/sha256-1", hub / "snapshots" / "abc123" / "coder.gguf")
    os.symlink("../../blobs/missing", hub / "snapshots" / "abc123" / "partial.gguf")
    studio = home / ".lmstudio" / "models" / "lmstudio-community" / "tiny"
    studio.mkdir(parents=True)
    (studio / "tiny-q4.gguf").write_bytes(b"GGUF" + b"\0" * 60)
    (studio / "mmproj-tiny.gguf").write_bytes(b"GGUF")  # a vision projector, not a model
    (studio / "notes.txt").write_text("not a model")
    return home


def test_files_in_the_usual_folders_are_found_with_how_to_use_them(tmp_path):
    home = fake_home(tmp_path)
    found = {m.name: m for m in find_files(model_folders({}, home))}
    hub_name = "Qwen/Qwen2.5-Coder-0.5B-Instruct-GGUF: coder.gguf"
    assert set(found) == {hub_name, "tiny-q4.gguf"}  # no dangling link, no mmproj, no txt
    coder = found[hub_name]
    assert coder.source == "huggingface" and coder.size == bundled_model_path().stat().st_size
    assert coder.settings() == {"provider": "local", "gguf_path": coder.location}
    assert found["tiny-q4.gguf"].source == "lm-studio"


def test_hf_home_and_llama_cache_are_honoured(tmp_path):
    folders = dict((str(p), s) for s, p in model_folders(
        {"HF_HOME": str(tmp_path / "hf"), "LLAMA_CACHE": str(tmp_path / "ll")}, tmp_path))
    assert folders[str(tmp_path / "hf" / "hub")] == "huggingface"
    assert folders[str(tmp_path / "ll")] == "llama.cpp"


@pytest.mark.model
def test_a_found_file_really_runs(tmp_path):
    found = [m for m in discover(probe=False, env={}, home=fake_home(tmp_path))
             if m.source == "huggingface"]
    settings = Settings(llm={**found[0].settings(), "max_tokens": 120})
    service = LLMService(settings)
    assert service.provider.name == "local"
    assert service.provider.path.name == "coder.gguf"
    partials = []
    try:
        for partial in service.get_code_optimization_stream("def f(x):\n    return x\n",
                                                            "python"):
            partials.append(partial)
    except Exception as exc:  # a 135M model may be cut off: a typed error, with partials
        assert getattr(exc, "code", None) in ("incomplete", "invalid")
    assert partials, "the model found in the hub cache streamed an answer"


class _Ollama(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def do_GET(self):
        if self.path != "/api/tags":
            self.send_error(404)
            return
        body = json.dumps({"models": [{"name": "qwen2.5-coder:7b", "size": 4_700_000_000},
                                      {"name": "llama3.2:1b", "size": 1_300_000_000}]}).encode()
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def test_a_running_ollama_is_asked_for_its_models():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Ollama)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        found = probe_servers([("ollama", base), ("lm-studio", "http://127.0.0.1:9")])
    finally:
        server.shutdown()
    assert [m.name for m in found] == ["qwen2.5-coder:7b", "llama3.2:1b"]
    assert found[0].settings() == {"provider": "openai-compatible", "base_url": f"{base}/v1",
                                   "model": "qwen2.5-coder:7b"}
    provider = build_provider(Settings(llm=found[0].settings()))
    assert provider.schema_limits("optimization", 100)["improvements"] == 3  # small: bounded


def test_corvus_models_lists_them(tmp_path):
    home = fake_home(tmp_path)
    env = {**os.environ, "HOME": str(home)}
    env.pop("HF_HOME", None)
    env.pop("HF_HUB_CACHE", None)
    done = subprocess.run([sys.executable, "-m", "interview_corvus.cli", "models", "--json",
                           "--no-probe"], capture_output=True, text=True, env=env, timeout=60)
    assert done.returncode == 0, done.stderr
    rows = [json.loads(line) for line in done.stdout.splitlines()]
    catalog = [r for r in rows if r["source"] == "catalog"]
    assert [r["name"] for r in catalog] == ["qwen2.5-coder-1.5b", "qwen2.5-coder-0.5b",
                                            "smollm2-135m"]
    rows = rows[len(catalog):]
    assert rows[0]["source"] == "bundled"
    assert {r["name"] for r in rows} >= {"tiny-q4.gguf",
                                         "Qwen/Qwen2.5-Coder-0.5B-Instruct-GGUF: coder.gguf"}
    table = subprocess.run([sys.executable, "-m", "interview_corvus.cli", "models",
                            "--no-probe"], capture_output=True, text=True, env=env, timeout=60)
    assert table.returncode == 0 and "--provider local --gguf" in table.stdout


def test_settings_dialog_uses_a_found_model(qtbot, memory_keyring):
    from interview_corvus.ui.settings.settings_dialog import SettingsDialog

    dialog = SettingsDialog(Settings())
    qtbot.addWidget(dialog)
    model = FoundModel("ollama", "qwen2.5-coder:7b", "http://127.0.0.1:11434/v1")
    dialog.use_model(model.settings())
    llm = dialog.result_settings().llm
    assert (llm.provider, llm.base_url, llm.model) == (
        "openai-compatible", "http://127.0.0.1:11434/v1", "qwen2.5-coder:7b")


@pytest.mark.parametrize("found", [
    FoundModel("lm-studio", "tiny q4.gguf", "/home/me/My Models/tiny q4.gguf", 10),
    FoundModel("ollama", "qwen2.5-coder:7b", "http://127.0.0.1:11434/v1"),
])
def test_the_flags_shown_for_a_model_give_its_settings(found):
    import shlex

    from interview_corvus.cli.common import flags_for, settings_from
    from interview_corvus.cli.main import _parser

    args = _parser().parse_args(["optimize", "x.py", *shlex.split(flags_for(found.settings()))])
    llm = settings_from(args).llm
    assert {name: getattr(llm, name) for name in found.settings()} == found.settings()


def test_corvus_models_lists_its_own_cache_and_never_folds_a_path(tmp_path):
    """The catalog's assembled or pulled files (this app's model cache) are on this
    machine too; the bundled model's size is known; a path is printed whole."""
    home = fake_home(tmp_path)
    cache = tmp_path / "deep" / ("very-long-folder-name-" * 3) / "cache"
    (cache / "models").mkdir(parents=True)
    (cache / "models" / "assembled-coder.gguf").write_bytes(b"GGUF" + b"\0" * 60)
    env = {**os.environ, "HOME": str(home), "INTERVIEW_CORVUS_CACHE_DIR": str(cache),
           "COLUMNS": "60"}
    done = subprocess.run([sys.executable, "-m", "interview_corvus.cli", "models", "--json",
                           "--no-probe"], capture_output=True, text=True, env=env, timeout=60)
    rows = [json.loads(line) for line in done.stdout.splitlines()]
    bundled = next(r for r in rows if r["source"] == "catalog" and r["status"] == "bundled")
    assert bundled["size"] and bundled["size"] > 1_000_000
    assert any(r["source"] == "corvus" and r["name"] == "assembled-coder.gguf" for r in rows)
    table = subprocess.run([sys.executable, "-m", "interview_corvus.cli", "models",
                            "--no-probe"], capture_output=True, text=True, env=env, timeout=60)
    path = str(cache / "models" / "assembled-coder.gguf")
    assert any(line.endswith(path) for line in table.stdout.splitlines()), table.stdout
    assert "smollm2-135m" in table.stdout and " MB" in table.stdout.split("smollm2-135m")[1][:40]
