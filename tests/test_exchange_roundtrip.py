"""Export → fill as a clerk → import gives back exactly what was filled, for every demo unit."""

from __future__ import annotations

import json

import openpyxl
import pytest
from test_exchange_helpers import (
    ROUND,
    clerk_values,
    data_rows,
    expected_fields,
    fill,
    indicator_headers,
    ledger_dump,
    unit_id,
)

from db.import_batches import list_batches, undo_import
from db.ledger import open_ledger
from reports.exchange.handoff import (
    COMMENT_HEADER,
    EXPORT_ID_PROPERTY,
    HIDDEN_SHEET,
    STATUS_LIST_NAME,
    export_handoff,
    handoff_file_name,
)
from reports.exchange.importing import import_returns
from reports.exchange.township import export_return, open_handoff


def fill_all(files) -> dict[int, dict]:
    """Fill every row of every handoff; return the values typed, by assignment id."""
    typed: dict[int, dict] = {}
    for f in files:
        headers = indicator_headers(f.path)
        values = {aid: clerk_values(aid, k, headers[aid]) for k, aid in enumerate(sorted(headers))}
        fill(f.path, values, reporter=f"{f.unit}联络员", phone="013857610001")
        typed.update({aid: {**v, "unit": f.unit} for aid, v in values.items()})
    return typed


def assert_ledger_holds(db, typed: dict[int, dict]) -> None:
    header_ids = {f"指标：{r['name']}": r["id"] for r in db.query("SELECT id, name FROM indicators")}
    for aid, values in typed.items():
        report = db.execute(
            "SELECT progress_text, percent, reported_status, problems, next_steps, reporter, phone, id "
            "FROM reports WHERE assignment_id = ? AND round_id = ?",
            [aid, ROUND],
        ).fetchone()
        assert report is not None, f"assignment {aid} has no report"
        got = dict(
            zip(["progress_text", "percent", "reported_status", "problems", "next_steps"], report[:5], strict=True)
        )
        assert got == expected_fields(values), f"assignment {aid}"
        assert report[5] == f"{values['unit']}联络员"
        assert report[6] == "013857610001"
        actuals = dict(
            db.execute("SELECT indicator_id, value FROM indicator_actuals WHERE report_id = ?", [report[7]]).fetchall()
        )
        for header, number in values["indicators"].items():
            ind_id = next(i for prefix, i in header_ids.items() if header.startswith(prefix))
            assert actuals.get(ind_id) == pytest.approx(number), f"assignment {aid} indicator {header}"


def test_every_unit_round_trips_field_by_field(demo_db, tmp_path):
    files = export_handoff(demo_db, ROUND, None, tmp_path / "out")
    units = demo_db.execute("SELECT COUNT(DISTINCT unit_id) FROM assignments").fetchone()[0]
    assert len(files) == units == 25
    typed = fill_all(files)
    results = import_returns(demo_db, [tmp_path / "out"])
    assert [r.rejected for r in results] == [None] * units
    assert all(r.applied for r in results)
    assert sum(r.counts["rejected"] for r in results) == 0
    assert_ledger_holds(demo_db, typed)

    # The same files again change nothing, and say so.
    before = ledger_dump(demo_db)
    again = import_returns(demo_db, [tmp_path / "out"])
    assert all(r.duplicate and not r.applied for r in again)
    assert all("导入过" in r.notice for r in again)
    assert ledger_dump(demo_db) == before


