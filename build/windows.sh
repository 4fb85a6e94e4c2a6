#!/usr/bin/env bash
# Cross-compiles the Windows x64 binary dist/win-x64/octosync.exe with MinGW-w64, with the C runtime
# linked in statically, and checks that it imports nothing but Windows system DLLs.
set -euo pipefail
# shellcheck source=build/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

TARGET=x86_64-pc-windows-gnu
OUT=dist/win-x64/octosync.exe

command -v cargo >/dev/null 2>&1 || die "cargo is required (rustup toolchain)"
need_rust_target "$TARGET"
need_tool cc gcc # the host linker, for build scripts
need_tool x86_64-w64-mingw32-gcc gcc-mingw-w64-x86-64 # linker, and C compiler for ring
need_tool x86_64-w64-mingw32-objdump binutils-mingw-w64-x86-64
need_tool file file

# +crt-static links libgcc and winpthread in statically instead of needing libgcc_s_seh-1.dll and
# libwinpthread-1.dll next to the exe. Cargo ignores target rustflags when RUSTFLAGS is set, so the
# flag goes wherever it will be read.
CRT_STATIC="-C target-feature=+crt-static"
[ -z "${CARGO_ENCODED_RUSTFLAGS:-}" ] || die "unset CARGO_ENCODED_RUSTFLAGS: it would replace the +crt-static flag this build needs"
if [ -n "${RUSTFLAGS:-}" ]; then
  export RUSTFLAGS="$RUSTFLAGS $CRT_STATIC"
else
  export CARGO_TARGET_X86_64_PC_WINDOWS_GNU_RUSTFLAGS="${CARGO_TARGET_X86_64_PC_WINDOWS_GNU_RUSTFLAGS:-} $CRT_STATIC"
fi

say "cargo build --release --locked --target $TARGET"
cargo build --release --locked --target "$TARGET"

built="$(target_dir)/$TARGET/release/octosync.exe"
[ -f "$built" ] || die "cargo did not produce $built"
mkdir -p "$(dirname "$OUT")"
cp "$built" "$OUT"

say "checking $OUT"
file_says="$(file -b "$OUT")"
echo "file: $file_says"
case "$file_says" in
  PE32+\ executable*x86-64*) ;;
  *) die "$OUT is not a PE32+ x86-64 executable" ;;
esac

# Windows system DLLs only: no MinGW runtime DLLs (libgcc_s_*, libwinpthread-*, libstdc++-*).
dlls="$(x86_64-w64-mingw32-objdump -p "$OUT" | sed -n 's/^[[:space:]]*DLL Name: //p' | tr -d '\r')"
echo "imports: $(echo "$dlls" | tr '\n' ' ')"
[ -n "$dlls" ] || die "objdump found no imported DLLs in $OUT"
while IFS= read -r dll; do
  case "$(echo "$dll" | tr '[:upper:]' '[:lower:]')" in
    kernel32.dll | ntdll.dll | ws2_32.dll | bcrypt.dll | bcryptprimitives.dll | advapi32.dll | \
      userenv.dll | msvcrt.dll | ucrtbase.dll | api-ms-win-*.dll | secur32.dll | crypt32.dll | \
      ncrypt.dll | iphlpapi.dll | mswsock.dll | ole32.dll | oleaut32.dll | shell32.dll | user32.dll | \
      dbghelp.dll | synchronization.dll) ;;
    *) die "$OUT imports $dll, which is not a Windows system DLL (is the C runtime linked dynamically?)" ;;
  esac
done <<<"$dlls"

say "built $OUT ($(du -h "$OUT" | cut -f1), $(crate_version))"
