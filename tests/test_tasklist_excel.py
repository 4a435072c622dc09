"""Excel "1+N" task lists: both layouts, adversarial variants, and files that are not task lists."""

from __future__ import annotations

import shutil
import subprocess
import zipfile

import openpyxl
import pytest
from tasklist_fixtures import (
    build_numbers_workbook,
    build_per_key_work,
    build_per_measure,
    expected_seed001,
    seed001_rows,
)

from db.errors import DubanError
from reports.tasklist import read_task_list

CATEGORIES = ["提信心增预期", "降门槛扩领域", "真公平破隐性", "拓市场促升级", "优氛围增服务"]


def _assert_seed001(draft):
    expected = expected_seed001()
    assert [kw.number for kw in draft.key_works] == [str(n) for n in range(1, 33)]
    assert draft.categories == CATEGORIES
    for kw in draft.key_works:
        want = expected[kw.number]
        assert kw.lead_unit is not None and kw.lead_unit.name == want["lead"], kw.number
        assert [u.name for u in kw.units] == want["units"], kw.number
        assert [u.role for u in kw.units].count("牵头") == 1, kw.number
        assert (kw.category, kw.title) == (want["category"], want["title"]), kw.number
        assert (kw.leader, kw.liaison) == (want["leader"], want["liaison"]), kw.number
    # Page-break continuation rows are folded into their key work, repeats dropped.
    kw1, kw3, kw24 = draft.key_work("1"), draft.key_work("3"), draft.key_work("24")
    assert len(kw1.targets) == 4 and kw1.targets[3].startswith("自2023年1月1日至2027年12月31日")
    assert len(kw1.measures) == 15
    assert len(kw3.targets) == 2 and len(kw3.measures) == 16
    assert len(kw24.targets) == 9 and len(kw24.measures) == 15
    assert kw1.period_phrase == "2023-2027年"
    assert draft.key_work("8").period_phrase == "长期实施"
    assert not draft.unplaced


@pytest.fixture(scope="module")
def per_key_work(tmp_path_factory):
    return build_per_key_work(tmp_path_factory.mktemp("tl") / "清单_每项一行.xlsx")


@pytest.fixture(scope="module")
def per_measure(tmp_path_factory):
    return build_per_measure(tmp_path_factory.mktemp("tl") / "清单_每条举措一行.xlsx")


def test_one_row_per_key_work_layout(per_key_work):
    draft = read_task_list(per_key_work)
    _assert_seed001(draft)
    assert draft.title == "乐清市促进民营经济高质量发展若干举措“1+N”任务清单"
    assert draft.year == 2023 and draft.year_source == "推断"


def test_one_row_per_measure_layout_with_merged_cells(per_measure):
    draft = read_task_list(per_measure)
    _assert_seed001(draft)


def test_both_layouts_give_the_same_draft(per_key_work, per_measure):
    a, b = read_task_list(per_key_work).to_json(), read_task_list(per_measure).to_json()
    for data in (a, b):
        data.pop("plan")
        for kw in data["key_works"]:
            kw.pop("location")  # row numbers differ between the layouts
            kw.pop("source")  # so do the rows quoted as the review's evidence
    assert a == b


def test_targets_give_milestones_and_indicators(per_key_work):
    draft = read_task_list(per_key_work)
    kw20 = draft.key_work("20")
    assert ("新增“个转企”", 480, "户", "at_least") in [(i.name, i.target, i.unit, i.direction) for i in kw20.indicators]
    kw24 = draft.key_work("24")
    assert ("诉前羁押率", 35, "%", "at_most") in [(i.name, i.target, i.unit, i.direction) for i in kw24.indicators]
    assert ("2023年底", "2023-12-31") in [(m.phrase, m.due) for m in kw24.milestones]
    assert ("到2023年底", "2023-12-31") in [(m.phrase, m.due) for m in draft.key_work("6").milestones]
    # "自2023年1月1日至…" opens a span: its first date is not a deadline.
    assert "2023年1月1日" not in [m.phrase for m in draft.key_work("1").milestones]
    assert not [f for f in draft.flags() if f.kind == "deadline"]


