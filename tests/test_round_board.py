"""The round board (who has returned, who is late, who was sent back) follows each step of a round."""

from __future__ import annotations

from test_exchange_helpers import ROUND, clerk_values, fill, indicator_headers, unit_id

from db.board import round_board
from db.import_batches import undo_import
from reports.exchange.handoff import export_handoff
from reports.exchange.importing import import_returns


def _board(db) -> dict[str, dict]:
    return {row["unit"]: row for row in round_board(db, ROUND)}


def test_board_states_of_the_demo_round(demo_db):
    board = _board(demo_db)
    # Every unit with assignments is on the board, once.
    assert len(board) == demo_db.execute("SELECT COUNT(DISTINCT unit_id) FROM assignments").fetchone()[0]
    assert board["云岭乡"]["state"] == "未发出" and board["云岭乡"]["reported"] == 0
    assert board["云岭乡"]["late"]  # the demo round's due date (2024-10-10) has long passed
    assert board["白石乡"]["state"] == "已退回修改" and board["白石乡"]["sent_back"] == 1
    assert board["县市场监督管理局"]["state"] == "已审核通过"
    partial = board["县经济和信息化局"]
    assert partial["state"] == "未报齐" and partial["missing"] == partial["assignments"] - partial["reported"] == 1


def test_board_follows_export_import_and_undo(demo_db, tmp_path):
    [f] = export_handoff(demo_db, ROUND, [unit_id(demo_db, "云岭乡")], tmp_path)
    row = _board(demo_db)["云岭乡"]
    assert (row["state"], row["exported"], row["imports"]) == ("未返回", True, 0)

    headers = indicator_headers(f.path)
    fill(f.path, {aid: clerk_values(aid, k, headers[aid]) for k, aid in enumerate(sorted(headers))})
    [result] = import_returns(demo_db, [f.path])
    assert result.applied
    row = _board(demo_db)["云岭乡"]
    assert row["state"] == "待审核"
    assert (row["imports"], row["reported"], row["missing"]) == (1, row["assignments"], 0)
    assert row["returned_at"] and row["late"]  # returned long after the due date
    # Other units are not touched by this unit's return.
    assert _board(demo_db)["白石乡"]["state"] == "已退回修改"

    undo_import(demo_db, result.batch_id)
    row = _board(demo_db)["云岭乡"]
    assert (row["state"], row["imports"], row["reported"]) == ("未返回", 0, 0)
