#!/usr/bin/env bash
# Run duban's test suite with the Windows CPython under Wine (called by
# tests/test_bundle_windows.py; can be run by hand the same way).
#
# By default runs the not-slow tests of the ledger's rules, the exchange, the command line, the
# task-list readers, output files, the clerk walkthrough, and tests/test_windows_files.py (which
# only runs on Windows); give pytest arguments to run others (e.g. `-m "not slow" tests/`),
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
    # The ledger's rules, the exchange, the command line, the clerk walkthrough and the Windows file
    # behaviour: what an office PC runs. Reports, task-list corpus and reliability faults (POSIX tmpfs,
    # kill -9) stay with the Linux run, which runs every test.
    files=(
        tests/test_rules_status.py tests/test_rules_deadlines.py tests/test_rules_values.py
        tests/test_status_rules.py tests/test_deadlines.py tests/test_units.py tests/test_rounds.py
        tests/test_ledger_file.py tests/test_typed_reports.py tests/test_report_fields.py
        tests/test_plausibility.py tests/test_value_readings.py tests/test_xlsx_reader.py
        tests/test_exchange_helpers.py tests/test_exchange_roundtrip.py tests/test_exchange_rejections.py
        tests/test_exchange_cli.py tests/test_tasklist_text.py tests/test_tasklist_excel.py
        tests/test_output_files.py tests/test_clerk_walkthrough.py tests/test_windows_files.py
    )
    set -- -m "not slow and not bundle and not libreoffice" -q -rfEs --durations=10 "${files[@]}"
fi
cd "$REPO"
status=0
"${chinese[@]}" bash "$BUILD" python -m pytest -p no:cacheprovider "$@" || status=$?
rm -f "$WINEPREFIX/dosdevices/y:"
wineserver -w || true
exit "$status"
