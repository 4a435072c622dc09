r"""Finding, checking and registering the Chinese fonts a printed report needs.

Official documents name their typefaces (GB/T 9704): 仿宋 for the body, 黑体 and 楷体 for
headings, 小标宋 for the title, 宋体 for page numbers. reportlab can embed TrueType
outlines only (a CFF-based .otf/.ttc fails with "postscript outlines are not
supported"), so every candidate is loaded before it is chosen. On Windows the usual
files live in ``C:\Windows\Fonts`` or the user's own font folder; on Linux WenQuanYi
and AR PL UMing/UKai stand in. Only when no TrueType Chinese font exists at all does a
report fall back to reportlab's built-in ``STSong-Light`` (not embedded, so the reader's
PDF viewer must supply it), and the choice says so.
"""

from __future__ import annotations

import mmap
import os
import re
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFError, TTFont

BUILTIN_FALLBACK = "STSong-Light"


class _MappedFontFile:
    """A font file handed to reportlab as a read-only memory map instead of its bytes.

    reportlab reads the whole file into memory and keeps it (subsetting needs the glyph
    data); a CJK collection is 17–21 MB, read again for every face taken from it. Mapped,
    the faces of one file share one map and only the parts read (cmap, metrics, the glyphs
    printed) take memory: the city progress report's peak fell by about 45 MB.
    """

    def __init__(self, path: str):
        self.name = path
        with open(path, "rb") as f:
            self._map = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)

    def read(self) -> mmap.mmap:
        """Return the map; reportlab only slices and indexes what ``read`` returns."""
        return self._map


@lru_cache(maxsize=32)
def _font_file(path: str) -> _MappedFontFile | str:
    """Return the shared map of a font file (the path itself if it cannot be mapped, e.g. empty)."""
    try:
        return _MappedFontFile(path)
    except (OSError, ValueError):
        return path


#: The typefaces a report uses, with their Chinese names.
ROLES = {
    "fangsong": "仿宋",
    "heiti": "黑体",
    "kaiti": "楷体",
    "songti": "宋体",
    "xiaobiaosong": "小标宋",
}

#: Candidate files per role, best first: Windows names, then common Linux substitutes.
#: Each entry is (file name, preferred subfont name fragment or None).
CANDIDATES: dict[str, list[tuple[str, str | None]]] = {
    "fangsong": [
        ("simfang.ttf", None),
        ("仿宋_GB2312.ttf", None),
        ("FangSong_GB2312.ttf", None),
        ("STFANGSO.TTF", None),
        ("uming.ttc", "CN"),
        ("wqy-zenhei.ttc", "ZenHei"),
    ],
    "heiti": [
        ("simhei.ttf", None),
        ("msyh.ttc", None),
        ("wqy-zenhei.ttc", "ZenHei"),
        ("wqy-microhei.ttc", None),
        ("DroidSansFallbackFull.ttf", None),
        ("uming.ttc", "CN"),
    ],
    "kaiti": [
        ("simkai.ttf", None),
        ("楷体_GB2312.ttf", None),
        ("KaiTi_GB2312.ttf", None),
        ("STKAITI.TTF", None),
        ("ukai.ttc", "CN"),
        ("uming.ttc", "CN"),
        ("wqy-zenhei.ttc", "ZenHei"),
    ],
    "songti": [
        ("simsun.ttc", None),
        ("simsun.ttf", None),
        ("STSONG.TTF", None),
        ("uming.ttc", "CN"),
        ("wqy-zenhei.ttc", "ZenHei"),
    ],
    "xiaobiaosong": [
        ("方正小标宋简体.ttf", None),
        ("方正小标宋_GBK.ttf", None),
        ("FZXBSJW.TTF", None),
        ("FZXBSK.TTF", None),
        ("FZXiaoBiaoSong-B05S.ttf", None),
        ("simhei.ttf", None),
        ("simsun.ttc", None),
        ("wqy-zenhei.ttc", "ZenHei"),
        ("uming.ttc", "CN"),
    ],
}

