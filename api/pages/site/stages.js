// The ceremony's stages as shown on the big screen and on the run-sheet: one list, one order.
import { el, short, t } from "./api.js";

const ORDER = ["DRAFT", "ROSTER_FROZEN", "SOURCES_DECLARED", "COMMITTED", "REVEALED", "SEEDED", "EXECUTED", "PUBLISHED"];

/** The drand randomness (or the value as text) of the seed record's public value. */
function publicValue(p) {
  if (p && typeof p === "object") return String(p.randomness ?? p.signature ?? JSON.stringify(p));
  return String(p);
}

/** [[state reached, zh, en, detail node], …] for a run view. */
export function stages(v) {
  const w = v.witnesses || [];
  const list = (pick) => w.length ? w.map((x) => `${x.name} ${pick(x) ? "✓" : "…"}`).join("  ") : "—";
  return [
    ["ROSTER_FROZEN", "名单公示并冻结", "roster shown (公示) and frozen",
     [t("公开名单根 ", "public roster root "), short(v.public_root, 24), ` (${v.roster_size ?? 0})`]],
    ["SOURCES_DECLARED", "声明见证人与随机源", "witnesses and drand round declared",
     [w.map((x) => x.name).join("、") || "—", v.public_source ? ` · drand #${v.public_source.round}` : ""]],
    ["COMMITTED", "见证人提交承诺", "witnesses committed", [list((x) => x.committed)]],
    ["REVEALED", "见证人揭示", "witnesses revealed", [list((x) => x.revealed || x.forfeited)]],
    ["SEEDED", "公开随机值与种子", "public value and seed",
     [v.public_value ? [t("公开随机值 ", "public value "), short(publicValue(v.public_value), 24), el("br")] : null,
      t("种子 ", "seed "), short(v.seed, 24)]],
    ["EXECUTED", "执行派位", "engine run", []],
    ["PUBLISHED", "发布结果", "results published", []],
  ];
}

/** The index of a state in the ceremony (a later state has reached every earlier stage). */
export function reached(state, stage) {
  return ORDER.indexOf(state) >= ORDER.indexOf(stage);
}

/** The stages as list items (done / now / to come). */
export function stageItems(v) {
  let next = true;
  return stages(v).map(([stage, zh, en, detail]) => {
    const isDone = reached(v.state, stage);
    const cls = isDone ? "done" : next ? "now" : "";
    if (!isDone) next = false;
    return el("li", { class: cls, "data-stage": stage }, isDone ? "✓ " : "○ ", t(zh, en),
              detail.length ? el("div", { class: "detail" }, ...detail) : null);
  });
}
