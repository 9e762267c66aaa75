"""Notification services, one module each; `NOTIFIERS` maps a notifier's `type:` to its class."""

from __future__ import annotations

import aiohttp

from monitor.notify.alertmanager import AlertmanagerNotifier
from monitor.notify.apprise import AppriseNotifier
from monitor.notify.atlassian_statuspage import AtlassianStatuspageNotifier
from monitor.notify.base import Delivery, Notifier, NotifierConfig, Outcome
from monitor.notify.discord import DiscordNotifier
from monitor.notify.email import EmailNotifier
from monitor.notify.instatus import InstatusNotifier
from monitor.notify.log import LogNotifier
from monitor.notify.opsgenie import OpsgenieNotifier
from monitor.notify.pagerduty import PagerDutyNotifier
from monitor.notify.slack import SlackNotifier
from monitor.notify.teams import TeamsNotifier
from monitor.notify.webhook import WebhookNotifier

NOTIFIERS: dict[str, type[Notifier]] = {
    cls.type_name: cls
    for cls in (
        SlackNotifier,
        PagerDutyNotifier,
        WebhookNotifier,
        LogNotifier,
        OpsgenieNotifier,
        TeamsNotifier,
        DiscordNotifier,
        EmailNotifier,
        AlertmanagerNotifier,
        AppriseNotifier,
        AtlassianStatuspageNotifier,  # your own status page
        InstatusNotifier,
    )
}


def build_notifier(config: NotifierConfig, session: aiohttp.ClientSession) -> Notifier:
    return NOTIFIERS[config.type](config, session)


__all__ = ["NOTIFIERS", "Delivery", "Notifier", "NotifierConfig", "Outcome", "build_notifier"]
