"""The README documents every ``duban`` command, and every command answers ``--help``.

The commands are read from the real argument parser (subcommands of subcommands included,
e.g. ``round open``), so a command added without a README line fails here.
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path

import pytest

from desktop.cli import build_parser, main

README = Path(__file__).resolve().parent.parent / "README.md"


def command_paths(parser: argparse.ArgumentParser, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    """Return every runnable command under a parser as a tuple of words (``("round", "open")``)."""
    out = []
    for action in parser._actions:  # argparse keeps its subparsers here; there is no public accessor
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                path = (*prefix, name)
                nested = command_paths(sub, path)
                out.extend(nested or [path])
    return out


def documented_commands(text: str) -> set[tuple[str, ...]]:
    """Return the word sequences the README's command tables show after ``duban``.

    A row may name siblings briefly (`` `duban round open 2024Q4` / `close` / `reopen` ``): a lone
    word after a full command replaces that command's last word.
    """
    found: set[tuple[str, ...]] = set()
    for line in text.splitlines():
        if not line.startswith("|"):
            continue
        first_cell = re.split(r"(?<!\\)\|", line)[1]  # a cell may hold an escaped \| (a choice)
        last: tuple[str, ...] | None = None
        for span in re.findall(r"`([^`]+)`", first_cell):
            words = span.split()
            if words and words[0] == "duban":
                # The command's own words end where its arguments begin (2024Q4, --out, [--json], FILE).
                command = []
                for word in words[1:]:
                    if not re.fullmatch(r"[a-z][a-z-]*", word):
                        break
                    command.append(word)
                last = tuple(command)
                found.add(last)
            elif last and len(words) == 1 and re.fullmatch(r"[a-z][a-z-]*", words[0]):
                found.add((*last[:-1], words[0]))
    return found


COMMANDS = command_paths(build_parser())


def test_the_parser_has_nested_commands():
    # The walk must reach subcommands of subcommands, or the README check below means little.
    assert ("round", "open") in COMMANDS
    assert ("report", "bulletin") in COMMANDS
    assert ("init",) in COMMANDS


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_command_is_in_the_readme(command):
    documented = documented_commands(README.read_text(encoding="utf-8"))
    assert any(words[: len(command)] == command for words in documented), (
        f"`duban {' '.join(command)}` is missing from the README's command tables"
    )


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_command_has_help(command, capsys):
    with pytest.raises(SystemExit) as done:
        main([*command, "--help"])
    assert done.value.code == 0
    out = capsys.readouterr().out
    assert f"duban {' '.join(command)}" in out
    assert "显示本帮助并退出" in out
