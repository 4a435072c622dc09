"""Subcommands of ``duban``: one module per area, each with ``register(subparsers)``."""

#: Imported in this order by :func:`desktop.cli.build_parser`.
COMMAND_MODULES = (
    "desktop.commands.ledger",
    "desktop.commands.exchange",
    "desktop.commands.reports",
    "desktop.commands.tasks_import",
    "desktop.commands.gui",
    "desktop.commands.care",
)
