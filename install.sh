#!/bin/sh
# Installs peak-mem from a GitHub release:
#   curl -fsSL https://github.com/peak-mem/peak-mem/releases/latest/download/install.sh | sh
#
# Environment (all optional):
#   PEAK_MEM_VERSION      the release to install, e.g. v0.2.0 (default: the latest)
#   PEAK_MEM_INSTALL_DIR  where to put peak-mem (default: /usr/local/bin when writable, else ~/.local/bin)
#   PEAK_MEM_BASE_URL     where releases are, laid out as GitHub does: BASE/latest/download/FILE and
#                         BASE/download/VERSION/FILE (default: https://github.com/peak-mem/peak-mem/releases)
#   PEAK_MEM_INSTALL_OS, PEAK_MEM_INSTALL_ARCH, PEAK_MEM_INSTALL_LIBC
#                         override detection (linux/darwin, x64/arm64, glibc/musl): meant for tests
#
# POSIX sh only: it runs under dash and BusyBox ash (Alpine, minimal images), not only bash.
# Everything is inside main(), called on the last line, so a download cut short runs nothing.

set -u

say() {
    printf 'peak-mem install: %s\n' "$*" >&2
}

die() {
    printf 'peak-mem install: error: %s\n' "$*" >&2
    exit 1
}

# The release file for this system, as src/build.ts names them (RELEASE_TARGETS).
detect_target() {
    os=${PEAK_MEM_INSTALL_OS:-$(uname -s 2>/dev/null || echo unknown)}
    arch=${PEAK_MEM_INSTALL_ARCH:-$(uname -m 2>/dev/null || echo unknown)}
    case $os in
        Linux | linux) os=linux ;;
        Darwin | darwin) os=darwin ;;
        MINGW* | MSYS* | CYGWIN* | Windows_NT | windows)
            die "Windows is not supported by this script: download peak-mem-windows-x64.exe from the release page" ;;
        *) die "unsupported operating system '$os': releases exist for Linux and macOS" ;;
    esac
    case $arch in
        x86_64 | amd64 | x64) arch=x64 ;;
        aarch64 | arm64) arch=arm64 ;;
        *) die "unsupported architecture '$arch' on $os: releases exist for x86-64 and arm64" ;;
    esac
    # An x64 shell under Rosetta 2 on Apple silicon: the native build is the one to run.
    if [ "$os" = darwin ] && [ "$arch" = x64 ] && [ -z "${PEAK_MEM_INSTALL_ARCH:-}" ] &&
        [ "$(sysctl -n sysctl.proc_translated 2>/dev/null)" = 1 ]; then
        arch=arm64
    fi
    file=peak-mem-$os-$arch
    if [ "$os" = linux ]; then
        libc=${PEAK_MEM_INSTALL_LIBC:-$(detect_libc)}
        case $libc in
            glibc | gnu) ;;
            musl) file=$file-musl ;;
            *) die "unsupported C library '$libc': releases exist for glibc and musl" ;;
        esac
    fi
}

# musl's ldd names itself; failing that, a musl loader and no glibc one (Debian may have both).
detect_libc() {
    if ldd --version 2>&1 | grep -qi musl; then
        echo musl
    elif ls /lib/ld-musl-*.so.1 >/dev/null 2>&1 && ! ls /lib*/ld-linux*.so.* /lib/*/ld-linux*.so.* >/dev/null 2>&1; then
        echo musl
    else
        echo glibc
    fi
}

pick_downloader() {
    if command -v curl >/dev/null 2>&1; then
        downloader=curl
    elif command -v wget >/dev/null 2>&1; then
        downloader=wget
    else
        die "neither curl nor wget is installed: install one of them and run this again"
    fi
}

# download URL FILE: fails with one line naming the URL (curl -f and wget fail on HTTP errors).
download() {
    case $downloader in
        curl)
            # https only, also across redirects, where the URL is https (a mirror or a test may
            # be http). POSIX sh has no local variables: dl_ names keep clear of main's.
            dl_url=$1 dl_out=$2
            case $dl_url in
                https://*) set -- --proto =https --tlsv1.2 ;;
                *) set -- ;;
            esac
            curl -fsSL --retry 3 "$@" -o "$dl_out" "$dl_url" 2>/dev/null ||
                die "cannot download $dl_url (curl exit $?): check the version, the URL and your network"
            ;;
        wget)
            wget -q -O "$2" "$1" 2>/dev/null ||
                die "cannot download $1 (wget exit $?): check the version, the URL and your network"
            ;;
    esac
}

# Chosen before anything is downloaded: with nothing to check it with, nothing is installed.
pick_hasher() {
    if command -v sha256sum >/dev/null 2>&1; then
        hasher=sha256sum
    elif command -v shasum >/dev/null 2>&1; then
        hasher=shasum
    elif command -v openssl >/dev/null 2>&1; then
        hasher=openssl
    else
        die "no sha256sum, shasum or openssl to check the download with: install one of them"
    fi
}

# sha256 FILE: its digest in lower-case hex.
sha256() {
    case $hasher in
        sha256sum) sha256sum "$1" | cut -d ' ' -f 1 ;;
        shasum) shasum -a 256 "$1" | cut -d ' ' -f 1 ;;
        openssl) openssl dgst -sha256 "$1" | sed 's/^.*= *//' ;;
    esac
}

