"""Builders for task-list fixtures: the seed-001 "1+N" attachment as .xlsx in both layouts,
the adversarial variants, and Word documents made with python-docx.

``data/tasklists/seed001_attachment.json`` holds the attachment table of seed 001 row by
row, exactly as printed (page-break continuation rows included), so the fixtures do not
need ../shared/seeds at test time.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import openpyxl
from openpyxl.styles import Alignment
from openpyxl.utils import get_column_letter

DATA = Path(__file__).resolve().parent / "data" / "tasklists"
LIST_TITLE = "乐清市促进民营经济高质量发展若干举措“1+N”任务清单"
HEADERS = ["序号", "总体任务", "重点工作", "全市目标", "落实举措", "实施阶段", "责任单位", "分管领导/联络员"]
FULLWIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


def seed001_rows() -> list[dict]:
    """Return the attachment rows (one per printed row; a key work may span two)."""
    return json.loads((DATA / "seed001_attachment.json").read_text(encoding="utf-8"))


def expected_seed001() -> dict[str, dict]:
    """Return per key-work number: category, title, lead unit, all units, leader, liaison."""
    out: dict[str, dict] = {}
    category = None
    for row in seed001_rows():
        if row["category"]:
            category = re.sub(r"^[一二三四五六七八九十]+、", "", row["category"])
        number = str(row["number"])
        if number in out:
            continue
        names = [n.strip() for n in row["units"].split("、")]
        lead = next((n.lstrip("*") for n in names if n.startswith("*")), names[0])
        out[number] = {
            "category": category,
            "title": re.sub(r"^\([一二三四五六七八九十]+\)", "", row["title"]),
            "lead": lead,
            "units": [n.lstrip("*") for n in names],
            "leader": row["leader"] or None,
            "liaison": row["liaison"] or None,
        }
    return out


def _numbered(items: list[str]) -> str:
    return "\n".join(items)


def build_per_key_work(
    path: Path,
    *,
    rows: list[dict] | None = None,
    order: list[int] | None = None,
    title_rows: tuple[str, ...] = ("附件", LIST_TITLE),
    fullwidth: bool = False,
    units_on_lines: bool = False,
    repeat_header_before: int | None = None,
    empty_sheet: bool = False,
    hidden_column: bool = False,
    extra_columns: tuple[str, ...] = (),
) -> Path:
    """Write the "one row per key work" layout: numbered lines inside the cells.

    Args:
        path: where to save.
        rows: the table rows (default: seed 001's).
        order: column order as indexes into :data:`HEADERS` (columns shuffled).
        title_rows: rows above the header, each merged across the table.
        fullwidth: write 序号 in full-width digits and put ideographic spaces in names.
        units_on_lines: one unit per line instead of 、, and one name broken over two lines.
        repeat_header_before: repeat the header row before this data row index (a printed page break).
        empty_sheet: add an empty second worksheet.
        hidden_column: add a hidden column "责任单位（旧）" holding wrong units.
        extra_columns: extra unknown columns (e.g. the ledger export's "2024Q3 完成进度").
    """
    rows = rows if rows is not None else seed001_rows()
    order = order or list(range(len(HEADERS)))
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "任务清单"
    headers = [HEADERS[i] for i in order] + list(extra_columns)
    if hidden_column:
        headers.append("责任单位（旧）")
    width = len(headers)
    for text in title_rows:
        ws.append([text])
        ws.merge_cells(start_row=ws.max_row, start_column=1, end_row=ws.max_row, end_column=width)
    header_row = ws.max_row + 1
    ws.append(headers)
    for index, row in enumerate(rows):
        if repeat_header_before is not None and index == repeat_header_before:
            ws.append(headers)
        units = row["units"]
        if units_on_lines:
            names = units.split("、")
            if len(names) > 1 and len(names[-1]) > 5:
                names[-1] = names[-1][:3] + "\n" + names[-1][3:]
            units = "\n".join(names)
        number = str(row["number"])
        title = row["title"]
        if fullwidth:
            number = number.translate(FULLWIDTH)
            title = title.replace("强化", "强化\u3000")
            units = units.replace("、", "\u3000、")
        values = [
            number,
            row["category"],
            title,
            _numbered(row["targets"]),
            _numbered(row["measures"]),
            row["period"],
            units,
            f"{row['leader']}\n{row['liaison']}".strip("\n") if row["leader"] or row["liaison"] else "",
        ]
        if row["leader"] == "" and row["liaison"]:
            values[7] = f"\n{row['liaison']}"
        out = [values[i] for i in order] + ["" for _ in extra_columns]
        if hidden_column:
            out.append("市政府办公室")
        ws.append(out)
    for col in range(1, width + 1):
        ws.column_dimensions[get_column_letter(col)].width = 18
    if hidden_column:
        ws.column_dimensions[get_column_letter(width)].hidden = True
    for row in ws.iter_rows(min_row=header_row):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    if empty_sheet:
        wb.create_sheet("Sheet2")
    wb.save(path)
    return path


def build_per_measure(path: Path, *, rows: list[dict] | None = None, two_title_rows: bool = True) -> Path:
    """Write the "one row per measure" layout with the parent columns merged vertically.

    Each printed row group of the seed becomes a block of rows, one per measure; a key
    work that broke across a page is a second block with the parent cells repeated.
    The category is merged over every row of its category on the page; 分管领导/联络员 is
    one header merged over two columns.
    """
    rows = rows if rows is not None else seed001_rows()
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "1+N任务清单"
    headers = ["序号", "总体任务", "重点工作", "全市目标", "落实举措", "实施阶段", "责任单位", "分管领导/联络员", None]
    width = len(headers)
    titles = ("附件", LIST_TITLE) if two_title_rows else (LIST_TITLE,)
    for text in titles:
        ws.append([text])
        ws.merge_cells(start_row=ws.max_row, start_column=1, end_row=ws.max_row, end_column=width)
    ws.append(headers)
    ws.merge_cells(start_row=ws.max_row, start_column=8, end_row=ws.max_row, end_column=9)
    category_start = None
    category_value = None
    for row in rows:
        measures = row["measures"] or [""]
        first = ws.max_row + 1
        for measure in measures:
            ws.append([None] * width)
            ws.cell(ws.max_row, 5, measure)
        last = ws.max_row
        parents = {
            1: str(row["number"]),
            3: row["title"],
            4: "\n".join(row["targets"]),
            6: row["period"],
            7: row["units"],
            8: row["leader"],
            9: row["liaison"],
        }
        for col, value in parents.items():
            ws.cell(first, col, value or None)
            if last > first:
                ws.merge_cells(start_row=first, start_column=col, end_row=last, end_column=col)
        if row["category"]:
            # A category printed again (new category, or the top of a page) restarts the merge.
            _close_category(ws, category_start, first - 1, category_value)
            category_start, category_value = first, row["category"]
    _close_category(ws, category_start, ws.max_row, category_value)
    for col, width in enumerate((6, 14, 18, 30, 40, 10, 24, 8, 8), 1):
        ws.column_dimensions[get_column_letter(col)].width = width
    for row in ws.iter_rows(min_row=len(titles) + 1):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="center")
    wb.save(path)
    return path


def build_docx_table(path: Path, *, rows: list[dict] | None = None, body: str = "") -> Path:
    """Write the attachment as a Word table: one row per measure, parent cells merged vertically."""
    import docx

    rows = rows if rows is not None else seed001_rows()
    document = docx.Document()
    for line in body.splitlines():
        if line.strip():
            document.add_paragraph(line.strip())
    document.add_paragraph("附件")
    document.add_paragraph(LIST_TITLE)
    total = sum(max(1, len(r["measures"])) for r in rows)
    table = document.add_table(rows=total + 1, cols=len(HEADERS))
    for col, text in enumerate(HEADERS):
        table.cell(0, col).text = text
    r = 1
    for row in rows:
        measures = row["measures"] or [""]
        first, last = r, r + len(measures) - 1
        for i, measure in enumerate(measures):
            table.cell(r + i, 4).text = measure
        parents = {
            0: str(row["number"]),
            1: row["category"],
            2: row["title"],
            3: "\n".join(row["targets"]),
            5: row["period"],
            6: row["units"],
            7: f"{row['leader']}\n{row['liaison']}".rstrip("\n"),
        }
        for col, value in parents.items():
            if last > first:
                table.cell(first, col).merge(table.cell(last, col))
            table.cell(first, col).text = value
        r = last + 1
    document.save(str(path))
    return path


def _close_category(ws, start: int | None, end: int, value: str | None) -> None:
    if start is None or end < start:
        return
    ws.cell(start, 2, value)
    if end > start:
        ws.merge_cells(start_row=start, start_column=2, end_row=end, end_column=2)


def build_docx_from_text(path: Path, text: str) -> Path:
    """Write text as a Word document, one paragraph per line (as a clerk pasting into Word)."""
    import docx

    document = docx.Document()
    for line in text.splitlines():
        if line.strip():
            document.add_paragraph(line.strip())
    document.save(str(path))
    return path


def build_numbers_workbook(path: Path) -> Path:
    """Write a workbook that is not a task list: a bare table of numbers."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["月份", "收入", "支出"])
    for month in range(1, 13):
        ws.append([month, month * 100, month * 80])
    wb.save(path)
    return path


# ----------------------------------------------------------------------------------------------
# Shapes a county office really sends, none of them seen while the readers were written.

BREAKDOWN_TITLE = "示例县2024年优化营商环境重点任务分解表"
#: (序号, 工作任务, [具体措施…], 牵头单位, 配合单位, 完成时限) under each section heading; numbers restart.
BREAKDOWN_SECTIONS = [
    (
        "一、提升政务服务效能",
        [
            (
                1,
                "深化“一件事”集成改革",
                [
                    "推行企业开办、员工招聘等“一件事”集成办理，2024年6月底前实现全程网办。",
                    "完善“一件事”办理指南，同步上线移动端。",
                ],
                "县政务服务中心（牵头）、县市场监管局",
                "县人社局、县税务局",
                "2024年6月底前",
            ),
            (
                2,
                "推进“综合查一次”",
                ["制定年度联合检查计划，跨部门联合检查比例达30%以上。"],
                "县司法局",
                "县直有关部门",
                "2024年12月底前",
            ),
            (
                3,
                "优化涉企服务",
                ["建立企业诉求“一站式”受理机制。"],
                "县发改局（牵头）、县财政局",
                "各乡镇（街道）",
                "长期坚持",
            ),
        ],
    ),
    (
        "二、强化要素保障",
        [
            (
                1,
                "保障重点项目用地",
                ["优先保障省市县重点项目用地指标。"],
                "县自然资源和规划局",
                "县发改局",
                "2024年9月底前",
            ),
            (
                2,
                "盘活存量土地",
                ["2024年第三季度前完成批而未供土地清查；年底前处置率达到40%以上。"],
                None,
                "县财政局",
                None,
            ),
            (
                3,
                "降低企业融资成本",
                ["落实普惠小微贷款支持政策。", "开展银企对接活动不少于4场。"],
                "县金融服务中心、人行示例县支行",
                "各商业银行",
                "持续推进",
            ),
        ],
    ),
]


def build_breakdown_table(path: Path) -> Path:
    """Write a 任务分解表: section rows across the table, numbers restarting per section,
    one row per measure with the parents merged, and 牵头单位 / 完成时限 merged over two tasks.

    Columns: 序号 / 工作任务 / 具体措施 / 牵头单位 / 配合单位 / 完成时限. 牵头单位 sometimes
    names two units with “（牵头）” after the real lead. In section 二 the first two tasks
    share one merged 牵头单位 cell and one merged 完成时限 cell (``None`` below the first).
    """
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "分解表"
    width = 6
    for text in ("附件1", BREAKDOWN_TITLE):
        ws.append([text])
        ws.merge_cells(start_row=ws.max_row, start_column=1, end_row=ws.max_row, end_column=width)
    ws.append(["序号", "工作任务", "具体措施", "牵头单位", "配合单位", "完成时限"])
    for heading, tasks in BREAKDOWN_SECTIONS:
        ws.append([heading])
        ws.merge_cells(start_row=ws.max_row, start_column=1, end_row=ws.max_row, end_column=width)
        shared: dict[int, int] = {}  # column → first row of a cell merged down over following tasks
        for number, title, measures, lead, support, deadline in tasks:
            first = ws.max_row + 1
            for measure in measures:
                ws.append([None, None, measure, None, None, None])
            last = ws.max_row
            for col, value in ((1, number), (2, title), (4, lead), (5, support), (6, deadline)):
                if value is None and col in shared:
                    continue  # merged into the cell above, spanning this task too
                ws.cell(first, col, value)
                shared[col] = first
            for col in (1, 2, 5):
                if last > first:
                    ws.merge_cells(start_row=first, start_column=col, end_row=last, end_column=col)
            for col in (4, 6):
                top = shared[col]
                if last > top:
                    ws.merge_cells(start_row=top, start_column=col, end_row=last, end_column=col)
    for col, w in enumerate((6, 20, 50, 24, 20, 14), 1):
        ws.column_dimensions[get_column_letter(col)].width = w
    wb.save(path)
    return path


INVESTMENT_NOTICE = """示例县人民政府办公室关于印发示例县2024年推进有效投资重点工作方案的通知
示政办发〔2024〕12号
各乡镇人民政府、街道办事处，县政府各部门：
《示例县2024年推进有效投资重点工作方案》已经县政府同意，现印发给你们，请认真贯彻执行。
示例县人民政府办公室
2024年3月5日
示例县2024年推进有效投资重点工作方案
为深入贯彻落实省市关于扩大有效投资的决策部署，制定本方案。
一、总体目标
全年固定资产投资增长8%以上。
二、重点任务
（一）扩大重大项目投资。聚焦交通、能源、水利等领域，谋划推进重大项目30个以上。2024年6月底前，完成年度计划投资的50%。（责任单位：县发改局；配合单位：县交通运输局、县水利局）
（二）推进制造业投资。实施“千项万亿”工程，工业投资增长10%以上。（责任单位：县经信局（牵头）、县商务局；配合单位：各乡镇（街道））
（三）加快民间投资。建立民间投资项目库，9月底前入库项目100个以上；推动向民间资本推介项目。（责任单位：县发改局、县工商联）
三、保障措施
（一）加强组织领导。成立工作专班，统筹推进有效投资工作。
（二）强化督查考核。每季度通报一次进展，年底前开展综合评价。（责任单位：县委县政府督查室）
"""


#: Word table rows: (序号, 重点任务, 工作措施, 牵头单位, 配合单位, 完成时限); a heading row is a str.
VILLAGE_ROWS = [
    "一、发展乡村产业",
    ("1", "培育特色农业", "新建高标准农田5000亩", "县农业农村局", "县财政局、县自然资源和规划局", "2024年10月底前"),
    ("", "", "建设现代农业园区2个", "", "", ""),
    ("2", "发展乡村旅游", "打造精品民宿集聚区1个", None, "县文化广电旅游体育局", "2024年12月底前"),
    "二、建设宜居乡村",
    ("3", "整治农村人居环境", "完成农村改厕1200户", "县农业农村局\n县卫生健康局", "各乡镇（街道）", "2024年11月底前"),
    ("4", "推进农村公路提档", "改造农村公路30公里", "县交通运输局", "县财政局", "2024年年底前"),
]


def build_village_docx(path: Path) -> Path:
    """Write a Word document whose task list is a table with merged cells.

    The header has two rows (责任单位 spans 牵头单位 | 配合单位, the other header cells
    merged down), section headings are rows merged across the table, the 序号 / 重点任务
    cells of a task with two measures are merged down, and one 牵头单位 cell is merged
    over two tasks (``None``).
    """
    import docx

    document = docx.Document()
    document.add_paragraph("附件")
    document.add_paragraph("示例县2024年乡村振兴重点任务清单")
    table = document.add_table(rows=2 + len(VILLAGE_ROWS), cols=6)
    top = ["序号", "重点任务", "工作措施", "责任单位", "", "完成时限"]
    for col, text in enumerate(top):
        table.cell(0, col).text = text
    table.cell(1, 3).text = "牵头单位"
    table.cell(1, 4).text = "配合单位"
    table.cell(0, 3).merge(table.cell(0, 4))
    for col in (0, 1, 2, 5):
        table.cell(0, col).merge(table.cell(1, col))
    task_first: dict[int, int] = {}
    for offset, row in enumerate(VILLAGE_ROWS):
        r = 2 + offset
        if isinstance(row, str):
            merged = table.cell(r, 0).merge(table.cell(r, 5))
            merged.text = row
            continue
        for col, value in enumerate(row):
            if value:
                table.cell(r, col).text = value
                task_first[col] = r
            elif value == "" and col in task_first:
                # A measure row of the task above: its parent cells are merged down.
                if col != 2:
                    table.cell(task_first[col], col).merge(table.cell(r, col))
            elif value is None and col in task_first:
                table.cell(task_first[col], col).merge(table.cell(r, col))
    document.save(str(path))
    return path


#: One row per key work; deadlines written inside the measures, several dates in 时间节点.
STAGED_ROWS = [
    (
        "1",
        "推进城市更新",
        "1.2024年6月底前，完成老旧小区改造方案编制；\n2.2024年9月底前，开工改造小区12个；\n3.每季度末报送改造进度。",
        "县住房和城乡建设局",
        "6月底前完成方案；12月底前全面完工",
    ),
    (
        "2",
        "提升供水保障能力",
        "1.2024年上半年完成水厂扩建主体工程；\n2.到2024年10月底前，新增日供水能力2万吨。",
        "县水利局",
        "2024年",
    ),
    (
        "3",
        "完善城市停车设施",
        "1.2024年第三季度前新增公共停车泊位800个；\n2.2024年11月20日前出台停车收费调整方案。",
        "县综合行政执法局、县发改局",
        "分阶段推进",
    ),
]


def build_staged_plan(path: Path) -> Path:
    """Write a plan whose deadlines sit inside the measures ("2024年6月底前，完成…")."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["2024年城市建设重点工作计划"])
    ws.merge_cells("A1:E1")
    ws.append(["编号", "重点工作", "主要措施及时间节点", "责任单位", "时间节点"])
    for row in STAGED_ROWS:
        ws.append(list(row))
    wb.save(path)
    return path
