# outage-monitor: build the wheel, install it into a slim runtime. The runtime runs as a non-root user and
# writes only under its state volume, so it runs with a read-only root filesystem (docker run --read-only,
# Kubernetes readOnlyRootFilesystem). What runs is the installed wheel, never the source tree.
FROM python:3.11-slim AS build
WORKDIR /src
COPY pyproject.toml README.md ./
COPY monitor/ monitor/
RUN pip wheel --no-cache-dir --no-deps --wheel-dir /dist .

FROM python:3.11-slim
# No bytecode written at run time (pip compiled it at install), unbuffered logs, and any temporary file
# (SQLite's, Python's tempfile) on the volume: nothing else is writable.
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    TMPDIR=/var/lib/outage-monitor \
    OUTAGE_MONITOR_CONFIG=/etc/outage-monitor/providers.yaml
# The group gets gid 10001 explicitly: `--user-group` alone would give it a system gid (999).
RUN groupadd --system --gid 10001 outage-monitor \
 && useradd --system --uid 10001 --gid 10001 --home-dir /var/lib/outage-monitor --shell /usr/sbin/nologin outage-monitor \
 && mkdir -p /var/lib/outage-monitor /etc/outage-monitor \
 && chown outage-monitor:outage-monitor /var/lib/outage-monitor
COPY --from=build /dist/ /tmp/dist/
RUN pip install --no-cache-dir /tmp/dist/*.whl && rm -rf /tmp/dist
# The example config; mount your own over it. Its state path is relative, so it lands in the volume.
COPY providers.yaml /etc/outage-monitor/providers.yaml
USER 10001:10001
WORKDIR /var/lib/outage-monitor
VOLUME ["/var/lib/outage-monitor"]
EXPOSE 9110
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:9110/healthz', timeout=4)"]
# Exec form: the daemon is PID 1 and gets SIGTERM itself (a shell would swallow it), so `docker stop` is clean.
ENTRYPOINT ["outage-monitor"]
CMD ["run", "-c", "/etc/outage-monitor/providers.yaml"]
