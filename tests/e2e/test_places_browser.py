"""Places to learn in Chromium: "由近到远" sorts the directory by the distance from the
position Playwright gives the browser (its geolocation override), and that position is
never sent to the server."""

import uuid

import pytest

from lms.accounts.services import find_town_by_code
from lms.attendance import places
from lms.extensions import db
from tests.e2e.helpers import axe_violations

pytestmark = [pytest.mark.browser, pytest.mark.slow]

# Around 柯桥街道 (WGS-84): the learner stands at the first; the others lie 1, 5 and 20 km
# off, entered out of order; one has no coordinates and goes last.
HERE = {"latitude": 30.0800, "longitude": 120.4900}


@pytest.fixture(scope="module")
def directory(live_server):
    tag = uuid.uuid4().hex[:4]
    with live_server.app.app_context():
        town = find_town_by_code("330603001")
        for name, latitude, longitude in (
            (f"远馆{tag}", 30.2600, 120.4900),  # ~20 km north
            (f"近馆{tag}", 30.0890, 120.4900),  # ~1 km
            (f"无坐标馆{tag}", None, None),
            (f"中馆{tag}", 30.0800, 120.5420),  # ~5 km east
        ):
            places.save_place(
                None,
                places.PlaceData(
                    kind="library",
                    name=name,
                    town_id=town.id,
                    latitude=latitude,
                    longitude=longitude,
                ),
                town_ids=None,
            )
        db.session.commit()
        return tag, town.id


def test_nearest_first_sorts_by_the_browsers_position_without_sending_it(
    browser, live_server, directory
):
    tag, town_id = directory
    context = browser.new_context(
        locale="zh-CN",
        viewport={"width": 412, "height": 900},
        geolocation=HERE,
        permissions=["geolocation"],
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    requests = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto(f"{live_server.url}/places/?town={town_id}&kind=library")
    page.click("#sort-by-distance")
    page.wait_for_selector("#place-list[data-sorted=distance]")
    names = [
        name
        for name in page.locator("#place-list li strong").all_text_contents()
        if name.endswith(tag)
    ]
    assert names == [f"近馆{tag}", f"中馆{tag}", f"远馆{tag}", f"无坐标馆{tag}"]
    distances = page.locator("#place-list li .distance").all_text_contents()
    assert distances[0].endswith("公里") and distances[-1] == "位置未知"
    assert "1.0 公里" in distances[0]
    # Nothing that was asked of the server carries the position.
    assert not [url for url in requests if "30.08" in url or "120.49" in url]
    # 导航 on a place's page is a geo: URI for the phone's own map app.
    page.click(f"text=近馆{tag}")
    assert page.locator("a.navigate").get_attribute("href").startswith("geo:30.089000,120.490000")
    context.close()


def test_without_the_position_the_list_stays_and_says_why(browser, live_server, directory):
    _, town_id = directory
    context = browser.new_context(locale="zh-CN")  # no geolocation permission granted
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{live_server.url}/places/?town={town_id}")
    before = page.locator("#place-list li strong").all_text_contents()
    page.click("#sort-by-distance")
    page.wait_for_function(
        "() => document.getElementById('distance-status').textContent.includes('没有位置信息')"
    )
    assert page.locator("#place-list li strong").all_text_contents() == before
    context.close()


def test_elder_mode_sizes_and_no_serious_accessibility_fault(browser, live_server, directory):
    tag, town_id = directory
    context = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844})
    context.add_cookies([{"name": "elder", "value": "1", "url": live_server.url}])
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{live_server.url}/places/?town={town_id}")
    page.wait_for_selector("html.elder #read-aloud:not([hidden])")
    assert page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)") >= 24
    for selector in ("#sort-by-distance", "#place-list li a", "[data-read-action=start]"):
        box = page.locator(selector).first.bounding_box()
        assert box["height"] >= 60, selector
    assert not axe_violations(page)
    page.click(f"text=近馆{tag}")
    for selector in ("a.navigate", "a[href^='maps:']"):
        box = page.locator(selector).bounding_box()
        assert box["height"] >= 60 and box["width"] >= 60, selector
    scroll = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert scroll[0] <= scroll[1]
    assert not axe_violations(page)
    context.close()
