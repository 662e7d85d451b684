"""The run page's what-if form in Chromium (phone width), against the real server.

A lottery run whose roster is frozen shows 「我的志愿能录取吗？」: choose schools in order and a
tier, submit, and each choice's chance appears with its 95 % interval as a bar, the same numbers
the API answers for the same question. A published run shows no form.
"""

from __future__ import annotations

from typing import Any

from api.placement_day import placement_day, sample_day


def test_a_family_asks_its_chances_on_the_run_page(service: Any, new_page: Any, shot: Any) -> None:
    _title, inputs, options = sample_day("lottery")
    run = placement_day(service.url, service.token("operator-demo"), [], "lottery", "2026 学区派位（名单已冻结）",
                        inputs, options, until="freeze")
    page, errors = new_page(390, 844)
    page.goto(f"{service.url}/runs/{run}")
    page.wait_for_selector("#what-if-section:not([hidden]) #wi-choice-1")
    assert page.locator("#wi-choices select").count() == 4  # the longest list on the frozen roster
    page.select_option("#wi-choice-1", "S0001")
    page.select_option("#wi-choice-2", "S0004")
    page.fill("#wi-tier", "1")
    page.click("#wi-submit")
    page.wait_for_selector("#what-if-result")
    rows = page.locator("#what-if-result .wi-row")
    assert rows.count() == 3 and page.locator("#what-if-result svg.chance").count() == 3
    expected = service.api().post(f"/runs/{run}/what-if", json={"preferences": ["S0001", "S0004"], "tier": 1,
                                                                "multiples": 1}).json()
    shown = [rows.nth(i).locator(".wi-p").inner_text() for i in range(3)]
    assert shown == [f"{100 * c['probability']:.1f}%" for c in [*expected["choices"], expected["no_seat"]]]
    assert "阳光实验小学" in rows.nth(0).inner_text() and "95% 区间" in rows.nth(0).inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.locator("#what-if-section").scroll_into_view_if_needed()
    full = shot(page, "what-if-phone")
    page.locator("#what-if-result").screenshot(path=str(full.with_name("what-if-answer.png")))  # the bars up close
    page.click("#lang")
    assert "Choice 1" in rows.nth(0).inner_text() and "95% interval" in rows.nth(0).inner_text()
    shot(page, "what-if-phone-en")
    page.click("#lang")

    # the same school twice: the server's bilingual refusal, naming the choice
    page.select_option("#wi-choice-2", "S0001")
    page.click("#wi-submit")
    page.wait_for_selector("#what-if-error:not([hidden])")
    assert "填报了两次" in page.locator("#what-if-error").inner_text()
    assert "preferences[1]" in page.locator("#what-if-error").inner_text()

    page.goto(f"{service.url}/runs/{service.runs['lottery']}")  # published: the lookup, no what-if
    page.wait_for_selector("#lookup-section:not([hidden])")
    assert page.locator("#what-if-section").is_hidden()
    assert errors.messages == []
