; Harbour's additions to electron-builder's NSIS installer (nsis.include).
;
; Silent, per-machine install with the server and enrolment token on the command line:
;   "Harbour Setup 0.1.0.exe" /S /SERVER_URL=https://harbour.school.local /ENROLMENT_TOKEN=het_...
;
; After the files are copied, the install-time writer (agent/src/install-cli.ts, run by
; the app's own runtime with ELECTRON_RUN_AS_NODE=1) writes %ProgramData%\Harbour\config.json,
; the machine-wide Run value that starts the agent at every logon, the native messaging
; host registration and the Chrome/Edge ExtensionInstallForcelist policies. Uninstalling
; runs it again to remove exactly what it wrote (kept in %ProgramData%\Harbour\install-record.json);
; an update (the old version's uninstaller run by the new installer) leaves them in place.

!include "FileFunc.nsh"
!include "LogicLib.nsh"

!define HARBOUR_INSTALL_CLI "$INSTDIR\resources\app.asar\dist\install-cli.js"

!macro harbourRunInstallCli ARGS
  ; Run the app's executable as plain Node for the writer, then restore the environment.
  System::Call 'Kernel32::SetEnvironmentVariable(t "ELECTRON_RUN_AS_NODE", t "1")i'
  nsExec::ExecToLog '"$INSTDIR\${APP_EXECUTABLE_FILENAME}" "${HARBOUR_INSTALL_CLI}" ${ARGS}'
  Pop $0
  System::Call 'Kernel32::SetEnvironmentVariable(t "ELECTRON_RUN_AS_NODE", n)i'
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
  ; An empty value keeps what %ProgramData%\Harbour\config.json (or policy) already says.
  !insertmacro harbourRunInstallCli 'install --platform win32 --install-dir "$INSTDIR" --server "$R1" --token "$R2"'
  ${If} $0 != 0
    DetailPrint "Harbour: writing the machine-wide settings failed (exit code $0)."
    ${IfNot} ${Silent}
      MessageBox MB_OK|MB_ICONEXCLAMATION "Harbour could not write its machine-wide settings (exit code $0). Check the server URL and enrolment token, then install again."
    ${EndIf}
    SetErrorLevel 2
  ${EndIf}
!macroend

!macro customUnInstall
  ${IfNot} ${isUpdated}
    !insertmacro harbourRunInstallCli 'uninstall --platform win32'
  ${EndIf}
!macroend
