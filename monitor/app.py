"""Wiring and lifecycle: start everything, reload on SIGHUP, stop gracefully on SIGTERM/SIGINT."""

from __future__ import annotations

import asyncio
import contextlib
import signal
from pathlib import Path

from aiohttp import web

from monitor import __version__, heap, metrics
from monitor.alerting.stage import AlertingStage
from monitor.config import Config, ConfigError, load_config
from monitor.dispatch import Dispatcher
from monitor.evaluator import Evaluator
from monitor.fetch import HttpClient
from monitor.leadership import Leadership
from monitor.listener import GuardedSite, connections_that_fit
from monitor.logging import get_logger, setup_logging
from monitor.model import ProviderState
from monitor.notify import Notifier, build_notifier
from monitor.plan import ProviderPlan, plans_for, rules_for
from monitor.poller import Poller
from monitor.recorder import Recorder
from monitor.retention import prune_periodically
from monitor.scheduler import Ticker
from monitor.store import describe_store, open_store
from monitor.store.base import Store
from monitor.store.health import WRITE_ERRORS, StoreHealth
from monitor.stored_states import StoredStates
from monitor.web import build_app

log = get_logger(__name__)

STOP_TIMEOUT_SECONDS = 5.0


# Read once at start-up; a reload that changes them says so instead of ignoring them silently.
_SET_AT_START = (
    "state",
    "listen",
    "max_concurrent_fetches",
    "notification_max_age",
    "retry_initial_delay",
    "retry_max_delay",
    "log_format",
    "log_level",
    "max_connections",
    "header_timeout",
    "keepalive_timeout",
    "record",
    "record_max_bytes",
)


