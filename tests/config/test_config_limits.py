"""Hostile or mistaken files end in a `file:line` error within a second: no hang, no gigabytes, no
traceback (issue 9). Through the real loader, on real files; `tests/cli` does the same through `check`."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from monitor.config import MAX_CONFIG_BYTES, MAX_SECRET_BYTES, ConfigError, load_config
from monitor.config.document import Document

LAUGHS = "settings:\n  a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n" + "".join(
    f"  {name}: &{name} [{', '.join([f'*{prev}'] * 9)}]\n"
    for prev, name in zip("abcdefgh", "bcdefghi", strict=True)
)  # 9^9 = 387 million strings once expanded


@contextmanager
def within_a_second() -> Iterator[None]:
    """A generous bound: these cases used to take from 20 s to forever."""
    started = time.monotonic()
    yield
    assert time.monotonic() - started < 1.0


def load_errors(path: Path) -> list[str]:
    with within_a_second(), pytest.raises(ConfigError) as caught:
        load_config(path, env={})
    return caught.value.errors


def test_a_billion_laughs_is_refused_at_the_alias_that_crosses_the_limit(tmp_path: Path) -> None:
    (tmp_path / "laughs.yaml").write_text(LAUGHS)
    [error] = load_errors(tmp_path / "laughs.yaml")
    assert error == f"{tmp_path / 'laughs.yaml'}:6: YAML aliases would expand to more than 10,000 values"


def test_more_than_a_hundred_aliases_are_refused(tmp_path: Path) -> None:
    items = ", ".join(["*x"] * 101)
    (tmp_path / "aliases.yaml").write_text(f"settings:\n  x: &x 1\n  y: [{items}]\n")
    [error] = load_errors(tmp_path / "aliases.yaml")
    assert error.endswith("aliases.yaml:3: more than 100 YAML aliases")


def test_a_few_aliases_still_work(errors_of: Callable[..., list[str]]) -> None:
    text = "settings: {interval: &i 30s}\nproviders:\n  - {name: a, type: statuspage, url: 'https://a.example', interval: *i}\n  - {name: bb, type: statuspage, url: 'https://b.example', interval: *i, timeout: 45s}\n"  # noqa: E501
    assert errors_of(text) == [
        "providers.yaml:4: providers[1].timeout: must not be longer than the interval (30s)"
    ]


def test_deep_nesting_is_refused(tmp_path: Path) -> None:
    (tmp_path / "deep.yaml").write_text("settings:\n  x: " + "[" * 150 + "]" * 150 + "\n")
    [error] = load_errors(tmp_path / "deep.yaml")
    assert error.endswith("deep.yaml:2: nested more than 100 levels deep")


def test_block_nesting_as_deep_as_the_size_cap_allows_is_refused_at_its_line(tmp_path: Path) -> None:
    (tmp_path / "deep.yaml").write_text("settings:\n  x:\n    " + "- " * 200_000 + "x\n")
    [error] = load_errors(tmp_path / "deep.yaml")
    assert error.endswith("deep.yaml:3: nested more than 100 levels deep")


def _aliases(count: int, anchored_items: int) -> str:
    """`count` aliases of a list of `anchored_items` scalars: each expands to that many values plus one."""
    return f"x: &x [{', '.join(['a'] * anchored_items)}]\ny: [{', '.join(['*x'] * count)}]\n"


@pytest.mark.parametrize(
    ("text", "refused"),
    [
        ("a: " + "[" * 98 + "x" + "]" * 98, None),  # the root, 98 lists and a scalar: 100 levels
        ("a: " + "[" * 99 + "x" + "]" * 99, "1: nested more than 100 levels deep"),
        ("a: " + "[" * 99 + "]" * 99, None),  # an empty list is a level, not a level and its items
        (_aliases(100, 0), None),
        (_aliases(101, 0), "2: more than 100 YAML aliases"),
        (_aliases(100, 99), None),  # 100 aliases of 100 values each
        (_aliases(100, 100), "2: YAML aliases would expand to more than 10,000 values"),
        ("x: &x a\n? [" + ", ".join(["*x"] * 101) + "]\n: 1", "2: more than 100 YAML aliases"),  # in a key
    ],
)
def test_each_limit_is_reached_before_it_refuses(text: str, refused: str | None) -> None:
    if refused is None:
        Document({}, Path()).read(text, "p.yaml")
    else:
        with pytest.raises(ConfigError) as caught:
            Document({}, Path()).read(text, "p.yaml")
        assert caught.value.errors == [f"p.yaml:{refused}"]


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("settings:\n  x: *nowhere\n", "providers.yaml:2: invalid YAML: found undefined alias 'nowhere'"),
        (
            "settings:\n  x: &a 1\n  y: &a 2\n",
            "providers.yaml:3: invalid YAML: found duplicate anchor 'a'; first occurrence: second occurrence",
        ),
        (
            "settings: {}\n---\nsettings: *a\n",
            "providers.yaml:2: invalid YAML: expected a single document in the stream: "
            "but found another document",
        ),
    ],
)
def test_a_misused_anchor_or_a_second_document_is_named_at_its_line(
    errors_of: Callable[..., list[str]], text: str, error: str
) -> None:
    assert errors_of(text) == [error]


def test_an_alias_inside_its_own_anchor_is_an_error_not_a_loop(
    errors_of: Callable[..., list[str]],
) -> None:
    errors = errors_of("settings:\n  loop: &loop\n    again: *loop\n")
    assert "providers.yaml:2: settings.loop.again: a YAML alias refers to itself" in errors


def _read(text: str) -> tuple[object, list[tuple[str, str, int | None]]]:
    """The plain data of a document and its problems, as (path, message, line)."""
    document = Document({}, Path())
    data = document.read(text, "p.yaml")
    return data, [(".".join(map(str, p.loc)), p.message, p.line) for p in document.problems]


@pytest.mark.parametrize(
    ("text", "data", "problem"),
    [
        # a node met again inside itself, though the alias names its anchored parent
        ("a: &x [&y [*x]]\nb: *y\n", {"a": [[None]], "b": [[None]]}, ("b.0.0", 1)),
        # an alias to the anchored root expands it once more before it refers to itself
        (
            "&root\nsettings:\n  loop: *root\n",
            {"settings": {"loop": {"settings": None}}},
            ("settings.loop.settings", 3),
        ),
    ],
)
def test_an_alias_expands_to_the_node_it_names_until_that_node_would_contain_itself(
    text: str, data: object, problem: tuple[str, int]
) -> None:
    read, problems = _read(text)
    assert read == data
    assert (problem[0], "a YAML alias refers to itself", problem[1]) in problems


def test_an_aliased_scalar_its_tag_does_not_fit_is_reported_at_each_alias() -> None:
    data, problems = _read("a: &t !!int 0x\nb: [*t]\n")
    assert data == {"a": None, "b": [None]}
    assert problems == [
        ("a", "unreadable value: invalid literal for int() with base 16: ''", 1),
        ("b.0", "found unconstructable recursive node", 1),  # PyYAML's word for a node it failed on before
    ]


def test_a_plain_scalar_resolves_by_its_value_and_a_quoted_one_is_a_string() -> None:
    data, _ = _read("a: 1\nb: '1'\nc: 1\ne: x\nf: x\ng: <<\n<<: 2\n")
    assert data == {"a": 1, "b": "1", "c": 1, "e": "x", "f": "x", "g": None}


def test_a_key_that_is_not_a_string_is_passed_over_with_its_value_aliases_and_all() -> None:
    data, problems = _read("x: &x [a]\n? *x\n: *x\n? [*x, {b: *x}]\n: 2\ny: *x\n")
    assert data == {"x": ["a"], "y": ["a"]}
    assert problems == [("?", "every key must be a plain string (quote it)", line) for line in (1, 4)]


def test_a_5000_digit_integer_is_a_number_too_long(tmp_path: Path) -> None:
    (tmp_path / "digits.yaml").write_text("settings:\n  max_concurrent_fetches: " + "9" * 5000 + "\n")
    [error] = load_errors(tmp_path / "digits.yaml")
    assert error.endswith("digits.yaml:2: settings.max_concurrent_fetches: number too long")


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("!!float", "unreadable value: '' is not a valid float"),
        ("!!int", "unreadable value: '' is not a valid int"),
        ("!!bool", "unreadable value: '' is not a valid bool"),
        ("!!timestamp", "unreadable value: '' is not a valid timestamp"),
        ("!!int 0x", "unreadable value: invalid literal for int() with base 16: ''"),
        ("!!timestamp 2024-13-01", "unreadable value: month must be in 1..12"),
    ],
)
def test_a_value_its_tag_does_not_fit_is_an_error_at_its_line(
    errors_of: Callable[..., list[str]], value: str, problem: str
) -> None:
    assert errors_of(f"settings:\n  timeout: {value} \n") == [
        f"providers.yaml:2: settings.timeout: {problem}"
    ]


@pytest.mark.parametrize("kind", ["fifo", "/dev/zero", "directory"])
def test_the_config_must_be_a_regular_file(tmp_path: Path, kind: str) -> None:
    path = {"fifo": tmp_path / "fifo", "/dev/zero": Path("/dev/zero"), "directory": tmp_path}[kind]
    if kind == "fifo":
        os.mkfifo(path)
    assert load_errors(path) == [f"{path}: cannot read the config file: not a regular file"]


def test_a_config_over_the_size_cap_is_refused_unread(tmp_path: Path) -> None:
    path = tmp_path / "big.yaml"
    path.write_text("#" * (MAX_CONFIG_BYTES + 1))
    assert load_errors(path) == [f"{path}: cannot read the config file: larger than 1024 KiB"]


def test_secret_files_must_be_small_regular_files(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "fifo")
    (tmp_path / "big").write_text("k" * (MAX_SECRET_BYTES + 1))
    (tmp_path / "ok").write_text("k" * (MAX_SECRET_BYTES - 1) + "\n")  # at the cap: fine
    (tmp_path / "secrets.yaml").write_text(
        "notifiers:\n"
        "  - {name: a, type: slack, webhook_url_file: /dev/zero}\n"
        "  - {name: b, type: slack, webhook_url_file: fifo}\n"
        "  - {name: c, type: slack, webhook_url_file: big}\n"
        "  - {name: d, type: webhook, url: 'https://hooks.example', secret_file: ok}\n"
    )
    errors = load_errors(tmp_path / "secrets.yaml")
    assert [e.split(": ", 1)[0].rsplit(":", 1)[1] for e in errors] == ["2", "3", "4"]
    assert errors[0].endswith(
        "notifiers[0].webhook_url_file: cannot read secret file /dev/zero: not a regular file"
    )
    assert errors[1].endswith(
        f"notifiers[1].webhook_url_file: cannot read secret file {tmp_path / 'fifo'}: not a regular file"
    )
    assert errors[2].endswith(
        f"notifiers[2].webhook_url_file: cannot read secret file {tmp_path / 'big'}: larger than 64 KiB"
    )


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("nan", "invalid duration 'nan'"),
        (".nan", "invalid duration nan"),
        ("inf", "must be at most 1d, got 'inf'"),
        ("-.inf", "duration must be positive"),
        ("1.0e+300", "must be at most 1d, got 1e+300"),
        ("'1e300'", "must be at most 1d, got '1e300'"),
        ("9" * 400, "must be at most 1d"),
        ("1ms", "must be at least 1s, got '1ms'"),
        ("0.5", "must be at least 1s, got 0.5"),
        ("2d", "must be at most 1d, got '2d'"),
    ],
)
def test_an_interval_is_finite_and_between_a_second_and_a_day(
    errors_of: Callable[..., list[str]], value: str, message: str
) -> None:
    [error] = errors_of(f"settings:\n  interval: {value}\n  timeout: 1s\n")
    assert error.startswith(f"providers.yaml:2: settings.interval: {message}"), error


@pytest.mark.parametrize(
    ("setting", "message"),
    [
        ("timeout: nan", "settings.timeout: invalid duration 'nan'"),
        ("timeout: 1ms", "settings.timeout: must be at least 100ms"),
        ("timeout: 2m", "settings.timeout: must not be longer than interval (1m)"),
        ("retry_initial_delay: .inf", "settings.retry_initial_delay: must be at most 1h"),
        ("retry_max_delay: 1e300", "settings.retry_max_delay: must be at most 1d"),
        ("notification_max_age: 1ms", "settings.notification_max_age: must be at least 1m"),
        ("jitter: nan", "settings.jitter: invalid duration 'nan'"),
        ("jitter: 1e300", "settings.jitter: must be at most 1d"),
    ],
)
def test_every_duration_setting_is_finite_and_bounded(
    errors_of: Callable[..., list[str]], setting: str, message: str
) -> None:
    [error] = errors_of(f"settings:\n  interval: 1m\n  {setting}\n")
    assert error.startswith(f"providers.yaml:3: {message}"), error


def test_provider_and_notifier_durations_are_bounded_and_a_timeout_fits_its_interval(
    errors_of: Callable[..., list[str]],
) -> None:
    text = """settings: {interval: 1m, timeout: 20s}
