# shellcheck shell=bash
# Shared by scripts/setup, scripts/test and scripts/develop: where the Python 3.14 toolchain lives
# and how to run a command inside it. Sourced, never executed.
#
# Home Assistant needs Python >= 3.14.2. A host with a native python3.14 uses it directly. Other
# hosts get a Debian sid root filesystem with python3.14, cached outside the repository, and every
# command runs chrooted into it inside a private mount namespace, so the proc, /dev and repository
# mounts vanish with the command even when it is killed.

set -euo pipefail

REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CACHE_DIR=${INTRUDER_ALERT_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/intruder_alert}
ROOTFS="$CACHE_DIR/rootfs-sid"
REQUIREMENTS=("$REPO_ROOT/requirements_test.txt" "$REPO_ROOT/requirements_test_data.txt")

native_python() {
  # Prints a native python3.14 >= 3.14.2 if the host has one.
  local candidate
  for candidate in python3.14 /usr/local/bin/python3.14 /usr/bin/python3.14; do
    if command -v "$candidate" >/dev/null 2>&1 &&
      "$candidate" -c 'import sys, venv; sys.exit(sys.version_info < (3, 14, 2))' 2>/dev/null; then
      command -v "$candidate"
      return 0
    fi
  done
  return 1
}

if [ "${INTRUDER_ALERT_FORCE_ROOTFS:-0}" != 1 ] && PYTHON_NATIVE=$(native_python); then
  MODE=native
  VENV="$CACHE_DIR/venv-native"
else
  MODE=rootfs
  # The venv lives inside the root filesystem, at a path that is the same inside the chroot.
  VENV=/opt/intruder-alert-venv
fi

requirements_hash() {
  cat "${REQUIREMENTS[@]}" | sha256sum | cut -d' ' -f1
}

stamp_file() {
  if [ "$MODE" = native ]; then echo "$VENV/.requirements-sha256"; else echo "$ROOTFS$VENV/.requirements-sha256"; fi
}

env_is_ready() {
  local stamp
  stamp=$(stamp_file)
  [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$(requirements_hash)" ]
}

in_env() {
  # Runs "$@" with the venv's bin first on PATH, in the repository, inside the toolchain.
  if [ "$MODE" = native ]; then
    (cd "$REPO_ROOT" && PATH="$VENV/bin:$PATH" VIRTUAL_ENV="$VENV" "$@")
    return
  fi
  local quoted
  quoted=$(printf '%q ' "$@")
  # A private mount namespace: every mount below disappears when the command ends, however it ends.
  unshare --mount --propagation private --fork -- bash -euo pipefail -c '
    rootfs=$1 repo=$2 venv=$3 cmd=$4
    mount -t proc proc "$rootfs/proc"
    mount --rbind /dev "$rootfs/dev"
    mount -t tmpfs tmpfs "$rootfs/dev/shm"
    mkdir -p "$rootfs$repo" "$rootfs/tmp"
    mount --bind "$repo" "$rootfs$repo"
    # The cache stays outside the repository but must be reachable by the same path inside.
    cp /etc/resolv.conf "$rootfs/etc/resolv.conf" 2>/dev/null || true
    exec chroot "$rootfs" /usr/bin/env -i \
      HOME=/root LANG=C.UTF-8 TERM="${TERM:-dumb}" CI="${CI:-}" \
      PATH="$venv/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" \
      VIRTUAL_ENV="$venv" PIP_CONFIG_FILE=/etc/pip.conf PIP_DISABLE_PIP_VERSION_CHECK=1 \
      SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt UV_NATIVE_TLS=1 \
      INTRUDER_ALERT_BENCH_QUICK="${INTRUDER_ALERT_BENCH_QUICK:-0}" \
      INTRUDER_ALERT_DEMO="${INTRUDER_ALERT_DEMO:-1}" \
      AWS_ACCESS_KEY_ID="${AWS_ACCESS_KEY_ID:-}" AWS_SECRET_ACCESS_KEY="${AWS_SECRET_ACCESS_KEY:-}" \
      AWS_REGION="${AWS_REGION:-}" \
      bash -c "cd \"$repo\" && $cmd"
  ' _ "$ROOTFS" "$REPO_ROOT" "$VENV" "$quoted"
}

ensure_env() {
  if env_is_ready; then
    return 0
  fi
  "$REPO_ROOT/scripts/setup"
}

in_node() {
  # Runs "$@" in frontend/ with Node.js and npm: the host's when it has them, else Debian's
  # inside the root filesystem (installed on first use; npm reads the host's registry settings).
  if command -v npm >/dev/null 2>&1; then
    (cd "$REPO_ROOT/frontend" && "$@")
    return
  fi
  if [ "$MODE" = native ]; then
    echo "Node.js and npm are needed to build the panel (frontend/): install them" >&2
    return 1
  fi
  if ! in_env sh -c 'command -v npm' >/dev/null 2>&1; then
    echo "[setup] installing Debian's nodejs and npm for the panel's build" >&2
    in_env bash -c 'apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
      apt-get install -y -qq --no-install-recommends nodejs npm >/dev/null'
    for npmrc in /etc/npmrc /usr/etc/npmrc "$HOME/.npmrc"; do
      [ -f "$npmrc" ] && cp "$npmrc" "$ROOTFS/etc/npmrc" && break
    done
  fi
  local quoted
  quoted=$(printf '%q ' "$@")
  in_env bash -c "cd frontend && $quoted"
}
