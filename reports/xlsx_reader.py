"""A small streaming reader for .xlsx workbooks: cell values, number formats and formula flags.

Reading returned handoffs with openpyxl's read-only mode spent most of its time building a cell
object per cell and parsing the stylesheet, themes and sheet settings an import never looks at.
This reader parses only what the import uses and gives exactly what
``openpyxl.load_workbook(read_only=True, data_only=False)`` gives for it (rows padded and
trimmed to the sheet's ``<dimension>`` like ``ws.iter_rows()``, shared strings, inline strings,
booleans, errors, dates, number formats, formulas incl. shared ones), reusing openpyxl's own
helpers for the fiddly parts (coordinates, date formats, Excel serial dates, formula translation).

XML is parsed by the C expat parser with defusedxml's protections: a document type declaration,
an entity declaration or an external reference stops parsing with a defusedxml exception (the
same handlers :class:`defusedxml.ElementTree.DefusedXMLParser` installs; sheets and the shared
strings drive expat directly rather than through ElementTree, which keeps no tree and is several
times faster). Worksheets are fed to the parser in chunks and handed out a row at a time, so
memory stays bounded whatever the sheet's size.

Every failure (damaged zip, broken XML, a missing part, a malformed value) raises an ordinary
exception; callers turn it into their one Chinese message.
"""

from __future__ import annotations

import posixpath
import pyexpat
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from defusedxml.common import DTDForbidden, EntitiesForbidden, ExternalReferenceForbidden
from defusedxml.ElementTree import fromstring as _defused_fromstring
from openpyxl.formula.translate import Translator
from openpyxl.styles.numbers import (
    BUILTIN_FORMATS,
    BUILTIN_FORMATS_MAX_SIZE,
    BUILTIN_FORMATS_REVERSE,
    is_date_format,
    is_timedelta_format,
)
from openpyxl.utils.cell import coordinate_to_tuple, range_boundaries
from openpyxl.utils.datetime import CALENDAR_MAC_1904, WINDOWS_EPOCH, from_excel, from_ISO8601
from openpyxl.utils.escape import unescape

_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_CT = "http://schemas.openxmlformats.org/package/2006/content-types"
_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
_CUSTOM = "http://schemas.openxmlformats.org/officeDocument/2006/custom-properties"
_VT = "http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"
_DCTERMS = "http://purl.org/dc/terms/"

_WORKBOOK_TYPES = tuple(
    f"application/vnd.{kind}.main+xml"
    for kind in (
        "ms-excel.template.macroEnabled",
        "openxmlformats-officedocument.spreadsheetml.template",
        "ms-excel.sheet.macroEnabled",
        "openxmlformats-officedocument.spreadsheetml.sheet",
    )
)
_SHARED_STRINGS_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"

# Tag names as expat reports them with "}" as namespace separator (no leading brace).
_ROW = f"{_MAIN}}}row"
_V = f"{_MAIN}}}v"
_F = f"{_MAIN}}}f"
_IS = f"{_MAIN}}}is"
_SI = f"{_MAIN}}}si"
_DIMENSION = f"{_MAIN}}}dimension"
_SHEET_DATA = f"{_MAIN}}}sheetData"

#: Bytes fed to the parser at a time: rows are handed out after each chunk.
_CHUNK = 64 * 1024


# ---------------------------------------------------------------------------------------------
# Parsers
# ---------------------------------------------------------------------------------------------


def _forbid_doctype(name, sysid, pubid, has_internal_subset):
    raise DTDForbidden(name, sysid, pubid)


def _forbid_entity(name, is_parameter_entity, value, base, sysid, pubid, notation_name):
    raise EntitiesForbidden(name, value, base, sysid, pubid, notation_name)


def _forbid_unparsed_entity(name, base, sysid, pubid, notation_name):
    raise EntitiesForbidden(name, None, base, sysid, pubid, notation_name)


def _forbid_external(context, base, sysid, pubid):
    raise ExternalReferenceForbidden(context, base, sysid, pubid)


def _expat_parser(handler) -> Any:
    """Return an expat parser calling ``handler.start/end/data``, refusing DTDs and entities."""
    parser = pyexpat.ParserCreate(namespace_separator="}")
    parser.buffer_text = True
    parser.buffer_size = _CHUNK
    # Office files never declare a document type; refusing one also rules out every entity.
    parser.StartDoctypeDeclHandler = _forbid_doctype
    parser.EntityDeclHandler = _forbid_entity
    parser.UnparsedEntityDeclHandler = _forbid_unparsed_entity
    parser.ExternalEntityRefHandler = _forbid_external
    parser.StartElementHandler = handler.start
    parser.EndElementHandler = handler.end
    parser.CharacterDataHandler = handler.data
    return parser


