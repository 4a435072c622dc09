"""Every way a return can be wrong is rejected with its reason, and nothing else changes."""

from __future__ import annotations

import shutil
from datetime import datetime, timedelta

import openpyxl
import pytest
from test_exchange_helpers import ROUND, columns, data_rows, fill, ledger_dump, put_text, set_saved_at, unit_id

from db.round_closing import close_round, reopen_round
from reports.exchange.handoff import EXPORT_ID_PROPERTY, HIDDEN_SHEET, export_handoff
from reports.exchange.importing import import_returns, preview_returns


@pytest.fixture
def handoff(demo_db, tmp_path):
    """城东街道's handoff for 2024Q3: every row pre-filled with exactly what the ledger holds."""
    [f] = export_handoff(demo_db, ROUND, [unit_id(demo_db, "城东街道")], tmp_path / "out")
    return f


def edit(path, change) -> None:
    wb = openpyxl.load_workbook(path)
    change(wb, wb.worksheets[0])
    wb.save(path)


def only_file(db, path, **kwargs):
    [result] = import_returns(db, [path], **kwargs)
    return result


def test_an_untouched_handoff_changes_nothing(demo_db, handoff):
    before = ledger_dump(demo_db)
    res = only_file(demo_db, handoff.path)
    assert not res.rejected and not res.applied
    assert res.counts["unchanged"] == handoff.rows
    assert "无需改动" in res.notice
    assert ledger_dump(demo_db) == before


def test_row_copied_from_another_units_workbook_is_rejected(demo_db, handoff, tmp_path):
    [other] = export_handoff(demo_db, ROUND, [unit_id(demo_db, "城西街道")], tmp_path / "other")
    src = openpyxl.load_workbook(other.path).worksheets[0]
    foreign_aid = next(
        a for a in data_rows(src) if a not in data_rows(openpyxl.load_workbook(handoff.path).worksheets[0])
    )
    foreign_row = [c.value for c in src[data_rows(src)[foreign_aid]]]

    def paste(wb, ws):
        r = ws.max_row + 1
        for i, value in enumerate(foreign_row, 1):
            ws.cell(r, i).value = value
        ws.cell(r, columns(ws)["进展情况"]).value = "冒名填写的进展"

    edit(handoff.path, paste)
    before = ledger_dump(demo_db)
    res = only_file(demo_db, handoff.path)
    [rejected] = [r for r in res.rows if r.outcome == "rejected"]
    assert rejected.assignment_id == foreign_aid
    assert "不在发给城东街道的填报表中" in rejected.reason
    assert ledger_dump(demo_db) == before


def test_edited_locked_cells_are_ignored_and_reported(demo_db, handoff):
    def tamper(wb, ws):
        r = next(iter(data_rows(ws).values()))
        col = columns(ws)
        ws.cell(r, col["目标"]).value = "目标改成了 1 项"
        ws.cell(r, col["本单位分工"]).value = "配合"

    edit(handoff.path, tamper)
    before = ledger_dump(demo_db)
    res = only_file(demo_db, handoff.path)
    assert not res.rejected and res.counts["unchanged"] == handoff.rows
    assert len(res.locked_changes) == 2
    assert any("“目标”被改动" in m for m in res.locked_changes)
    assert ledger_dump(demo_db) == before


@pytest.mark.parametrize("recorded", [True, False], ids=["export-recorded", "older-export"])
def test_locked_cells_are_compared_with_what_was_exported(demo_db, handoff, recorded):
    aid = sorted(data_rows(openpyxl.load_workbook(handoff.path).worksheets[0]))[0]
    kw = demo_db.execute("SELECT key_work_id FROM assignments WHERE id = ?", [aid]).fetchone()[0]
    if not recorded:
        # An export made before the sent locked cells were recorded.
        demo_db.execute("UPDATE exports SET locked_cells = NULL WHERE id = ?", [handoff.export_id])
    # The office edits the task after the handoff went out.
    demo_db.execute("UPDATE key_works SET title = title || '（调整）' WHERE id = ?", [kw])
    demo_db.execute("UPDATE targets SET text = text || '，再增 5 个' WHERE key_work_id = ?", [kw])
    edit(handoff.path, lambda wb, ws: ws.cell(data_rows(ws)[aid], columns(ws)["时间节点"], "改成明年"))
    before = ledger_dump(demo_db)
    res = only_file(demo_db, handoff.path)
    assert not res.rejected and res.counts["unchanged"] == handoff.rows
    changed = sorted(m.split("“")[1].split("”")[0] for m in res.locked_changes)
    # With the record only the cell the clerk really changed is reported; without it the
    # office's own edits look like the clerk's (the old behaviour, kept for old exports).
    assert changed == (["时间节点"] if recorded else ["时间节点", "目标", "重点工作"])
    assert ledger_dump(demo_db) == before


