#!/usr/bin/env bash
# Builds the static Linux x64 binary dist/linux-x64/octosync (musl libc, no dynamic dependencies),
# checks that it is static and smoke-tests it with `octosync demo`.
set -euo pipefail
# shellcheck source=build/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

TARGET=x86_64-unknown-linux-musl
OUT=dist/linux-x64/octosync

command -v cargo >/dev/null 2>&1 || die "cargo is required (rustup toolchain)"
need_rust_target "$TARGET"
need_tool cc gcc # the host linker, for build scripts
need_tool musl-gcc musl-tools # ring compiles C and assembly for the target
need_tool file file

say "cargo build --release --locked --target $TARGET"
CC_x86_64_unknown_linux_musl=musl-gcc cargo build --release --locked --target "$TARGET"

built="$(target_dir)/$TARGET/release/octosync"
[ -f "$built" ] || die "cargo did not produce $built"
mkdir -p "$(dirname "$OUT")"
cp "$built" "$OUT"
chmod 755 "$OUT"

say "checking that $OUT is static"
file_says="$(file -b "$OUT")"
echo "file: $file_says"
case "$file_says" in
  *ELF\ 64-bit*x86-64*) ;;
  *) die "$OUT is not an x86-64 ELF executable" ;;
esac
case "$file_says" in
  *"statically linked"* | *"static-pie linked"*) ;;
  *) die "$OUT is not statically linked" ;;
esac
# ldd exits non-zero for a static binary; only its message matters.
ldd_says="$(ldd "$OUT" 2>&1 || true)"
echo "ldd: $ldd_says"
case "$ldd_says" in
  *"not a dynamic executable"* | *"statically linked"*) ;;
  *) die "ldd lists dynamic dependencies for $OUT" ;;
esac

say "smoke test: $OUT --version and $OUT demo"
version="$(crate_version)"
version_says="$("$OUT" --version)"
[ "$version_says" = "octosync $version" ] || die "$OUT --version printed '$version_says', expected 'octosync $version'"
report_dir="$(mktemp -d)"
trap 'rm -rf "$report_dir"' EXIT
if ! "$OUT" demo --report-dir "$report_dir" >"$report_dir/demo.log" 2>&1; then
  tail -n 40 "$report_dir/demo.log" >&2
  die "$OUT demo failed (last lines above)"
fi
tail -n 3 "$report_dir/demo.log"

say "built $OUT ($(du -h "$OUT" | cut -f1), $version)"
