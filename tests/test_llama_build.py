"""The llama.cpp builds (llama-cpp-python's libraries and llama-server) hold no instruction that
scripts/llama-build.env excludes, checked with objdump on any machine, AMX or not, and their
caches are keyed so that other settings or another CPU never get an old build back."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.llama_server import LLAMA_SERVER, SCRIPTS

# The mnemonics each excluded instruction set adds (Intel SDM, vol. 2: AMX), as objdump prints them.
MNEMONICS = {
    "amx-tile": r"ldtilecfg|sttilecfg|tilerelease|tilezero|tileloadd|tileloaddt1|tilestored",
    "amx-int8": r"tdpbssd|tdpbsud|tdpbusd|tdpbuud",
    "amx-bf16": r"tdpbf16ps",
}
# A CPU whose -march turns every one of them on (GCC: Sapphire Rapids has AMX-TILE, -INT8, -BF16).
AMX_CPU = "sapphirerapids"


def _settings(name: str) -> str:
    """A variable of scripts/llama-build.env, as the builds read it."""
    script = f'source "{SCRIPTS / "llama-build.env"}" && printf %s "${name}"'
    return subprocess.run(["bash", "-c", script], capture_output=True, text=True, check=True).stdout


def _excluded() -> list[str]:
    """The instruction sets the settings turn off (-mno-X)."""
    return [flag.removeprefix("-mno-") for flag in _settings("LLAMA_ARCH_FLAGS").split()]


def _found(binary: Path) -> dict[str, int]:
    """How many instructions of each excluded set `binary` holds."""
    listing = subprocess.run(
        ["objdump", "-d", "--no-show-raw-insn", str(binary)],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    counts = {}
    for extension in _excluded():
        counts[extension] = len(re.findall(rf"\t({MNEMONICS[extension]})\b", listing))
    return counts


def _macros(*flags: str) -> set[str]:
    """The AMX macros GCC defines with these flags."""
    out = subprocess.run(
        ["gcc", *flags, "-dM", "-E", "-"], input="", capture_output=True, text=True, check=True
    ).stdout
    return set(re.findall(r"#define (__AMX_\w+__)", out))


pytestmark = pytest.mark.skipif(not shutil.which("objdump"), reason="binutils is not installed")


def test_settings_exclude_amx_and_every_excluded_set_is_checked() -> None:
    assert {"amx-tile", "amx-int8"} <= set(_excluded())  # ggml's AMX path needs both
    assert set(_excluded()) <= set(MNEMONICS), "a flag whose instructions nothing checks"
    assert "-DGGML_NATIVE=ON" in _settings("LLAMA_CMAKE_ARGS").split()


def test_the_flags_win_over_native_on_an_amx_cpu_whatever_their_order() -> None:
    flags = _settings("LLAMA_ARCH_FLAGS").split()
    assert _macros(f"-march={AMX_CPU}") >= {"__AMX_TILE__", "__AMX_INT8__"}  # the control
    # ggml appends -march=native after CMAKE_C_FLAGS: GCC's explicit -mno-* still wins.
    assert _macros(*flags, f"-march={AMX_CPU}") == set()
    assert _macros(f"-march={AMX_CPU}", *flags) == set()


def test_objdump_sees_amx_instructions(tmp_path: Path) -> None:
    """The control: a binary that has them is caught, so a clean result means something."""
    source, binary = tmp_path / "amx.s", tmp_path / "amx.o"
    source.write_text("ldtilecfg (%rax)\ntilezero %tmm4\ntdpbssd %tmm2, %tmm1, %tmm0\n")
    subprocess.run(["as", str(source), "-o", str(binary)], check=True)
    assert _found(binary) == {"amx-tile": 2, "amx-int8": 1, "amx-bf16": 0}


def test_the_embedded_build_holds_no_excluded_instruction() -> None:
    llama_cpp = pytest.importorskip("llama_cpp", reason="the [embedded] extra is not installed")
    libraries = sorted((Path(llama_cpp.__file__).parent / "lib").glob("libggml-cpu*.so*"))
    assert libraries, "llama-cpp-python has no libggml-cpu"
    for library in [*libraries, *(Path(llama_cpp.__file__).parent / "lib").glob("libllama*.so*")]:
        assert not any(_found(library).values()), (library, _found(library))


def test_llama_server_holds_no_excluded_instruction() -> None:
    if not LLAMA_SERVER.is_file():
        pytest.skip(f"llama-server is not built at {LLAMA_SERVER}; run `make real-server`")
    assert not any(_found(LLAMA_SERVER).values()), _found(LLAMA_SERVER)


def _key(scripts: Path, cc: str | None = None) -> str:
    env = {**os.environ, "CC": cc} if cc else dict(os.environ)
    return subprocess.run(
        [scripts / "llama-build-key.sh", "0.3.36"], env=env, capture_output=True, text=True,
        check=True,
    ).stdout.strip()  # fmt: skip


def test_the_cache_key_changes_with_the_settings_and_the_cpu(tmp_path: Path) -> None:
    scripts = tmp_path / "scripts"
    shutil.copytree(SCRIPTS, scripts)
    first = _key(scripts)
    assert first.startswith("0.3.36-") and first == _key(scripts)
    # Another CPU: the compiler resolves -march=native to other instruction sets.
    other_cpu = tmp_path / "cc"
    other_cpu.write_text(
        '#!/bin/sh\nif [ "$1" = --version ]; then exec cc --version; fi\n'
        'echo " /usr/lib/gcc/cc1 -E -quiet -v - -march=sapphirerapids -mamx-tile" >&2\n'
    )
    other_cpu.chmod(0o755)
    assert _key(scripts, str(other_cpu)) != first
    # Other settings: the same CPU builds afresh.
    env = scripts / "llama-build.env"
    env.write_text(env.read_text().replace("-mno-amx-bf16", ""))
    assert _key(scripts) != first
