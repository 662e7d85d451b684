"""What rebuilding the XLSX lists costs the browser verifier (docs/xlsx.md, api/pages/verifier/xlsx.js).

    .venv/bin/python benchmarks/browser_xlsx.py                   # 50,000-applicant lottery + sample points bundle
    .venv/bin/python benchmarks/browser_xlsx.py --lottery 20000 --points 200 --runs 3

Builds a practice lottery bundle at the size where the engine still writes ``results_by_school.xlsx`` (50,000
applicants, the ``benchmarks/audit.py`` instance: 1,000 schools, five choices, DA) and a points bundle of the
sample rules (``benchmarks/browser_verifier.py``'s generator, round 2), then verifies each in the page in headless
Chromium ``--runs`` times. The page's ``xlsxParts`` (the XML text) and ``zipBytes`` (UTF-8, CRC-32, pako's
deflate, the zip) are wrapped with timers (classic-script functions are global bindings, so the wrappers are
what the replay calls); the whole verification is the page's own ``seconds``.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from api.runs.publish import publish_run
from api.verifier_page import verifier_html
from benchmarks.audit import SEED, lottery_run
from benchmarks.browser_verifier import points_bench_run

TIMERS = """() => {
  const t = { parts: 0, zip: 0, books: 0 };
  for (const [name, key] of [["xlsxParts", "parts"], ["zipBytes", "zip"]]) {
    const f = window[name];
    window[name] = (...a) => {
      const s = performance.now();
      try { return f(...a); } finally { t[key] += performance.now() - s; }
    };
  }
  const bytes = window.xlsxBytes;
  window.xlsxBytes = (s) => { t.books++; return bytes(s); };
  window.__xlsxTimes = t;
}"""


def measure(page_file: Path, bundles: dict[str, Path], runs: int) -> None:
    from playwright.sync_api import sync_playwright

    chromium = shutil.which("chromium")
    if chromium is None:
        raise SystemExit("chromium is not installed (apt-get install -y chromium)")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, headless=True, args=["--no-sandbox"])
        page = browser.new_context(bypass_csp=True).new_page()
        page.goto(page_file.as_uri())
        page.wait_for_selector("body[data-state=ready]")
        for name, bundle in bundles.items():
            for i in range(runs):
                page.evaluate(TIMERS)
                page.evaluate("document.body.dataset.state = 'idle'; document.getElementById('file').value = ''")
                page.set_input_files("#file", str(bundle))
                page.wait_for_selector("body[data-state=done]", timeout=600_000)
                report = page.evaluate("window.sunshineReport")
                t = page.evaluate("window.__xlsxTimes")
                xlsx = (t["parts"] + t["zip"]) / 1000
                print(f"{name:8} run {i + 1}: verify {report['seconds']:5.2f} s in the page; {t['books']} workbook(s) "
                      f"rebuilt in {xlsx:5.2f} s (XML {t['parts'] / 1000:.2f} s, zip+deflate {t['zip'] / 1000:.2f} s) "
                      f"= {100 * xlsx / report['seconds']:.0f} %;  {str(report['verdict']['en'])[:24]}…")
        browser.close()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--lottery", type=int, default=50_000, help="lottery applicants (≤ 50,000: xlsx written)")
    ap.add_argument("--points", type=int, default=200, help="points applicants (the sample's size)")
    ap.add_argument("--runs", type=int, default=3, help="verifications of each bundle (the first warms the JIT up)")
    args = ap.parse_args()
    print(f"load average before: {Path('/proc/loadavg').read_text().split()[0]} (2 cores)")
    with tempfile.TemporaryDirectory() as tmp:
        bundles = {}
        for name, run in (("lottery", lottery_run(args.lottery)), ("points", points_bench_run(args.points))):
            out = Path(tmp) / name
            t0 = time.perf_counter()
            publish_run(run, SEED, out)
            books = sorted((out / "bundle" / "results").glob("*.xlsx"))
            sizes = ", ".join(f"{p.name} {p.stat().st_size / 1e6:.2f} MB" for p in books)
            print(f"bundle   {name}: {(out / 'bundle.zip').stat().st_size / 1e6:.1f} MB zip ({sizes}; "
                  f"published in {time.perf_counter() - t0:.1f} s)")
            bundles[name] = out / "bundle.zip"
        page_file = Path(tmp) / "verifier.html"
        page_file.write_bytes(verifier_html())
        measure(page_file, bundles, args.runs)


if __name__ == "__main__":
    main()