class Daemon:
    """The running service. Tests start it through `run()`, exactly as the CLI does."""

    def __init__(self, config_path: Path, config: Config) -> None:
        self._path = config_path
        self._config = config
        self._stopping = asyncio.Event()
        self._store: Store | None = None
        self._ticker: Ticker | None = None
        self._poller: Poller | None = None
        self._evaluator: Evaluator | None = None
        self._dispatcher: Dispatcher | None = None
        self._http: HttpClient | None = None
        self._recorder: Recorder | None = None
        self._health = StoreHealth()
        self._leadership: Leadership | None = None
        self._stored_states: StoredStates | None = None  # a follower's view of the leader's states
        self._term = contextlib.AsyncExitStack()  # the leader's parts: stopped when it stops leading

    @property
    def ready(self) -> bool:
        """A follower is ready while it reaches the database; the leader once it polls and commits."""
        leadership = self._leadership
        if self._store is None or leadership is None or leadership.lost is not None:
            return False
        if not leadership.leading:
            return leadership.shared
        return self._ticker is not None and self._ticker.running and self._health.commit_error is None

    @property
    def store_error(self) -> str | None:
        lost = self._leadership.lost if self._leadership is not None else None
        return lost or self._health.commit_error

    @property
    def leadership(self) -> Leadership:
        assert self._leadership is not None, "not started yet"
        return self._leadership

    @property
    def store(self) -> Store:
        assert self._store is not None, "store not open yet"
        return self._store

    @property
    def evaluator(self) -> Evaluator:
        assert self._evaluator is not None, "not started yet"
        return self._evaluator

    @property
    def api_token(self) -> str | None:
        token = self._config.settings.api_token
        return None if token is None else token.get_secret_value()

    def silences_changed(self) -> None:
        if self._evaluator is not None:
            self._evaluator.wake()

    async def provider_states(self) -> list[tuple[ProviderPlan, ProviderState | None]]:
        """The leader's own; a follower's read from the shared store (monitor/stored_states.py)."""
        if self._poller is not None:
            return self._poller.states()
        if self._stored_states is None:
            return []
        states = await self._stored_states.get()
        return [(plan, states.get(plan.config.name)) for plan in plans_for(self._config)]

    def stop(self) -> None:
        self._stopping.set()

    async def run(self) -> int:
        """Serve until SIGTERM/SIGINT. 1 when it cannot start (state file, listen address): whatever was
        already open is closed again, so the process exits instead of hanging on the store's thread."""
        async with contextlib.AsyncExitStack() as cleanup:
            try:
                await self._start(cleanup)
            except WRITE_ERRORS as error:
                settings = self._config.settings
                log.error("startup_failed", error=str(error), state=settings.state, listen=settings.listen)
                return 1
            await self._stopping.wait()
            log.info("stopping")
        log.info("stopped")
        return 0

    async def _start(self, cleanup: contextlib.AsyncExitStack) -> None:
        """Open, start and serve everything, registering each part's shutdown as soon as it exists."""
        settings = self._config.settings
        store = open_store(settings.state, password=settings.state_password())
        await store.open()
        cleanup.push_async_callback(store.close)
        await store.probe_write()
        self._store = store
        self._stored_states = StoredStates(store)
        recorder = Recorder(Path(settings.record), settings.record_max_bytes) if settings.record else None
        self._recorder = recorder
        http = HttpClient(listen=(settings.listen_host, settings.listen_port), observer=recorder)
        cleanup.push_async_callback(http.close)
        self._http = http
        runner = web.AppRunner(
            build_app(self),
            access_log=None,
            handle_signals=False,
            keepalive_timeout=settings.keepalive_timeout,
        )
        await runner.setup()
        cleanup.push_async_callback(runner.cleanup)
        site = GuardedSite(
            runner,
            settings.listen_host,
            settings.listen_port,
            max_connections=connections_that_fit(settings.max_connections, http.connector_limit),
            head_timeout=settings.header_timeout,
        )
        await site.start()
        leadership = Leadership(store, settings.leader_lease, on_elected=self._lead, on_deposed=self._follow)
        self._leadership = leadership
        await leadership.start()
        leading = asyncio.create_task(leadership.run(), name="leadership")
        cleanup.push_async_callback(_stop_leading, leadership, leading)
        self._install_signals()
        heap.tune()
        heap.freeze("started")
        log.info(
            "started",
            version=__version__,
            providers=len(self._config.providers),
            listen=f"{settings.listen_host}:{settings.listen_port}",
            state=describe_store(settings.state),
            replica=leadership.replica_id,
        )

    async def _lead(self) -> None:
        """This replica leads: deliver, evaluate and poll from what the store holds now."""
        store, http, settings = self.store, self._http, self._config.settings
        assert http is not None
        term = self._term
        self._health = StoreHealth()
        dispatcher = Dispatcher(
            store,
            self._notifiers(self._config, http),
            max_age=settings.notification_max_age,
            base_delay=settings.retry_initial_delay,
            max_delay=settings.retry_max_delay,
            health=self._health,
        )
        self._dispatcher = dispatcher
        stage = AlertingStage(await store.load_alerting(), rules_for(self._config))
        evaluator = Evaluator(
            store,
            stage,
            on_queued=dispatcher.wake,
            health=self._health,
            held=dispatcher.held,
            on_unsaved=self._lost_commit if self.leadership.shared else None,
        )
        self._evaluator = evaluator
        poller = Poller(
            http, store, evaluator, max_concurrent=settings.max_concurrent_fetches, recorder=self._recorder
        )
        poller.configure(plans_for(self._config), await store.load_states())
        self._poller = poller
        term.callback(metrics.provider_series.detach, poller)
        delivering = asyncio.create_task(dispatcher.run(), name="dispatcher")
        term.push_async_callback(_stop_delivering, dispatcher, delivering)
        evaluating = asyncio.create_task(evaluator.run(), name="evaluator")
        term.push_async_callback(_stop_evaluating, evaluator, evaluating)
        pruning = asyncio.create_task(
            prune_periodically(store, lambda: self._config.settings.retention), name="retention"
        )
        term.push_async_callback(_stop_pruning, pruning)
        ticker = Ticker(poller.poll)
        ticker.start(poller.plans)
        self._ticker = ticker
        term.push_async_callback(_stop_polling, ticker, poller)
        first_interval = max((plan.interval + plan.jitter for plan in poller.plans), default=0.0)
        baselined = asyncio.create_task(heap.freeze_after(first_interval + 5.0, "baselined"), name="heap")
        term.callback(baselined.cancel)

    async def _follow(self) -> None:
        """This replica no longer leads (or cannot know it does): stop polling, evaluating and sending."""
        await self._term.aclose()
        self._term = contextlib.AsyncExitStack()
        self._ticker = self._poller = self._evaluator = self._dispatcher = None

    def _lost_commit(self) -> None:
        """A commit failed on a shared store: no new polls now; the leadership loop ends the term."""
        if self._ticker is not None:
            self._ticker.stop()
        self.leadership.step_down()

    @staticmethod
    def _notifiers(config: Config, http: HttpClient) -> dict[str, Notifier]:
        return {n.name: build_notifier(n, http.session) for n in config.notifiers}

    def _install_signals(self) -> None:
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, self.stop)
        reloads: set[asyncio.Task[None]] = set()

        def reload() -> None:
            task = asyncio.create_task(self._reload())
            reloads.add(task)
            task.add_done_callback(reloads.discard)

        loop.add_signal_handler(signal.SIGHUP, reload)

    async def _reload(self) -> None:
        """Swap in a new config, all or nothing: everything it needs is built before anything is
        swapped, and a swap that fails half-way is undone; either way `config_reload_failed` says why."""
        assert self._http is not None
        try:
            config = load_config(self._path)
            notifiers = self._notifiers(config, self._http)
            plans = plans_for(config)
            rules = rules_for(config)
            states = await self.store.load_states()
        except ConfigError as error:
            log.error("config_reload_failed", path=str(self._path), errors=error.errors)
            return
        except Exception as error:  # validates but cannot be built: keep the old config
            log.error("config_reload_failed", path=str(self._path), errors=[repr(error)])
            return
        old, new = self._config.settings, config.settings
        fixed = [key for key in _SET_AT_START if getattr(old, key) != getattr(new, key)]
        if fixed:
            log.warning("config_reload_needs_restart", fields=[f"settings.{key}" for key in fixed])
        if self._poller is None or self._ticker is None or self._dispatcher is None:
            self._config = config  # a follower: its next term starts with this config
            log.info("config_reloaded", providers=len(config.providers), notifiers=len(config.notifiers))
            return
        dispatcher = self._dispatcher
        kept = self._poller.plans
        try:
            self._poller.configure(plans, states)
            self._ticker.apply(self._poller.plans)
        except Exception as error:  # put the running plans back, then tell
            self._poller.configure(kept, states)
            self._ticker.apply(self._poller.plans)
            log.error("config_reload_failed", path=str(self._path), errors=[repr(error)])
            return
        self.evaluator.configure(rules)
        dispatcher.replace_notifiers(notifiers)
        await dispatcher.report_stranded()
        self._config = config
        log.info("config_reloaded", providers=len(config.providers), notifiers=len(config.notifiers))


