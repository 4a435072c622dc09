"""The table models behave as Qt models must, and the filter answers what a clerk types."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

pytestmark = pytest.mark.gui


def _rows(proxy):
    from desktop.models.base import RecordRole

    return [proxy.index(i, 0).data(RecordRole) for i in range(proxy.rowCount())]


def test_key_work_model_and_filter(qtmodeltester, demo_db):
    from desktop.models.tasks import KeyWorkFilterProxy, KeyWorkTableModel, load_key_work_rows

    model = KeyWorkTableModel()
    model.set_records(load_key_work_rows(demo_db, "2024Q3"))
    proxy = KeyWorkFilterProxy()
    proxy.setSourceModel(model)
    qtmodeltester.check(model)
    qtmodeltester.check(proxy)
    assert model.rowCount() == 30

    proxy.set_light("红")
    reds = _rows(proxy)
    assert reds and all(r.light == "红" for r in reds)
    proxy.set_light("")

    proxy.set_unit("云岭乡")
    assert proxy.rowCount() > 0 and all("云岭乡" in r.units for r in _rows(proxy))
    proxy.set_unit("")

    proxy.set_text("一件事")
    assert [r.title for r in _rows(proxy)] == ["深化“一件事”集成改革"]
    proxy.set_text("优化营商环境 执法")  # every word must match, in any field
    assert [r.number for r in _rows(proxy)] == ["4"]
    proxy.set_text("")
    proxy.set_category("推动产业升级")
    assert {r.category for r in _rows(proxy)} == {"推动产业升级"}


def test_key_work_sort_is_natural(demo_db):
    from desktop.models.tasks import KeyWorkFilterProxy, KeyWorkTableModel, load_key_work_rows

    model = KeyWorkTableModel()
    model.set_records(load_key_work_rows(demo_db, None))
    proxy = KeyWorkFilterProxy()
    proxy.setSourceModel(model)
    proxy.sort(KeyWorkTableModel.COL_NUMBER, Qt.AscendingOrder)
    numbers = [proxy.index(i, 0).data() for i in range(proxy.rowCount())]
    assert numbers[:11] == [str(n) for n in range(1, 12)]
    proxy.sort(KeyWorkTableModel.COL_PERCENT, Qt.DescendingOrder)
    # Without a round nothing is judged: sorting by an empty column keeps every row.
    assert proxy.rowCount() == 30


def test_other_models_pass_the_model_tester(qtmodeltester, demo_db):
    from desktop.models.problems import ProblemFilterProxy, ProblemTableModel, load_problem_rows
    from desktop.models.rounds import RoundBoardModel, load_board_rows
    from desktop.models.units import UnitTableModel, load_unit_rows

    units = UnitTableModel()
    units.set_records(load_unit_rows(demo_db))
    qtmodeltester.check(units)
    assert units.rowCount() == 25

    problems = ProblemTableModel()
    problems.set_records(load_problem_rows(demo_db))
    proxy = ProblemFilterProxy()
    proxy.setSourceModel(problems)
    qtmodeltester.check(problems)
    qtmodeltester.check(proxy)
    proxy.set_filter(state="closed")
    closed = demo_db.execute("SELECT COUNT(*) FROM problems WHERE state = 'closed'").fetchone()[0]
    assert proxy.rowCount() == closed

    board = RoundBoardModel()
    board.set_records(load_board_rows(demo_db, "2024Q3"))
    qtmodeltester.check(board)
    states = {
        board.index(i, RoundBoardModel.COL_UNIT).data(): board.index(i, RoundBoardModel.COL_STATE).data()
        for i in range(board.rowCount())
    }
    assert states["云岭乡"] in ("未返回", "未发出", "未报齐")
