#!/bin/sh
# Removes Sluimer from a Mac (run as root, e.g. from Jamf): stops the service, puts the original
# power settings back (sluimer-agent restore), then removes the LaunchDaemon, LaunchAgent and app.
set -e
APP=/Applications/Sluimer.app
launchctl bootout system/nl.sluimer.agent 2>/dev/null || true
for uid in $(ps -axo uid=,comm= | awk '$2 ~ /loginwindow$/ {print $1}' | sort -u); do
  launchctl bootout "gui/$uid/nl.sluimer.tray" 2>/dev/null || true
done
if [ -x "$APP/Contents/MacOS/Sluimer" ]; then
  ELECTRON_RUN_AS_NODE=1 "$APP/Contents/MacOS/Sluimer" "$APP/Contents/Resources/app.asar.unpacked/dist/service.mjs" restore \
    || echo "sluimer: restoring the original power settings failed" >&2
fi
rm -f /Library/LaunchDaemons/nl.sluimer.agent.plist /Library/LaunchAgents/nl.sluimer.tray.plist
rm -rf "$APP"
pkgutil --forget nl.sluimer.tray >/dev/null 2>&1 || true
echo "Sluimer removed. Settings and data stay in /Library/Application Support/Sluimer (delete by hand if wanted)."
