#!/usr/bin/env bash
# System packages Harbour's tests need on Debian/Ubuntu: Chromium (end-to-end tests drive
# it with Playwright), Xvfb + openbox (a real X display and window manager for the
# desktop parts), x11-utils (xprop/xwininfo/xmessage), x11-xserver-utils (xsetroot) and xdotool
# (the screen tests press keys, click and close windows with it), xprintidle (kept for older
# agents; the agent reads idle time over its own X connection now), xterm (a real window to switch
# to and type into in activity and screen tests), wmctrl (the screen tests ask the window
# manager to close windows, show the desktop and switch desktops with it), openssl (the
# security tests make a school CA and server certificates with it for each run) and postgresql
# (the integration-pg and security-pg tests start a cluster of their own with its initdb and
# pg_ctl, as the postgres user; the cluster the package may start itself is not used) and
# redis-server (the multi-node tests start their own on a free port; the package's service is not used) and
# espeak-ng (the server's read-aloud engine: English and Welsh voices; production servers need it too).
# Run as root, or it uses sudo. Installs only what is missing.
set -euo pipefail
packages=(chromium xvfb openbox x11-utils x11-xserver-utils xdotool xprintidle xterm wmctrl openssl postgresql redis-server espeak-ng)
missing=()
for p in "${packages[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "system packages: all present (${packages[*]})"
  exit 0
fi
sudo_=""
[ "$(id -u)" -eq 0 ] || sudo_="sudo"
echo "system packages: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$sudo_ apt-get update -qq
$sudo_ apt-get install -y -qq --no-install-recommends "${missing[@]}"
