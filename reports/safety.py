"""Checks every input file passes before any parser sees it.

Every file a clerk sends is hostile until checked: it may be damaged, renamed, password
protected, a zip bomb, an XML entity bomb, or simply far too large. Each check rejects
with one Chinese sentence (a :class:`db.errors.DubanError`) and reads at most a bounded
amount of data, so nothing is parsed and nothing is written for a rejected file.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from pathlib import Path

import openpyxl

from db.errors import DubanError
from reports.files import file_in_use_message

MiB = 1024 * 1024

#: Largest workbook or document accepted (a filled handoff is well under 1 MB).
MAX_FILE_BYTES = 50 * MiB
#: Largest total uncompressed size of an .xlsx/.docx package.
MAX_UNPACKED_BYTES = 300 * MiB
#: Largest compression ratio of one package member; real sheets stay far below it.
MAX_RATIO = 200
#: Most members in one package.
MAX_MEMBERS = 5000
#: Most rows a sheet may declare.
MAX_ROWS = 100_000

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
_ENCRYPTION_MARK = "EncryptionInfo".encode("utf-16-le")

if not getattr(openpyxl, "DEFUSEDXML", False):  # pragma: no cover - guarded by the install
    raise ImportError("duban needs defusedxml installed so that openpyxl parses XML safely")


@dataclass(frozen=True)
class FileKind:
    """What a file really is, whatever its name says."""

    kind: str  # "xlsx", "docx", "xls", "encrypted", "zip", "text", "empty", "unknown"
    size: int


def _name(path: Path) -> str:
    return f"“{path.name}”"


def check_size(path: Path, max_bytes: int = MAX_FILE_BYTES) -> int:
    """Return the file's size, refusing a missing, empty or oversized file."""
    if not path.exists():
        raise DubanError(f"找不到文件{_name(path)}。")
    if not path.is_file():
        raise DubanError(f"{_name(path)}不是文件。")
    size = path.stat().st_size
    if size == 0:
        raise DubanError(f"文件{_name(path)}是空的（0 字节），请让对方重新发送。")
    if size > max_bytes:
        raise DubanError(
            f"文件{_name(path)}有 {size / MiB:.0f} MB，超过 {max_bytes // MiB} MB 上限，"
            "不像是填报表或任务清单，未导入。"
        )
    return size


def sniff(path: Path, max_bytes: int = MAX_FILE_BYTES) -> FileKind:
    """Return what the file is by its content (not its extension)."""
    size = check_size(path, max_bytes)
    try:
        fh = path.open("rb")
    except PermissionError:
        # Windows: another program holds the file without sharing it for reading.
        raise DubanError(file_in_use_message(path, "读取")) from None
    with fh:
        head = fh.read(8)
        if head.startswith(OLE_MAGIC):
            data = head + fh.read()
            return FileKind("encrypted" if _ENCRYPTION_MARK in data else "xls", size)
    if head.startswith(ZIP_MAGIC):
        try:
            with zipfile.ZipFile(path) as zf:
                names = set(zf.namelist())
        except (zipfile.BadZipFile, OSError, ValueError):
            return FileKind("zip", size)
        if "xl/workbook.xml" in names:
            return FileKind("xlsx", size)
        if "word/document.xml" in names:
            return FileKind("docx", size)
        return FileKind("zip", size)
    return FileKind("unknown", size)


def check_package(path: Path) -> None:
    """Refuse a damaged zip package, a zip bomb, or XML that declares entities.

    Only the zip directory and the beginning of each XML member are read.
    """
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise DubanError(f"文件{_name(path)}已损坏，无法打开（{exc}）。请让对方重新保存后再发送。") from None
    with zf:
        infos = zf.infolist()
        if len(infos) > MAX_MEMBERS:
            raise DubanError(f"文件{_name(path)}内部包含 {len(infos)} 个部件，不像正常的 Office 文件，未导入。")
        total = 0
        for info in infos:
            total += info.file_size
            ratio = info.file_size / max(info.compress_size, 1)
            if info.file_size > 10 * MiB and ratio > MAX_RATIO:
                raise DubanError(f"文件{_name(path)}的压缩比异常（疑似压缩炸弹），未导入。")
        if total > MAX_UNPACKED_BYTES:
            raise DubanError(
                f"文件{_name(path)}解压后有 {total / MiB:.0f} MB，超过 {MAX_UNPACKED_BYTES // MiB} MB 上限，未导入。"
            )
        for info in infos:
            if not info.filename.endswith((".xml", ".rels")):
                continue
            try:
                with zf.open(info) as fh:
                    head = fh.read(4096)
            except (zipfile.BadZipFile, OSError, ValueError, EOFError, RuntimeError) as exc:
                raise DubanError(f"文件{_name(path)}已损坏（{exc}），无法读取。") from None
            if b"<!ENTITY" in head or b"<!DOCTYPE" in head:
                raise DubanError(f"文件{_name(path)}含有不安全的 XML 实体声明，已拒绝（正常的 Excel/WPS 文件不会有）。")
            if info.filename.startswith("xl/worksheets/") and b"<dimension" in head:
                _check_dimension(path, head)


