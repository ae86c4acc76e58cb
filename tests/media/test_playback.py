"""Signed HLS playback on local storage and on S3 (moto): links work, Range works,
expired and tampered links are refused."""

import re
import time
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from lms.extensions import db
from lms.media import services
from lms.media.jobs import run_transcode_job
from lms.media.models import VideoAsset
from lms.media.playback import (
    PlaylistUnavailable,
    cors_rules,
    master_playlist_for,
    poster_url_for,
    signed_url_for,
    signed_url_for_key,
)
from lms.media.storage import get_storage
from media_pipeline import LocalStorage

ORIGIN = "http://learn.example"


@pytest.fixture
def app(storage_app):
    storage = storage_app.extensions["lms_storage"]
    if not isinstance(storage, LocalStorage):
        storage.client.put_bucket_cors(Bucket=storage.bucket, CORSConfiguration=cors_rules(ORIGIN))
    return storage_app


@pytest.fixture
def ready_asset(app, short_clip):
    with app.app_context():
        imported = services.create_asset_from_file(short_clip, actor=None)
        db.session.commit()
        assert run_transcode_job(imported.jobs[0].id, "worker-a") == "done"
        return imported.id


def uris(playlist: str) -> list[str]:
    """Every URI in a playlist: URI lines and URI="..." attributes, in order."""
    found = []
    for line in playlist.splitlines():
        if line.startswith("#"):
            found += re.findall(r'URI="([^"]*)"', line)
        elif line.strip():
            found.append(line.strip())
    return found


def in_request(app, build):
    """Run ``build()`` as a view would (url_for needs a request)."""
    with app.test_request_context(base_url="http://localhost"):
        return build()


def asset(asset_id):
    return db.session.get(VideoAsset, asset_id)


def fetch(client, url, **headers):
    """GET a link: the app's own through the test client, S3's over HTTP."""
    if url.startswith("http://localhost/"):
        response = client.get(url.removeprefix("http://localhost"), headers=headers)
        return response.status_code, response.headers, response.get_data()
    response = requests.get(url, headers=headers)
    return response.status_code, response.headers, response.content


def variant_links(app, client, asset_id, **options):
    master = in_request(app, lambda: master_playlist_for(asset(asset_id), **options))
    assert master.startswith("#EXTM3U")
    return uris(master)


def test_every_link_of_the_playlists_plays_with_range_requests(app, client, ready_asset):
    variants = variant_links(app, client, ready_asset)
    assert len(variants) >= 2  # the 240p rung, and the audio rendition named twice
    assert all(v.startswith("http://localhost/media/hls/") for v in variants)
    media_urls = set()
    for variant in variants:
        status, headers, body = fetch(client, variant)
        assert status == 200 and headers["Content-Type"] == "application/vnd.apple.mpegurl"
        playlist = body.decode()
        assert "#EXT-X-MAP:URI=" in playlist and "BYTERANGE" in playlist
        media_urls.update(uris(playlist))
    on_s3 = not isinstance(app.extensions["lms_storage"], LocalStorage)
    for url in media_urls:
        assert url.startswith("http://127.0.0.1:" if on_s3 else "http://localhost/media/files/")
        status, headers, body = fetch(client, url, Range="bytes=0-99")
        assert status == 206 and len(body) == 100
        assert headers["Content-Type"] == "video/mp4"
        assert body[4:8] == b"ftyp"
        if on_s3:  # the bucket lets the site's pages read it, and no one else's
            preflight = {"Origin": ORIGIN, "Access-Control-Request-Method": "GET"}
            answer = requests.options(
                url, headers={**preflight, "Access-Control-Request-Headers": "range"}
            )
            assert answer.headers["Access-Control-Allow-Origin"] == ORIGIN
            other = requests.options(
                url, headers={**preflight, "Origin": "http://elsewhere.example"}
            )
            assert other.status_code == 403