# The first of $PEAK_MEM_INSTALL_DIR, a writable /usr/local/bin, ~/.local/bin.
pick_dir() {
    if [ -n "${PEAK_MEM_INSTALL_DIR:-}" ]; then
        dir=$PEAK_MEM_INSTALL_DIR
    elif [ -d /usr/local/bin ] && [ -w /usr/local/bin ]; then
        dir=/usr/local/bin
    elif [ -n "${HOME:-}" ]; then
        dir=$HOME/.local/bin
    else
        die "no install directory: /usr/local/bin is not writable and HOME is not set (set PEAK_MEM_INSTALL_DIR)"
    fi
    mkdir -p "$dir" 2>/dev/null || die "cannot create $dir: set PEAK_MEM_INSTALL_DIR to a directory you can write"
    [ -w "$dir" ] || die "cannot write to $dir: run as a user who can, or set PEAK_MEM_INSTALL_DIR"
}

main() {
    for arg in "$@"; do
        case $arg in
            -h | --help)
                sed -n '2,12s/^# \{0,1\}//p' "$0" 2>/dev/null ||
                    echo "see https://github.com/peak-mem/peak-mem#install"
                exit 0 ;;
            *) printf 'peak-mem install: error: unknown argument %s (settings are environment variables: see --help)\n' "$arg" >&2; exit 2 ;;
        esac
    done
    detect_target
    pick_downloader
    pick_hasher
    base=${PEAK_MEM_BASE_URL:-https://github.com/peak-mem/peak-mem/releases}
    base=${base%/}
    version=${PEAK_MEM_VERSION:-latest}
    case $version in
        latest) url=$base/latest/download ;;
        v[0-9]* | [0-9]*)
            version=v${version#v}
            case $version in
                *[!A-Za-z0-9.+-]*) die "invalid PEAK_MEM_VERSION '$PEAK_MEM_VERSION': expected a release tag such as v0.2.0" ;;
            esac
            url=$base/download/$version ;;
        *) die "invalid PEAK_MEM_VERSION '$version': expected a release tag such as v0.2.0" ;;
    esac
    pick_dir

    tmp=$(mktemp -d 2>/dev/null || mktemp -d -t peak-mem) || die "cannot create a temporary directory"
    # Whatever happens from here, the download goes; only a verified binary is ever moved in.
    trap 'rm -rf "$tmp" "$dir/.peak-mem.new.$$"' EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM

    say "downloading $file ($version) from $url"
    download "$url/SHA256SUMS" "$tmp/SHA256SUMS"
    download "$url/$file" "$tmp/$file"
    expected=$(awk -v f="$file" '$2 == f || $2 == "*" f { print $1; exit }' "$tmp/SHA256SUMS")
    [ -n "$expected" ] || die "SHA256SUMS has no line for $file: refusing to install it"
    actual=$(sha256 "$tmp/$file")
    [ -n "$actual" ] || die "cannot compute the sha256 of $file"
    if [ "$(echo "$expected" | tr 'A-F' 'a-f')" != "$actual" ]; then
        die "checksum mismatch for $file (expected $expected, got $actual): refusing to install it"
    fi

    # Copied beside the target, then renamed over it: a running peak-mem is never half-written.
    target=$dir/peak-mem
    if ! { cp "$tmp/$file" "$dir/.peak-mem.new.$$" && chmod 755 "$dir/.peak-mem.new.$$" && mv -f "$dir/.peak-mem.new.$$" "$target"; }; then
        die "cannot install to $target"
    fi

    if installed=$("$target" --version 2>/dev/null); then
        say "installed $installed to $target"
    else
        say "installed $target, but it does not start here"
        if [ "$file" != "${file%-musl}" ]; then
            say "on Alpine, Bun's runtime needs: apk add libstdc++ libgcc"
        fi
    fi
    case ":${PATH:-}:" in
        *":$dir:"*) ;;
        *) say "$dir is not on your PATH: add it, e.g. export PATH=\"$dir:\$PATH\" in your shell's profile" ;;
    esac
}

main "$@"
