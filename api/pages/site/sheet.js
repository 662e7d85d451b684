// The ceremony run-sheet: the stages, the roster root and config hash in full, and lines to sign (printed).
import { call, el, setupPage, showError, t, table } from "./api.js";
import { reached, stages } from "./stages.js";

setupPage();
const runId = decodeURIComponent(location.pathname.split("/")[2] || "");
const $ = (id) => document.getElementById(id);
$("print").addEventListener("click", () => window.print());

async function load() {
  try {
    const v = await call("GET", `/runs/${encodeURIComponent(runId)}`);
    const facts = [["项目", "run", `${v.title} (${v.run_id})`], ["名单人数", "roster size", String(v.roster_size ?? "—")],
                   ["公开名单根", "public roster root", v.public_root || "—"], ["配置哈希", "config hash", v.config_hash || "—"],
                   ["drand 轮次", "drand round", v.public_source ? String(v.public_source.round) : "—"],
                   ["种子", "seed", v.seed || "—"]];
    $("facts").replaceChildren(...facts.flatMap(([zh, en, value]) => [el("dt", {}, t(zh, en)), el("dd", {}, el("code", {}, value))]));
    $("stages").replaceChildren(table([t("步骤", "stage"), t("完成", "done"), t("时间", "time"), t("经办人签字", "signed by")],
      stages(v).map(([stage, zh, en]) => [t(zh, en), reached(v.state, stage) ? "✓" : "", "", ""])));
    $("stages").querySelector("table").classList.add("sheet");
    const people = [...v.witnesses.map((w) => [w.name, "见证人", "witness"]), ["", "操作员", "operator"], ["", "监督人", "supervisor"]];
    $("signers").replaceChildren(...people.map(([name, zh, en]) => el("div", {},
      el("p", {}, t(zh, en), name ? `：${name}` : "：", " ", t("（签字、日期）", "(signature, date)")),
      el("div", { class: "sign-line" }))));
  } catch (err) {
    showError($("error"), err);
  }
}
load();