@pytest.mark.parametrize("new_id", ["other-row", "99999", "abc"])
def test_a_changed_assignment_id_is_rejected(demo_db, handoff, new_id):
    def tamper(wb, ws):
        rows = list(data_rows(ws).items())
        (_aid, r), (other_aid, _r2) = rows[0], rows[1]
        value = other_aid if new_id == "other-row" else new_id
        ws.cell(r, columns(ws)["分工编号"]).value = int(value) if str(value).isdigit() else value
        ws.cell(r, columns(ws)["进展情况"]).value = "改了编号的行"

    edit(handoff.path, tamper)
    before = ledger_dump(demo_db)
    res = only_file(demo_db, handoff.path)
    rejected = [r for r in res.rows if r.outcome == "rejected"]
    assert len(rejected) == 1
    reason = rejected[0].reason
    expected = {"other-row": "对不上", "99999": "不在发给城东街道", "abc": "无效"}[new_id]
    assert expected in reason
    assert ledger_dump(demo_db) == before


def test_a_new_row_typed_at_the_bottom_is_rejected(demo_db, handoff):
    def add(wb, ws):
        r = ws.max_row + 2
        ws.cell(r, columns(ws)["重点工作"]).value = "自行增加的工作"
        ws.cell(r, columns(ws)["进展情况"]).value = "新增行的进展"

    edit(handoff.path, add)
    before = ledger_dump(demo_db)
    res = only_file(demo_db, handoff.path)
    [rejected] = [r for r in res.rows if r.outcome == "rejected"]
    assert "没有分工编号" in rejected.reason
    assert ledger_dump(demo_db) == before


@pytest.mark.parametrize("where", ["both", "sheet-only", "property-only", "neither"])
def test_forged_or_missing_export_id_is_rejected(demo_db, handoff, where):
    def forge(wb, ws):
        fake = "0123456789abcdef0123456789abcdef"
        if where in ("both", "sheet-only"):
            wb[HIDDEN_SHEET]["B2"].value = fake
        if where in ("both", "property-only"):
            for p in wb.custom_doc_props:
                if p.name == EXPORT_ID_PROPERTY:
                    p.value = fake
        if where == "neither":
            del wb[HIDDEN_SHEET]
            wb.custom_doc_props.props.clear()
        put_text(ws.cell(5, columns(ws)["进展情况"]), "伪造文件的进展")

    edit(handoff.path, forge)
    before = ledger_dump(demo_db)
    res = only_file(demo_db, handoff.path)
    expected = {
        "both": "没有发出记录",
        "sheet-only": "不一致",
        "property-only": "不一致",
        "neither": "不是 duban 导出的填报表",
    }
    assert expected[where] in res.rejected
    assert not res.rows
    assert ledger_dump(demo_db) == before


def test_identity_survives_losing_one_of_its_two_places(demo_db, handoff):
    def drop(wb, ws):
        wb.custom_doc_props.props.clear()
        put_text(ws.cell(5, columns(ws)["进展情况"]), "只剩隐藏页标识")

    edit(handoff.path, drop)
    res = only_file(demo_db, handoff.path)
    assert res.applied and res.unit == "城东街道" and res.counts["changed"] == 1


def test_a_round_claim_that_disagrees_with_the_export_record_is_rejected(demo_db, handoff):
    edit(handoff.path, lambda wb, ws: wb[HIDDEN_SHEET].cell(4, 2, "2024Q2"))
    before = ledger_dump(demo_db)
    res = only_file(demo_db, handoff.path)
    assert "不符" in res.rejected
    assert ledger_dump(demo_db) == before


