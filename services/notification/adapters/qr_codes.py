"""QR codes of the tickets mailed, as PNG (segno: pure Python, no imaging library)."""

from __future__ import annotations

import io

import segno


class PngQrRenderer:
    def png(self, text: str) -> bytes:
        out = io.BytesIO()
        # Error correction M, as the ticket's own QR (GET /api/v1/tickets/{id}/qr): readable
        # from a phone screen with some glare.
        segno.make(text, error="m", micro=False).save(out, kind="png", scale=8, border=4)
        return out.getvalue()
