#!/usr/bin/env bash
# language_tool_python's own tests, which its PyPI sdist leaves out (its MANIFEST.in prunes tests/),
# taken from the release's git tag into a cache outside the checkout: they are GPL-3.0 and
# Dragoman is MIT, so they are never copied into this repository. The folder becomes ltp_tests,
# so that its package never shadows Dragoman's own `tests` package.
# Usage: fetch-lt-suite.sh VERSION DEST   (does nothing when DEST/ltp_tests exists)
set -euo pipefail
version="$1" dest="$2"
if [ -d "$dest/ltp_tests" ]; then exit 0; fi
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
repo=https://github.com/jxmorris12/language_tool_python.git
for tag in "$version" "v$version"; do  # the project has tagged releases both ways
    git clone --quiet --depth 1 --branch "$tag" "$repo" "$work/repo" 2>/dev/null && break
done
[ -d "$work/repo/tests" ] || { echo "no tests/ at tag $version of $repo" >&2; exit 1; }
mkdir -p "$dest"
echo "git $repo tag $tag $(git -C "$work/repo" rev-parse HEAD)" > "$dest/SOURCE"
mv "$work/repo/tests" "$dest/ltp_tests"
