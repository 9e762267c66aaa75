"""deploy/kubernetes/ha, the high-availability overlay, as `kubectl kustomize` renders it: two replicas
rolled one at a time, a PodDisruptionBudget that keeps one, no SQLite claim, and a config whose state is the
PostgreSQL URL of a Secret (loaded by the real config loader and store chooser)."""

from __future__ import annotations

import subprocess
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from monitor.config import load_config
from monitor.store import PostgresStore, open_store
from tests.deploy.image import read_image
from tests.deploy.project import REPO
from tests.tools import require_tool

KUBERNETES = REPO / "deploy" / "kubernetes"
Manifest = dict[str, Any]


@cache
def rendered(folder: str) -> tuple[Manifest, ...]:
    kubectl = require_tool("kubectl")
    built = subprocess.run(
        [kubectl, "kustomize", str(KUBERNETES / folder)], capture_output=True, text=True, timeout=60
    )
    assert built.returncode == 0, built.stderr
    return tuple(yaml.safe_load_all(built.stdout))


def one(kind: str, folder: str = "ha") -> Manifest:
    (manifest,) = [m for m in rendered(folder) if m["kind"] == kind]
    return manifest


def pod() -> Manifest:
    spec: Manifest = one("Deployment")["spec"]["template"]["spec"]
    return spec


def example_secrets() -> dict[str, Manifest]:
    """The Secrets the pods need, from the examples the kustomizations leave out."""
    secrets = (yaml.safe_load(p.read_text()) for p in KUBERNETES.glob("*/secret.example.yaml"))
    return {s["metadata"]["name"]: s for s in secrets}


def test_two_replicas_rolled_one_at_a_time_kept_by_a_disruption_budget() -> None:
    spec = one("Deployment")["spec"]
    assert spec["replicas"] == 2
    assert spec["strategy"] == {
        "type": "RollingUpdate",
        "rollingUpdate": {"maxSurge": 1, "maxUnavailable": 0},
    }
    budget = one("PodDisruptionBudget")["spec"]
    assert 1 <= budget["minAvailable"] < spec["replicas"]
    assert budget["selector"]["matchLabels"].items() <= spec["template"]["metadata"]["labels"].items()


def test_no_sqlite_claim_and_the_state_volume_is_scratch_space() -> None:
    assert not [m for m in rendered("ha") if m["kind"] == "PersistentVolumeClaim"]
    (state,) = [v for v in pod()["volumes"] if v["name"] == "state"]
    assert state == {"name": "state", "emptyDir": {}}


def test_the_config_reads_the_database_url_from_a_secret(tmp_path: Path) -> None:
    secrets = example_secrets()
    (container,) = pod()["containers"]
    env: dict[str, str] = {}
    for source in container["envFrom"]:
        env |= secrets[source["secretRef"]["name"]]["stringData"]
    assert "DATABASE_URL" in secrets["outage-monitor-database"]["stringData"]
    config_file = tmp_path / read_image().config_path.name
    config_file.write_text(one("ConfigMap")["data"][config_file.name])
    settings = load_config(config_file, env=env).settings
    assert settings.state == env["DATABASE_URL"]
    assert isinstance(open_store(settings.state), PostgresStore)


def test_the_single_replica_manifests_render_as_before() -> None:
    spec = one("Deployment", "")["spec"]
    assert spec["replicas"] == 1 and spec["strategy"] == {"type": "Recreate"}
    assert one("PersistentVolumeClaim", "")["metadata"]["name"] == "outage-monitor-state"
