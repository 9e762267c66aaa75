"""The wheel that ships holds everything the package reads: a data file present in the source tree but left
out of the package (a package-data glob that does not match) fails here, not in production at start-up."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.deploy.project import REPO, pyproject, tracked


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> zipfile.ZipFile:
    """Built by the script CI's package smoke test uses, from a clean copy of the tracked files."""
    built = subprocess.run(
        ["bash", str(REPO / ".ci" / "build-wheel"), str(tmp_path_factory.mktemp("dist"))],
        env={**os.environ, "PYTHON": sys.executable},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert built.returncode == 0, built.stderr
    return zipfile.ZipFile(Path(built.stdout.strip()))


def test_every_file_git_tracks_under_monitor_is_in_the_wheel(wheel: zipfile.ZipFile) -> None:
    files = tracked("monitor")
    assert any(name.endswith(".sql") for name in files), "expected the store's migrations among the files"
    missing = sorted(set(files) - set(wheel.namelist()))
    assert not missing, f"not in the wheel; add a glob to [tool.setuptools.package-data]: {missing}"


def test_the_wheel_declares_the_console_scripts_of_pyproject(wheel: zipfile.ZipFile) -> None:
    (entry_points,) = [name for name in wheel.namelist() if name.endswith(".dist-info/entry_points.txt")]
    declared = wheel.read(entry_points).decode()
    for script, target in pyproject()["project"]["scripts"].items():
        assert f"{script} = {target}" in declared
