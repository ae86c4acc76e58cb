"""Take the screenshots in docs/screenshots/ from the demo that ``flask lms seed-demo`` builds.

    .venv/bin/python scripts/screenshots.py [--out docs/screenshots] [--clip-seconds N]

A fresh temporary instance (its own SQLite database and media folder, whatever LMS_*
settings the shell has) is migrated and seeded, served on a free loopback port with the
embedded worker, and Debian's Chromium (through Playwright) takes each page in normal
and in elder mode: home, the course catalogue and a lesson playing with captions at a
phone's size; the staff scanner of today's class (a fake camera shows it a learner's
card) and the top of the admin dashboard at a desktop's. Every wait is for a condition, never a
fixed time. The PNGs are quantised to 256 colours to stay small.
"""

import argparse
import io
import os
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.e2e.chromium import CHROMIUM, CHROMIUM_ARGS, card_clip, log_in  # noqa: E402

PHONE = {"width": 412, "height": 915}
DESKTOP = {"width": 1280, "height": 900}
WAIT_MS = 90_000
PASSWORD = "demo12345"


def serve(instance: Path, clip_seconds: float | None):
    """Migrate and seed a new instance and serve it; (app, base URL, server, facts)."""
    from flask_migrate import upgrade
    from werkzeug.serving import make_server

    from lms import create_app
    from lms.cli import DemoOptions, run_demo_seeders

    environ = {key: value for key, value in os.environ.items() if not key.startswith("LMS_")}
    environ.update(LMS_INSTANCE_PATH=str(instance), LMS_EMBEDDED_WORKER="1")
    app = create_app(environ=environ)
    started = time.monotonic()
    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"))
        for line in run_demo_seeders(PASSWORD, DemoOptions(clip_seconds=clip_seconds)):
            print(line, flush=True)
        facts = demo_facts()
    print(f"migrated and seeded in {time.monotonic() - started:.1f} s", flush=True)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return app, f"http://127.0.0.1:{server.server_port}", server, facts


def demo_facts() -> dict:
    """What the pages need: the captioned lesson, today's class, two learners' cards."""
    from flask import current_app

    from lms.accounts.services import find_user_by_username
    from lms.attendance.cards import get_or_issue_card
    from lms.attendance.cli import DEMO_NOW_TITLE
    from lms.attendance.models import ClassSession
    from lms.attendance.tokens import card_payload
    from lms.courses.cli import demo_course
    from lms.extensions import db
    from lms.timeutil import utcnow

    course = demo_course(0)
    lesson = next(lesson for lesson in course.lessons if lesson.captions_key)
    now = utcnow()
    today = next(
        each
        for each in db.session.query(ClassSession).filter_by(title=DEMO_NOW_TITLE)
        if each.starts_at <= now < each.ends_at
    )
    learners = [find_user_by_username(name) for name in ("learner", "learner2")]
    return {
        "lesson_url": f"/courses/{course.id}/lessons/{lesson.id}",
        "scanner_url": f"/class-sessions/{today.id}/scanner",
        "timezone": current_app.config["LMS_TIMEZONE"],
        "cards": [
            (card_payload(get_or_issue_card(learner).token), learner.display_name)
            for learner in learners
        ],
    }


def save_png(data: bytes, path: Path) -> None:
    """Keep the screenshot small: 256 colours, no dithering (text stays crisp)."""
    from PIL import Image

    with Image.open(io.BytesIO(data)) as image:
        small = image.convert("RGB").quantize(
            colors=256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE
        )
    small.save(path, "PNG", optimize=True)
    print(
        f"  {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}: "
        f"{path.stat().st_size // 1024} KB",
        flush=True,
    )


def set_elder_mode(page, on: bool) -> None:
    if page.evaluate("document.documentElement.classList.contains('elder')") != on:
        with page.expect_navigation():
            page.click("#elder-toggle")
    page.wait_for_function(
        f"document.documentElement.classList.contains('elder') === {'true' if on else 'false'}"
    )


def images_loaded(page) -> None:
    page.wait_for_function(
        "() => [...document.images].every((image) => image.complete && image.naturalWidth > 0)"
    )


