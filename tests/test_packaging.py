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


def _exception_classes(path: Path) -> list[str]:
    """Classes in `path` that derive from an exception class (by the base's name)."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ClassDef):
            bases = [b.id if isinstance(b, ast.Name) else ast.unparse(b) for b in node.bases]
            if any(b.endswith(("Error", "Exception", "Mismatch")) or b in ERRORS for b in bases):
                found.append(node.name)
    return found


ERRORS = {"Unauthorized", "Overloaded", "Forbidden", "Incomplete", "Rejected", "InputTooLarge",
          "UnsupportedLanguage", "DeadlineExceeded", "JobNotFound", "JobNotDone"}  # fmt: skip


def test_error_classes_live_in_one_module_per_layer() -> None:
    """Each layer declares its errors in its errors.py; elsewhere only a private parse signal."""
    homes = {ROOT / "chains/errors.py", ROOT / "services/errors.py"}
    stray = {}
    for path in [*ROOT.glob("chains/**/*.py"), *ROOT.glob("services/**/*.py")]:
        names = [n for n in _exception_classes(path) if not n.startswith("_")]
        if names and path not in homes:
            stray[str(path.relative_to(ROOT))] = names
    assert stray == {}
    assert "Rejected" in _exception_classes(ROOT / "chains/errors.py")
    assert "BodyTooLarge" in _exception_classes(ROOT / "services/errors.py")


def test_the_cli_takes_every_exit_code_from_the_error_mapping() -> None:
    """No literal exit status in the CLI: each comes from errormap.EXIT_CODE through a typed error."""
    tree = ast.parse((ROOT / "services/cli.py").read_text(encoding="utf-8"))
    literal = [
        ast.unparse(node)
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and ast.unparse(node.func) in {"typer.Exit", "sys.exit", "SystemExit", "exit"}
        and any(isinstance(a, ast.Constant) and a.value not in (0, None) for a in node.args)
    ]
    assert literal == []


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
    assert "dragoman/services/api/static/index.html" in names
    assert "dragoman/userscripts/dragoman.user.js" in names  # served at /dragoman.user.js
    assert "dragoman/services/stores/migrations/env.py" in names
    assert "dragoman/services/stores/migrations/versions/0002_shared_jobs.py" in names


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


def locked_pins(name: str) -> dict[str, tuple[str, str]]:
    """The lock's pins: package name → (version, environment marker or "")."""
    from packaging.requirements import Requirement
    from packaging.utils import canonicalize_name

    text = (ROOT / "requirements" / name).read_text(encoding="utf-8").replace("\\\n", " ")
    pins = {}
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            requirement = Requirement(line.split(" --hash", 1)[0])
            (pin,) = requirement.specifier
            marker = str(requirement.marker) if requirement.marker else ""
            pins[canonicalize_name(requirement.name)] = (pin.version, marker)
    return pins


def declared(extras: list[str]) -> list[str]:
    """pyproject.toml's requirements with the given extras."""
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    return project["dependencies"] + [
        r for e in extras for r in project["optional-dependencies"][e]
    ]


@pytest.mark.parametrize(
    ("lock", "extras"), [("run.txt", ["embedded"]), ("test.txt", ["embedded", "test", "bench"])]
)
def test_the_lock_pins_every_declared_requirement_within_its_range(lock, extras) -> None:
    """A requirement added or narrowed in pyproject.toml without `make lock` fails here."""
    from packaging.requirements import Requirement
    from packaging.utils import canonicalize_name

    pins = locked_pins(lock)
    wrong = []
    for line in declared(extras):
        requirement = Requirement(line)
        version, _ = pins.get(canonicalize_name(requirement.name), ("", ""))
        if not version or not requirement.specifier.contains(version, prereleases=True):
            wrong.append(f"{line}: locked {version or 'nowhere'}")
    assert wrong == []


def test_make_run_installs_the_versions_make_test_does() -> None:
    run, test = locked_pins("run.txt"), locked_pins("test.txt")
    assert {name: test[name][0] for name in run if name in test} == {
        n: v for n, (v, _) in run.items()
    }
    assert test["llama-cpp-python"][0] == "0.3.36"  # the llama-server tier builds this one
