// The operator console: sign in with a token, create a run, upload inputs (422 problems as a table),
// follow the checklist, and take every step of the placement day (freeze, declare, seed, execute, publish, 复核,
// whose run inherits the original's seed).
import { call, checklistView, el, kindLabel, kindText, mutate, setupPage, short, showError, stateText, t }
  from "./api.js";

setupPage();
const $ = (id) => document.getElementById(id);
const TOKEN = "sunshine-operator-token";
let token = sessionStorage.getItem(TOKEN);
let kinds = [];
let current = null;

async function signIn(value) {
  try {
    const me = await call("GET", "/me", { token: value });
    if (me.role !== "operator") throw new Error(`role ${me.role}: an operator token is needed`);
    token = value;
    sessionStorage.setItem(TOKEN, value);
    $("login-section").hidden = true;
    $("work").hidden = false;
    const out = el("button", { type: "button", class: "secondary" }, t("退出", "Sign out"));
    out.addEventListener("click", () => { sessionStorage.removeItem(TOKEN); location.reload(); });
    $("who").replaceChildren(t("操作员：", "operator: "), el("strong", {}, me.name), " ", out);
    kinds = await call("GET", "/kinds");
    $("kind").replaceChildren(...kinds.map((k) => el("option", { value: k.kind }, kindLabel(k.kind))));
    showOptions();
    await listRuns();
    const fromHash = new URLSearchParams(location.hash.slice(1)).get("run");
    if (fromHash) await openRun(fromHash);
  } catch (err) {
    sessionStorage.removeItem(TOKEN);
    showError($("error"), err);
  }
}

function showOptions() {
  const kind = kinds.find((k) => k.kind === $("kind").value);
  const box = $("options");
  box.replaceChildren(box.querySelector("legend"));
  for (const o of kind ? kind.options : []) {
    const id = `opt-${o.key}`;
    let input;
    if (o.type === "bool") {
      input = el("input", { id, type: "checkbox", "data-key": o.key, "data-type": o.type, checked: o.default === true });
      box.append(el("label", { class: "inline", for: id }, input, t(o.help_zh, o.help_en), " ", el("code", {}, o.key)));
      continue;
    }
    if (o.choices.length) {
      input = el("select", { id, "data-key": o.key, "data-type": o.type },
                 o.choices.map((c) => el("option", { value: c, selected: c === o.default }, c)));
    } else {
      input = el("input", { id, type: o.type === "int" ? "number" : "text", "data-key": o.key, "data-type": o.type,
                            value: o.default ?? "" });
    }
    box.append(el("label", { for: id }, t(o.help_zh, o.help_en), " ", el("code", {}, o.key)), input);
  }
}

/** The options that differ from their defaults (the server checks them). */
function chosenOptions() {
  const kind = kinds.find((k) => k.kind === $("kind").value);
  const out = {};
  for (const node of $("options").querySelectorAll("[data-key]")) {
    const o = kind.options.find((x) => x.key === node.dataset.key);
    let value = node.type === "checkbox" ? node.checked : node.value;
    if (o.type === "int" && value !== "") value = Number(value);
    if (value === "" || value === o.default) continue;
    out[o.key] = value;
  }
  return out;
}

async function listRuns() {
  const runs = await call("GET", "/runs");
  $("pick").replaceChildren(...runs.map((r) => el("option", { value: r.run_id }, `${r.title || r.run_id} (${r.state})`)));
}

async function openRun(runId) {
  try {
    render(await call("GET", `/runs/${encodeURIComponent(runId)}`));
  } catch (err) {
    showError($("error"), err);
  }
}

/** Run one mutating click: the button is disabled while it runs; errors (422 tables, 409 checklists) shown. */
async function act(button, action, method, path, options, box = $("error")) {
  button.disabled = true;
  box.hidden = true;
  try {
    const answer = await mutate(action, method, path, { ...options, token });
    return answer;
  } catch (err) {
    showError(box, err);
    return null;
  } finally {
    button.disabled = false;
  }
}

function section(zh, en, ...children) {
  return el("section", { class: "card" }, el("h3", {}, t(zh, en)), ...children);
}