def test_a_return_for_a_closed_round_is_refused_until_reopened(demo_db, handoff):
    fill(
        handoff.path,
        {
            next(iter(sorted(data_rows(openpyxl.load_workbook(handoff.path).worksheets[0])))): {
                "progress_text": "关闭后才送来的进展"
            }
        },
    )
    close_round(demo_db, ROUND)
    before = ledger_dump(demo_db)
    res = only_file(demo_db, handoff.path)
    assert "已关闭" in res.rejected and "重新打开" in res.rejected
    assert ledger_dump(demo_db) == before
    reopen_round(demo_db, ROUND)
    res = only_file(demo_db, handoff.path)
    assert res.applied and res.counts["changed"] == 1


def test_bad_values_are_each_reported_and_keep_their_previous_value(demo_db, handoff):
    # Issue 13: a bad field no longer drops its row; it keeps its previous value, the report is
    # marked 部分退回 (rejected_fields) and every other row and field applies.
    ws = openpyxl.load_workbook(handoff.path).worksheets[0]
    aids = sorted(data_rows(ws))
    bad = {
        aids[0]: {"percent": 150},
        aids[1]: {"percent": "大概一半"},
        aids[2]: {"reported_status": "差不多"},
        aids[3]: {"progress_text": "too long"},
    }
    good = {aids[4]: {"progress_text": "这一行是好的", "percent": "６０"}}
    fill(handoff.path, {**bad, **good})

    def too_long(wb, ws):
        # openpyxl cuts text at 32,767 characters when assigned; other programs may write more.
        cell = ws.cell(data_rows(ws)[aids[3]], columns(ws)["进展情况"])
        cell._value = "长" * 32768

    edit(handoff.path, too_long)
    values = "progress_text, percent, reported_status, problems, next_steps, review, updated_at"
    untouched = {
        a: demo_db.execute(
            f"SELECT {values} FROM reports WHERE assignment_id = ? AND round_id = ?", [a, ROUND]
        ).fetchone()
        for a in bad
    }
    res = only_file(demo_db, handoff.path)
    reasons = {r.assignment_id: r.reason for r in res.rows if r.rejected_fields}
    assert set(reasons) == set(bad)
    assert "0 到 100" in reasons[aids[0]] and "150" in reasons[aids[0]]
    assert "大概一半" in reasons[aids[1]]
    assert "差不多" in reasons[aids[2]] and "序时推进" in reasons[aids[2]]
    assert "32,767" in reasons[aids[3]]
    assert res.applied and res.counts["changed"] == 5 and res.counts["rejected"] == 0
    for a, row in untouched.items():
        assert (
            demo_db.execute(
                f"SELECT {values} FROM reports WHERE assignment_id = ? AND round_id = ?", [a, ROUND]
            ).fetchone()
            == row
        )
        marked = demo_db.execute(
            "SELECT rejected_fields FROM reports WHERE assignment_id = ? AND round_id = ?", [a, ROUND]
        ).fetchone()[0]
        assert marked and list(bad[a])[0] in marked
    assert demo_db.execute(
        "SELECT progress_text, percent, rejected_fields FROM reports WHERE assignment_id = ? AND round_id = ?",
        [aids[4], ROUND],
    ).fetchone() == ("这一行是好的", 60.0, None)


def test_only_bad_values_change_no_value_but_mark_the_report(demo_db, handoff):
    aids = sorted(data_rows(openpyxl.load_workbook(handoff.path).worksheets[0]))
    fill(handoff.path, {aids[0]: {"percent": -1}, aids[1]: {"reported_status": "完成了吧"}})
    before = ledger_dump(demo_db, skip=("reports", "audit_log", "import_batches", "batch_changes"))
    values = "progress_text, percent, reported_status, problems, next_steps, review"
    reports_before = demo_db.execute(f"SELECT {values} FROM reports ORDER BY id").fetchall()
    res = only_file(demo_db, handoff.path)
    assert res.counts["rejected"] == 0 and res.counts["changed"] == 2 and res.applied
    assert all(not row.changes or set(row.changes) == {"rejected_fields"} for row in res.rows)
    assert ledger_dump(demo_db, skip=("reports", "audit_log", "import_batches", "batch_changes")) == before
    assert demo_db.execute(f"SELECT {values} FROM reports ORDER BY id").fetchall() == reports_before


