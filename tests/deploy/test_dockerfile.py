"""The Dockerfile agrees with the project: what it copies exists and is not .dockerignored, its entry point,
command and health check are the real console script, CLI and route, and it runs as a non-root user with its
state only under the volume (so a read-only root filesystem works)."""

from __future__ import annotations

from pathlib import PurePosixPath

from docker.utils.build import PatternMatcher

from monitor.config import load_config
from monitor.store import store_path
from tests.deploy.image import read_image
from tests.deploy.project import DEFAULT_PORT, REPO, get_routes, parse_cli, pyproject, tracked


def dockerignore() -> PatternMatcher:
    """.dockerignore with the rules docker's build applies (root-anchored globs, **, ! exceptions),
    read as docker-py reads it."""
    lines = [line.strip() for line in (REPO / ".dockerignore").read_text().splitlines()]
    return PatternMatcher([line for line in lines if line and not line.startswith("#")])


def test_every_path_copied_from_the_build_context_exists_and_is_not_dockerignored() -> None:
    image, ignored = read_image(), dockerignore()
    copies = image.context_copies()
    assert copies
    for copy in copies:
        for source in copy.value[:-1]:
            assert (REPO / source).exists(), f"Dockerfile:{copy.line}: {source} does not exist"
            files = tracked(source)
            assert files, f"Dockerfile:{copy.line}: git tracks nothing under {source}"
            # types-docker says PathLike, but matches() calls str methods on it
            excluded = [name for name in files if ignored.matches(name)]  # type: ignore[arg-type]
            assert not excluded, f"Dockerfile:{copy.line}: .dockerignore leaves out {excluded}"


def test_the_build_stage_copies_what_the_wheel_is_built_from_and_the_runtime_only_the_wheel() -> None:
    image = read_image()
    assert len(image.stages) >= 2
    built_from = {
        source.rstrip("/") for copy in image.context_copies(image.build) for source in copy.value[:-1]
    }
    packages = {name.rstrip("*") for name in pyproject()["tool"]["setuptools"]["packages"]["find"]["include"]}
    assert {"pyproject.toml", pyproject()["project"]["readme"], *packages} <= built_from
    runtime_sources = {source for copy in image.context_copies(image.runtime) for source in copy.value[:-1]}
    assert runtime_sources == {"providers.yaml"}, "the runtime must run the installed wheel, not the source"
    (wheels,) = [i for i in image.runtime if i.cmd == "COPY" and i.flag("from") is not None]
    assert wheels.flag("from") == image.build[0].value[-1]  # FROM ... AS <name>


def test_entrypoint_is_the_console_script_in_exec_form() -> None:
    entrypoint = read_image().last("ENTRYPOINT")
    assert entrypoint.exec_form, "exec form, so the daemon is PID 1 and receives SIGTERM itself"
    (script,) = entrypoint.value
    assert pyproject()["project"]["scripts"][script] == "monitor.cli:main"


def test_cmd_runs_the_daemon_on_the_example_config_copied_into_the_image() -> None:
    image = read_image()
    cmd = image.last("CMD")
    assert cmd.exec_form
    args = parse_cli(list(cmd.value))
    assert args.command == "run"
    assert str(image.config_path) == image.env["OUTAGE_MONITOR_CONFIG"]
    example = [c.value for c in image.context_copies(image.runtime) if c.value[-1] == str(image.config_path)]
    assert example == [("providers.yaml", args.config)]
    assert load_config(REPO / "providers.yaml").settings.listen_port == DEFAULT_PORT


def test_healthcheck_asks_a_route_the_web_app_serves_on_the_exposed_port() -> None:
    image = read_image()
    assert image.last("HEALTHCHECK").exec_form
    url = image.healthcheck_url
    assert url.path == "/healthz" and url.path in get_routes()
    assert url.hostname == "127.0.0.1" and url.port == DEFAULT_PORT
    assert image.last("EXPOSE").value == (str(DEFAULT_PORT),)


def test_runs_as_the_unprivileged_user_that_owns_the_volume() -> None:
    image = read_image()
    uid, gid = image.user
    assert uid != 0 and gid != 0
    (creates_user,) = [i.value[0] for i in image.runtime if i.cmd == "RUN" and "useradd" in i.value[0]]
    assert f"--uid {uid} " in creates_user
    assert f"groupadd --system --gid {gid} outage-monitor" in creates_user, "gid as in USER"
    assert f"--gid {gid} " in creates_user and "--user-group" not in creates_user
    assert f"chown outage-monitor:outage-monitor {image.volume}" in creates_user


def test_state_and_temporary_files_live_only_under_the_volume() -> None:
    image = read_image()
    assert image.volume == PurePosixPath("/var/lib/outage-monitor")
    state = image.workdir / store_path(load_config(REPO / "providers.yaml").settings.state).as_posix()
    assert image.volume in state.parents, f"the example config's state {state} is outside the volume"
    assert image.env["PYTHONDONTWRITEBYTECODE"] == "1", "no __pycache__ written on a read-only root"
    assert PurePosixPath(image.env["TMPDIR"]) == image.volume
