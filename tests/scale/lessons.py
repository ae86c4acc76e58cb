"""A teacher's upload through tus and a learner's playback, as plain HTTP clients."""

import re
from urllib.parse import urlsplit

import requests
from tusclient import client as tus

TUS = {"Tus-Resumable": "1.0.0"}
_URI_ATTRIBUTE = re.compile(r'URI="([^"]*)"')
_BYTERANGE = re.compile(r"#EXT-X-BYTERANGE:(\d+)(?:@(\d+))?")


def upload_video(base: str, headers: dict, lesson_id: int, path) -> str:
    """Upload ``path`` for the lesson with tuspy (a tus client we did not write);
    returns the upload's URL."""
    options = requests.options(f"{base}/api/v1/uploads", headers=TUS, timeout=30)
    chunk_size = int(options.headers["Lms-Chunk-Size"])
    client = tus.TusClient(f"{base}/api/v1/uploads", headers=headers)
    uploader = client.uploader(
        str(path),
        chunk_size=chunk_size,
        metadata={"filename": path.name, "purpose": f"lesson:{lesson_id}"},
    )
    uploader.upload()
    return uploader.url


def video_state(base: str, headers: dict, lesson_id: int) -> dict:
    """The lesson's current and pending video, as its teacher's page polls it."""
    reply = requests.get(f"{base}/api/v1/lessons/{lesson_id}/video", headers=headers, timeout=30)
    assert reply.status_code == 200, reply.text
    return reply.json()


def playlist_uris(text: str) -> list[str]:
    """Every URI in an HLS playlist: URI lines and URI="..." attributes."""
    uris = []
    for line in text.splitlines():
        line = line.strip()
        if line.startswith("#"):
            uris += _URI_ATTRIBUTE.findall(line)
        elif line:
            uris.append(line)
    return uris


def first_byte_range(text: str) -> tuple[str, int, int]:
    """(url, offset, length) of the first media segment of a single-file variant."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    for number, line in enumerate(lines):
        match = _BYTERANGE.match(line)
        if match:
            url = next(later for later in lines[number + 1 :] if not later.startswith("#"))
            return url, int(match.group(2) or 0), int(match.group(1))
    raise AssertionError(f"no EXT-X-BYTERANGE in\n{text}")


def netloc(url: str) -> str:
    return urlsplit(url).netloc
