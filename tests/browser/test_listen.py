"""Listening on a phone: the Listen button appears only when the phone has a voice for the page's
language, reads the page with the phone's own speech synthesis, pauses and goes on; the
recorded narration's player downloads nothing until it is played. The phone's voices are
stubbed (headless Chromium has none): the test checks what the page asks of the API.
Screenshots land in test-artifacts/ (look at them)."""

import pytest
from django.core.files.base import ContentFile
from playwright.sync_api import expect

from tests.audio import mp3_bytes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

RELIC_VI = "/vi/relics/ai-chi-lang/"

# The phone's speech synthesis, as the page sees it: `window.__voices` arrive a moment after the
# page (as on Chrome); every call is written down in `window.__calls`; an utterance ends when the
# test says so (`window.__finish()`).
STUB = """
(() => {
  const calls = [];
  let current = null;
  let voices = [];
  const listeners = [];
  window.__calls = calls;
  window.__finish = () => { const u = current; current = null; if (u && u.onend) u.onend(); };
  window.__giveVoices = (list) => {
    voices = list;
    listeners.forEach((fn) => fn(new Event("voiceschanged")));
  };
  window.SpeechSynthesisUtterance = function (text) { this.text = text; this.lang = ""; };
  Object.defineProperty(window, "speechSynthesis", {
    configurable: true,
    value: {
      getVoices: () => voices,
      speak: (u) => {
        current = u;
        calls.push(["speak", u.text, u.lang, u.voice && u.voice.name]);
      },
      cancel: () => { current = null; calls.push(["cancel"]); },
      pause: () => calls.push(["pause"]),
      resume: () => calls.push(["resume"]),
      addEventListener: (type, fn) => { if (type === "voiceschanged") listeners.push(fn); },
    },
  });
})();
"""

VIETNAMESE = [
    {"lang": "vi-VN", "name": "Giọng trên mạng", "localService": False},
    {"lang": "vi_VN", "name": "Giọng trong máy", "localService": True},
]


@pytest.fixture
def narrated(site):
    from sites.models import Narration, Relic

    relic = Relic.objects.get(slug="ai-chi-lang")
    narration = Narration(place=relic, language="vi")
    narration.audio.save("chi-lang.mp3", ContentFile(mp3_bytes(95)), save=False)
    narration.save()
    return site


def test_listen_appears_with_a_voice_reads_pauses_and_goes_on(narrated, phone, screenshot):
    phone.add_init_script(STUB)
    page = phone.new_page()
    asked = []
    page.on("request", lambda request: asked.append(request.url))
    page.goto(narrated.url + RELIC_VI)
    button = page.get_by_role("button", name="Nghe đọc")
    # No voice yet, then only an English one: no button on a Vietnamese page.
    expect(page.locator("[data-listen]")).to_be_hidden()
    page.evaluate("window.__giveVoices([{lang: 'en-US', name: 'English', localService: true}])")
    expect(page.locator("[data-listen]")).to_be_hidden()
    page.evaluate("(voices) => window.__giveVoices(voices)", VIETNAMESE)
    expect(button).to_be_visible()
    expect(button).to_have_attribute("aria-pressed", "false")

    # The player is there and has fetched nothing.
    player = page.locator("audio")
    expect(player).to_have_attribute("preload", "none")
    assert not [url for url in asked if "/narration/" in url]
    screenshot(page, "listen-relic-vi", full_page=False)

    button.click()
    expect(button).to_have_attribute("aria-pressed", "true")
    expect(page.locator("#listen-state")).to_have_text("Đang đọc. Bấm lần nữa để tạm dừng.")
    calls = page.evaluate("window.__calls")
    # The title first, in the page's language, with the voice on the phone itself.
    assert calls[-1] == ["speak", "Ải Chi Lăng", "vi", "Giọng trong máy"]
    page.evaluate("window.__finish()")
    summary = page.evaluate("window.__calls")[-1]
    assert summary[0] == "speak" and summary[1].startswith("Thung lũng hẹp nơi người Việt")
    page.evaluate("window.__finish()")
    body = page.evaluate("window.__calls")[-1]
    assert body[1].startswith("Ải Chi Lăng là một thung lũng hẹp")  # the text's first paragraph
    screenshot(page, "listen-relic-vi-reading", full_page=False)

    button.click()  # pause
    expect(button).to_have_attribute("aria-pressed", "false")
    expect(page.locator("#listen-state")).to_have_text("Đã tạm dừng. Bấm lần nữa để đọc tiếp.")
    assert page.evaluate("window.__calls")[-1] == ["cancel"]
    button.click()  # and on, from the start of the paragraph it was in
    expect(button).to_have_attribute("aria-pressed", "true")
    assert page.evaluate("window.__calls")[-1][1] == body[1]
    # Nothing of the menus or the footer is read.
    spoken = " ".join(call[1] for call in page.evaluate("window.__calls") if call[0] == "speak")
    assert "Tìm kiếm" not in spoken and "CC BY" not in spoken

    # The button and the player meet WCAG AA, and at 200% text nothing needs sideways scrolling.
    from axe_playwright_python.sync_playwright import Axe

    levels = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": levels}})
    assert results.violations_count == 0, results.generate_report()
    page.evaluate("document.documentElement.style.fontSize = '200%'")
    assert (
        page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        <= 0
    )
    assert button.bounding_box()["height"] >= 44