async def _stop_leading(leadership: Leadership, leading: asyncio.Task[None]) -> None:
    """End the term (polls drained, sends finished or cut short) and release the lease."""
    await leadership.stop()
    await leading


async def _stop_polling(ticker: Ticker, poller: Poller) -> None:
    """No new ticks, let the polls in flight commit (or cancel them after the timeout), then release."""
    ticker.stop()
    await poller.drain(STOP_TIMEOUT_SECONDS)
    ticker.shutdown()


async def _stop_evaluating(evaluator: Evaluator, evaluating: asyncio.Task[None]) -> None:
    evaluator.stop()
    await evaluating


async def _stop_pruning(pruning: asyncio.Task[None]) -> None:
    """A prune in flight rolls back (its transaction is all or nothing); the next start prunes again."""
    pruning.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await pruning


async def _stop_delivering(dispatcher: Dispatcher, delivering: asyncio.Task[None]) -> None:
    await dispatcher.stop(STOP_TIMEOUT_SECONDS)
    await delivering


def run(config_path: Path) -> int:
    """Entry point of `outage-monitor run`."""
    try:
        config = load_config(config_path)
    except ConfigError as error:
        setup_logging()
        log.error("config_invalid", path=str(config_path), errors=error.errors)
        return 1
    setup_logging(config.settings.log_format, config.settings.log_level)
    return asyncio.run(Daemon(config_path, config).run())
