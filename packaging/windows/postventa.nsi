; Postventa's Windows installer: a per-user install that needs no administrator rights.
;
; Installs the PyInstaller one-folder build (dist\postventa: postventa.exe, the windowed GUI;
; postventa-cli.exe, the same program for the command line; _internal\, the libraries) into
; %LOCALAPPDATA%\Programs\Postventa, adds a Start-menu shortcut and an uninstaller registered under
; HKCU (Settings > Apps). The user's data (%LOCALAPPDATA%\Postventa\postventa.sqlite3) is another folder
; and is never touched by installing, upgrading or uninstalling.
;
; Build, after `pyinstaller --noconfirm packaging/postventa.spec` (paths are relative to this file's
; folder, where makensis runs):
;
;   makensis -WX /DVERSION=0.1.0 packaging\windows\postventa.nsi
;       -> dist\Postventa-0.1.0-setup.exe
;
; Defines: VERSION (required, X.Y.Z), DIST (the one-folder build, default ..\..\dist\postventa),
; OUTFILE (default ..\..\dist\Postventa-<VERSION>-setup.exe).
;
; Stand-in check on Linux (.ci/run; the Windows build cannot be made there): Debian's makensis compiles
; this script with warnings as errors against a stand-in folder holding empty postventa.exe,
; postventa-cli.exe and _internal\ files:
;
;   makensis -WX -DVERSION=0.1.0 -DDIST=/tmp/standin/postventa -DOUTFILE=/tmp/standin/Postventa-setup.exe packaging/windows/postventa.nsi

Unicode true
ManifestDPIAware true
SetCompressor /SOLID lzma
RequestExecutionLevel user

!ifndef VERSION
  !error "Pass the version: makensis /DVERSION=X.Y.Z postventa.nsi"
!endif
!ifndef DIST
  !define DIST "..\..\dist\postventa"
!endif
!ifndef OUTFILE
  !define OUTFILE "..\..\dist\Postventa-${VERSION}-setup.exe"
!endif
!define APP "Postventa"
!define PUBLISHER "Postventa"
!define GUI_EXE "postventa.exe"
!define CLI_EXE "postventa-cli.exe"
!define UNINSTALL_KEY "Software\Microsoft\Windows\CurrentVersion\Uninstall\${APP}"
!define ICON "..\..\resources\icons\postventa.ico"

!include "MUI2.nsh"
!include "FileFunc.nsh"

Name "${APP} ${VERSION}"
OutFile "${OUTFILE}"
InstallDir "$LOCALAPPDATA\Programs\${APP}"
InstallDirRegKey HKCU "${UNINSTALL_KEY}" "InstallLocation"
BrandingText "${APP} ${VERSION}"

VIProductVersion "${VERSION}.0"
VIAddVersionKey /LANG=0 "ProductName" "${APP}"
VIAddVersionKey /LANG=0 "ProductVersion" "${VERSION}"
VIAddVersionKey /LANG=0 "FileVersion" "${VERSION}"
VIAddVersionKey /LANG=0 "FileDescription" "${APP} installer"
VIAddVersionKey /LANG=0 "CompanyName" "${PUBLISHER}"
VIAddVersionKey /LANG=0 "LegalCopyright" "${PUBLISHER}"

!define MUI_ICON "${ICON}"
!define MUI_UNICON "${ICON}"
!define MUI_ABORTWARNING
!define MUI_FINISHPAGE_RUN "$INSTDIR\${GUI_EXE}"

!insertmacro MUI_PAGE_WELCOME
!insertmacro MUI_PAGE_DIRECTORY
!insertmacro MUI_PAGE_INSTFILES
!insertmacro MUI_PAGE_FINISH
!insertmacro MUI_UNPAGE_CONFIRM
!insertmacro MUI_UNPAGE_INSTFILES

; The first language is the default; Windows in English gets English.
!insertmacro MUI_LANGUAGE "Spanish"
!insertmacro MUI_LANGUAGE "English"

Section "${APP}" SecMain
  SectionIn RO
  SetShellVarContext current
  SetOutPath "$INSTDIR"
  ; An upgrade replaces the libraries whole: files of the previous version must not linger.
  RMDir /r "$INSTDIR\_internal"
  File "${DIST}\${GUI_EXE}"
  File "${DIST}\${CLI_EXE}"
  File /r "${DIST}\_internal"
  WriteUninstaller "$INSTDIR\uninstall.exe"

  CreateShortcut "$SMPROGRAMS\${APP}.lnk" "$INSTDIR\${GUI_EXE}" "" "$INSTDIR\${GUI_EXE}" 0

  WriteRegStr HKCU "${UNINSTALL_KEY}" "DisplayName" "${APP}"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "DisplayVersion" "${VERSION}"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "Publisher" "${PUBLISHER}"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "DisplayIcon" "$INSTDIR\${GUI_EXE}"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "InstallLocation" "$INSTDIR"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "UninstallString" '"$INSTDIR\uninstall.exe"'
  WriteRegStr HKCU "${UNINSTALL_KEY}" "QuietUninstallString" '"$INSTDIR\uninstall.exe" /S'
  WriteRegDWORD HKCU "${UNINSTALL_KEY}" "NoModify" 1
  WriteRegDWORD HKCU "${UNINSTALL_KEY}" "NoRepair" 1
  ${GetSize} "$INSTDIR" "/S=0K" $0 $1 $2
  IntFmt $0 "0x%08X" $0
  WriteRegDWORD HKCU "${UNINSTALL_KEY}" "EstimatedSize" "$0"
SectionEnd

Section "Uninstall"
  SetShellVarContext current
  Delete "$SMPROGRAMS\${APP}.lnk"
  ; Only what the installer put there: the folder may have been chosen by the user.
  RMDir /r "$INSTDIR\_internal"
  Delete "$INSTDIR\${GUI_EXE}"
  Delete "$INSTDIR\${CLI_EXE}"
  Delete "$INSTDIR\uninstall.exe"
  RMDir "$INSTDIR"
  DeleteRegKey HKCU "${UNINSTALL_KEY}"
SectionEnd
