"""The report fields are declared once (db.report_fields) and every reader and writer follows the table."""

from __future__ import annotations

import openpyxl
import pytest
from test_exchange_helpers import ROUND, unit_id

from db.errors import DubanError
from db.report_fields import FIELD_BY_KEY, FIELDS, REPORT_FIELD_LABELS, ROW_FIELDS, parse_row_fields
from db.review import reports_to_review, review_unit
from db.typed_reports import parse_typed_percent
from db.values import Cell, ValueProblem
from reports.exchange.handoff import HEADER_ROW, export_handoff


def test_the_handoff_has_one_column_per_row_field_in_the_tables_order_and_width(demo_db, tmp_path):
    [f] = export_handoff(demo_db, ROUND, [unit_id(demo_db, "城东街道")], tmp_path)
    ws = openpyxl.load_workbook(f.path).worksheets[0]
    headers = [c.value for c in ws[HEADER_ROW]]
    positions = [headers.index(field.header) for field in ROW_FIELDS]
    assert positions == sorted(positions) and positions == list(range(positions[0], positions[0] + len(ROW_FIELDS)))
    for field, index in zip(ROW_FIELDS, positions, strict=True):
        assert ws.column_dimensions[openpyxl.utils.get_column_letter(index + 1)].width == field.width
    # Who reported and how to reach them are asked once, above the table, not per row.
    assert {"reporter", "phone"} == {f.key for f in FIELDS} - {f.key for f in ROW_FIELDS}
    assert REPORT_FIELD_LABELS["percent"] == "完成进度" and FIELD_BY_KEY["percent"].form_label == "完成进度(%)"


def test_a_row_is_read_by_the_fields_parsers_and_a_bad_cell_names_its_column():
    cells = {
        "progress_text": Cell(" 已完成 3 项\r\n"),
        "percent": Cell("八成"),
        "reported_status": Cell("序时"),
        "problems": Cell(None),
        "next_steps": Cell(12.0),
    }
    assert parse_row_fields(cells) == {
        "progress_text": "已完成 3 项",
        "percent": 80,
        "reported_status": "序时推进",
        "problems": None,
        "next_steps": "12",
    }
    with pytest.raises(ValueProblem, match="“完成进度\\(%\\)”应在 0 到 100 之间"):
        parse_row_fields({**cells, "percent": Cell("一百五十")})
    with pytest.raises(ValueProblem, match="“推进状态”只能是"):
        parse_row_fields({**cells, "reported_status": Cell("差不多")})
    assert FIELD_BY_KEY["reporter"].parse(Cell("朱  丹")) == "朱丹"
    assert FIELD_BY_KEY["phone"].parse(Cell(13857610008)) == "13857610008"


def test_the_forms_read_percent_as_the_import_does():
    for typed, stored in (("八成", 80), ("45%", 45), ("４５", 45), ("七成半", 75), ("", None)):
        assert parse_typed_percent(typed) == stored
        assert FIELD_BY_KEY["percent"].parse(Cell(typed)) == stored
    with pytest.raises(DubanError, match="0 到 100"):
        parse_typed_percent("101")


def test_accepting_covers_pending_reports_and_named_tasks_whatever_their_state(demo_db):
    town = unit_id(demo_db, "城西街道")
    everything = reports_to_review(demo_db, ROUND, town, "returned")
    assert everything and review_unit(demo_db, ROUND, town, "returned", "请补充") == len(everything)
    # Nothing awaits review now: accepting without naming tasks covers nothing and says why.
    assert reports_to_review(demo_db, ROUND, town, "accepted") == []
    with pytest.raises(DubanError, match="没有待审核的填报"):
        review_unit(demo_db, ROUND, town, "accepted")
    with pytest.raises(DubanError, match="都已退回修改"):
        review_unit(demo_db, ROUND, town, "returned", "再补充")
    number = demo_db.execute(
        "SELECT k.number FROM reports r JOIN assignments a ON a.id = r.assignment_id "
        "JOIN key_works k ON k.id = a.key_work_id WHERE r.id = ?",
        [everything[0]],
    ).fetchone()[0]
    assert reports_to_review(demo_db, ROUND, town, "accepted", [number]) == [everything[0]]
    with pytest.raises(DubanError, match="没有任务编号为 X9"):
        reports_to_review(demo_db, ROUND, town, "accepted", ["X9"])
