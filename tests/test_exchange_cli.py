"""The exchange commands as an office clerk runs them."""

from __future__ import annotations

import json
import sqlite3

import openpyxl
import pytest
from test_exchange_helpers import ROUND, data_rows, fill

from desktop.cli import main


def run(capsys, *argv) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_export_import_undo_from_the_command_line(demo_path, tmp_path, capsys):
    db = str(demo_path)
    code, out, _ = run(
        capsys,
        "--db",
        db,
        "export-handoff",
        "--round",
        ROUND,
        "--unit",
        "城东街道",
        "县财政局",
        "--out",
        str(tmp_path / "out"),
    )
    assert code == 0
    lines = out.strip().splitlines()
    assert lines[0].startswith("城东街道") and lines[0].endswith("2024Q3_城东街道_填报表.xlsx")
    assert lines[1].startswith("县财政局") and "共导出 2 份" in lines[-1]

    path = tmp_path / "out" / "2024Q3_城东街道_填报表.xlsx"
    aid = sorted(data_rows(openpyxl.load_workbook(path).worksheets[0]))[0]
    fill(path, {aid: {"progress_text": "命令行导入的进展", "percent": "八成"}})

    code, out, _ = run(capsys, "--db", db, "import-returns", str(tmp_path / "out"), "--dry-run", "--json")
    assert code == 0
    previews = {p["unit"]: p for p in json.loads(out)}
    assert previews["城东街道"]["counts"]["changed"] == 1 and previews["县财政局"]["counts"]["changed"] == 0
    assert previews["城东街道"]["batch_id"] is None

    code, out, _ = run(capsys, "--db", db, "import-returns", str(path))
    assert code == 0
    assert "城东街道 2024Q3" in out and "修改 1" in out and "已导入（批次" in out
    batch = int(out.split("已导入（批次 ")[1].split("）")[0])
    assert list((tmp_path).glob("demo.backups/*import*.db")), "a backup is written before importing"

    code, out, _ = run(capsys, "--db", db, "import-returns", str(path))
    assert code == 0 and "导入过" in out

    code, out, _ = run(capsys, "--db", db, "import-batches", "--json")
    assert json.loads(out)[0]["id"] == batch

    code, out, _ = run(capsys, "--db", db, "undo-import", str(batch))
    assert code == 0 and f"已撤销导入批次 {batch}" in out
    code, out, err = run(capsys, "--db", db, "undo-import", str(batch))
    assert code == 2 and "已于" in err and "撤销过" in err and len(err.strip().splitlines()) == 1


def test_rejected_file_exits_2_with_reasons(demo_path, tmp_path, capsys):
    bogus = tmp_path / "别的县.xlsx"
    wb = openpyxl.Workbook()
    wb.active["A1"] = "进展情况"
    wb.save(bogus)
    code, out, _ = run(capsys, "--db", str(demo_path), "import-returns", str(bogus))
    assert code == 2 and "✗" in out and "不是 duban 导出的填报表" in out