def test_handoff_layout_identity_and_prefill(demo_db, tmp_path):
    uid = unit_id(demo_db, "城东街道")
    [f] = export_handoff(demo_db, ROUND, [uid], tmp_path)
    assert f.path.name == "2024Q3_城东街道_填报表.xlsx"
    record = demo_db.execute(
        "SELECT unit_id, round_id, assignment_ids FROM exports WHERE id = ?", [f.export_id]
    ).fetchone()
    assert record[:2] == (uid, ROUND)
    wb = openpyxl.load_workbook(f.path)
    ws = wb.worksheets[0]
    assert sorted(json.loads(record[2])) == sorted(data_rows(ws))
    assert wb[HIDDEN_SHEET].sheet_state == "hidden"
    assert wb[HIDDEN_SHEET]["B2"].value == f.export_id
    assert {p.name: p.value for p in wb.custom_doc_props}[EXPORT_ID_PROPERTY] == f.export_id
    assert len(f.export_id) >= 32
    assert STATUS_LIST_NAME in wb.defined_names
    headers = [c.value for c in ws[4]]
    for needed in (
        "任务编号",
        "总体任务",
        "重点工作",
        "目标",
        "落实举措",
        "时间节点",
        "进展情况",
        "完成进度(%)",
        "推进状态",
        "存在问题",
        "下步计划",
        COMMENT_HEADER,
    ):
        assert needed in headers
    assert ws.protection.sheet
    assert ws.page_setup.orientation == "landscape"
    assert ws.print_title_rows == "$4:$4"
    # Pre-filled from the unit's report, locked columns locked, editable ones not.
    rows = data_rows(ws)
    aid, r = next(iter(rows.items()))
    text = demo_db.execute(
        "SELECT progress_text FROM reports WHERE assignment_id = ? AND round_id = ?", [aid, ROUND]
    ).fetchone()[0]
    col = {h: i + 1 for i, h in enumerate(headers)}
    assert ws.cell(r, col["进展情况"]).value == text
    assert ws.cell(r, col["进展情况"]).protection.locked is False
    assert ws.cell(r, col["重点工作"]).protection.locked is True
    dv = {str(v.sqref): v for v in ws.data_validations.dataValidation}
    assert any(v.type == "list" and v.formula1 == STATUS_LIST_NAME for v in dv.values())
    assert any(v.type == "decimal" and v.formula1 == "0" and v.formula2 == "100" for v in dv.values())


def test_file_names_are_safe_for_windows():
    assert handoff_file_name("2024Q2", "城东街道") == "2024Q2_城东街道_填报表.xlsx"
    name = handoff_file_name("2024Q2", 'a/b\\c:d*e?"f<g>h|')
    assert not set(name) & set('/\\:*?"<>|')


def test_text_that_looks_like_a_formula_or_number_is_written_as_text(demo_db, tmp_path):
    uid = unit_id(demo_db, "城东街道")
    aid = demo_db.execute("SELECT id FROM assignments WHERE unit_id = ? ORDER BY id LIMIT 1", [uid]).fetchone()[0]
    from db.progress import save_report

    save_report(
        demo_db,
        aid,
        ROUND,
        {"progress_text": "=1+1", "problems": "+86 电话", "next_steps": "@所有人", "phone": "0576-1"},
    )
    demo_db.execute("UPDATE units SET phone = '013857610001' WHERE id = ?", [uid])
    [f] = export_handoff(demo_db, ROUND, [uid], tmp_path)
    ws = openpyxl.load_workbook(f.path).worksheets[0]
    values = {c.value for row in ws.iter_rows() for c in row if c.data_type == "s"}
    assert {"=1+1", "+86 电话", "@所有人"} <= values
    assert not [c for row in ws.iter_rows() for c in row if c.data_type == "f"]
    assert isinstance(ws["E2"].value, str)


def test_sent_back_rows_carry_the_comment_into_the_next_handoff(demo_db, tmp_path):
    from db.review import review_unit

    uid = unit_id(demo_db, "城西街道")
    assert review_unit(demo_db, ROUND, uid, "returned", "请补充完成数量") > 0
    [f] = export_handoff(demo_db, ROUND, [uid], tmp_path)
    ws = openpyxl.load_workbook(f.path).worksheets[0]
    col = {c.value: c.column for c in ws[4]}
    comments = {ws.cell(r, col[COMMENT_HEADER]).value for r in data_rows(ws).values()}
    assert comments == {"请补充完成数量"}
    flagged = demo_db.execute(
        "SELECT COUNT(*) FROM reports r JOIN assignments a ON a.id = r.assignment_id "
        "WHERE a.unit_id = ? AND r.round_id = ? AND r.review = 'returned'",
        [uid, ROUND],
    ).fetchone()[0]
    assert flagged == len(data_rows(ws))
    # A corrected return goes back to review (pending); an accept clears it.
    aid = next(iter(data_rows(ws)))
    fill(f.path, {aid: {"progress_text": "已补充：完成 12 个"}})
    [res] = import_returns(demo_db, [f.path])
    assert res.applied and res.counts["changed"] == 1
    assert (
        demo_db.execute("SELECT review FROM reports WHERE assignment_id = ? AND round_id = ?", [aid, ROUND]).fetchone()[
            0
        ]
        == "pending"
    )
    review_unit(demo_db, ROUND, uid, "accepted")
    # Accepting covers what awaits review (the corrected row); the rows still sent back wait for theirs.
    reviews = dict(
        demo_db.execute(
            "SELECT r.assignment_id, r.review FROM reports r JOIN assignments a ON a.id = r.assignment_id "
            "WHERE a.unit_id = ? AND r.round_id = ?",
            [uid, ROUND],
        ).fetchall()
    )
    assert reviews.pop(aid) == "accepted" and reviews and set(reviews.values()) == {"returned"}
    # Naming the tasks accepts them whatever their state (the office changed its mind about the send-back).
    numbers = [
        r[0]
        for r in demo_db.execute(
            "SELECT k.number FROM assignments a JOIN key_works k ON k.id = a.key_work_id WHERE a.id IN "
            "(SELECT value FROM json_each(?))",
            [json.dumps(list(reviews))],
        )
    ]
    assert review_unit(demo_db, ROUND, uid, "accepted", numbers=numbers) == len(reviews)
    assert (
        demo_db.execute(
            "SELECT COUNT(*) FROM reports r JOIN assignments a ON a.id = r.assignment_id "
            "WHERE a.unit_id = ? AND r.round_id = ? AND r.review != 'accepted'",
            [uid, ROUND],
        ).fetchone()[0]
        == 0
    )


