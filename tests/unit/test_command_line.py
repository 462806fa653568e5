"""The ``casework`` command line without running a command: log levels, --as-of, formats, help."""

from __future__ import annotations

import argparse
import datetime as dt
import re
import shlex
import uuid
from pathlib import Path

import pytest

from casework.cli import parser
from casework.clock import WENZHOU
from casework.logging import command_level
from casework.replay_command import REPLAY_FORMATS, WIDE_TERMINAL, as_of, replay_format
from casework.timeline import shown_time

ROOT = Path(__file__).resolve().parents[2]


def commands(root: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    sub = next(a for a in root._actions if isinstance(a, argparse._SubParsersAction))
    return dict(sub.choices)


@pytest.mark.parametrize(
    ("configured", "one_shot", "verbose", "level"),
    [
        ("info", True, False, "warning"),  # demo, replay...: quiet whatever the service's level
        ("debug", True, False, "warning"),
        ("error", True, False, "error"),  # quieter than warning stays quieter
        ("info", True, True, "info"),
        ("warning", True, True, "info"),
        ("debug", True, True, "debug"),  # louder than info stays louder
        ("info", False, False, "info"),  # serve, project: their log is their output
        ("warning", False, False, "warning"),
        ("warning", False, True, "info"),
        ("nonsense", True, False, "warning"),
        ("nonsense", False, False, "info"),
    ],
)
def test_the_level_a_command_logs_at(configured: str, one_shot: bool, verbose: bool, level: str) -> None:
    assert command_level(configured, one_shot=one_shot, verbose=verbose) == level


def test_verbose_is_taken_before_or_after_the_command() -> None:
    sid = str(uuid.uuid4())
    assert parser().parse_args(["replay", sid]).verbose is False
    assert parser().parse_args(["-v", "replay", sid]).verbose is True
    assert parser().parse_args(["replay", sid, "--verbose"]).verbose is True
    assert parser().parse_args(["--verbose", "serve"]).verbose is True


class TestAsOf:
    def test_a_date_means_the_end_of_that_day_in_wenzhou(self) -> None:
        moment = as_of("2026-06-30")
        assert moment == dt.datetime(2026, 6, 30, 23, 59, 59, 999_999, tzinfo=WENZHOU)
        assert moment == dt.datetime(2026, 6, 30, 15, 59, 59, 999_999, tzinfo=dt.UTC)

    def test_a_time_without_an_offset_is_shown_time(self) -> None:
        assert as_of("2026-06-30T17:00") == dt.datetime(2026, 6, 30, 9, 0, tzinfo=dt.UTC)
        assert as_of("2026-06-30 17:00:00") == dt.datetime(2026, 6, 30, 9, 0, tzinfo=dt.UTC)

    def test_a_time_with_an_offset_keeps_it(self) -> None:
        assert as_of("2026-06-30T17:00Z") == dt.datetime(2026, 6, 30, 17, 0, tzinfo=dt.UTC)
        assert as_of("2026-06-30T17:00+01:00") == dt.datetime(2026, 6, 30, 16, 0, tzinfo=dt.UTC)

    @pytest.mark.parametrize("text", ["yesterday", "2026-13-01", "30/06/2026", ""])
    def test_anything_else_is_refused_with_an_example(self, text: str) -> None:
        with pytest.raises(argparse.ArgumentTypeError, match="2026-06-30"):
            as_of(text)

    def test_as_of_and_version_exclude_each_other(self, capsys: pytest.CaptureFixture[str]) -> None:
        with pytest.raises(SystemExit) as refused:
            parser().parse_args(["replay", str(uuid.uuid4()), "--as-of", "2026-06-30", "--version", "2"])
        assert refused.value.code == 2
        assert "not allowed with" in capsys.readouterr().err

    @pytest.mark.parametrize("n", ["0", "-1", "two"])
    def test_a_version_is_one_or_more(self, n: str, capsys: pytest.CaptureFixture[str]) -> None:
        with pytest.raises(SystemExit):
            parser().parse_args(["replay", str(uuid.uuid4()), "--version", n])
        assert "not a version" in capsys.readouterr().err


class TestWenzhouTime:
    def test_utc_moments_are_shown_at_plus_eight(self) -> None:
        assert shown_time(dt.datetime(2026, 11, 30, 4, 6, 0, 123_456, tzinfo=dt.UTC)) == (
            "2026-11-30 12:06:00+08:00"
        )

    def test_the_date_is_wenzhou_s_after_16_00_utc(self) -> None:
        assert shown_time(dt.datetime(2026, 12, 31, 17, 30, tzinfo=dt.UTC)) == "2027-01-01 01:30:00+08:00"


class TestReplayFormat:
    @pytest.mark.parametrize("chosen", REPLAY_FORMATS)
    def test_the_format_asked_for_is_used_anywhere(self, chosen: str) -> None:
        assert replay_format(chosen, terminal=False, columns=80) == chosen
        assert replay_format(chosen, terminal=True, columns=80) == chosen

    def test_by_default_the_table_on_a_wide_terminal_and_lines_otherwise(self) -> None:
        assert replay_format(None, terminal=True, columns=WIDE_TERMINAL) == "table"
        assert replay_format(None, terminal=True, columns=WIDE_TERMINAL - 1) == "lines"
        assert replay_format(None, terminal=True, columns=80) == "lines"
        assert replay_format(None, terminal=False, columns=400) == "lines"


class TestHelp:
    def test_the_help_names_every_setting_the_command_reads(self) -> None:
        read = set(re.findall(r'"(CASEWORK_[A-Z_]+)"', (ROOT / "src/casework/settings.py").read_text()))
        assert len(read) >= 11
        text = parser().format_help()
        assert {name for name in read if name not in text} == set()

    def test_every_command_has_its_settings_and_examples_and_the_examples_parse(self) -> None:
        root = parser()
        for name, command in commands(root).items():
            text = command.format_help()
            assert "settings (environment):" in text, name
            assert "CASEWORK_LOG_LEVEL" in text, name
            examples = text.split("examples:\n", 1)[1].split("\n\n", 1)[0].splitlines()
            assert 1 <= len(examples) <= 2, name
            for example in examples:
                words = shlex.split(re.split(r" [>|#] ", example)[0])
                while "=" in words[0]:  # VAR=value before the command
                    words.pop(0)
                assert words[:2] == ["casework", name], example
                args = root.parse_args([str(uuid.uuid4()) if w == "ID" else w for w in words[1:]])
                # The example reaches the command's own handler (its name alone was parsed from it).
                assert args.run is command.get_default("run"), example

    def test_the_root_help_has_examples_and_the_version(self) -> None:
        text = parser().format_help()
        assert "examples:\n  casework demo" in text
        assert "--version" in text

    def test_the_readme_command_table_matches_the_help(self) -> None:
        readme = (ROOT / "README.md").read_text()
        section = readme.split("\n## Commands\n", 1)[1].split("\n## ", 1)[0]
        rows = [line for line in section.splitlines() if line.startswith("| `casework")]
        listed: set[str] = set()
        available = commands(parser())
        for row in rows:
            usage = row.split(" | ")[0]
            names = re.findall(r"`casework ([a-z-]+)", usage)
            assert names, row
            listed.update(names)
            helps = "".join(available[name].format_help() for name in names if name in available)
            for option in set(re.findall(r"(?<![\w-])--[a-z][a-z-]*", row)):
                assert option in helps, f"{option} of {names} is not in their help"
        assert listed == set(available)
