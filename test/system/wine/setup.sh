#!/usr/bin/env bash
# Makes a Wine prefix that runs peak-mem.exe (Bun's Windows build), for test/system/wine.test.ts.
# Idempotent: each step is skipped when already done, so a second run takes a second or two.
#
#   bash test/system/wine/setup.sh               install what is missing, make the prefix, add the stub
#   bash test/system/wine/setup.sh --no-install  the same without apt-get (fails if a tool is missing)
#
# The prefix is $PEAK_MEM_WINEPREFIX, by default /tmp/peak-mem-wine-$UID (Wine wants its
# prefix owned by the user running it): one of its own, never the user's ~/.wine. Steps:
#  1. Debian's wine, wine64 and MinGW-w64 (apt-get, as root; no i386 architecture needed:
#     peak-mem.exe is 64-bit, and wine64 alone runs it).
#  2. `wineboot -i` makes the prefix once.
#  3. bcryptprimitives.dll: Bun's Windows runtime imports ProcessPrng from it, and Debian 12's
#     Wine 8 has no such DLL, so peak-mem.exe would not even start. bcryptprimitives.c is a
#     stand-in that calls BCryptGenRandom; it is built with MinGW and put in system32.
#  4. layouts.c is compiled (not run): it asserts the struct offsets decode.ts reads.
# Wine's output goes to files, stdin from /dev/null: a pipe on wine's output can stay open
# until wineserver exits. wineserver is stopped at the end.
set -euo pipefail
cd "$(dirname "$0")"
here=$(pwd)

install=1
[[ "${1:-}" == "--no-install" ]] && install=0

export WINEPREFIX="${PEAK_MEM_WINEPREFIX:-/tmp/peak-mem-wine-$(id -u)}"
export WINEDEBUG=-all
# No Mono or Gecko installers (they would try to download): peak-mem needs neither.
export WINEDLLOVERRIDES="mscoree,mshtml="
log="${TMPDIR:-/tmp}/peak-mem-wine-setup.log"

say() { echo "wine setup: $*"; }

# 1. Packages
missing=()
for package in wine wine64 gcc-mingw-w64-x86-64-win32; do
  dpkg-query -W -f '${Status}' "$package" 2>/dev/null | grep -q 'ok installed' || missing+=("$package")
done
if ((${#missing[@]})); then
  if ((install == 0)); then
    say "missing ${missing[*]}: run bash test/system/wine/setup.sh (as root) to install them" >&2
    exit 1
  fi
  say "installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update >"$log" 2>&1 || { cat "$log" >&2; exit 1; }
  apt-get install -y --no-install-recommends wine wine64 gcc-mingw-w64-x86-64-win32 >>"$log" 2>&1 || { cat "$log" >&2; exit 1; }
fi

# 4 first: it needs only the compiler, and a wrong offset should stop everything.
x86_64-w64-mingw32-gcc -fsyntax-only layouts.c

# 2. Prefix
if [[ ! -f "$WINEPREFIX/system.reg" ]]; then
  say "creating the prefix $WINEPREFIX"
  mkdir -p "$WINEPREFIX"
  wineboot -i </dev/null >"$log" 2>&1 || { cat "$log" >&2; exit 1; }
  wineserver -w
fi

# 3. The ProcessPrng stub
system32="$WINEPREFIX/drive_c/windows/system32"
dll="$system32/bcryptprimitives.dll"
if [[ ! -f "$dll" || bcryptprimitives.c -nt "$dll" ]]; then
  say "building bcryptprimitives.dll into $system32"
  build=$(mktemp -d)
  x86_64-w64-mingw32-gcc -shared -O2 -s -o "$build/bcryptprimitives.dll" "$here/bcryptprimitives.c" -lbcrypt
  cp "$build/bcryptprimitives.dll" "$dll"
  rm -rf "$build"
fi

wineserver -k 2>/dev/null || true
say "ready: WINEPREFIX=$WINEPREFIX"
