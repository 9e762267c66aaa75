"""deploy/kubernetes agrees with the daemon (its routes, default port, config loader and CLI), with the image
(user, volume, config path) and with itself (the Service, the ServiceMonitor and the Deployment's mounts name
objects that exist, with the labels and port names they use)."""

from __future__ import annotations

from functools import cache
from pathlib import Path, PurePosixPath
from typing import Any

import yaml

from monitor.config import load_config
from monitor.store import store_path
from tests.deploy.image import read_image
from tests.deploy.project import DEFAULT_PORT, REPO, get_routes, parse_cli

MANIFESTS = REPO / "deploy" / "kubernetes" / "base"
Manifest = dict[str, Any]


@cache
def manifests() -> dict[str, list[Manifest]]:
    """Every object in the manifests (kustomization.yaml aside), by kind."""
    found: dict[str, list[Manifest]] = {}
    for path in sorted(MANIFESTS.glob("*.yaml")):
        if path.name != "kustomization.yaml":
            for document in yaml.safe_load_all(path.read_text()):
                found.setdefault(document["kind"], []).append(document)
    return found


def one(kind: str) -> Manifest:
    (manifest,) = manifests()[kind]
    return manifest


def named(kind: str, name: str) -> Manifest:
    matching = [m for m in manifests().get(kind, []) if m["metadata"]["name"] == name]
    assert matching, f"the Deployment names the {kind} {name!r}, which no manifest defines"
    return matching[0]


def pod() -> Manifest:
    spec: Manifest = one("Deployment")["spec"]["template"]["spec"]
    return spec


def container() -> Manifest:
    containers: list[Manifest] = pod()["containers"]
    (only,) = containers
    return only


def container_port(name: str) -> int:
    ports: dict[str, int] = {port["name"]: port["containerPort"] for port in container()["ports"]}
    assert name in ports, f"{name!r} names no container port (there are {sorted(ports)})"
    return ports[name]


def mount(volume_kind: str) -> tuple[PurePosixPath, Manifest]:
    """Where the one volume of `volume_kind` (configMap, persistentVolumeClaim) is mounted, and the volume."""
    (volume,) = [v for v in pod()["volumes"] if volume_kind in v]
    (path,) = [m["mountPath"] for m in container()["volumeMounts"] if m["name"] == volume["name"]]
    return PurePosixPath(path), volume


def test_the_container_listens_on_the_daemons_default_port_and_the_images_exposed_one() -> None:
    assert container_port("http") == DEFAULT_PORT
    assert read_image().last("EXPOSE").value == (str(DEFAULT_PORT),)


def test_the_probes_ask_routes_the_web_app_serves_on_the_named_port() -> None:
    probes = {
        kind: container()[kind]["httpGet"] for kind in ("startupProbe", "livenessProbe", "readinessProbe")
    }
    assert probes["livenessProbe"]["path"] == "/healthz"
    assert probes["readinessProbe"]["path"] == "/readyz"
    routes = get_routes()
    for kind, probe in probes.items():
        assert probe["path"] in routes, f"{kind}: the daemon does not serve {probe['path']}"
        assert container_port(probe["port"]) == DEFAULT_PORT


def test_runs_as_the_images_user_unprivileged_on_a_read_only_root() -> None:
    uid, gid = read_image().user
    pod_context, context = pod()["securityContext"], container()["securityContext"]
    assert (pod_context["runAsUser"], pod_context["runAsGroup"], pod_context["fsGroup"]) == (uid, gid, gid)
    assert pod_context["runAsNonRoot"] is True and context["runAsNonRoot"] is True
    assert context["readOnlyRootFilesystem"] is True
    assert context["allowPrivilegeEscalation"] is False
    assert context["capabilities"]["drop"] == ["ALL"]


def test_one_replica_replaced_by_recreate_as_a_single_sqlite_writer_needs() -> None:
    spec = one("Deployment")["spec"]
    assert spec["replicas"] == 1 and spec["strategy"] == {"type": "Recreate"}
    assert spec["selector"]["matchLabels"].items() <= spec["template"]["metadata"]["labels"].items()


def test_resources_are_requested_and_memory_is_limited() -> None:
    resources = container()["resources"]
    assert {"cpu", "memory"} <= resources["requests"].keys()
    assert "memory" in resources["limits"]


def test_runs_the_config_the_configmap_mounts_where_the_image_reads_it() -> None:
    image = read_image()
    args = parse_cli(container()["args"])
    assert args.command == "run" and PurePosixPath(args.config) == image.config_path
    path, volume = mount("configMap")
    assert path == image.config_path.parent
    assert image.config_path.name in named("ConfigMap", volume["configMap"]["name"])["data"]
    (config_mount,) = [m for m in container()["volumeMounts"] if m["name"] == volume["name"]]
    assert config_mount["readOnly"] is True


def test_the_state_claim_is_mounted_on_the_images_volume() -> None:
    path, volume = mount("persistentVolumeClaim")
    assert path == read_image().volume
    claim = named("PersistentVolumeClaim", volume["persistentVolumeClaim"]["claimName"])
    assert claim["spec"]["accessModes"] == ["ReadWriteOnce"]


def test_the_configmaps_config_loads_with_the_secrets_environment(tmp_path: Path) -> None:
    """The config as the pod reads it: the real loader, with the Secret's keys as the environment."""
    env: dict[str, str] = {}
    for source in container()["envFrom"]:
        env |= named("Secret", source["secretRef"]["name"])["stringData"]
    _, volume = mount("configMap")
    data = named("ConfigMap", volume["configMap"]["name"])["data"]
    config_file = tmp_path / read_image().config_path.name
    config_file.write_text(data[config_file.name])
    settings = load_config(config_file, env=env).settings
    assert settings.listen_port == container_port("http")
    # a relative path is the image's WORKDIR's
    state = read_image().workdir / store_path(settings.state).as_posix()
    assert mount("persistentVolumeClaim")[0] in state.parents, f"the state {state} is not on the claim"


def test_the_service_sends_its_named_port_to_the_pods_container_port() -> None:
    service = one("Service")
    assert (
        service["spec"]["selector"].items()
        <= one("Deployment")["spec"]["template"]["metadata"]["labels"].items()
    )
    (port,) = service["spec"]["ports"]
    assert container_port(port["targetPort"]) == port["port"] == DEFAULT_PORT


def test_the_servicemonitor_scrapes_metrics_on_the_services_port_name() -> None:
    monitor, service = one("ServiceMonitor"), one("Service")
    assert monitor["spec"]["selector"]["matchLabels"].items() <= service["metadata"]["labels"].items()
    (endpoint,) = monitor["spec"]["endpoints"]
    assert endpoint["port"] in {port["name"] for port in service["spec"]["ports"]}
    assert endpoint["path"] == "/metrics" and endpoint["path"] in get_routes()


def test_kustomization_applies_every_manifest_but_the_secret_example() -> None:
    resources = yaml.safe_load((MANIFESTS / "kustomization.yaml").read_text())["resources"]
    on_disk = {path.name for path in MANIFESTS.glob("*.yaml")} - {"kustomization.yaml", "secret.example.yaml"}
    assert sorted(resources) == sorted(on_disk)