ADVERSARIAL = {
    "columns shuffled": {"order": [4, 7, 0, 6, 2, 5, 1, 3]},
    "two title rows and a note row": {"title_rows": ("附件2", "乐清市促进民营经济高质量发展若干举措", "“1+N”任务清单")},
    "full-width spaces and digits": {"fullwidth": True},
    "units split over lines": {"units_on_lines": True},
    "page-break header repeat": {"repeat_header_before": 12},
    "empty trailing sheet": {"empty_sheet": True},
    "hidden column": {"hidden_column": True},
    "ledger export progress columns": {"extra_columns": ("2024Q3 完成进度", "2024Q3 进展情况", "备注")},
}


@pytest.mark.parametrize("variant", list(ADVERSARIAL))
def test_adversarial_variants(variant, tmp_path):
    path = build_per_key_work(tmp_path / f"{variant}.xlsx", **ADVERSARIAL[variant])
    _assert_seed001(read_task_list(path))


def test_blank_cells_mean_same_as_above_and_separate_lead_columns(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["表1 示例县2024年重点工作任务清单"])
    ws.append(
        ["编号", "类别", "主要任务", "工作目标", "具体举措", "完成时限", "牵头单位", "配合单位", "分管领导", "联络员"]
    )
    ws.append(
        [
            1,
            "一、营商环境",
            "（一）企业开办提速",
            "开办时间压缩至1个工作日以内",
            "1.推行一网通办",
            "6月底前",
            "县市场监管局",
            "县税务局；县人社局",
            "张三",
            "李四",
        ]
    )
    ws.append([None, None, None, None, "2.推行电子营业执照", None, None, None, None, None])
    ws.append(
        [
            2,
            None,
            "（二）审批提速",
            "新增“个转企”480户",
            "推行承诺制",
            "2024年12月底前\n（分阶段）",
            "县政务服务中心",
            "各乡镇（街道）",
            None,
            "王五",
        ]
    )
    ws.append(["注：*为牵头单位。"])
    path = tmp_path / "清单.xlsx"
    wb.save(path)
    draft = read_task_list(path)
    assert draft.year == 2024 and draft.year_source == "标题"
    kw1, kw2 = draft.key_works
    assert kw1.measures == ["推行一网通办", "推行电子营业执照"]
    assert [(u.name, u.role) for u in kw1.units] == [
        ("县市场监管局", "牵头"),
        ("县税务局", "配合"),
        ("县人社局", "配合"),
    ]
    assert (kw1.leader, kw1.liaison) == ("张三", "李四")
    assert [(m.phrase, m.due) for m in kw1.milestones] == [("6月底前", "2024-06-30")]
    assert kw2.category == "营商环境"
    assert [(u.name, u.role, u.all_townships) for u in kw2.units] == [
        ("县政务服务中心", "牵头", False),
        ("各乡镇（街道）", "配合", True),
    ]
    assert (kw2.leader, kw2.liaison) == (None, "王五")
    assert [m.due for m in kw2.milestones] == ["2024-12-31"]


def _refused(path, pattern):
    with pytest.raises(DubanError, match=pattern):
        read_task_list(path)


def test_not_a_task_list_is_refused_in_chinese(tmp_path):
    _refused(build_numbers_workbook(tmp_path / "收支表.xlsx"), "找不到任务清单的表头")


