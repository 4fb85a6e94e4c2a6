# Helpers shared by the build scripts. Sourced, not run; it moves to the repository root.
# shellcheck shell=bash

cd "$(dirname "${BASH_SOURCE[0]}")/.." || exit 1

say() { printf '==> %s\n' "$*"; }
die() {
  printf 'error: %s\n' "$*" >&2
  exit 1
}

# Runs a command as root: directly when we are root, through sudo otherwise.
as_root() {
  if [ "$(id -u)" -eq 0 ]; then
    "$@"
  elif command -v sudo >/dev/null 2>&1; then
    sudo "$@"
  else
    die "need root (or sudo) to run: $*"
  fi
}

# need_tool COMMAND DEBIAN-PACKAGE: installs the package with apt-get when COMMAND is missing.
# `apt-get update` runs at most once per build (BUILD_APT_UPDATED is inherited by the other scripts).
need_tool() {
  local cmd="$1" package="$2"
  if command -v "$cmd" >/dev/null 2>&1; then
    return 0
  fi
  command -v apt-get >/dev/null 2>&1 ||
    die "$cmd is missing and there is no apt-get to install it: install the package that provides it ($package on Debian)"
  if [ "${BUILD_APT_UPDATED:-}" != 1 ]; then
    say "apt-get update"
    as_root apt-get update -qq
    export BUILD_APT_UPDATED=1
  fi
  say "apt-get install $package (for $cmd)"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$package" >/dev/null
  command -v "$cmd" >/dev/null 2>&1 || die "$package was installed but $cmd is still missing"
}

# need_rust_target TRIPLE: adds the standard library for TRIPLE to the active toolchain.
need_rust_target() {
  command -v rustup >/dev/null 2>&1 || die "rustup is required (https://rustup.rs)"
  if ! rustup target list --installed | grep -qx "$1"; then
    say "rustup target add $1"
    rustup target add "$1"
  fi
}

# The crate's metadata as one line of JSON.
cargo_metadata() {
  cargo metadata --no-deps --format-version 1
}

# The crate version from Cargo.toml, e.g. 0.1.0.
crate_version() {
  local version
  if command -v python3 >/dev/null 2>&1; then
    version="$(cargo_metadata | python3 -c 'import json, sys; print(next(p["version"] for p in json.load(sys.stdin)["packages"] if p["name"] == "octosync"))')"
  else
    version="$(cargo_metadata | grep -o '"name":"octosync","version":"[^"]*"' | sed 's/.*"version":"\([^"]*\)"/\1/')"
  fi
  [ -n "$version" ] || die "could not read the crate version from cargo metadata"
  printf '%s\n' "$version"
}

# Cargo's target directory (honours CARGO_TARGET_DIR and .cargo/config.toml).
target_dir() {
  local dir
  if command -v python3 >/dev/null 2>&1; then
    dir="$(cargo_metadata | python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')"
  else
    dir="$(cargo_metadata | grep -o '"target_directory":"[^"]*"' | sed 's/.*:"\([^"]*\)"/\1/')"
  fi
  [ -n "$dir" ] || die "could not read the target directory from cargo metadata"
  printf '%s\n' "$dir"
}
