#!/usr/bin/env bash
# Builds both binaries (unless --no-build) and packs them for an Octopus package feed:
# dist/octosync.<version>.zip with octosync (Linux x64), octosync.exe (Windows x64) and README.txt.
set -euo pipefail
# shellcheck source=build/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

usage() {
  echo "usage: build/package.sh [--no-build]"
  echo "  --no-build  pack the binaries already in dist/ instead of building them"
}

build=1
for arg in "$@"; do
  case "$arg" in
    --no-build) build=0 ;;
    -h | --help)
      usage
      exit 0
      ;;
    *)
      usage >&2
      die "unknown argument: $arg"
      ;;
  esac
done

if [ "$build" = 1 ]; then
  # One after the other: each build already uses every core.
  bash build/linux.sh
  bash build/windows.sh
fi

LINUX=dist/linux-x64/octosync
WINDOWS=dist/win-x64/octosync.exe
for f in "$LINUX" "$WINDOWS"; do
  [ -f "$f" ] || die "$f is missing: run build/package.sh without --no-build (or build/linux.sh and build/windows.sh)"
done
need_tool zip zip

version="$(crate_version)"
# The built-in feed takes the package id and version from the file name: <PackageId>.<SemVer>.zip.
zip_path="dist/octosync.$version.zip"

staging="$(mktemp -d)"
trap 'rm -rf "$staging"' EXIT
cp "$LINUX" "$staging/octosync"
chmod 755 "$staging/octosync"
cp "$WINDOWS" "$staging/octosync.exe"
cat >"$staging/README.txt" <<README
octosync $version: keeps an Octopus Deploy space in sync with a space on another instance.

  octosync      Linux x64 (static, runs on any distribution). Run by the step template
                "OctoSync - Sync Space (Bash)".
  octosync.exe  Windows x64. Run by the step template "OctoSync - Sync Space (PowerShell)".

Upload this package to the Octopus built-in feed and choose it in the step's "octosync package"
parameter. Both binaries read their settings from OCTOSYNC_* environment variables, which the step
templates set from their parameters; "octosync --help" lists the commands.
README

say "packing $zip_path"
rm -f "$zip_path" # zip adds to an existing archive
(cd "$staging" && zip -q -X "$OLDPWD/$zip_path" octosync octosync.exe README.txt)

say "contents of $zip_path"
if command -v python3 >/dev/null 2>&1; then
  python3 - "$zip_path" <<'PY'
import sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as z:
    for i in z.infolist():
        print(f"  {i.file_size:>10}  {oct(i.external_attr >> 16 & 0o777)}  {i.filename}")
PY
else
  zip -sf "$zip_path"
fi
echo "$(pwd)/$zip_path"
