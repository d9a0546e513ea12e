#!/bin/bash
# The deb's before-remove script (passed to fpm as --before-remove): on removal (not on
# upgrade) the machine service is stopped and disabled, the session helpers it started
# (in its cgroup: KillMode=process left them running) are ended, and Harbour's
# install-time writer removes what it wrote, while the app, and so the writer, is still
# on disk.
if [ "$1" = "remove" ]; then
    if [ -d /run/systemd/system ]; then
        systemctl disable --now harbour-agent.service 2>/dev/null || true
        systemctl kill --kill-whom=all harbour-agent.service 2>/dev/null || true
    fi
    '/opt/Harbour/resources/harbour-agent-install' uninstall --platform linux || true
fi
