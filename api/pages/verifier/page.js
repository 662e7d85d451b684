// The page: drop or choose bundle.zip, optionally paste the keys to pin, read the numbered steps.
// Nothing leaves the browser: the page has no network code at all (and its CSP forbids any).
"use strict";

const UI = {
  zh: {
    title: "阳光招生 · 数据包核验（浏览器离线版）", lead: "把公布的 bundle.zip 拖到这里，或点击选择文件。全部在本机浏览器里计算，不联网、不上传。",
    choose: "选择 bundle.zip", keys: "要固定的公钥（每行一个：教育局操作员公钥、每位见证人公钥；可不填）",
    verify: "重新核验", working: "正在核验…", ok: "通过", fail: "未通过", unchecked: "本页未核验",
    steps: { signatures: "签名", log: "日志哈希链与树", ceremony: "仪式顺序", config: "配置", roster: "名单承诺", seed: "种子",
      results: "结果文件哈希", "lottery-numbers": "派位号", replay: "重算结果", manifest: "清单", cosignatures: "见证人联署" },
    failedAt: (n, step, item) => `第 ${n} 步「${step}」失败，首个问题：${item}`, notBundle: "不是可读取的数据包",
    dropHint: "或把文件拖到这个框里", lang: "English", limits: "本页面的核验范围", seconds: (s) => `用时 ${s} 秒`,
  },
  en: {
    title: "Sunshine · bundle verifier (offline, in your browser)", lead: "Drop the published bundle.zip here, or choose it. Everything is computed in this browser: nothing is sent anywhere.",
    choose: "Choose bundle.zip", keys: "Keys to pin (one per line: the bureau's operator key, each witness's key; optional)",
    verify: "Verify again", working: "Verifying…", ok: "ok", fail: "FAIL", unchecked: "not checked here",
    steps: { signatures: "signatures", log: "log chain and tree", ceremony: "ceremony order", config: "config", roster: "roster commitment",
      seed: "seed", results: "result hashes", "lottery-numbers": "lottery numbers", replay: "replay", manifest: "manifest",
      cosignatures: "witness cosignatures" },
    failedAt: (n, step, item) => `Step ${n} '${step}' failed at ${item}`, notBundle: "Not a readable bundle",
    dropHint: "or drop the file on this box", lang: "中文", limits: "What this page checks", seconds: (s) => `${s} s`,
  },
};

let lang = "zh";
let lastBytes = null;

function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  for (const c of children) e.append(c);
  return e;
}

function applyLanguage() {
  const t = UI[lang];
  document.documentElement.lang = lang === "zh" ? "zh-CN" : "en";
  for (const node of document.querySelectorAll("[data-t]")) {
    if (!(node.id === "filename" && node.dataset.chosen)) node.textContent = t[node.dataset.t];
  }
  document.getElementById("lang").textContent = t.lang;
  for (const node of document.querySelectorAll("[data-zh]")) node.textContent = lang === "zh" ? node.dataset.zh : node.dataset.en;
}

/**
 * Verify zip bytes; resolves to a plain report (also what the tests read):
 * {ok, bundle: bool, steps: [{n, step, status: "ok"|"unchecked"|"fail", line, item, en, zh}], verdict: {en, zh}, failed: {n, step, item}|null}
 */
async function verifyZip(bytes, keyLines) {
  const started = performance.now();
  const report = { ok: false, bundle: true, steps: [], verdict: null, failed: null };
  let files, bundle;
  try {
    files = await readZip(bytes);
    bundle = openBundle(files);
  } catch (e) {
    report.bundle = false;
    report.verdict = { en: `${UI.en.notBundle}: ${e.en || e.message}`, zh: `${UI.zh.notBundle}：${e.zh || e.message}` };
    return report;
  }
  let pins = null;
  try { pins = keyLines === null ? null : keyLines.map((l) => parseVkey(l, "signatures", "pinned key")); } catch (e) {
    report.verdict = { en: e.en, zh: e.zh };
    return report;
  }
  // the operator keys among the pins are those that are not a declared witness's key (like --key vs --witness-key)
  const declared = declaredWitnessKeys(files);
  const operatorPins = pins && pins.filter((k) => !declared.some((w) => sameKey(w, k)));
  const witnessPins = pins ? pins.filter((k) => declared.some((w) => sameKey(w, k))) : [];
  let last = performance.now();
  report.timings = { zip: (last - started) / 1000 };
  try {
    const outcome = await verifySteps(bundle, operatorPins && operatorPins.length ? operatorPins : null, (i, line, notes) => {
      if (i === -2) { report.timings.replayAhead = line; return; } // seconds of step 9's replay, run while the worker hashed
      if (i === -3) { report.timings[line[0]] = line[1]; return; } // seconds of the worker's roster roots and result rows tree
      if (i < 0) { report.rosterHashedIn = line; return; } // where the roster trees were hashed (a worker or the page)
      const now = performance.now();
      report.timings[STEPS[i]] = (now - last) / 1000;
      last = now;
      report.steps.push({ n: i + 1, step: STEPS[i], status: notes.length ? "unchecked" : "ok", line, notes });
    });
    const v = verdictOf(outcome, Boolean(operatorPins && operatorPins.length), witnessPins);
    report.ok = v.ok;
    report.verdict = { en: v.en, zh: v.zh };
  } catch (e) {
    if (!(e instanceof Fail)) throw e;
    const n = STEPS.indexOf(e.step) + 1;
    report.failed = { n, step: e.step, item: e.item, en: e.en, zh: e.zh };
    report.steps.push({ n, step: e.step, status: "fail", line: `Verification step '${e.step}' failed at ${e.item}: ${e.en}`,
      line_zh: `核验步骤「${e.step}」失败（${e.item}）：${e.zh}`, notes: [] });
    report.verdict = { en: `FAIL  Verification step '${e.step}' failed at ${e.item}: ${e.en}`, zh: `未通过：核验步骤「${e.step}」失败（${e.item}）：${e.zh}` };
  }
  return report;
}

