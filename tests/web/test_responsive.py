"""Phone and desktop (issue 15): at 390 px and 1366 px every page fits the screen's width,
the verdict is in the first screen after a check, and axe-core finds no serious or critical
accessibility violation (WCAG 2 A/AA rules). axe.min.js is vendored in tests/web/vendor/."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
AXE = Path(__file__).with_name("vendor") / "axe.min.js"
WIDTHS = [(390, 844), (1366, 768)]


def _axe_serious(page: Any) -> list[dict[str, Any]]:
    page.add_script_tag(path=str(AXE))
    found: list[dict[str, Any]] = page.evaluate(
        """async () => (await axe.run(document, {
              runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}}))
            .violations.filter(v => v.impact === 'serious' || v.impact === 'critical')
            .map(v => ({id: v.id, impact: v.impact, help: v.help,
                        where: v.nodes.slice(0, 3).map(n => n.target.join(' '))}))"""
    )
    return found


def _fits(page: Any) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    view = page.evaluate("document.documentElement.clientWidth")
    assert width <= view, f"horizontal scroll: content {width}px on a {view}px screen"


@pytest.fixture(params=WIDTHS, ids=lambda wh: f"{wh[0]}px")
def sized(request: pytest.FixtureRequest, browser: Any, site: Any) -> Any:
    width, height = request.param
    context = browser.new_context(  # axe-core is injected inline: the test bypasses the CSP
        viewport={"width": width, "height": height}, base_url=site.url, bypass_csp=True
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def _sign_in(page: Any, token: str, then: str) -> None:
    page.goto(f"/login?next={then}")
    page.fill("#token", token)
    page.click("main button[type=submit]")
    page.wait_for_url(f"**{then}")


def test_check_page_verdict_first_screen(sized: Any, site: Any, tmp_path: Path) -> None:
    page = sized
    _sign_in(page, site.keys["analyst"], "/")
    _fits(page)
    assert (v := _axe_serious(page)) == [], json.dumps(v)
    page.fill("#shipment", (EXAMPLES / "01-dy-oxide-from-china.yaml").read_text("utf-8"))
    page.click("#check-button")
    verdict = page.locator("#verdict")
    verdict.wait_for()
    box = verdict.bounding_box()
    height = page.viewport_size["height"]
    assert box is not None
    assert box["y"] + 60 <= height, f"the verdict starts at {box['y']}px of a {height}px screen"
    assert page.inner_text("#decision") == "LICENCE REQUIRED - ordinary review"
    _fits(page)
    page.screenshot(path=str(tmp_path / f"check-{page.viewport_size['width']}.png"))
    assert (v := _axe_serious(page)) == [], json.dumps(v)


@pytest.mark.parametrize("path", ["/rules", "/book", "/exposure", "/login"])
def test_pages_fit_and_pass_axe(sized: Any, site: Any, path: str) -> None:
    page = sized
    _sign_in(page, site.keys["applicant"], "/book")
    page.goto(path)
    page.locator("h1").first.wait_for()
    _fits(page)
    assert (v := _axe_serious(page)) == [], json.dumps(v)


def test_docs_render_offline(sized: Any) -> None:
    """Swagger UI from the package's static files: the API's title renders with no network."""
    page = sized
    requested: list[str] = []
    page.on("request", lambda r: requested.append(r.url))
    page.goto("/docs")
    page.locator(".swagger-ui .info .title").wait_for()
    assert "reec" in page.inner_text(".swagger-ui .info .title")
    base = page.url.split("/docs")[0]
    assert all(u.startswith(base) or u.startswith("data:") for u in requested), requested
    _fits(page)


def test_exposure_charts_resize_and_show_values(sized: Any, site: Any) -> None:
    """Plotly from the package: the charts fill the card's width at both sizes, a hover shows
    the value as a percentage, and the changes table names each scenario in its colour."""
    page = sized
    _sign_in(page, site.keys["analyst"], "/exposure")
    page.set_input_files("#exposure-file", str(EXAMPLES / "portfolio.csv"))
    page.fill("#exposure-start", "2026-10-01")
    page.fill("#exposure-end", "2026-12-31")
    page.check("input[name=scenario][value=suspension-extended]")
    page.click("#exposure-form button[type=submit]")
    plot = page.locator("#plot-overall .main-svg").first
    plot.wait_for()
    card = page.locator("#plot-overall").bounding_box()
    drawn = plot.bounding_box()
    assert card is not None
    assert drawn is not None
    assert abs(drawn["width"] - card["width"]) < 4, (drawn, card)
    assert "%" in page.inner_text("#exposure-intervals")
    _fits(page)
    assert (v := _axe_serious(page)) == [], json.dumps(v)


CUSTOMERS = (
    "id,name,country,role,owners\n"
    "C-1,Acme Widgets GmbH,DE,importer,\n"
    "C-2,Example Magnetwerke GmbH,DE,end_user,Acme Widgets GmbH: 60%\n"
    "C-3,Lockheed Marten Group International Holdings and Subsidiaries,US,importer,\n"
)


@pytest.mark.parametrize("path", ["/desk", "/desk/customers", "/desk/alerts", "/desk/audit"])
def test_desk_pages_fit_and_pass_axe(sized: Any, site: Any, path: str, tmp_path: Path) -> None:
    """The compliance desk at 390 and 1366 px: a customer master imported through the page
    (its form's token and file in one multipart post), then each tab fits and passes axe."""
    page = sized
    _sign_in(page, site.keys["analyst"], "/desk/customers")
    csv = tmp_path / "customers.csv"
    csv.write_text(CUSTOMERS, "utf-8")
    page.set_input_files("#import-form input[type=file]", str(csv))
    page.click("#import-form button[type=submit]")
    page.locator("#flash").wait_for()
    _sign_in(page, site.keys["auditor"], path)
    page.locator("h1").first.wait_for()
    _fits(page)
    assert (v := _axe_serious(page)) == [], json.dumps(v)


CSP_PAGES = ["/", "/rules", "/book", "/exposure", "/docs", "/login", "/desk", "/desk/customers"]


def test_no_page_breaks_its_content_security_policy(browser: Any, site: Any) -> None:
    """With the CSP enforced (no 'unsafe-inline' for scripts or styles), no page, answer or
    chart is refused anything: every style and script comes from the package's files."""
    context = browser.new_context(viewport={"width": 1366, "height": 768}, base_url=site.url)
    context.add_init_script(
        "window.__csp = []; document.addEventListener('securitypolicyviolation', e => "
        "window.__csp.push(e.violatedDirective + ' ' + e.blockedURI + ' ' + (e.sample || '')))"
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        policy = page.goto("/").headers["content-security-policy"]
        assert "unsafe-inline" not in policy
        assert "style-src 'self';" in policy
        _sign_in(page, site.keys["all"], "/")
        seen: dict[str, list[str]] = {}
        for path in CSP_PAGES:
            page.goto(path)
            page.wait_for_load_state("networkidle")
            if path == "/":
                page.fill("#shipment", (EXAMPLES / "01-dy-oxide-from-china.yaml").read_text())
                page.click("#check-button")
                page.locator("#verdict").wait_for()
            elif path == "/exposure":
                page.set_input_files("#exposure-file", str(EXAMPLES / "portfolio.csv"))
                page.fill("#exposure-start", "2026-10-01")
                page.fill("#exposure-end", "2026-12-31")
                page.click("#exposure-form button[type=submit]")
                page.locator("#plot-overall .main-svg").first.wait_for()
                page.hover("#plot-overall .nsewdrag")  # tooltips and the mode bar
            elif path == "/docs":
                page.locator(".swagger-ui .info .title").wait_for()
            seen[path] = page.evaluate("window.__csp")
        assert {p: v for p, v in seen.items() if v} == {}
    finally:
        context.close()
