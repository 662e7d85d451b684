// Shared by every page: calls to /api/v1, the one error display, the zh/en toggle, safe DOM building.
// Every text that comes from the API goes into the page with textContent (el() below), never innerHTML:
// an applicant or school called "<script>" stays text.

export const API = "/api/v1";

/** An error answer of the service: status plus its body {code, message_zh, message_en, details}. */
export class ApiFailure extends Error {
  constructor(status, body) {
    super(body.message_en || `HTTP ${status}`);
    this.status = status;
    this.body = body;
  }
}

/** Build an element: el("p", {class: "x"}, "text", child…). Strings become text nodes. */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === null || v === undefined || v === false) continue;
    if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
    else if (v === true) node.setAttribute(k, "");
    else node.setAttribute(k, String(v));
  }
  for (const c of children.flat(Infinity)) {
    if (c === null || c === undefined || c === false) continue;
    node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return node;
}

/** Both languages at once; CSS shows one (html.en shows English). */
export function t(zh, en) {
  const f = document.createDocumentFragment();
  f.append(el("span", { class: "zh", lang: "zh-CN" }, zh), el("span", { class: "en", lang: "en" }, en));
  return f;
}

export function english() {
  return document.documentElement.classList.contains("en");
}

/** The header every page has (brand, the pages, the zh/en toggle) and the language choice.
 *  The choice is kept in localStorage; switching changes the text without a reload. */
export function setupPage(title) {
  const apply = (lang) => {
    document.documentElement.classList.toggle("en", lang === "en");
    document.documentElement.lang = lang === "en" ? "en" : "zh-CN";
  };
  apply(localStorage.getItem("sunshine-lang") || "zh");
  const header = document.querySelector("header.top");
  const button = document.getElementById("lang") || el("button", { id: "lang", type: "button" });
  button.setAttribute("aria-label", "中文 / English");
  button.replaceChildren(t("English", "中文"));
  button.addEventListener("click", () => {
    const next = english() ? "zh" : "en";
    localStorage.setItem("sunshine-lang", next);
    apply(next);
  });
  if (header) {
    header.replaceChildren(
      el("a", { class: "brand", href: "/" }, t("阳光招生", "Sunshine")),
      el("nav", { "aria-label": "pages" }, el("a", { href: "/" }, t("公开查询", "Public")),
         el("a", { href: "/console" }, t("操作台", "Console")), el("a", { href: "/witness" }, t("见证人", "Witness"))),
      button);
  }
  if (title) document.title = title;
}

/** One request. Answers the parsed JSON (or a Blob for files); throws ApiFailure for a non-2xx answer. */
export async function call(method, path, { json, form, token, idempotencyKey, blob } = {}) {
  const headers = {};
  if (token) headers.Authorization = `Bearer ${token}`;
  if (idempotencyKey) headers["Idempotency-Key"] = idempotencyKey;
  let body;
  if (json !== undefined) {
    headers["Content-Type"] = "application/json";
    body = JSON.stringify(json);
  } else if (form !== undefined) {
    body = form;
  }
  let response;
  try {
    response = await fetch(API + path, { method, headers, body });
  } catch (err) {
    throw new ApiFailure(0, { code: "network", message_zh: "无法连接服务器，请检查网络后重试",
                              message_en: "cannot reach the server; check the network and retry", details: null });
  }
  if (!response.ok) {
    let data;
    try {
      data = await response.json();
    } catch (err) {
      data = { code: "http", message_zh: `服务器错误（${response.status}）`,
               message_en: `server error (${response.status})`, details: null };
    }
    throw new ApiFailure(response.status, data);
  }
  return blob ? response.blob() : response.json();
}

// One Idempotency-Key per click: kept while the answer is unknown (network error, 5xx, 409 in progress),
// so that clicking again retries the same request and the server runs it at most once.
const pendingKeys = new Map();

