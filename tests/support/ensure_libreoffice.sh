#!/bin/sh
# Find LibreOffice for the spreadsheet tests (every export opened by a real spreadsheet
# program), or install Debian's headless Calc when we can; without it those tests are skipped.
for candidate in "$LIBREOFFICE_PATH" /usr/bin/soffice /usr/bin/libreoffice /usr/lib/libreoffice/program/soffice; do
  if [ -n "$candidate" ] && [ -x "$candidate" ]; then exit 0; fi
done
if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = "0" ]; then
  echo "Installing LibreOffice Calc (headless) from Debian's packages for the spreadsheet tests..."
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends libreoffice-calc-nogui >/dev/null) \
    || echo "WARNING: could not install LibreOffice; the spreadsheet tests will be skipped." >&2
else
  echo "WARNING: no LibreOffice found (set LIBREOFFICE_PATH); the spreadsheet tests will be skipped." >&2
fi
exit 0
