"""The observatory's report as a PDF, printed from the very same HTML by headless Chromium.

Chromium prints the inline SVG charts and the print stylesheet exactly as a browser would, so
the PDF and the HTML cannot say different things. It runs with no network at all (every host
name resolves to nothing): the report loads nothing, and must not start to.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
TIMEOUT_S = 120


class PrintFailed(RuntimeError):
    """The PDF could not be made (no Chromium, or Chromium failed)."""


def find_browser() -> str:
    """`ENTRAIDE_CHROMIUM` if set, else the first Chromium on the PATH."""
    chosen = os.environ.get("ENTRAIDE_CHROMIUM")
    if chosen:
        return chosen
    for name in BROWSERS:
        found = shutil.which(name)
        if found:
            return found
    raise PrintFailed(
        "No Chromium found to make the PDF. Install it (Debian: apt-get install chromium) "
        "or set ENTRAIDE_CHROMIUM; the HTML report prints from any browser too."
    )


def print_pdf(html: Path, pdf: Path, *, browser: str | None = None) -> Path:
    """Print `html` to `pdf`; raise `PrintFailed` if Chromium fails or writes nothing."""
    command = browser or find_browser()
    pdf = pdf.resolve()
    pdf.unlink(missing_ok=True)
    with tempfile.TemporaryDirectory(prefix="entraide-pdf-") as profile:
        args = [
            command,
            "--headless=new",
            "--no-sandbox",  # as root in a container; the page is our own escaped HTML
            "--disable-gpu",
            "--no-first-run",
            f"--user-data-dir={profile}",
            "--host-resolver-rules=MAP * ~NOTFOUND",
            "--no-pdf-header-footer",
            f"--print-to-pdf={pdf}",
            html.resolve().as_uri(),
        ]
        try:
            done = subprocess.run(args, capture_output=True, text=True, timeout=TIMEOUT_S)
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise PrintFailed(f"Chromium could not print the report: {exc}") from exc
    if done.returncode != 0 or not pdf.exists() or pdf.stat().st_size == 0:
        detail = (done.stderr or "").strip().splitlines()[-1:] or ["no output"]
        raise PrintFailed(f"Chromium could not print the report: {detail[0][:200]}")
    return pdf
