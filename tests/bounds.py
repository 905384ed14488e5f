"""What a call costs in memory, for tests that bound it: how far the process's resident set peaks
above its size at the start (Linux's VmHWM, reset first), native allocations (libxml2, lexbor)
included, which tracemalloc does not see."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

MB = 1 << 20
_STATUS = Path("/proc/self/status")
_CLEAR_REFS = Path("/proc/self/clear_refs")


@dataclass
class Peak:
    """The bytes by which the resident set peaked above its size at the start."""

    growth: int = 0


def _bytes(field: str) -> int:
    found = re.search(rf"^{field}:\s+(\d+) kB", _STATUS.read_text(), re.M)
    assert found, field
    return int(found.group(1)) * 1024


@contextmanager
def peak_memory() -> Iterator[Peak]:
    """Measure the peak growth of the resident set over the block, even when it raises."""
    try:
        _CLEAR_REFS.write_text("5")  # resets VmHWM to the current resident size (Linux >= 4.0)
    except OSError:
        pytest.skip("needs Linux's /proc/self/clear_refs to reset the peak resident size")
    peak = Peak()
    start = _bytes("VmRSS")
    try:
        yield peak
    finally:
        peak.growth = _bytes("VmHWM") - start
