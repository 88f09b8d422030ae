#!/usr/bin/env bash
# The unit tests (`make test-units`) under Python 3.13: Debian 13's own python3, in a Debian 13
# ("trixie") root made with debootstrap from Debian's packages, so that 3.13 is really run, not
# only claimed. `make test-py313` calls it, and so does .ci/run. Needs root (debootstrap, chroot,
# mounts) and Debian's package mirror; PyPI for the course's packages.
#
# The root is kept in SEQ2SEQ_PY313_ROOT (default /var/cache/seq2seq-py313/trixie, outside the
# checkout) and reused by the next run: it holds Debian's python3 and the course's virtual
# environment (/opt/seq2seq-venv), which `make` brings up to requirements/lock.txt as it does on
# any machine. Delete the folder to start from scratch; a root whose making was interrupted is
# made again. The checkout is bind-mounted at /course (and ../shared, read-only, at /shared, for
# the corpus), /proc and /dev are mounted, and every mount is undone on exit, failed or not.
# Arguments are passed to make (default: test-units).
set -euo pipefail

checkout=$(cd "$(dirname "$0")/.." && pwd)
root=${SEQ2SEQ_PY313_ROOT:-/var/cache/seq2seq-py313/trixie}
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
targets=("${@:-test-units}")

if [ "$(id -u)" -ne 0 ]; then
  echo "test_debian13.sh needs root (debootstrap, chroot and bind mounts)" >&2
  exit 1
fi
start=$(date +%s)

if [ ! -f "$root/.seq2seq-ready" ]; then
  if ! command -v debootstrap >/dev/null 2>&1; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq debootstrap >/dev/null
  fi
  echo "== making a Debian 13 root in $root (debootstrap from $mirror)"
  rm -rf "$root"
  mkdir -p "$(dirname "$root")"
  debootstrap --variant=minbase \
    --include=python3,python3-venv,make,git,ca-certificates \
    trixie "$root" "$mirror" >"$(dirname "$root")/debootstrap.log" 2>&1 || {
      tail -30 "$(dirname "$root")/debootstrap.log" >&2
      exit 1
    }
  touch "$root/.seq2seq-ready"
  echo "== root made in $(( $(date +%s) - start )) s"
else
  echo "== reusing the Debian 13 root in $root"
fi

mounted=()
cleanup() {
  local i
  for (( i=${#mounted[@]}-1; i>=0; i-- )); do
    umount -R "${mounted[i]}" 2>/dev/null || umount -l "${mounted[i]}" || true
  done
}
trap cleanup EXIT INT TERM

bind() {  # bind SOURCE TARGET [ro]
  mkdir -p "$2"
  mount --rbind "$1" "$2"
  mount --make-rslave "$2"
  mounted+=("$2")
  if [ "${3:-}" = ro ]; then
    mount -o remount,bind,ro "$2"
  fi
}

mkdir -p "$root/proc"
mount -t proc proc "$root/proc"
mounted+=("$root/proc")
bind /dev "$root/dev"
bind "$checkout" "$root/course"
if [ -d "$checkout/../shared" ]; then
  bind "$(cd "$checkout/../shared" && pwd)" "$root/shared" ro
fi
cp /etc/resolv.conf "$root/etc/resolv.conf"
# The host's certificate authorities (a machine whose HTTPS goes through a proxy of its own adds
# that proxy's there), and its pip cache, so that wheels already downloaded are not fetched again.
ca=${PIP_CERT:-${SSL_CERT_FILE:-/etc/ssl/certs/ca-certificates.crt}}
ca_env=()
if [ -f "$ca" ]; then
  cp "$ca" "$root/etc/ssl/host-ca-certificates.crt"
  ca_env=(PIP_CERT=/etc/ssl/host-ca-certificates.crt SSL_CERT_FILE=/etc/ssl/host-ca-certificates.crt)
fi
pip_cache=${PIP_CACHE_DIR:-$HOME/.cache/pip}
mkdir -p "$pip_cache"
bind "$pip_cache" "$root/root/.cache/pip"

echo "== $(chroot "$root" python3 --version) in Debian $(cat "$root/etc/debian_version")"
# A clean environment: the host's PIP_*, PYTHON* and virtual-environment variables stay out.
chroot "$root" /usr/bin/env -i PATH=/usr/local/bin:/usr/bin:/bin HOME=/root LANG=C.UTF-8 \
  CI="${CI:-}" TERM="${TERM:-dumb}" "${ca_env[@]}" \
  bash -c 'git config --global --get-all safe.directory | grep -qx /course \
             || git config --global --add safe.directory /course
           cd /course && make PYTHON=python3.13 VENV=/opt/seq2seq-venv "$@"' \
  make "${targets[@]}"
echo "== Python 3.13 run took $(( $(date +%s) - start )) s"