def _check_dimension(path: Path, head: bytes) -> None:
    import re

    m = re.search(rb'<dimension ref="[A-Z]+\d+:[A-Z]+(\d+)"', head)
    if m and int(m.group(1)) > MAX_ROWS:
        raise DubanError(f"文件{_name(path)}的工作表有 {int(m.group(1)):,} 行，超过 {MAX_ROWS:,} 行上限，未导入。")


def expect_kind(path: Path, wanted: tuple[str, ...], what: str, max_bytes: int = MAX_FILE_BYTES) -> FileKind:
    """Sniff a file and refuse it unless it is one of ``wanted`` (e.g. ``("xlsx", "xls")``).

    Args:
        path: the file.
        wanted: acceptable kinds.
        what: what the user meant to give, for the message (“填报表”, “任务清单”).
        max_bytes: size limit.
    """
    found = sniff(path, max_bytes)
    if found.kind in wanted:
        if found.kind in ("xlsx", "docx"):
            check_package(path)
        return found
    messages = {
        "encrypted": f"文件{_name(path)}设有打开密码，duban 无法读取。请在 Excel/WPS 中取消密码（文件 → 信息 → 保护工作簿）后重新保存。",
        "docx": f"文件{_name(path)}是 Word 文档，不是{what}（可能改了扩展名）。",
        "xlsx": f"文件{_name(path)}是 Excel 工作簿，不是{what}。",
        "xls": f"文件{_name(path)}是旧版 Excel（.xls）文件，不是{what}。",
        "zip": f"文件{_name(path)}是压缩包或已损坏的 Office 文件，不是{what}。",
    }
    raise DubanError(messages.get(found.kind, f"文件{_name(path)}不是{what}（无法识别的文件格式）。"))


def open_xlsx(
    path: Path, *, read_only: bool = False, data_only: bool = True, what: str = "Excel 工作簿"
) -> openpyxl.Workbook:
    """Open an .xlsx after every check; refuse anything else with a Chinese message.

    ``read_only=False`` is needed to see merged cells; both modes parse with defusedxml.
    """
    expect_kind(path, ("xlsx",), what)
    try:
        return openpyxl.load_workbook(path, read_only=read_only, data_only=data_only)
    except DubanError:
        raise
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many kinds for broken files
        raise DubanError(
            f"文件{_name(path)}无法作为 Excel 工作簿读取（{type(exc).__name__}: {exc}）。"
            "请在 Excel/WPS 中打开后另存为 .xlsx 再试。"
        ) from None


def open_xls(
    path: Path, what: str = "Excel 工作簿", *, formatting_info: bool = False, skip_sheets: tuple[str, ...] = ()
):
    """Open an old-format .xls with xlrd after the checks; return the xlrd book.

    Args:
        path: the file.
        what: what the user meant to give, for messages.
        formatting_info: also read formatting (BIFF8): merged cells (``sheet.merged_cells``)
            and hidden columns (``sheet.colinfo_map``), which xlrd leaves out otherwise.
        skip_sheets: sheets the caller never reads; they are not loaded (nor checked).
    """
    import xlrd

    expect_kind(path, ("xls",), what)
    try:
        book = xlrd.open_workbook(str(path), formatting_info=formatting_info, on_demand=True)
    except Exception as exc:  # noqa: BLE001 - xlrd raises many kinds for broken files
        text = str(exc)
        if "encrypt" in text.lower():
            raise DubanError(f"文件{_name(path)}设有密码保护，请取消密码后重新保存。") from None
        raise DubanError(f"文件{_name(path)}无法作为旧版 Excel（.xls）读取（{text}）。") from None
    for index in range(book.nsheets):
        if book.sheet_names()[index] in skip_sheets:
            continue
        sheet = book.sheet_by_index(index)
        if sheet.nrows > MAX_ROWS:
            raise DubanError(f"文件{_name(path)}的工作表有 {sheet.nrows:,} 行，超过 {MAX_ROWS:,} 行上限，未导入。")
    return book
