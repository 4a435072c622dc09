"""PDF reports: 季调度进展表, 半年通报, 全年总结 (reportlab, no Qt)."""
