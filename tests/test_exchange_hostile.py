"""Hostile or broken returns: each rejected with one Chinese message, the ledger untouched."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import openpyxl
import pytest
from test_exchange_helpers import ROUND, columns, data_rows, fill, ledger_dump, unit_id

from reports.exchange.handoff import export_handoff
from reports.exchange.importing import import_returns

CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture
def handoff(demo_db, tmp_path):
    [f] = export_handoff(demo_db, ROUND, [unit_id(demo_db, "城东街道")], tmp_path / "out")
    return f.path


def rewrite(src: Path, dest: Path, change) -> Path:
    """Copy a workbook package, letting ``change(name, data)`` alter or drop (None) members."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = change(info.filename, zin.read(info))
            if data is not None:
                zout.writestr(info.filename, data)
    return dest


def _truncated(handoff, tmp):
    data = handoff.read_bytes()
    (tmp / "damaged.xlsx").write_bytes(data[: len(data) // 2])
    return tmp / "damaged.xlsx", "损坏"


def _text(handoff, tmp):
    (tmp / "notes.xlsx").write_text("这不是表格，只是一段文字。\n", encoding="utf-8")
    return tmp / "notes.xlsx", "无法识别"


def _docx(handoff, tmp):
    import docx

    document = docx.Document()
    document.add_paragraph("城东街道进展情况")
    document.save(tmp / "renamed.xlsx")
    return tmp / "renamed.xlsx", "Word 文档"


def _encrypted(handoff, tmp):
    # A real filled return saved with an opening password, encrypted as Excel does (agile
    # encryption): an OLE container holding EncryptionInfo and the encrypted package.
    import msoffcrypto
    from msoffcrypto.format.ooxml import OOXMLFile

    aid = sorted(data_rows(openpyxl.load_workbook(handoff).worksheets[0]))[0]
    fill(handoff, {aid: {"progress_text": "加了密码的进展", "percent": 80}})
    with handoff.open("rb") as plain, (tmp / "locked.xlsx").open("wb") as locked:
        OOXMLFile(plain).encrypt("城东2024", locked)
    with (tmp / "locked.xlsx").open("rb") as fh:
        assert msoffcrypto.OfficeFile(fh).is_encrypted()
    return tmp / "locked.xlsx", "设有打开密码"


_BOMB = (
    b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    + b"".join(
        b'<!ENTITY lol%d "%s">' % (i, b"&lol%d;" % (i - 1) * 10 if i > 1 else b"&lol;" * 10) for i in range(1, 10)
    )
    + b"]>"
)


def _body(data: bytes) -> bytes:
    return data.split(b"?>", 1)[1] if data.startswith(b"<?xml") else data


def _entity_bomb(handoff, tmp):
    def change(name, data):
        if name == "xl/worksheets/sheet1.xml":
            return _BOMB + _body(data).replace(b"<v>", b"<v>&lol9;", 1)
        return data

    return rewrite(handoff, tmp / "bomb.xlsx", change), "XML"


def _entity_bomb_behind_a_comment(handoff, tmp):
    # A DOCTYPE may follow a long comment, past the pre-check's window: defusedxml must stop it.
    def change(name, data):
        if name == "xl/worksheets/sheet1.xml":
            return b'<?xml version="1.0"?><!--' + b" " * 8000 + b"-->" + _BOMB[21:] + _body(data)
        return data

    return rewrite(handoff, tmp / "bomb2.xlsx", change), "XML"


def _zip_bomb(handoff, tmp):
    path = tmp / "zipbomb.xlsx"
    rewrite(handoff, path, lambda name, data: data)
    with zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("xl/media/image1.bin", b"\x00" * (40 * 1024 * 1024))
    return path, "压缩"


def _huge(handoff, tmp):
    path = tmp / "huge.xlsx"
    with path.open("wb") as fh:
        fh.write(b"PK\x03\x04")
        fh.truncate(200 * 1024 * 1024)  # sparse: 200 MB on paper, nothing on disk
    return path, "MB"


def _million_rows_declared(handoff, tmp):
    path = tmp / "million.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("xl/workbook.xml", "<workbook/>")
        zf.writestr(
            "xl/worksheets/sheet1.xml",
            '<?xml version="1.0"?><worksheet><dimension ref="A1:B1000000"/><sheetData></sheetData></worksheet>',
        )
    return path, "1,000,000"


def _million_rows_hidden(handoff, tmp):
    # A real handoff with a million rows appended and no <dimension> to warn about them.
    def change(name, data):
        if name == "xl/worksheets/sheet1.xml":
            data = re.sub(rb"<dimension[^>]*/>", b"", data)
            rows = b"".join(b'<row r="%d"><c r="A%d"><v>1</v></c></row>' % (i, i) for i in range(100, 1_000_100))
            return data.replace(b"</sheetData>", rows + b"</sheetData>")
        return data

    return rewrite(handoff, tmp / "million2.xlsx", change), "过大"


def _thousands_of_rows(handoff, tmp):
    # Small enough to pass the size check, too many rows for a handoff: reading stops early.
    def change(name, data):
        if name == "xl/worksheets/sheet1.xml":
            data = re.sub(rb"<dimension[^>]*/>", b"", data)
            rows = b"".join(b'<row r="%d"><c r="B%d"><v>1</v></c></row>' % (i, i) for i in range(100, 8000))
            return data.replace(b"</sheetData>", rows + b"</sheetData>")
        return data

    return rewrite(handoff, tmp / "rows.xlsx", change), "5,000"


def _empty(handoff, tmp):
    (tmp / "empty.xlsx").write_bytes(b"")
    return tmp / "empty.xlsx", "空的"


def _plain_workbook(handoff, tmp):
    wb = openpyxl.Workbook()
    wb.active["A1"] = "进展情况"
    wb.save(tmp / "plain.xlsx")
    return tmp / "plain.xlsx", "不是 duban 导出的填报表"


def _damaged_archive(handoff, tmp):
    (tmp / "returns.zip").write_bytes(b"PK\x03\x04" + b"\x00" * 100)
    return tmp / "returns.zip", "损坏"


CASES = {
    "damaged zip": _truncated,
    "not a workbook": _text,
    "renamed docx": _docx,
    "password": _encrypted,
    "entity bomb": _entity_bomb,
    "entity bomb behind a comment": _entity_bomb_behind_a_comment,
    "zip bomb": _zip_bomb,
    "200 MB": _huge,
    "1,000,000 rows declared": _million_rows_declared,
    "1,000,000 rows undeclared": _million_rows_hidden,
    "8,000 rows": _thousands_of_rows,
    "empty": _empty,
    "plain workbook": _plain_workbook,
    "damaged archive": _damaged_archive,
}


@pytest.mark.parametrize("case", list(CASES))
def test_hostile_file_is_rejected_with_one_chinese_message(demo_db, handoff, tmp_path, case):
    path, expected = CASES[case](handoff, tmp_path)
    before = ledger_dump(demo_db)
    [res] = import_returns(demo_db, [path])
    assert res.rejected, res
    assert "\n" not in res.rejected and CJK.search(res.rejected)
    assert expected in res.rejected
    assert not res.applied and not res.rows
    assert ledger_dump(demo_db) == before


class GbkName(zipfile.ZipInfo):
    """A member name stored as a Chinese Windows archiver stores it: GBK bytes, no UTF-8 flag."""

    def _encodeFilenameFlags(self):  # noqa: N802 - zipfile's hook
        return self.filename.encode("gbk"), self.flag_bits


def test_an_archive_with_gbk_names_imports_its_workbooks_and_rejects_the_rest(demo_db, handoff, tmp_path):
    aid = sorted(data_rows(openpyxl.load_workbook(handoff).worksheets[0]))[0]
    fill(handoff, {aid: {"progress_text": "从压缩包导入的进展"}})
    archive = tmp_path / "城东街道报送.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        # As a Chinese Windows archiver writes it: GBK bytes, no UTF-8 flag.
        zf.writestr(GbkName("报送/2024Q3_城东街道_填报表.xlsx"), handoff.read_bytes())
        zf.writestr("报送/坏文件.xlsx", b"not a workbook")
        zf.writestr("说明.txt", "请查收")
    results = import_returns(demo_db, [archive])
    assert len(results) == 2
    good = next(r for r in results if not r.rejected)
    assert good.file_name == "2024Q3_城东街道_填报表.xlsx" and good.applied
    bad = next(r for r in results if r.rejected)
    assert bad.file_name == "坏文件.xlsx"
    assert (
        demo_db.execute(
            "SELECT progress_text FROM reports WHERE assignment_id = ? AND round_id = ?", [aid, ROUND]
        ).fetchone()[0]
        == "从压缩包导入的进展"
    )
    assert (
        demo_db.execute("SELECT file_name FROM import_batches WHERE id = ?", [good.batch_id]).fetchone()[0]
        == "2024Q3_城东街道_填报表.xlsx"
    )


def test_a_formula_typed_by_a_clerk_imports_as_what_the_sheet_shows(demo_db, handoff):
    wb = openpyxl.load_workbook(handoff)
    ws = wb.worksheets[0]
    aid, r = next(iter(data_rows(ws).items()))
    ws.cell(r, columns(ws)["完成进度(%)"]).value = "=30+20"
    wb.save(handoff)
    [res] = import_returns(demo_db, [handoff], dry_run=True)
    [row] = [x for x in res.rows if x.assignment_id == aid]
    # openpyxl computes nothing, so no cached value exists; the typed text is kept, not lost.
    # Issue 13: the refused field keeps its value and the row is 部分退回 (its other fields still apply).
    assert row.rejected_fields and row.rejected_fields[0]["field"] == "percent" and "=30+20" in row.reason