def _parse_small(data: bytes):
    """Parse a small part (workbook, relationships, styles, properties) into an element tree."""
    return _defused_fromstring(data, forbid_dtd=True)


def _local(tag: str) -> str:
    return tag[tag.rfind("}") + 1 :]


class _TextCollector:
    """Collects an element's own text: what ElementTree calls ``element.text`` (before any child)."""

    __slots__ = ("parts", "active")

    def __init__(self) -> None:
        self.parts: list[str] | None = None
        self.active = False

    def begin(self) -> None:
        self.parts = []
        self.active = True

    def text(self) -> str | None:
        """Return the collected text, None when the element had none (like ElementTree)."""
        self.active = False
        return "".join(self.parts) if self.parts else None


class _RichText:
    """openpyxl's ``Text.from_tree(node).content`` for an ``<si>`` or ``<is>`` element, streamed.

    The last direct ``<t>`` child is the plain text, each ``<r>`` run contributes its last ``<t>``;
    phonetic runs (``<rPh>``) and formatting are skipped. Children are matched by local name, as
    openpyxl does.
    """

    __slots__ = ("depth", "plain", "runs", "run_text", "in_run", "collector", "collecting")

    def __init__(self, depth: int) -> None:
        self.depth = depth  # depth of the <si>/<is> element itself
        self.plain: str | None = None
        self.runs: list[str | None] = []
        self.run_text: str | None = None
        self.in_run = False
        self.collector = _TextCollector()
        self.collecting = 0  # 1: a plain <t>, 2: a run's <t>

    def start(self, tag: str, depth: int) -> None:
        self.collector.active = False
        offset = depth - self.depth
        if offset == 1:
            local = _local(tag)
            if local == "t":
                self.collector.begin()
                self.collecting = 1
            elif local == "r":
                self.in_run = True
                self.run_text = None
        elif offset == 2 and self.in_run and _local(tag) == "t":
            self.collector.begin()
            self.collecting = 2

    def end(self, depth: int) -> None:
        offset = depth - self.depth
        if offset == 1:
            if self.collecting == 1:
                self.plain = self.collector.text()
                self.collecting = 0
            elif self.in_run:
                self.runs.append(self.run_text)
                self.in_run = False
        elif offset == 2 and self.collecting == 2:
            self.run_text = self.collector.text()
            self.collecting = 0

    def content(self) -> str:
        parts = [self.plain] if self.plain is not None else []
        parts.extend(run for run in self.runs if run is not None)
        return "".join(parts)


class _SharedStringsHandler:
    """Reads sharedStrings.xml like ``openpyxl.reader.strings.read_string_table``."""

    def __init__(self) -> None:
        self.strings: list[str] = []
        self.depth = 0
        self.item: _RichText | None = None

    def start(self, tag, attrs):
        if self.item is not None:
            self.item.start(tag, self.depth)
        elif tag == _SI:
            self.item = _RichText(self.depth)
        self.depth += 1

    def end(self, tag):
        self.depth -= 1
        item = self.item
        if item is None:
            return
        if self.depth == item.depth:
            # Excel stores characters XML cannot carry as _xHHHH_ (a pasted line's carriage return
            # is _x000D_; a literal "_x" is _x005F_x). openpyxl leaves them as written, so a clerk's
            # pasted text came back with "_x000D_" in it; decoded here as the format means.
            self.strings.append(unescape(item.content()))
            self.item = None
        else:
            item.end(self.depth)

    def data(self, text):
        item = self.item
        if item is not None and item.collector.active:
            item.collector.parts.append(text)


def _cast_number(text: str) -> int | float:
    """Number text to int or float exactly as openpyxl's worksheet reader does."""
    if "." in text or "E" in text or "e" in text:
        return float(text)
    return int(text)


