# shellcheck shell=bash
# Sourced by scripts/demo and scripts/test: make .venv and install Fremdrift into it, again only
# when pyproject.toml has changed. The stamp records what was installed, so the demo accepts an
# install made by the tests (which includes the dev tools) and does not redo it.

VENV=.venv
VENV_STAMP="$VENV/.fremdrift-installed"

# ensure_venv "."        the app
# ensure_venv ".[dev]"   the app and its dev tools
ensure_venv() {
  local target="$1" wanted installed
  if [ ! -x "$VENV/bin/python" ]; then
    printf '\n==> Creating %s\n' "$VENV"
    python3 -m venv "$VENV"
  fi
  wanted="$(sha256sum pyproject.toml | cut -d' ' -f1)"
  installed="$(cat "$VENV_STAMP" 2>/dev/null || true)"
  if [ "$installed" = "$wanted .[dev]" ] || [ "$installed" = "$wanted $target" ]; then
    return
  fi
  printf '\n==> Installing Fremdrift (%s) into %s\n' "$target" "$VENV"
  export PIP_DISABLE_PIP_VERSION_CHECK=1
  "$VENV/bin/python" -m pip install --quiet --upgrade pip
  "$VENV/bin/python" -m pip install --quiet -e "$target"
  echo "$wanted $target" >"$VENV_STAMP"
}
