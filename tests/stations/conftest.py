import pytest
from django.core.cache import cache

from gonghui.core.testing import make_org, make_user
from gonghui.stations import search, services


@pytest.fixture(autouse=True)
def _fresh_index_and_cache():
    search.reset_index()
    cache.clear()
    yield
    search.reset_index()


WEEKDAYS = "周一至周五 08:00-20:00"


def add_station(org, name, lat, lng, *, hours="24小时", amenities=("water", "toilet"), code="", **kw):
    return services.station_create(actor=None, org=org, name=name, address=kw.pop("address", "北京市"),
                                   lat=lat, lng=lng, hours_text=hours, amenities=list(amenities), code=code, **kw)


@pytest.fixture
def world(tree):
    """Stations in Shunyi (SY-GAS) and Haidian (HD-PD), a keeper on one of them."""
    keeper = make_user("keeper1", org=tree["SY-GAS"], role="station_keeper")
    slt = add_station(tree["SY-GAS"], "顺义燃气驿站", 40.1300, 116.6540, hours=WEEKDAYS,
                      amenities=("water", "toilet", "rest"), code="SY-001", keeper=keeper)
    night = add_station(tree["SY-WATER"], "顺义水务夜间驿站", 40.1350, 116.6600, hours="每天 22:00-06:00",
                        amenities=("water",), code="SY-002")
    allday = add_station(tree["SY-GAS"], "顺义24小时驿站", 40.1400, 116.6700, amenities=("water", "toilet", "charging"),
                         code="SY-003")
    hd = add_station(tree["HD-PD"], "海淀派出所驿站", 39.9800, 116.3100, code="HD-001")
    return {"tree": tree, "keeper": keeper, "weekdays": slt, "night": night, "allday": allday, "hd": hd}


@pytest.fixture
def hd_org_extra(tree):
    return make_org(code="HD-X", name="海淀其他工会", parent=tree["HD"])
