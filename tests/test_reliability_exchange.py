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


def _set_name(ledger: Path, name: str) -> None:
    from db.ledger import set_meta

    db = open_ledger(ledger)
    try:
        set_meta(db, "ledger_name", name, "test")
    finally:
        db.close()


def test_a_return_sent_to_the_wrong_office_is_refused_naming_the_office(demo_path, tmp_path):
    other = tmp_path / "两个健康办.db"
    assert duban("--db", str(other), "demo", "--no-gui").returncode == 0
    _set_name(demo_path, "示例县督查室")
    _set_name(other, "示例县两个健康办")
    [returned] = _filled_handoffs(demo_path, tmp_path / "督查室发出", "云岭乡")
    done = duban("--db", str(other), "import-returns", str(returned))
    assert done.returncode == 2
    assert "“示例县督查室”发出的填报表" in done.stdout + done.stderr
    db = open_ledger(other)
    try:
        assert db.execute("SELECT COUNT(*) FROM import_batches").fetchone()[0] == 0
    finally:
        db.close()
    survived(
        __name__, "a return sent to the wrong office (two demo ledgers)", "refused naming the office it belongs to"
    )


def test_an_export_made_before_a_merge_is_accepted_for_the_merged_unit(demo_path, tmp_path):
    from db.units import merge_units

    db = open_ledger(demo_path)
    try:
        pair = db.execute(
            "SELECT a.id, b.id, a.name, b.name FROM units a, units b WHERE a.id < b.id "
            "AND EXISTS (SELECT 1 FROM assignments WHERE unit_id = a.id) "
            "AND EXISTS (SELECT 1 FROM assignments WHERE unit_id = b.id) "
            "AND NOT EXISTS (SELECT 1 FROM assignments x JOIN assignments y ON x.key_work_id = y.key_work_id "
            "WHERE x.unit_id = a.id AND y.unit_id = b.id) LIMIT 1"
        ).fetchone()
    finally:
        db.close()
    keep_id, gone_id, keep_name, gone_name = pair
    [returned] = _filled_handoffs(demo_path, tmp_path / "合并前", gone_name)
    db = open_ledger(demo_path)
    try:
        merge_units(db, keep_id, gone_id, source="test")
    finally:
        db.close()
    done = duban("--db", str(demo_path), "import-returns", str(returned))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "疑似被改动" not in done.stdout + done.stderr
    db = open_ledger(demo_path)
    try:
        assert db.execute("SELECT unit_id FROM import_batches").fetchone()[0] == keep_id
    finally:
        db.close()
    survived(
        __name__, f"a return exported before {gone_name} was merged into {keep_name}", "imported for the merged unit"
    )


def test_hidden_characters_in_a_return_are_removed_and_reported(demo_path, tmp_path):
    import openpyxl
    from test_exchange_helpers import columns, data_rows, put_text

    [returned] = _filled_handoffs(demo_path, tmp_path / "填报表", "云岭乡")
    wb = openpyxl.load_workbook(returned)
    ws = wb.worksheets[0]
    first = min(data_rows(ws).values())
    # Excel stores a vertical tab pasted from Word as _x000B_.
    put_text(ws.cell(first, columns(ws)["进展情况"]), "完成立项_x000B_已开工\u202e")
    wb.save(returned)
    done = duban("--db", str(demo_path), "import-returns", str(returned))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "垂直制表符" in done.stdout and "已删除" in done.stdout
    db = open_ledger(demo_path)
    try:
        texts = [r[0] for r in db.execute("SELECT progress_text FROM reports WHERE progress_text LIKE '完成立项%'")]
    finally:
        db.close()
    assert texts == ["完成立项已开工"]
    ledger = duban("--db", str(demo_path), "export-ledger", "--out", str(tmp_path / "台账.xlsx"))
    assert ledger.returncode == 0, ledger.stderr
    survived(
        __name__, "a return with a vertical tab (_x000B_) and an RTL override", "cleaned, reported, export-ledger works"
    )


