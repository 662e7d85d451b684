"""The drand beacon's BLS12-381 check in the browser verifier, timed in Debian Chromium (once per bundle).

    .venv/bin/python benchmarks/browser_beacon.py            # every known answer, 5 runs each
    .venv/bin/python benchmarks/browser_beacon.py --runs 10

Loads the page ``sunshine verifier`` writes (headless Chromium through Playwright, ``executable_path`` = the
system ``chromium``) and times ``verifyBeacon`` (beacon.js on the vendored @noble/curves) on each real beacon
of tests/vectors/beacon/known_answers.json, inside the page with ``performance.now()``: the first check of
each scheme in a fresh page (cold: JIT, the chain key decoded, hash-to-curve tables built) and the later
ones, per scheme. A bundle has one beacon, so the cold figure is what a parent waits for; ``sunshine verify``
(py-arkworks-bls12381) side by side from the same vectors.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from api.verifier_page import verifier_html
from audit.beacon import MAINNET, QUICKNET, verify_beacon

VECTORS = Path(__file__).resolve().parents[1] / "tests" / "vectors" / "beacon" / "known_answers.json"

TIME_ALL = """([cases, runs]) => cases.map((c) => {
  const ms = [];
  for (let r = 0; r < runs; r++) {
    const t0 = performance.now();
    verifyBeacon(c.chain, c.round, c.signature, c.previous_signature ?? null);
    ms.push(performance.now() - t0);
  }
  return ms;
})"""


def page_times(cases: list[dict[str, object]], runs: int) -> tuple[dict[str, float], list[list[float]]]:
    """(cold first check per scheme in a fresh page, ms; then every case ``runs`` times in one page, ms)."""
    from playwright.sync_api import sync_playwright

    chromium = shutil.which("chromium")
    if chromium is None:
        raise SystemExit("chromium is not installed (apt-get install -y chromium)")
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as p:
        page_file = Path(tmp) / "verifier.html"
        page_file.write_bytes(verifier_html())
        browser = p.chromium.launch(executable_path=chromium, headless=True, args=["--no-sandbox"])
        cold: dict[str, float] = {}
        for scheme in ("pedersen-bls-chained", "bls-unchained-g1-rfc9380"):
            page = browser.new_context(bypass_csp=True).new_page()
            page.goto(page_file.as_uri())
            page.wait_for_selector("body[data-state=ready]")
            first = next(c for c in cases if c["chain"]["scheme"] == scheme)  # type: ignore[index]
            cold[scheme] = page.evaluate(TIME_ALL, [[first], 1])[0][0]
            page.context.close()
        page = browser.new_context(bypass_csp=True).new_page()
        page.goto(page_file.as_uri())
        page.wait_for_selector("body[data-state=ready]")
        warm = page.evaluate(TIME_ALL, [cases, runs])
        browser.close()
    return cold, warm


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5, help="checks of each known answer in one page")
    args = ap.parse_args()
    known = json.loads(VECTORS.read_text(encoding="utf-8"))
    cases = [{**v, "chain": known["chains"][v["chain"]]} for v in known["positives"]]
    cold, warm = page_times(cases, args.runs)
    print(f"{'scheme':28s} {'cold ms (fresh page)':>21s} {'page median ms':>15s} {'page min ms':>12s} "
          f"{'python ms':>10s}")
    for scheme, chain in (("pedersen-bls-chained", MAINNET), ("bls-unchained-g1-rfc9380", QUICKNET)):
        mine = [t for c, ts in zip(cases, warm, strict=True) if c["chain"]["scheme"] == scheme for t in ts[1:]]
        py = []
        for c in cases:
            if c["chain"]["scheme"] == scheme:
                t0 = time.perf_counter()
                verify_beacon(chain, c["round"], c["signature"], c["previous_signature"])
                py.append((time.perf_counter() - t0) * 1000)
        print(f"{scheme:28s} {cold[scheme]:21.0f} {statistics.median(mine):15.0f} {min(mine):12.0f} "
              f"{statistics.median(py):10.1f}")


if __name__ == "__main__":
    main()
