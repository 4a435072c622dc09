"""Accuracy of the task-list readers over the fixture corpus in tests/data/tasklist_corpus.

Run it as a script to print the figures (one line per document, then the totals)::

    PYTHONPATH=. python3 tests/tasklist_accuracy.py [-v]

tests/test_tasklist_accuracy.py holds the targets. The corpus (corpus.json) lists each
document: a text file, or a table / paragraph list that is written here as .xlsx, a Word
table, a Word document with automatic numbering, text pasted from a table (tabs, bars,
box drawing, one cell per line), a PDF with a text layer or a scanned PDF. Each document
names the key works a careful reader finds, with lead, units and deadlines.

Measures:
    tasks found: expected key works matched by a read key work whose title holds the
        expected words.
    lead correct: of the matched, the lead unit is the expected one.
    unit precision / recall: over every (key work, unit name) pair of the matched works.
    deadlines correct: of the matched, the set of due dates (or "ongoing", or none) is right.
    non-tasks taken: read key works that match no expected one (and no "may_also").
    refused: documents with tasks that were refused; crashes: any other exception.
"""

from __future__ import annotations

import json
import re
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

CORPUS = Path(__file__).parent / "data" / "tasklist_corpus"


# --------------------------------------------------------------------- builders
def _write_xlsx(path: Path, table: dict) -> Path:
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "任务清单"
    width = len(table["header"])
    for title in table["titles"]:
        ws.append([title])
        ws.merge_cells(start_row=ws.max_row, start_column=1, end_row=ws.max_row, end_column=width)
    ws.append(table["header"])
    for row in table["rows"]:
        ws.append([int(v) if v.isdigit() else (v or None) for v in row])
    wb.save(path)
    return path


def _write_docx_table(path: Path, table: dict) -> Path:
    import docx

    document = docx.Document()
    for title in table["titles"]:
        document.add_paragraph(title)
    grid = document.add_table(rows=1, cols=len(table["header"]))
    for cell, text in zip(grid.rows[0].cells, table["header"], strict=True):
        cell.text = text
    for row in table["rows"]:
        cells = grid.add_row().cells
        for cell, text in zip(cells, row, strict=True):
            cell.text = text
    document.save(str(path))
    return path


_NUMBERING_XML = """
<w:abstractNum xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" w:abstractNumId="90">
  <w:multiLevelType w:val="multilevel"/>
  <w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/><w:lvlText w:val="%1、"/></w:lvl>
  <w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/><w:lvlText w:val="（%2）"/></w:lvl>
  <w:lvl w:ilvl="2"><w:start w:val="1"/><w:numFmt w:val="decimal"/><w:lvlText w:val="%3."/></w:lvl>
</w:abstractNum>
"""


def _write_docx_numbered(path: Path, paragraphs: list) -> Path:
    """Paragraphs numbered by Word itself (numPr), as typed with automatic numbering on."""
    import docx
    from docx.oxml import parse_xml
    from docx.oxml.ns import qn

    document = docx.Document()
    numbering = document.part.numbering_part.element
    numbering.insert(0, parse_xml(_NUMBERING_XML))
    num = parse_xml(
        '<w:num xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" w:numId="90">'
        '<w:abstractNumId w:val="90"/></w:num>'
    )
    numbering.append(num)
    for level, text in paragraphs:
        paragraph = document.add_paragraph(text)
        if level is None:
            continue
        ppr = paragraph._p.get_or_add_pPr()
        num_pr = parse_xml(
            '<w:numPr xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
            f'<w:ilvl w:val="{level}"/><w:numId w:val="90"/></w:numPr>'
        )
        ppr.append(num_pr)
        assert ppr.find(qn("w:numPr")) is not None
    document.save(str(path))
    return path


def _table_text(table: dict, kind: str) -> str:
    rows = [table["header"], *table["rows"]]
    lines = list(table["titles"])
    if kind == "txt_tab":
        lines += ["\t".join(row) for row in rows]
    elif kind == "txt_bar":
        lines += ["| " + " | ".join(row) + " |" for row in rows]
        lines.insert(len(table["titles"]) + 1, "|" + "---|" * len(table["header"]))
    elif kind == "txt_box":
        border = "├" + "┼".join("──" for _ in table["header"]) + "┤"
        lines.append("┌" + "┬".join("──" for _ in table["header"]) + "┐")
        for row in rows:
            lines.append("│" + "│".join(row) + "│")
            lines.append(border)
    elif kind == "txt_cells":
        for row in rows:
            lines += [cell for cell in row if cell]  # a web copy loses empty cells
    return "\n".join(lines) + "\n"