def test_the_recording_plays_from_our_own_address_through_the_service_worker(narrated, phone):
    page = phone.new_page()
    page.goto(narrated.url + RELIC_VI)
    page.wait_for_function("() => navigator.serviceWorker.controller !== null", timeout=15000)
    page.reload()
    with page.expect_response(lambda response: "/narration/" in response.url) as answer:
        page.evaluate("document.querySelector('audio').play().catch(() => {})")
    assert answer.value.status in (200, 206)
    assert answer.value.headers["content-type"] == "audio/mpeg"
    # The player gets its length and can seek: the ranges reach the app through the worker.
    page.wait_for_function("() => document.querySelector('audio').duration > 90", timeout=15000)
    page.evaluate("document.querySelector('audio').currentTime = 60")
    page.wait_for_function("() => document.querySelector('audio').currentTime >= 60")


def test_without_speech_synthesis_there_is_no_button(narrated, phone):
    phone.add_init_script("delete window.speechSynthesis; window.speechSynthesis = undefined;")
    page = phone.new_page()
    page.goto(narrated.url + RELIC_VI)
    page.wait_for_load_state("load")
    expect(page.locator("[data-listen]")).to_be_hidden()
    expect(page.locator("audio")).to_be_visible()


def test_a_saved_areas_recording_plays_without_a_signal(site, phone):
    from sites.models import Narration, ScenicSpot

    cave = ScenicSpot.objects.get(slug="dong-nhi-thanh")
    narration = Narration(place=cave, language="vi")
    narration.audio.save("cave.mp3", ContentFile(mp3_bytes(20)), save=False)
    narration.save()
    page = phone.new_page()
    page.goto(site.url + "/vi/units/phuong-tam-thanh/")
    page.wait_for_function("() => navigator.serviceWorker.controller !== null", timeout=15000)
    page.get_by_role("button", name="Lưu khu vực này để đọc ngoại tuyến").click()
    expect(page.locator("[data-status]")).to_contain_text("Đã lưu", timeout=30000)

    phone.set_offline(True)
    page.goto(site.url + "/vi/scenic-spots/dong-nhi-thanh/")
    expect(page.locator("audio source")).to_have_attribute("src", narration.url)
    # What the player asks for, a range included, is answered from the saved area.
    answer = page.evaluate(
        """async (url) => {
            const response = await fetch(url, {headers: {Range: "bytes=0-"}});
            return [response.status, (await response.arrayBuffer()).byteLength];
        }""",
        narration.url,
    )
    assert answer == [200, narration.size]
    phone.set_offline(False)
