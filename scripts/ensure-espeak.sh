#!/usr/bin/env bash
# Make sure espeak-ng is installed: the hall board's voice speaks through it, and its test
# renders the announcements to WAV files with it (tests/test_board_voice.py; under CI=true a
# missing espeak-ng fails the run instead of skipping). Installs it from Debian's packages when
# it is missing and apt-get is there (needs root: CI runs as root). Prints what it did.
set -euo pipefail

if command -v espeak-ng >/dev/null 2>&1; then
  echo "espeak-ng: $(espeak-ng --version | head -n 1)"
  exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "espeak-ng: not installed and no apt-get here; install it with your package manager" >&2
  exit 0
fi
echo "espeak-ng: not installed; installing from Debian's packages"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq espeak-ng >/dev/null
echo "espeak-ng: $(espeak-ng --version | head -n 1)"
