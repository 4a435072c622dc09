"""Dialogs, and the few calls through which every page asks the user something.

Pages never call ``QMessageBox``/``QFileDialog`` statics or ``dialog.exec()`` directly;
they go through :mod:`desktop.dialogs.common`, so tests can answer in their place.
"""