/** A mutating request for one button (`action` names the click, e.g. "freeze:RUN"). */
export async function mutate(action, method, path, options = {}) {
  if (!pendingKeys.has(action)) pendingKeys.set(action, crypto.randomUUID());
  const idempotencyKey = pendingKeys.get(action);
  try {
    const answer = await call(method, path, { ...options, idempotencyKey });
    pendingKeys.delete(action);
    return answer;
  } catch (err) {
    const unknown = err instanceof ApiFailure && (err.status === 0 || err.status >= 500
                                                  || err.body.code === "idempotency_in_progress");
    if (!unknown) pendingKeys.delete(action);
    throw err;
  }
}

/** Show an error answer in `box`: both messages, a polite wait for 429, located problems as a table. */
export function showError(box, err) {
  box.replaceChildren();
  box.hidden = false;
  box.setAttribute("role", "alert");
  if (!(err instanceof ApiFailure)) {
    box.append(el("p", {}, t("页面出错：", "page error: "), String(err && err.message ? err.message : err)));
    return;
  }
  const b = err.body;
  if (err.status === 429) {
    const wait = b.details && b.details.retry_after ? b.details.retry_after : 60;
    box.append(el("p", {}, t(`查询的人较多，请 ${wait} 秒后再试。谢谢耐心等待。`,
                             `Many people are looking results up; please try again in ${wait} s. Thank you.`)));
    return;
  }
  box.append(el("p", { class: "error-message" }, t(b.message_zh || "", b.message_en || "")));
  const details = b.details;
  if (Array.isArray(details) && details.length && typeof details[0] === "object" && "file" in details[0]) {
    box.append(problemTable(details));
  } else if (details && Array.isArray(details.checklist)) {
    box.append(checklistView(details.checklist));
  }
}

/** The located problems of a rejected input: file, Excel row, column, message. */
export function problemTable(problems) {
  const head = el("tr", {}, el("th", { scope: "col" }, t("文件", "file")),
                  el("th", { scope: "col" }, t("Excel 行", "Excel row")),
                  el("th", { scope: "col" }, t("列", "column")), el("th", { scope: "col" }, t("问题", "problem")));
  const rows = problems.map((p) => el("tr", {}, el("td", {}, p.file || ""), el("td", {}, p.row ?? "—"),
                                      el("td", {}, p.column ?? "—"), el("td", {}, t(p.message_zh, p.message_en))));
  return el("div", { class: "scroll" }, el("table", { class: "problems" },
            el("caption", {}, t("请修改以下问题后重新上传", "fix these and upload again")),
            el("thead", {}, head), el("tbody", {}, rows)));
}

/** The checklist: what is still missing before the run's next step ({code, who, message_zh, message_en}). */
export function checklistView(items) {
  if (!items.length) return el("p", { class: "ok" }, t("✓ 没有缺少的项目，可以进行下一步", "✓ nothing missing: the next step can be taken"));
  return el("ul", { class: "checklist" }, items.map((item) => el("li", {},
    el("span", { class: "who" }, item.who || ""), " ", t(item.message_zh || "", item.message_en || ""))));
}

/** The run states in words. */
export const STATES = {
  DRAFT: ["草稿（可上传、可公示）", "draft (uploads, 公示)"],
  ROSTER_FROZEN: ["名单已冻结", "roster frozen"],
  SOURCES_DECLARED: ["见证人与随机源已声明", "witnesses and source declared"],
  COMMITTED: ["见证人已提交承诺", "witnesses committed"],
  REVEALED: ["见证人已揭示", "witnesses revealed"],
  SEEDED: ["种子已生成", "seed derived"],
  EXECUTED: ["已执行派位", "executed"],
  PUBLISHED: ["已发布", "published"],
};

export function stateText(state) {
  const s = STATES[state] || [state, state];
  return t(s[0], s[1]);
}

export const KINDS = { lottery: ["电脑派位", "zone lottery"], points: ["积分入学", "points admission"],
                       classes: ["阳光编班", "class placement"] };

/** A kind as one plain string, both languages (for <option>, which holds no markup). */
export function kindLabel(kind) {
  const k = KINDS[kind] || [kind, kind];
  return `${k[0]} ${k[1]}`;
}

