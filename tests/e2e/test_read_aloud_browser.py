"""朗读 in Chromium: what the page reads, in which order, at which rate, and what it says
when the device has no Chinese voice.

Headless Chromium has no speech voices at all (getVoices() is empty and speak() says
nothing), so the test injects a stand-in speechSynthesis (and SpeechSynthesisUtterance,
whose ``voice`` only takes real voices) with add_init_script, before any page script
runs. The stand-in records every utterance (text, rate, lang, voice) and ends each one
at once unless the test holds it; js/read-aloud.js runs unchanged against it.
"""

import json
import uuid

import pytest

from lms.accounts.services import NewUser, create_user, record_consent
from lms.community.notifications import notify
from lms.extensions import db
from tests.e2e.chromium import log_in

pytestmark = [pytest.mark.browser, pytest.mark.slow]
PASSWORD = "password-123"
CHINESE = [
    {"name": "English (US)", "lang": "en-US"},
    {"name": "普通话（中国大陆）", "lang": "zh-CN"},
]
NO_CHINESE = [{"name": "English (US)", "lang": "en-US"}]

STAND_IN = """
(() => {
  const voices = %s;
  const log = { spoken: [], calls: [], autoEnd: true, current: null };
  window.__speech = log;
  class Utterance extends EventTarget {
    constructor(text) {
      super();
      Object.assign(this, { text, lang: "", rate: 1, voice: null });
    }
  }
  window.SpeechSynthesisUtterance = Utterance;
  const synth = new EventTarget();
  Object.assign(synth, {
    speaking: false, paused: false, pending: false,
    getVoices: () => voices.map((v) => ({ ...v, voiceURI: v.name, default: false })),
    speak(utterance) {
      log.spoken.push({ text: utterance.text, rate: utterance.rate, lang: utterance.lang,
                        voice: utterance.voice ? utterance.voice.name : null });
      log.current = utterance;
      if (log.autoEnd) { setTimeout(() => utterance.dispatchEvent(new Event("end")), 0); }
    },
    cancel() { log.calls.push("cancel"); },
    pause() { log.calls.push("pause"); },
    resume() { log.calls.push("resume"); },
  });
  Object.defineProperty(window, "speechSynthesis", { value: synth, configurable: true });
})();
"""


@pytest.fixture(scope="module")
def learner(live_server):
    suffix = uuid.uuid4().hex[:6]
    with live_server.app.app_context():
        user = create_user(NewUser(f"reader{suffix}", "李阿姨", PASSWORD, "330603001"), actor=None)
        record_consent(user)
        db.session.flush()
        notify(user.id, "recognition_decided", 1, {"state": "approved", "title": "摄影课"})
        db.session.commit()
        return user.username


def open_notifications(page, live_server, learner, voices=CHINESE):
    page.add_init_script(STAND_IN % json.dumps(voices))
    log_in(page, live_server.url, learner, PASSWORD)
    page.goto(f"{live_server.url}/notifications/")
    page.wait_for_selector("#read-aloud:not([hidden])")


def spoken(page):
    return page.evaluate("() => window.__speech.spoken")


def read_all(page):
    page.click("[data-read-action=start]")
    page.wait_for_function(
        "() => document.querySelector('.read-aloud-status').textContent.includes('朗读完毕')"
    )
    return spoken(page)


def test_the_page_is_read_from_the_top_in_a_chinese_voice_at_the_normal_rate(
    page, live_server, learner
):
    open_notifications(page, live_server, learner)
    said = read_all(page)
    texts = [line["text"] for line in said]
    assert texts[0] == "通知"  # the heading first; the control itself is not read
    assert not any("朗读" in text for text in texts)
    notification = next(i for i, text in enumerate(texts) if "摄影课" in text)
    kept = next(i for i, text in enumerate(texts) if "90" in text)
    assert 0 < notification < kept  # in the order of the page
    assert {line["voice"] for line in said} == {"普通话（中国大陆）"}
    assert {line["lang"] for line in said} == {"zh-CN"}
    assert {line["rate"] for line in said} == {1.0}


def test_elder_mode_reads_slower(page, live_server, learner):
    open_notifications(page, live_server, learner)
    with page.expect_navigation():
        page.click("#elder-toggle")
    page.wait_for_selector("html.elder #read-aloud:not([hidden])")
    start = page.locator("[data-read-action=start]")
    assert start.bounding_box()["height"] >= 60  # prominent: elder mode's targets and more
    said = read_all(page)
    assert said and {line["rate"] for line in said} == {0.8}
    with page.expect_navigation():
        page.click("#elder-toggle")  # back to normal for the other tests


def test_questions_are_read_stem_then_options_in_the_order_shown(page, live_server, learner):
    open_notifications(page, live_server, learner)
    # The exam and practice pages do not exist yet; this is the markup they are to use
    # (docs/read-aloud.md): data-read-order gives the order shown, data-read-label the
    # option's letter. The DOM order here differs on purpose.
    page.evaluate(
        """() => document.querySelector('main h1').insertAdjacentHTML('afterend', `
        <fieldset class="question">
          <label data-read-order="3" data-read-label="C"><input type="radio"> 一周</label>
          <legend data-read-order="0">第1题：饭后多久可以散步？</legend>
          <label data-read-order="1" data-read-label="A"><input type="radio"> 马上</label>
          <label data-read-order="2" data-read-label="B"><input type="radio"> 半小时后</label>
        </fieldset>`)"""
    )
    texts = [line["text"] for line in read_all(page)]
    start = texts.index("第1题：饭后多久可以散步？")
    assert texts[start : start + 4] == [
        "第1题：饭后多久可以散步？",
        "A 马上",
        "B 半小时后",
        "C 一周",
    ]


def test_reading_starts_at_the_paragraph_tapped(page, live_server, learner):
    open_notifications(page, live_server, learner)
    page.click("[data-read-action=pick]")
    page.click("main > p.help")  # 通知保留 90 天
    page.wait_for_function("() => window.__speech.spoken.length > 0")
    assert "90" in spoken(page)[0]["text"]


def test_pause_resume_and_stop(page, live_server, learner):
    open_notifications(page, live_server, learner)
    page.evaluate("() => { window.__speech.autoEnd = false; }")
    page.click("[data-read-action=start]")
    page.wait_for_function("() => window.__speech.spoken.length === 1")
    page.click("[data-read-action=pause]")
    assert page.locator("#read-aloud").get_attribute("data-state") == "paused"
    page.click("[data-read-action=resume]")
    assert page.locator("#read-aloud").get_attribute("data-state") == "reading"
    page.click("[data-read-action=stop]")
    calls = page.evaluate("() => window.__speech.calls")
    assert calls[-3:] == ["pause", "resume", "cancel"]
    # An utterance ending after the stop does not start the next one.
    page.evaluate("() => window.__speech.current.dispatchEvent(new Event('end'))")
    assert len(spoken(page)) == 1
    assert page.locator("[data-read-action=start]").is_visible()


def test_a_device_without_a_chinese_voice_is_told_so_plainly(page, live_server, learner):
    open_notifications(page, live_server, learner, voices=NO_CHINESE)
    page.click("[data-read-action=start]")
    status = page.locator(".read-aloud-status")
    status.wait_for(state="visible")
    assert "没有中文语音" in status.text_content()
    assert spoken(page) == []
