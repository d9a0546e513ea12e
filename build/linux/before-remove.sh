#!/bin/bash
# The deb's before-remove script (passed to fpm as --before-remove): on removal (not on
# upgrade) Harbour's install-time writer removes what it wrote, while the app, and so
# the writer, is still on disk.
if [ "$1" = "remove" ]; then
    '/opt/Harbour/resources/harbour-agent-install' uninstall --platform linux || true
fi
