"""deploy/docker-compose.ha.yml agrees with the repo and the daemon: PostgreSQL plus two replicas of one
config whose state is that PostgreSQL, Prometheus scraping both replicas, Grafana as in the single setup;
every mounted repo path exists and `docker-compose config --quiet` accepts the file."""

from __future__ import annotations

import subprocess
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

from monitor.config import load_config
from monitor.store import PostgresStore, open_store
from tests.deploy.image import read_image
from tests.deploy.project import DEFAULT_PORT, REPO
from tests.tools import require_tool

DEPLOY = REPO / "deploy"
COMPOSE = DEPLOY / "docker-compose.ha.yml"
REPLICAS = ("outage-monitor-a", "outage-monitor-b")


@cache
def resolved() -> dict[str, Any]:
    """The file as Compose reads it (anchors merged, ${VAR:-default}s filled): `docker-compose config`."""
    docker_compose = require_tool("docker-compose")
    checked = subprocess.run(
        [docker_compose, "-f", str(COMPOSE), "config"], capture_output=True, text=True, timeout=60
    )
    assert checked.returncode == 0, checked.stderr
    loaded: dict[str, Any] = yaml.safe_load(checked.stdout)
    return loaded


def service(name: str) -> dict[str, Any]:
    services: dict[str, dict[str, Any]] = resolved()["services"]
    return services[name]


def volumes(name: str) -> list[tuple[str, str]]:
    """The service's volumes as (source, target): Compose v1 prints them as source:target[:mode]."""
    pairs = []
    for entry in service(name).get("volumes", []):
        source, target, *_ = entry.split(":")
        pairs.append((source, target))
    return pairs


def binds(name: str) -> dict[str, Path]:
    """The service's bind mounts, container path -> the repo path mounted there."""
    return {target: Path(source).resolve() for source, target in volumes(name) if source.startswith("/")}


def test_compose_validates_the_file() -> None:
    docker_compose = require_tool("docker-compose")
    checked = subprocess.run(
        [docker_compose, "-f", str(COMPOSE), "config", "--quiet"], capture_output=True, text=True, timeout=60
    )
    assert checked.returncode == 0, checked.stderr


def test_every_mounted_repo_path_exists_and_every_named_volume_is_declared() -> None:
    mounted = [path for name in resolved()["services"] for path in binds(name).values()]
    assert mounted and all(REPO in path.parents for path in mounted)
    assert [path for path in mounted if not path.exists()] == []
    named = {source for name in resolved()["services"] for source, _ in volumes(name) if "/" not in source}
    assert named == set(resolved()["volumes"])


def test_two_replicas_run_one_config_on_the_composed_postgresql(tmp_path: Path) -> None:
    image = read_image()
    configs = {binds(name)[str(image.config_path)] for name in REPLICAS}
    (config_path,) = configs
    environments = [service(name)["environment"] for name in REPLICAS]
    assert environments[0] == environments[1]
    settings = load_config(config_path, env=environments[0]).settings
    assert isinstance(open_store(settings.state), PostgresStore)
    database = urlsplit(settings.state)
    postgres = service("postgres")
    assert database.hostname == "postgres" and database.port == 5432
    assert database.username == postgres["environment"]["POSTGRES_USER"]
    assert database.password == postgres["environment"]["POSTGRES_PASSWORD"]
    assert database.path == f"/{postgres['environment']['POSTGRES_DB']}"
    assert settings.listen_port == DEFAULT_PORT
    published = {int(p["published"]) for name in REPLICAS for p in service(name)["ports"]}
    assert len(published) == 2
    assert {int(p["target"]) for name in REPLICAS for p in service(name)["ports"]} == {DEFAULT_PORT}
    for name in REPLICAS:
        assert service(name)["depends_on"]["postgres"]["condition"] == "service_healthy"


def test_prometheus_scrapes_both_replicas_on_the_daemons_port() -> None:
    config_path = binds("prometheus")["/etc/prometheus/prometheus.yml"]
    (job,) = yaml.safe_load(config_path.read_text())["scrape_configs"]
    (static,) = job["static_configs"]
    targets = {(urlsplit(f"//{t}").hostname, urlsplit(f"//{t}").port) for t in static["targets"]}
    assert targets == {(name, DEFAULT_PORT) for name in REPLICAS}
    promtool = require_tool("promtool")
    checked = subprocess.run(
        [promtool, "check", "config", "--syntax-only", str(config_path)], capture_output=True, text=True
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_grafana_is_provisioned_as_in_the_single_replica_setup() -> None:
    single = yaml.safe_load((DEPLOY / "docker-compose.yml").read_text())["services"]["grafana"]
    assert sorted(binds("grafana").values()) == sorted(
        (DEPLOY / v.split(":")[0]).resolve() for v in single["volumes"] if v.startswith(".")
    )
    assert service("grafana")["environment"] == single["environment"]
