"""The macOS download: `OCPP Scope.app` (made by the spec's BUNDLE) in a .dmg.

Unsigned by default: Gatekeeper then refuses a double-click, and the README tells how to
open it once (right-click > Open, or System Settings > Privacy & Security > Open Anyway).
With a Developer ID certificate in the keychain, set MACOS_SIGN_IDENTITY (its name) and the
app and the image are signed with the hardened runtime; with NOTARY_PROFILE too (a
`xcrun notarytool store-credentials` profile), the image is notarized and stapled.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from buildinfo import PACKAGING, Product

ENTITLEMENTS = PACKAGING / "macos" / "entitlements.plist"


def sign(path: Path, identity: str) -> None:
    subprocess.run(["codesign", "--force", "--deep", "--timestamp", "--options", "runtime",
                    "--entitlements", str(ENTITLEMENTS), "--sign", identity, str(path)],
                   check=True)
    subprocess.run(["codesign", "--verify", "--deep", "--strict", str(path)], check=True)


def disk_image(app: Path, product: Product, arch: str, dist: Path) -> Path:
    """The .dmg holding the app and a link to /Applications to drag it onto."""
    identity = os.environ.get("MACOS_SIGN_IDENTITY")
    if identity:
        sign(app, identity)
    staging = dist / "dmg"
    if staging.exists():
        shutil.rmtree(staging)
    staging.mkdir()
    shutil.copytree(app, staging / app.name, symlinks=True)
    (staging / "Applications").symlink_to("/Applications")
    image = dist / f"{product.command}-{product.version}-macos-{arch}.dmg"
    image.unlink(missing_ok=True)
    subprocess.run(["hdiutil", "create", "-volname", product.name, "-srcfolder", str(staging),
                    "-fs", "HFS+", "-format", "UDZO", "-ov", str(image)], check=True)
    shutil.rmtree(staging)
    if identity:
        sign(image, identity)
        profile = os.environ.get("NOTARY_PROFILE")
        if profile:
            subprocess.run(["xcrun", "notarytool", "submit", str(image), "--keychain-profile",
                            profile, "--wait"], check=True)
            subprocess.run(["xcrun", "stapler", "staple", str(image)], check=True)
    return image
