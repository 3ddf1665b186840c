#!/bin/sh
# Find a Chromium for the browser tests, or install Debian's package when we can.
for candidate in "$CHROMIUM_PATH" /usr/bin/chromium /usr/bin/chromium-browser /usr/bin/google-chrome; do
  if [ -n "$candidate" ] && [ -x "$candidate" ]; then exit 0; fi
done
if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = "0" ]; then
  echo "Installing Chromium from Debian's packages for the browser tests..."
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
    || echo "WARNING: could not install Chromium; browser tests will be skipped." >&2
else
  echo "WARNING: no Chromium found (set CHROMIUM_PATH); browser tests will be skipped." >&2
fi
exit 0
