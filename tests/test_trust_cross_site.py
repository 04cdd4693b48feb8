"""Trustworthy runs, item 4: a page on another site cannot start runs with a GET.

Over a real socket, and in Debian's Chromium: a page served from another
origin embeds ``<img src=".../optimize-stream?code=…">`` and must start nothing.
"""

from __future__ import annotations

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest
from apitools import ANSWER, ScriptedProvider, make_hub
from test_live_page import ARGS, CHROMIUM, pytestmark  # noqa: F401 - same skip rule

from interview_corvus.api.server import EmbeddedServer

QUERY = "/optimize-stream?code=print(1)&language=python"


@pytest.fixture
def served():
    hub = make_hub(ScriptedProvider(ANSWER, delay=0.001, chunk=50))
    with EmbeddedServer(hub, port=0) as server:
        yield server, hub
    hub.cancel_all()
    hub.wait_idle(5)


@pytest.mark.parametrize("headers", [
    {"Sec-Fetch-Site": "cross-site", "Sec-Fetch-Dest": "image"},
    {"Sec-Fetch-Site": "same-site"},
    {"Referer": "http://evil.example/page.html"},
])
def test_cross_site_get_is_refused_and_starts_nothing(served, headers):
    server, hub = served
    answer = httpx.get(server.url + QUERY, headers=headers, timeout=10)
    assert answer.status_code == 403
    assert "another site" in answer.json()["error"]["message"]
    assert hub.runs() == []


@pytest.mark.parametrize("headers", [
    {},  # the CLI, curl, scripts
    {"Sec-Fetch-Site": "same-origin"},  # the project's own page
    {"Sec-Fetch-Site": "none"},  # an address the user typed
])
def test_own_and_direct_gets_are_served(served, headers):
    server, hub = served
    with httpx.stream("GET", server.url + QUERY, headers=headers, timeout=10) as answer:
        assert answer.status_code == 200
        body = answer.read().decode()
    assert '"type":"done"' in body and len(hub.runs()) == 1


def test_a_foreign_page_in_chromium_starts_no_run(served):
    from playwright.sync_api import sync_playwright

    server, hub = served

    class Attacker(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_GET(self):
            page = (f'<html><body><img src="{server.url}{QUERY}">'
                    f'<script src="{server.url}{QUERY}&x=2"></script></body></html>').encode()
            self.send_response(200)
            self.send_header("content-type", "text/html")
            self.send_header("content-length", str(len(page)))
            self.end_headers()
            self.wfile.write(page)

    attacker = ThreadingHTTPServer(("127.0.0.2", 0), Attacker)  # another origin (host differs)
    threading.Thread(target=attacker.serve_forever, daemon=True).start()
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True,
                                                 args=ARGS)
            page = browser.new_page()
            sent: list[str] = []
            page.on("request", lambda r: sent.append(r.url) if "optimize-stream" in r.url
                    else None)
            page.goto(f"http://127.0.0.2:{attacker.server_address[1]}/")
            deadline = time.monotonic() + 5
            while len(sent) < 2 and time.monotonic() < deadline:
                page.wait_for_timeout(100)
            page.wait_for_timeout(500)  # the server has answered (Chromium's ORB hides it)
            browser.close()
    finally:
        attacker.shutdown()
        attacker.server_close()
    assert len(sent) == 2  # the browser did send both requests
    assert hub.runs() == []
