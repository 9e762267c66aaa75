"""Alerting: the pure stage between the engine's events and the outbox, after Prometheus Alertmanager.

Events open and resolve `Alert`s (alerts.py); each route groups the alerts it takes (grouping.py), a
provider's alerts caused by a failing dependency are folded under it (dependencies.py), and per group and
notifier `decide()` says whether to send one notification now, hold until a time, or stay idle. So one
outage pages once, not once per component. No I/O here: the clock is passed in as `now`.
"""
