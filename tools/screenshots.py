"""Regenerate the README's screenshots: the browser tests take them on the way.

    python -m tools.screenshots            # all of docs/screenshots/, about three minutes

Runs ``tests/browser`` (Playwright and Debian's Chromium) with ``TANDEM_SCREENSHOTS`` pointing at
``docs/screenshots``; a test run without that variable writes nothing into the repository.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FOLDER = ROOT / "docs" / "screenshots"


def main() -> int:
    env = {**os.environ, "TANDEM_SCREENSHOTS": str(FOLDER)}
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/browser"]
    result = subprocess.run(command, cwd=ROOT, env=env, check=False)
    if result.returncode == 0:
        print(f"screenshots in {FOLDER.relative_to(ROOT)}: {', '.join(sorted(p.name for p in FOLDER.glob('*.png')))}")
    return result.returncode


if __name__ == "__main__":
    raise SystemExit(main())
