#!/bin/sh
# Install the Debian packages named in $DEB_PKGS that are not installed yet.
set -eu
missing=
for p in $DEB_PKGS; do
	s=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
	case "$s" in *" installed") ;; *) missing="$missing $p" ;; esac
done
[ -z "$missing" ] && { echo "deps: all installed"; exit 0; }
echo "deps: installing$missing"
sudo=
[ "$(id -u)" = 0 ] || sudo=sudo
$sudo apt-get update -q
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends $missing
