#!/usr/bin/env bash
# Pack dist/Postventa.app (from `pyinstaller packaging/postventa.spec` on macOS) into a disk image,
# dist/Postventa-<version>.dmg, with a link to /Applications to drag it onto.
#
#   packaging/macos/make-dmg.sh [DIST]          (DIST: the folder holding Postventa.app, default dist)
#
# Optional, by environment (README, "Installing on Windows and macOS"):
#   CODESIGN_IDENTITY  "Developer ID Application: Name (TEAMID)": the image is signed. The .app itself is
#                      signed during the PyInstaller build (POSTVENTA_CODESIGN_IDENTITY, same identity).
#   APPLE_ID, APPLE_TEAM_ID, APPLE_APP_PASSWORD: the image is notarised (xcrun notarytool) and the
#                      ticket stapled to it (xcrun stapler), so Gatekeeper opens it offline.
# macOS only (hdiutil, codesign, xcrun): it cannot run on the Linux CI, which checks its syntax.
set -euo pipefail

dist="${1:-dist}"
app="$dist/Postventa.app"
[ -d "$app" ] || { echo "no $app: build it first with pyinstaller packaging/postventa.spec" >&2; exit 1; }
version="$(/usr/libexec/PlistBuddy -c 'Print :CFBundleShortVersionString' "$app/Contents/Info.plist")"
dmg="$dist/Postventa-$version.dmg"

if [ -n "${CODESIGN_IDENTITY:-}" ]; then
  codesign --verify --deep --strict --verbose=2 "$app"  # signed by the build, with the hardened runtime
fi

staging="$(mktemp -d)"
trap 'rm -rf "$staging"' EXIT
ditto "$app" "$staging/Postventa.app"  # ditto keeps the symlinks and signatures of the bundle intact
ln -s /Applications "$staging/Applications"
rm -f "$dmg"
hdiutil create -volname "Postventa $version" -srcfolder "$staging" -fs HFS+ -format UDZO -ov "$dmg"

if [ -n "${CODESIGN_IDENTITY:-}" ]; then
  codesign --force --timestamp --sign "$CODESIGN_IDENTITY" "$dmg"
fi
if [ -n "${APPLE_ID:-}" ] && [ -n "${APPLE_TEAM_ID:-}" ] && [ -n "${APPLE_APP_PASSWORD:-}" ]; then
  xcrun notarytool submit "$dmg" --apple-id "$APPLE_ID" --team-id "$APPLE_TEAM_ID" \
    --password "$APPLE_APP_PASSWORD" --wait
  xcrun stapler staple "$dmg"
  xcrun stapler validate "$dmg"
  spctl --assess --type open --context context:primary-signature --verbose=2 "$dmg"
fi
echo "$dmg"
