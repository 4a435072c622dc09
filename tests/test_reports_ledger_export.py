"""The ledger workbook keeps the 1+N layout, carries each round's progress and imports again."""

from __future__ import annotations

import shutil
import subprocess

import openpyxl
import pytest

from db.deadlines import parse_deadline
from db.ledger import create_ledger
from db.plan_import import commit_draft
from db.queries import key_work_states
from db.tasks import key_work_detail
from desktop.cli import main
from reports.ledger_export import export_ledger
from reports.tasklist import read_task_list

BASE = [
    "序号",
    "总体任务",
    "重点工作",
    "目标",
    "落实举措",
    "实施阶段",
    "时间节点",
    "责任单位",
    "配合单位",
    "分管领导",
    "联络员",
]


def _ledger_key_works(db) -> dict[str, dict]:
    out = {}
    for (kw_id,) in db.execute("SELECT id FROM key_works").fetchall():
        d = key_work_detail(db, kw_id)
        out[d["number"]] = {
            "title": d["title"],
            "category": d["category"],
            "targets": d["targets"],
            "measures": d["measures"],
            "period": d["period_phrase"],
            "units": sorted((a["unit"], a["role"]) for a in d["assignments"]),
        }
    return out


def _milestones(db) -> dict[str, list[tuple[str, str | None]]]:
    """Each key work's milestones as (phrase, due date), in the ledger's order."""
    out: dict[str, list] = {}
    for number, phrase, due in db.execute(
        "SELECT k.number, m.phrase, m.due_date FROM key_works k LEFT JOIN milestones m ON m.key_work_id = k.id "
        "ORDER BY k.id, m.seq, m.id"
    ).fetchall():
        out.setdefault(number, [])
        if phrase is not None:
            out[number].append((phrase, due))
    return out


def _assert_same_milestones(imported, ledger) -> None:
    """Same phrases in the same order, due on the same dates.

    One difference is the import's own rule, not the export's: the task-list import dates a
    recurring deadline (每季度) at its last occurrence in the plan year, where a milestone
    added by hand (as in the demo ledger) has no single due date.
    """
    assert {n: [p for p, _d in v] for n, v in imported.items()} == {n: [p for p, _d in v] for n, v in ledger.items()}
    for number, items in ledger.items():
        for (phrase, due), (_same, got) in zip(items, imported[number], strict=True):
            if due is None and parse_deadline(phrase, 2024).recurring:
                assert got == "2024-12-31", (number, phrase)
            else:
                assert got == due, (number, phrase)


def test_export_has_the_1n_columns_and_each_rounds_progress(demo_db, tmp_path):
    out = export_ledger(demo_db, tmp_path / "台账.xlsx")
    ws = openpyxl.load_workbook(out)["台账"]
    assert ws["A1"].value == "示例县2024年重点工作任务清单"
    headers = [c.value for c in ws[2]]
    assert headers[: len(BASE)] == BASE
    for rnd in ("2024Q1", "2024Q2", "2024Q3"):
        assert [f"{rnd} 完成进度", f"{rnd} 进展情况", f"{rnd} 状态", f"{rnd} 亮灯"] == [
            h for h in headers if h.startswith(rnd)
        ]
    assert ws.max_row == 2 + 30
    assert ws.freeze_panes == "D3" and ws.auto_filter.ref.startswith("A2:")
    assert ws.page_setup.orientation == "landscape" and ws.print_title_rows == "$2:$2"
    assert len(ws.conditional_formatting) >= 6

    states = {k.number: k for k in key_work_states(demo_db, "2024Q2")}
    col = {h: i for i, h in enumerate(headers)}
    for row in ws.iter_rows(min_row=3, values_only=True):
        k = states[row[0]]
        assert row[col["2024Q2 状态"]] == k.result.status
        assert row[col["2024Q2 亮灯"]] == k.result.light
        if k.result.percent is not None:
            assert row[col["2024Q2 完成进度"]] == pytest.approx(k.result.percent / 100)
        assert row[col["责任单位"]].startswith("*" + k.lead_unit)
    # 时间节点: the milestones' own phrases, one a line, in the ledger's order.
    numbers = [row[0] for row in ws.iter_rows(min_row=3, values_only=True)]
    cells = {row[0]: row[col["时间节点"]] or "" for row in ws.iter_rows(min_row=3, values_only=True)}
    milestones = _milestones(demo_db)
    assert {n: cells[n].split("\n") if cells[n] else [] for n in numbers} == {
        n: [phrase for phrase, _due in milestones[n]] for n in numbers
    }
    assert sum(len(v) for v in milestones.values()) > 20 and any(len(v) > 1 for v in milestones.values())


