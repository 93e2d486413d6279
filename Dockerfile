# Tocsin in a container: the official slim Python image, a user without rights, the
# database on a volume. Build: docker build -t tocsin .   Run: docker compose up -d
FROM python:3.12-slim-bookworm

# The database lives on the volume, whatever the working directory; so does SQLite's
# scratch space (a VACUUM after pruning copies the database there, too big for a
# /tmp kept in memory).
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DATABASE_PATH=/data/tocsin.sqlite3 \
    DEMO_DATABASE_PATH=/data/demo.sqlite3 \
    SQLITE_TMPDIR=/data

RUN groupadd --system --gid 10001 tocsin \
    && useradd --system --uid 10001 --gid tocsin --home-dir /app --no-create-home \
       --shell /usr/sbin/nologin tocsin \
    && mkdir /data && chown tocsin:tocsin /data

WORKDIR /app
# Only what the package needs: pyproject.toml and the four packages (no tests, no .env).
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY feeds ./feeds
COPY handlers ./handlers
COPY migrations ./migrations
RUN pip install . && rm -rf /app/build

USER tocsin
VOLUME ["/data"]

# 0 when the database opens and a `tocsin run` holds it (see docs/deploy.md).
HEALTHCHECK --interval=60s --timeout=30s --start-period=60s --retries=3 \
    CMD ["tocsin", "health"]

# SIGTERM (docker stop) ends `tocsin run` cleanly: it stops polling and waits for the
# messages already on their way.
STOPSIGNAL SIGTERM
ENTRYPOINT ["tocsin"]
CMD ["run"]