/** The witness keys declared in the log (so a pasted key can be told to be a witness's, not the operator's). */
function declaredWitnessKeys(files) {
  const out = [];
  for (const line of UTF8_LOOSE.decode(files["log.jsonl"] || new Uint8Array()).split("\n")) {
    if (!line.includes('"action":"sources.declare"')) continue;
    try { for (const w of JSON.parse(line).payload.witnesses) out.push(parseVkey(w.key)); } catch { /* step 3 will say */ }
  }
  return out;
}

function render(report, seconds) {
  const t = UI[lang];
  const list = document.getElementById("steps");
  list.replaceChildren();
  for (const s of report.steps) {
    const label = s.status === "ok" ? t.ok : s.status === "fail" ? t.fail : t.unchecked;
    const li = el("li", { class: `step ${s.status}`, "data-step": s.step },
      el("span", { class: "num" }, String(s.n).padStart(2, " ") + "."),
      el("span", { class: "badge" }, label),
      el("span", { class: "name" }, t.steps[s.step]),
      el("span", { class: "line" }, lang === "zh" && s.line_zh ? s.line_zh : s.line));
    for (const n of s.notes) li.append(el("div", { class: "note" }, lang === "zh" ? n.zh : n.en));
    list.append(li);
  }
  const verdict = document.getElementById("verdict");
  verdict.className = report.ok ? "verdict good" : "verdict bad";
  verdict.replaceChildren();
  if (report.ok) verdict.append(el("strong", {}, "已验证 VERIFIED"));
  else if (report.failed) verdict.append(el("strong", {}, t.failedAt(report.failed.n, report.failed.step, report.failed.item)));
  else verdict.append(el("strong", {}, lang === "zh" ? "未验证 NOT VERIFIED" : "NOT VERIFIED"));
  const first = lang === "zh" ? report.verdict.zh : report.verdict.en, second = lang === "zh" ? report.verdict.en : report.verdict.zh;
  verdict.append(el("p", {}, first), el("p", { class: "secondary" }, second));
  if (seconds !== undefined) verdict.append(el("p", { class: "secondary" }, t.seconds(seconds.toFixed(2))));
}

async function run(bytes) {
  lastBytes = bytes;
  const verdict = document.getElementById("verdict");
  verdict.className = "verdict working";
  verdict.textContent = UI[lang].working;
  document.getElementById("steps").replaceChildren();
  const keyLines = document.getElementById("keys").value.split(/\r?\n/).map((l) => l.trim()).filter(Boolean);
  const t0 = performance.now();
  let report;
  try { report = await verifyZip(bytes, keyLines.length ? keyLines : null); } catch (e) {
    report = { ok: false, steps: [], failed: null, verdict: { en: `internal error: ${e.message}`, zh: `内部错误：${e.message}` } };
  }
  const seconds = (performance.now() - t0) / 1000;
  window.sunshineReport = { ...report, seconds };
  render(report, seconds);
  document.body.dataset.state = "done";
}

async function takeFile(file) {
  if (!file) return;
  document.body.dataset.state = "working";
  const shown = document.getElementById("filename");
  shown.textContent = file.name;
  shown.dataset.chosen = "1";
  run(new Uint8Array(await file.arrayBuffer()));
}

if (typeof document !== "undefined") window.addEventListener("DOMContentLoaded", () => {
  const input = document.getElementById("file");
  input.addEventListener("change", () => takeFile(input.files[0]));
  const drop = document.getElementById("drop");
  drop.addEventListener("dragover", (e) => { e.preventDefault(); drop.classList.add("over"); });
  drop.addEventListener("dragleave", () => drop.classList.remove("over"));
  drop.addEventListener("drop", (e) => { e.preventDefault(); drop.classList.remove("over"); takeFile(e.dataTransfer.files[0]); });
  document.getElementById("again").addEventListener("click", () => { if (lastBytes) { document.body.dataset.state = "working"; run(lastBytes); } });
  document.getElementById("lang").addEventListener("click", () => {
    lang = lang === "zh" ? "en" : "zh";
    applyLanguage();
    if (window.sunshineReport) render(window.sunshineReport, window.sunshineReport.seconds);
  });
  applyLanguage();
  spareWorkerLater(); // verify.js: a worker ready before a bundle is chosen
  document.body.dataset.state = "ready";
});
