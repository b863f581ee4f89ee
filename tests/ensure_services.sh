#!/bin/sh
# Makes sure what the test suite talks to is there: a running PostgreSQL, Debian's Chromium, and
# GStreamer's WebRTC stack under Debian's own Python (a WHIP publisher and WHEP viewer in the
# media tests, run by /usr/bin/python3 with python3-gi).
set -eu
if command -v pg_lsclusters >/dev/null 2>&1; then
  if ! pg_lsclusters -h | awk '{print $4}' | grep -q online; then
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start
  fi
fi
missing=""
[ -x /usr/bin/chromium ] || missing="chromium"
for package in python3-gi gir1.2-gst-plugins-bad-1.0 gstreamer1.0-plugins-good \
  gstreamer1.0-plugins-bad gstreamer1.0-plugins-ugly gstreamer1.0-libav gstreamer1.0-nice \
  fonts-noto-cjk espeak-ng; do
  dpkg-query -W -f '${Status}' "$package" 2>/dev/null | grep -q "ok installed" ||
    missing="$missing $package"
done
if [ -n "$missing" ] && command -v apt-get >/dev/null 2>&1; then
  # shellcheck disable=SC2086 # one word per package
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing) >/dev/null
fi
# Screenshots of the pages show Chinese text: without a CJK font it renders as empty boxes.
if ! dpkg -s fonts-noto-cjk >/dev/null 2>&1 && command -v apt-get >/dev/null 2>&1; then
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-noto-cjk) >/dev/null
fi
