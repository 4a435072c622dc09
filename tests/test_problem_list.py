"""duban problems: the 问题清单 as a workbook, a PDF or a Word file, filtered by round, unit and state."""

from __future__ import annotations

import re

import openpyxl
import pytest
from pypdf import PdfReader

from db.errors import DubanError
from desktop.cli import main


def _open_count(db, **where) -> int:
    sql = "SELECT COUNT(*) FROM problems p JOIN units u ON u.id = p.unit_id WHERE p.state = 'open'"
    params = []
    for column, value in where.items():
        sql += f" AND {column} = ?"
        params.append(value)
    return db.execute(sql, params).fetchone()[0]


def test_the_workbook_lists_the_open_problems_with_key_work_unit_and_closing_columns(
    demo_db, demo_path, tmp_path, capsys
):
    out = tmp_path / "问题清单.xlsx"
    assert main(["--db", str(demo_path), "problems", "--out", str(out)]) == 0
    assert "个问题" in capsys.readouterr().out
    ws = openpyxl.load_workbook(out).active
    header = [c.value for c in ws[2]]
    assert header == ["序号", "重点工作", "单位", "存在问题", "提出日期", "交办", "状态", "销号日期"]
    rows = [r for r in ws.iter_rows(min_row=3, values_only=True)]
    assert len(rows) == _open_count(demo_db)
    assert all(r[6] == "未销号" and re.match(r"\d+\. ", r[1]) for r in rows)
    assert ws.print_title_rows.replace("$", "") == "2:2" and ws.page_setup.orientation == "landscape"


def test_filters_by_round_unit_and_state(demo_db, demo_path, tmp_path):
    out = tmp_path / "p.pdf"
    assert (
        main(
            [
                "--db",
                str(demo_path),
                "problems",
                "--round",
                "2024Q2",
                "--unit",
                "城南街道",
                "--state",
                "全部",
                "--out",
                str(out),
            ]
        )
        == 0
    )
    text = re.sub(r"\s+", "", "".join(p.extract_text() for p in PdfReader(str(out)).pages))
    count = demo_db.execute(
        "SELECT COUNT(*) FROM problems p JOIN units u ON u.id = p.unit_id WHERE p.round_id = '2024Q2' AND u.name = '城南街道'"
    ).fetchone()[0]
    assert f"本清单列出问题{count}个" in text and "2024Q2·城南街道·全部" in text
    assert main(["--db", str(demo_path), "problems", "--out", str(tmp_path / "p.docx")]) == 0
    assert (tmp_path / "p.docx").stat().st_size > 0


def test_a_wrong_state_or_unit_is_one_sentence(demo_db):
    from reports.content.problems import problem_list

    with pytest.raises(DubanError, match="状态"):
        problem_list(demo_db, state="半销号")
    with pytest.raises(DubanError, match="没有单位"):
        problem_list(demo_db, unit="不存在的局")