#: Installed CJK families that ship only with PostScript (CFF) outlines, by file name.
_CFF_CJK = re.compile(r"(noto(sans|serif)cjk|notosans.*(sc|tc|jp|kr)\.otf|sourcehan|source-han|思源)", re.I)
#: The TrueType files to install, by role.
TRUETYPE_ADVICE = "仿宋 simfang.ttf、黑体 simhei.ttf、楷体 simkai.ttf、宋体 simsun.ttc、小标宋 方正小标宋简体.ttf"

#: Characters every usable Chinese font must have.
_PROBE = "中国重点工作进展情况，。（）〔〕年月日一二三"


@dataclass(frozen=True)
class FontFace:
    """One role's chosen font.

    Attributes:
        role: key of :data:`ROLES`, e.g. ``"fangsong"``.
        font_name: the name registered with reportlab (use it in styles).
        family: the font's own family name, for people to read.
        path: the font file, or None for the built-in fallback.
        subfont_index: index inside a .ttc collection.
        substitute: True when the typeface the role asks for was not found and another stands in.
        embedded: False only for the built-in STSong-Light.
    """

    role: str
    font_name: str
    family: str
    path: str | None
    subfont_index: int = 0
    substitute: bool = False
    embedded: bool = True

    @property
    def label(self) -> str:
        """The role's Chinese name, e.g. 仿宋."""
        return ROLES[self.role]


@dataclass
class FontChoice:
    """The fonts a report will use, and what had to fall back and why."""

    faces: dict[str, FontFace]
    warnings: list[str] = field(default_factory=list)
    searched: list[str] = field(default_factory=list)

    def name(self, role: str) -> str:
        """Return the reportlab font name for a role."""
        return self.faces[role].font_name

    @property
    def builtin_only(self) -> bool:
        """True when no TrueType Chinese font was found and STSong-Light is used throughout."""
        return all(not f.embedded for f in self.faces.values())

    def used(self) -> list[str]:
        """Return one readable line per role: 仿宋 → family (file)."""
        out = []
        for role in ROLES:
            face = self.faces[role]
            where = f"{face.path}#{face.subfont_index}" if face.path else "内置字体，不嵌入"
            note = "（代用）" if face.substitute else ""
            out.append(f"{face.label}：{face.family}{note}  {where}")
        return out

    def summary(self) -> str:
        """Return one short line: which font prints which role (代用 where a stand-in is used)."""
        parts = [
            f"{face.label}用{face.family}{'（代用）' if face.substitute else ''}"
            for face in (self.faces[role] for role in ROLES)
        ]
        return "字体：" + "，".join(parts) + "。"

    def missing_glyphs(self, text: str, role: str = "fangsong") -> set[str]:
        """Return the characters of ``text`` that the role's font cannot draw."""
        return {ch for ch in set(text) if ch.strip() and not covers(self.faces[role].font_name, ch)}

    def font_for_char(self, ch: str, role: str) -> str | None:
        """Return the role's font when it has ``ch``, else another chosen font that has it, else None."""
        if covers(self.faces[role].font_name, ch):
            return self.faces[role].font_name
        for other in self.faces.values():
            if covers(other.font_name, ch):
                return other.font_name
        return None


def covers(font_name: str, ch: str) -> bool:
    """Return True when the registered font ``font_name`` has a glyph for ``ch``."""
    font = pdfmetrics.getFont(font_name)
    face = getattr(font, "face", None)
    char_map = getattr(face, "charToGlyph", None)
    if char_map is None:
        # A CID font such as STSong-Light: assume GB 2312/GBK coverage for CJK and ASCII.
        return ord(ch) < 0x2000 or 0x3000 <= ord(ch) <= 0x9FFF or 0xFF00 <= ord(ch) <= 0xFFEF
    return ord(ch) in char_map or ch in "\n\t "


def font_dirs() -> list[Path]:
    """Return the folders searched for fonts on this machine, system folders first."""
    dirs: list[Path] = []
    if sys.platform.startswith("win"):
        windir = os.environ.get("WINDIR") or os.environ.get("SystemRoot") or r"C:\Windows"
        dirs.append(Path(windir) / "Fonts")
        local = os.environ.get("LOCALAPPDATA")
        if local:
            dirs.append(Path(local) / "Microsoft" / "Windows" / "Fonts")
    elif sys.platform == "darwin":
        dirs += [Path("/System/Library/Fonts"), Path("/Library/Fonts"), Path.home() / "Library" / "Fonts"]
    else:
        dirs += [
            Path("/usr/share/fonts"),
            Path("/usr/local/share/fonts"),
            Path.home() / ".local" / "share" / "fonts",
            Path.home() / ".fonts",
        ]
    return dirs


