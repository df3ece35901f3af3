# syntax=docker/dockerfile:1
# OmniCRM images, built by docker-compose.yml:
#   target "runtime" (the default, last stage): the API (`omnicrm run`), workers (`omnicrm worker`)
#                     and one-off commands (`omnicrm db upgrade`, `omnicrm create-admin`)
#   target "web":     nginx serving the built React app and proxying the API (deploy/nginx.conf)
# Both share the "ui" stage, which builds frontend/dist with Node.

ARG PYTHON_VERSION=3.11
ARG NODE_VERSION=20

# ------------------------------------------------------------------ front end (build only) ---
FROM node:${NODE_VERSION}-bookworm-slim AS ui
WORKDIR /src/frontend
COPY frontend/package.json frontend/package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY frontend/ ./
RUN npm run build

# ------------------------------------------------------------------- nginx with the SPA ---
FROM nginx:1.27-alpine AS web
COPY deploy/nginx.conf /etc/nginx/conf.d/default.conf
COPY --from=ui /src/frontend/dist /usr/share/nginx/html

# --------------------------------------------------------------------- Python runtime ---
FROM python:${PYTHON_VERSION}-slim-bookworm AS runtime
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    ENV=production \
    HOST=0.0.0.0 \
    PORT=5000 \
    INSTANCE_PATH=/var/lib/omnicrm
RUN useradd --system --uid 10001 --user-group --home-dir /app --no-create-home omnicrm \
    && install -d -o omnicrm -g omnicrm /var/lib/omnicrm
WORKDIR /app

# Dependencies first, in their own layer: rebuilt only when pyproject.toml changes.
COPY pyproject.toml README.md ./
RUN mkdir -p backend/omnicrm && touch backend/omnicrm/__init__.py \
    && pip install -e . \
    && rm -rf backend
# The package stays an editable install in /app: settings.REPO_ROOT (alembic.ini, migrations/,
# frontend/dist) is found relative to backend/omnicrm.
COPY alembic.ini ./
COPY migrations/ migrations/
COPY backend/ backend/
RUN pip install --no-deps -e . && python -c "import omnicrm.cli"
COPY --from=ui /src/frontend/dist frontend/dist
# The provisioning plays and their caller-variable declarations (ANSIBLE_DIR defaults to
# /app/ansible): workers run them, the API reads the declarations to check extra_vars.
# Owned by root and read-only to the omnicrm user, so a play cannot rewrite the plays.
COPY ansible/ ansible/
RUN python -c "from omnicrm.settings import REPO_ROOT; \
from omnicrm.plays.declared_vars import declaration_for; \
plays = sorted((REPO_ROOT / 'ansible').glob('*.yml')); \
assert plays and all(declaration_for(REPO_ROOT / 'ansible', p.stem).found for p in plays)"
# Plays run as omnicrm (no sudo, no become): Ansible's scratch space must be writable by it
# (its home, /app, is not).
ENV ANSIBLE_LOCAL_TMP=/tmp/ansible-local \
    ANSIBLE_REMOTE_TMP=/tmp/ansible-remote

USER omnicrm
EXPOSE 5000
CMD ["omnicrm", "run"]
