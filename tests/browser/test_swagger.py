"""Swagger UI renders the API's operations offline, from the locally served Swagger UI files."""

from playwright.sync_api import Page, expect

from tests.support.local_server import LocalServer


def test_swagger_ui_renders_every_operation_offline(page: Page, local_server: LocalServer) -> None:
    document = local_server.request("GET", "/openapi.json").json()
    operations = sum(len(methods) for methods in document["paths"].values())

    page.goto(f"{local_server.base_url}/swagger")

    # The operations are rendered (the page fixture fails the test if anything came from the internet)
    expect(page.locator(".opblock").first).to_be_visible()
    expect(page.locator(".opblock")).to_have_count(operations)
    expect(page.locator(".opblock-summary-path", has_text="/ringotel/contacts/find")).to_be_visible()
    expect(page.locator(".opblock-summary-path", has_text="/oauth/token")).to_be_visible()


def test_the_info_link_under_the_title_answers_the_json_document(page: Page, local_server: LocalServer) -> None:
    page.goto(f"{local_server.base_url}/swagger")
    link = page.locator(".info a.link, .info .url, .info a[href*='format=json']").first
    expect(link).to_be_visible()
    href = link.get_attribute("href") or link.inner_text()
    answer = page.request.get(href if href.startswith("http") else local_server.base_url + href)
    assert answer.status == 200 and answer.headers["content-type"].startswith("application/json")
    assert answer.json()["info"]["title"] == "ringbridge"
