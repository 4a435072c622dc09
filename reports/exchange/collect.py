"""Collecting returned workbooks: files, folders and .zip archives (GBK names, bombs refused).

What comes out is a list of :class:`Source`: a workbook on disk to read, or a sentence
saying why a file or archive was refused. Archive members are unpacked to a temporary
folder that lives as long as the caller's :class:`contextlib.ExitStack`.
"""

from __future__ import annotations

import tempfile
import zipfile
from collections.abc import Iterable
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

from db.errors import DubanError
from reports import safety
from reports.filetypes import RETURN_ARCHIVE_SUFFIXES, RETURN_SUFFIXES, RETURN_WORKBOOK_SUFFIXES

MAX_ARCHIVE_MEMBERS = 500


@dataclass
class Source:
    """One returned workbook found (or a file refused, with why)."""

    display: str
    name: str
    path: Path | None
    rejected: str | None = None


def _zip_member_name(info: zipfile.ZipInfo) -> str:
    name = info.filename
    if not info.flag_bits & 0x800:
        # Chinese Windows archivers store names in GBK without saying so.
        try:
            name = name.encode("cp437").decode("gbk")
        except (UnicodeEncodeError, UnicodeDecodeError):
            pass
    return name


def _expand_archive(path: Path, tmp: Path) -> list[Source]:
    label = f"“{path.name}”"
    try:
        safety.check_size(path)
        zf = zipfile.ZipFile(path)
    except DubanError as exc:
        return [Source(str(path), path.name, None, str(exc))]
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        return [Source(str(path), path.name, None, f"压缩包{label}已损坏，无法打开（{exc}）。")]
    out: list[Source] = []
    with zf:
        infos = [i for i in zf.infolist() if not i.is_dir()]
        if len(infos) > MAX_ARCHIVE_MEMBERS:
            return [Source(str(path), path.name, None, f"压缩包{label}内有 {len(infos)} 个文件，超过上限，未导入。")]
        total = sum(i.file_size for i in infos)
        if total > safety.MAX_UNPACKED_BYTES:
            return [Source(str(path), path.name, None, f"压缩包{label}解压后过大（疑似压缩炸弹），未导入。")]
        for index, info in enumerate(infos):
            name = _zip_member_name(info)
            base = name.replace("\\", "/").rsplit("/", 1)[-1]
            if name.startswith("__MACOSX/") or base.startswith(("~$", ".")):
                continue
            if not base.lower().endswith(RETURN_WORKBOOK_SUFFIXES):
                continue
            display = f"{path.name}/{name}"
            if info.file_size > safety.MAX_FILE_BYTES:
                out.append(Source(display, base, None, f"压缩包中的“{base}”过大，未导入。"))
                continue
            target = tmp / f"{index:04d}{Path(base).suffix.lower()}"
            try:
                with zf.open(info) as src:
                    data = src.read(safety.MAX_FILE_BYTES + 1)
            except (zipfile.BadZipFile, OSError, ValueError, EOFError, RuntimeError, NotImplementedError) as exc:
                out.append(Source(display, base, None, f"压缩包中的“{base}”无法解压（{exc}），未导入。"))
                continue
            if len(data) > safety.MAX_FILE_BYTES:
                out.append(Source(display, base, None, f"压缩包中的“{base}”过大，未导入。"))
                continue
            target.write_bytes(data)
            out.append(Source(display, base, target))
    if not out:
        return [Source(str(path), path.name, None, f"压缩包{label}中没有 .xlsx 或 .xls 填报表。")]
    return out


def collect_sources(paths: Iterable[str | Path], stack: ExitStack) -> list[Source]:
    """Return the workbooks in the given files, folders (searched recursively) and .zip archives.

    Archive members are unpacked into a temporary folder removed when ``stack`` closes.
    """
    sources: list[Source] = []
    tmp: Path | None = None
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found = sorted(
                p
                for p in path.rglob("*")
                if p.is_file() and not p.name.startswith(("~$", ".")) and p.suffix.lower() in RETURN_SUFFIXES
            )
            if not found:
                sources.append(Source(str(path), path.name, None, f"文件夹“{path}”中没有 .xlsx、.xls 或 .zip 文件。"))
        else:
            found = [path]
        for item in found:
            is_archive = False
            if item.suffix.lower() in RETURN_ARCHIVE_SUFFIXES and item.is_file():
                try:
                    is_archive = safety.sniff(item).kind == "zip"
                except DubanError:
                    is_archive = False
            if is_archive:
                if tmp is None:
                    tmp = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="duban-returns-")))
                folder = tmp / f"zip{len(sources):04d}"
                folder.mkdir()
                sources.extend(_expand_archive(item, folder))
            else:
                sources.append(Source(str(item), item.name, item))
    return sources