@pytest.mark.parametrize(
    ("typed", "number_format", "expected"),
    [
        ("５０", None, 50.0),
        ("50%", None, 50.0),
        ("50％", None, 50.0),
        ("五成", None, 50.0),
        ("七成半", None, 75.0),
        (" 60 ", None, 60.0),
        (0.5, "0%", 50.0),
        (33.3, None, 33.3),
        ("百分之八十", None, 80.0),
        (None, None, None),
    ],
)
def test_percent_is_normalised(demo_db, handoff, typed, number_format, expected):
    aid = sorted(data_rows(openpyxl.load_workbook(handoff.path).worksheets[0]))[0]

    def type_in(wb, ws):
        cell = ws.cell(data_rows(ws)[aid], columns(ws)["完成进度(%)"])
        cell.value = typed
        if number_format:
            cell.number_format = number_format

    edit(handoff.path, type_in)
    [res] = preview_returns(demo_db, [handoff.path])
    [row] = [r for r in res.rows if r.assignment_id == aid]
    assert row.outcome in ("changed", "unchanged"), row.reason
    assert row.fields["percent"] == expected


def test_status_synonyms_are_understood(demo_db, handoff):
    aids = sorted(data_rows(openpyxl.load_workbook(handoff.path).worksheets[0]))
    fill(
        handoff.path,
        {
            aids[0]: {"reported_status": " 滞后 "},
            aids[1]: {"reported_status": "完成"},
            aids[2]: {"reported_status": "未开始"},
        },
    )
    res = only_file(demo_db, handoff.path)
    got = [
        demo_db.execute(
            "SELECT reported_status FROM reports WHERE assignment_id = ? AND round_id = ?", [a, ROUND]
        ).fetchone()[0]
        for a in aids[:3]
    ]
    assert res.counts["rejected"] == 0
    assert got == ["进度滞后", "已完成", "未启动"]


def test_an_older_file_after_a_newer_one_needs_force(demo_db, handoff, tmp_path):
    aid = sorted(data_rows(openpyxl.load_workbook(handoff.path).worksheets[0]))[0]
    older, newer = tmp_path / "older.xlsx", tmp_path / "newer.xlsx"
    shutil.copy(handoff.path, older)
    shutil.copy(handoff.path, newer)
    now = datetime.utcnow().replace(microsecond=0)
    fill(older, {aid: {"progress_text": "旧版本"}}, saved_at=now - timedelta(hours=2))
    fill(newer, {aid: {"progress_text": "新版本"}}, saved_at=now - timedelta(hours=1))

    def text():
        return demo_db.execute(
            "SELECT progress_text FROM reports WHERE assignment_id = ? AND round_id = ?", [aid, ROUND]
        ).fetchone()[0]

    assert only_file(demo_db, newer).applied
    before = ledger_dump(demo_db)
    res = only_file(demo_db, older)
    assert res.needs_force and not res.applied and "--force" in res.notice
    assert ledger_dump(demo_db) == before and text() == "新版本"
    assert only_file(demo_db, older, force=True).applied
    assert text() == "旧版本"


def test_two_returns_in_one_go_the_newer_wins_whatever_the_order(demo_db, handoff, tmp_path):
    aid = sorted(data_rows(openpyxl.load_workbook(handoff.path).worksheets[0]))[0]
    first, second = tmp_path / "a.xlsx", tmp_path / "b.xlsx"
    shutil.copy(handoff.path, first)
    shutil.copy(handoff.path, second)
    now = datetime.utcnow().replace(microsecond=0)
    fill(first, {aid: {"progress_text": "后保存的"}}, saved_at=now)
    fill(second, {aid: {"progress_text": "先保存的"}}, saved_at=now - timedelta(days=1))
    results = import_returns(demo_db, [first, second])
    assert [r.applied for r in results] == [True, True]
    assert (
        demo_db.execute(
            "SELECT progress_text FROM reports WHERE assignment_id = ? AND round_id = ?", [aid, ROUND]
        ).fetchone()[0]
        == "后保存的"
    )


def test_saved_time_is_read_from_the_workbook(handoff):
    from reports.exchange.returns import read_return

    set_saved_at(handoff.path, datetime(2024, 10, 3, 8, 30))
    assert read_return(handoff.path).saved_at == "2024-10-03T08:30:00"