function render(v) {
  current = v;
  history.replaceState(null, "", `#run=${encodeURIComponent(v.run_id)}`);
  const path = `/runs/${encodeURIComponent(v.run_id)}`;
  const box = $("run");
  box.hidden = false;
  const refresh = async (answer) => { if (answer && answer.run_id && answer.state) render(answer); else await openRun(v.run_id); };

  const inputs = v.inputs.map((spec) => {
    const id = `file-${spec.key}`;
    const err = el("div", { class: "error", hidden: true, id: `err-${spec.key}` });
    const file = el("input", { id, type: "file", "data-key": spec.key });
    const button = el("button", { type: "button", "data-upload": spec.key }, t("上传", "Upload"));
    button.addEventListener("click", async () => {
      if (!file.files.length) { showError(err, new Error("choose a file first / 请先选择文件")); return; }
      const form = new FormData();
      form.append("file", file.files[0]);
      const answer = await act(button, `upload:${v.run_id}:${spec.key}:${file.files[0].name}:${file.files[0].size}`,
                               "PUT", `${path}/inputs/${encodeURIComponent(spec.key)}`, { form }, err);
      if (answer) render(answer);
    });
    return el("div", { class: "input" },
      el("label", { for: id }, t(spec.help_zh, spec.help_en), " ", el("code", {}, spec.key),
         spec.required ? el("span", { class: "bad" }, " *") : null),
      el("p", { class: "muted", id: `now-${spec.key}` }, t("当前：", "now: "), spec.file || t("未上传", "not uploaded")),
      el("div", { class: "row" }, file, button), err);
  });

  const step = (zh, en, id, method, suffix, body) => {
    const b = el("button", { type: "button", id }, t(zh, en));
    b.addEventListener("click", async () => refresh(await act(b, `${id}:${v.run_id}`, method, `${path}${suffix}`,
                                                              body ? { json: body() } : {})));
    return b;
  };

  const declare = el("form", { id: "declare-form" },
    el("label", { for: "d-witnesses" }, t("见证人用户名（逗号分隔）", "witness user names (comma separated)")),
    el("input", { id: "d-witnesses", type: "text", value: "公证处,家长代表" }),
    el("label", { for: "d-deadline" }, t("揭示截止时间（UTC）", "reveal deadline (UTC)")),
    el("input", { id: "d-deadline", type: "text", value: new Date(Date.now() + 3600e3).toISOString().slice(0, 19) + "Z" }),
    el("label", { for: "d-chain" }, t("drand 链", "drand chain")),
    el("select", { id: "d-chain" }, el("option", { value: "quicknet" }, "quicknet"), el("option", { value: "mainnet" }, "mainnet")),
    el("label", { for: "d-round" }, t("drand 轮次（留空：截止后第一轮）", "drand round (empty: first after the deadline)")),
    el("input", { id: "d-round", type: "number", min: 1 }));
  const declareBody = () => {
    const round = declare.querySelector("#d-round").value;
    return { witnesses: declare.querySelector("#d-witnesses").value.split(/[,，]/).map((s) => s.trim()).filter(Boolean),
             reveal_deadline: declare.querySelector("#d-deadline").value.trim(),
             public_source: { chain: declare.querySelector("#d-chain").value, round: round ? Number(round) : null } };
  };
  const beacon = el("textarea", { id: "beacon", "aria-describedby": "beacon-help" });
  const seedBody = () => {
    let b;
    try { b = JSON.parse(beacon.value); } catch (err) { b = {}; }
    const out = { round: b.round, signature: b.signature };
    if (b.previous_signature) out.previous_signature = b.previous_signature;
    return out;
  };
  const progress = el("progress", { id: "progress", max: 100, value: 0, hidden: true });
  const progressText = el("p", { id: "progress-text", "aria-live": "polite" });
  const background = (zh, en, action) => {
    const b = el("button", { type: "button", id: action }, t(zh, en));
    b.addEventListener("click", async () => {
      const started = await act(b, `${action}:${v.run_id}`, "POST", `${path}/${action}`);
      if (started) await follow(path, action, progress, progressText);
    });
    return b;
  };
  const reason = el("input", { id: "review-reason", type: "text", maxlength: 1000 });
  const reviewButton = el("button", { type: "button", id: "review" }, t("发起复核", "Start a 复核 run"));
  reviewButton.addEventListener("click", async () => {
    const answer = await act(reviewButton, `review:${v.run_id}:${reason.value}`, "POST", `${path}/review`,
                             { json: { reason: reason.value } });
    if (answer) { await listRuns(); render(answer); }
  });

  box.replaceChildren(...[
    el("h2", { id: "run-title" }, v.title || v.run_id),
    el("p", {}, kindText(v.kind), " · ", el("strong", { id: "run-state", "data-state": v.state }, stateText(v.state)),
       " · ", el("code", {}, v.run_id), " · ", el("a", { href: `/runs/${encodeURIComponent(v.run_id)}` }, t("公开页", "public page")),
       " · ", el("a", { href: `/screen/${encodeURIComponent(v.run_id)}` }, t("大屏", "big screen"))),
    section("下一步与检查清单", "Next step and checklist",
      el("p", {}, t("下一步：", "next: "), el("code", { id: "next-step" }, v.next_step)), checklistView(v.checklist)),
    v.state === "DRAFT" ? section("上传输入", "Inputs", ...inputs) : null,
    section("公示与冻结", "公示 and freeze",
      el("p", {}, v.public_root ? [t(`名单 ${v.roster_size} 人，公开名单根 `, `roster of ${v.roster_size}, public root `),
        short(v.public_root, 64)] : t("上传完成后即可公示；冻结时计算名单根。", "show it once uploaded; the root is fixed at freeze."),
        " ", el("a", { href: `/runs/${encodeURIComponent(v.run_id)}#roster-section` },
                                          t("查看公示名单", "see the 公示 roster"))),
      v.state === "DRAFT" ? step("冻结名单", "Freeze the roster", "freeze", "POST", "/freeze") : null),
    v.state === "ROSTER_FROZEN" && v.parent_run_id ? section("继承原运行的种子", "Inherit the original's seed",
      el("p", { class: "muted" }, t(`复核沿用原运行 ${v.parent_run_id} 的种子（附签名检查点与包含证明），不另请见证人、不另取信标。`,
        `a 复核 reuses run ${v.parent_run_id}'s seed (with its signed checkpoint and an inclusion proof): no new witnesses, no new beacon.`)),
      step("继承种子", "Inherit the seed", "inherit-seed", "POST", "/inherit-seed")) : null,
    v.state === "ROSTER_FROZEN" && !v.parent_run_id ? section("声明见证人与随机源", "Declare witnesses and the drand round", declare,
      step("声明", "Declare", "declare", "POST", "/declare", declareBody)) : null,
    ["SOURCES_DECLARED", "COMMITTED", "REVEALED"].includes(v.state) ? section("见证人", "Witnesses",
      el("ul", {}, v.witnesses.map((w) => el("li", {}, w.name, " — ", w.committed ? t("已承诺", "committed") : t("未承诺", "not committed"),
        " / ", w.revealed ? t("已揭示", "revealed") : t("未揭示", "not revealed")))),
      el("p", { class: "muted" }, t("见证人在各自设备上打开：", "each witness opens: "),
         el("code", {}, `${location.origin}/witness?run=${v.run_id}`))) : null,
    v.state === "REVEALED" ? section("公开随机值（drand 信标）", "Public value (drand beacon)",
      el("label", { for: "beacon" }, t("粘贴该轮的 drand JSON", "paste the round's drand JSON")),
      el("p", { id: "beacon-help", class: "muted" }, `{"round": …, "signature": "…"}` ), beacon,
      step("生成种子", "Derive the seed", "seed", "POST", "/seed", seedBody)) : null,
    ["SEEDED", "EXECUTED", "PUBLISHED"].includes(v.state) ? section("执行与发布", "Execute and publish",
      v.state === "SEEDED" ? background("执行派位", "Execute", "execute") : null,
      v.state === "EXECUTED" ? background("发布", "Publish", "publish") : null,
      v.state === "PUBLISHED" ? el("p", { class: "ok" }, t("✓ 已发布：", "✓ published: "),
        el("a", { href: `/runs/${encodeURIComponent(v.run_id)}` }, t("结果与下载", "results and downloads"))) : null,
      progress, progressText) : null,
    v.state === "PUBLISHED" ? section("复核", "Review (复核)",
      el("label", { for: "review-reason" }, t("复核原因", "reason")), reason, reviewButton) : null,
  ].filter(Boolean));
}

