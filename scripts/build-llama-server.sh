#!/usr/bin/env bash
# Builds llama.cpp's llama-server from the sources vendored in the pinned llama-cpp-python sdist.
# Usage: build-llama-server.sh VERSION CACHE_DIR   (prints the binary's path; built once per machine)
set -euo pipefail
version="$1"
cache="$2/$version"
binary="$cache/bin/llama-server"
if [ -x "$binary" ]; then echo "$binary"; exit 0; fi
for tool in cmake g++; do
  command -v "$tool" >/dev/null || { echo "llama-server build: $tool is not installed" >&2; exit 1; }
done
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
pip download --quiet --no-deps --no-binary :all: "llama-cpp-python==$version" -d "$work" >&2
tar -xzf "$work"/llama_cpp_python-"$version".tar.gz -C "$work"
src="$work/llama_cpp_python-$version/vendor/llama.cpp"
# Server target only: no HTTPS, no web UI download, static so the binary stands alone.
cmake -S "$src" -B "$work/build" -DCMAKE_BUILD_TYPE=Release -DBUILD_SHARED_LIBS=OFF \
  -DLLAMA_OPENSSL=OFF -DLLAMA_BUILD_UI=OFF -DLLAMA_USE_PREBUILT_UI=OFF \
  -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF -DLLAMA_BUILD_SERVER=ON >&2
cmake --build "$work/build" --target llama-server -j "$(nproc)" >&2
mkdir -p "$cache/bin.partial"
cp "$work/build/bin/llama-server" "$cache/bin.partial/"
rm -rf "$cache/bin" && mv "$cache/bin.partial" "$cache/bin"  # atomic: a killed build leaves no half binary
echo "$binary"
