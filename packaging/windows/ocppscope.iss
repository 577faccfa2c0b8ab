; Inno Setup recipe for the Windows installer; packaging/build.py passes AppVersion and
; SourceDir (the PyInstaller folder).
[Setup]
AppName=OCPP Scope
AppVersion={#AppVersion}
DefaultDirName={autopf}\OCPP Scope
DefaultGroupName=OCPP Scope
OutputBaseFilename=ocppscope-{#AppVersion}-windows-setup
Compression=lzma2
SolidCompression=yes
ArchitecturesInstallIn64BitMode=x64compatible
ChangesAssociations=yes

[Files]
Source: "{#SourceDir}\*"; DestDir: "{app}"; Flags: recursesubdirs ignoreversion

[Icons]
Name: "{group}\OCPP Scope"; Filename: "{app}\ocppscope.exe"
Name: "{autodesktop}\OCPP Scope"; Filename: "{app}\ocppscope.exe"; Tasks: desktopicon

[Tasks]
Name: desktopicon; Description: "Create a desktop shortcut"; Flags: unchecked

[Registry]
Root: HKA; Subkey: "Software\Classes\.jsonl\OpenWithProgids"; ValueType: string; ValueName: "OCPPScope.Session"; ValueData: ""; Flags: uninsdeletevalue
Root: HKA; Subkey: "Software\Classes\OCPPScope.Session\shell\open\command"; ValueType: string; ValueName: ""; ValueData: """{app}\ocppscope.exe"" ""%1"""; Flags: uninsdeletekey
