<#
  Registers and starts the Sluimer agent as a Windows service (run by the NSIS installer as admin,
  or by hand: powershell -ExecutionPolicy Bypass -File install-service.ps1 -InstallDir "C:\Program Files\Sluimer").
  Optional: -Server and -EnrollSecret write %ProgramData%\Sluimer\agent.json (readable by SYSTEM and
  Administrators only). Intune/GPO can instead set HKLM\SOFTWARE\Policies\Sluimer (docs/deployment.md).
#>
param(
  [Parameter(Mandatory = $true)][string]$InstallDir,
  [string]$Server,
  [string]$EnrollSecret
)
$ErrorActionPreference = 'Stop'
$here = Join-Path $InstallDir 'resources\install\windows'
$winsw = Join-Path $here 'SluimerService.exe'
if (-not (Test-Path $winsw)) {
  throw "SluimerService.exe (WinSW) is missing in $here. The installer was built without it; see docs/deployment.md 'Building the installers'."
}

$data = Join-Path $env:ProgramData 'Sluimer'
New-Item -ItemType Directory -Force -Path $data, (Join-Path $data 'logs') | Out-Null
# the data folder holds the device token and possibly the enroll secret: SYSTEM and Administrators only
& icacls.exe $data /inheritance:r /grant:r '*S-1-5-18:(OI)(CI)F' '*S-1-5-32-544:(OI)(CI)F' | Out-Null

if ($Server -or $EnrollSecret) {
  $configPath = Join-Path $data 'agent.json'
  # Windows PowerShell 5.1 has no ConvertFrom-Json -AsHashtable: copy the properties by hand
  $config = [ordered]@{}
  if (Test-Path $configPath) {
    (Get-Content $configPath -Raw | ConvertFrom-Json).PSObject.Properties | ForEach-Object { $config[$_.Name] = $_.Value }
  }
  if ($Server) { $config['server'] = $Server }
  if ($EnrollSecret) { $config['enrollSecret'] = $EnrollSecret }
  $config | ConvertTo-Json | Set-Content -Path $configPath -Encoding UTF8
}

if (Get-Service -Name 'SluimerAgent' -ErrorAction SilentlyContinue) {
  & $winsw stop | Out-Null
  & $winsw refresh
} else {
  & $winsw install
}
if ($LASTEXITCODE -ne 0) { throw "WinSW could not register the service (exit $LASTEXITCODE)" }
& $winsw start
Write-Output 'Sluimer agent service installed and started.'
