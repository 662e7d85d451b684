// The public lookup: one applicant's result in one sentence, the result row, and the receipt to download.
import { call, columnLabel, download, el, showError, t } from "./api.js";

/** Look `applicant` up in `run` and show the answer in `answerBox` (errors, 429 included, in `errorBox`). */
export async function lookup(run, applicant, answerBox, errorBox) {
  errorBox.hidden = true;
  answerBox.replaceChildren(el("p", { class: "muted" }, t("查询中…", "looking up…")));
  try {
    const a = await call("GET", `/runs/${encodeURIComponent(run)}/applicants/${encodeURIComponent(applicant)}`);
    answerBox.replaceChildren(answerView(a));
  } catch (err) {
    answerBox.replaceChildren();
    showError(errorBox, err);
  }
}

function answerView(a) {
  const result = a.result || {};
  const keys = Object.keys(result);
  const receiptButton = el("button", { type: "button", class: "no-print" }, t("下载回执", "Download receipt"));
  receiptButton.addEventListener("click", () =>
    download(`receipt-${a.run_id}-${a.applicant_id}.json`, JSON.stringify(a.receipt, null, 2) + "\n"));
  const printButton = el("button", { type: "button", class: "secondary no-print" }, t("打印通知", "Print notice"));
  printButton.addEventListener("click", () => {
    document.body.classList.add("print-notice");
    window.print();
    document.body.classList.remove("print-notice");
  });
  return el("div", { class: "answer notice-print", id: "answer" },
    el("p", { class: "print-only" }, t("录取结果通知", "Result notice")),
    el("p", {}, t("报名号 ", "Application "), el("strong", {}, a.applicant_id)),
    el("p", { class: "sentence", id: "sentence" }, t(a.explanation_zh, a.explanation_en)),
    keys.length ? el("dl", { class: "facts compact" }, keys.map((k) => [el("dt", {}, columnLabel(k)),
                                                                      el("dd", {}, result[k] || "—")])) : null,
    el("p", { class: "muted" }, t("回执可证明这一结果属于已发布的数据包，可用 sunshine verify-receipt 核验。",
                                   "The receipt proves this row is in the published bundle (sunshine verify-receipt).")),
    receiptButton, printButton);
}