def test_review_send_back_then_missing_list(demo_path, tmp_path, capsys):
    db = str(demo_path)
    code, out, _ = run(
        capsys, "--db", db, "review", "--round", ROUND, "--unit", "城西街道", "--send-back", "请补充完成数量"
    )
    assert code == 0 and "退回修改" in out
    code, out, _ = run(capsys, "--db", db, "missing", "--round", ROUND, "--json")
    rows = {r["unit"]: r for r in json.loads(out)}
    assert rows["城西街道"]["sent_back"] > 0 and "被退回" in rows["城西街道"]["reason"]
    assert rows["云岭乡"]["missing"] == rows["云岭乡"]["assignments"]
    assert rows["云岭乡"]["contact"] == "卢小军" and rows["云岭乡"]["phone"] == "13857610008"

    out_file = tmp_path / "催报清单.xlsx"
    code, out, _ = run(capsys, "--db", db, "missing", "--round", ROUND, "--out", str(out_file))
    assert code == 0 and "云岭乡" in out and out_file.exists()
    ws = openpyxl.load_workbook(out_file).active
    units = [ws.cell(r, 2).value for r in range(3, ws.max_row + 1)]
    assert "云岭乡" in units and "城西街道" in units
    phones = {ws.cell(r, 2).value: ws.cell(r, 4).value for r in range(3, ws.max_row + 1)}
    assert phones["云岭乡"] == "13857610008"

    # Accepting covers the reports awaiting review; the ones just sent back wait for the unit's correction.
    code, _out, err = run(capsys, "--db", db, "review", "--round", ROUND, "--unit", "城西街道", "--accept")
    assert code == 2 and "没有待审核的填报" in err
    # Named tasks are accepted whatever their state (the office changed its mind).
    with sqlite3.connect(db) as con:
        numbers = [
            r[0]
            for r in con.execute(
                "SELECT k.number FROM reports r JOIN assignments a ON a.id = r.assignment_id "
                "JOIN key_works k ON k.id = a.key_work_id JOIN units u ON u.id = a.unit_id "
                "WHERE u.name = '城西街道' AND r.round_id = ?",
                [ROUND],
            )
        ]
    code, out, _ = run(
        capsys, "--db", db, "review", "--round", ROUND, "--unit", "城西街道", "--accept", "--task", *numbers
    )
    assert code == 0
    code, out, _ = run(capsys, "--db", db, "missing", "--round", ROUND, "--json")
    assert "城西街道" not in {r["unit"] for r in json.loads(out)}


def test_closed_round_cannot_be_exported(demo_path, tmp_path, capsys):
    code, _out, err = run(
        capsys, "--db", str(demo_path), "export-handoff", "--round", "2024Q2", "--all", "--out", str(tmp_path)
    )
    assert code == 2 and "已关闭" in err and len(err.strip().splitlines()) == 1


def test_township_commands(demo_path, tmp_path, capsys):
    run(
        capsys,
        "--db",
        str(demo_path),
        "export-handoff",
        "--round",
        ROUND,
        "--unit",
        "南湖镇",
        "--out",
        str(tmp_path / "out"),
    )
    handoff = tmp_path / "out" / "2024Q3_南湖镇_填报表.xlsx"
    township = tmp_path / "南湖镇.db"
    code, out, _ = run(capsys, "--db", str(township), "open-handoff", str(handoff))
    assert code == 0 and "南湖镇" in out and "新建" in out
    code, out, _ = run(capsys, "--db", str(township), "export-return", "--out", str(tmp_path / "报送.xlsx"))
    assert code == 0 and (tmp_path / "报送.xlsx").exists()
    code, out, _ = run(capsys, "--db", str(demo_path), "import-returns", str(tmp_path / "报送.xlsx"), "--json")
    [res] = json.loads(out)
    assert res["unit"] == "南湖镇" and res["rejected"] is None and res["counts"]["rejected"] == 0
    code, _out, err = run(capsys, "--db", str(demo_path), "export-return", "--out", str(tmp_path / "x.xlsx"))
    assert code == 2 and "填报端" in err


def test_one_list_of_file_types_per_direction_drives_help_and_dialogs(capsys):
    from reports.filetypes import HANDOFF_SUFFIXES, RETURN_SUFFIXES, dialog_filter

    with pytest.raises(SystemExit):
        main(["import-returns", "--help"])
    help_text = capsys.readouterr().out
    assert all(suffix in help_text for suffix in RETURN_SUFFIXES) and ".xls" in RETURN_SUFFIXES
    with pytest.raises(SystemExit):
        main(["open-handoff", "--help"])
    help_text = capsys.readouterr().out
    assert all(suffix in help_text for suffix in HANDOFF_SUFFIXES)
    # The window's 导入回收表 dialog offers every type the import reads (it once left out .xls).
    assert dialog_filter("填报表", RETURN_SUFFIXES).startswith("填报表 (*.xlsx *.xls *.zip)")
