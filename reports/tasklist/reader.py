"""``read_task_list``: sniff a file and hand it to the right reader."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from db.errors import DubanError
from db.plan_draft import Draft
from reports.safety import expect_kind
from reports.tasklist.document import parse_policy_text, read_docx
from reports.tasklist.excel import xls_grids, xlsx_grids
from reports.tasklist.grid import parse_column_map, preview_rows, read_grids

WHAT = "任务清单"


def read_task_list(
    path, *, year: int | None = None, plan_title: str | None = None, progress=None, columns: str | None = None
) -> Draft:
    """Read a task list or policy document into a draft; nothing is written anywhere.

    The content decides the reader, not the file name: .xlsx (openpyxl, normal mode so
    merged cells are seen), .xls (xlrd), .docx (python-docx: task-list tables, else the
    numbered text), .pdf with a text layer (pypdf), old Word .doc/.wps (converted by
    LibreOffice when it is installed) and plain text in UTF-8 or GB18030.

    Args:
        path: the file.
        year: plan year; default: the year the document states.
        plan_title: plan title; default: the document's title.
        progress: optional ``progress(done, total, message)``; it may raise to cancel.
        columns: a person's column mapping ("任务=C,牵头单位=D,责任单位=E,完成时限=F") for a
            table whose header is not recognised.

    Raises:
        DubanError: the file is missing, empty, damaged, password protected, of another
            kind, or holds no task list. The message is one Chinese sentence.
    """
    path = Path(path)
    if progress:
        progress(0, 3, f"检查文件“{path.name}”")
    kind = expect_kind(path, ("xlsx", "xls", "docx", "unknown"), WHAT).kind
    data = path.read_bytes()
    column_map = parse_column_map(columns) if columns else None
    if kind == "xls" and _is_old_word(data):
        return _read_converted(path, year=year, plan_title=plan_title, progress=progress, columns=columns)
    draft = Draft(
        source_name=path.name,
        source_sha256=hashlib.sha256(data).hexdigest(),
        year=year,
        year_source="参数" if year else None,
    )
    if progress:
        progress(1, 3, "读取内容")
    if kind in ("xlsx", "xls"):
        draft.source_kind = kind
        grids = xlsx_grids(path, draft.warnings) if kind == "xlsx" else xls_grids(path, draft.warnings)
        if not any(any(v not in (None, "") for row in g.cells for v in row) for g in grids):
            raise DubanError(f"工作簿“{path.name}”里没有任何内容，未导入。")
        if not read_grids(grids, draft, progress, column_map=column_map):
            first = " | ".join(c for c in (preview_rows(grids, 1) or [[]])[0] if c)[:60]
            raise DubanError(
                f"工作簿“{path.name}”里找不到任务清单的表头（第一行是“{first}”），"
                "请指明各列（命令行加 --columns 任务=C,牵头单位=D,责任单位=E,完成时限=F）。"
            )
    elif kind == "docx":
        draft.source_kind = "docx"
        read_docx(path, draft, progress, column_map=column_map)
    elif data.startswith(b"%PDF"):
        draft.source_kind = "pdf"
        parse_policy_text(pdf_text(path, data), draft, progress, column_map=column_map)
    else:
        draft.source_kind = "txt"
        parse_policy_text(_decode(path, data), draft, progress, column_map=column_map)
    if not draft.key_works:
        raise DubanError(f"“{path.name}”中没有读到任何重点工作，未导入。")
    if plan_title:
        draft.title = plan_title.strip()
    if not (draft.title or "").strip():
        draft.warnings.append(
            "文件里没有找到计划名称（表格上方没有标题行），导入前请填写计划名称（命令行加 --plan-title）。"
        )
    draft.refresh()
    if progress:
        progress(3, 3, f"读到 {len(draft.key_works)} 项重点工作")
    return draft


def first_rows(path, limit: int = 6) -> list[list[str]]:
    """Return the first non-empty rows of a table file (Excel or text), for a person to map its columns."""
    path = Path(path)
    kind = expect_kind(path, ("xlsx", "xls", "docx", "unknown"), WHAT).kind
    if kind in ("xlsx", "xls"):
        warnings: list[str] = []
        grids = xlsx_grids(path, warnings) if kind == "xlsx" else xls_grids(path, warnings)
        return preview_rows(grids, limit)
    if kind == "docx":
        from reports.tasklist.document import docx_content

        grids, _text = docx_content(path, [], every_table=True)
        return preview_rows(grids, limit)
    if kind == "unknown":
        text = _decode(path, path.read_bytes())
        rows = [line.split("\t") for line in text.splitlines() if line.strip()]
        return rows[:limit]
    return []


def pdf_text(path: Path, data: bytes) -> str:
    """Return the text layer of a PDF, page by page; refuse a scan (pages without text).

    Page headers and footers repeated on most pages and bare page numbers are dropped.
    """
    pages = _poppler_pages(path)
    if pages is None or _cjk_count(pages) < 20:
        pages = _pypdf_pages(path, data)
    cjk = _cjk_count(pages)
    if cjk < 20:
        raise DubanError(
            f"PDF 文件“{path.name}”没有文字层（是扫描件或图片），duban 无法读取，请使用原始的 Word/WPS 文件或文字版 PDF。"
        )
    lines_per_page = [[_close_pdf_gaps(line.strip()) for line in page.split("\n")] for page in pages]
    counts: dict[str, int] = {}
    for lines in lines_per_page:
        for line in set(lines[:2] + lines[-2:]):
            if line:
                counts[line] = counts.get(line, 0) + 1
    repeated = {line for line, n in counts.items() if len(pages) >= 3 and n >= len(pages) * 0.6}
    out = []
    for lines in lines_per_page:
        for line in lines:
            if line in repeated or re.fullmatch(
                r"[-—–－]?\s*\d{1,4}\s*[-—–－]?|第\s*\d+\s*页(?:\s*共\s*\d+\s*页)?", line
            ):
                continue
            out.append(line)
    return "\n".join(out)


def _cjk_count(pages: list[str]) -> int:
    return sum(1 for page in pages for ch in page if "\u4e00" <= ch <= "\u9fff")


def _close_pdf_gaps(line: str) -> str:
    """Drop the spaces a PDF puts between Chinese text and figures ("2025 年 6 月" → "2025年6月")."""
    return re.sub(
        r"(?<=[\u4e00-\u9fff，。、；：（）“”]) +(?=[0-9A-Za-z%])|(?<=[0-9A-Za-z%]) +(?=[\u4e00-\u9fff，。、；：（）“”])",
        "",
        line,
    )


def _poppler_pages(path: Path) -> list[str] | None:
    """The text of each page by poppler's pdftotext when it is installed (far faster than pypdf)."""
    import shutil
    import subprocess

    tool = shutil.which("pdftotext")
    if not tool:
        return None
    try:
        done = subprocess.run(
            [tool, "-enc", "UTF-8", "-q", str(path), "-"], capture_output=True, timeout=120, check=True
        )
    except (subprocess.SubprocessError, OSError):
        return None
    text = done.stdout.decode("utf-8", errors="replace")
    return text.split("\f")


