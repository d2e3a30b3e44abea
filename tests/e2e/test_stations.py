"""Browser test: the rider's page on a phone, location granted, nearest open stations listed."""

import os

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

import pytest

from gonghui.core.testing import make_org
from gonghui.stations import search, services
from tests.e2e.conftest import screenshot

pytestmark = pytest.mark.e2e


@pytest.fixture
def stations(transactional_db):
    search.reset_index()
    bj = make_org(code="BJ", name="北京市总工会", type="federation")
    cy = make_org(code="CY", name="朝阳区总工会", type="district", parent=bj)
    rider = make_org(code="CY-SLT-RIDER", name="三里屯骑手联合工会", type="joint", parent=cy)
    services.station_create(actor=None, org=rider, code="CY-SLT-001", name="三里屯太古里西区骑手驿站",
                            address="北京市朝阳区三里屯路19号院", lat=39.9333, lng=116.4521, hours_text="24小时",
                            amenities=["water", "toilet", "rest", "charging", "microwave"])
    services.station_create(actor=None, org=cy, code="CY-001", name="国贸CBD户外劳动者服务站",
                            address="北京市朝阳区建国门外大街1号", lat=39.9087, lng=116.4601,
                            hours_text="每天 07:00-22:00", amenities=["water", "toilet", "rest"])
    services.station_create(actor=None, org=cy, code="CY-002", name="朝阳公园南门暖心驿站",
                            address="北京市朝阳区朝阳公园南路1号", lat=39.9366, lng=116.4740,
                            hours_text="每天 00:00-00:01", amenities=["water"], status="closed_temporarily")
    yield
    search.reset_index()


def test_rider_page_on_phone(browser, live_server, stations):
    context = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844}, is_mobile=True,
                                  has_touch=True, device_scale_factor=2, timezone_id="Asia/Shanghai",
                                  geolocation={"latitude": 39.9340, "longitude": 116.4540},
                                  permissions=["geolocation"])
    context.set_default_timeout(15000)
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}/stations/near/")
        page.wait_for_selector("#results li.station")
        names = page.locator("#results .station-name").all_inner_texts()
        assert names[0] == "三里屯太古里西区骑手驿站"
        assert "朝阳公园南门暖心驿站" not in names  # closed temporarily
        assert page.locator("#results li.station").first.locator(".station-dist").inner_text().endswith("米")
        amap = page.locator("#results li.station").first.locator("a", has_text="高德导航").get_attribute("href")
        assert amap.startswith("https://uri.amap.com/navigation?to=116.45")
        screenshot(page, "stations-rider-phone")
        assert page.locator(".chip[data-code=locker]").is_hidden()
        page.locator("#chips-more").click()
        assert page.locator(".chip[data-code=locker]").is_visible()
        # amenity chip: only the Sanlitun station has charging
        page.locator(".chip[data-code=charging]").click()
        page.wait_for_function("document.querySelectorAll('#results li.station').length === 1")
        assert page.locator("#results .station-name").all_inner_texts() == ["三里屯太古里西区骑手驿站"]
        # open the station and rate it
        page.locator("#results .station-name").first.click()
        page.wait_for_selector("#rate-form")
        page.locator("#stars label").nth(4).click()
        page.locator("#rate-form button[type=submit]").click()
        page.wait_for_function("document.querySelector('#rate-form [data-result]').textContent.length > 0")
        assert page.locator("#rate-form [data-result]").inner_text() == "感谢您的评价"
        screenshot(page, "stations-rated-phone")
    finally:
        context.close()
