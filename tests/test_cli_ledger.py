"""The ``duban`` command for the ledger core, run as a user would run it."""

import json
import subprocess
import sys

import pytest

from desktop.cli import main


def duban(*args):
    """Run ``python -m desktop`` in a subprocess, as a clerk's terminal would."""
    return subprocess.run(
        [sys.executable, "-m", "desktop", *map(str, args)], capture_output=True, text=True, encoding="utf-8"
    )


def test_demo_then_status_counts_add_up_to_assignments(tmp_path):
    db = tmp_path / "x.db"
    made = duban("--db", db, "demo", "--no-gui")
    assert made.returncode == 0, made.stderr
    assert "已生成演示台账" in made.stdout
    rounds = json.loads(duban("--db", db, "rounds", "--json").stdout)
    open_round = next(r["id"] for r in rounds if r["state"] == "open")
    status = duban("--db", db, "status", "--round", open_round, "--json")
    assert status.returncode == 0, status.stderr
    data = json.loads(status.stdout)
    import sqlite3

    assignments = sqlite3.connect(db).execute("SELECT COUNT(*) FROM assignments").fetchone()[0]
    assert sum(data["by_status"].values()) == assignments == data["assignments"]
    assert sum(data["by_light"].values()) == assignments
    assert sum(sum(c.values()) for c in data["by_unit"].values()) == assignments

    behind = duban("--db", db, "tasks", "--status", "进度滞后", "--json")
    listed = json.loads(behind.stdout)["tasks"]
    assert listed and len(listed) == data["key_works_by_status"]["进度滞后"]
    assert {t["status"] for t in listed} == {"进度滞后"}
    text = duban("--db", db, "tasks", "--status", "进度滞后").stdout
    assert all(t["title"] in text for t in listed)


def test_progress_shows_every_report_field(demo_path, capsys):
    assert main(["--db", str(demo_path), "progress", "--round", "2024Q2", "--unit", "县经信局", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert rows and {r["unit"] for r in rows} == {"县经济和信息化局"}
    first = rows[0]
    for key in (
        "number",
        "title",
        "progress_text",
        "percent",
        "reported_status",
        "problems",
        "next_steps",
        "reporter",
        "phone",
        "indicators",
        "status",
        "light",
        "source",
    ):
        assert key in first
    assert any(r["indicators"] for r in rows)


def test_round_open_and_close(demo_path, capsys):
    assert main(["--db", str(demo_path), "round", "open", "2024Q4", "--cutoff", "2024-12-31"]) == 0
    # Issue 13: 2024Q3 still has reports 待审核, so closing it needs --force (without, exit 2 listing them).
    assert main(["--db", str(demo_path), "round", "close", "2024Q3"]) == 2
    assert main(["--db", str(demo_path), "round", "close", "2024Q3", "--force"]) == 0
    capsys.readouterr()
    assert main(["--db", str(demo_path), "rounds"]) == 0
    out = capsys.readouterr().out
    assert "2024Q4" in out and "进行中" in out and "已关闭" in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["status", "--round", "2024X"], "格式不对"),
        (["status", "--round", "2023Q1"], "没有轮次"),
        (["tasks", "--unit", "火星办事处"], "没有单位"),
        (["tasks", "--status", "差不多"], "状态"),
        (["round", "open", "2024Q4", "--cutoff", "2024/13/01"], "日期"),
        (["bogus"], "无效"),
    ],
)
def test_bad_input_is_one_chinese_line_and_exit_2(demo_path, args, message):
    result = duban("--db", demo_path, *args)
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_file_that_is_not_a_ledger(tmp_path):
    bogus = tmp_path / "notes.db"
    bogus.write_text("hello", encoding="utf-8")
    result = duban("--db", bogus, "units")
    assert result.returncode == 2
    assert "不是 duban 台账" in result.stderr
    assert bogus.read_text(encoding="utf-8") == "hello"


def test_init_refuses_to_overwrite(tmp_path, capsys):
    path = tmp_path / "new.db"
    assert main(["--db", str(path), "init", "--org", "示例县督查室"]) == 0
    assert main(["--db", str(path), "init"]) == 2
    assert "已存在" in capsys.readouterr().err
