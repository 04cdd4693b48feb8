"""The model catalog: chunk packages assembled once into the cache, verified by sha256,
the best installed model chosen, tampered bytes refused (real files, small data)."""

from __future__ import annotations

import hashlib
import json
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from interview_corvus.core import catalog
from interview_corvus.core.catalog import entries, store
from interview_corvus.core.errors import BadRequest, Unavailable


@pytest.fixture
def cache(tmp_path, monkeypatch) -> Path:
    monkeypatch.setenv("INTERVIEW_CORVUS_CACHE_DIR", str(tmp_path / "cache"))
    return tmp_path / "cache" / "models"


def chunk_packages(root: Path, prefix: str, chunks: list[bytes]) -> tuple[str, ...]:
    """Packages laid out as the registry's chunk wheels install: NAME/data/partNN.bin,
    and an __init__ that must never run (it would raise)."""
    names = []
    for index, chunk in enumerate(chunks, 1):
        package = root / f"{prefix}{index}"
        (package / "data").mkdir(parents=True)
        (package / "__init__.py").write_text("raise RuntimeError('imported')\n")
        (package / "data" / f"part{index:02d}.bin").write_bytes(chunk)
        names.append(package.name)
    return tuple(names)


@pytest.fixture
def fake_model(tmp_path, monkeypatch, cache):
    chunks = [b"GGUF" + bytes(range(256)) * 40, b"second" * 999, b"end"]
    whole = b"".join(chunks)
    root = tmp_path / "site"
    monkeypatch.syspath_prepend(str(root))
    parts = chunk_packages(root, "corvus_fake_part", chunks)
    model = replace(entries.CODER_05B, name="fake-coder", size=len(whole),
                    sha256=hashlib.sha256(whole).hexdigest(), filename="fake.gguf",
                    parts=parts, hf_repo="")
    return model, whole, root


def test_chunks_assemble_once_into_the_cache_with_progress(fake_model, cache):
    model, whole, _ = fake_model
    assert catalog.status(model) == "packages"
    seen: list[tuple[str, int, int]] = []
    path = catalog.ensure(model, lambda what, done, total: seen.append((what, done, total)))
    assert path == cache / "fake.gguf" and path.read_bytes() == whole
    assert seen[-1] == (f"Preparing {model.title}", len(whole), len(whole))
    assert [done for _, done, _ in seen] == sorted(done for _, done, _ in seen)
    assert "corvus_fake_part1" not in sys.modules  # located, never imported
    assert catalog.status(model) == "installed"
    seen.clear()
    assert catalog.ensure(model, lambda *a: seen.append(a)) == path and not seen  # no re-read
    assert not list(cache.glob("*.partial"))


def test_a_changed_file_is_verified_again(fake_model, cache):
    model, _, _ = fake_model
    path = catalog.ensure(model)
    path.write_bytes(b"tampered")
    assert store.verified_path(model) is None
    assert catalog.ensure(model).read_bytes() != b"tampered"  # assembled again from chunks


def test_tampered_chunks_are_refused_and_leave_nothing(fake_model, cache):
    model, _, root = fake_model
    (root / "corvus_fake_part2" / "data" / "part02.bin").write_bytes(b"evil" * 10)
    with pytest.raises(BadRequest, match="Refusing the chunk packages of fake-coder"):
        catalog.ensure(model)
    assert not (cache / "fake.gguf").exists() and not list(cache.glob(".*partial"))
    assert catalog.status(model) == "packages"


def test_a_missing_part_means_not_installed(fake_model):
    model, _, root = fake_model
    (root / "corvus_fake_part3" / "data" / "part03.bin").unlink()
    assert catalog.status(model) == "available"
    with pytest.raises(Unavailable, match=r"pip install -e '\.\[coder-small\]' or corvus "
                                          r"models pull fake-coder"):
        catalog.ensure(model)


@pytest.mark.parametrize("record", ["{not json", "[" * 100_000, '{"sha256": 5}', "[]",
                                    '{"path": "/dev/zero", "size": 0, "mtime_ns": 0}'])
def test_a_broken_record_is_not_believed(fake_model, cache, record):
    model, _, _ = fake_model
    catalog.ensure(model)
    (cache / f"{model.name}.json").write_text(record)
    assert store.verified_path(model) is None


def test_the_best_present_model_is_chosen(fake_model, monkeypatch):
    model, _, _ = fake_model
    weaker = replace(model, name="weaker", rank=model.rank - 1)
    stronger = replace(entries.CODER_15B, parts=("corvus_no_such_part",), hf_repo="")
    chosen = catalog.choose(catalog=[entries.FALLBACK, weaker, stronger, model])
    assert chosen.model is model and chosen.status == "packages" and not chosen.ready
    catalog.ensure(model)
    assert catalog.choose(catalog=[entries.FALLBACK, stronger, model]).ready
    only_fallback = catalog.choose(catalog=[entries.FALLBACK, stronger])
    assert only_fallback.model is entries.FALLBACK and only_fallback.ready


def test_names_are_checked():
    assert catalog.by_name(" Qwen2.5-Coder-1.5B ") is entries.CODER_15B
    with pytest.raises(BadRequest, match=r"qwen2\.5-coder-1\.5b, qwen2\.5-coder-0\.5b"):
        catalog.by_name("gpt-5")


def test_the_catalog_pins_every_downloadable_model():
    for model in catalog.CATALOG:
        if model.bundled_package:
            continue
        assert len(model.sha256) == 64 and model.size > 0 and model.licence
        assert model.hf_repo and model.hf_file.endswith(".gguf") and model.parts
        assert model.extra
    assert entries.CODER_15B.describe() == "Qwen2.5-Coder-1.5B-Instruct (1.5B, Q4_K_M, 1.12 GB)"


def test_the_fallback_ships_in_its_package():
    path = store.bundled_path(entries.FALLBACK)
    assert path is not None and path.stat().st_size > 50_000_000
    assert catalog.status(entries.FALLBACK) == "bundled"


def test_records_hold_no_more_than_the_file(fake_model, cache):
    model, whole, _ = fake_model
    catalog.ensure(model)
    record = json.loads((cache / f"{model.name}.json").read_text())
    assert set(record) == {"path", "sha256", "size", "mtime_ns"}
    assert record["size"] == len(whole)