@lru_cache(maxsize=8)
def _index_fonts(dirs: tuple[Path, ...]) -> dict[str, Path]:
    """Map lower-case font file names to paths under ``dirs`` (first found wins)."""
    found: dict[str, Path] = {}
    for folder in dirs:
        if not folder.is_dir():
            continue
        for root, _subdirs, files in os.walk(folder):
            for name in files:
                if name.lower().endswith((".ttf", ".ttc", ".otf")):
                    found.setdefault(name.lower(), Path(root) / name)
    return found


@lru_cache(maxsize=64)
def _load(path: str, prefer: str | None) -> tuple[str, str, int] | tuple[None, str, int]:
    """Register the best subfont of ``path`` and return (font name, family, index), or (None, reason, 0).

    Each subfont probed is parsed once under its final name, and probing stops at the first
    one that will be chosen anyway: parsing a CJK .ttc takes a few hundred milliseconds a face.
    """
    last_error = "无法读取"
    candidates: list[tuple[int, str, TTFont]] = []
    for index in range(8):
        try:
            font = TTFont(f"duban-{Path(path).stem}-{index}", _font_file(path), subfontIndex=index)
        except TTFError as exc:
            text = str(exc)
            if "postscript outlines" in text.lower():
                return None, "是 PostScript (CFF) 轮廓字体，reportlab 无法嵌入", 0
            if "subfontindex" in text.lower() or index > 0:
                break
            last_error = text
            break
        except (OSError, ValueError) as exc:
            last_error = str(exc)
            break
        family = (
            font.face.familyName.decode("latin-1", "replace")
            if isinstance(font.face.familyName, bytes)
            else str(font.face.familyName)
        )
        if all(ord(ch) in font.face.charToGlyph for ch in _PROBE):
            candidates.append((index, family, font))
            if not prefer or prefer.lower() in family.lower().replace(" ", ""):
                break
        if not path.lower().endswith(".ttc"):
            break
    if not candidates:
        return None, f"缺少常用汉字或{last_error}", 0
    index, family, font = next(
        ((i, f, t) for i, f, t in candidates if prefer and prefer.lower() in f.lower().replace(" ", "")),
        candidates[0],
    )
    if font.fontName not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(font)
    return font.fontName, family, index


def _override_paths(settings: dict | None) -> dict[str, list[tuple[str, int | None]]]:
    """Read ``{role or 仿宋: path | {"path":…, "index":…} | [paths]}`` into role → [(path, index)]."""
    by_label = {label: role for role, label in ROLES.items()}
    out: dict[str, list[tuple[str, int | None]]] = {}
    for key, value in (settings or {}).items():
        role = by_label.get(key, key)
        if role not in ROLES:
            continue
        items = value if isinstance(value, list) else [value]
        for item in items:
            if isinstance(item, dict):
                out.setdefault(role, []).append((str(item.get("path", "")), item.get("index")))
            elif item:
                out.setdefault(role, []).append((str(item), None))
    return out


