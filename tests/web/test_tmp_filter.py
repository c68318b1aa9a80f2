import re
def test_region_filter(new_page, site):
    from tests.web.test_journeys import sign_up
    page = new_page()
    sign_up(page, "filter.user")
    page.goto("/enterprises/new")
    page.fill("input.select-filter", "安次")
    assert page.input_value("select[name=region_code]") == "131002"
    page.fill("input.select-filter", "130183")
    assert page.input_value("select[name=region_code]") == "130183"
