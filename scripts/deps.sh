#!/usr/bin/env bash
# Installs, with apt-get, the Debian packages given as arguments that are not
# installed yet. --quiet prints nothing when everything is there already.
set -euo pipefail

quiet=0
if [ "${1:-}" = "--quiet" ]; then
	quiet=1
	shift
fi

missing=()
for pkg in "$@"; do
	status=$(dpkg-query -W -f='${db:Status-Status}' "$pkg" 2>/dev/null || true)
	[ "$status" = "installed" ] || missing+=("$pkg")
done

if [ ${#missing[@]} -eq 0 ]; then
	[ $quiet -eq 1 ] || echo "deps: all ${#@} packages are installed"
	exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
	echo "deps: missing packages: ${missing[*]}; installing them needs root; try: sudo make deps" >&2
	exit 1
fi
echo "deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
