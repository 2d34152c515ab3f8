#!/usr/bin/env bash
# scripts/deps.sh installs what is missing with apt-get, which must wait
# for a lock another apt-get holds rather than fail at once: every apt-get
# it runs is given DPkg::Lock::Timeout. apt-get, dpkg-query and sudo are
# stand-ins here that record what they were asked and install nothing.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
fake=$(mktemp -d)
trap 'rm -rf "$fake"' EXIT

# every package reads as missing; apt-get writes its arguments, one call a line
printf '#!/bin/sh\nexit 1\n' >"$fake/dpkg-query"
printf '#!/bin/sh\necho "$*" >>"%s/calls"\n' "$fake" >"$fake/apt-get"
printf '#!/bin/sh\nexec "$@"\n' >"$fake/sudo"
chmod +x "$fake/dpkg-query" "$fake/apt-get" "$fake/sudo"

PATH="$fake:$PATH" CMASIM_APT_LOCK_TIMEOUT=42 bash -c \
	". '$root/scripts/deps.sh' && cmasim_install_deps" 2>/dev/null

calls=$(wc -l <"$fake/calls")
waits=$(grep -c -- '-o DPkg::Lock::Timeout=42 ' "$fake/calls" || true)
if [ "$calls" -ne 2 ] || [ "$waits" -ne 2 ]; then
	echo "expected update and install, each waiting for the lock; apt-get got:" >&2
	cat "$fake/calls" >&2
	exit 1
fi
