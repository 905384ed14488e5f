#!/usr/bin/env bash
# Prints the cache key of a llama.cpp build: VERSION-<hash of the build settings, the compiler and
# the instruction sets -march=native resolves to here>. A native build made with other settings, by
# another compiler or on another CPU is never handed back from a cache.
# Usage: llama-build-key.sh VERSION [FILE...]   (FILEs: build scripts whose text is part of the key)
set -euo pipefail
here="$(dirname "$0")"
# shellcheck source=llama-build.env
source "${LLAMA_BUILD_ENV:-$here/llama-build.env}"
native="$(${CC:-cc} -march=native -E -v - </dev/null 2>&1 | sed -n 's/.* - -march=/-march=/p' \
  | sed 's/ -dumpbase.*//; s/--param [^ ]*//g')"
hash="$(printf '%s\n' "$LLAMA_CMAKE_ARGS" "$LLAMA_ARCH_FLAGS" "$(${CC:-cc} --version | head -1)" "$native" \
  | cat - "${@:2}" | sha256sum | cut -c1-12)"
echo "$1-$hash"