providers:
  - {name: a, type: statuspage, url: "https://a.example", interval: 10s}
  - {name: b, type: statuspage, url: "https://b.example", interval: 30s, timeout: 40s}
  - {name: c, type: statuspage, url: "https://c.example", timeout: 2m}
  - {name: d, type: statuspage, url: "https://d.example", interval: 1ms}
  - {name: e, type: statuspage, url: "https://e.example", interval: 30s, timeout: 30s}
notifiers:
  - {name: s, type: slack, webhook_url: "https://hooks.example", timeout: .nan}
"""
    assert errors_of(text) == [
        "providers.yaml:6: providers[3].interval: must be at least 1s, got '1ms'",
        "providers.yaml:9: notifiers[0].timeout: invalid duration nan: "
        "expected a duration like 30s, 5m, 1h or a number of seconds",
    ]
    valid_durations = text.replace("interval: 1ms", "interval: 1m").replace("timeout: .nan", "timeout: 5s")
    assert errors_of(valid_durations) == [
        "providers.yaml:3: providers[0].interval: must not be shorter than settings.timeout (20s)",
        "providers.yaml:4: providers[1].timeout: must not be longer than the interval (30s)",
        "providers.yaml:5: providers[2].timeout: must not be longer than the interval (1m)",
    ]
