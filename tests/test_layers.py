"""core/ (and later api/) never import Qt: import them with PyQt6 blocked."""

from __future__ import annotations

import pkgutil
import subprocess
import sys
from pathlib import Path

import interview_corvus

HEADLESS = ("interview_corvus.core", "interview_corvus.api", "interview_corvus.cli")


def test_headless_packages_import_without_pyqt6():
    root = Path(interview_corvus.__file__).parent
    modules = ["interview_corvus.cli"]
    for info in pkgutil.walk_packages([str(root)], "interview_corvus."):
        if info.name.startswith(HEADLESS) and not info.name.endswith(".__main__"):
            modules.append(info.name)  # (a __main__ runs the program when imported)
    assert any(m.startswith("interview_corvus.core.providers") for m in modules)
    script = (
        "import sys\n"
        "class Block:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name == 'PyQt6' or name.startswith('PyQt6.'):\n"
        "            raise ImportError('PyQt6 is blocked in headless layers')\n"
        "sys.meta_path.insert(0, Block())\n"
        f"for m in {modules!r}:\n"
        "    __import__(m)\n"
        "assert not any(k.startswith('PyQt6') for k in sys.modules)\n"
    )
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          check=False)
    assert proc.returncode == 0, proc.stderr


def test_import_linter_contract():
    proc = subprocess.run([str(Path(sys.executable).parent / "lint-imports")],
                          capture_output=True, text=True, check=False,
                          cwd=Path(interview_corvus.__file__).parent.parent)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_ruff_is_clean():
    root = Path(interview_corvus.__file__).parent.parent
    proc = subprocess.run([sys.executable, "-m", "ruff", "check", "interview_corvus", "tests",
                           "scripts"], capture_output=True, text=True, check=False, cwd=root)
    assert proc.returncode == 0, proc.stdout


def test_mypy_is_clean():
    """Types are checked (``[tool.mypy]``): mypy found real defects here, e.g. a widget
    attribute shadowing ``QMainWindow.actions()`` and a regex shadowing a parser state."""
    root = Path(interview_corvus.__file__).parent.parent
    proc = subprocess.run([sys.executable, "-m", "mypy"], capture_output=True, text=True,
                          check=False, cwd=root)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_modules_stay_small():
    """Modules of at most 300 lines (the incremental parser and the sandboxed runner are
    the exceptions)."""
    root = Path(interview_corvus.__file__).parent
    large = {str(p.relative_to(root)): n for p in root.rglob("*.py")
             if (n := len(p.read_text(encoding="utf-8").splitlines())) > 300}
    # the sandboxed runner is one file: `python -I` runs it alone, with no package path
    assert set(large) <= {"core/stream/partial_json.py", "core/verify/child.py"}, large


def test_no_module_of_the_package_imports_itself_back():
    """No import cycles (``main_window`` and ``window_keys`` once imported each other),
    type-checking imports included: each direct import has no chain back."""
    import grimp

    graph = grimp.build_graph("interview_corvus", cache_dir=None)
    cycles = [(importer, imported) for importer in sorted(graph.modules)
              for imported in sorted(graph.find_modules_directly_imported_by(importer))
              if graph.find_shortest_chain(importer=imported, imported=importer)]
    assert not cycles
