"""Notification services, one module each; `NOTIFIERS` maps a notifier's `type:` to where its class lives,
imported the first time a config names it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from monitor.notify.base import Delivery, Notifier, NotifierConfig, Outcome
from monitor.plugins import Registry

if TYPE_CHECKING:
    import aiohttp

NOTIFIERS: Registry[Notifier] = Registry(
    {
        "slack": ("monitor.notify.slack", "SlackNotifier"),
        "pagerduty": ("monitor.notify.pagerduty", "PagerDutyNotifier"),
        "webhook": ("monitor.notify.webhook", "WebhookNotifier"),
        "log": ("monitor.notify.log", "LogNotifier"),
        "opsgenie": ("monitor.notify.opsgenie", "OpsgenieNotifier"),
        "teams": ("monitor.notify.teams", "TeamsNotifier"),
        "discord": ("monitor.notify.discord", "DiscordNotifier"),
        "email": ("monitor.notify.email", "EmailNotifier"),
        "alertmanager": ("monitor.notify.alertmanager", "AlertmanagerNotifier"),
        "apprise": ("monitor.notify.apprise", "AppriseNotifier"),
        # your own status page
        "atlassian_statuspage": ("monitor.notify.atlassian_statuspage", "AtlassianStatuspageNotifier"),
        "instatus": ("monitor.notify.instatus", "InstatusNotifier"),
    }
)


def build_notifier(config: NotifierConfig, session: aiohttp.ClientSession) -> Notifier:
    return NOTIFIERS.load(config.type)(config, session)


__all__ = ["NOTIFIERS", "Delivery", "Notifier", "NotifierConfig", "Outcome", "build_notifier"]