/** Poll a background job once a second until it is done or failed; the progress bar follows it. */
async function follow(path, action, bar, text) {
  bar.hidden = false;
  for (;;) {
    let job;
    try {
      job = await call("GET", `${path}/jobs/${action}`);
    } catch (err) {
      showError($("error"), err);
      return;
    }
    bar.value = job.percent;
    text.replaceChildren(`${job.percent}% `, t(job.step_zh || "", job.step_en || ""));
    if (job.status === "done") break;
    if (job.status !== "running") {
      text.replaceChildren(t(`失败：${job.error_zh || job.step_zh}`, `failed: ${job.error_en || job.step_en}`));
      return;
    }
    await new Promise((r) => setTimeout(r, 1000));
  }
  await openRun(current.run_id);
}

$("login").addEventListener("submit", (e) => { e.preventDefault(); signIn($("token").value.trim()); });
$("kind").addEventListener("change", showOptions);
$("open").addEventListener("click", () => openRun($("pick").value));
$("create").addEventListener("submit", async (e) => {
  e.preventDefault();
  const body = { kind: $("kind").value, title: $("title").value.trim(), options: chosenOptions() };
  const answer = await act($("create-button"), `create:${JSON.stringify(body)}`, "POST", "/runs", { json: body });
  if (answer) { await listRuns(); render(answer); }
});
if (token) signIn(token);
