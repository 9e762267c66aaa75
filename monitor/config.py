"""The `providers.yaml` schema: read it, expand it, validate it, and say exactly where a mistake is.

Every error names the file, the line and the field (`providers.yaml:14: providers[2].interval: ...`)
and all of them are reported at once, so one edit fixes a whole file. Provider and notifier entries
are validated by their plugin's own `Config` model, assembled from `SOURCES` and `NOTIFIERS` into
discriminated unions on `type`, so adding a plugin never touches this module.

Rules callers rely on:
- `${VAR}` and `${VAR:-default}` expand in every string value (the default also replaces an empty
  VAR, as in the shell); `$$` is a literal `$`. Values of variables never appear in error text.
- `<key>_file: path` in a provider or notifier entry reads `<key>` from that file (trailing newline
  stripped; a relative path is resolved against the config file's directory), for secrets mounted
  as files. Giving both `<key>` and `<key>_file` is an error.
- `failure_threshold` is resolved at load time: a provider that does not set its own inherits
  `settings.failure_threshold`.
- interval, timeout and jitter are resolved on demand: a provider's `interval`/`timeout` stay None
  when unset and `Config.effective_interval/effective_timeout/effective_jitter` give the value to use.
- `settings.jitter` bounds the random offset of each poll: null (the default) means 10% of the
  provider's effective interval, `0` disables it.
"""

from __future__ import annotations

import difflib
import operator
import os
import re
import stat
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from functools import partial, reduce
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal, TypeAlias, get_args

import yaml
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    SecretStr,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import ErrorDetails, PydanticCustomError
from yaml.composer import Composer
from yaml.constructor import ConstructorError, SafeConstructor
from yaml.events import AliasEvent
from yaml.parser import Parser
from yaml.reader import Reader
from yaml.resolver import Resolver
from yaml.scanner import Scanner

from monitor.alerting.dependencies import check_dependencies
from monitor.alerting.grouping import EVERY_ALERT, RouteSpec, Timing
from monitor.alerting.intervals import TimeInterval
from monitor.catalog import CatalogEntry
from monitor.catalog import by_name as catalog_entries
from monitor.durations import DAY, HOUR, MINUTE, Interval, Timeout, bounded, parse_duration, show
from monitor.logging import LogFormat
from monitor.model import EventKind, Severity
from monitor.notify import NOTIFIERS, NotifierConfig
from monitor.sources import SOURCES, SourceConfig

Loc: TypeAlias = tuple[str | int, ...]
LogLevel = Literal["debug", "info", "warning", "error"]

DEFAULT_STATE = "sqlite://outage-monitor.db"
_SQLITE = "sqlite://"
_REFERENCES_ERROR = "config_references"  # pydantic error type of Config's cross-entry checks
_TIMING_ERROR = "config_timing"  # a provider's timeout longer than its interval; ctx["problems"] says where
_SECRET_FILE_SUFFIX = "_file"
_CATALOG_KEY = "catalog"  # a provider entry naming a built-in catalog entry instead of type and url
# Limits that keep a hostile or mistaken file from hanging `check` or eating memory.
MAX_CONFIG_BYTES = 1024 * 1024
MAX_SECRET_BYTES = 64 * 1024
_MAX_ALIASES = 100  # YAML aliases used in one file
_MAX_ALIASED_NODES = 10_000  # nodes the aliases would add once expanded ("billion laughs")
_MAX_DEPTH = 100  # nesting of mappings and sequences
_MIN_BARE_REDACTION = 6  # shorter secrets are only redacted where quoted, so messages stay readable