def _write_pdf(path: Path, text: str, *, scanned: bool = False) -> Path:
    """A PDF with a text layer (lines wrapped at 36 characters, page numbers), or pictures only."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    font = "STSong-Light"
    embedded = Path("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc")
    if embedded.exists():
        # An embedded TrueType font, as Word and WPS write PDFs (poppler reads it too).
        from reportlab.pdfbase.ttfonts import TTFont

        font = "WenQuanYi"
        pdfmetrics.registerFont(TTFont(font, str(embedded), subfontIndex=0))
    else:
        pdfmetrics.registerFont(UnicodeCIDFont(font))
    pdf = canvas.Canvas(str(path), pagesize=A4)
    lines = []
    for line in text.splitlines():
        while len(line) > 36:
            lines.append(line[:36])
            line = line[36:]
        lines.append(line)
    page, y = 1, 800
    for line in lines:
        if scanned:
            pdf.rect(50, y, 8 * len(line), 10, fill=1)  # a picture of a line, no text
        else:
            pdf.setFont(font, 11)
            pdf.drawString(50, y, line)
        y -= 18
        if y < 60:
            if not scanned:
                pdf.drawString(290, 30, str(page))
            pdf.showPage()
            page, y = page + 1, 800
    if not scanned:
        pdf.setFont(font, 11)
        pdf.drawString(290, 30, str(page))
    pdf.save()
    return path


def materialize(doc: dict, tables: dict, folder: Path) -> Path:
    """Write one corpus document as the file a user would import."""
    kind, source = doc["kind"], doc["source"]
    if kind == "txt":
        return CORPUS / source
    if kind == "xlsx":
        return _write_xlsx(folder / f"{doc['id']}.xlsx", tables[source])
    if kind == "docx_table":
        return _write_docx_table(folder / f"{doc['id']}.docx", tables[source])
    if kind == "docx_numbered":
        return _write_docx_numbered(folder / f"{doc['id']}.docx", source)
    if kind.startswith("txt_"):
        path = folder / f"{doc['id']}.txt"
        path.write_text(_table_text(tables[source], kind), encoding="utf-8")
        return path
    if kind in ("pdf", "pdf_scan"):
        text = (CORPUS / source).read_text(encoding="utf-8")
        return _write_pdf(folder / f"{doc['id']}.pdf", text, scanned=kind == "pdf_scan")
    raise ValueError(kind)


# ---------------------------------------------------------------------- measure
@dataclass
class Score:
    """Counts over the corpus (or one document)."""

    expected: int = 0
    found: int = 0
    lead_ok: int = 0
    units_expected: int = 0
    units_read: int = 0
    units_right: int = 0
    deadlines_ok: int = 0
    non_tasks: int = 0
    read_total: int = 0
    refused: list[str] = field(default_factory=list)
    crashed: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def add(self, other: Score) -> None:
        for name in (
            "expected",
            "found",
            "lead_ok",
            "units_expected",
            "units_read",
            "units_right",
            "deadlines_ok",
            "non_tasks",
            "read_total",
        ):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.refused += other.refused
        self.crashed += other.crashed
        self.problems += other.problems

    def rates(self) -> dict[str, float]:
        """Return each measure as a fraction."""

        def ratio(a, b):
            return a / b if b else 1.0

        return {
            "tasks": ratio(self.found, self.expected),
            "lead": ratio(self.lead_ok, self.found),
            "unit_precision": ratio(self.units_right, self.units_read),
            "unit_recall": ratio(self.units_right, self.units_expected),
            "deadlines": ratio(self.deadlines_ok, self.found),
            "non_tasks": ratio(self.non_tasks, self.read_total),
        }


def _key(text: str) -> str:
    return re.sub(r"[\s“”\"'，,。、]", "", text or "")


def _deadline_of(kw) -> str:
    dues = sorted({m.due for m in kw.milestones if m.due})
    if dues:
        return ",".join(dues)
    if kw.period_phrase:
        from db.deadlines import parse_deadline

        if parse_deadline(kw.period_phrase, 2000).ongoing:
            return "ongoing"
    return ""


def score_document(doc: dict, path: Path) -> Score:
    """Read one document and compare it with what the corpus expects."""
    from db.errors import DubanError
    from reports.tasklist import read_task_list

    score = Score(expected=len(doc["tasks"]))
    for _key_words, _lead, units, _due in doc["tasks"]:
        score.units_expected += len(units)
    try:
        draft = read_task_list(path, year=doc.get("year"), columns=doc.get("columns"))
    except DubanError as exc:
        if doc["tasks"]:
            score.refused.append(f"{doc['id']}: {exc}")
        return score
    except Exception as exc:  # noqa: BLE001 - a crash is what this measures
        score.crashed.append(f"{doc['id']}: {type(exc).__name__}: {exc}")
        return score
    if doc.get("refused"):
        score.problems.append(f"{doc['id']}: 应拒绝却读到 {len(draft.key_works)} 项")
    works = list(draft.key_works)
    score.read_total = len(works)
    used: set[int] = set()
    for key_words, lead, units, due in doc["tasks"]:
        match = next(
            (i for i, kw in enumerate(works) if i not in used and _key(key_words) in _key(kw.title)),
            None,
        )
        if match is None:
            score.problems.append(f"{doc['id']}: 没有读到“{key_words}”")
            continue
        used.add(match)
        kw = works[match]
        score.found += 1
        got_lead = kw.lead_unit.name if kw.lead_unit else None
        if got_lead == lead:
            score.lead_ok += 1
        else:
            score.problems.append(f"{doc['id']}: “{key_words}”牵头 {got_lead} ≠ {lead}")
        got_units = {u.name for u in kw.units if not u.skip}
        score.units_read += len(got_units)
        score.units_right += len(got_units & set(units))
        if got_units != set(units):
            score.problems.append(
                f"{doc['id']}: “{key_words}”单位 多{sorted(got_units - set(units))} 少{sorted(set(units) - got_units)}"
            )
        got_due = _deadline_of(kw)
        if got_due == due:
            score.deadlines_ok += 1
        else:
            score.problems.append(f"{doc['id']}: “{key_words}”时限 {got_due!r} ≠ {due!r}")
    extras = [kw for i, kw in enumerate(works) if i not in used]
    allowed = [_key(k) for k in doc.get("may_also", [])]
    for kw in extras:
        if any(a in _key(kw.title) for a in allowed):
            score.read_total -= 1
            continue
        score.non_tasks += 1
        score.problems.append(f"{doc['id']}: 多读了“{kw.title[:24]}”")
    return score


def measure_corpus(verbose: bool = False) -> tuple[Score, list[tuple[str, Score]]]:
    """Score every corpus document; return the total and the per-document scores."""
    corpus = json.loads((CORPUS / "corpus.json").read_text(encoding="utf-8"))
    tables = json.loads((CORPUS / "tables.json").read_text(encoding="utf-8"))
    total = Score()
    per_doc = []
    with tempfile.TemporaryDirectory() as tmp:
        for doc in corpus["documents"]:
            path = materialize(doc, tables, Path(tmp))
            score = score_document(doc, path)
            per_doc.append((doc["id"], score))
            total.add(score)
    return total, per_doc


def main(argv: list[str]) -> int:
    """Print the accuracy figures."""
    verbose = "-v" in argv
    started = time.perf_counter()
    total, per_doc = measure_corpus()
    for doc_id, score in per_doc:
        r = score.rates()
        print(
            f"{doc_id}: 任务 {score.found}/{score.expected}  牵头 {score.lead_ok}/{score.found}  "
            f"单位 P {r['unit_precision']:.0%} R {r['unit_recall']:.0%}  时限 {score.deadlines_ok}/{score.found}  "
            f"多读 {score.non_tasks}" + ("  拒绝" if score.refused else "") + ("  崩溃" if score.crashed else "")
        )
        if verbose:
            for line in score.problems + score.refused + score.crashed:
                print("    " + line)
    r = total.rates()
    print()
    print(f"文档 {len(per_doc)} 份，应有任务 {total.expected} 项（{time.perf_counter() - started:.1f} 秒）")
    print(f"任务读到     {total.found}/{total.expected} = {r['tasks']:.1%}")
    print(f"牵头单位正确 {total.lead_ok}/{total.found} = {r['lead']:.1%}")
    print(f"单位准确率   {total.units_right}/{total.units_read} = {r['unit_precision']:.1%}")
    print(f"单位召回率   {total.units_right}/{total.units_expected} = {r['unit_recall']:.1%}")
    print(f"时限正确     {total.deadlines_ok}/{total.found} = {r['deadlines']:.1%}")
    print(f"非任务误读   {total.non_tasks}/{total.read_total} = {r['non_tasks']:.1%}")
    print(f"有任务却被拒 {len(total.refused)} 份；崩溃 {len(total.crashed)} 份")
    for line in total.refused + total.crashed:
        print("  " + line)
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    raise SystemExit(main(sys.argv[1:]))
