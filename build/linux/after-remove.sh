#!/bin/bash
# The deb's after-remove script: electron-builder's own steps (its after-remove
# template), then systemd forgets the removed unit and, on purge, Harbour's machine-wide
# folder and the service's data go. Harbour's install-time files were removed by
# before-remove.sh.

if type update-alternatives >/dev/null 2>&1; then
    update-alternatives --remove '${executable}' '/opt/${sanitizedProductName}/${executable}'
else
    rm -f '/usr/bin/${executable}'
fi

APPARMOR_PROFILE_DEST='/etc/apparmor.d/${executable}'
if [ -f "$APPARMOR_PROFILE_DEST" ]; then
  if apparmor_status --enabled > /dev/null 2>&1; then
    if ! { [ -x '/usr/bin/ischroot' ] && /usr/bin/ischroot; } && hash apparmor_parser 2>/dev/null; then
      apparmor_parser --remove "$APPARMOR_PROFILE_DEST" || true
    fi
  fi
  rm -f "$APPARMOR_PROFILE_DEST"
fi

if [ -d /run/systemd/system ]; then
    systemctl daemon-reload 2>/dev/null || true
fi

# Purge: the settings folder with anything a technician added to it, and the service's
# data (the device credential, outbox and evidence).
if [ "$1" = "purge" ]; then
    rm -rf /etc/harbour /var/lib/harbour-agent
fi
