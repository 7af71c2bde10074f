; NSIS hooks for electron-builder (nsis.include). Per-machine install: register the service and
; start the tray for every user at logon (HKLM Run). The Start Menu shortcut electron-builder creates
; carries the AppUserModelID (appId nl.sluimer.tray), which Windows needs to show the tray's toasts.
; Unverified on real Windows: the order of electron-builder's uninstall macros (we remove the files
; ourselves in customRemoveFiles, after the service is gone and the settings are restored).
!include LogicLib.nsh

!macro customInstall
  nsExec::ExecToLog 'powershell.exe -NoProfile -NonInteractive -ExecutionPolicy Bypass -File "$INSTDIR\resources\install\windows\install-service.ps1" -InstallDir "$INSTDIR"'
  Pop $0
  ${If} $0 != 0
    DetailPrint "Sluimer: service registration failed ($0); see docs/deployment.md"
  ${EndIf}
  WriteRegStr HKLM "Software\Microsoft\Windows\CurrentVersion\Run" "Sluimer" '"$INSTDIR\Sluimer.exe"'
!macroend

; runs while the files still exist; on an update the old uninstaller runs too, and then nothing
; is restored (the new version keeps enforcing)
!macro customRemoveFiles
  ${IfNot} ${isUpdated}
    nsExec::ExecToLog 'powershell.exe -NoProfile -NonInteractive -ExecutionPolicy Bypass -File "$INSTDIR\resources\install\windows\uninstall-service.ps1" -InstallDir "$INSTDIR"'
    Pop $0
    DeleteRegValue HKLM "Software\Microsoft\Windows\CurrentVersion\Run" "Sluimer"
  ${Else}
    ; update: only stop the service so its files can be replaced; install-service.ps1 starts it again
    nsExec::ExecToLog 'sc.exe stop SluimerAgent'
    Pop $0
    Sleep 3000
  ${EndIf}
  RMDir /r $INSTDIR
!macroend