def test_export_of_one_round_only(demo_db, tmp_path):
    out = export_ledger(demo_db, tmp_path / "q3.xlsx", round_id="2024q3")
    headers = [c.value for c in openpyxl.load_workbook(out)["台账"][2]]
    assert headers[len(BASE) :] == ["2024Q3 完成进度", "2024Q3 进展情况", "2024Q3 状态", "2024Q3 亮灯"]


def test_exported_ledger_imports_again_unchanged(demo_db, tmp_path):
    out = export_ledger(demo_db, tmp_path / "roundtrip.xlsx")
    # The title row carries the plan's title and year: no --plan-title or --year needed.
    draft = read_task_list(out)
    assert (draft.title, draft.year) == ("示例县2024年重点工作任务清单", 2024)
    fresh = create_ledger(tmp_path / "fresh.db")
    commit_draft(fresh, draft, new_units="create")
    assert _ledger_key_works(fresh) == _ledger_key_works(demo_db)
    _assert_same_milestones(_milestones(fresh), _milestones(demo_db))


@pytest.mark.libreoffice
@pytest.mark.slow
def test_exported_ledger_saved_by_libreoffice_still_imports(demo_db, tmp_path):
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    assert soffice, "LibreOffice is needed for this test"
    out = export_ledger(demo_db, tmp_path / "src" / "ledger.xlsx")
    resaved = tmp_path / "lo"
    subprocess.run(
        [
            soffice,
            "--headless",
            f"-env:UserInstallation=file://{tmp_path}/profile",
            "--convert-to",
            "xlsx:Calc MS Excel 2007 XML",
            "--outdir",
            str(resaved),
            str(out),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    draft = read_task_list(resaved / "ledger.xlsx")
    fresh = create_ledger(tmp_path / "fresh.db")
    commit_draft(fresh, draft, new_units="create")
    assert _ledger_key_works(fresh) == _ledger_key_works(demo_db)
    _assert_same_milestones(_milestones(fresh), _milestones(demo_db))


def test_cli_export_and_reports(demo_path, tmp_path, capsys):
    assert main(["--db", str(demo_path), "export-ledger", "--out", str(tmp_path / "l.xlsx")]) == 0
    assert (tmp_path / "l.xlsx").exists()
    assert (
        main(["--db", str(demo_path), "report", "progress", "--round", "2024Q1", "--out", str(tmp_path / "p.pdf")]) == 0
    )
    out = capsys.readouterr().out
    assert "已生成" in out and "页" in out and "仿宋" in out
    assert main(["--db", str(demo_path), "report", "annual", "--year", "2023", "--out", str(tmp_path / "a.pdf")]) == 2
    assert "2023年没有任何填报轮次" in capsys.readouterr().err
    assert (
        main(["--db", str(demo_path), "report", "bulletin", "--round", "2024Q2", "--out", str(tmp_path / "b.doc")]) == 2
    )
    assert not (tmp_path / "a.pdf").exists() and not (tmp_path / "b.doc").exists()


def test_a_deadline_column_beside_the_period_lists_the_milestones(tmp_path):
    """A clerk's list with both 实施阶段 and 时间节点: the latter's lines are the milestones, nothing guessed."""
    path = tmp_path / "清单.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["2024年城市建设重点工作任务清单"])
    ws.append(["序号", "重点工作", "落实举措", "实施阶段", "时间节点", "责任单位"])
    ws.append(
        ["1", "推进城市更新", "完成老旧小区改造方案编制", "2024年", "6月底前完成方案；\n12月底前全面完工", "县住建局"]
    )
    ws.append(["2", "提升供水保障能力", "9月底前，新增日供水能力2万吨", "长期实施", "", "县水利局"])
    ws.append(["3", "完善停车设施", "新增公共停车泊位800个", "2024年", "三季度末\n每季度", "县执法局"])
    wb.save(path)
    draft = read_task_list(path)
    got = {kw.number: (kw.period_phrase, [(m.phrase, m.due) for m in kw.milestones]) for kw in draft.key_works}
    assert got == {
        "1": ("2024年", [("6月底前", "2024-06-30"), ("12月底前", "2024-12-31")]),
        "2": ("长期实施", []),
        "3": ("2024年", [("三季度末", "2024-09-30"), ("每季度", "2024-12-31")]),
    }
