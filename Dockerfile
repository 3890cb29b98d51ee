# Fremdrift: the web app on Debian (bookworm) with the system libraries WeasyPrint needs.
#   docker build -t fremdrift .          (podman: podman build --format docker, or HEALTHCHECK is dropped)
#   docker run -p 8000:8000 -v fremdrift-data:/data -e FREMDRIFT_SECRET_KEY=... fremdrift
# Without arguments the container migrates the database and serves on port 8000; with arguments
# it runs them instead: docker run --rm -it -v fremdrift-data:/data fremdrift fremdrift users add ...
# BASE: another image with Python 3.11 on bookworm, e.g. one built from Debian's packages alone
# (scripts/container-base.Containerfile) where no registry can be reached.
ARG BASE=python:3.11-slim-bookworm
FROM ${BASE}

# XDG_CACHE_HOME: fontconfig (under WeasyPrint) writes a cache for the PDFs' own fonts, and the
# app's user may not write to its home (/app); without it every process logs
# "Fontconfig error: No writable cache directories".
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    XDG_CACHE_HOME=/tmp/cache

# Pango (text layout), HarfBuzz's subsetter (fast font subsetting) and a font for the PDFs.
# Versions follow the bookworm release the base image tracks, including its security updates.
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        fonts-dejavu-core \
        libharfbuzz-subset0 \
        libpango-1.0-0 \
        libpangoft2-1.0-0 \
    && rm -rf /var/lib/apt/lists/*

RUN groupadd --system --gid 10001 fremdrift \
    && useradd --system --no-log-init --uid 10001 --gid fremdrift --home-dir /app --shell /usr/sbin/nologin fremdrift \
    && mkdir /data \
    && chown fremdrift:fremdrift /data

WORKDIR /app
# The dependencies first, from pyproject.toml alone, so that a change to the code reuses this layer.
COPY pyproject.toml ./
RUN python -c "import tomllib; print(*tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies'], sep='\n')" \
        > /tmp/requirements.txt \
    && pip install --no-cache-dir -r /tmp/requirements.txt \
    && rm /tmp/requirements.txt
# The app, owned by root: the app's user reads it but cannot change it.
COPY . .
RUN pip install --no-cache-dir --no-deps -e .

# SQLite in the volume by default; set DATABASE_URL=postgresql+psycopg://... for PostgreSQL.
# Set FREMDRIFT_SECRET_KEY (shared by every app process) and FREMDRIFT_HTTPS=true behind https.
ENV DATABASE_URL=sqlite:////data/fremdrift.db
VOLUME ["/data"]

USER 10001:10001
EXPOSE 8000

HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import sys, urllib.request; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4).status != 200)"]

ENTRYPOINT ["/app/scripts/docker-entrypoint"]
