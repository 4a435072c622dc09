"""Everything duban reads from and writes to files: task lists in, workbooks out and in, PDFs.

Nothing in this package imports Qt.
"""
