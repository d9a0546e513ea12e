; Harbour's additions to electron-builder's NSIS installer (nsis.include).
;
; Silent, per-machine install with the server URL and the enrolment token in a file only
; administrators can read (other local users can read a command line while it runs):
;   "Harbour Setup 0.1.0.exe" /S /SERVER_URL=https://harbour.school.local /ENROLMENT_TOKEN_FILE=C:\secure\harbour-token.txt
; /ENROLMENT_TOKEN=het_... works too, but is visible on the installer's own command line
; while it runs. Either way the token reaches the writer in its environment (which only
; administrators and SYSTEM can read), never on the writer's command line.
;
; After the files are copied, the install-time writer (agent/src/install-cli.ts, run by
; the app's own runtime with ELECTRON_RUN_AS_NODE=1) writes %ProgramData%\Harbour\config.json
; (an ACL for SYSTEM and Administrators only), the machine-wide Run value that starts the
; session helper (the tray app) at every logon, the native messaging host registration and
; the Chrome/Edge ExtensionInstallForcelist policies. Then the Windows service HarbourAgent
; (WinSW, HarbourService.exe with HarbourService.xml) is registered as LocalSystem with
; automatic start, given restart-on-failure actions, and started. Uninstalling stops and
; removes the service and runs the writer again to remove exactly what it wrote (kept in
; %ProgramData%\Harbour\install-record.json); an update (the old version's uninstaller run
; by the new installer) stops the service but leaves it and the files it wrote in place.
;
; /PURGE on the uninstaller's command line also removes the service's data (the device
; credential and outbox in %ProgramData%\Harbour\service).

!include "FileFunc.nsh"
!include "LogicLib.nsh"

!define HARBOUR_INSTALL_CLI "$INSTDIR\resources\app.asar\dist\install-cli.js"
!define HARBOUR_SERVICE_EXE "$INSTDIR\HarbourService.exe"
!define HARBOUR_SERVICE_NAME "HarbourAgent"

!macro harbourRunInstallCli ARGS
  ; Run the app's executable as plain Node for the writer, then restore the environment.
  System::Call 'Kernel32::SetEnvironmentVariable(t "ELECTRON_RUN_AS_NODE", t "1")i'
  nsExec::ExecToLog '"$INSTDIR\${APP_EXECUTABLE_FILENAME}" "${HARBOUR_INSTALL_CLI}" ${ARGS}'
  Pop $0
  System::Call 'Kernel32::SetEnvironmentVariable(t "ELECTRON_RUN_AS_NODE", n)i'
!macroend

; Before files are replaced or removed: the service (which runs Harbour.exe as Node) is
; stopped and waited for, then any tray app left in users' sessions is ended (the service
; starts them again, and the Run value at the next logon). This replaces electron-builder's
; own check, which would find the service's Harbour.exe and ask a technician to close it.
!macro customCheckAppRunning
  ${If} ${FileExists} "${HARBOUR_SERVICE_EXE}"
    nsExec::ExecToLog '"${HARBOUR_SERVICE_EXE}" stopwait'
    Pop $0
  ${EndIf}
  nsExec::ExecToLog '"$SYSDIR\taskkill.exe" /F /T /IM "${APP_EXECUTABLE_FILENAME}"'
  Pop $0
!macroend

!macro customInstall
  ${GetParameters} $R0
  ClearErrors
  ${GetOptions} $R0 "/SERVER_URL=" $R1
  ${If} ${Errors}
    StrCpy $R1 ""
  ${EndIf}
  ClearErrors
  ${GetOptions} $R0 "/ENROLMENT_TOKEN=" $R2
  ${If} ${Errors}
    StrCpy $R2 ""
  ${EndIf}
  ClearErrors
  ${GetOptions} $R0 "/ENROLMENT_TOKEN_FILE=" $R3
  ${If} ${Errors}
    StrCpy $R3 ""
  ${EndIf}
  ; An empty value keeps what %ProgramData%\Harbour\config.json (or policy) already says.
  ; The token goes to the writer in its environment, not its command line.
  System::Call 'Kernel32::SetEnvironmentVariable(t "HARBOUR_ENROLMENT_TOKEN", t "$R2")i'
  ${If} $R3 != ""
    !insertmacro harbourRunInstallCli 'install --platform win32 --install-dir "$INSTDIR" --server "$R1" --token-file "$R3"'
  ${Else}
    !insertmacro harbourRunInstallCli 'install --platform win32 --install-dir "$INSTDIR" --server "$R1"'
  ${EndIf}
  System::Call 'Kernel32::SetEnvironmentVariable(t "HARBOUR_ENROLMENT_TOKEN", n)i'
  StrCpy $R2 ""
  ${If} $0 != 0
    DetailPrint "Harbour: writing the machine-wide settings failed (exit code $0)."
    ${IfNot} ${Silent}
      MessageBox MB_OK|MB_ICONEXCLAMATION "Harbour could not write its machine-wide settings (exit code $0). Check the server URL and enrolment token, then install again."
    ${EndIf}
    SetErrorLevel 2
  ${EndIf}
  ; The service: registered once (an update finds it there already: "install" then fails
  ; harmlessly), restarted by the Service Control Manager if WinSW itself ever stops, started.
  nsExec::ExecToLog '"${HARBOUR_SERVICE_EXE}" install'
  Pop $0
  nsExec::ExecToLog '"$SYSDIR\sc.exe" failure ${HARBOUR_SERVICE_NAME} reset= 3600 actions= restart/1000/restart/2000/restart/5000'
  Pop $0
  nsExec::ExecToLog '"$SYSDIR\sc.exe" failureflag ${HARBOUR_SERVICE_NAME} 1'
  Pop $0
  nsExec::ExecToLog '"${HARBOUR_SERVICE_EXE}" start'
  Pop $0
  ${If} $0 != 0
    DetailPrint "Harbour: the service did not start (exit code $0); see %ProgramData%\Harbour\service\logs."
  ${EndIf}
!macroend

!macro customUnInstall
  ${IfNot} ${isUpdated}
    nsExec::ExecToLog '"${HARBOUR_SERVICE_EXE}" stopwait'
    Pop $0
    nsExec::ExecToLog '"${HARBOUR_SERVICE_EXE}" uninstall'
    Pop $0
    ${GetParameters} $R0
    ClearErrors
    ${GetOptions} $R0 "/PURGE" $R1
    ${If} ${Errors}
      !insertmacro harbourRunInstallCli 'uninstall --platform win32'
    ${Else}
      !insertmacro harbourRunInstallCli 'uninstall --platform win32 --purge'
    ${EndIf}
  ${EndIf}
!macroend
