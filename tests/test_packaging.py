"""Dragoman installs under one `dragoman` namespace, and layers import only each other's surface."""

from __future__ import annotations

import ast
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def test_layers_import_only_public_surfaces() -> None:
    """services and bench import chains and prompts through package `__init__`s, never deeper."""
    public = {"dragoman.chains", "dragoman.chains.translate", "dragoman.chains.proofread",
              "dragoman.chains.markup", "dragoman.prompts"}  # fmt: skip
    offenders = []
    for path in [*ROOT.glob("services/**/*.py"), *ROOT.glob("bench/*.py")]:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                inner = node.module.startswith(("dragoman.chains", "dragoman.prompts"))
                if inner and node.module not in public:
                    offenders.append(f"{path.relative_to(ROOT)}: {node.module}")
    assert offenders == []


def test_chains_never_import_services_or_fastapi() -> None:
    offenders = []
    for path in ROOT.glob("chains/**/*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else []
            if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            if any(n.startswith(("dragoman.services", "fastapi", "httpx", "os")) for n in names):
                offenders.append(f"{path.relative_to(ROOT)}: {names}")
    assert offenders == []


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
         "-w", str(out), str(ROOT)],
        check=True, capture_output=True, timeout=300,
    )  # fmt: skip
    return next(out.glob("dragoman-*.whl"))


def test_the_wheel_holds_only_the_dragoman_namespace(wheel: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    tops = {name.split("/")[0] for name in names if not name.startswith("dragoman-")}
    assert tops == {"dragoman"}
    assert "dragoman/prompts/translate.chat.system.md" in names
    assert "dragoman/services/presets.toml" in names
    assert "dragoman/services/static/index.html" in names
    assert "dragoman/services/migrations/env.py" in names
    assert "dragoman/services/migrations/versions/0002_shared_jobs.py" in names


def test_install_beside_unrelated_services_and_prompts_packages(
    wheel: Path, tmp_path: Path
) -> None:
    """Another project's top-level `services` and `prompts` stay importable next to Dragoman."""
    target = tmp_path / "site"
    for name in ("services", "prompts"):
        (target / name).mkdir(parents=True)
        (target / name / "__init__.py").write_text(f"WHO = 'someone else’s {name}'\n")
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(target),
         str(wheel)],
        check=True, capture_output=True, timeout=300,
    )  # fmt: skip
    probe = tmp_path / "probe.py"
    probe.write_text(
        "import sys\n"
        "sys.path.insert(0, sys.argv[1])  # the installed copy first; the venv gives dependencies\n"
        "import prompts, services\n"
        "import dragoman.services\n"
        "from dragoman.prompts import prompt_files\n"
        "from dragoman.services.cli import app\n"
        "assert services.WHO.endswith('services') and prompts.WHO.endswith('prompts')\n"
        "assert 'translate.chat.system.md' in prompt_files()\n"
        "assert dragoman.services.__file__.startswith(sys.argv[1]), dragoman.services.__file__\n"
    )
    result = subprocess.run(
        [sys.executable, "-I", str(probe), str(target)], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
