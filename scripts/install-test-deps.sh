#!/usr/bin/env bash
# Installs the Debian packages Vigil's tests use as real parts and independent
# oracles: ffmpeg/ffprobe (judge Vigil's media) and GStreamer's RTSP server (a
# real camera), Chromium (plays Vigil's HLS with hls.js) and PostgreSQL (the
# tests start their own throwaway server for the cluster-mode index). Vigil
# itself needs none of them: its engine ships with node-av.
# Idempotent: does nothing when everything is there.
set -euo pipefail
packages=(
  ffmpeg
  python3-gi
  gir1.2-gst-rtsp-server-1.0
  gstreamer1.0-tools
  gstreamer1.0-plugins-base
  gstreamer1.0-plugins-good
  gstreamer1.0-plugins-bad
  gstreamer1.0-plugins-ugly
  gstreamer1.0-libav
  chromium
  postgresql
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
[ "${#missing[@]}" -eq 0 ] && exit 0
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
echo "install-test-deps: installing ${missing[*]}"
$sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq
# policy-rc.d 101: the postgresql package must not start its cluster (the tests run
# their own; a container has no init to start it with anyway).
policy=/usr/sbin/policy-rc.d
if [ ! -e "$policy" ]; then
  trap '$sudo rm -f "$policy"' EXIT
  printf '#!/bin/sh\nexit 101\n' | $sudo tee "$policy" >/dev/null
  $sudo chmod +x "$policy"
fi
$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
