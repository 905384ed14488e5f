#!/usr/bin/env bash
# Builds the llama-cpp-python wheel pinned in LOCK (its sdist's hashes checked) with the settings of
# llama-build.env, into DEST (keyed by llama-build-key.sh). pip's own wheel cache is bypassed: it is
# keyed by the sdist alone and would hand back a wheel built with other settings or on another CPU.
# Usage: build-llama-cpp-python.sh PYTHON LOCK DEST   (prints the wheel's path; builds once per DEST)
set -euo pipefail
python="$1" lock="$2" dest="$3"
wheel() { compgen -G "$dest/llama_cpp_python-*.whl" | head -1; }
if [ -n "$(wheel)" ]; then wheel; exit 0; fi
# shellcheck source=llama-build.env
source "${LLAMA_BUILD_ENV:-$(dirname "$0")/llama-build.env}"
requirement="$(mktemp)"
trap 'rm -f "$requirement"; rm -rf "$dest.partial"' EXIT
# The pin and its hash lines, as the lock writes them.
awk '/^llama-cpp-python==/ {on = 1; print; next} on && /^ +--hash/ {print; next} {on = 0}' \
  "$lock" > "$requirement"
grep -q -- --hash "$requirement" || { echo "no hashed llama-cpp-python pin in $lock" >&2; exit 1; }
echo "building llama-cpp-python (about 10 minutes, once per build setting and CPU)" >&2
CFLAGS="$LLAMA_ARCH_FLAGS" CXXFLAGS="$LLAMA_ARCH_FLAGS" CMAKE_ARGS="$LLAMA_CMAKE_ARGS" \
  "$python" -m pip wheel --quiet --no-deps --no-cache-dir --require-hashes \
  --build-constraint "$(dirname "$lock")/build.txt" -r "$requirement" -w "$dest.partial" >&2
mkdir -p "$(dirname "$dest")"
rm -rf "$dest" && mv "$dest.partial" "$dest"  # atomic: a killed build leaves no half wheel
wheel
