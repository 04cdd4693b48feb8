from __future__ import annotations

import logging
import os
import sys
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # Qt tests run headless
sys.path.insert(0, str(Path(__file__).parent))

from servers import recorded  # noqa: F401 - a shared fixture

DEMO = Path(__file__).resolve().parent.parent / "resources" / "demo"


@pytest.fixture(autouse=True)
def _fresh_log_filters():
    """Each test sees every log record: the storm filter a CLI test installs on the root
    handlers (pytest's capture among them) would drop a message another test logged
    often, and a later test's ``caplog`` would miss it."""
    from interview_corvus.core.config.logs import RepeatFilter

    yield
    for handler in logging.getLogger().handlers:
        for kind in [f for f in handler.filters if isinstance(f, RepeatFilter)]:
            handler.removeFilter(kind)


@pytest.fixture(autouse=True)
def _isolated_dirs(tmp_path_factory, monkeypatch):
    """Settings and data never touch the real user directories."""
    base = tmp_path_factory.mktemp("corvus")
    monkeypatch.setenv("INTERVIEW_CORVUS_CONFIG_DIR", str(base / "config"))
    monkeypatch.setenv("INTERVIEW_CORVUS_DATA_DIR", str(base / "data"))
    # the model cache and the Hugging Face cache are empty: the default local model is
    # the bundled fallback unless a test installs another (tests/test_catalog.py)
    monkeypatch.setenv("INTERVIEW_CORVUS_CACHE_DIR", str(base / "cache"))
    monkeypatch.setenv("HF_HUB_CACHE", str(base / "hf-hub"))
    for name in list(os.environ):
        if name.startswith("INTERVIEW_CORVUS_LLM") or name.endswith("_API_KEY"):
            monkeypatch.delenv(name, raising=False)
    # the tests of a first answer's own error see it: self-repair (on for users) is off
    # here unless a test turns it on (tests/test_self_repair.py)
    monkeypatch.setenv("INTERVIEW_CORVUS_LLM__SELF_REPAIR", "false")
    # likewise the check of optimizations (on for users; tests/test_verify*.py turn it on)
    monkeypatch.setenv("INTERVIEW_CORVUS_LLM__VERIFY", "false")
    yield


@pytest.fixture
def demo_optimization() -> Path:
    return DEMO / "optimization.jsonl"


@pytest.fixture
def demo_solution() -> Path:
    return DEMO / "solution.jsonl"


@pytest.fixture
def memory_keyring():
    """Keys in memory: the keyring faked at the backend level only."""
    import keyring
    from keyring.backend import KeyringBackend

    class Memory(KeyringBackend):
        priority = 1

        def __init__(self):
            super().__init__()
            self.store: dict[tuple[str, str], str] = {}

        def get_password(self, service, username):
            return self.store.get((service, username))

        def set_password(self, service, username, password):
            self.store[(service, username)] = password

        def delete_password(self, service, username):
            self.store.pop((service, username), None)

    previous = keyring.get_keyring()
    keyring.set_keyring(Memory())
    yield keyring.get_keyring()
    keyring.set_keyring(previous)


@pytest.fixture
def make_app(qapp, tmp_path):
    apps: list[CorvusApp] = []

    from fakes import CODE, transcript

    from interview_corvus.core.config.settings import Settings
    from interview_corvus.core.runs.history import HistoryStore
    from interview_corvus.ui.app import CorvusApp

    def make(path: Path | None = None, **llm) -> CorvusApp:
        settings = Settings(llm={"provider": "replay",
                                 "replay_path": str(path or transcript(tmp_path)), **llm})
        corvus = CorvusApp(qapp, settings, history=HistoryStore(tmp_path / "h.sqlite3"),
                           tray=False)
        corvus.window.show()
        corvus.window.editor.setPlainText(CODE)
        apps.append(corvus)
        return corvus

    yield make
    for corvus in apps:
        corvus.window.close()
        corvus.shutdown()


@pytest.fixture
def no_keyring():
    """No keyring backend at all (what a bare Linux session has)."""
    import keyring
    from keyring.backends import fail

    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    yield
    keyring.set_keyring(previous)
