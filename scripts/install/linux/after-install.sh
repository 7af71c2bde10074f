#!/bin/sh
# deb postinst: register the system service and the tray autostart for every user.
set -e
SRC=/opt/Sluimer/resources/install/linux
install -m 0644 "$SRC/sluimer-agent.service" /lib/systemd/system/sluimer-agent.service
install -d -m 0755 /etc/xdg/autostart
install -m 0644 "$SRC/sluimer-tray.desktop" /etc/xdg/autostart/sluimer-tray.desktop
install -d -m 0755 /etc/sluimer
if [ -d /run/systemd/system ] && command -v systemctl >/dev/null 2>&1; then
  systemctl daemon-reload
  systemctl enable sluimer-agent.service
  # start (or restart after an upgrade); without a config yet it logs what is missing and retries
  systemctl restart sluimer-agent.service || true
fi
exit 0
