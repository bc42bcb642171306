"""The command line gives the same answers on the embedded store and on PostGIS.

One session of commands runs against a new SQLite file and a new PostGIS database; what each
prints must be the same, once the store's own name, batch ids and times (which differ by
nature) are replaced by placeholders. The data, by hand (tests/test_copy.py's): West and
East wards; three sightings by Outreach: Ann (A1) at Station Road, West, on the night of 10
November 2026, Bob (B1) at the clock tower, East, the same night, and Ann at the clock tower on
the 12th. So over 10-12 November East has two people and West one; purging what is older than
a day (a dry run, from today: after November 2026) would delete all three; the audit log holds
the two imports and the user added; the copy moves 3 records and 2 wards.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from geo.cli import main
from tests.shapes import ward_file
from tests.test_copy import SIGHTINGS, write_csv

_BATCH = re.compile(r"b_\d{8}T\d{6}_[0-9a-f]{8}")
_TIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\+00:00|Z)?")


def session(capsys, store: str, other: str, tmp_path: Path) -> dict[str, object]:
    """Run the commands on ``store`` (copying it to ``other`` and back); what each printed."""
    folder = tmp_path / "files"
    folder.mkdir(exist_ok=True)
    wards, records = ward_file(folder), write_csv(folder / "outreach.csv", SIGHTINGS)
    back = str(tmp_path / f"back-{abs(hash(store))}.sqlite")
    commands = {
        "import wards": ["import", "wards", str(wards)],
        "import records": ["import", "records", str(records), "--agency", "Outreach"],
        "summary": [
            "summary",
            "--json",
            "--period",
            "range",
            "--from",
            "2026-11-10",
            "--to",
            "2026-11-12",
        ],  # fmt: skip
        "summary councillor": ["summary", "--json", "--role", "councillor", "--to", "2026-11-12"],
        "hotspots": ["hotspots", "--json", "--to", "2026-11-12"],
        "flow": ["flow", "--json", "--period", "night", "--to", "2026-11-12", "--periods", "3"],
        "users add": ["users", "add", "Ana@Council.Example", "--role", "admin"],
        "users list": ["users", "list", "--json"],
        "audit": ["audit", "--json"],
        "purge": ["purge", "--older-than", "1d", "--dry-run"],
    }
    seen: dict[str, object] = {}
    for name, argv in commands.items():
        code = main([*argv, "--store", store])
        out, err = capsys.readouterr()
        text = _TIME.sub("TIME", _BATCH.sub("BATCH", out.replace(store, "STORE")))
        seen[name] = (code, text.replace(str(folder), "FOLDER"), err)
    for name, argv in {"copy": ["copy", store, other], "copy back": ["copy", other, back]}.items():
        code = main(argv)
        out, err = capsys.readouterr()
        located = out.replace(store, "STORE").replace(other, "OTHER").replace(back, "BACK")
        seen[name] = (code, located, err)
    return seen


@pytest.fixture()
def both(postgis_cluster, tmp_path, capsys):
    """The session on a SQLite file and on a PostGIS database (each copied to the other)."""
    sqlite, postgis = str(tmp_path / "a.sqlite"), postgis_cluster.new_database()
    for name in ("s", "p"):  # a folder of files for each
        (tmp_path / name).mkdir()
    return {
        "sqlite": session(capsys, sqlite, postgis_cluster.new_database(), tmp_path / "s"),
        "postgis": session(capsys, postgis, str(tmp_path / "b.sqlite"), tmp_path / "p"),
    }


def test_every_command_prints_the_same_on_both_backends(both):
    for name, answer in both["sqlite"].items():
        assert answer == both["postgis"][name], name
        assert answer[0] == 0 and answer[2] == "", (name, answer)


def test_the_answers_are_the_hand_worked_ones(both):
    seen = both["postgis"]
    assert seen["import records"][1].startswith("outreach.csv: read 3, stored 3,")
    rows = json.loads(seen["summary"][1])
    assert {r["area_name"]: r["people"] for r in rows} == {"West": 1, "East": 2}
    listed = json.loads(seen["users list"][1].splitlines()[-1])["rows"]
    assert [(r["email"], r["role"]) for r in listed] == [("ana@council.example", "admin")]
    actions = [r["action"] for r in json.loads(seen["audit"][1].splitlines()[-1])["rows"]]
    assert actions == ["import", "import", "user added"]
    assert "Would delete 3 records, 0 link decisions" in seen["purge"][1]
    assert seen["copy"][1].startswith("Copied 3 records, 2 wards,")
    assert seen["copy back"][1].endswith("counts and ward figures checked equal.\n")