def test_a_handoff_appears_only_after_its_record_is_committed(demo_path, tmp_path):
    import contextlib

    from db.errors import DiskFullError
    from reports.exchange.handoff import export_handoff

    db = open_ledger(demo_path)
    unit = db.execute("SELECT id FROM units WHERE name = '云岭乡'").fetchone()[0]
    real = db.atomic

    @contextlib.contextmanager
    def commit_fails():
        with real():
            yield db
            raise DiskFullError("磁盘空间已满，写入台账失败，本次操作没有保存。")

    db.atomic = commit_fails
    out = tmp_path / "填报表"
    try:
        with pytest.raises(DiskFullError):
            export_handoff(db, ROUND, [unit], out)
        assert db.execute("SELECT COUNT(*) FROM exports").fetchone()[0] == 0
    finally:
        db.close()
    assert list(out.glob("*")) == []
    survived(__name__, "the export record's commit fails (disk full)", "no handoff file left without its record")


def test_a_refused_undo_leaves_no_backup(demo_path):
    from db.ledger import backup_catalog

    done = duban("--db", str(demo_path), "undo-import", "999")
    assert done.returncode == 2
    assert backup_catalog(demo_path) == []
    survived(__name__, "undo-import of a batch that cannot be undone", "refused, no backup written")


def test_undo_keeps_problems_that_a_later_report_states_or_that_were_handled(demo_path, tmp_path):
    from db.problems import assign_problem

    [q3] = _filled_handoffs(demo_path, tmp_path / "q3", "云岭乡")
    assert duban("--db", str(demo_path), "import-returns", str(q3)).returncode == 0
    db = open_ledger(demo_path)
    try:
        added = [r[0] for r in db.execute("SELECT row_key FROM batch_changes WHERE table_name = 'problems'")]
        assert len(added) >= 2
        assign_problem(db, int(added[0]), "县发改局", source="test")
        stated = db.execute("SELECT key_work_id, text FROM problems WHERE id = ?", [int(added[1])]).fetchone()
        unit = db.execute("SELECT id FROM units WHERE name = '云岭乡'").fetchone()[0]
        aid = db.execute(
            "SELECT id FROM assignments WHERE unit_id = ? AND key_work_id = ?", [unit, stated[0]]
        ).fetchone()[0]
    finally:
        db.close()
    assert duban("--db", str(demo_path), "round", "open", "2024Q4").returncode == 0
    db = open_ledger(demo_path)
    try:
        from db import progress as progress_mod

        # The open 2024Q4 report states the same problem again.
        progress_mod.save_report(
            db, aid, "2024Q4", {"progress_text": "继续推进", "problems": stated[1]}, source="typed"
        )
    finally:
        db.close()
    db = open_ledger(demo_path)
    try:
        batch = db.execute("SELECT id FROM import_batches").fetchone()[0]
    finally:
        db.close()
    done = duban("--db", str(demo_path), "undo-import", str(batch))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "保留了该批次带来的 2 条问题" in done.stdout and "已交办给县发改局" in done.stdout
    db = open_ledger(demo_path)
    try:
        left = {r[0] for r in db.execute("SELECT id FROM problems")}
    finally:
        db.close()
    assert int(added[0]) in left  # 交办 after the import
    assert int(added[1]) in left  # still stated by the 2024Q4 report
    assert not {int(pid) for pid in added[2:]} & left  # nothing depends on the others: removed
    survived(
        __name__, "undo of a batch whose problems were 交办 or are stated later", "those problems kept, others removed"
    )


