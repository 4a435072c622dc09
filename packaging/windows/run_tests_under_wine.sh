#!/usr/bin/env bash
# Run duban's test suite with the Windows CPython under Wine (called by
# tests/test_bundle_windows.py; can be run by hand the same way).
#
# Runs the not-slow tests of tests/ (the ledger, the exchange, the reports, the command
# line, the clerk walkthrough, and tests/test_windows_files.py, which only runs on Windows),
# on a system whose code page is GBK (936) like a Chinese office PC, with a second drive
# letter for the ledger-on-another-drive test. The Qt widget tests (tests/gui/) and the
# benchmarks stay with the Linux run.
#
# Usage: run_tests_under_wine.sh [PYTEST ARGS...]   (default: the selection above)
# Exit status: pytest's.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
BUILD=$HERE/build_under_wine.sh

bash "$BUILD" setup >&2

W=${DUBAN_WINE_HOME:-${XDG_CACHE_HOME:-$HOME/.cache}/duban-wine}
export WINEPREFIX=$W/prefix
# A Chinese Windows: Wine takes the ANSI code page (936, GBK) from the Unix locale, which
# glibc must know; it is compiled into the work folder (LOCPATH), not into the system.
if [[ ! -d $W/locale/zh_CN.UTF-8 ]]; then
    mkdir -p "$W/locale"
    localedef -i zh_CN -f UTF-8 "$W/locale/zh_CN.UTF-8" || [[ -d $W/locale/zh_CN.UTF-8 ]]
fi
chinese=(env LOCPATH="$W/locale" LANG=zh_CN.UTF-8 LC_ALL=zh_CN.UTF-8)
# pytest's own report in UTF-8 (the programs under test are run without this).
export PYTHONIOENCODING=utf-8

# A second drive letter (Y:) for a ledger that is not on C:.
other=$(mktemp -d "${TMPDIR:-/tmp}/duban-drive-y.XXXXXX")
trap 'rm -rf "$other"' EXIT
ln -sfn "$other" "$WINEPREFIX/dosdevices/y:"
export DUBAN_TEST_OTHER_DRIVE=Y:

if (($# == 0)); then
    mapfile -t files < <(cd "$REPO" && ls tests/test_*.py)
    set -- -m "not slow and not bundle and not libreoffice" -q -rs --durations=10 "${files[@]}"
fi
cd "$REPO"
status=0
"${chinese[@]}" bash "$BUILD" python -m pytest -p no:cacheprovider "$@" || status=$?
rm -f "$WINEPREFIX/dosdevices/y:"
wineserver -w || true
exit "$status"