def test_problems_enter_the_problem_list_once(demo_db, tmp_path):
    uid = unit_id(demo_db, "城南街道")
    [f] = export_handoff(demo_db, ROUND, [uid], tmp_path)
    aids = sorted(data_rows(openpyxl.load_workbook(f.path).worksheets[0]))
    fill(f.path, {aids[0]: {"problems": "征地拆迁进度慢，需县级协调。"}})
    [res] = import_returns(demo_db, [f.path])
    assert res.problems_added == 1
    kw = demo_db.execute("SELECT key_work_id FROM assignments WHERE id = ?", [aids[0]]).fetchone()[0]
    rows = demo_db.execute(
        "SELECT unit_id, round_id, text FROM problems WHERE key_work_id = ? AND unit_id = ? AND text LIKE '征地拆迁%'",
        [kw, uid],
    ).fetchall()
    assert rows == [(uid, ROUND, "征地拆迁进度慢，需县级协调。")]
    # The same problem again (with other changes in the row) is not duplicated.
    fill(f.path, {aids[0]: {"problems": "征地拆迁进度慢，需县级协调", "progress_text": "又推进了一步"}})
    [res] = import_returns(demo_db, [f.path])
    assert res.applied and res.problems_added == 0
    assert (
        demo_db.execute(
            "SELECT COUNT(*) FROM problems WHERE key_work_id = ? AND unit_id = ? AND text LIKE '征地拆迁%'", [kw, uid]
        ).fetchone()[0]
        == 1
    )


def test_undo_restores_the_ledger_exactly(demo_db, tmp_path):
    uid = unit_id(demo_db, "北山镇")
    [f] = export_handoff(demo_db, ROUND, [uid], tmp_path)
    headers = indicator_headers(f.path)
    fill(f.path, {aid: clerk_values(aid, k, headers[aid]) for k, aid in enumerate(sorted(headers))})
    keep = ("import_batches", "batch_changes", "audit_log")
    before = ledger_dump(demo_db, skip=keep)
    [res] = import_returns(demo_db, [f.path])
    assert res.applied and res.counts["changed"] + res.counts["new"] == len(headers)
    assert ledger_dump(demo_db, skip=keep) != before
    original = demo_db.execute("SELECT original FROM import_batches WHERE id = ?", [res.batch_id]).fetchone()[0]
    assert original == f.path.read_bytes()
    assert res.problems_added > 0
    assert undo_import(demo_db, res.batch_id) == len(headers)
    assert ledger_dump(demo_db, skip=keep) == before
    assert list_batches(demo_db, ROUND)[0]["undone_at"]
    # After an undo the same file may be imported again.
    [again] = import_returns(demo_db, [f.path])
    assert again.applied


def test_undo_refuses_when_a_later_batch_changed_the_same_rows(demo_db, tmp_path):
    from db.errors import DubanError

    uid = unit_id(demo_db, "南湖镇")
    [f] = export_handoff(demo_db, ROUND, [uid], tmp_path)
    aid = sorted(data_rows(openpyxl.load_workbook(f.path).worksheets[0]))[0]
    fill(f.path, {aid: {"progress_text": "第一次"}})
    [first] = import_returns(demo_db, [f.path])
    fill(f.path, {aid: {"progress_text": "第二次"}})
    [second] = import_returns(demo_db, [f.path], force=True)
    assert second.applied
    with pytest.raises(DubanError, match="较新的批次"):
        undo_import(demo_db, first.batch_id)
    undo_import(demo_db, second.batch_id)
    undo_import(demo_db, first.batch_id)


