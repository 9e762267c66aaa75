"""Alerting: the stage between the engine's events and the outbox, after Prometheus Alertmanager.

Events open and resolve `Alert`s (alerts.py); each route groups the alerts it takes (grouping.py), a
provider's alerts caused by a failing dependency are folded under it (dependencies.py), silences
(matchers.py, silences.py) and the routes' time intervals (intervals.py) hold alerts back (mute.py), and
per group and notifier `decide()` says whether to send one notification now, hold until a time, or stay
idle. So one outage pages once, not once per component. All of it is pure, the clock passed in as `now`;
stage.py keeps the running daemon's memory of it between evaluations.
"""
