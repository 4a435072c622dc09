"""The benchmark inputs stay valid: the synthetic ledger has the promised shape, and its
"1+N" task list goes through the real ``duban import-tasks`` with every lead unit right."""

from __future__ import annotations

import pytest
import synth

from db.ledger import open_ledger
from db.queries import key_work_states

TINY = synth.Scale(
    "tiny",
    counties=2,
    key_works_per_county=24,
    measures_per_county=60,
    departments_per_county=12,
    townships_per_county=5,
    city_departments=3,
)


@pytest.fixture(scope="module")
def tiny_ledger(tmp_path_factory):
    path = tmp_path_factory.mktemp("synth") / "tiny.db"
    synth.build_ledger(path, TINY).close()
    return path


def test_synthetic_ledger_has_the_promised_size_and_rounds(tiny_ledger):
    db = open_ledger(tiny_ledger)
    count = lambda sql: db.execute(sql).fetchone()[0]  # noqa: E731
    assert count("SELECT COUNT(*) FROM key_works") == TINY.key_works == 48
    assert count("SELECT COUNT(*) FROM measures") == 2 * 60
    assert count("SELECT COUNT(*) FROM units") == TINY.units == 2 * 17 + 3
    assert count("SELECT COUNT(*) FROM plans") == 2
    rounds = list(db.query("SELECT id, state FROM rounds ORDER BY id"))
    assert [(r["id"], r["state"]) for r in rounds] == [
        ("2024Q1", "closed"),
        ("2024Q2", "closed"),
        ("2024Q3", "closed"),
        ("2024Q4", "open"),
    ]
    assignments = count("SELECT COUNT(*) FROM assignments")
    per_round = dict(db.execute("SELECT round_id, COUNT(*) FROM reports GROUP BY round_id").fetchall())
    # Closed rounds: nearly everyone reported; the open round: only some units so far.
    for rid in ("2024Q1", "2024Q2", "2024Q3"):
        assert 0.85 * assignments <= per_round[rid] <= assignments
    assert 0.3 * assignments <= per_round["2024Q4"] <= 0.9 * assignments
    assert count("SELECT COUNT(*) FROM round_snapshots WHERE round_id = '2024Q3'") == assignments
    assert count("SELECT COUNT(*) FROM problems WHERE state = 'closed'") > 0
    assert count("SELECT COUNT(*) FROM problems WHERE state = 'open'") > 0


def test_synthetic_ledger_mixes_the_statuses(tiny_ledger):
    db = open_ledger(tiny_ledger)
    statuses = {k.result.status for k in key_work_states(db, "2024Q4")}
    assert {"已完成", "未报送"} <= statuses
    assert len(statuses) >= 4


def test_the_same_seed_gives_the_same_ledger(tiny_ledger, tmp_path):
    again = tmp_path / "again.db"
    synth.build_ledger(again, TINY).close()
    query = (
        "SELECT a.id, k.number, u.name, a.role FROM assignments a JOIN key_works k ON k.id = a.key_work_id "
        "JOIN units u ON u.id = a.unit_id ORDER BY a.id"
    )
    first, second = open_ledger(tiny_ledger), open_ledger(again)
    assert first.execute(query).fetchall() == second.execute(query).fetchall()
    report_query = "SELECT assignment_id, round_id, percent, progress_text FROM reports ORDER BY id"
    assert first.execute(report_query).fetchall() == second.execute(report_query).fetchall()


def test_task_list_workbook_imports_with_every_lead_unit_right(tmp_path, capsys):
    from desktop.cli import main

    workbook = tmp_path / "tasks.xlsx"
    rows = synth.write_task_list(workbook, TINY)
    assert rows == 60
    registry = tmp_path / "registry.db"
    synth.build_unit_registry(registry, TINY).close()
    assert main(["--db", str(registry), "import-tasks", str(workbook)]) == 0
    capsys.readouterr()

    db = open_ledger(registry)
    expected = {kw.number: kw for kw in synth.county_task_plan(TINY)}
    leads = dict(
        db.execute(
            "SELECT k.number, u.name FROM key_works k JOIN assignments a ON a.key_work_id = k.id AND a.role = '牵头' "
            "JOIN units u ON u.id = a.unit_id"
        ).fetchall()
    )
    assert leads == {number: kw.lead for number, kw in expected.items()}
    assert db.execute("SELECT COUNT(*) FROM measures").fetchone()[0] == 60
    # No unit was invented: the registry already knew every name in the list.
    assert (
        db.execute("SELECT COUNT(*) FROM units").fetchone()[0]
        == TINY.departments_per_county + TINY.townships_per_county
    )
