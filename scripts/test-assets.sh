#!/usr/bin/env bash
# Prints the path of the real face photograph the tests use: scikit-image's
# "astronaut" (Eileen Collins, NASA, public domain) from the Debian package
# python3-skimage. Uses the installed package when present; otherwise fetches the
# .deb with apt-get and unpacks only its files (no Python dependencies needed)
# into target/test-assets. Nothing is downloaded at run time by the server.
set -euo pipefail
cd "$(dirname "$0")/.."
rel=usr/lib/python3/dist-packages/skimage/data/astronaut.png
if [ -f "/$rel" ]; then echo "/$rel"; exit 0; fi
dir="$(pwd)/target/test-assets/skimage"
if [ ! -f "$dir/$rel" ]; then
  mkdir -p "$dir" && cd "$dir"
  if ! apt-get download python3-skimage >/dev/null 2>&1; then
    sudo_cmd=""; [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
    $sudo_cmd apt-get update -qq >&2
    apt-get download python3-skimage >/dev/null
  fi
  dpkg-deb -x python3-skimage_*.deb "$dir"
  rm -f python3-skimage_*.deb
fi
echo "$dir/$rel"