def shoot_learner(browser, base: str, facts: dict, out: Path) -> None:
    context = browser.new_context(
        locale="zh-CN", timezone_id=facts["timezone"], viewport=PHONE, device_scale_factor=1
    )
    page = context.new_page()
    page.set_default_timeout(WAIT_MS)
    log_in(page, base, "learner", PASSWORD)
    for elder in (False, True):
        suffix = "-elder" if elder else ""
        page.goto(f"{base}/")
        set_elder_mode(page, elder)
        page.wait_for_selector("main h2")
        save_png(page.screenshot(), out / f"home{suffix}.png")

        page.goto(f"{base}/courses/")
        page.wait_for_selector(".course-card img")
        page.evaluate("window.scrollTo(0, document.body.scrollHeight)")  # lazy covers
        images_loaded(page)
        page.evaluate("window.scrollTo(0, 0)")
        save_png(page.screenshot(full_page=True), out / f"courses{suffix}.png")

        page.goto(f"{base}{facts['lesson_url']}")
        page.wait_for_selector("#video")
        began = page.evaluate(
            "() => { const video = document.getElementById('video'); video.muted = true;"
            " return video.play().then(() => video.currentTime); }"
        )
        # Playing for five seconds (its controls have faded), with a caption on screen.
        page.wait_for_function(
            """(began) => {
                 const video = document.getElementById('video');
                 const track = video.textTracks[0];
                 return !video.paused && video.currentTime >= began + 5
                   && track && track.mode === 'showing'
                   && track.activeCues && track.activeCues.length > 0;
               }""",
            arg=began,
        )
        save_png(page.screenshot(), out / f"lesson{suffix}.png")
        page.evaluate("document.getElementById('video').pause()")
    set_elder_mode(page, False)
    context.close()


def shoot_scanner(playwright, base: str, facts: dict, out: Path, work: Path) -> None:
    """Today's class, its camera on: in normal mode it reads the demo learner's card, in
    elder mode (another device) a second learner's, and each is checked in."""
    for elder, (payload, holder) in zip((False, True), facts["cards"], strict=True):
        clip = card_clip(work / ("elder" if elder else "normal"), [payload])
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=CHROMIUM_ARGS
            + [
                "--use-fake-device-for-media-stream",
                "--use-fake-ui-for-media-stream",
                f"--use-file-for-fake-video-capture={clip}",
            ],
        )
        context = browser.new_context(
            locale="zh-CN",
            timezone_id=facts["timezone"],
            viewport=DESKTOP,
            permissions=["camera"],
        )
        page = context.new_page()
        page.set_default_timeout(WAIT_MS)
        log_in(page, base, "staff", PASSWORD)
        page.goto(f"{base}{facts['scanner_url']}")
        set_elder_mode(page, elder)
        page.wait_for_selector("#scanner[data-ready='true'][data-roster-at]")
        page.click("#camera-toggle")
        page.wait_for_selector("#camera-toggle[data-on='true']")
        page.wait_for_selector(f"#scan-list .scan-item[data-status='recorded'] >> text={holder}")
        page.wait_for_function(
            "() => { const v = document.getElementById('camera'); "
            "return !v.hidden && v.readyState >= 2 && v.videoWidth > 0; }"
        )
        page.wait_for_selector("#queue-count[data-count='0']")
        page.evaluate("window.scrollTo(0, 0)")
        save_png(page.screenshot(full_page=True), out / f"scanner{'-elder' if elder else ''}.png")
        page.click("#camera-toggle")
        page.wait_for_selector("#camera-toggle[data-on='false']")
        set_elder_mode(page, False)
        context.close()
        browser.close()


def shoot_dashboard(browser, base: str, facts: dict, out: Path) -> None:
    context = browser.new_context(
        locale="zh-CN", timezone_id=facts["timezone"], viewport=DESKTOP, reduced_motion="reduce"
    )
    page = context.new_page()
    page.set_default_timeout(WAIT_MS)
    log_in(page, base, "admin", PASSWORD)
    for elder in (False, True):
        page.goto(f"{base}/reports/")
        set_elder_mode(page, elder)
        page.wait_for_function(
            """() => { const charts = document.querySelectorAll('[data-chart]');
                       return charts.length > 0
                         && [...charts].every((chart) => chart.querySelector('svg')); }"""
        )
        # From the top to the coverage gauge: the headline figures, the indicators table
        # and the first chart (the whole page is five screens long).
        bottom = page.evaluate(
            "() => document.querySelector(\"[data-chart='coverage']\").getBoundingClientRect()"
            ".bottom + window.scrollY + 24"
        )
        width = page.viewport_size["width"]
        area = {"x": 0, "y": 0, "width": width, "height": bottom}
        shot = page.screenshot(full_page=True, clip=area)
        save_png(shot, out / f"dashboard{'-elder' if elder else ''}.png")
    set_elder_mode(page, False)
    context.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    parser.add_argument("--clip-seconds", type=float, help="shorter demo videos (quick tries)")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    os.chdir(ROOT)
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="lms-screenshots-") as work:
        work = Path(work)
        app, base, server, facts = serve(work / "instance", args.clip_seconds)
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                shoot_learner(browser, base, facts, args.out)
                shoot_dashboard(browser, base, facts, args.out)
                browser.close()
                shoot_scanner(playwright, base, facts, args.out, work)
        finally:
            server.shutdown()
            # Let the embedded worker finish the transcode it is running, if any.
            app.extensions["lms_job_runner"].stop(timeout=300)
    return 0


if __name__ == "__main__":
    sys.exit(main())
