"""The ledger as an Excel workbook: the familiar 1+N task list plus progress per round.

The first sheet keeps the 1+N header texts (序号, 总体任务, 重点工作, 目标, 落实举措,
实施阶段, 时间节点 — the milestones' phrases, one a line —, 责任单位 with ``*`` before the
lead unit, 分管领导, 联络员) so that the workbook imports again through the task-list import; each round adds ``2024Q3 完成进度``,
``2024Q3 进展情况``, ``2024Q3 状态`` and ``2024Q3 亮灯``, which that import ignores. The
sheet is ready to print: frozen header, filters, widths, wrapped text, A4 landscape
fitted to the page width, the header row repeated, lights filled by conditional format.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import sqlite_utils
from openpyxl import Workbook
from openpyxl.formatting.rule import CellIsRule, FormulaRule
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from db.errors import DubanError
from db.jobs import Progress
from db.ledger import get_meta
from db.queries import key_work_states
from db.rounds import get_round, list_rounds
from reports.cells import append_row, header_footer_text
from reports.files import replaced_atomically

#: The 1+N columns with their widths (characters); the names are what the import looks for.
BASE_COLUMNS = (
    ("序号", 6),
    ("总体任务", 12),
    ("重点工作", 20),
    ("目标", 24),
    ("落实举措", 34),
    ("实施阶段", 10),
    ("时间节点", 12),
    ("责任单位", 22),
    ("配合单位", 14),
    ("分管领导", 10),
    ("联络员", 9),
)
ROUND_COLUMNS = (("完成进度", 9), ("进展情况", 36), ("状态", 12), ("亮灯", 8))
#: Points per printed line of 10 pt text, and Excel's largest row height.
_LINE_HEIGHT = 13.5
_MAX_ROW_HEIGHT = 409

_LIGHT_FILLS = {"红": "F4B6B6", "黄": "FBE3A0", "绿": "C6E5C4", "灰": "E0E0E0"}
_STATUS_FILLS = {
    "逾期": "F4B6B6",
    "进度滞后": "FBE3A0",
    "已完成": "C6E5C4",
    "序时推进": "E4F2E2",
    "未报送": "E0E0E0",
    "未启动": "DDDDF0",
}
#: Columns set centred (short values: numbers, periods, deadlines, names).
_CENTRED = {"序号", "实施阶段", "时间节点", "分管领导", "联络员"}
_THIN = Side(style="thin", color="808080")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)


def _display_width(text: str) -> int:
    """Return the width of a line in Excel character units (a Chinese character is about 1.4 of them)."""
    return round(sum(1.4 if ord(ch) > 0x2E7F else 1 for ch in text))


def _row_height(values: list, widths: list[float]) -> float:
    """Estimate the height a wrapped row needs, since Excel does not re-measure rows it did not write."""
    lines = 1
    for value, width in zip(values, widths, strict=False):
        if not isinstance(value, str) or not value:
            continue
        usable = max(1.0, width - 1)
        count = sum(max(1, -(-_display_width(line) // int(usable))) for line in value.split("\n"))
        lines = max(lines, count)
    return min(_MAX_ROW_HEIGHT, lines * _LINE_HEIGHT + 4)


def _numbered(items: list[str]) -> str:
    if len(items) <= 1:
        return items[0] if items else ""
    return "\n".join(f"{i}.{text}" for i, text in enumerate(items, 1))


def _rows(db: sqlite_utils.Database) -> list[dict]:
    """Every key work with its category, targets, measures and units, in ledger order."""
    kws = list(
        db.query(
            "SELECT k.*, c.title AS category FROM key_works k LEFT JOIN categories c ON c.id = k.category_id "
            "ORDER BY COALESCE(c.seq, 0), k.sort_order, k.id"
        )
    )
    targets: dict[int, list[str]] = {}
    for t in db.query("SELECT key_work_id, text FROM targets ORDER BY key_work_id, seq, id"):
        targets.setdefault(t["key_work_id"], []).append(t["text"])
    measures: dict[int, list[str]] = {}
    for m in db.query("SELECT key_work_id, text FROM measures ORDER BY key_work_id, seq, id"):
        measures.setdefault(m["key_work_id"], []).append(m["text"])
    units: dict[int, list[dict]] = {}
    for a in db.query(
        "SELECT a.key_work_id, a.role, a.leader, a.liaison, u.name FROM assignments a JOIN units u ON u.id = a.unit_id "
        "ORDER BY a.key_work_id, CASE a.role WHEN '牵头' THEN 0 WHEN '责任' THEN 1 ELSE 2 END, u.sort_order, u.id"
    ):
        units.setdefault(a["key_work_id"], []).append(a)
    milestones: dict[int, list[str]] = {}
    for m in db.query("SELECT key_work_id, phrase FROM milestones ORDER BY key_work_id, seq, id"):
        milestones.setdefault(m["key_work_id"], []).append(m["phrase"])
    for kw in kws:
        kw["milestones"] = milestones.get(kw["id"], [])
        kw["targets"] = targets.get(kw["id"], [])
        kw["measures"] = measures.get(kw["id"], [])
        kw["units"] = units.get(kw["id"], [])
    return kws


def _unit_cells(units: list[dict]) -> tuple[str, str, str, str]:
    responsible = [("*" if a["role"] == "牵头" else "") + a["name"] for a in units if a["role"] in ("牵头", "责任")]
    supporting = [a["name"] for a in units if a["role"] == "配合"]
    lead = next((a for a in units if a["role"] == "牵头"), units[0] if units else None)
    leaders = list(dict.fromkeys(a["leader"] for a in units if a["leader"]))
    leader = (lead or {}).get("leader") or (leaders[0] if leaders else "")
    liaison = (lead or {}).get("liaison") or ""
    return "、".join(responsible), "、".join(supporting), leader, liaison


def _progress_text(kw_state) -> str:
    lines = []
    for part in kw_state.parts:
        text = ((part.report or {}).get("progress_text") or "").strip()
        if part.report is None:
            text = "未报送"
        if text:
            lines.append(f"【{part.unit}】{text}")
    return "\n".join(lines)


#: The title row comes first, the column headers below it.
HEADER_ROW = 2


def _sheet_title(db: sqlite_utils.Database) -> str:
    """Return the title row: the plan's own title when the ledger holds one plan."""
    plans = list(db.query("SELECT title, year FROM plans ORDER BY id"))
    if len(plans) == 1 and plans[0]["title"]:
        title = plans[0]["title"]
        year = plans[0]["year"]
        if year and str(year) not in title:
            title = f"{year}年{title}"
        return title
    org = get_meta(db, "org_name") or ""
    years = sorted({p["year"] for p in plans if p["year"]})
    span = f"{years[0]}年" if len(years) == 1 else ""
    return f"{org}{span}重点工作台账"


