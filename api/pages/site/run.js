// A run's public page: state, roots, witnesses, figures, the choice-rank chart, schools, downloads, 公示 roster.
import { API, CLASS_COLUMNS, call, el, kindText, resultTable, valueText, setupPage, short, showError, stateText, t, table } from "./api.js";
import { barChart } from "./chart.js";
import { lookup } from "./lookup.js";
import { setupWhatIf } from "./whatif.js";

setupPage();
const runId = decodeURIComponent(location.pathname.split("/")[2] || "");
const runPath = `/runs/${encodeURIComponent(runId)}`;
const $ = (id) => document.getElementById(id);
$("screen-link").href = `/screen/${encodeURIComponent(runId)}`;
$("sheet-link").href = `${runPath}/sheet`;

function fact(dt, dd) {
  return [el("dt", {}, dt), el("dd", {}, dd)];
}

/** The round-1 choice-rank histogram of a lottery's summary.json (its `total` block): [[rank, count], …]. */
export function choiceHistogram(summary) {
  const h = (summary && summary.total && summary.total.round1_choice_rank_histogram) || {};
  return Object.keys(h).map(Number).sort((a, b) => a - b).map((r) => [r, Number(h[String(r)])]);
}

async function text(path) {
  const blob = await call("GET", path, { blob: true });
  return blob.text();
}

async function showResults(view) {
  $("results-section").hidden = false;
  const figures = (view.summary && view.summary.figures) || [];
  $("figures").replaceChildren(el("dl", { class: "facts compact" },
    figures.map((f) => fact(t(f.label_zh, f.label_en), valueText(f.value)))));
  $("files").replaceChildren(...view.files.map((name) => el("li", {},
    el("a", { href: name === "bundle.zip" ? `${API}${runPath}/bundle.zip` : `${API}${runPath}/files/${encodeURIComponent(name)}`,
              download: name }, name),
    name === "bundle.zip" ? el("span", { class: "muted" }, t("（审计数据包）", " (audit bundle)")) : null)));
  if (view.files.includes("summary.json")) {
    const bars = choiceHistogram(JSON.parse(await text(`${runPath}/files/summary.json`)));
    if (bars.length) {
      const title = english() ? "Round 1: admitted by choice rank" : "第一轮：按志愿序号的录取人数";
      $("chart").replaceChildren(el("h3", {}, t("第一轮录取的志愿分布", "Round 1 admissions by choice rank")),
        barChart(bars.map(([r, n]) => [english() ? `choice ${r}` : `第 ${r} 志愿`, n]), title));
    }
  }
  if (view.files.includes("chart.png")) {
    $("chart").replaceChildren(el("img", { src: `${API}${runPath}/files/chart.png`, class: "figure",
                                           alt: english() ? "class balance chart" : "各班均衡图" }));
  }
  if (view.files.includes("schools.csv")) {
    $("schools").replaceChildren(resultTable(await text(`${runPath}/files/schools.csv`),
                                             t("各校学位与录取线", "schools, seats and cutoffs")));
  } else if (view.files.includes("classes.csv")) {
    $("schools").replaceChildren(resultTable(await text(`${runPath}/files/classes.csv`), t("各班", "classes"), CLASS_COLUMNS));
  }
}

function english() {
  return document.documentElement.classList.contains("en");
}

// A city's roster is a million records: the page asks for the first few only (the bundle has all).
const ROSTER_SHOWN = 500;

async function showRoster() {
  try {
    const roster = await call("GET", `${runPath}/roster?limit=${ROSTER_SHOWN}`);
    const shown = roster.records || [];
    const keys = shown.length ? Object.keys(shown[0]) : [];
    $("roster").replaceChildren(
      el("p", {}, t(`共 ${roster.size} 人；名单根 `, `${roster.size} records; roster root `), short(roster.public_root, 64)),
      table(keys, shown.map((r) => keys.map((k) => (typeof r[k] === "object" ? JSON.stringify(r[k]) : r[k])))),
      roster.size > shown.length ? el("p", { class: "muted" },
        t(`仅显示前 ${shown.length} 条；完整名单见数据包`, `first ${shown.length} shown; the bundle has all`)) : null);
  } catch (err) {
    showError($("roster"), err);
  }
}

async function load() {
  try {
    const v = await call("GET", runPath);
    document.title = `${v.title || v.run_id} · 阳光招生`;
    $("title").textContent = v.title || v.run_id;
    $("meta").replaceChildren(kindText(v.kind), " · ", stateText(v.state), " · ", el("code", {}, v.run_id));
    $("facts").replaceChildren(...[
      fact(t("名单根（公开）", "public roster root"), short(v.public_root, 64)),
      fact(t("配置哈希", "config hash"), short(v.config_hash, 64)),
      fact(t("名单人数", "roster size"), String(v.roster_size ?? "—")),
      fact(t("公开随机源", "public source"), v.public_source
        ? `drand ${v.public_source.round}` : "—"),
      fact(t("种子", "seed"), short(v.seed, 64)),
      fact(t("日志条数", "log entries"), String(v.log_size)),
      v.parent_run_id ? fact(t("复核自", "review of"), el("a", { href: `/runs/${encodeURIComponent(v.parent_run_id)}` },
                                                    v.parent_run_id)) : null,
      v.reason ? fact(t("复核原因", "reason"), v.reason) : null,
    ].filter(Boolean).flat());
    const yes = (b) => (b ? "✓" : "—");
    $("witnesses").replaceChildren(v.witnesses.length ? table(
      [t("见证人", "witness"), t("承诺", "committed"), t("揭示", "revealed"), t("签章", "sealed")],
      v.witnesses.map((w) => [w.name, yes(w.committed), w.forfeited ? t("放弃", "forfeited") : yes(w.revealed),
                              yes(v.published_cosigners.includes(w.name))]))
      : el("p", { class: "muted" }, t("尚未声明见证人", "no witnesses declared yet")));
    if (v.kind === "lottery" && v.state !== "DRAFT" && v.state !== "PUBLISHED") {
      await setupWhatIf(runId, $("what-if-section"));
    }
    if (v.state === "PUBLISHED" && v.files.length) {
      $("lookup-section").hidden = false;
      await showResults(v);
    }
  } catch (err) {
    showError($("error"), err);
  }
  await showRoster();
}

$("lookup").addEventListener("submit", (event) => {
  event.preventDefault();
  lookup(runId, $("lookup-id").value.trim(), $("lookup-answer"), $("lookup-error"));
});
$("roster-print").addEventListener("click", () => {
  $("roster-details").open = true;
  window.print();
});
load();
