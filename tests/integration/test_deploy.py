"""What can be checked of deploy/ without a container engine: units, compose file, manifests, image."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import psycopg
import pytest
import yaml

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
HARDENING = ("NoNewPrivileges=yes", "ProtectSystem=strict", "User=casework", "PrivateTmp=yes")


@pytest.mark.parametrize("unit", ["casework-api.service", "casework-worker.service"])
def test_the_systemd_units_verify_and_are_hardened(unit: str, tmp_path: Path) -> None:
    text = (DEPLOY / "systemd" / unit).read_text()
    for option in HARDENING:
        assert option in text.splitlines(), option
    if shutil.which("systemd-analyze") is None:
        pytest.fail("systemd-analyze is needed to check the units")
    # Verified as installed: the command at /opt/casework is this checkout's casework.
    installed = Path(sys.executable).parent / "casework"
    (tmp_path / unit).write_text(text.replace("/opt/casework/bin/casework", str(installed)))
    checked = subprocess.run(
        ["systemd-analyze", "verify", str(tmp_path / unit)], capture_output=True, text=True, check=False
    )
    assert checked.returncode == 0, checked.stderr


def test_the_compose_file_has_the_database_two_apis_and_the_worker() -> None:
    compose: dict[str, Any] = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
    services = compose["services"]
    assert int(services["db"]["image"].split(":")[1]) >= 16
    assert services["api"]["deploy"]["replicas"] == 2
    assert services["api"]["command"] == ["serve", "--no-projections"]
    assert services["worker"]["command"] == ["project"]
    assert services["prepare"]["command"] == ["prepare"]
    for name in ("api", "worker", "prepare"):
        env = services[name]["environment"]
        assert env["CASEWORK_DATABASE_URL"].startswith("postgresql://")
        assert {"CASEWORK_JWT_SECRET", "CASEWORK_SIGNING_KEY", "CASEWORK_ID_KEY"} <= set(env)


def test_the_image_is_multi_stage_and_runs_unprivileged() -> None:
    lines = (DEPLOY / "Containerfile").read_text().splitlines()
    stages = [i for i, line in enumerate(lines) if line.startswith("FROM ")]
    assert len(stages) == 2
    final = lines[stages[-1] :]
    assert any(line.startswith("USER casework") for line in final)
    assert not any("build-essential" in line or "gcc" in line for line in final)
    assert any(line.startswith("COPY --from=build") for line in final)


def manifests() -> list[dict[str, Any]]:
    documents: list[dict[str, Any]] = []
    for path in sorted((DEPLOY / "kubernetes").glob("*.yaml")):
        documents += [d for d in yaml.safe_load_all(path.read_text()) if d]
    return documents


def test_the_kubernetes_manifests_have_every_part() -> None:
    kinds = {(d["kind"], d["metadata"]["name"]): d for d in manifests()}
    api = kinds[("Deployment", "casework-api")]["spec"]["template"]["spec"]["containers"][0]
    assert api["readinessProbe"]["httpGet"]["path"] == "/health/ready"
    assert api["livenessProbe"]["httpGet"]["path"] == "/health/live"
    assert api["args"] == ["serve", "--no-projections"]
    worker = kinds[("Deployment", "casework-worker")]
    assert worker["spec"]["replicas"] >= 2
    assert worker["spec"]["template"]["spec"]["containers"][0]["args"] == ["project"]
    assert ("Secret", "casework-keys") in kinds
    job = kinds[("Job", "casework-prepare")]["spec"]["template"]["spec"]["containers"][0]
    assert job["args"] == ["prepare"]
    for document in kinds.values():
        pod = document.get("spec", {}).get("template", {}).get("spec")
        if pod:
            assert pod["securityContext"]["runAsNonRoot"] is True


def test_every_pod_runs_as_non_root_read_only_without_capabilities_under_runtime_default() -> None:
    pods = [d["spec"]["template"]["spec"] for d in manifests() if d.get("spec", {}).get("template")]
    assert len(pods) == 3
    for pod in pods:
        assert pod["securityContext"]["runAsNonRoot"] is True
        assert pod["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}
        for container in pod["containers"]:
            context = container["securityContext"]
            assert context["runAsNonRoot"] is True
            assert context["readOnlyRootFilesystem"] is True
            assert context["allowPrivilegeEscalation"] is False
            assert context["capabilities"] == {"drop": ["ALL"]}
            assert context["seccompProfile"] == {"type": "RuntimeDefault"}


def test_compose_publishes_on_the_loopback_unless_told_otherwise() -> None:
    compose: dict[str, Any] = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
    for name, service in compose["services"].items():
        for port in service.get("ports", []):
            assert str(port).startswith("${CASEWORK_PUBLISH:-127.0.0.1}:"), (name, port)


def test_prepare_creates_every_table(database_url: str, tmp_path: Path) -> None:
    env = {"CASEWORK_DATABASE_URL": database_url, "CASEWORK_DATA_DIR": str(tmp_path), "PATH": ""}
    run = subprocess.run(
        [sys.executable, "-m", "casework.cli", "prepare"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    with psycopg.connect(database_url) as conn:
        names = {
            r[0]
            for r in conn.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_schema='public'"
            )
        }
    for table in (
        "casework_events",
        "casework_claims",
        "casework_checkpoints",
        "casework_reconciliations",
        "casework_idempotency",
        "register_studios",
        "audit_trail",
        "ledger_lines",
        "chain_links",
    ):
        assert table in names, table