def test_links_live_the_duration_plus_two_hours(app, client, ready_asset):
    before = time.time()
    variant = variant_links(app, client, ready_asset)[0]
    with app.app_context():
        duration = asset(ready_asset).duration
    expires = int(parse_qs(urlsplit(variant).query)["expires"][0])
    assert before + duration + 7200 <= expires + 1 <= time.time() + duration + 7200 + 2
    status, _, body = fetch(client, variant)
    media = uris(body.decode())[0]
    if media.startswith("http://localhost/"):
        assert parse_qs(urlsplit(media).query)["expires"] == [str(expires)]
    else:  # presigned to expire together with the app's link
        lifetime = int(parse_qs(urlsplit(media).query)["X-Amz-Expires"][0])
        assert abs(time.time() + lifetime - expires) <= 2


def test_an_expired_link_is_refused(app, client, ready_asset):
    variant = variant_links(app, client, ready_asset, expires_in_seconds=-1)[0]
    assert fetch(client, variant)[0] == 403
    with app.app_context():
        key = f"{asset(ready_asset).hls_prefix}/poster.jpg"
    if isinstance(app.extensions["lms_storage"], LocalStorage):
        expired = in_request(app, lambda: signed_url_for_key(key, expires_in_seconds=-1))
        assert fetch(client, expired)[0] == 403


def test_a_tampered_link_is_refused(app, client, ready_asset):
    variant = variant_links(app, client, ready_asset)[0]
    assert fetch(client, variant)[0] == 200
    query = parse_qs(urlsplit(variant).query)
    signature, expires = query["signature"][0], query["expires"][0]
    forged_signature = ("A" if signature[0] != "A" else "B") + signature[1:]
    assert fetch(client, variant.replace(signature, forged_signature))[0] == 403
    assert fetch(client, variant.replace(expires, str(int(expires) + 86400)))[0] == 403
    other_rung = variant.replace("/index.m3u8", "/../audio/index.m3u8")
    assert fetch(client, other_rung)[0] in (403, 404)
    assert fetch(client, variant.split("?")[0])[0] == 403
    if isinstance(app.extensions["lms_storage"], LocalStorage):
        media = uris(fetch(client, variant)[2].decode())[0]
        poster = media.replace("stream.mp4", "../poster.jpg")
        assert fetch(client, poster)[0] in (403, 404)


def test_an_expiry_in_other_digits_is_refused_not_a_500(app, client):
    for expires in ("\N{SUPERSCRIPT TWO}", "\u0661\u0662", ""):
        for link in ("/media/hls/a/index.m3u8", "/media/files/a/poster.jpg"):
            response = client.get(link, query_string={"expires": expires, "signature": "x"})
            assert response.status_code == 403, (link, expires)


def test_posters_and_captions_get_signed_links(app, client, ready_asset, tmp_path):
    captions = tmp_path / "zh.vtt"
    captions.write_text("WEBVTT\n\n00:00.000 --> 00:02.000\n大家好\n", encoding="utf-8")
    with app.app_context():
        prefix = asset(ready_asset).storage_prefix
        get_storage().put_file(captions, f"{prefix}/captions/zh.vtt")
    poster = in_request(app, lambda: poster_url_for(asset(ready_asset)))
    status, headers, body = fetch(client, poster)
    assert status == 200 and headers["Content-Type"] == "image/jpeg" and body[:2] == b"\xff\xd8"
    caption_url = in_request(app, lambda: signed_url_for(asset(ready_asset), "captions/zh.vtt"))
    status, headers, body = fetch(client, caption_url)
    assert status == 200 and headers["Content-Type"].startswith("text/vtt")
    assert "大家好" in body.decode()


def test_an_asset_that_is_not_ready_has_no_playlist(app, short_clip):
    with app.test_request_context(), app.app_context():
        queued = services.create_asset_from_file(short_clip, actor=None)
        db.session.commit()
        with pytest.raises(PlaylistUnavailable):
            master_playlist_for(queued)
