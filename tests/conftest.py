"""Suite-wide settings: property-based tests are deterministic under CI.

With `CI=true` Hypothesis runs the `ci` profile: derandomized (the same examples every run, derived from each
test), no example database (nothing carried over from an earlier run), no deadline and no too-slow
health check (a loaded 2-core machine is not a failure of the property). Example counts stay as each test
sets them. Elsewhere the `dev` profile keeps random exploration but drops the timing checks for the same
reason.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

settings.register_profile("dev", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("ci", settings.get_profile("dev"), derandomize=True, database=None, print_blob=True)
settings.load_profile("ci" if os.environ.get("CI", "").lower() in ("1", "true", "yes") else "dev")