def find_fonts(settings: dict | None = None, dirs: Iterable[Path] | None = None) -> FontChoice:
    """Find, check and register a font for every role.

    Args:
        settings: per-role overrides, as stored in the ledger's ``font_paths`` setting:
            ``{"仿宋": "D:/字体/simfang.ttf", "heiti": {"path": "x.ttc", "index": 1}}``. A
            path that does not work is reported and the normal search continues.
        dirs: folders to search instead of the machine's font folders (tests use it).

    Returns:
        The choice, with a warning for every substitute, rejected override and fallback.
    """
    search = tuple(Path(d) for d in (dirs if dirs is not None else font_dirs()))
    index = _index_fonts(search)
    overrides = _override_paths(settings)
    faces: dict[str, FontFace] = {}
    warnings: list[str] = []
    for role, label in ROLES.items():
        for raw_path, sub in overrides.get(role, []):
            path = Path(raw_path).expanduser()
            if not path.is_file():
                warnings.append(f"设置中的{label}字体文件“{raw_path}”不存在，已改用自动查找。")
                continue
            name, family, idx = _load(str(path), None)
            if sub is not None and name is not None and idx != sub:
                name, family, idx = _load_index(str(path), int(sub))
            if name is None:
                warnings.append(f"设置中的{label}字体“{path.name}”不可用：{family}，已改用自动查找。")
                continue
            faces[role] = FontFace(role, name, family, str(path), idx, substitute=False)
            break
        if role in faces:
            continue
        for file_name, prefer in CANDIDATES[role]:
            path = index.get(file_name.lower())
            if path is None:
                continue
            name, family, idx = _load(str(path), prefer)
            if name is None:
                warnings.append(f"{label}字体“{path.name}”不可用：{family}。")
                continue
            # Only the typeface the role names is the real thing; anything else stands in.
            substitute = not _is_genuine(role, file_name)
            faces[role] = FontFace(role, name, family, str(path), idx, substitute=substitute)
            break
    if not faces:
        pdfmetrics.registerFont(UnicodeCIDFont(BUILTIN_FALLBACK))
        for role in ROLES:
            faces[role] = FontFace(role, BUILTIN_FALLBACK, BUILTIN_FALLBACK, None, substitute=True, embedded=False)
        warnings.append(
            "本机没有找到可嵌入的中文 TrueType 字体，已改用内置 STSong-Light（不嵌入 PDF，"
            "换一台电脑打开或打印时字形可能不同）。请安装仿宋、黑体等字体，或在设置中指定字体文件。"
        )
    else:
        # A role with nothing of its own borrows from a role that found something.
        for role in ROLES:
            if role not in faces:
                donor = next(faces[r] for r in ("songti", "fangsong", "heiti", "kaiti", "xiaobiaosong") if r in faces)
                faces[role] = FontFace(
                    role, donor.font_name, donor.family, donor.path, donor.subfont_index, substitute=True
                )
    # Stand-ins are named in FontChoice.summary(); say once what to install, and why an
    # installed Noto CJK / Source Han font is not among them.
    if any(face.substitute for face in faces.values()):
        cff = sorted({path.name for name, path in index.items() if _CFF_CJK.search(name)})
        if cff:
            warnings.append(
                f"找到的 {'、'.join(cff[:3])} 是 OpenType/CFF 字体（字形为 PostScript 轮廓），"
                "PDF 只能嵌入 TrueType 轮廓的字体，所以不能用。"
            )
        warnings.append(f"要用正式字体，请安装 TrueType 字体：{TRUETYPE_ADVICE}。")
    return FontChoice(faces, warnings, [str(d) for d in search])


def _load_index(path: str, index: int) -> tuple[str | None, str, int]:
    try:
        font = TTFont(f"duban-{Path(path).stem}-{index}", _font_file(path), subfontIndex=index)
    except (TTFError, OSError, ValueError) as exc:
        return None, str(exc), index
    if font.fontName not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(font)
    family = font.face.familyName
    return font.fontName, family.decode("latin-1", "replace") if isinstance(family, bytes) else str(family), index


_GENUINE = {
    "fangsong": ("simfang.ttf", "仿宋_gb2312.ttf", "fangsong_gb2312.ttf", "stfangso.ttf"),
    "heiti": ("simhei.ttf",),
    "kaiti": ("simkai.ttf", "楷体_gb2312.ttf", "kaiti_gb2312.ttf", "stkaiti.ttf"),
    "songti": ("simsun.ttc", "simsun.ttf", "stsong.ttf"),
    "xiaobiaosong": (
        "方正小标宋简体.ttf",
        "方正小标宋_gbk.ttf",
        "fzxbsjw.ttf",
        "fzxbsk.ttf",
        "fzxiaobiaosong-b05s.ttf",
    ),
}


def _is_genuine(role: str, file_name: str) -> bool:
    return file_name.lower() in _GENUINE[role]


def fonts_for_ledger(db) -> FontChoice:
    """Return :func:`find_fonts` with the ledger's ``font_paths`` setting applied."""
    from db.ledger import get_meta

    return find_fonts(get_meta(db, "font_paths"))


__all__ = [
    "BUILTIN_FALLBACK",
    "ROLES",
    "FontChoice",
    "FontFace",
    "covers",
    "find_fonts",
    "font_dirs",
    "fonts_for_ledger",
]
