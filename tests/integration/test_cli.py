"""The casework command as an officer runs it: a demo data set, then a studio's timeline."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import pty
import subprocess
import sys
import tempfile
import uuid
from collections.abc import Iterator
from importlib.metadata import version
from pathlib import Path

import pytest

from casework.application import STANDARDS_STREAM, Casework, Context
from casework.demo import load_demo
from casework.domain import rules
from casework.domain.commands import SetSubsidyStandard
from casework.vault import Vault
from tests import builders as b
from tests.serving import casework

# When the fixture's four events are recorded (UTC), and how Wenzhou reads each.
RECORDED = (
    (dt.datetime(2014, 3, 1, 2, 0, tzinfo=dt.UTC), "2014-03-01 10:00:00+08:00"),
    # Past 16:00 UTC it is the next day in Wenzhou: the test of --as-of 2014-03-20 below.
    (dt.datetime(2014, 3, 20, 17, 30, tzinfo=dt.UTC), "2014-03-21 01:30:00+08:00"),
    (dt.datetime(2014, 4, 15, 3, 0, 7, 250_000, tzinfo=dt.UTC), "2014-04-15 11:00:07+08:00"),
    (dt.datetime(2014, 5, 8, 8, 0, tzinfo=dt.UTC), "2014-05-08 16:00:00+08:00"),
)


@pytest.fixture
def studio(database_url: str, tmp_path: Path) -> tuple[str, dict[str, str]]:
    """An awarded studio whose events were recorded at the RECORDED times; its id and the env to reach it."""
    sid = uuid.uuid4()
    now = [RECORDED[0][0]]
    with Casework(database_url, clock=lambda: now[0]) as app:
        steps = (
            (b.submit(sid), b.applicant()),
            (b.approve(sid), b.reviewer()),
            (b.assess(sid), b.CITY_OFFICE),
            (b.award(sid), b.CITY_OFFICE),
        )
        for n, ((command, actor), (at, _)) in enumerate(zip(steps, RECORDED, strict=True), start=1):
            now[0] = at
            app.execute(command, Context(actor=actor, correlation_id="corr-cli", request_id=f"req-{n}"))
    return str(sid), {"CASEWORK_DATABASE_URL": database_url, "CASEWORK_DATA_DIR": str(tmp_path)}


@pytest.fixture
def folder() -> Iterator[Path]:
    """A folder for data folders of the embedded server, outside pytest's.

    As root, the server runs as another user, to whom it opens the folders above its data;
    a pytest session starting meanwhile (another on the same machine) closes pytest's again.
    """
    with tempfile.TemporaryDirectory(prefix="casework-cli-") as made:
        yield Path(made)


def test_demo_then_replay_shows_a_studio_s_whole_life(folder: Path) -> None:
    env = {"CASEWORK_DATA_DIR": str(folder / "data")}
    demo = casework("demo", "--studios", "30", "--seed", "7", env=env)
    assert demo.returncode == 0, demo.stderr
    assert "30 studios loaded" in demo.stdout
    revoked = next(line for line in demo.stdout.splitlines() if "revoked" in line)
    studio_id = next(word for word in revoked.replace("│", " ").split() if word.count("-") == 4)
    replay = casework("replay", studio_id, env=env)
    assert replay.returncode == 0, replay.stderr
    for expected in ("Submitted", "CountyApproved", "Assessed", "Awarded", "SubsidyPaid", "Revoked"):
        assert expected in replay.stdout
    assert "awarded → revoked" in replay.stdout or "rectifying → revoked" in replay.stdout
    missing = casework("replay", str(uuid.uuid4()), env=env)
    assert missing.returncode == 1
    assert (missing.stdout, missing.stderr.startswith("no studio")) == ("", True)


def test_one_shot_commands_are_quiet_unless_verbose(folder: Path) -> None:
    # At CASEWORK_LOG_LEVEL=info, as a service's environment has it: demo still logs nothing.
    quiet_env = {"CASEWORK_DATA_DIR": str(folder / "quiet"), "CASEWORK_LOG_LEVEL": "info"}
    quiet = casework("demo", "--studios", "12", "--seed", "5", env=quiet_env)
    assert quiet.returncode == 0, quiet.stderr
    table, _, note = quiet.stdout.partition("The apprenticeship subsidy standard")
    rows = [line for line in table.splitlines() if line.startswith("│")]
    # The table: title, top rule, header, rule under it, a row per status, bottom rule; then the
    # note that the subsidy standard it recorded is an example (第六条(一) gives no figures).
    assert len(table.splitlines()) == len(rows) + 5
    assert "EXAMPLE, not the bureau's figures" in " ".join(note.split())
    assert quiet.stderr.splitlines() == []  # nor a progress bar: stderr is a pipe here

    verbose_env = {"CASEWORK_DATA_DIR": str(folder / "verbose"), "CASEWORK_LOG_LEVEL": "info"}
    verbose = casework("demo", "--studios", "12", "--seed", "5", "--verbose", env=verbose_env)
    assert verbose.returncode == 0, verbose.stderr
    assert len(verbose.stdout.splitlines()) == len(quiet.stdout.splitlines())
    logged = verbose.stderr.splitlines()
    events = int(quiet.stdout.split("holds ")[1].split()[0])
    recorded = [line for line in logged if "recorded" in line]
    # One line per command the application recorded (some record two events), and the server's.
    assert 12 <= len(recorded) <= events
    assert any("embedded_postgres_started" in line for line in logged)
    assert len(logged) >= len(recorded) + 2

    sid = rows[0].replace("│", " ").split()[-1]
    assert casework("replay", sid, env=quiet_env).stderr == ""
    before = casework("-v", "replay", sid, env=quiet_env)
    assert "embedded_postgres_started" in before.stderr


def test_the_progress_bar_is_drawn_on_a_terminal_only(database_url: str, tmp_path: Path) -> None:
    primary, secondary = pty.openpty()
    env = {**os.environ, "CASEWORK_DATABASE_URL": database_url, "CASEWORK_DATA_DIR": str(tmp_path)}
    env |= {"TERM": "xterm", "COLUMNS": "100"}
    process = subprocess.Popen(
        [sys.executable, "-m", "casework.cli", "demo", "--studios", "6", "--seed", "3"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=secondary,
    )
    os.close(secondary)
    drawn = bytearray()
    while True:
        try:
            chunk = os.read(primary, 65536)
        except OSError:  # EIO: the command, the terminal's last writer, has ended
            break
        if not chunk:
            break
        drawn += chunk
    os.close(primary)
    assert process.wait(timeout=120) == 0
    assert process.stdout is not None
    assert "6 studios loaded" in process.stdout.read().decode()
    shown = drawn.decode(errors="replace")
    assert "loading studios" in shown
    assert "6/6" in shown


class TestReplay:
    def test_into_a_pipe_one_line_per_event_in_wenzhou_time(self, studio: tuple[str, dict[str, str]]) -> None:
        sid, env = studio
        run = casework("replay", sid, env=env)  # stdout is a pipe: lines, whatever COLUMNS says
        assert run.returncode == 0, run.stderr
        lines = run.stdout.splitlines()
        assert len(lines) == 4
        assert [line.split("  ")[:2] for line in lines] == [
            [shown, f"v{n}"] for n, (_, shown) in enumerate(RECORDED, 1)
        ]
        assert lines[0].split("  ")[2:5] == ["effective 2014-03-01", "host.clerk (applicant)", "Submitted"]
        assert "  submitted → county_approved  approved by " in lines[1]
        assert lines[3].endswith("awarded by 温人社发〔2014〕88号, plaque WZ-2014-001")
        assert run.stderr == ""

    def test_the_table_keeps_every_event_on_one_row_in_a_file(
        self, studio: tuple[str, dict[str, str]]
    ) -> None:
        sid, env = studio
        run = casework("replay", sid, "--format", "table", env={**env, "COLUMNS": "80"})
        assert run.returncode == 0, run.stderr
        rows = [line for line in run.stdout.splitlines() if line.startswith("│")]
        assert len(rows) == 4
        for row, (_, shown) in zip(rows, RECORDED, strict=True):
            assert f"│ {shown} │" in row
        assert "recorded (Wenzhou)" in run.stdout
        assert "county_approved → assessed" in rows[2]
        assert run.stdout.splitlines()[-1] == "version 4; correlation corr-cli"

    def test_json_for_programs(self, studio: tuple[str, dict[str, str]]) -> None:
        sid, env = studio
        run = casework("replay", sid, "--format", "json", env=env)
        assert run.returncode == 0, run.stderr
        document = json.loads(run.stdout)
        assert (document["studio_id"], document["version"], document["latest_version"]) == (sid, 4, 4)
        assert document["as_of"] is None
        items = document["items"]
        assert [item["version"] for item in items] == [1, 2, 3, 4]
        assert [dt.datetime.fromisoformat(item["recorded_at"]) for item in items] == [
            at for at, _ in RECORDED
        ]
        assert items[2]["recorded_at"] == "2014-04-15T11:00:07.250000+08:00"
        assert items[0] | {"summary": ""} == {
            "version": 1,
            "recorded_at": "2014-03-01T10:00:00+08:00",
            "effective_on": "2014-03-01",
            "actor": "host.clerk",
            "role": "applicant",
            "type": "Submitted",
            "status_before": None,
            "status_after": "submitted",
            "summary": "",
            "correlation_id": "corr-cli",
            "request_id": "req-1",
        }
        assert (items[1]["status_before"], items[1]["status_after"]) == ("submitted", "county_approved")

    def test_csv_for_spreadsheets(self, studio: tuple[str, dict[str, str]]) -> None:
        sid, env = studio
        run = casework("replay", sid, "--format", "csv", env=env)
        assert run.returncode == 0, run.stderr
        assert run.stdout.startswith("\ufeffversion,recorded_at,effective_on,actor,role,type,")
        rows = list(csv.DictReader(io.StringIO(run.stdout.removeprefix("\ufeff"))))
        assert [row["recorded_at"] for row in rows] == [
            at.astimezone(dt.timezone(dt.timedelta(hours=8))).isoformat() for at, _ in RECORDED
        ]
        assert rows[0]["status_before"] == ""
        assert rows[3]["summary"] == "awarded by 温人社发〔2014〕88号, plaque WZ-2014-001"

    @pytest.mark.parametrize(
        ("when", "versions"),
        [
            ("2014-03-20", [1]),  # the approval was recorded on the 20th in UTC, the 21st in Wenzhou
            ("2014-03-21", [1, 2]),
            ("2014-03-21T01:29", [1]),  # Wenzhou time
            ("2014-03-21T01:30", [1, 2]),  # recorded by then: that very second counts
            ("2014-03-20T17:30:00Z", [1, 2]),
            ("2030-01-01", [1, 2, 3, 4]),
        ],
    )
    def test_as_of_shows_the_record_as_it_stood(
        self, studio: tuple[str, dict[str, str]], when: str, versions: list[int]
    ) -> None:
        sid, env = studio
        run = casework("replay", sid, "--as-of", when, "--format", "json", env=env)
        assert run.returncode == 0, run.stderr
        document = json.loads(run.stdout)
        assert [item["version"] for item in document["items"]] == versions
        assert document["latest_version"] == 4
        assert dt.datetime.fromisoformat(document["as_of"]).utcoffset() is not None

    def test_version_shows_the_first_events(self, studio: tuple[str, dict[str, str]]) -> None:
        sid, env = studio
        run = casework("replay", sid, "--version", "2", env=env)
        assert run.returncode == 0, run.stderr
        assert [line.split("  ")[1] for line in run.stdout.splitlines()] == ["v1", "v2"]
        table = casework("replay", sid, "--version", "2", "--format", "table", env=env)
        assert "studio " + sid + ": 2 of 4 events, up to version 2" in table.stdout

    def test_before_the_studio_existed_there_is_nothing_to_show(
        self, studio: tuple[str, dict[str, str]]
    ) -> None:
        sid, env = studio
        run = casework("replay", sid, "--as-of", "2014-02-28", env=env)
        assert run.returncode == 1
        assert run.stdout == ""
        assert "did not exist then: its first event was recorded 2014-03-01 10:00:00+08:00" in run.stderr

    def test_the_stream_of_the_subsidy_standards_is_no_studio_to_replay(
        self, database_url: str, tmp_path: Path
    ) -> None:
        with Casework(database_url) as app:
            standard = SetSubsidyStandard(
                in_force_from=dt.date(2026, 1, 1),
                document_no="温人社发〔2025〕99号",
                rates_fen={"中级工": 100_000},
            )
            app.set_subsidy_standard(
                standard, Context(actor=b.CITY_OFFICE, correlation_id="c", request_id="r")
            )
        env = {"CASEWORK_DATABASE_URL": database_url, "CASEWORK_DATA_DIR": str(tmp_path)}
        run = casework("replay", str(STANDARDS_STREAM), env=env)
        assert (run.returncode, run.stdout) == (1, "")
        assert "is the stream of the subsidy standards, not a studio" in run.stderr

    def test_a_reader_that_goes_away_ends_it_without_a_traceback(
        self, studio: tuple[str, dict[str, str]]
    ) -> None:
        sid, env = studio
        read, write = os.pipe()
        os.close(read)  # as `casework replay ID | head -0` would
        try:
            run = subprocess.run(
                [sys.executable, "-m", "casework.cli", "replay", sid],
                env={**os.environ, **env},
                stdout=write,
                stderr=subprocess.PIPE,
                text=True,
                timeout=120,
                check=False,
            )
        finally:
            os.close(write)
        assert (run.returncode, run.stderr) == (141, "")


def test_version_prints_the_package_s() -> None:
    run = casework("--version", env={})
    assert (run.returncode, run.stdout) == (0, f"casework {version('casework')}\n")


@pytest.mark.parametrize("studios", [240])
def test_the_demo_covers_every_county_and_every_stage(
    database_url: str, tmp_path: Path, studios: int
) -> None:
    with Casework(database_url) as app:
        loaded = load_demo(
            app=app, vault=Vault.from_setting(None, tmp_path), today=rules_today(), studios=studios, seed=11
        )
        assert sum(loaded.counts.values()) == studios
        assert set(loaded.counts) == {
            "submitted", "returned", "county_approved", "assessed", "awarded",
            "rectifying", "declined", "withdrawn", "revoked",
        }  # fmt: skip
        counties = set()
        kinds = set()
        studios_seen = set()
        for n in app.recorder.select_notifications(start=1, limit=100_000):
            kinds.add(n.topic.rsplit(":", 1)[1])
            studios_seen.add(n.originator_id)
        for studio_id in studios_seen - {STANDARDS_STREAM}:
            studio = app.load(studio_id)
            assert studio is not None
            counties.add(studio.county)
        assert len(studios_seen - {STANDARDS_STREAM}) == studios
        assert counties >= set(rules.COUNTIES)
        assert {"Evaluated", "SubsidyReversed", "RectificationOrdered", "RecommendedToProvince",
                "ApprenticeQualified", "Inspected", "Amended", "Withdrawn"} <= kinds  # fmt: skip


def rules_today() -> dt.date:
    return dt.date(2026, 11, 26)


def test_a_template_jwt_secret_stops_the_start_naming_it(folder: Path) -> None:
    refused = casework(
        "serve", env={"CASEWORK_DATA_DIR": str(folder / "x"), "CASEWORK_JWT_SECRET": "change-me"}
    )
    assert refused.returncode != 0
    assert "CASEWORK_JWT_SECRET" in refused.stderr