def _pypdf_pages(path: Path, data: bytes) -> list[str]:
    import io
    import logging

    import pypdf

    logging.getLogger("pypdf").setLevel(logging.ERROR)
    try:
        reader = pypdf.PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            try:
                opened = reader.decrypt("")  # a PDF locked only against editing opens with no password
            except Exception:  # noqa: BLE001 - any failure means we cannot open it
                opened = False
            if not opened:
                raise DubanError(f"PDF 文件“{path.name}”设有打开密码，无法读取，请取消密码后再导入。")
        return [page.extract_text() or "" for page in reader.pages]
    except DubanError:
        raise
    except Exception as exc:  # noqa: BLE001 - pypdf raises many kinds for broken files
        raise DubanError(f"PDF 文件“{path.name}”已损坏，无法读取（{type(exc).__name__}）。") from None


def _is_old_word(data: bytes) -> bool:
    """An OLE file holding a WordDocument stream (.doc, or .wps saved as Word 97)."""
    return "WordDocument".encode("utf-16-le") in data[:200000] or b"WordDocument" in data[:200000]


def _read_converted(path: Path, **kwargs) -> Draft:
    """Convert an old Word file to .docx with LibreOffice and read that."""
    import shutil
    import subprocess
    import tempfile

    office = shutil.which("soffice") or shutil.which("libreoffice")
    if not office:
        raise DubanError(f"“{path.name}”是旧版 Word（.doc/.wps）文件，请在 Word/WPS 中另存为 .docx 后再导入。")
    with tempfile.TemporaryDirectory() as tmp:
        try:
            subprocess.run(
                [office, "--headless", "--convert-to", "docx", "--outdir", tmp, str(path)],
                check=True,
                capture_output=True,
                timeout=120,
                env={**__import__("os").environ, "HOME": tmp},
            )
        except (subprocess.SubprocessError, OSError):
            raise DubanError(
                f"“{path.name}”是旧版 Word 文件，转换失败，请在 Word/WPS 中另存为 .docx 后再导入。"
            ) from None
        converted = next(Path(tmp).glob("*.docx"), None)
        if converted is None:
            raise DubanError(f"“{path.name}”是旧版 Word 文件，转换失败，请在 Word/WPS 中另存为 .docx 后再导入。")
        draft = read_task_list(converted, **kwargs)
    draft.source_name = path.name
    draft.source_kind = "doc"
    draft.source_sha256 = hashlib.sha256(path.read_bytes()).hexdigest()
    return draft


def _decode(path: Path, data: bytes) -> str:
    """Decode a text file as UTF-8 (with or without BOM), UTF-16 with BOM, or GB18030."""
    if data.startswith(b"%PDF"):
        raise DubanError(
            f"“{path.name}”是 PDF 文件，duban 不直接读取 PDF。请在阅读器中全选复制文字后粘贴导入，或另存为 .txt。"
        )
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    if b"\x00" in data[:4096]:
        raise DubanError(f"“{path.name}”不是任务清单（无法识别的文件格式；可用 .xlsx、.xls、.docx 或 .txt）。")
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if sum(1 for ch in text[:2000] if "\u4e00" <= ch <= "\u9fff") == 0:
            raise DubanError(f"“{path.name}”里没有中文内容，不像是任务清单，未导入。")
        return text
    raise DubanError(f"“{path.name}”的文字编码无法识别（既不是 UTF-8 也不是 GB18030），请另存为 UTF-8 文本再试。")
