"""`outage-monitor check`, `--version` and how the config file is found."""

from __future__ import annotations

import re
from pathlib import Path

from monitor import __version__
from tests.cli.cli_process import REPO, clean_env, run_cli

VALID = """
providers:
  - {name: acme, type: statuspage, url: "https://status.acme.example"}
notifiers:
  - {name: stdout, type: log}
routes:
  - {notify: [stdout]}
"""

INVALID = """settings:
  interval: soon
providers:
  - {name: acme, type: statuspage, url: "https://status.acme.example"}
  - {name: Bad Name, type: statuspage, url: "ftp://nope"}
routes:
  - {notify: [nobody]}
"""


async def test_the_repos_example_config_checks_with_no_environment_set() -> None:
    finished = await run_cli("check", cwd=REPO)  # the default: ./providers.yaml
    assert finished.code == 0, finished.stderr
    assert finished.stdout.strip() == "providers.yaml: OK (8 providers, 1 notifiers, 1 routes)"


async def test_an_invalid_config_exits_1_with_every_error_as_file_line(tmp_path: Path) -> None:
    (tmp_path / "bad.yaml").write_text(INVALID)
    finished = await run_cli("check", "-c", "bad.yaml", cwd=tmp_path)
    assert finished.code == 1
    assert finished.stdout == ""
    lines = finished.stderr.strip().splitlines()
    assert all(re.match(r"bad\.yaml:\d+: ", line) for line in lines), lines
    text = finished.stderr
    assert re.search(r"bad\.yaml:2: settings\.interval: .*soon", text)
    assert re.search(r"bad\.yaml:5: providers\[1\]\.name: ", text)
    assert re.search(r"bad\.yaml:5: providers\[1\]\.url: ", text)
    assert re.search(r"bad\.yaml:7: routes\[0\]\.notify.*nobody", text)


async def test_a_missing_config_exits_1_saying_so(tmp_path: Path) -> None:
    finished = await run_cli("check", "-c", "absent.yaml", cwd=tmp_path)
    assert finished.code == 1
    assert finished.stderr.strip() == "absent.yaml: cannot read the config file: No such file or directory"


async def test_outage_monitor_config_names_the_file_and_dash_c_wins_over_it(tmp_path: Path) -> None:
    (tmp_path / "elsewhere.yaml").write_text(VALID)
    (tmp_path / "bad.yaml").write_text(INVALID)
    env = clean_env(OUTAGE_MONITOR_CONFIG=str(tmp_path / "elsewhere.yaml"))

    finished = await run_cli("check", cwd=tmp_path, env=env)
    assert finished.code == 0, finished.stderr
    assert finished.stdout.startswith(f"{tmp_path / 'elsewhere.yaml'}: OK (1 providers")

    overridden = await run_cli("check", "-c", "bad.yaml", cwd=tmp_path, env=env)
    assert overridden.code == 1 and "bad.yaml:2:" in overridden.stderr


async def test_version(tmp_path: Path) -> None:
    finished = await run_cli("--version", cwd=tmp_path)
    assert finished.code == 0
    assert finished.stdout.strip() == f"outage-monitor {__version__}"


async def test_a_command_is_required(tmp_path: Path) -> None:
    finished = await run_cli(cwd=tmp_path)
    assert finished.code == 2
    assert "usage: outage-monitor" in finished.stderr
