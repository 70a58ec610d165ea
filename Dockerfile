# kgload as a container: `docker build -t kgload .` then `docker run --rm kgload --help`.
# docker-compose.yml runs it as the `loader` service, on a schedule, against the neo4j service
# (see docs/scheduling.md).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# PNG export (`kgload export -o x.png`) renders kgload's SVG with headless Chromium
# (kgload.export.svg): Debian's chromium, Liberation Sans for the SVG's Helvetica/Arial (same
# metrics) and DejaVu Sans for the scripts Liberation lacks. About 300 MB of the image.
RUN apt-get update \
    && apt-get install -y --no-install-recommends chromium fonts-liberation fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*

# Only what the wheel is built from (the ontology, mappings and gazetteer are bundled into it).
WORKDIR /build
COPY pyproject.toml README.md LICENSE ./
COPY kgload ./kgload
COPY ontology ./ontology
COPY mappings ./mappings
COPY gazetteer ./gazetteer
# [fast]: the Neo4j driver's Rust encoder (neo4j-rust-ext), a quarter off a load's time
RUN pip install '.[fast]' && rm -rf /build

# Run as an unprivileged user; /data holds the inbox (read-only mount) and kgload's state.
RUN useradd --create-home --uid 10001 --user-group kgload \
    && mkdir -p /data/inbox /data/state \
    && chown -R kgload:kgload /data/state
USER kgload
WORKDIR /data

# Healthy unless the last scheduled run (the compose loader writes its exit code to
# /data/state/last-run) is older than 15 minutes or ended in an internal error (1), a usage or
# config error (2) or an unreachable target (4); a one-off `docker run` has no such file.
HEALTHCHECK --interval=60s --timeout=10s --start-period=60s --retries=3 \
    CMD ["/bin/sh", "-c", "f=/data/state/last-run; [ ! -e \"$f\" ] || { [ -n \"$(find \"$f\" -mmin -15)\" ] && ! grep -Eq '\"exit_code\": (1|2|4)[,}]' \"$f\"; }"]

ENTRYPOINT ["kgload"]
CMD ["--help"]
