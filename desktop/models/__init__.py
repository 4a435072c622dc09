"""Table models (QAbstractTableModel) and their filter proxies for the main window."""
