#!/bin/bash
# The deb's after-install script: electron-builder's own steps (its after-install
# template: /usr/bin link, Chromium sandbox, AppArmor profile), then Harbour's
# machine-wide files. electron-builder fills in ${executable} and ${sanitizedProductName}.
#
# Server URL and enrolment token: from HARBOUR_SERVER_URL and HARBOUR_ENROLMENT_TOKEN_FILE
# (a file only root can read: a token in sudo's own arguments is readable by every local
# user while apt runs) when set, e.g.
#   sudo HARBOUR_SERVER_URL=https://harbour.school.local HARBOUR_ENROLMENT_TOKEN_FILE=/root/harbour-token apt-get install ./harbour_0.1.0_amd64.deb
# (HARBOUR_ENROLMENT_TOKEN, the token itself, works too)
# otherwise an existing /etc/harbour/config.json is kept as it is.

if type update-alternatives >/dev/null 2>&1; then
    # Remove previous link if it doesn't use update-alternatives
    if [ -L '/usr/bin/${executable}' -a -e '/usr/bin/${executable}' -a "`readlink '/usr/bin/${executable}'`" != '/etc/alternatives/${executable}' ]; then
        rm -f '/usr/bin/${executable}'
    fi
    update-alternatives --install '/usr/bin/${executable}' '${executable}' '/opt/${sanitizedProductName}/${executable}' 100 || ln -sf '/opt/${sanitizedProductName}/${executable}' '/usr/bin/${executable}'
else
    ln -sf '/opt/${sanitizedProductName}/${executable}' '/usr/bin/${executable}'
fi

# Use the SUID Chromium sandbox only where user namespaces do not work.
if ! { [[ -L /proc/self/ns/user ]] && unshare --user true; }; then
    chmod 4755 '/opt/${sanitizedProductName}/chrome-sandbox' || true
else
    chmod 0755 '/opt/${sanitizedProductName}/chrome-sandbox' || true
fi

if hash update-mime-database 2>/dev/null; then
    update-mime-database /usr/share/mime || true
fi

if hash update-desktop-database 2>/dev/null; then
    update-desktop-database /usr/share/applications || true
fi

if apparmor_status --enabled > /dev/null 2>&1; then
  APPARMOR_PROFILE_SOURCE='/opt/${sanitizedProductName}/resources/apparmor-profile'
  APPARMOR_PROFILE_TARGET='/etc/apparmor.d/${executable}'
  if apparmor_parser --skip-kernel-load --debug "$APPARMOR_PROFILE_SOURCE" > /dev/null 2>&1; then
    cp -f "$APPARMOR_PROFILE_SOURCE" "$APPARMOR_PROFILE_TARGET"
    if ! { [ -x '/usr/bin/ischroot' ] && /usr/bin/ischroot; } && hash apparmor_parser 2>/dev/null; then
      apparmor_parser --replace --write-cache --skip-read-cache "$APPARMOR_PROFILE_TARGET"
    fi
  fi
fi

# Harbour: config file (root only), the machine service's systemd unit, the session
# helper's XDG autostart entry, native messaging host, Chrome/Edge policies.
# A failure is reported but does not leave the package half-configured: the writer
# changes nothing when its input is bad, and can be run again by hand.
if ! '/opt/${sanitizedProductName}/resources/harbour-agent-install' install --platform linux --install-dir '/opt/${sanitizedProductName}' --token-file "${HARBOUR_ENROLMENT_TOKEN_FILE:-}"; then
    echo "Harbour: the machine-wide settings were not written. Run" >&2
    echo "  sudo /opt/${sanitizedProductName}/resources/harbour-agent-install install --server <url> --token-file <file only root can read>" >&2
fi

# The machine service: enabled at boot and (re)started now, where systemd runs. A restart
# on upgrade ends the service alone (KillMode=process): helpers keep the pupils' screens.
if [ -d /run/systemd/system ] && [ -f /etc/systemd/system/harbour-agent.service ]; then
    systemctl daemon-reload || true
    systemctl enable harbour-agent.service || true
    systemctl restart harbour-agent.service || true
fi