class _SheetHandler:
    """Turns a worksheet's XML into rows of cells like openpyxl's ``WorkSheetParser.parse``.

    Completed rows are appended to ``ready`` as ``(row_index, [(column, value, data_type,
    style_id), ...])``. ``dimension`` is the ``<dimension ref>`` met before the first row.

    The expat callbacks are closures over local state: they run for every element of the
    sheet, and attribute lookups on ``self`` were a good part of the reading time.
    """

    def __init__(self, book: XlsxBook, data_only: bool) -> None:
        self.ready: list[tuple[int, list[tuple[int, Any, str, int]]]] = []
        self.dimension: str | None = None
        ready = self.ready
        shared_strings = book.shared_strings
        date_styles, timedelta_styles, epoch = book.date_styles, book.timedelta_styles, book.epoch
        shared_formulae: dict[str | None, Translator] = {}
        columns: dict[str, int] = {}  # column letters -> number, as openpyxl reads them

        depth = 0
        row_depth = -1  # depth of the open <row>, -1 outside rows
        dimension_closed = False  # a <dimension> counts only before the first row and </sheetData>
        row_counter = col_counter = 0
        cells: list[tuple[int, Any, str, int]] = []
        # The open cell: its attributes, its first <v>, first <f> and first <is> (as openpyxl's
        # element.find/findtext take the first child of each kind).
        cell_attrs: dict = {}
        value_seen = False
        value_text: str | None = None
        formula_attrs: dict | None = None
        formula_text: str | None = None
        # <is> content as openpyxl's Text.content: the last direct <t>, then each <r>'s last <t>.
        inline_depth = -1
        inline_plain: str | None = None
        inline_runs: list[str | None] = []
        in_run = False
        run_text: str | None = None
        inline_text: str | None = None
        # Text collection: an element's own text is what comes before its first child element.
        collecting = 0  # 0 none, 1 <v>, 2 <f>, 3 plain <t>, 4 a run's <t>
        parts: list[str] = []

        def start(tag, attrs):
            nonlocal depth, row_depth, dimension_closed, row_counter, col_counter, cells
            nonlocal cell_attrs, value_seen, value_text, formula_attrs, formula_text
            nonlocal inline_depth, inline_plain, inline_runs, in_run, run_text, inline_text, collecting, parts
            level = depth
            depth = level + 1
            if row_depth < 0:
                if tag == _ROW:
                    dimension_closed = True
                    row_depth = level
                    number = attrs.get("r")
                    if number is None:
                        row_counter += 1
                    else:
                        try:
                            row_counter = int(number)
                        except ValueError:
                            as_float = float(number)
                            if not as_float.is_integer():
                                raise ValueError(f"{number} is not a valid row number") from None
                            row_counter = int(as_float)
                    col_counter = 0
                    cells = []
                elif tag == _DIMENSION and not dimension_closed and self.dimension is None:
                    self.dimension = attrs.get("ref")
                    if self.dimension is None:
                        raise ValueError("<dimension> without ref")
                return
            collecting = 0
            offset = level - row_depth
            if offset == 1:
                cell_attrs = attrs
                value_seen = False
                value_text = formula_attrs = formula_text = inline_text = None
                inline_depth = -1
            elif offset == 2:
                if tag == _V:
                    if not value_seen:
                        value_seen = True
                        collecting, parts = 1, []
                elif tag == _F:
                    if formula_attrs is None:
                        formula_attrs = attrs
                        collecting, parts = 2, []
                elif tag == _IS and inline_depth < 0 and inline_text is None:
                    inline_depth = level
                    inline_plain, inline_runs, in_run = None, [], False
            elif inline_depth >= 0:
                inner = level - inline_depth
                if inner == 1:
                    local = tag[tag.rfind("}") + 1 :]
                    if local == "t":
                        collecting, parts = 3, []
                    elif local == "r":
                        in_run, run_text = True, None
                elif inner == 2 and in_run and tag[tag.rfind("}") + 1 :] == "t":
                    collecting, parts = 4, []

        def end(tag):
            nonlocal depth, row_depth, dimension_closed, col_counter, cells
            nonlocal value_text, formula_text, inline_depth, inline_plain, in_run, run_text, inline_text, collecting
            depth -= 1
            if row_depth < 0:
                if tag == _SHEET_DATA:
                    dimension_closed = True
                return
            offset = depth - row_depth
            if offset == 1:
                # The cell is complete: give it its value as openpyxl's parse_cell does.
                data_type = cell_attrs.get("t", "n")
                coordinate = cell_attrs.get("r")
                style = cell_attrs.get("s")
                style_id = int(style) if style else 0
                value: Any = None if data_type == "inlineStr" else (value_text or None)
                if coordinate:
                    letters = coordinate.rstrip("0123456789")
                    column = columns.get(letters) if len(letters) < len(coordinate) else None
                    if column is None:
                        column = coordinate_to_tuple(coordinate)[1]
                        if letters and letters.isalpha() and len(letters) < len(coordinate):
                            columns[letters] = column
                    col_counter = column
                else:
                    col_counter += 1
                    column = col_counter
                if not data_only and formula_attrs is not None:
                    data_type = "f"
                    value = "=" + (formula_text or "")
                    if formula_attrs.get("t") == "shared":
                        index = formula_attrs.get("si")
                        if index in shared_formulae:
                            value = shared_formulae[index].translate_formula(coordinate)
                        elif value != "=":
                            shared_formulae[index] = Translator(value, coordinate)
                    # Array formulas come back as their text (openpyxl wraps it in an
                    # ArrayFormula object); data-table formulas have no text of their own.
                elif value is not None:
                    if data_type == "n":
                        value = _cast_number(value)
                        if style_id in date_styles:
                            data_type = "d"
                            try:
                                value = from_excel(value, epoch, timedelta=style_id in timedelta_styles)
                            except (OverflowError, ValueError):
                                data_type, value = "e", "#VALUE!"
                    elif data_type == "s":
                        value = shared_strings[int(value)]
                    elif data_type == "b":
                        value = bool(int(value))
                    elif data_type == "str":
                        data_type = "s"
                    elif data_type == "d":
                        value = from_ISO8601(value)
                elif data_type == "inlineStr" and inline_text is not None:
                    data_type, value = "s", unescape(inline_text)
                cells.append((column, value, data_type, style_id))
            elif offset == 0:
                ready.append((row_counter, cells))
                cells = []
                row_depth = -1
            elif offset == 2:
                if collecting == 1:
                    value_text = "".join(parts) if parts else None
                elif collecting == 2:
                    formula_text = "".join(parts) if parts else None
                elif depth == inline_depth:
                    texts = [inline_plain] if inline_plain is not None else []
                    texts.extend(run for run in inline_runs if run is not None)
                    inline_text = "".join(texts)
                    inline_depth = -1
                collecting = 0
            elif inline_depth >= 0:
                inner = depth - inline_depth
                if inner == 1:
                    if collecting == 3:
                        inline_plain = "".join(parts) if parts else None
                    elif in_run:
                        inline_runs.append(run_text)
                        in_run = False
                elif inner == 2 and collecting == 4:
                    run_text = "".join(parts) if parts else None
                collecting = 0

        def data(text):
            if collecting:
                parts.append(text)

        self.start, self.end, self.data = start, end, data


