#!/usr/bin/env bash
# Builds llama.cpp's llama-server from the sources vendored in the pinned llama-cpp-python sdist,
# with the settings of llama-build.env. Usage: build-llama-server.sh VERSION DEST
# (DEST is keyed by llama-build-key.sh; prints the binary's path; builds only when DEST has none)
set -euo pipefail
version="$1"
dest="$2"
binary="$dest/bin/llama-server"
if [ -x "$binary" ]; then echo "$binary"; exit 0; fi
for tool in cmake g++; do
  command -v "$tool" >/dev/null || { echo "llama-server build: $tool is not installed" >&2; exit 1; }
done
# shellcheck source=llama-build.env
source "${LLAMA_BUILD_ENV:-$(dirname "$0")/llama-build.env}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
python3 -m pip download --quiet --no-deps --no-binary :all: "llama-cpp-python==$version" -d "$work" >&2
tar -xzf "$work"/llama_cpp_python-"$version".tar.gz -C "$work"
src="$work/llama_cpp_python-$version/vendor/llama.cpp"
# Server target only: no HTTPS, no web UI download, static so the binary stands alone.
# shellcheck disable=SC2086 # LLAMA_CMAKE_ARGS is a list of arguments
CFLAGS="$LLAMA_ARCH_FLAGS" CXXFLAGS="$LLAMA_ARCH_FLAGS" cmake -S "$src" -B "$work/build" \
  -DCMAKE_BUILD_TYPE=Release -DBUILD_SHARED_LIBS=OFF $LLAMA_CMAKE_ARGS \
  -DLLAMA_OPENSSL=OFF -DLLAMA_BUILD_UI=OFF -DLLAMA_USE_PREBUILT_UI=OFF \
  -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF -DLLAMA_BUILD_SERVER=ON >&2
cmake --build "$work/build" --target llama-server -j "$(nproc)" >&2
mkdir -p "$dest/bin.partial"
cp "$work/build/bin/llama-server" "$dest/bin.partial/"
rm -rf "$dest/bin" && mv "$dest/bin.partial" "$dest/bin"  # atomic: a killed build leaves no half binary
echo "$binary"
