"""Debian's Chromium as the browser tests and scripts/screenshots.py start it, and the
steps both take in its pages."""

import subprocess
from pathlib import Path
from urllib.parse import urljoin

import segno

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-quic",
    "--autoplay-policy=no-user-gesture-required",
]


def card_clip(directory: Path, payloads) -> str:
    """A Y4M clip for Chromium's fake camera: each card's QR (segno, as the app's card
    page draws it) for one second, on a white 640×480 picture."""
    directory.mkdir(parents=True, exist_ok=True)
    inputs, filters = [], []
    for index, payload in enumerate(payloads):
        image = directory / f"card{index}.png"
        segno.make(payload, error="m").save(str(image), scale=8, border=4)
        inputs += ["-loop", "1", "-t", "1", "-i", str(image)]
        filters.append(
            f"[{index}]scale=640:480:force_original_aspect_ratio=decrease,"
            f"pad=640:480:(ow-iw)/2:(oh-ih)/2:white,setsar=1,fps=5,format=yuv420p[v{index}]"
        )
    joined = "".join(f"[v{index}]" for index in range(len(payloads)))
    graph = ";".join(filters) + f";{joined}concat=n={len(payloads)}:v=1[out]"
    clip = directory / "cards.y4m"
    subprocess.run(
        ["ffmpeg", "-v", "error", "-y", *inputs, "-filter_complex", graph, "-map", "[out]"]
        + [str(clip)],
        check=True,
        timeout=120,
    )
    return str(clip)


def submit_login_form(page, username, password):
    """Fill in the log-in form on this page and send it; fail at once unless it logs in."""
    page.fill("#username", username)
    page.fill("#password", password)
    with page.expect_response(
        lambda response: response.request.method == "POST" and "/login" in response.url
    ) as answer:
        page.click("form.form button[type=submit]")
    if answer.value.status != 302:
        raise AssertionError(f"POST /login as {username} answered {answer.value.status}")


def log_in(page, base_url, username, password):
    page.goto(f"{base_url}/login")
    submit_login_form(page, username, password)
    page.wait_for_selector("header form[action='/logout'] button", state="attached")


def log_out(page):
    """Click 退出 (on a phone it is on 我的, not in the header) and wait until the
    response that ends the session has arrived."""
    button = page.locator("header form[action='/logout'] button")
    if not button.is_visible():
        page.goto(urljoin(page.url, "/me"))
        button = page.locator("main form[action='/logout'] button")
    with page.expect_navigation():
        button.click()


def play_lesson_muted(page):
    """Start the lesson video once the player and study scripts have set it up: a play()
    sent before hls.js attaches is cancelled by that attach and the video stays paused.
    A refused play() is kept in ``window.lmsPlayError`` for the test's message."""
    page.wait_for_function("() => window.lmsStudy && window.lmsStudy.session()")
    page.evaluate(
        "() => { const v = document.getElementById('video'); v.muted = true;"
        " v.play().catch((error) => { window.lmsPlayError = String(error); }); }"
    )
