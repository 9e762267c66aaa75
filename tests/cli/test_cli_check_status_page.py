"""`outage-monitor check` on the status-page notifiers: a good config with its key in a file passes, a
wrong status word is a file:line error."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.cli.cli_process import run_cli

CONFIG = """providers:
  - {name: github, type: statuspage, url: "https://www.githubstatus.com"}
notifiers:
  - name: our-page
    type: TYPE
    page_id: abc123
    api_key_file: KEY_FILE
    components:
      - {id: cmp_ci, providers: [github], min_severity: major, status: STATUS}
    incident: true
routes:
  - {notify: [our-page]}
"""


@pytest.mark.parametrize("type_name", ["atlassian_statuspage", "instatus"])
async def test_check_passes_a_page_notifier_and_names_the_line_of_a_bad_status(
    tmp_path: Path, type_name: str
) -> None:
    key_file = tmp_path / "key"
    key_file.write_text("s3cr3t-p4g3-k3y\n")
    config = CONFIG.replace("TYPE", type_name).replace("KEY_FILE", str(key_file))
    (tmp_path / "good.yaml").write_text(config.replace("STATUS", "degraded_performance"))
    (tmp_path / "bad.yaml").write_text(config.replace("STATUS", "down"))

    good = await run_cli("check", "-c", "good.yaml", cwd=tmp_path)
    assert good.code == 0, good.stderr
    bad = await run_cli("check", "-c", "bad.yaml", cwd=tmp_path)
    assert bad.code == 1
    assert re.search(r"bad\.yaml:\d+: notifiers\[0\].*components.*status", bad.stderr), bad.stderr
    assert "s3cr3t" not in bad.stderr
