"""What a store URL names, asked of the store package so callers need not know it is a SQLite file."""

from __future__ import annotations

from pathlib import Path

import pytest

from monitor.store import check_store_url, describe_store, open_store, store_exists


async def test_a_store_exists_once_opened_and_is_described_by_its_file(tmp_path: Path) -> None:
    url = f"sqlite://{tmp_path}/state/monitor.db"
    assert not store_exists(url)

    async with open_store(url):
        pass

    assert store_exists(url)
    assert (tmp_path / "state" / "monitor.db").is_file()
    assert describe_store(url) == str(tmp_path / "state" / "monitor.db")


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("/var/lib/state.db", "expected a URL like sqlite:///"),
        ("mysql://db/state", "unsupported state store 'mysql': expected sqlite://<path> or postgresql://"),
        ("sqlite://", "sqlite:// needs a file path"),
    ],
)
def test_a_config_may_name_only_a_store_this_build_has(url: str, problem: str) -> None:
    with pytest.raises(ValueError, match=problem):
        check_store_url(url)
    assert check_store_url("sqlite://state.db") == "sqlite://state.db"
    assert check_store_url("postgresql://om@db:5432/om") == "postgresql://om@db:5432/om"


def test_a_server_store_is_described_without_its_password() -> None:
    assert describe_store("postgresql://om:s3cret@db:5432/om?sslmode=require") == "postgresql://om@db:5432/om"
    assert store_exists("postgres://db/om")  # a server is asked when the store opens
