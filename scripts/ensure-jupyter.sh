#!/usr/bin/env bash
# Make sure the notebooks can run: Debian's Jupyter (nbconvert + nbclient, run by
# /usr/bin/python3, never another Python on PATH) and the tslab TypeScript kernel from
# node_modules, registered with that Jupyter. Idempotent: installs only what is missing.
# Usage: bash scripts/ensure-jupyter.sh   (from anywhere; needs root for apt-get when missing)
set -euo pipefail
cd "$(dirname "$0")/.."

PY=/usr/bin/python3
JUPYTER=/usr/bin/jupyter
DEBIAN_PACKAGES=(jupyter-nbconvert python3-nbclient jupyter-client python3-ipython)

have_jupyter() {
  [ -x "$PY" ] && [ -x "$JUPYTER" ] && "$PY" -c "import nbclient, nbconvert, jupyter_client, IPython" >/dev/null 2>&1
}

if ! have_jupyter; then
  echo "ensure-jupyter: installing ${DEBIAN_PACKAGES[*]} with apt-get" >&2
  if [ "$(id -u)" -ne 0 ]; then
    echo "ensure-jupyter: Jupyter is missing and this is not root; install ${DEBIAN_PACKAGES[*]} first" >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update
  apt-get install -y --no-install-recommends "${DEBIAN_PACKAGES[@]}"
  have_jupyter || { echo "ensure-jupyter: Jupyter still not importable by $PY after apt-get" >&2; exit 1; }
fi

TSLAB_DIR=node_modules/tslab
TSLAB_BIN="$PWD/$TSLAB_DIR/bin/tslab"
if [ ! -x "$TSLAB_BIN" ] || [ ! -f "$TSLAB_DIR/python/install.py" ]; then
  echo "ensure-jupyter: $TSLAB_DIR is missing; run \`npx -y pnpm@12 install\` first" >&2
  exit 1
fi

# Register (or re-register, cheap) the tslab kernel so its kernel.json points at this checkout.
"$PY" "$TSLAB_DIR/python/install.py" --tslab="$TSLAB_BIN" >/dev/null
"$JUPYTER" kernelspec list 2>/dev/null | grep -q '^ *tslab ' || { echo "ensure-jupyter: the tslab kernel did not register" >&2; exit 1; }
echo "ensure-jupyter: Jupyter $("$JUPYTER" nbconvert --version) with the tslab kernel ($TSLAB_BIN)" >&2
