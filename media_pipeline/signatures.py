"""Magic numbers read from a file's first bytes: a still image renamed to .mp4, or the
start of a container ffprobe could not open (then the file is corrupt, not foreign)."""

# Magic numbers of still images that someone may rename to .mp4.
_IMAGE_SIGNATURES = {
    b"\x89PNG\r\n\x1a\n": "png",
    b"GIF87a": "gif",
    b"GIF89a": "gif",
    b"\xff\xd8\xff": "jpeg",
    b"BM": "bmp",
    b"II*\x00": "tiff",
    b"MM\x00*": "tiff",
}
_IMAGE_BRANDS = {b"heic", b"heix", b"mif1", b"msf1", b"avif", b"avis"}
_ISO_BOX_TYPES = {b"ftyp", b"moov", b"mdat", b"free", b"skip", b"wide", b"pnot", b"uuid"}
_CONTAINER_MAGIC = (b"\x1a\x45\xdf\xa3", b"ID3", b"RIFF")


def sniff_image(header: bytes) -> str | None:
    for signature, name in _IMAGE_SIGNATURES.items():
        if header.startswith(signature):
            return name
    if header[:4] == b"RIFF" and header[8:12] == b"WEBP":
        return "webp"
    if header[4:8] == b"ftyp" and header[8:12] in _IMAGE_BRANDS:
        return header[8:12].decode()
    return None


def looks_like_container(header: bytes) -> bool:
    return header[4:8] in _ISO_BOX_TYPES or header.startswith(_CONTAINER_MAGIC)
