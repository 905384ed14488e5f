#!/usr/bin/env bash
# Prints an interpreter of Python VERSION (3.12): pythonVERSION on PATH if it runs, else pyenv's.
# Usage: find-python.sh VERSION
set -euo pipefail
for candidate in "python$1" "$(pyenv root 2>/dev/null)"/versions/"$1".*/bin/"python$1"; do
  if "$candidate" -c 'import sys' >/dev/null 2>&1; then command -v "$candidate"; exit 0; fi
done
echo "no Python $1 found (on PATH or in pyenv)" >&2
exit 1