def test_empty_damaged_password_and_pdf_files_are_refused(tmp_path):
    empty = tmp_path / "空.xlsx"
    empty.write_bytes(b"")
    _refused(empty, "是空的")
    damaged = tmp_path / "坏.xlsx"
    good = build_numbers_workbook(tmp_path / "好.xlsx").read_bytes()
    damaged.write_bytes(good[: len(good) // 2])
    _refused(damaged, "损坏|无法")
    # An encrypted OOXML workbook is an OLE container with an EncryptionInfo stream.
    locked = tmp_path / "加密.xlsx"
    locked.write_bytes(
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504 + "EncryptionInfo".encode("utf-16-le") + b"\x00" * 1024
    )
    _refused(locked, "密码")
    pdf = tmp_path / "清单.pdf"
    pdf.write_bytes(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n")
    _refused(pdf, "PDF")
    blank = tmp_path / "空表.xlsx"
    openpyxl.Workbook().save(blank)
    _refused(blank, "没有任何内容")
    archive = tmp_path / "资料.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("readme.txt", "hello")
    _refused(archive, "压缩包")


def test_a_real_password_protected_workbook_is_refused_and_nothing_written(tmp_path, capsys):
    import msoffcrypto
    from msoffcrypto.format.ooxml import OOXMLFile

    from db.ledger import create_ledger, open_ledger
    from desktop.cli import main

    plain = build_per_key_work(tmp_path / "明文.xlsx", rows=[r for r in seed001_rows() if r["number"] <= 3])
    locked = tmp_path / "任务清单（加密）.xlsx"
    with plain.open("rb") as src, locked.open("wb") as out:
        OOXMLFile(src).encrypt("督办2024", out)
    # The fixture really is the task list under a password: the right password opens it again.
    with locked.open("rb") as fh:
        office = msoffcrypto.OfficeFile(fh)
        assert office.is_encrypted()
        office.load_key(password="督办2024")
        opened = tmp_path / "解密.xlsx"
        with opened.open("wb") as out:
            office.decrypt(out)
    assert [kw.number for kw in read_task_list(opened).key_works] == ["1", "2", "3"]

    _refused(locked, "设有打开密码.*取消密码")
    ledger = tmp_path / "县台账.db"
    create_ledger(ledger).close()
    assert main(["--db", str(ledger), "import-tasks", str(locked)]) == 2
    err = capsys.readouterr().err.strip()
    assert "设有打开密码" in err and "\n" not in err
    db = open_ledger(ledger)
    assert db.execute("SELECT COUNT(*) FROM plans").fetchone()[0] == 0
    assert db.execute("SELECT COUNT(*) FROM key_works").fetchone()[0] == 0
    db.close()


def _soffice():
    return shutil.which("soffice") or shutil.which("libreoffice")


@pytest.mark.libreoffice
@pytest.mark.slow
@pytest.mark.skipif(_soffice() is None, reason="LibreOffice not installed")
def test_libreoffice_resaved_xlsx_and_xls_still_import(per_measure, per_key_work, tmp_path):
    for source, fmt in ((per_measure, "xlsx"), (per_key_work, "xls")):
        out = tmp_path / fmt
        subprocess.run(
            [
                _soffice(),
                "--headless",
                f"-env:UserInstallation=file://{tmp_path}/lo",
                "--convert-to",
                fmt,
                "--outdir",
                str(out),
                str(source),
            ],
            check=True,
            capture_output=True,
            timeout=180,
        )
        converted = next(out.iterdir())
        draft = read_task_list(converted)
        assert draft.source_kind == fmt
        _assert_seed001(draft)


def test_a_carriage_return_pasted_in_excel_is_not_left_in_the_text(per_key_work, tmp_path):
    """Excel writes a pasted line's carriage return as _x000D_; it must not show up in the ledger."""
    title = expected_seed001()["1"]["title"]
    path = tmp_path / "pasted.xlsx"
    with zipfile.ZipFile(per_key_work) as zf:
        members = {info.filename: zf.read(info) for info in zf.infolist()}
    # openpyxl writes text as character references; Excel as UTF-8. Either is found.
    forms = (title.encode(), "".join(f"&#{ord(c)};" for c in title).encode())
    part, form = next((n, f) for n, data in members.items() for f in forms if n.startswith("xl/") and f in data)
    members[part] = members[part].replace(form, form + b"_x000D_", 1)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    draft = read_task_list(path)
    assert draft.key_work("1").title == title
    assert "_x000D_" not in str(draft.to_json())