def export_ledger(
    db: sqlite_utils.Database,
    out_path: str | Path,
    *,
    round_id: str | None = None,
    progress: Progress | None = None,
) -> Path:
    """Write the ledger as a 1+N workbook with progress columns per round.

    Args:
        db: the ledger.
        out_path: the .xlsx to write (replaced only when complete).
        round_id: only this round's progress columns; default every round, oldest first.
        progress: ``progress(done, total, message)``; it may raise to cancel.

    Returns:
        The path written.
    """
    out_path = Path(out_path)
    if out_path.suffix.lower() != ".xlsx":
        raise DubanError(f"导出文件“{out_path.name}”应以 .xlsx 结尾。")
    rounds = [get_round(db, round_id)] if round_id else list_rounds(db)
    kws = _rows(db)
    total = len(kws) + len(rounds)
    states: dict[str, dict[int, object]] = {}
    for i, rnd in enumerate(rounds):
        if progress:
            progress(i, total, f"读取 {rnd['id']} 轮次")
        states[rnd["id"]] = {k.key_work_id: k for k in key_work_states(db, rnd["id"])}

    wb = Workbook()
    ws = wb.active
    ws.title = "台账"
    headers = [name for name, _w in BASE_COLUMNS]
    widths = [w for _n, w in BASE_COLUMNS]
    for rnd in rounds:
        headers += [f"{rnd['id']} {name}" for name, _w in ROUND_COLUMNS]
        widths += [w for _n, w in ROUND_COLUMNS]
    # A title row names the plan and its year, so that the workbook re-imports as a task
    # list without the user having to type --plan-title and --year again.
    title = _sheet_title(db)
    append_row(ws, [title], 1)
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(headers))
    ws.cell(1, 1).font = Font(name="黑体", bold=True, size=16)
    ws.cell(1, 1).alignment = Alignment(horizontal="center", vertical="center")
    ws.row_dimensions[1].height = 30
    append_row(ws, headers, HEADER_ROW)
    head_font = Font(name="黑体", bold=True, size=11)
    head_fill = PatternFill("solid", fgColor="D9D9D9")
    for col, width in enumerate(widths, 1):
        cell = ws.cell(HEADER_ROW, col)
        cell.font, cell.fill, cell.border = head_font, head_fill, _BORDER
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        ws.column_dimensions[get_column_letter(col)].width = width
    ws.row_dimensions[HEADER_ROW].height = 42

    body_font = Font(name="宋体", size=10)
    wrap = Alignment(vertical="top", wrap_text=True)
    centre = Alignment(horizontal="center", vertical="top", wrap_text=True)
    centred = {i for i, (name, _w) in enumerate(BASE_COLUMNS, 1) if name in _CENTRED}
    for n, kw in enumerate(kws, 1):
        responsible, supporting, leader, liaison = _unit_cells(kw["units"])
        row = [
            kw["number"],
            kw["category"] or "",
            kw["title"],
            _numbered(kw["targets"]),
            _numbered(kw["measures"]),
            kw["period_phrase"] or "",
            "\n".join(kw["milestones"]),
            responsible,
            supporting,
            leader,
            liaison,
        ]
        for rnd in rounds:
            state = states[rnd["id"]].get(kw["id"])
            if state is None:
                row += [None, "", "", ""]
                continue
            percent = state.result.percent
            row += [
                percent / 100.0 if percent is not None else None,
                _progress_text(state),
                state.result.status,
                state.result.light,
            ]
        # Not ws.max_row: openpyxl computes it over every cell written so far, which made
        # this loop quadratic (26x slower at city scale than at county scale).
        r = HEADER_ROW + n
        append_row(ws, row, r)
        ws.row_dimensions[r].height = _row_height(row, widths)
        for col in range(1, len(headers) + 1):
            cell = ws.cell(r, col)
            cell.font, cell.border = body_font, _BORDER
            cell.alignment = centre if col in centred else wrap
        for i in range(len(rounds)):
            first = len(BASE_COLUMNS) + 1 + i * len(ROUND_COLUMNS)
            ws.cell(r, first).number_format = "0%"
            ws.cell(r, first).alignment = centre
            ws.cell(r, first + 2).alignment = centre
            ws.cell(r, first + 3).alignment = centre
        if progress and n % 50 == 0:
            progress(len(rounds) + n, total, f"写入第 {n}/{len(kws)} 项")

    last_row = max(HEADER_ROW + 1, HEADER_ROW + len(kws))
    last_col = get_column_letter(len(headers))
    ws.freeze_panes = f"D{HEADER_ROW + 1}"
    ws.auto_filter.ref = f"A{HEADER_ROW}:{last_col}{last_row}"
    for i in range(len(rounds)):
        first = len(BASE_COLUMNS) + 1 + i * len(ROUND_COLUMNS)
        status_col, light_col = get_column_letter(first + 2), get_column_letter(first + 3)
        for light, color in _LIGHT_FILLS.items():
            ws.conditional_formatting.add(
                f"{light_col}{HEADER_ROW + 1}:{light_col}{last_row}",
                CellIsRule(operator="equal", formula=[f'"{light}"'], fill=PatternFill("solid", bgColor=color)),
            )
        for status, color in _STATUS_FILLS.items():
            ws.conditional_formatting.add(
                f"{status_col}{HEADER_ROW + 1}:{status_col}{last_row}",
                FormulaRule(
                    formula=[f'{status_col}{HEADER_ROW + 1}="{status}"'], fill=PatternFill("solid", bgColor=color)
                ),
            )

    org = get_meta(db, "org_name") or ""
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.4
    # The page header and footer need their own band above and below the table (LibreOffice
    # clipped the header under the title row with 0.6 in margins and the header at 0.3 in).
    ws.page_margins.top = ws.page_margins.bottom = 0.9
    ws.page_margins.header = ws.page_margins.footer = 0.35
    ws.oddHeader.center.text = header_footer_text(f"{org}重点工作台账")
    ws.oddFooter.center.text = "第 &P 页 共 &N 页"
    ws.oddFooter.right.text = f"导出于 {datetime.now():%Y-%m-%d}"

    info = wb.create_sheet("导出说明")
    lines = [
        ["项目", "内容"],
        ["导出单位", org],
        ["导出时间", datetime.now().replace(microsecond=0).isoformat(sep=" ")],
        ["重点工作", len(kws)],
    ]
    for rnd in rounds:
        state = "已关闭（数据已冻结）" if rnd["state"] == "closed" else "进行中"
        lines.append([f"轮次 {rnd['id']}", f"截止 {rnd['cutoff']}，{state}"])
    lines.append(["亮灯", "红：逾期或严重滞后；黄：滞后或节点临近；绿：序时推进或已完成；灰：未报送"])
    lines.append(
        [
            "说明",
            "“责任单位”中带 * 的为牵头单位；“时间节点”每行一个节点。本表可作为任务清单重新导入，轮次列不参与导入。",
        ]
    )
    for number, line in enumerate(lines, 1):
        append_row(info, line, number)
    info.column_dimensions["A"].width = 14
    info.column_dimensions["B"].width = 80
    for row in info.iter_rows():
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    info["A1"].font = info["B1"].font = Font(bold=True)

    with replaced_atomically(out_path, opened_in="Excel/WPS") as tmp:
        wb.save(tmp)
    if progress:
        progress(total, total, "完成")
    return out_path


__all__ = ["BASE_COLUMNS", "ROUND_COLUMNS", "export_ledger"]
