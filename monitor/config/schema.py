"""The validated shape of `providers.yaml`: Settings, RouteConfig, Config with each provider and notifier
entry validated by its plugin's own model, chosen by `type` (from `SOURCES` and `NOTIFIERS`, so adding a
plugin never touches this module), and the checks across entries (references, timing, alerting).

Rules callers rely on:
- `failure_threshold` is resolved at load time: a provider that does not set its own inherits
  `settings.failure_threshold`.
- interval, timeout and jitter are resolved on demand: a provider's `interval`/`timeout` stay None
  when unset and `Config.effective_interval/effective_timeout/effective_jitter` give the value to use.
- `settings.jitter` bounds the random offset of each poll: null (the default) means 10% of the
  provider's effective interval, `0` disables it.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import timedelta
from functools import cache, cached_property, partial, reduce
from importlib import import_module
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    GetCoreSchemaHandler,
    GetJsonSchemaHandler,
    SecretStr,
    TypeAdapter,
    ValidationInfo,
    ValidatorFunctionWrapHandler,
    field_validator,
    model_validator,
)
from pydantic_core import CoreSchema, PydanticCustomError, core_schema

from monitor.alerting.dependencies import check_dependencies
from monitor.config.problems import Loc, field_path, unknown
from monitor.config.reading import MAX_SECRET_BYTES, NotReadable, read_regular_file
from monitor.durations import DAY, HOUR, MINUTE, Interval, Timeout, bounded, parse_duration, show
from monitor.logging import LogFormat
from monitor.model import EventKind, Severity
from monitor.notify import NOTIFIERS, Notifier, NotifierConfig
from monitor.plugins import Registry
from monitor.sources import SOURCES, Source, SourceConfig
from monitor.store.url import DEFAULT_URL, check_store_url

if TYPE_CHECKING:
    from monitor.alerting.grouping import RouteSpec
    from monitor.alerting.intervals import TimeInterval

LogLevel = Literal["debug", "info", "warning", "error"]

REFERENCES_ERROR = "config_references"  # pydantic error type of Config's cross-entry checks
TIMING_ERROR = "config_timing"  # a provider's timeout longer than its interval; ctx["problems"] says where


class _ByType:
    """Validates an entry with the model of the plugin its `type` names, imported when first met, so a
    config pays only for the plugins it uses. Anything else (an unknown or missing type, not a mapping)
    goes to the union of every plugin's model, whose errors name every type, as they always did."""

    def __init__(self, registry: Registry[Source] | Registry[Notifier]) -> None:
        self.registry = registry

    def __get_pydantic_core_schema__(self, source: object, handler: GetCoreSchemaHandler) -> CoreSchema:
        return core_schema.no_info_plain_validator_function(self._validate)

    def __get_pydantic_json_schema__(self, schema: CoreSchema, handler: GetJsonSchemaHandler) -> Any:
        return handler(_union(self.registry, frozenset(self.registry)).core_schema)

    def _validate(self, value: object) -> BaseModel:
        kind = value.get("type") if isinstance(value, dict) else None
        known = kind if isinstance(kind, str) and kind in self.registry else None  # cached by known type only
        validator = _validator(self.registry, known)
        validated: BaseModel = validator.validate_python(value)
        return validated


@cache
def _validator(registry: Registry[Source] | Registry[Notifier], kind: str | None) -> Any:
    """The validator of the plugin `kind` names, else (None) of every plugin's union; found once per type,
    not once per entry, and without TypeAdapter's own steps around it."""
    return _union(registry, frozenset(registry) if kind is None else frozenset({kind})).validator


@cache
def _union(registry: Registry[Source] | Registry[Notifier], types: frozenset[str]) -> TypeAdapter[Any]:
    """The plugins' config models of `types`, told apart by their `type: Literal[...]` field."""
    models = [registry.load(name).Config for name in registry if name in types]
    union: Any = Annotated[reduce(operator.or_, models), Field(discriminator="type")]
    return TypeAdapter(union)


AnySourceConfig = Annotated[SourceConfig, _ByType(SOURCES)]
AnyNotifierConfig = Annotated[NotifierConfig, _ByType(NOTIFIERS)]


