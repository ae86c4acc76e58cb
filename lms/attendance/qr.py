"""QR images made with segno, as data URIs ready for an <img>."""

import segno


def qr_png_data_uri(text: str, *, scale: int = 8, border: int = 4) -> str:
    """A PNG (black on white, quiet zone included) of ``text``; medium error correction."""
    return segno.make(text, error="m").png_data_uri(scale=scale, border=border)
