"""The pages in Chromium against a real ``sunshine serve --demo``: public list and lookup, console, witness, screen.

The placement-day test is one whole day in order, a browser per person (the server runs on the
rehearsal clock of the samples' drand round): the witness generates and registers a key in their
browser; the operator creates a run, meets a 422 table, uploads the samples, freezes and declares;
the witness commits and reveals from the browser; the operator pastes the beacon, executes and
publishes; the big screen follows; the witness seals; the operator starts a 复核 run. The server
checks every browser signature and cosignature with the Python code (audit.witness), so each
accepted step is a cross-check of the page's cryptography.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "samples" / "lottery"
BEACON = json.loads((ROOT / "samples" / "beacons" / "quicknet-657413.json").read_text(encoding="utf-8"))
HOSTILE = '<script>window.pwned=1</script><img src=x onerror="window.pwned=1">'


def test_public_index_lists_the_runs(service: Any, new_page: Any, shot: Any) -> None:
    page, errors = new_page()
    page.goto(service.url + "/")
    page.wait_for_selector("#runs li[data-run]")
    assert page.locator("#runs li[data-run]").count() == 3
    assert {page.locator("#runs li[data-run]").nth(i).get_attribute("data-run") for i in range(3)} == set(
        service.runs.values())
    assert "已发布" in page.locator("#runs").inner_text()
    page.click("#lang")
    assert "published" in page.locator("#runs").inner_text()
    shot(page, "index-en")
    page.click("#lang")
    shot(page, "index")
    assert errors.messages == []


def test_parent_lookup_at_phone_width(service: Any, new_page: Any, shot: Any, tmp_path: Path) -> None:
    page, errors = new_page(390, 844)
    run = service.runs["lottery"]
    page.goto(f"{service.url}/runs/{run}")
    page.wait_for_selector("#chart svg")
    page.click("#roster-details summary")
    page.wait_for_selector("#roster table")
    page.fill("#lookup-id", "202600110")
    page.click("#lookup button[type=submit]")
    page.wait_for_selector("#sentence")
    sentence = page.locator("#sentence .zh").inner_text()
    assert sentence.startswith("派位号 ")
    expected = service.api().get(f"/runs/{run}/applicants/202600110").json()["explanation_zh"]
    assert sentence == expected
    with page.expect_download() as info:
        page.click("#answer button")
    receipt = json.loads(Path(info.value.path()).read_text(encoding="utf-8"))
    assert receipt["format"] == "sunshine-receipt/v2" and receipt["applicant_id"] == "202600110"
    # nothing wider than the phone (tables scroll inside their own box)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    shot(page, "run-lottery-phone")
    page.fill("#lookup-id", "999999999")
    page.click("#lookup button[type=submit]")
    page.wait_for_selector("#lookup-error:not([hidden])")
    assert "没有报名号" in page.locator("#lookup-error").inner_text()
    assert errors.messages == []


def test_every_kind_has_a_readable_run_page(service: Any, new_page: Any, shot: Any) -> None:
    page, errors = new_page(390, 844)
    for kind in ("points", "classes"):
        page.goto(f"{service.url}/runs/{service.runs[kind]}")
        page.wait_for_selector("#schools table")
        page.click("#roster-details summary")
        page.wait_for_selector("#roster table")
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        shot(page, f"run-{kind}-phone")
    page.goto(f"{service.url}/runs/{service.runs['lottery']}/sheet")
    page.wait_for_selector("#signers .sign-line")
    assert service.api().get(f"/runs/{service.runs['lottery']}").json()["public_root"] in page.inner_text("#facts")
    shot(page, "sheet")
    assert errors.messages == []


def upload(console: Any, key: str, path: str) -> None:
    console.set_input_files(f"#file-{key}", path)
    console.click(f"[data-upload={key}]")
    console.wait_for_selector(f"#now-{key}:has-text('{Path(path).name}')")


def test_placement_day_in_the_console_and_the_witness_page(service: Any, new_page: Any, shot: Any) -> None:
    witness, witness_errors = new_page(390, 844)   # the notary's phone
    console, console_errors = new_page()           # the bureau's desk

    # the witness generates a key in the browser and registers it
    witness.goto(service.url + "/witness")
    witness.fill("#token", service.token("公证处"))
    witness.click("#login button")
    witness.wait_for_selector("#me")
    witness.click("#generate")
    witness.wait_for_selector("#vkey")
    witness.click("#register")
    witness.wait_for_selector("#key-registered")
    vkey = witness.inner_text("#vkey")
    assert service.api(service.token("公证处")).get("/me").json()["witness_key"] == vkey

    # the operator signs in with the keyboard, creates a run whose title is hostile markup
    console.goto(service.url + "/console")
    console.focus("#token")
    console.keyboard.type(service.token("operator-demo"))
    console.keyboard.press("Enter")
    console.wait_for_selector("#work:not([hidden])")
    console.select_option("#kind", "lottery")
    console.check("#opt-round2")
    console.fill("#title", HOSTILE)
    console.click("#create-button")
    console.wait_for_selector("#run-state[data-state=DRAFT]")
    run = console.evaluate("new URLSearchParams(location.hash.slice(1)).get('run')")
    assert console.inner_text("#run-title") == HOSTILE
    assert console.evaluate("window.pwned") is None

    # the applicants, then a broken schools file: the 422 problems as a table (file, Excel row, column, message)
    upload(console, "applicants", str(SAMPLES / "applicants.csv"))
    console.set_input_files("#file-schools", files=[{"name": "schools.csv", "mimeType": "text/csv",
                                                     "buffer": "学校代码,学校名称\nS0001,阳光\n".encode()}])
    console.click("[data-upload=schools]")
    console.wait_for_selector("#err-schools table.problems")
    cells = console.locator("#err-schools table.problems tbody tr").first.locator("td").all_inner_texts()
    assert cells[:3] == ["schools.csv", "1", "capacity/招生计划"]  # the missing column, on the header row
    shot(console, "console-422")
    upload(console, "schools", str(SAMPLES / "schools.csv"))
    assert "上传" not in console.inner_text("ul.checklist, p.ok")
    shot(console, "console-draft")
    console.click("#freeze")
    console.wait_for_selector("#run-state[data-state=ROSTER_FROZEN]")
    console.fill("#d-witnesses", "公证处")
    console.fill("#d-deadline", "2023-09-15T10:00:00Z")
    console.fill("#d-round", str(BEACON["round"]))
    console.click("#declare")
    console.wait_for_selector("#run-state[data-state=SOURCES_DECLARED]")
    shot(console, "console-declared")

    # the witness sees what they commit to, generates a secret and commits from the browser
    witness.goto(f"{service.url}/witness?run={run}")
    witness.wait_for_selector("#public-root")
    view = service.api().get(f"/runs/{run}").json()
    assert witness.locator("#public-root code").get_attribute("title") == view["public_root"]
    assert witness.locator("#config-hash code").get_attribute("title") == view["config_hash"]
    witness.click("#gen-secret")
    witness.click("#gen-salt")
    witness.wait_for_selector("#commitment:text-matches('^[0-9a-f]{64}$')")  # (the CSP forbids eval'd waits)
    witness.click("#commit")
    witness.wait_for_selector("#done[data-done=commit]")
    shot(witness, "witness-committed")
    view = service.api().get(f"/runs/{run}").json()
    assert view["state"] == "COMMITTED" and view["witnesses"][0]["committed"]
    secret = witness.evaluate(f"JSON.parse(localStorage.getItem('sunshine-witness-secret:{run}:公证处'))")
    assert set(secret) == {"value", "salt"}  # kept in the browser until the reveal

    # the witness reveals (the server checks the value and salt against the commitment)
    witness.click("#reveal")
    witness.wait_for_selector("#done[data-done=reveal]")
    assert service.api().get(f"/runs/{run}").json()["state"] == "REVEALED"

    # the big screen follows without a reload
    screen, screen_errors = new_page(1920, 1080)
    screen.goto(f"{service.url}/screen/{run}")
    screen.wait_for_selector("body[data-state=REVEALED]")
    assert "✓" in screen.inner_text("[data-stage=REVEALED]")
    shot(screen, "screen-revealed")

    # the operator pastes the drand beacon, executes and publishes (progress bar), the screen follows
    console.select_option("#pick", run)
    console.click("#open")
    console.wait_for_selector("#run-state[data-state=REVEALED]")
    console.fill("#beacon", json.dumps(BEACON))
    console.click("#seed")
    console.wait_for_selector("#run-state[data-state=SEEDED]")
    screen.wait_for_selector("body[data-state=SEEDED]")
    console.click("#execute")
    console.wait_for_selector("#run-state[data-state=EXECUTED]", timeout=120_000)
    console.click("#publish")
    console.wait_for_selector("#run-state[data-state=PUBLISHED]", timeout=120_000)
    shot(console, "console-published")
    screen.wait_for_selector("body[data-state=PUBLISHED]")
    screen.wait_for_selector("#results table")
    shot(screen, "screen-published-day")

    # the witness seals the published checkpoint; the operator starts a 复核 run
    witness.click("#seal")
    witness.wait_for_selector("#done[data-done=seal]")
    assert service.api().get(f"/runs/{run}").json()["published_cosigners"] == ["公证处"]
    console.fill("#review-reason", "家长申请复核")
    console.click("#review")
    console.wait_for_selector("#run-title:has-text('复核：')")
    review = console.evaluate("new URLSearchParams(location.hash.slice(1)).get('run')")
    assert service.api().get(f"/runs/{review}").json()["parent_run_id"] == run
    # the 复核 run: corrections uploaded, frozen, and the original's seed inherited (no declare section)
    upload(console, "corrections", str(SAMPLES / "corrections.csv"))
    console.click("#freeze")
    console.wait_for_selector("#run-state[data-state=ROSTER_FROZEN]")
    assert console.locator("#declare").count() == 0
    console.click("#inherit-seed")
    console.wait_for_selector("#run-state[data-state=SEEDED]")
    assert service.api().get(f"/runs/{review}").json()["seed"] == service.api().get(f"/runs/{run}").json()["seed"]

    # the public index shows the hostile title as text
    public, public_errors = new_page()
    public.goto(service.url + "/")
    public.wait_for_selector(f"#runs li[data-run='{run}']")
    assert public.inner_text(f"#runs li[data-run='{run}'] .title") == HOSTILE
    assert public.evaluate("window.pwned") is None
    assert witness_errors.messages == console_errors.messages == screen_errors.messages == public_errors.messages == []


def test_big_screen_of_a_published_run(service: Any, new_page: Any, shot: Any) -> None:
    page, errors = new_page(1920, 1080)
    page.goto(f"{service.url}/screen/{service.runs['lottery']}")
    page.wait_for_selector("body[data-state=PUBLISHED]")
    page.wait_for_selector("#results table")
    assert page.locator("#results tbody tr").count() == 6
    shot(page, "screen-published")
    assert errors.messages == []


def test_a_rate_limited_lookup_is_a_polite_wait(service: Any, new_page: Any) -> None:
    """The one error display with the service's 429 body (the limiter itself is tested with the service)."""
    page, errors = new_page(390, 844)
    page.goto(service.url + "/")
    text = page.evaluate("""async () => {
        const api = await import("/static/api.js");
        const box = document.getElementById("lookup-error");
        api.showError(box, new api.ApiFailure(429, {code: "rate_limited", message_zh: "查询过于频繁",
                                                    message_en: "too many lookups", details: {retry_after: 12}}));
        return box.innerText;
    }""")
    assert text == "查询的人较多，请 12 秒后再试。谢谢耐心等待。"
    assert errors.messages == []