class _Imported:
    """Validates with the model `name` of `module`, imported when a value first needs it, so a config pays
    only for what it uses (a poll without time intervals never loads them); the errors and the JSON
    schema are the model's own."""

    def __init__(self, module: str, name: str) -> None:
        self.module, self.name = module, name

    def __get_pydantic_core_schema__(self, source: object, handler: GetCoreSchemaHandler) -> CoreSchema:
        return core_schema.no_info_plain_validator_function(self._validate)

    def __get_pydantic_json_schema__(self, schema: CoreSchema, handler: GetJsonSchemaHandler) -> Any:
        return handler(self._adapter.core_schema)

    def _validate(self, value: object) -> object:
        return self._adapter.validator.validate_python(value)

    @cached_property
    def _adapter(self) -> TypeAdapter[Any]:
        return TypeAdapter(getattr(import_module(self.module), self.name))


if not TYPE_CHECKING:  # to mypy, the model imported above
    TimeInterval = Annotated[object, _Imported("monitor.alerting.intervals", "TimeInterval")]


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

    state: str = DEFAULT_URL  # a store URL: see monitor.store.url
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
    # issue 13: keep each fetched document that changed here, as a replay timeline (docs/replay.md)
    record: str | None = None
    record_max_bytes: int = Field(default=100 * 1024 * 1024, ge=1024)  # past it, the oldest captures go
    # issue 13: what ended longer ago than this (events, sent notifications, resolved incidents) is pruned
    retention: Annotated[float, bounded(DAY, 365 * DAY)] = 90 * DAY

    @model_validator(mode="after")
    def _token_from_file(self) -> Settings:
        if self.api_token_file is None:
            return self
        if self.api_token is not None:
            raise ValueError("give either api_token or api_token_file, not both")
        path = Path(self.api_token_file).expanduser()
        try:
            token = read_regular_file(path, MAX_SECRET_BYTES).decode("utf-8").strip()
        except NotReadable as exc:
            raise ValueError(f"cannot read api_token_file {path}: {exc}") from None
        except (OSError, UnicodeDecodeError) as exc:
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else exc
            raise ValueError(f"cannot read api_token_file {path}: {reason}") from None
        if len(token) < 16:
            raise ValueError("the api token must be at least 16 characters")
        return self.model_copy(update={"api_token": SecretStr(token), "api_token_file": None})

    @field_validator("state")
    @classmethod
    def _known_store(cls, value: str) -> str:
        return check_store_url(value)

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

    # High availability (README "High availability"): replicas share a postgresql:// state, its password from
    # the URL, PGPASSWORD or this file; the leader's lease lasts this long unrenewed.
    state_password_file: str | None = None
    leader_lease: Annotated[float, bounded(3.0, HOUR)] = 15.0

    def state_password(self) -> str | None:
        """The password in `state_password_file`, read when the store opens (a rotated one is picked up)."""
        if self.state_password_file is None:
            return None
        path = Path(self.state_password_file).expanduser()
        try:
            return read_regular_file(path, MAX_SECRET_BYTES).decode("utf-8").strip()
        except NotReadable as exc:
            raise OSError(f"cannot read state_password_file {path}: {exc}") from None

    @property
    def listen_host(self) -> str:
        return _split_listen(self.listen)[0]

    @property
    def listen_port(self) -> int:
        return _split_listen(self.listen)[1]


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
    # 0: no reminders; else one maintenance_scheduled notification this long before a maintenance starts
    remind_before: Annotated[float, BeforeValidator(partial(_zero_or_duration, maximum=30 * DAY))] = 0.0

    @field_validator("group_by")
    @classmethod
    def _known_labels(cls, value: list[str]) -> list[str]:
        from monitor.alerting.grouping import EVERY_ALERT  # grouping is for the daemon, not every `poll`

        if EVERY_ALERT in value:
            if value != [EVERY_ALERT]:
                raise ValueError(f"{EVERY_ALERT!r} (every alert its own group) stands alone")
            return value
        for label in value:
            if label not in GROUP_LABELS:
                raise ValueError(unknown(label, "label", GROUP_LABELS, "labels"))
        if len(set(value)) != len(value):
            raise ValueError("a label is listed twice")
        return value

    def spec(self, index: int) -> RouteSpec:
        """What the alerting stage needs of this route, the `index`-th in the config."""
        from monitor.alerting.grouping import RouteSpec, Timing

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
            remind_before=timedelta(seconds=self.remind_before),
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

    @field_validator("providers", mode="wrap")
    @classmethod
    def _inherit_failure_threshold(
        cls, value: object, handler: ValidatorFunctionWrapHandler, info: ValidationInfo
    ) -> list[SourceConfig]:
        providers: list[SourceConfig] = handler(value)
        settings = info.data.get("settings")
        if not isinstance(settings, Settings):
            return providers
        given = value if isinstance(value, list) and len(value) == len(providers) else providers
        return [
            p
            if "failure_threshold" in p.__pydantic_fields_set__
            else _with_threshold(p, settings.failure_threshold, copy=p is given[index])
            for index, p in enumerate(providers)
        ]

    @model_validator(mode="after")
    def _references(self) -> Config:
        problems = reference_problems(
            [p.name for p in self.providers],
            [n.name for n in self.notifiers],
            [r.notify for r in self.routes],
        )
        if problems:
            detail = "; ".join(f"{field_path(loc, {})}: {message}" for loc, message in problems)
            raise PydanticCustomError(REFERENCES_ERROR, "{detail}", {"detail": detail})
        return self

    @model_validator(mode="after")
    def _timeouts_within_intervals(self) -> Config:
        """A poll must end before the next is due; checked here as either value may come from settings."""
        problems: list[tuple[Loc, str]] = []
        for index, provider in enumerate(self.providers):
            if provider.interval is None and provider.timeout is None:
                continue  # the settings' own, checked there: most providers
            interval, timeout = self.effective_interval(provider), self.effective_timeout(provider)
            if timeout <= interval:
                continue
            if provider.timeout is not None:
                where, message = "timeout", f"must not be longer than the interval ({show(interval)})"
            else:
                where, message = "interval", f"must not be shorter than settings.timeout ({show(timeout)})"
            problems.append((("providers", index, where), message))
        if problems:
            detail = "; ".join(f"{field_path(loc, {})}: {message}" for loc, message in problems)
            raise PydanticCustomError(TIMING_ERROR, "{detail}", {"detail": detail, "problems": problems})
        return self

    def effective_interval(self, provider: SourceConfig) -> float:
        return self.settings.interval if provider.interval is None else provider.interval

    def effective_timeout(self, provider: SourceConfig) -> float:
        return self.settings.timeout if provider.timeout is None else provider.timeout

    def effective_jitter(self, provider: SourceConfig) -> float:
        if self.settings.jitter is None:
            return 0.1 * self.effective_interval(provider)
        return self.settings.jitter


