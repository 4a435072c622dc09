"""Property-based round trips: whatever text a clerk types comes back, or is refused with a message."""

from __future__ import annotations

import shutil

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_exchange_helpers import ROUND, columns, data_rows, fill, unit_id

from db.values import MAX_CELL_CHARS, Cell, ValueProblem, normalise_percent
from reports.exchange.handoff import export_handoff
from reports.exchange.importing import import_returns

# Anything a keyboard or a paste can put into a cell: Chinese, emoji, line breaks, and text
# that a spreadsheet would like to treat as a formula. XML cannot hold control characters.
_cell_chars = st.characters(blacklist_categories=("Cs", "Cc", "Co", "Cn"))
_text = st.lists(
    st.one_of(_cell_chars, st.sampled_from(["\n", "=", "+", "-", "@", "😀", "👍🏽", "中", "　", "＝", "%"])),
    min_size=1,
    max_size=120,
).map("".join)
_leading = st.sampled_from(["", "=", "+", "-", "@", "=SUM(A1:A3)", "-1", "+86 "])


def expected(text: str) -> str | None:
    """What the ledger keeps: the text as typed, without surrounding blank space; None when blank."""
    value = text.replace("\r\n", "\n").replace("\r", "\n").strip()
    return value or None


@pytest.fixture(scope="module")
def exported(tmp_path_factory, demo_template):
    from db.ledger import open_ledger

    folder = tmp_path_factory.mktemp("property")
    path = folder / "demo.db"
    shutil.copy2(demo_template, path)
    db = open_ledger(path)
    [f] = export_handoff(db, ROUND, [unit_id(db, "白石乡")], folder / "out")
    aids = sorted(data_rows(openpyxl.load_workbook(f.path).worksheets[0]))
    yield db, f.path, aids, folder
    db.close()


@pytest.mark.slow
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(progress=st.tuples(_leading, _text).map("".join), problems=_text, next_steps=_text)
def test_any_text_round_trips_through_the_workbook(exported, progress, problems, next_steps):
    db, handoff, aids, folder = exported
    path = folder / "filled.xlsx"
    shutil.copy(handoff, path)
    fill(path, {aids[0]: {"progress_text": progress, "problems": problems, "next_steps": next_steps}})
    [res] = import_returns(db, [path], force=True)
    assert not res.rejected and res.counts["rejected"] == 0, res
    got = db.execute(
        "SELECT progress_text, problems, next_steps FROM reports WHERE assignment_id = ? AND round_id = ?",
        [aids[0], ROUND],
    ).fetchone()
    assert got == (expected(progress), expected(problems), expected(next_steps))

    # And back out: the next handoff is pre-filled with exactly what the ledger holds.
    [again] = export_handoff(db, ROUND, [res.unit_id], folder / "again")
    ws = openpyxl.load_workbook(again.path).worksheets[0]
    r, col = data_rows(ws)[aids[0]], columns(ws)
    shown = tuple(ws.cell(r, col[h]).value for h in ("进展情况", "存在问题", "下步计划"))
    assert shown == got


def test_a_cell_of_exactly_32767_characters_round_trips(exported):
    db, handoff, aids, folder = exported
    path = folder / "longest.xlsx"
    shutil.copy(handoff, path)
    text = ("=长文本😀\n" + "进展" * MAX_CELL_CHARS)[:MAX_CELL_CHARS]
    fill(path, {aids[1]: {"progress_text": text}})
    [res] = import_returns(db, [path], force=True)
    assert res.applied
    stored = db.execute(
        "SELECT progress_text FROM reports WHERE assignment_id = ? AND round_id = ?", [aids[1], ROUND]
    ).fetchone()[0]
    assert stored == text and len(stored) == MAX_CELL_CHARS


def test_a_longer_cell_is_refused_with_a_message_not_cut(exported):
    db, handoff, aids, folder = exported
    path = folder / "toolong.xlsx"
    shutil.copy(handoff, path)
    wb = openpyxl.load_workbook(path)
    ws = wb.worksheets[0]
    # openpyxl itself would cut the text on assignment; another program may write it whole.
    ws.cell(data_rows(ws)[aids[2]], columns(ws)["下步计划"])._value = "计" * (MAX_CELL_CHARS + 1)
    wb.save(path)
    before = db.execute(
        "SELECT next_steps FROM reports WHERE assignment_id = ? AND round_id = ?", [aids[2], ROUND]
    ).fetchone()
    [res] = import_returns(db, [path], force=True)
    [row] = [r for r in res.rows if r.assignment_id == aids[2]]
    # Issue 13: the refused field keeps its previous value; the row is 部分退回, not dropped.
    assert row.rejected_fields and "32,767" in row.reason and "下步计划" in row.reason
    assert (
        db.execute(
            "SELECT next_steps FROM reports WHERE assignment_id = ? AND round_id = ?", [aids[2], ROUND]
        ).fetchone()
        == before
    )


@settings(max_examples=50, deadline=None)
@given(st.decimals(min_value=0, max_value=100, places=2))
def test_percent_in_range_is_accepted_in_every_spelling(number):
    text = f"{number}"
    full_width = text.translate(str.maketrans("0123456789.", "０１２３４５６７８９．"))
    for typed in (float(number), text, f"{text}%", f"{full_width}％", f" {text} "):
        assert normalise_percent(Cell(typed)) == pytest.approx(float(number))


@settings(max_examples=50, deadline=None)
@given(
    st.one_of(
        st.floats(max_value=-0.001, allow_nan=False, allow_infinity=False, min_value=-1e9),
        st.floats(min_value=100.001, max_value=1e9),
    )
)
def test_percent_out_of_range_is_refused(number):
    with pytest.raises(ValueProblem, match="0 到 100"):
        normalise_percent(Cell(number))
