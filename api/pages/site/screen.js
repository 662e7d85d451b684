// The big screen (大屏): the stages as they happen, polled every second, then results school by school.
import { CLASS_COLUMNS, call, el, resultTable, setupPage, stateText, t } from "./api.js";
import { stageItems } from "./stages.js";

setupPage();
const runId = decodeURIComponent(location.pathname.split("/")[2] || "");
const path = `/runs/${encodeURIComponent(runId)}`;
const $ = (id) => document.getElementById(id);
let shownResults = false;
let lastLog = -1;

async function results(v) {
  const name = v.files.includes("schools.csv") ? "schools.csv" : v.files.includes("classes.csv") ? "classes.csv" : null;
  if (!name) return;
  const text = await (await call("GET", `${path}/files/${name}`, { blob: true })).text();
  $("results").replaceChildren(el("h2", {}, t("各校录取结果", "results school by school")),
    resultTable(text, null, name === "classes.csv" ? CLASS_COLUMNS : null));
  shownResults = true;
}

async function tick() {
  try {
    const v = await call("GET", path);
    if (v.log_size !== lastLog) {
      lastLog = v.log_size;
      $("title").textContent = v.title || v.run_id;
      $("state").replaceChildren(stateText(v.state));
      document.body.dataset.state = v.state;
      $("stages").replaceChildren(...stageItems(v));
      if (v.state === "PUBLISHED" && !shownResults) await results(v);
    }
    $("updated").replaceChildren(t("更新于 ", "updated "), new Date().toLocaleTimeString());
  } catch (err) {
    $("updated").replaceChildren(t("连接中断，正在重试…", "connection lost, retrying…"));
  }
  setTimeout(tick, 1000);
}
tick();
