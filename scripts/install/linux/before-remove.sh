#!/bin/sh
# deb prerm: on removal (not on upgrade) stop the service and put the original power settings back.
set -e
case "$1" in
  upgrade|failed-upgrade) exit 0 ;;
esac
if [ -d /run/systemd/system ] && command -v systemctl >/dev/null 2>&1; then
  systemctl stop sluimer-agent.service || true
  systemctl disable sluimer-agent.service || true
fi
if [ -x /opt/Sluimer/sluimer ]; then
  ELECTRON_RUN_AS_NODE=1 /opt/Sluimer/sluimer /opt/Sluimer/resources/app.asar.unpacked/dist/service.mjs restore \
    || echo "sluimer: restoring the original power settings failed; see 'sluimer-agent restore --json'" >&2
fi
exit 0