# ---------------------------------------------------------------------------------------------
# Workbook
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class XlsxSheet:
    """A worksheet listed in workbook.xml, in tab order."""

    title: str
    state: str  # "visible", "hidden" or "veryHidden"
    part: str  # member of the zip holding the sheet's XML

    @property
    def hidden(self) -> bool:
        """Whether the sheet is hidden from the user (either way Excel offers)."""
        return self.state != "visible"


class XlsxBook:
    """An open .xlsx workbook; rows are read on demand. Close it (or use ``with``) when done.

    Attributes:
        sheets: worksheets in tab order (chartsheets are left out, as in ``wb.worksheets``).
        custom_properties: docProps/custom.xml properties by name (last one wins).
        modified: docProps/core.xml ``dcterms:modified`` (UTC, naive), None when absent.
        epoch: the workbook's date epoch (1900, or 1904 with ``date1904``).
        shared_strings: the shared string table.
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._zip = zipfile.ZipFile(self.path)
        try:
            self._names = set(self._zip.namelist())
            self._read_package()
        except BaseException:
            self._zip.close()
            raise

    # opening ------------------------------------------------------------------------------

    def _read_package(self) -> None:
        overrides = []
        types = _parse_small(self._zip.read("[Content_Types].xml"))
        for node in types.iter(f"{{{_CT}}}Override"):
            overrides.append((node.get("PartName") or "", node.get("ContentType")))
        defaults = {node.get("ContentType") for node in types.iter(f"{{{_CT}}}Default")}

        def find(content_type: str) -> str | None:
            return next((name for name, kind in overrides if kind == content_type), None)

        workbook_part = next(filter(None, map(find, _WORKBOOK_TYPES)), None)
        if workbook_part is None:
            if not defaults & set(_WORKBOOK_TYPES):
                raise OSError("File contains no valid workbook part")
            workbook_part = "/xl/workbook.xml"
        strings_part = find(_SHARED_STRINGS_TYPE)
        self.shared_strings: list[str] = self._read_shared_strings(strings_part[1:]) if strings_part else []
        self._read_workbook(workbook_part[1:])
        self._read_styles()
        self._read_properties()

    def _read_shared_strings(self, part: str) -> list[str]:
        handler = _SharedStringsHandler()
        self._stream(part, handler)
        return handler.strings

    def _read_workbook(self, part: str) -> None:
        root = _parse_small(self._zip.read(part))
        props = root.find(f"{{{_MAIN}}}workbookPr")
        flag = props.get("date1904") if props is not None else None
        self.epoch = CALENDAR_MAC_1904 if _openpyxl_bool(flag) else WINDOWS_EPOCH

        folder, name = posixpath.split(part)
        rels_part = posixpath.join(folder, "_rels", f"{name}.rels")
        targets: dict[str | None, tuple[str, str]] = {}
        parent = posixpath.split(posixpath.dirname(rels_part))[0]
        for rel in _parse_small(self._zip.read(rels_part)).iter(f"{{{_PKG_REL}}}Relationship"):
            target = rel.get("Target") or ""
            if rel.get("TargetMode") != "External":
                target = target[1:] if target.startswith("/") else posixpath.normpath(posixpath.join(parent, target))
            targets[rel.get("Id")] = (target, rel.get("Type") or "")

        self.sheets: list[XlsxSheet] = []
        sheets = root.find(f"{{{_MAIN}}}sheets")
        for node in sheets.iter(f"{{{_MAIN}}}sheet") if sheets is not None else ():
            rel_id = node.get(f"{{{_REL}}}id")
            if not rel_id:
                continue
            target, rel_type = targets[rel_id]
            if target not in self._names or "chartsheet" in rel_type:
                continue
            self.sheets.append(XlsxSheet(node.get("name"), node.get("state") or "visible", target))

    def _read_styles(self) -> None:
        # Style ids index cellXfs. Without a stylesheet openpyxl has one default style (General).
        self._style_format_ids: list[int] = [0]
        self._custom_formats: dict[int, str] = {}
        self._rebased_formats: list[str] = []
        self.date_styles: set[int] = set()
        self.timedelta_styles: set[int] = set()
        if "xl/styles.xml" not in self._names:
            return
        root = _parse_small(self._zip.read("xl/styles.xml"))
        formats = root.find(f"{{{_MAIN}}}numFmts")
        for node in formats.findall(f"{{{_MAIN}}}numFmt") if formats is not None else ():
            self._custom_formats[int(node.get("numFmtId"))] = node.get("formatCode")
        cell_xfs = root.find(f"{{{_MAIN}}}cellXfs")
        xfs = cell_xfs.findall(f"{{{_MAIN}}}xf") if cell_xfs is not None else []
        if not xfs:
            return
        self._style_format_ids = []
        for index, xf in enumerate(xfs):
            format_id = int(xf.get("numFmtId") or 0)
            if format_id in self._custom_formats:
                code = self._custom_formats[format_id]
                if code in BUILTIN_FORMATS_REVERSE:
                    format_id = BUILTIN_FORMATS_REVERSE[code]
                else:
                    # openpyxl renumbers custom formats from 164 in order of first use.
                    if code not in self._rebased_formats:
                        self._rebased_formats.append(code)
                    format_id = self._rebased_formats.index(code) + BUILTIN_FORMATS_MAX_SIZE
            else:
                code = BUILTIN_FORMATS.get(format_id)
            self._style_format_ids.append(format_id)
            if is_date_format(code):
                self.date_styles.add(index)
            if is_timedelta_format(code):
                self.timedelta_styles.add(index)

    def _read_properties(self) -> None:
        self.custom_properties: dict[str, Any] = {}
        if "docProps/custom.xml" in self._names:
            for prop in _parse_small(self._zip.read("docProps/custom.xml")).iter(f"{{{_CUSTOM}}}property"):
                value = _custom_value(prop)
                if value is not _UNKNOWN:
                    self.custom_properties[prop.get("name")] = value
        self.modified: datetime | None = None
        if "docProps/core.xml" in self._names:
            node = _parse_small(self._zip.read("docProps/core.xml")).find(f"{{{_DCTERMS}}}modified")
            if node is not None and node.text:
                modified = from_ISO8601(node.text)
                self.modified = modified if isinstance(modified, datetime) else None

    # reading ------------------------------------------------------------------------------

    def number_format(self, style_id: int) -> str:
        """Return the number format of a cell style as openpyxl's ``cell.number_format`` does."""
        format_id = self._style_format_ids[style_id]
        if format_id < BUILTIN_FORMATS_MAX_SIZE:
            return BUILTIN_FORMATS.get(format_id, "General")
        return self._rebased_formats[format_id - BUILTIN_FORMATS_MAX_SIZE]

    def _stream(self, part: str, handler) -> None:
        """Feed a whole part to a defused expat parser in chunks."""
        parser = _expat_parser(handler)
        with self._zip.open(part) as source:
            while chunk := source.read(_CHUNK):
                parser.Parse(chunk, False)
            parser.Parse(b"", True)

    def _parsed_rows(self, sheet: XlsxSheet, data_only: bool):
        """Yield ``(row_index, cells, handler)`` in file order, a chunk of XML at a time."""
        handler = _SheetHandler(self, data_only)
        parser = _expat_parser(handler)
        with self._zip.open(sheet.part) as source:
            while True:
                chunk = source.read(_CHUNK)
                parser.Parse(chunk, not chunk)
                ready = handler.ready[:]
                handler.ready.clear()
                for index, cells in ready:
                    yield index, cells, handler
                if not chunk:
                    break

    def _padded(self, sheet: XlsxSheet, data_only: bool, cell_of) -> Iterator[Any]:
        """Rows as ``ws.iter_rows()`` lays them out: from A1, gaps filled, cut to the dimension."""
        max_col = max_row = None
        dimension_known = False
        counter = 1
        index = 1
        empty_row: Any = []
        for index, cells, handler in self._parsed_rows(sheet, data_only):
            if not dimension_known:
                dimension_known = True
                if handler.dimension is not None:
                    _min_col, _min_row, max_col, max_row = range_boundaries(handler.dimension)
                if max_col is not None:
                    empty_row = (None,) * max_col
            if max_row is not None and index > max_row:
                break
            while counter < index:
                counter += 1
                yield empty_row
            if counter <= index:
                counter += 1
                if not cells and not max_col:
                    yield ()
                    continue
                width = max_col or cells[-1][0]
                row = [None] * width
                for column, value, data_type, style_id in cells:
                    if 1 <= column <= width:
                        row[column - 1] = cell_of(value, data_type, style_id)
                yield row
        if max_row is not None and max_row < index:
            for _ in range(counter, max_row + 1):
                yield empty_row

    def rows(self, sheet: XlsxSheet, *, data_only: bool = False) -> Iterator[Any]:
        """Yield each row as a sequence of cells ``(value, number_format, is_formula)`` or None.

        ``number_format`` is given for numbers only (None for other cells): it is what tells a
        typed 50% from 0.5. ``is_formula`` is true for a formula cell, whose value is the
        formula text ("=A1+1"); with ``data_only`` the value Excel last computed is given instead.
        """
        number_format = self.number_format

        def cell_of(value, data_type, style_id):
            if value is None and data_type != "f":
                return None
            fmt = None
            if type(value) in (int, float):
                fmt = number_format(style_id)
            return (value, fmt, data_type == "f")

        return self._padded(sheet, data_only, cell_of)

    def values(self, sheet: XlsxSheet, *, data_only: bool = False) -> Iterator[Any]:
        """Yield each row as a sequence of plain values, as ``ws.iter_rows(values_only=True)``."""
        return self._padded(sheet, data_only, lambda value, _type, _style: value)

    def close(self) -> None:
        """Release the file."""
        self._zip.close()

    def __enter__(self) -> XlsxBook:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


_UNKNOWN = object()


def _openpyxl_bool(text: str | None) -> bool:
    """An XML boolean as openpyxl's ``Bool`` reads it: "false", "f", "0" and "" are false."""
    return bool(text) and text not in ("false", "f", "0")


def _custom_value(prop) -> Any:
    """A custom property's value as openpyxl types it; ``_UNKNOWN`` for a type openpyxl skips."""
    link = prop.get("linkTarget")
    for child in prop:
        if not child.tag.startswith(f"{{{_VT}}}"):
            continue
        kind, text = _local(child.tag), child.text
        if kind not in ("lpwstr", "i4", "r8", "filetime", "bool"):
            continue
        if link is not None:
            return link
        if text is None:
            return None
        if kind == "i4":
            return int(text)
        if kind == "r8":
            return float(text)
        if kind == "filetime":
            return from_ISO8601(text)
        if kind == "bool":
            return _openpyxl_bool(text)
        return text
    return _UNKNOWN


def open_workbook(path: str | Path) -> XlsxBook:
    """Open an .xlsx for reading (the caller has already passed it through :mod:`reports.safety`)."""
    return XlsxBook(path)
