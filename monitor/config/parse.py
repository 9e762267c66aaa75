"""The two ways in, a file or a text: read, expand, validate, and report every problem at once."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from pydantic import ValidationError

from monitor.config.document import Document
from monitor.config.explain import explain, render
from monitor.config.problems import ConfigError, Problem
from monitor.config.reading import MAX_CONFIG_BYTES, NotReadable, read_regular_file
from monitor.config.schema import Config, alerting_problems, reference_problems


def load_config(path: str | Path, env: Mapping[str, str] | None = None) -> Config:
    """Read and validate a config file; `env` defaults to `os.environ`. Raises `ConfigError`."""
    filename = os.fspath(path)
    try:
        text = read_regular_file(Path(path), MAX_CONFIG_BYTES).decode("utf-8")
    except OSError as exc:
        raise ConfigError([f"{filename}: cannot read the config file: {exc.strerror or exc}"]) from None
    except NotReadable as exc:
        raise ConfigError([f"{filename}: cannot read the config file: {exc}"]) from None
    except UnicodeDecodeError:
        raise ConfigError([f"{filename}: the config file is not UTF-8 text"]) from None
    return parse_config(text, filename, env, base_dir=Path(path).absolute().parent)


def parse_config(
    text: str, filename: str, env: Mapping[str, str] | None = None, base_dir: Path | None = None
) -> Config:
    """Validate config text; `filename` prefixes errors, `base_dir` (default cwd) anchors secret files."""
    document = Document(os.environ if env is None else env, Path.cwd() if base_dir is None else base_dir)
    data = document.read(text, filename)
    document.expand_catalog(data)
    document.read_secret_files(data)
    document.collect_inline_secrets(data)
    references = reference_problems(
        _column(data.get("providers"), "name"),
        _column(data.get("notifiers"), "name"),
        _column(data.get("routes"), "notify"),
    )
    problems = document.problems + [Problem(loc, message) for loc, message in references]
    try:
        config = Config.model_validate(data)
    except ValidationError as exc:
        problems += explain(exc, data, covered=document.covered + [loc for loc, _ in references])
    else:
        problems += [Problem(loc, message) for loc, message in alerting_problems(config)]
    if problems:
        raise ConfigError(render(document, problems, filename))
    return config


def _column(items: object, key: str) -> list[object]:
    if not isinstance(items, list):
        return []
    return [item.get(key) if isinstance(item, dict) else None for item in items]
