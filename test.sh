#!/usr/bin/env bash
# Runs every test: installs what is missing (Python packages into .venv, Chromium's headless shell,
# PostgreSQL and nginx from Debian, axe-core from npm into tests/node), checks lint and formatting, then
# pytest, in parallel (pyproject.toml's addopts: -n auto). Extra arguments go to pytest (e.g. -k api;
# -n 0 for one process).
set -euo pipefail
cd "$(dirname "$0")"

if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
fi
.venv/bin/python -m pip install -q --disable-pip-version-check -r requirements-dev.txt

if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
# The browser tests run Debian's chromium-headless-shell (Chromium built as Playwright's headless
# shell: under half the CPU time of `chromium --headless`); without the package, Debian's chromium.
if ! command -v chromium-headless-shell >/dev/null 2>&1; then
  echo "Installing Chromium's headless shell from Debian for the browser tests ..."
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium-headless-shell >/dev/null ||
    command -v chromium >/dev/null 2>&1 ||
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null
fi
# The classroom tests start their own PostgreSQL server (as the `postgres` user when run as root).
if ! compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null; then
  echo "Installing PostgreSQL from Debian for the classroom tests ..."
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq postgresql >/dev/null
fi

# The department test (tests/classroom_tests/test_department.py) runs nginx in front of two app servers.
if ! command -v nginx >/dev/null 2>&1 && [ ! -x /usr/sbin/nginx ]; then
  echo "Installing nginx-light from Debian for the department test ..."
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq nginx-light >/dev/null
fi

# axe-core for the accessibility test: into tests/node (gitignored), used by the tests only, never served.
AXE_VERSION=4.10.3
if [ ! -f tests/node/node_modules/axe-core/axe.min.js ]; then
  if ! command -v npm >/dev/null 2>&1; then
    echo "Installing npm from Debian for the accessibility test ..."
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq npm >/dev/null
  fi
  echo "Installing axe-core $AXE_VERSION into tests/node ..."
  npm install --silent --no-audit --no-fund --prefix tests/node "axe-core@$AXE_VERSION"
fi

.venv/bin/python -m ruff check .
.venv/bin/python -m ruff format --check .
.venv/bin/python -m pytest "$@"