def test_one_township_reporting_to_two_offices_keeps_their_forms_apart(demo_path, tmp_path):
    from db import progress as progress_mod

    health = tmp_path / "两个健康办.db"
    assert duban("--db", str(health), "demo", "--no-gui").returncode == 0
    _set_name(demo_path, "示例县督查室")
    _set_name(health, "示例县两个健康办")
    # Both offices number their key works and assignments alike (the same demo data): the worst case.
    [from_office] = _filled_handoffs(demo_path, tmp_path / "督查室", "云岭乡")
    [from_health] = _filled_handoffs(health, tmp_path / "健康办", "云岭乡")
    township = tmp_path / "云岭乡.db"
    assert duban("--db", str(township), "init", "--mode", "填报端").returncode == 0
    for handoff in (from_office, from_health):
        opened = duban("--db", str(township), "open-handoff", str(handoff))
        assert opened.returncode == 0, opened.stderr
    db = open_ledger(township)
    try:
        per_office = db.execute("SELECT COUNT(*) FROM assignments").fetchone()[0]
        office_db = open_ledger(demo_path)
        try:
            sent = office_db.execute(
                "SELECT COUNT(*) FROM assignments a JOIN units u ON u.id = a.unit_id WHERE u.name = '云岭乡'"
            ).fetchone()[0]
        finally:
            office_db.close()
        assert per_office == 2 * sent  # nothing overwritten
        titles = {r[0] for r in db.execute("SELECT title FROM plans")}
        assert any("示例县督查室" in t for t in titles) and any("示例县两个健康办" in t for t in titles)
        exports = {r[0] for r in db.execute("SELECT id FROM exports")}
        received = {}
        for export_id in exports:
            received[export_id] = db.execute(
                "SELECT value FROM meta WHERE key = ?", [f"handoff:{export_id}"]
            ).fetchone()
        # The clerk types one report into each office's form.
        first_local = sorted(r[0] for r in db.execute("SELECT id FROM assignments"))
        low, high = first_local[0], first_local[-1]
        progress_mod.save_report(db, low, ROUND, {"progress_text": "督查室的那一项：已完成立项"}, source="township")
        progress_mod.save_report(db, high, ROUND, {"progress_text": "健康办的那一项：已开工"}, source="township")
    finally:
        db.close()
    returns = {}
    for export_id in received:
        out = tmp_path / f"回报-{export_id[:6]}.xlsx"
        done = duban("--db", str(township), "export-return", "--export", export_id, "--out", str(out))
        assert done.returncode == 0, done.stderr
        returns[export_id] = out
    office_ids = {}
    for name, ledger in (("督查室", demo_path), ("健康办", health)):
        db = open_ledger(ledger)
        try:
            office_ids[name] = {r[0] for r in db.execute("SELECT id FROM exports")}
        finally:
            db.close()
    to_office = next(f for e, f in returns.items() if e in office_ids["督查室"])
    to_health = next(f for e, f in returns.items() if e in office_ids["健康办"])
    # Each return goes to its own office and imports there; crossed over, it is refused naming the office.
    assert duban("--db", str(demo_path), "import-returns", str(to_office)).returncode == 0
    assert duban("--db", str(health), "import-returns", str(to_health)).returncode == 0
    crossed = duban("--db", str(health), "import-returns", str(to_office))
    assert crossed.returncode == 2 and "“示例县督查室”发出的填报表" in crossed.stdout + crossed.stderr
    texts = {}
    for name, ledger in (("督查室", demo_path), ("健康办", health)):
        db = open_ledger(ledger)
        try:
            texts[name] = {
                r[0] for r in db.execute("SELECT progress_text FROM reports WHERE progress_text LIKE '%的那一项%'")
            }
        finally:
            db.close()
    assert texts == {"督查室": {"督查室的那一项：已完成立项"}, "健康办": {"健康办的那一项：已开工"}}
    survived(
        __name__,
        "one township ledger receiving two offices' handoffs with the same ids",
        f"{per_office} assignments kept apart; each return imported by its own office, the crossed one refused",
    )


def test_summary_of_faults_tried_and_survived(capsys):
    print_summary(__name__, capsys)