class ConfigError(Exception):
    """The configuration is unusable; `errors` holds one `file:line: field: message` per problem."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__("\n".join(errors))
        self.errors = list(errors)


class _Refused(Exception):
    """A document past one of the limits above, at `line` (an alias: the alias's own line)."""

    def __init__(self, line: int, problem: str) -> None:
        super().__init__(problem)
        self.line, self.problem = line, problem


class _LimitedComposer(Composer):
    """PyYAML's composer, counting what aliases would expand to so a billion laughs is refused while
    composing, before anything is expanded (the composed graph shares aliased nodes; `_Document`
    walks it as a tree)."""

    peek_event: Callable[[], yaml.Event]  # from the parser it is mixed with
    check_event: Callable[..., bool]

    def __init__(self) -> None:
        super().__init__()
        self._nodes = 0  # nodes of the document with every alias expanded, so far
        self._aliased = 0  # of which added by aliases
        self._aliases = 0
        self._depth = 0
        self._sizes: dict[int, int] = {}  # id(node) -> its expanded size

    def compose_node(self, parent: yaml.Node | None, index: int) -> yaml.Node | None:
        mark = self.peek_event().start_mark
        line = mark.line + 1 if mark else 1
        if self.check_event(AliasEvent):
            node = super().compose_node(parent, index)
            size = self._sizes.get(id(node), 1)  # absent: an alias inside its own anchor
            self._aliases += 1
            self._aliased += size
            self._nodes += size
            if self._aliases > _MAX_ALIASES:
                raise _Refused(line, f"more than {_MAX_ALIASES} YAML aliases")
            if self._aliased > _MAX_ALIASED_NODES:
                raise _Refused(line, f"YAML aliases would expand to more than {_MAX_ALIASED_NODES:,} values")
            return node
        if self._depth >= _MAX_DEPTH:
            raise _Refused(line, f"nested more than {_MAX_DEPTH} levels deep")
        start = self._nodes
        self._nodes += 1
        self._depth += 1
        node = super().compose_node(parent, index)
        self._depth -= 1
        self._sizes[id(node)] = self._nodes - start
        return node


if yaml.__with_libyaml__:  # libyaml's parser when PyYAML was built with it: ~5x faster on big files
    from yaml._yaml import CParser

    class _Loader(_LimitedComposer, CParser, Resolver):
        def __init__(self, stream: str) -> None:
            CParser.__init__(self, stream)
            _LimitedComposer.__init__(self)
            Resolver.__init__(self)

else:  # pragma: no cover - PyYAML without libyaml

    class _Loader(Reader, Scanner, Parser, _LimitedComposer, Resolver):  # type: ignore[no-redef]
        def __init__(self, stream: str) -> None:
            Reader.__init__(self, stream)
            Scanner.__init__(self)
            Parser.__init__(self)
            _LimitedComposer.__init__(self)
            Resolver.__init__(self)


def _discriminated(models: Iterable[type[BaseModel]]) -> Any:
    """A union of plugin config models, told apart by their `type: Literal[...]` field."""
    return Annotated[reduce(operator.or_, models), Field(discriminator="type")]


if TYPE_CHECKING:
    AnySourceConfig: TypeAlias = SourceConfig
    AnyNotifierConfig: TypeAlias = NotifierConfig
else:
    AnySourceConfig = _discriminated(source.Config for source in SOURCES.values())
    AnyNotifierConfig = _discriminated(notifier.Config for notifier in NOTIFIERS.values())


def _split_listen(value: str) -> tuple[str, int]:
    host, sep, port = value.rpartition(":")
    if not sep or not host or not (port.isascii() and port.isdigit()):
        raise ValueError("expected host:port, e.g. 0.0.0.0:9110 or [::]:9110")
    if host.startswith("["):
        if not host.endswith("]") or len(host) < 3:
            raise ValueError("expected host:port, e.g. 0.0.0.0:9110 or [::]:9110")
        host = host[1:-1]
    elif ":" in host:
        raise ValueError("write an IPv6 address in brackets, e.g. [::1]:9110")
    number = int(port)
    if number > 65535:
        raise ValueError(f"port {number} is out of range 0-65535")
    return host, number


_ZERO_DURATION = re.compile(r"0+(?:\.0+)?(?:ms|s|m|h|d)?", re.IGNORECASE)


def _zero_or_duration(value: object, maximum: float = DAY) -> object:
    """A duration, or zero to turn the thing off (jitter, group_wait, repeat_interval): a plain duration
    must be positive."""
    if value is None or isinstance(value, bool):
        return value
    try:
        return parse_duration(value, maximum=maximum)
    except ValueError:
        if isinstance(value, int | float | str) and _ZERO_DURATION.fullmatch(str(value).strip()):
            return 0.0
        raise


def _severity(value: object) -> object:
    if not isinstance(value, str):
        return value
    try:
        return Severity.parse(value.strip())
    except KeyError:
        raise ValueError(f"unknown severity {value!r}; expected info, minor, major or critical") from None


class Settings(BaseModel):
    """Process-wide settings; every key has a default so the whole `settings:` block is optional."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    state: str = DEFAULT_STATE  # sqlite://<path>: sqlite:///var/x.db is /var/x.db, sqlite://x.db is ./x.db
    listen: str = "0.0.0.0:9110"
    interval: Interval = 60.0
    timeout: Timeout = 10.0  # at most the interval
    log_format: LogFormat = "auto"
    log_level: LogLevel = "info"
    jitter: Annotated[float | None, BeforeValidator(_zero_or_duration)] = None
    max_concurrent_fetches: int = Field(default=50, ge=1)
    failure_threshold: int = Field(default=3, ge=1, le=1000)  # a provider entry may set its own
    # an undelivered notification older than this is dead-lettered
    notification_max_age: Annotated[float, bounded(MINUTE, 365 * DAY)] = 86400.0
    retry_initial_delay: Annotated[float, bounded(0.1, HOUR)] = 2.0  # backoff doubles from here...
    retry_max_delay: Annotated[float, bounded(0.1, DAY)] = 600.0  # ...up to this
    max_connections: int = Field(default=256, ge=8, le=65536)  # HTTP connections; over it the oldest closes
    header_timeout: Annotated[float, bounded(0.1, 300)] = 10.0  # to send a connection's first request head
    keepalive_timeout: Annotated[float, bounded(0.1, HOUR)] = 30.0  # an idle connection is closed after this
    # Bearer token for the HTTP endpoints that change anything (silences); without one they answer 403.
    api_token: SecretStr | None = Field(default=None, min_length=16)
    api_token_file: str | None = None

    @model_validator(mode="after")
    def _token_from_file(self) -> Settings:
        if self.api_token_file is None:
            return self
        if self.api_token is not None:
            raise ValueError("give either api_token or api_token_file, not both")
        path = Path(self.api_token_file).expanduser()
        try:
            token = _read_regular_file(path, MAX_SECRET_BYTES).decode("utf-8").strip()
        except _NotReadable as exc:
            raise ValueError(f"cannot read api_token_file {path}: {exc}") from None
        except (OSError, UnicodeDecodeError) as exc:
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else exc
            raise ValueError(f"cannot read api_token_file {path}: {reason}") from None
        if len(token) < 16:
            raise ValueError("the api token must be at least 16 characters")
        return self.model_copy(update={"api_token": SecretStr(token), "api_token_file": None})

    @field_validator("state")
    @classmethod
    def _sqlite_only(cls, value: str) -> str:
        scheme, sep, path = value.partition("://")
        if not sep:
            raise ValueError("expected a URL like sqlite:///var/lib/outage-monitor/state.db")
        if scheme in ("postgresql", "postgres"):
            return value  # libpq parses the rest when the store opens
        if scheme != "sqlite":
            raise ValueError(
                f"unsupported state store {scheme!r}: expected sqlite://<path> or postgresql://user@host/db"
            )
        if not path:
            raise ValueError("sqlite:// needs a file path, e.g. sqlite:///var/lib/outage-monitor/state.db")
        return value

    @field_validator("listen")
    @classmethod
    def _host_port(cls, value: str) -> str:
        _split_listen(value)
        return value

    @field_validator("timeout")
    @classmethod
    def _not_above_interval(cls, value: float, info: ValidationInfo) -> float:
        interval = info.data.get("interval")
        if isinstance(interval, float) and value > interval:
            raise ValueError(f"must not be longer than interval ({show(interval)})")
        return value

    @field_validator("retry_max_delay")
    @classmethod
    def _not_below_initial(cls, value: float, info: ValidationInfo) -> float:
        initial = info.data.get("retry_initial_delay")
        if isinstance(initial, float) and value < initial:
            raise ValueError(f"must not be shorter than retry_initial_delay ({initial:g}s)")
        return value

    @property
    def state_path(self) -> Path:
        return Path(self.state.removeprefix(_SQLITE))

    @property
    def listen_host(self) -> str:
        return _split_listen(self.listen)[0]

    @property
    def listen_port(self) -> int:
        return _split_listen(self.listen)[1]

    # High availability (issue 12, README "High availability"): replicas share a postgresql:// state; its
    # password from the URL, PGPASSWORD or this file; the leader's lease lasts this long unrenewed.
    state_password_file: str | None = None
    leader_lease: Annotated[float, bounded(3.0, HOUR)] = 15.0

    @property
    def state_is_file(self) -> bool:
        return self.state.startswith(_SQLITE)

    def state_password(self) -> str | None:
        """The password in `state_password_file`, read when the store opens (a rotated one is picked up)."""
        if self.state_password_file is None:
            return None
        path = Path(self.state_password_file).expanduser()
        try:
            return _read_regular_file(path, MAX_SECRET_BYTES).decode("utf-8").strip()
        except _NotReadable as exc:
            raise OSError(f"cannot read state_password_file {path}: {exc}") from None


GROUP_LABELS = ("provider", "kind", "component", "severity")


class RouteConfig(BaseModel):
    """Which notifiers hear which alerts, grouped how and when. Every matching route fires; no filter means
    all alerts. Alerts are grouped by `group_by` labels (Alertmanager's semantics; see monitor/alerting)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    notify: list[str] = Field(min_length=1)
    providers: list[str] | None = Field(default=None, min_length=1)  # fnmatch globs on provider names
    min_severity: Annotated[Severity, BeforeValidator(_severity)] | None = None
    kinds: list[EventKind] | None = Field(default=None, min_length=1)
    group_by: list[str] = Field(default_factory=lambda: ["provider"])
    group_wait: Annotated[float, BeforeValidator(_zero_or_duration)] = 0.0
    group_interval: Annotated[float, bounded(1.0, DAY)] = 300.0
    # 0: never re-send an unchanged group
    repeat_interval: Annotated[float, BeforeValidator(partial(_zero_or_duration, maximum=365 * DAY))] = 0.0
    mute_time_intervals: list[str] = Field(default_factory=list)
    active_time_intervals: list[str] = Field(default_factory=list)

    @field_validator("group_by")
    @classmethod
    def _known_labels(cls, value: list[str]) -> list[str]:
        if EVERY_ALERT in value:
            if value != [EVERY_ALERT]:
                raise ValueError(f"{EVERY_ALERT!r} (every alert its own group) stands alone")
            return value
        for label in value:
            if label not in GROUP_LABELS:
                raise ValueError(_unknown(label, "label", GROUP_LABELS, "labels"))
        if len(set(value)) != len(value):
            raise ValueError("a label is listed twice")
        return value

    def spec(self, index: int) -> RouteSpec:
        """What the alerting stage needs of this route, the `index`-th in the config."""
        return RouteSpec(
            index=index,
            notify=tuple(self.notify),
            providers=None if self.providers is None else tuple(self.providers),
            min_severity=self.min_severity,
            kinds=None if self.kinds is None else frozenset(self.kinds),
            group_by=tuple(self.group_by),
            timing=Timing(
                group_wait=timedelta(seconds=self.group_wait),
                group_interval=timedelta(seconds=self.group_interval),
                repeat_interval=timedelta(seconds=self.repeat_interval),
            ),
            mute_intervals=tuple(self.mute_time_intervals),
            active_intervals=tuple(self.active_time_intervals),
        )


class Config(BaseModel):
    """The whole file. Provider and notifier names are unique; routes name configured notifiers."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    settings: Settings = Field(default_factory=Settings)
    providers: list[AnySourceConfig] = Field(default_factory=list)
    notifiers: list[AnyNotifierConfig] = Field(default_factory=list)
    routes: list[RouteConfig] = Field(default_factory=list)
    time_intervals: list[TimeInterval] = Field(default_factory=list)

    @field_validator("settings", mode="before")
    @classmethod
    def _empty_settings(cls, value: object) -> object:
        return {} if value is None else value

    @field_validator("providers", "notifiers", "routes", "time_intervals", mode="before")
    @classmethod
    def _empty_list(cls, value: object) -> object:
        return [] if value is None else value

    @field_validator("providers")
    @classmethod
    def _inherit_failure_threshold(
        cls, providers: list[SourceConfig], info: ValidationInfo
    ) -> list[SourceConfig]:
        settings = info.data.get("settings")
        if not isinstance(settings, Settings):
            return providers
        return [
            p
            if "failure_threshold" in p.model_fields_set
            else p.model_copy(update={"failure_threshold": settings.failure_threshold})
            for p in providers
        ]

    @model_validator(mode="after")
    def _references(self) -> Config:
        problems = _reference_problems(
            [p.name for p in self.providers],
            [n.name for n in self.notifiers],
            [r.notify for r in self.routes],
        )
        if problems:
            detail = "; ".join(f"{_field_path(loc, {})}: {message}" for loc, message in problems)
            raise PydanticCustomError(_REFERENCES_ERROR, "{detail}", {"detail": detail})
        return self

    @model_validator(mode="after")
    def _timeouts_within_intervals(self) -> Config:
        """A poll must end before the next is due; checked here as either value may come from settings."""
        problems: list[tuple[Loc, str]] = []
        for index, provider in enumerate(self.providers):
            interval, timeout = self.effective_interval(provider), self.effective_timeout(provider)
            if timeout <= interval:
                continue
            if provider.timeout is not None:
                where, message = "timeout", f"must not be longer than the interval ({show(interval)})"
            else:
                where, message = "interval", f"must not be shorter than settings.timeout ({show(timeout)})"
            problems.append((("providers", index, where), message))
        if problems:
            detail = "; ".join(f"{_field_path(loc, {})}: {message}" for loc, message in problems)
            raise PydanticCustomError(_TIMING_ERROR, "{detail}", {"detail": detail, "problems": problems})
        return self

    def effective_interval(self, provider: SourceConfig) -> float:
        return self.settings.interval if provider.interval is None else provider.interval

    def effective_timeout(self, provider: SourceConfig) -> float:
        return self.settings.timeout if provider.timeout is None else provider.timeout

    def effective_jitter(self, provider: SourceConfig) -> float:
        if self.settings.jitter is None:
            return 0.1 * self.effective_interval(provider)
        return self.settings.jitter


def _alerting_problems(config: Config) -> list[tuple[Loc, str]]:
    """Routes name configured time intervals (each named once); depends_on names known providers, no cycle."""
    problems: list[tuple[Loc, str]] = []
    names = [interval.name for interval in config.time_intervals]
    for index, name in enumerate(names):
        if name in names[:index]:
            problems.append((("time_intervals", index, "name"), f"duplicate time interval {name!r}"))
    for route_index, route in enumerate(config.routes):
        for key, listed in (
            ("mute_time_intervals", route.mute_time_intervals),
            ("active_time_intervals", route.active_time_intervals),
        ):
            for index, name in enumerate(listed):
                if name not in names:
                    message = (
                        _unknown(name, "time interval", names, "time intervals")
                        if names
                        else (f"unknown time interval {name!r}; no time_intervals are configured")
                    )
                    problems.append((("routes", route_index, key, index), message))
    depends_on = {p.name: p.depends_on for p in config.providers if p.depends_on}
    index_of = {p.name: i for i, p in enumerate(config.providers)}
    for message in check_dependencies(depends_on, index_of):
        provider = message.partition(":")[0]
        problems.append((("providers", index_of.get(provider, 0), "depends_on"), message.partition(": ")[2]))
    return problems


def _reference_problems(
    providers: Sequence[object], notifiers: Sequence[object], routes: Sequence[object]
) -> list[tuple[Loc, str]]:
    """Duplicate names and routes to unknown notifiers, given names and `notify` lists (raw or validated)."""
    problems: list[tuple[Loc, str]] = []
    for section, names in (("providers", providers), ("notifiers", notifiers)):
        first: dict[str, int] = {}
        for index, name in enumerate(names):
            if not isinstance(name, str):
                continue
            if name in first:
                problems.append(
                    ((section, index, "name"), f"duplicate name {name!r} (first at {section}[{first[name]}])")
                )
            else:
                first[name] = index
    known = [name for name in notifiers if isinstance(name, str)]
    for route_index, notify in enumerate(routes):
        if not isinstance(notify, list):
            continue
        for index, name in enumerate(notify):
            if isinstance(name, str) and name not in known:
                message = (
                    _unknown(name, "notifier", known, "configured notifiers")
                    if known
                    else f"unknown notifier {name!r}; no notifiers are configured"
                )
                problems.append((("routes", route_index, "notify", index), message))
    return problems


def _unknown(name: str, what: str, choices: Sequence[str], label: str | None) -> str:
    """`unknown key 'intervall'; did you mean 'interval'? allowed: ...`; no list without a label."""
    message = f"unknown {what} {name!r}"
    close = difflib.get_close_matches(name, choices, n=1)
    if close:
        message += f"; did you mean {close[0]!r}?"
    if label is None or not choices:
        return message
    return f"{message}{';' if not close else ''} {label}: {', '.join(choices)}"


def load_config(path: str | Path, env: Mapping[str, str] | None = None) -> Config:
    """Read and validate a config file; `env` defaults to `os.environ`. Raises `ConfigError`."""
    filename = os.fspath(path)
    try:
        text = _read_regular_file(Path(path), MAX_CONFIG_BYTES).decode("utf-8")
    except OSError as exc:
        raise ConfigError([f"{filename}: cannot read the config file: {exc.strerror or exc}"]) from None
    except _NotReadable as exc:
        raise ConfigError([f"{filename}: cannot read the config file: {exc}"]) from None
    except UnicodeDecodeError:
        raise ConfigError([f"{filename}: the config file is not UTF-8 text"]) from None
    return parse_config(text, filename, env, base_dir=Path(path).absolute().parent)


class _NotReadable(Exception):
    """A file that must not be read: not a regular file, or too large."""


def _read_regular_file(path: Path, limit: int) -> bytes:
    """The bytes of a regular file of at most `limit` bytes. Anything else is refused before reading:
    a FIFO blocks forever, /dev/zero never ends, a huge file takes minutes and gigabytes to parse."""
    if not stat.S_ISREG(os.stat(path).st_mode):
        raise _NotReadable("not a regular file")
    with open(os.open(path, os.O_RDONLY | os.O_NONBLOCK), "rb") as file:  # no wait if swapped for a FIFO
        if not stat.S_ISREG(os.fstat(file.fileno()).st_mode):
            raise _NotReadable("not a regular file")
        data = file.read(limit + 1)
    if len(data) > limit:
        raise _NotReadable(f"larger than {limit // 1024} KiB")
    return data


def parse_config(
    text: str, filename: str, env: Mapping[str, str] | None = None, base_dir: Path | None = None
) -> Config:
    """Validate config text; `filename` prefixes errors, `base_dir` (default cwd) anchors secret files."""
    document = _Document(os.environ if env is None else env, Path.cwd() if base_dir is None else base_dir)
    data = document.read(text, filename)
    document.expand_catalog(data)
    document.read_secret_files(data)
    document.collect_inline_secrets(data)
    references = _reference_problems(
        _column(data.get("providers"), "name"),
        _column(data.get("notifiers"), "name"),
        _column(data.get("routes"), "notify"),
    )
    problems = document.problems + [_Problem(loc, message) for loc, message in references]
    try:
        config = Config.model_validate(data)
    except ValidationError as exc:
        problems += document.explain(exc, data, covered=document.covered + [loc for loc, _ in references])
    else:
        problems += [_Problem(loc, message) for loc, message in _alerting_problems(config)]
    if problems:
        raise ConfigError(document.render(problems, filename))
    return config


def _column(items: object, key: str) -> list[object]:
    if not isinstance(items, list):
        return []
    return [item.get(key) if isinstance(item, dict) else None for item in items]


@dataclass(frozen=True, slots=True)
class _Problem:
    loc: Loc
    message: str
    line: int | None = None  # None: the line where `loc` (or its nearest written parent) is


_REFERENCE = re.compile(r"\$\$|\$\{(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?P<default>:-[^}]*)?\}|\$\{")
_PLAIN_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")


@dataclass
class _Document:
    """The YAML as plain data, where each key and item was written, and the values never to echo."""

    env: Mapping[str, str]
    base_dir: Path
    lines: dict[Loc, int] = field(default_factory=dict)
    shown_as: dict[Loc, str] = field(default_factory=dict)  # `webhook_url` read from `webhook_url_file`
    secrets: set[str] = field(default_factory=set)
    problems: list[_Problem] = field(default_factory=list)
    covered: list[Loc] = field(default_factory=list)  # values already reported: pydantic need not repeat
    _active: set[int] = field(default_factory=set)
    _constructor: SafeConstructor = field(default_factory=SafeConstructor)

    def read(self, text: str, filename: str) -> dict[str, object]:
        try:
            loader = _Loader(text)
            try:
                root = loader.get_single_node()
            finally:
                loader.dispose()
        except _Refused as exc:
            raise ConfigError([f"{filename}:{exc.line}: {exc.problem}"]) from None
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            what = ": ".join(part for part in (exc.context, exc.problem) if part)
            raise ConfigError([f"{filename}:{mark.line + 1 if mark else 1}: invalid YAML: {what}"]) from None
        except yaml.YAMLError as exc:
            raise ConfigError([f"{filename}:1: invalid YAML: {exc}"]) from None
        if root is None or root.tag == "tag:yaml.org,2002:null":
            raise ConfigError(
                [f"{filename}:1: the file is empty; expected settings, providers, notifiers, routes"]
            )
        if not isinstance(root, yaml.MappingNode):
            raise ConfigError(
                [f"{filename}:{_line(root)}: expected a mapping (settings, providers, notifiers, routes)"]
            )
        return self._mapping(root, ())

    def _report(self, loc: Loc, message: str, line: int | None = None) -> None:
        """A problem with the value at `loc`; pydantic's view of that same value would only repeat it."""
        self.problems.append(_Problem(loc, message, line))
        self.covered.append(loc)

    def _node(self, node: yaml.Node, loc: Loc) -> object:
        if id(node) in self._active:
            self.problems.append(_Problem(loc, "a YAML alias refers to itself", _line(node)))
            return None
        self._active.add(id(node))
        try:
            if isinstance(node, yaml.MappingNode):
                return self._mapping(node, loc)
            if isinstance(node, yaml.SequenceNode):
                return [self._item(index, item, loc) for index, item in enumerate(node.value)]
            return self._scalar(node, loc)
        finally:
            self._active.discard(id(node))

    def _item(self, index: int, node: yaml.Node, loc: Loc) -> object:
        self.lines[(*loc, index)] = _line(node)
        return self._node(node, (*loc, index))

    def _mapping(self, node: yaml.MappingNode, loc: Loc) -> dict[str, object]:
        result: dict[str, object] = {}
        for key_node, value_node in node.value:
            line = _line(key_node)
            scalar = isinstance(key_node, yaml.ScalarNode)
            written = (*loc, str(key_node.value) if scalar else "?")
            if key_node.tag == "tag:yaml.org,2002:merge":
                self.problems.append(_Problem(written, "YAML merge keys (<<) are not supported", line))
                continue
            key = self._construct(key_node, written) if scalar else None
            if not isinstance(key, str):
                self.problems.append(_Problem(written, "every key must be a plain string (quote it)", line))
                continue
            if key in result:
                first = self.lines[(*loc, key)]
                self._report((*loc, key), f"duplicate key (first at line {first})", line)
            self.lines[(*loc, key)] = line
            result[key] = self._node(value_node, (*loc, key))
        return result

    def _scalar(self, node: yaml.Node, loc: Loc) -> object:
        value = self._construct(node, loc)
        return self._expand(value, loc) if isinstance(value, str) else value

    def _construct(self, node: yaml.Node, loc: Loc) -> object:
        """A scalar's value, or None with the problem reported (never a traceback)."""
        try:
            return self._constructor.construct_object(node)
        except ConstructorError as exc:
            self._report(loc, exc.problem or "unreadable value", _line(node))
        except ValueError as exc:  # past Python's int-str digit limit, or a date like 2024-13-01
            too_long = node.tag == "tag:yaml.org,2002:int"
            self._report(loc, "number too long" if too_long else f"unreadable value: {exc}", _line(node))
        return None

    def _expand(self, text: str, loc: Loc) -> str:
        def substitute(match: re.Match[str]) -> str:
            if match.group(0) == "$$":
                return "$"
            name = match.group("name")
            if name is None:
                self._report(
                    loc, "malformed ${...}: write ${NAME} or ${NAME:-default}, and $$ for a literal $"
                )
                return ""
            value, default = self.env.get(name), match.group("default")
            if value is None or (value == "" and default is not None):
                if default is None:
                    self._report(loc, f"environment variable {name} is not set")
                    return ""
                return default[2:]
            if value:
                self.secrets.add(value)
            return value

        return _REFERENCE.sub(substitute, text)

    def expand_catalog(self, data: dict[str, object]) -> None:
        """Replace `catalog: <name>` in provider entries by the catalog's type, url and options.

        The entry's own keys win (a `url:` pointing at a mirror, a `name:` of one's own), except
        `type`, which would contradict the catalog. Keys taken from the catalog are reported at the
        `catalog:` line, under that name.
        """
        for section, index, entry in _entries(data):
            if section != "providers" or _CATALOG_KEY not in entry:
                continue
            loc = (section, index, _CATALOG_KEY)
            found = self._catalog_entry(entry.pop(_CATALOG_KEY), "type" in entry, loc)
            if found is None:
                self.covered.append((section, index))  # pydantic's view of the entry would only repeat
                continue
            url_has_default = not SOURCES[found.format].Config.model_fields["url"].is_required()
            fields = {"name": found.name, **found.provider_fields(url_has_default)}
            for key, value in fields.items():
                if key not in entry:
                    entry[key] = value
                    self.lines[(section, index, key)] = self.lines[loc]
                    self.shown_as[(section, index, key)] = _CATALOG_KEY

    def _catalog_entry(self, name: object, has_type: bool, loc: Loc) -> CatalogEntry | None:
        if has_type:
            self._report(loc, "give either 'catalog' or 'type', not both: the catalog names the type")
            return None
        if not isinstance(name, str):
            self._report(loc, "expected the name of a catalog provider (see `outage-monitor catalog`)")
            return None
        known = catalog_entries()
        found = known.get(name)
        if found is None:
            message = _unknown(name, "catalog provider", sorted(known), None)
            self._report(loc, f"{message} (`outage-monitor catalog search TERM` finds one)")
        elif found.format not in SOURCES:
            self._report(loc, f"{name!r} is read by the {found.format!r} format, which this build lacks")
            return None
        return found

    def read_secret_files(self, data: dict[str, object]) -> None:
        """Replace each `<key>_file: path` in provider and notifier entries by `<key>: <file content>`."""
        for section, index, entry in _entries(data):
            fields = _entry_model(section, entry)
            for key in [
                k for k in entry if k.endswith(_SECRET_FILE_SUFFIX) and len(k) > len(_SECRET_FILE_SUFFIX)
            ]:
                if fields is not None and key in fields.model_fields:
                    continue
                target, loc = key.removesuffix(_SECRET_FILE_SUFFIX), (section, index, key)
                where = entry.pop(key)
                if target in entry:
                    self._report(loc, f"give either {target!r} or {key!r}, not both")
                    continue
                content = self._read_secret(where, loc)
                if content is None:
                    self.covered.append((section, index, target))
                else:
                    entry[target] = content
                    self.lines[(section, index, target)] = self.lines[loc]
                    self.shown_as[(section, index, target)] = key

    def _read_secret(self, where: object, loc: Loc) -> str | None:
        if not isinstance(where, str) or not where:
            self._report(loc, "expected the path of a file")
            return None
        path = Path(where).expanduser()
        path = path if path.is_absolute() else self.base_dir / path
        try:
            content = _read_regular_file(path, MAX_SECRET_BYTES).decode("utf-8").rstrip("\r\n")
        except OSError as exc:
            self._report(loc, f"cannot read secret file {path}: {exc.strerror or exc}")
            return None
        except _NotReadable as exc:
            self._report(loc, f"cannot read secret file {path}: {exc}")
            return None
        except UnicodeDecodeError:
            self._report(loc, f"secret file {path} is not UTF-8 text")
            return None
        if not content:
            self._report(loc, f"secret file {path} is empty")
            return None
        self.secrets.add(content)
        return content

    def collect_inline_secrets(self, data: dict[str, object]) -> None:
        """Values written straight into secret fields must not be echoed either."""
        for section, _, entry in _entries(data):
            model = _entry_model(section, entry)
            if model is None:
                continue
            for name, info in model.model_fields.items():
                if _is_secret(info.annotation):
                    self.secrets.update(s for s in _strings(entry.get(name)) if s)

    def explain(self, exc: ValidationError, data: dict[str, object], covered: list[Loc]) -> list[_Problem]:
        """Pydantic's errors as problems at YAML paths, minus those a reading problem already covers."""
        problems = []
        for error in exc.errors(include_url=False, include_input=False):
            if error["type"] == _REFERENCES_ERROR:
                continue  # reported from the raw data, with precise locations, by parse_config
            if error["type"] == _TIMING_ERROR:
                problems += [_Problem(loc, message) for loc, message in error.get("ctx", {})["problems"]]
                continue
            loc, message = _describe(error, data)
            # an error in a covered field, or about a whole entry one of whose fields could not be read
            # (its secret file, say), is that reading problem seen again
            if not any(
                loc[: len(seen)] == seen or (len(loc) >= 2 and seen[: len(loc)] == loc) for seen in covered
            ):
                problems.append(_Problem(loc, message))
        return problems

    def render(self, problems: list[_Problem], filename: str) -> list[str]:
        lines = []
        for problem in sorted(problems, key=self._line_of):
            path = _field_path(problem.loc, self.shown_as)
            where = f"{filename}:{self._line_of(problem)}: " + (f"{path}: " if path else "")
            lines.append(where + self._redact(problem.message))
        return lines

    def _line_of(self, problem: _Problem) -> int:
        if problem.line is not None:
            return problem.line
        loc = problem.loc
        while loc and loc not in self.lines:
            loc = loc[:-1]
        return self.lines.get(loc, 1)

    def _redact(self, message: str) -> str:
        for secret in sorted(self.secrets, key=len, reverse=True):
            message = message.replace(repr(secret), "'***'")
            if len(secret) >= _MIN_BARE_REDACTION:
                message = message.replace(secret, "***")
        return message


def _line(node: yaml.Node) -> int:
    return int(node.start_mark.line) + 1


def _entries(data: dict[str, object]) -> Iterable[tuple[str, int, dict[str, object]]]:
    for section in ("providers", "notifiers"):
        items = data.get(section)
        if isinstance(items, list):
            for index, entry in enumerate(items):
                if isinstance(entry, dict):
                    yield section, index, entry


def _entry_model(section: str, entry: Mapping[str, object]) -> type[BaseModel] | None:
    """The plugin's own config model for a provider or notifier entry, if its `type` is known."""
    kind = entry.get("type")
    if not isinstance(kind, str):
        return None
    if section == "providers":
        source = SOURCES.get(kind)
        return None if source is None else source.Config
    notifier = NOTIFIERS.get(kind)
    return None if notifier is None else notifier.Config


def _strings(value: object) -> Iterable[str]:
    """Every string in a value: secret fields may be strings, lists or mappings of strings."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def _is_secret(annotation: object) -> bool:
    return annotation is SecretStr or any(_is_secret(arg) for arg in get_args(annotation))


def _model_at(loc: Loc, data: dict[str, object]) -> type[BaseModel] | None:
    """The model that validates the mapping at `loc`, to list the keys it accepts."""
    if loc == ():
        return Config
    if loc == ("settings",):
        return Settings
    if len(loc) == 2 and loc[0] == "routes":
        return RouteConfig
    entry = _entry_at(loc, data)
    return _entry_model(str(loc[0]), entry) if len(loc) == 2 and entry is not None else None


def _entry_at(loc: Loc, data: dict[str, object]) -> dict[str, object] | None:
    """The provider or notifier entry a location starts with (`providers[2]...`), if any."""
    if len(loc) < 2 or loc[0] not in ("providers", "notifiers") or not isinstance(loc[1], int):
        return None
    items, index = data.get(str(loc[0])), loc[1]
    entry = items[index] if isinstance(items, list) and 0 <= index < len(items) else None
    return entry if isinstance(entry, dict) else None


def _describe(error: ErrorDetails, data: dict[str, object]) -> tuple[Loc, str]:
    """A pydantic error as the user's path and a message in the user's terms."""
    loc: Loc = tuple(error["loc"])
    entry = _entry_at(loc, data)
    if entry is not None and len(loc) >= 3 and loc[2] == entry.get("type"):
        loc = loc[:2] + loc[3:]  # drop the union's tag: the user wrote no such level
    section = loc[0] if loc else None
    kind, ctx = error["type"], error.get("ctx", {})
    registry: Mapping[str, object] = SOURCES if section == "providers" else NOTIFIERS
    what = "provider" if section == "providers" else "notifier"
    if kind == "union_tag_invalid":
        return (*loc, "type"), _unknown(str(ctx.get("tag")), f"{what} type", sorted(registry), "known types")
    if kind == "union_tag_not_found":
        return loc, f"missing 'type'; known {what} types: {', '.join(sorted(registry))}"
    if kind == "extra_forbidden" and loc and isinstance(loc[-1], str):
        model = _model_at(loc[:-1], data)
        return loc, _unknown(loc[-1], "key", sorted(model.model_fields) if model else [], "allowed")
    if kind == "missing":
        return loc, "required"
    message = error["msg"]
    for prefix in ("Value error, ", "Assertion failed, "):
        message = message.removeprefix(prefix)
    return loc, message


def _field_path(loc: Loc, shown_as: Mapping[Loc, str]) -> str:
    path = ""
    for depth, part in enumerate(loc):
        if isinstance(part, int):
            path += f"[{part}]"
            continue
        name = shown_as.get(loc[: depth + 1], part)
        path += (("." if path else "") + name) if _PLAIN_KEY.fullmatch(name) else f"[{name!r}]"
    return path