export function kindText(kind) {
  const k = KINDS[kind] || [kind, kind];
  return t(k[0], k[1]);
}

/** Offer bytes or text to the user as a downloaded file. */
export function download(name, data, type = "application/json") {
  const url = URL.createObjectURL(data instanceof Blob ? data : new Blob([data], { type }));
  const a = el("a", { href: url, download: name });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

/** A minimal CSV reader for the public result files (quoted fields, BOM). */
export function parseCsv(text) {
  const rows = [];
  let row = [], field = "", quoted = false;
  text = text.replace(/^\uFEFF/, "");
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { field += '"'; i++; }
      else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ",") { row.push(field); field = ""; }
    else if (c === "\n" || c === "\r") {
      if (c === "\r" && text[i + 1] === "\n") i++;
      row.push(field); rows.push(row); row = []; field = "";
    } else field += c;
  }
  if (field || row.length) { row.push(field); rows.push(row); }
  return rows;
}

/** A table from a header and rows of text. */
export function table(header, rows, caption) {
  return el("div", { class: "scroll" }, el("table", {},
    caption ? el("caption", {}, caption) : null,
    el("thead", {}, el("tr", {}, header.map((h) => el("th", { scope: "col" }, h)))),
    el("tbody", {}, rows.map((r) => el("tr", {}, r.map((c) => el("td", {}, c)))))));
}

/** "3a1f…" for long hashes in running text; the full value in the title for copying. */
export function short(hex, n = 16) {
  if (!hex) return el("span", {}, "—");
  return el("code", { title: hex, class: "hash" }, hex.length > n ? hex.slice(0, n) + "…" : hex);
}

// Readable names for the columns of the public result files (unknown columns keep their file name).
const COLUMNS = {
  school_id: ["学校代码", "school"], name: ["学校名称", "name"], scope: ["范围", "scope"], capacity: ["学位", "seats"],
  quota: ["学位", "seats"], admitted: ["录取", "admitted"], remaining: ["剩余", "left"], seats_left: ["剩余", "left"],
  applicant_id: ["报名号", "application"], lottery_number: ["派位号", "lottery number"], tier: ["类别", "tier"],
  choice_rank: ["志愿序号", "choice"], round: ["轮次", "round"], reason: ["原因", "reason"], unit_size: ["同组人数", "group size"],
  cutoff_tier: ["录取线类别", "cutoff tier"], cutoff_lottery_number: ["录取线派位号", "cutoff number"],
  round2_cutoff_tier: ["二轮录取线类别", "round 2 cutoff tier"],
  round2_cutoff_lottery_number: ["二轮录取线派位号", "round 2 cutoff number"], admission_line: ["录取分数线", "cutoff points"],
  class: ["班级", "class"], size: ["人数", "size"], boys: ["男", "boys"], girls: ["女", "girls"],
  head_teacher: ["班主任", "head teacher"],
};
/** The columns of classes.csv a person reads (the rest are balance statistics). */
export const CLASS_COLUMNS = ["class", "size", "boys", "girls", "head_teacher"];
const SKIP = new Set(["admitted_round1", "admitted_round2", "over_quota", "group"]);

/** The readable name of a result column (its file name when there is none). */
export function columnLabel(h) {
  return COLUMNS[h] ? t(COLUMNS[h][0], COLUMNS[h][1]) : h;
}

/** A figure or cell value as a person reads it (true → 是 / yes). */
export function valueText(v) {
  if (v === true) return t("是", "yes");
  if (v === false) return t("否", "no");
  return String(v);
}

/** A result file (CSV text) as a table with readable column names; `only` limits the columns shown. */
export function resultTable(csvText, caption, only = null) {
  const rows = parseCsv(csvText).filter((r) => r.length > 1);
  if (!rows.length) return el("p", {}, "—");
  const keep = rows[0].map((h, i) => i).filter((i) => (only ? only.includes(rows[0][i]) : !SKIP.has(rows[0][i])));
  return table(keep.map((i) => columnLabel(rows[0][i])), rows.slice(1).map((r) => keep.map((i) => r[i])), caption);
}
