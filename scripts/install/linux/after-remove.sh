#!/bin/sh
# deb postrm: remove what after-install.sh put outside /opt/Sluimer. The data in /var/lib/sluimer
# (outbox, saved originals) is removed only on purge.
set -e
case "$1" in
  upgrade|failed-upgrade) exit 0 ;;
esac
rm -f /lib/systemd/system/sluimer-agent.service /etc/xdg/autostart/sluimer-tray.desktop
if [ -d /run/systemd/system ] && command -v systemctl >/dev/null 2>&1; then
  systemctl daemon-reload || true
fi
if [ "$1" = "purge" ]; then
  rm -rf /var/lib/sluimer
fi
exit 0
