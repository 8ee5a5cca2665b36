#!/usr/bin/env bash
# Runs one of the README's two Quick-start commands inside a brand-new Debian 12 root, so that a
# missing install step fails here instead of on a user's new machine.
#
# Usage (as root, from anywhere):  bash .ci/fresh-root.sh 1   # command 1: build, train the main model
#                                  bash .ci/fresh-root.sh 2   # command 2: build, run the tests
#
# What it does, each run:
#   1. builds a minimal bookworm root with mmdebstrap (variant apt) from this machine's own apt
#      sources; the base tarball is cached in build-fresh-root/ of this checkout only (it holds
#      nothing but Debian's minimal apt system, so it cannot hide a missing package);
#   2. unpacks it into a new directory outside the checkout (under /var/tmp, so that nothing that
#      walks or deletes the checkout can reach the bind mounts), copies a clean clone of this
#      checkout's HEAD into /nabla;
#   3. bind-mounts /proc, /dev and /sys, and runs the command from README.md (the line after
#      "# 1." or "# 2.") in /nabla with a clean environment (env -i, plain PATH);
#   4. unmounts everything and removes the root, also when the command fails (trap).
# Environment: FRESH_ROOT_KEEP=1 keeps the root afterwards (for inspection; unmounted).
set -euo pipefail

which=${1:-}
[[ "$which" == 1 || "$which" == 2 ]] || { echo "usage: $0 1|2 (the README Quick-start command to run)" >&2; exit 2; }
[ "$(id -u)" -eq 0 ] || { echo "fresh-root: must run as root (mmdebstrap, chroot, mount)" >&2; exit 2; }
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
work=$repo/build-fresh-root
base_tar=$work/bookworm-apt.tar
root=

cmd=$(awk -v n="# $which." 'index($0, n) == 1 { getline; print; exit }' "$repo/README.md")
[ -n "$cmd" ] || { echo "fresh-root: README.md has no command after '# $which.'" >&2; exit 1; }

command -v mmdebstrap >/dev/null || {
  echo "fresh-root: installing mmdebstrap on the host"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends mmdebstrap
}

cleanup() {
  [ -n "$root" ] || return 0
  # Unmount in reverse order; lazily if something still holds a mount, so the trap never hangs.
  for m in sys dev proc; do
    if mountpoint -q "$root/$m"; then umount -R "$root/$m" 2>/dev/null || umount -R -l "$root/$m"; fi
  done
  if [ "${FRESH_ROOT_KEEP:-0}" != 1 ] && [ -d "$root" ]; then
    # Never delete through a mount that failed to go away.
    if grep -q " $root/" /proc/mounts; then
      echo "fresh-root: mounts remain under $root; not deleting it" >&2
    else
      rm -rf "$root"
    fi
  fi
}
trap cleanup EXIT

mkdir -p "$work"
if [ ! -f "$base_tar" ] || [ ! -s "$base_tar" ]; then
  # The host's own apt sources: every sources file it has (one-line and deb822 forms).
  sources=()
  [ -s /etc/apt/sources.list ] && sources+=(/etc/apt/sources.list)
  for f in /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources; do
    [ -s "$f" ] && sources+=("$f")
  done
  [ ${#sources[@]} -gt 0 ] || { echo "fresh-root: the host has no apt sources" >&2; exit 1; }
  echo "fresh-root: building the base bookworm root (mmdebstrap --variant=apt) from ${sources[*]}"
  mmdebstrap --variant=apt --format=tar --quiet bookworm "$base_tar.tmp" "${sources[@]}"
  mv "$base_tar.tmp" "$base_tar"
fi

root=$(mktemp -d /var/tmp/nabla-fresh-root-$which.XXXXXX)
tar -C "$root" -xf "$base_tar"
git clone --quiet --no-hardlinks "$repo" "$root/nabla"
cp /etc/resolv.conf "$root/etc/resolv.conf"  # name resolution for apt inside the root
# The host's TLS trust (a network that re-signs HTTPS needs its CA for npm's download of ONNX
# Runtime): added to node's own CAs inside the root through NODE_EXTRA_CA_CERTS. It trusts more
# certificates; it installs nothing, so it cannot hide a missing install step.
host_ca=${NODE_EXTRA_CA_CERTS:-/etc/ssl/certs/ca-certificates.crt}
ca_env=()
if [ -s "$host_ca" ]; then
  cp "$host_ca" "$root/etc/host-ca.crt"
  ca_env=(NODE_EXTRA_CA_CERTS=/etc/host-ca.crt)
fi

for m in proc dev sys; do
  mkdir -p "$root/$m"
  mount --rbind "/$m" "$root/$m"
  mount --make-rslave "$root/$m"
done

echo "fresh-root: running README command $which in a fresh Debian 12 root: $cmd"
start=$(date +%s)
env -i HOME=/root LANG=C.UTF-8 TERM=dumb PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin "${ca_env[@]}" \
  chroot "$root" /bin/bash -c "cd /nabla && $cmd"
echo "fresh-root: README command $which passed in $(( $(date +%s) - start )) s"
