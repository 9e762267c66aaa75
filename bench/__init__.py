"""Benchmark of the real daemon against a loopback fleet of status pages: `python -m bench.run`."""
