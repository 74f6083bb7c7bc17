"""Invitation links as QR codes: inline SVG made on the server (segno, pure Python), so the
printed page needs no script, no image request and nothing from elsewhere."""

from __future__ import annotations

import segno
from markupsafe import Markup, escape

# Medium error correction: still readable from a creased or slightly stained poster.
ERROR_CORRECTION = "m"


def qr_svg(data: str, title: str) -> Markup:
    """`data` as a QR code, an SVG element that scales to its box, named `title` for screen
    readers; black on white whatever the page's colours (phones read dark on light best)."""
    code = segno.make(data, error=ERROR_CORRECTION, micro=False)
    svg = code.svg_inline(
        scale=10, border=4, dark="#000", light="#fff", omitsize=True, svgclass="qr"
    )
    # One image with a name for assistive tools (not 370 meaningless paths).
    label = escape(title)
    return Markup(svg.replace("<svg ", f'<svg role="img" aria-label="{label}" ', 1))
