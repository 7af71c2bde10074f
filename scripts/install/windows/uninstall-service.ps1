<#
  Stops the Sluimer agent, puts the original power settings back (sluimer-agent restore) and removes
  the Windows service. Run by the NSIS uninstaller; by hand:
  powershell -ExecutionPolicy Bypass -File uninstall-service.ps1 -InstallDir "C:\Program Files\Sluimer"
#>
param([Parameter(Mandatory = $true)][string]$InstallDir)
$ErrorActionPreference = 'Continue'
$here = Join-Path $InstallDir 'resources\install\windows'
$winsw = Join-Path $here 'SluimerService.exe'

if (Test-Path $winsw) { & $winsw stop | Out-Null }
else { Stop-Service -Name 'SluimerAgent' -ErrorAction SilentlyContinue }

# put back the power settings saved before the agent's first change
$env:ELECTRON_RUN_AS_NODE = '1'
& (Join-Path $InstallDir 'Sluimer.exe') (Join-Path $InstallDir 'resources\app.asar.unpacked\dist\service.mjs') restore
if ($LASTEXITCODE -ne 0) { Write-Warning "sluimer-agent restore failed (exit $LASTEXITCODE); see %ProgramData%\Sluimer\logs" }
Remove-Item Env:\ELECTRON_RUN_AS_NODE

if (Test-Path $winsw) { & $winsw uninstall }
else { & sc.exe delete SluimerAgent | Out-Null }
Write-Output 'Sluimer agent service removed.'
