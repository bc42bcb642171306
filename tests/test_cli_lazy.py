"""The command line imports only the module of the command that runs (issue 16, section 4).

``geo.cli.MODULES`` names each command module and the commands it adds; ``--help`` still
imports them all and lists every command. Checked here:

- the table agrees with what each module adds (a module adding a command the table does not
  name, or the other way round, fails);
- ``python -m geo --help`` lists every command, in the table's order;
- ``python -m geo status --help`` (a real process) does not import ``geo.analysis.brief``, the
  tasking brief's PDF, which only ``brief`` needs; ``brief --help`` does (so the check can fail);
- a mistyped command still gets the whole parser's "invalid choice" and the list of commands.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

import pytest

from geo.cli import COMMANDS, MODULES, build_parser, main

ROOT = Path(__file__).resolve().parents[1]
IMPORTED = (
    "import runpy, sys\n"
    "sys.argv = ['geo', *sys.argv[1:]]\n"
    "try:\n"
    "    runpy.run_module('geo', run_name='__main__')\n"
    "except SystemExit:\n"
    "    pass\n"
    "print('geo.analysis.brief' in sys.modules, file=sys.stderr)\n"
)


def _commands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    (action,) = (a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return dict(action.choices)


def test_the_table_names_what_each_module_adds() -> None:
    assert [m.__name__ for m in COMMANDS] == [f"geo.cli.{module}" for module, _ in MODULES]
    for module, names in MODULES:
        assert list(_commands(build_parser(only=names[0]))) == list(names), module
    everything = [name for _, names in MODULES for name in names]
    assert list(_commands(build_parser())) == everything


def test_help_lists_every_command_in_order() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "geo", "--help"], cwd=ROOT, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    listed = [
        line.split()[0]
        for line in done.stdout.splitlines()
        if line.startswith("    ") and not line.startswith("     ")
    ]
    assert listed == [name for _, names in MODULES for name in names]


@pytest.mark.parametrize(("command", "brief"), [("status", False), ("brief", True)])
def test_a_command_imports_only_its_own_module(command: str, brief: bool) -> None:
    done = subprocess.run(
        [sys.executable, "-c", IMPORTED, command, "--help"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert f"python -m geo {command}" in done.stdout
    assert done.stderr.strip().splitlines()[-1] == str(brief)


def test_a_mistyped_command_is_named_with_the_choices(capsys) -> None:
    with pytest.raises(SystemExit):
        main(["sumary"])
    err = capsys.readouterr().err
    assert "invalid choice: 'sumary'" in err and "'summary'" in err


def test_only_a_command_can_be_built_alone() -> None:
    with pytest.raises(ValueError, match="only='sumary' is not a command; choose from demo"):
        build_parser(only="sumary")
