"""Report content, built once and free of any renderer.

Each report kind (进展表, 通报, 全年总结, notices) is first written here as a
:class:`~reports.content.model.Document`: a list of plain blocks — headings,
paragraphs, tables, charts as data — with the figures they print. A renderer
(:mod:`reports.pdf` for PDF, :mod:`reports.word` for .docx) then lays that document out.
Nothing in this package imports reportlab or python-docx (``tests/test_report_content.py``).
"""
