"""The exchange under a real office's conditions (issue 15, items 1, 5, 6, 11, 12): zips, offices, undo, merges."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from reliability_faults import duban, print_summary, survived
from test_exchange_helpers import ROUND, clerk_values, fill, indicator_headers

from db.ledger import open_ledger

pytestmark = pytest.mark.slow


def _filled_handoffs(ledger: Path, out: Path, *units: str) -> list[Path]:
    args = ["--db", str(ledger), "export-handoff", "--round", ROUND, "--out", str(out)]
    args += ["--all"] if not units else ["--unit", *units]
    done = duban(*args)
    assert done.returncode == 0, done.stderr
    files = sorted(out.glob("*.xlsx"))
    for k, path in enumerate(files):
        headers = indicator_headers(path)
        fill(path, {aid: clerk_values(aid, k + i, headers[aid]) for i, aid in enumerate(sorted(headers))})
    return files


def _gbk_zip(target: Path, members: dict[str, bytes]) -> None:
    """Write a zip whose member names are GBK bytes without the UTF-8 flag, as Chinese Windows archivers do."""
    placeholders = {}
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zf:
        for i, (name, data) in enumerate(members.items()):
            raw = name.encode("gbk")
            stand_in = f"{i:03d}".ljust(len(raw), "q")
            assert len(stand_in.encode()) == len(raw)
            placeholders[stand_in.encode()] = raw
            zf.writestr(stand_in, data)
    blob = target.read_bytes()
    for stand_in, raw in placeholders.items():
        assert blob.count(stand_in) == 2
        blob = blob.replace(stand_in, raw)
    target.write_bytes(blob)


def test_zip_inside_a_zip_is_imported_and_a_third_level_is_named(demo_path, tmp_path):
    files = _filled_handoffs(demo_path, tmp_path / "填报表", "云岭乡", "北山镇")
    inner = tmp_path / "北山镇.zip"
    with zipfile.ZipFile(inner, "w") as zf:
        zf.write(files[0], files[0].name)
    deepest = tmp_path / "最里层.zip"
    with zipfile.ZipFile(deepest, "w") as zf:
        zf.writestr("x.xlsx", b"not really")
    middle = tmp_path / "中间层.zip"
    with zipfile.ZipFile(middle, "w") as zf:
        zf.write(deepest, deepest.name)
    outer = tmp_path / "全县回收.zip"
    with zipfile.ZipFile(outer, "w") as zf:
        zf.write(inner, "乡镇/北山镇.zip")
        zf.write(files[1], files[1].name)
        zf.write(middle, "中间层.zip")
    done = duban("--db", str(demo_path), "import-returns", str(outer))
    assert "程序内部出错" not in done.stderr
    out = done.stdout + done.stderr
    assert "层数太多" in out and "中间层.zip/最里层.zip" in out
    db = open_ledger(demo_path)
    try:
        imported = {r[0] for r in db.execute("SELECT file_name FROM import_batches")}
    finally:
        db.close()
    assert imported == {files[0].name, files[1].name}
    survived(__name__, "a zip inside the zip of returns", "opened one level deep and imported; a third level named")


def test_junk_entries_do_not_count_and_members_keep_the_clerks_names(demo_path, tmp_path):
    files = _filled_handoffs(demo_path, tmp_path / "填报表")
    members = {f"回收/{f.name}": f.read_bytes() for f in files}
    # A macOS archiver adds a resource-fork entry for every file (and there are many more files).
    for i in range(520):
        members[f"__MACOSX/回收/._{i:04d}.xlsx"] = b"\0\5\26\7"
    members["回收/城东街道回报（损坏）.xlsx"] = b"PK\3\4 this is not a workbook"
    archive = tmp_path / "回收.zip"
    _gbk_zip(archive, members)
    done = duban("--db", str(demo_path), "import-returns", str(archive))
    out = done.stdout + done.stderr
    assert "超过" not in out, out
    assert "城东街道回报（损坏）.xlsx" in out
    assert "0001.xlsx" not in out and "0025.xlsx" not in out
    db = open_ledger(demo_path)
    try:
        assert db.execute("SELECT COUNT(*) FROM import_batches").fetchone()[0] == len(files)
    finally:
        db.close()
    survived(
        __name__,
        f"zip of {len(files)} returns + 520 __MACOSX entries, GBK names, one damaged member",
        "all returns imported; the damaged one named as the clerk named it",
    )


def test_summary_of_faults_tried_and_survived(capsys):
    print_summary(__name__, capsys)
