"""QR codes as PNG (the `qrcode` package, drawn with Pillow)."""

from __future__ import annotations

import io

import qrcode
from qrcode.constants import ERROR_CORRECT_M


class PngQrRenderer:
    def png(self, text: str) -> bytes:
        code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, box_size=8, border=4)
        code.add_data(text)
        code.make(fit=True)
        out = io.BytesIO()
        code.make_image(fill_color="black", back_color="white").save(out, format="PNG")
        return out.getvalue()
