// The public index: every run with its state and title, and the lookup box.
import { call, el, kindText, setupPage, showError, stateText, t } from "./api.js";
import { lookup } from "./lookup.js";

setupPage();
const runsBox = document.getElementById("runs");
const select = document.getElementById("lookup-run");

async function load() {
  try {
    const runs = await call("GET", "/runs");
    runsBox.replaceChildren(...runs.map((r) => el("li", { "data-run": r.run_id },
      el("a", { class: "title", href: `/runs/${encodeURIComponent(r.run_id)}` }, r.title || r.run_id),
      el("span", { class: r.published ? "badge published" : "badge" }, stateText(r.state)),
      el("div", { class: "muted" }, kindText(r.kind), " · ", el("code", {}, r.run_id),
         r.parent_run_id ? el("span", {}, " · ", t("复核自 ", "review of "), el("code", {}, r.parent_run_id)) : null))));
    if (!runs.length) runsBox.append(el("li", {}, t("暂无招生项目", "no runs yet")));
    const published = runs.filter((r) => r.published);
    select.replaceChildren(...published.map((r) => el("option", { value: r.run_id }, r.title || r.run_id)));
  } catch (err) {
    showError(document.getElementById("runs-error"), err);
  }
}

document.getElementById("lookup").addEventListener("submit", (event) => {
  event.preventDefault();
  lookup(select.value, document.getElementById("lookup-id").value.trim(),
         document.getElementById("lookup-answer"), document.getElementById("lookup-error"));
});
load();