def test_township_mode_is_indistinguishable_from_excel(demo_path, tmp_path):
    """open-handoff → fill in the app → export-return → the office imports it like an Excel return."""
    from db.progress import save_report

    office = open_ledger(demo_path)
    uid = unit_id(office, "青溪镇")
    [f] = export_handoff(office, ROUND, [uid], tmp_path / "out")
    township_path = tmp_path / "township.db"
    info = open_handoff(township_path, f.path)
    assert info["export_id"] == f.export_id and info["unit"] == "青溪镇" and info["created"]
    local = open_ledger(township_path)
    from db.ledger import get_meta

    assert get_meta(local, "mode") == "township"
    headers = indicator_headers(f.path)
    typed = {}
    ids = {f"指标：{r['name']}": r["id"] for r in local.query("SELECT id, name FROM indicators")}
    for k, aid in enumerate(sorted(headers)):
        values = clerk_values(aid, k + 3, headers[aid])
        typed[aid] = {**values, "unit": "青溪镇"}
        fields = {**expected_fields(values), "reporter": "青溪镇联络员", "phone": "013857610001"}
        indicators = {next(i for p, i in ids.items() if h.startswith(p)): v for h, v in values["indicators"].items()}
        save_report(local, aid, ROUND, fields, indicator_values=indicators, source="township")
    out = export_return(local, tmp_path / "return.xlsx")
    local.close()

    # The same values typed into the Excel handoff give the same result in the office ledger.
    excel_copy = tmp_path / "excel.xlsx"
    excel_copy.write_bytes(f.path.read_bytes())
    fill(
        excel_copy,
        {aid: {k: v for k, v in vals.items() if k != "unit"} for aid, vals in typed.items()},
        reporter="青溪镇联络员",
        phone="013857610001",
    )
    [res] = import_returns(office, [out])
    assert res.applied and res.export_id == f.export_id and res.unit == "青溪镇"
    assert res.counts["rejected"] == 0 and not res.locked_changes and not res.warnings
    assert_ledger_holds(office, typed)
    [excel] = import_returns(office, [excel_copy], dry_run=True)
    assert excel.counts["unchanged"] == len(typed) and not excel.locked_changes
    office.close()


def test_open_handoff_carries_the_milestones_into_the_township_ledger(demo_db, tmp_path):
    from reports.exchange.returns import read_return

    uid = unit_id(demo_db, "青溪镇")
    columns = "id, key_work_id, seq, phrase, text, due_date, understood, done_date"
    office_sql = (
        f"SELECT {columns} FROM milestones WHERE key_work_id IN "
        "(SELECT key_work_id FROM assignments WHERE unit_id = ?) ORDER BY id"
    )
    sent = demo_db.execute(office_sql, [uid]).fetchall()
    assert len(sent) >= 5 and any(m[7] for m in sent) and any(m[5] is None for m in sent)
    [f] = export_handoff(demo_db, ROUND, [uid], tmp_path / "out")
    township = tmp_path / "township.db"
    open_handoff(township, f.path)
    local = open_ledger(township)
    try:
        assert local.execute(f"SELECT {columns} FROM milestones ORDER BY id").fetchall() == sent
        # The return carries them as well, like the office's own handoff.
        out = export_return(local, tmp_path / "return.xlsx")
        assert read_return(out).milestone_meta == read_return(f.path).milestone_meta
    finally:
        local.close()

    # The office moves one deadline and drops another; the next handoff updates the township ledger.
    moved, dropped = sent[0][0], sent[1][0]
    demo_db.execute("UPDATE milestones SET phrase = '10月底前', due_date = '2024-10-31' WHERE id = ?", [moved])
    demo_db.execute("DELETE FROM milestones WHERE id = ?", [dropped])
    [again] = export_handoff(demo_db, ROUND, [uid], tmp_path / "again")
    open_handoff(township, again.path)
    local = open_ledger(township)
    try:
        assert (
            local.execute(f"SELECT {columns} FROM milestones ORDER BY id").fetchall()
            == demo_db.execute(office_sql, [uid]).fetchall()
        )
        assert local.execute("SELECT phrase, due_date FROM milestones WHERE id = ?", [moved]).fetchone() == (
            "10月底前",
            "2024-10-31",
        )
    finally:
        local.close()


def test_open_handoff_refuses_an_office_ledger_and_another_unit(demo_path, demo_db, tmp_path):
    from db.errors import DubanError

    files = export_handoff(demo_db, ROUND, [unit_id(demo_db, "青溪镇"), unit_id(demo_db, "白石乡")], tmp_path)
    with pytest.raises(DubanError, match="督办端"):
        open_handoff(demo_path, files[0].path)
    township = tmp_path / "t.db"
    open_handoff(township, files[0].path)
    with pytest.raises(DubanError, match="本台账属于“青溪镇”"):
        open_handoff(township, files[1].path)
