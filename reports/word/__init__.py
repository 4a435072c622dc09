"""The Word renderer: a report's content as an editable .docx in 公文 layout (python-docx)."""