def _with_threshold(provider: SourceConfig, threshold: int, copy: bool) -> SourceConfig:
    """`provider.model_copy(update={"failure_threshold": threshold})`; without the copy (~17 M
    instructions of 1,000 providers) when `provider` was made by this validation, so no one else
    holds it."""
    updated = provider.__copy__() if copy else provider
    updated.__dict__["failure_threshold"] = threshold
    updated.__pydantic_fields_set__.add("failure_threshold")
    return updated


def alerting_problems(config: Config) -> list[tuple[Loc, str]]:
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
                        unknown(name, "time interval", names, "time intervals")
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


def reference_problems(
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
                    unknown(name, "notifier", known, "configured notifiers")
                    if known
                    else f"unknown notifier {name!r}; no notifiers are configured"
                )
                problems.append((("routes", route_index, "notify", index), message))
    return problems


def entries(data: dict[str, object]) -> Iterable[tuple[str, int, dict[str, object]]]:
    """Each provider and notifier entry that is a mapping, with its section and index."""
    for section in ("providers", "notifiers"):
        items = data.get(section)
        if isinstance(items, list):
            for index, entry in enumerate(items):
                if isinstance(entry, dict):
                    yield section, index, entry


def entry_model(section: str, entry: Mapping[str, object]) -> type[BaseModel] | None:
    """The plugin's own config model for a provider or notifier entry, if its `type` is known."""
    kind = entry.get("type")
    if not isinstance(kind, str):
        return None
    if section == "providers":
        return SOURCES.load(kind).Config if kind in SOURCES else None
    return NOTIFIERS.load(kind).Config if kind in NOTIFIERS else None


def model_at(loc: Loc, data: dict[str, object]) -> type[BaseModel] | None:
    """The model that validates the mapping at `loc`, to list the keys it accepts."""
    if loc == ():
        return Config
    if loc == ("settings",):
        return Settings
    if len(loc) == 2 and loc[0] == "routes":
        return RouteConfig
    entry = entry_at(loc, data)
    return entry_model(str(loc[0]), entry) if len(loc) == 2 and entry is not None else None


def entry_at(loc: Loc, data: dict[str, object]) -> dict[str, object] | None:
    """The provider or notifier entry a location starts with (`providers[2]...`), if any."""
    if len(loc) < 2 or loc[0] not in ("providers", "notifiers") or not isinstance(loc[1], int):
        return None
    items, index = data.get(str(loc[0])), loc[1]
    entry = items[index] if isinstance(items, list) and 0 <= index < len(items) else None
    return entry if isinstance(entry, dict) else None
