"""Collecting returned workbooks: files, folders and .zip archives (GBK names, bombs refused).

What comes out is a list of :class:`Source`: a workbook on disk to read, or a sentence
saying why a file or archive was refused. Archive members are unpacked to a temporary
folder that lives as long as the caller's :class:`contextlib.ExitStack`.
"""

from __future__ import annotations

import re
import tempfile
import zipfile
from collections.abc import Iterable
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

from db.errors import DubanError
from reports import safety
from reports.filetypes import RETURN_ARCHIVE_SUFFIXES, RETURN_SUFFIXES, RETURN_WORKBOOK_SUFFIXES

#: Returned workbooks (and nested archives) one archive may hold; other entries do not count.
MAX_ARCHIVE_MEMBERS = 500
#: Entries of any kind one archive may hold (a macOS zip adds a ``__MACOSX/._x`` per file).
MAX_ARCHIVE_ENTRIES = 10_000
#: Archives inside an archive are opened this many levels deep (a township's zip inside the county's).
MAX_ARCHIVE_DEPTH = 1

_UNSAFE_IN_NAME = re.compile(r'[\\/:*?"<>|\x00-\x1f]')


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


def _is_junk(name: str) -> bool:
    """Entries an archiver adds on its own (macOS resource forks, Office lock files, hidden files)."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    return name.startswith("__MACOSX/") or "/__MACOSX/" in name or base.startswith(("~$", ".")) or not base


def _expand_archive(path: Path, tmp: Path, depth: int = 0, shown: str | None = None) -> list[Source]:
    """Unpack the workbooks of one archive (and of archives inside it, one level deep) into ``tmp``.

    Every message names a member as the clerk named it (GBK names decoded), with the archive
    it came from; each member is unpacked under its own name.
    """
    shown = shown or path.name
    label = f"“{shown}”"
    try:
        safety.check_size(path)
        zf = zipfile.ZipFile(path)
    except DubanError as exc:
        return [Source(shown, Path(shown).name, None, str(exc).replace(f"“{path.name}”", label))]
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        return [Source(shown, Path(shown).name, None, f"压缩包{label}已损坏，无法打开（{exc}）。")]
    out: list[Source] = []
    with zf:
        entries = [i for i in zf.infolist() if not i.is_dir()]
        if len(entries) > MAX_ARCHIVE_ENTRIES:
            return [
                Source(shown, Path(shown).name, None, f"压缩包{label}内有 {len(entries)} 个条目，超过上限，未导入。")
            ]
        members = []
        for info in entries:
            name = _zip_member_name(info)
            if _is_junk(name):
                continue
            suffix = Path(name).suffix.lower()
            if suffix in RETURN_WORKBOOK_SUFFIXES or suffix in RETURN_ARCHIVE_SUFFIXES:
                members.append((info, name))
        if len(members) > MAX_ARCHIVE_MEMBERS:
            return [
                Source(
                    shown,
                    Path(shown).name,
                    None,
                    f"压缩包{label}内有 {len(members)} 个填报表，超过 {MAX_ARCHIVE_MEMBERS} 个的上限，未导入；请分成几个压缩包。",
                )
            ]
        total = sum(info.file_size for info, _name in members)
        if total > safety.MAX_UNPACKED_BYTES:
            return [Source(shown, Path(shown).name, None, f"压缩包{label}解压后过大（疑似压缩炸弹），未导入。")]
        for index, (info, name) in enumerate(members):
            base = name.replace("\\", "/").rsplit("/", 1)[-1]
            display = f"{shown}/{name}"
            member = f"压缩包{label}中的“{name}”"
            if info.file_size > safety.MAX_FILE_BYTES:
                out.append(Source(display, base, None, f"{member}过大，未导入。"))
                continue
            try:
                with zf.open(info) as src:
                    data = src.read(safety.MAX_FILE_BYTES + 1)
            except (zipfile.BadZipFile, OSError, ValueError, EOFError, RuntimeError, NotImplementedError) as exc:
                out.append(Source(display, base, None, f"{member}无法解压（{exc}），未导入。"))
                continue
            if len(data) > safety.MAX_FILE_BYTES:
                out.append(Source(display, base, None, f"{member}过大，未导入。"))
                continue
            # Each member in its own folder under the name the clerk gave it, so that every
            # message about the file (from the reader too) names it as the clerk knows it.
            folder = tmp / f"{index:04d}"
            folder.mkdir()
            target = folder / (_UNSAFE_IN_NAME.sub("_", base).strip(" .") or f"{index:04d}{Path(base).suffix}")
            target.write_bytes(data)
            if Path(base).suffix.lower() in RETURN_ARCHIVE_SUFFIXES:
                if depth >= MAX_ARCHIVE_DEPTH:
                    out.append(
                        Source(
                            display,
                            base,
                            None,
                            f"{member}是压缩包里的压缩包里的压缩包，层数太多，未导入；请解压后再导入。",
                        )
                    )
                    continue
                inner = folder / "unpacked"
                inner.mkdir()
                out.extend(_expand_archive(target, inner, depth + 1, display))
                continue
            out.append(Source(display, base, target))
    if not out:
        return [Source(shown, Path(shown).name, None, f"压缩包{label}中没有 .xlsx 或 .xls 填报表。")]
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
