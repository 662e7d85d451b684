// Replay of points admission (随迁子女积分入学), written from docs/points.md, docs/points-rules.md,
// docs/outputs.md §1 and §3 and docs/randomness.md §3: the rule set is read from the TOML text the config
// carries, every applicant is scored from the raw rule fields of the roster (gates, items, groups, caps),
// ranked per scope with the published cascade (tier, total, tie-break keys, then the seeded lottery or a
// joint rank), placed in rank order (round 1, and round 2 with second_pass), and ranking.csv, results.csv,
// schools.csv, breakdown.csv, publication.csv (and review_diff.csv of a 复核 run) are rendered and compared
// byte for byte. The XLSX lists for people are not rebuilt here (reported as not checked by this page).
"use strict";

/** What this page cannot replay (valid input outside what it implements): NOT VERIFIED, never a failure. */
class PointsUnsupported extends Error {}

const POINTS_RESULT_LABELS = { admitted: "录取", admitted_second: "二次排位录取", unplaced: "统筹安排",
  below_minimum: "未达最低分", ineligible: "不符合条件" };
const POINTS_ELIGIBILITY = { priority: "优先", ranked: "符合", below_minimum: "未达最低分", ineligible: "不符合" };
const MISSING_TIME = 2 ** 50; // a blank date or time sorts after every real one

// ---- TOML (the subset rule sets are written in: tables, arrays of tables, dotted keys, strings, numbers,
// booleans, local dates, arrays, inline tables; comments). Numbers are kept as their text (exact). ----

function parseToml(src) {
  const root = new Map();
  let i = 0;
  const n = src.length;
  const stop = (what) => { throw new PointsUnsupported(`rule-set TOML not read by this page: ${what} (offset ${i})`); };
  const ws = () => { while (i < n && (src[i] === " " || src[i] === "\t")) i++; };
  const comment = () => { if (src[i] === "#") while (i < n && src[i] !== "\n") i++; };
  const newline = () => {
    if (src[i] === "\n") { i++; return true; }
    if (src[i] === "\r" && src[i + 1] === "\n") { i += 2; return true; }
    return false;
  };
  const blank = () => { for (;;) { ws(); comment(); if (!newline()) return; } };
  const endOfLine = () => { ws(); comment(); if (i < n && !newline()) stop("expected the end of the line"); };
  const match = (re) => { re.lastIndex = i; const m = re.exec(src); if (m) i = re.lastIndex; return m; };

  function escape() {
    const c = src[i++];
    const simple = { b: "\b", t: "\t", n: "\n", f: "\f", r: "\r", '"': '"', "\\": "\\" };
    if (c in simple) return simple[c];
    if (c === "u" || c === "U") {
      const len = c === "u" ? 4 : 8, hex = src.slice(i, i + len);
      if (!/^[0-9A-Fa-f]+$/.test(hex) || hex.length !== len) stop("bad escape");
      i += len;
      return String.fromCodePoint(parseInt(hex, 16));
    }
    return stop("bad escape");
  }
  function basicString() {
    if (src.startsWith('"""', i)) {
      i += 3;
      newline();
      let out = "";
      for (;;) {
        if (i >= n) stop("unterminated string");
        if (src.startsWith('"""', i)) {
          let q = 3;
          while (src[i + q] === '"' && q < 5) q++;
          out += '"'.repeat(q - 3); i += q; return out;
        }
        const c = src[i];
        if (c === "\\") {
          i++;
          const save = i;
          ws();
          if (newline()) { blank(); while (i < n && /[ \t\r\n]/.test(src[i])) i++; continue; }
          i = save;
          out += escape();
          continue;
        }
        out += c === "\r" && src[i + 1] === "\n" ? "" : c; i++;
      }
    }
    i++;
    let out = "";
    for (;;) {
      if (i >= n || src[i] === "\n") stop("unterminated string");
      const c = src[i];
      if (c === '"') { i++; return out; }
      if (c === "\\") { i++; out += escape(); continue; }
      out += c; i++;
    }
  }
  function literalString() {
    if (src.startsWith("'''", i)) {
      i += 3;
      newline();
      const end = src.indexOf("'''", i);
      if (end < 0) stop("unterminated string");
      let q = 3;
      while (src[end + q] === "'" && q < 5) q++;
      const out = src.slice(i, end + q - 3).replace(/\r\n/g, "\n");
      i = end + q;
      return out;
    }
    const end = src.indexOf("'", i + 1);
    const nl = src.indexOf("\n", i + 1);
    if (end < 0 || (nl >= 0 && nl < end)) stop("unterminated string");
    const out = src.slice(i + 1, end);
    i = end + 1;
    return out;
  }
  function keyPart() {
    ws();
    if (src[i] === '"') return basicString();
    if (src[i] === "'") return literalString();
    const m = match(/[A-Za-z0-9_-]+/y);
    return m ? m[0] : stop("expected a key");
  }
  function dottedKey() {
    const parts = [keyPart()];
    for (;;) { ws(); if (src[i] !== ".") return parts; i++; parts.push(keyPart()); }
  }
  function value() {
    ws();
    const c = src[i];
    if (c === '"') return basicString();
    if (c === "'") return literalString();
    if (c === "[") {
      i++;
      const out = [];
      for (;;) {
        blank();
        if (src[i] === "]") { i++; return out; }
        out.push(value());
        blank();
        if (src[i] === ",") { i++; continue; }
        if (src[i] === "]") { i++; return out; }
        stop("expected , or ] in an array");
      }
    }
    if (c === "{") {
      i++;
      const table = new Map();
      ws();
      if (src[i] === "}") { i++; return table; }
      for (;;) {
        keyValue(table);
        ws();
        if (src[i] === ",") { i++; continue; }
        if (src[i] === "}") { i++; return table; }
        stop("expected , or } in an inline table");
      }
    }
    if (match(/true(?![A-Za-z0-9_-])/y)) return true;
    if (match(/false(?![A-Za-z0-9_-])/y)) return false;
    const date = match(/(\d{4})-(\d{2})-(\d{2})(?![0-9:T ]\d)/y);
    if (date) return { date: date[0] };
    if (/\d{4}-\d{2}-\d{2}/y.test(src.slice(i, i + 10))) stop("a date-time value");
    const num = match(/[+-]?(?:\d(?:_?\d)*)(?:\.\d(?:_?\d)*)?(?:[eE][+-]?\d(?:_?\d)*)?(?![A-Za-z0-9_.:-])/y);
    if (num) return { number: num[0].replace(/_/g, "") };
    return stop("a value of a kind this page does not read (hex/octal/binary integer, inf, nan, time)");
  }
  function keyValue(table) {
    const key = dottedKey();
    ws();
    if (src[i] !== "=") stop("expected =");
    i++;
    assign(table, key, value());
  }
  function assign(table, key, v) {
    let t = table;
    for (const part of key.slice(0, -1)) {
      if (!t.has(part)) t.set(part, new Map());
      t = t.get(part);
      if (!(t instanceof Map)) throw new Error(`TOML key ${key.join(".")} is defined twice`);
    }
    const last = key[key.length - 1];
    if (t.has(last)) throw new Error(`TOML key ${key.join(".")} is defined twice`);
    t.set(last, v);
  }
  let current = root;
  for (;;) {
    blank();
    if (i >= n) return root;
    if (src[i] === "[") {
      const many = src[i + 1] === "[";
      i += many ? 2 : 1;
      const key = dottedKey();
      ws();
      if (!src.startsWith(many ? "]]" : "]", i)) stop("expected ] after a table name");
      i += many ? 2 : 1;
      endOfLine();
      let t = root;
      for (const part of key.slice(0, -1)) {
        if (!t.has(part)) t.set(part, new Map());
        t = t.get(part);
        if (Array.isArray(t)) t = t[t.length - 1];
        if (!(t instanceof Map)) throw new Error(`TOML table ${key.join(".")} redefines a value`);
      }
      const last = key[key.length - 1];
      if (many) {
        if (!t.has(last)) t.set(last, []);
        const list = t.get(last);
        if (!Array.isArray(list)) throw new Error(`TOML array ${key.join(".")} redefines a value`);
        current = new Map();
        list.push(current);
      } else {
        if (!t.has(last)) t.set(last, new Map());
        current = t.get(last);
        if (!(current instanceof Map)) throw new Error(`TOML table ${key.join(".")} redefines a value`);
      }
      continue;
    }
    keyValue(current);
    endOfLine();
  }
}

// ---- exact numbers: integer hundredths (docs/points-rules.md § Numbers) ----

/**
 * Decimal text as integer hundredths: null when it has more than two places that are not zero or is not below
 * 10^15 (refused, as the engine refuses it); a text that is not a plain decimal (1e2) is not read by this page.
 */
function hundredthsOf(text) {
  let v = HUNDREDTHS.get(text);
  if (v === undefined) { v = exactHundredths(text); if (HUNDREDTHS.size < 1 << 16) HUNDREDTHS.set(text, v); }
  return v;
}
const HUNDREDTHS = new Map(); // amounts, months and counts repeat across a roster: each text is read once
function exactHundredths(text) {
  const m = /^([+-]?)(\d*)(?:\.(\d*))?$/.exec(text);
  if (!m || (m[2] === "" && !m[3])) throw new PointsUnsupported(`${JSON.stringify(text)} is not a plain decimal number`);
  const whole = m[2].replace(/^0+/, ""), frac = (m[3] || "").replace(/0+$/, "");
  if (frac.length > 2 || whole.length > 15) return null;
  const v = BigInt(whole || "0") * 100n + BigInt(frac.padEnd(2, "0"));
  if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new PointsUnsupported(`the value ${text} is beyond this page's exact arithmetic`);
  const out = Number(v);
  return m[1] === "-" ? -out : out;
}

/** Published form of a points value (docs/outputs.md §1): 150 → 1.5, 3000 → 30, -260 → -2.6. */
function formatPoints(h) {
  let text = POINTS_TEXT.get(h);
  if (text === undefined) { text = pointsText(h); if (POINTS_TEXT.size < 1 << 16) POINTS_TEXT.set(h, text); }
  return text;
}
const POINTS_TEXT = new Map();
function pointsText(h) {
  const sign = h < 0 ? "-" : "", a = Math.abs(h), whole = Math.floor(a / 100), frac = a % 100;
  return frac ? `${sign}${whole}.${String(frac).padStart(2, "0")}`.replace(/0$/, "") : `${sign}${whole}`;
}

/** Proleptic Gregorian ordinal (0001-01-01 = 1) of a valid y-m-d, else null. */
function ordinalOf(y, m, d) {
  if (m < 1 || m > 12 || d < 1) return null;
  const leap = y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0);
  if (d > [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1] || y < 1) return null;
  const yy = y - 1;
  const before = [0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334][m - 1] + (m > 2 && leap ? 1 : 0);
  return yy * 365 + Math.floor(yy / 4) - Math.floor(yy / 100) + Math.floor(yy / 400) + before + d;
}
function dateParts(text, where) {
  let parts = DATES.get(text);
  if (parts === undefined) { parts = readDate(text, where); if (DATES.size < 1 << 16) DATES.set(text, parts); }
  return parts;
}
const DATES = new Map();
function readDate(text, where) {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(String(text));
  if (!m) throw new PointsUnsupported(`${where}: the date ${JSON.stringify(text)} is not in the canonical YYYY-MM-DD form`);
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const ord = ordinalOf(y, mo, d);
  if (ord === null) throw new Error(`${where}: ${text} is not a valid date`);
  return { y, m: mo, d, ord };
}

// ---- the rule set (docs/points-rules.md) ----

const RULE_KEYS = {
  ruleset: ["id", "name", "source", "evidence_cutoff", "minimum_total", "max_preferences", "priority_categories", "tie_break", "final_tie_break"],
  fields: ["type", "header", "aliases", "values"],
  gates: ["id", "label", "field", "unit", "minimum", "not_after", "minus"],
  groups: ["label", "cap", "combine"],
  items: ["id", "label", "group", "field", "points", "per", "whole", "unit", "minus", "table", "combine", "cap", "brackets"],
  brackets: ["from", "below", "points"],
};

function ruleSetOf(text) {
  const data = parseToml(text);
  const bad = (where, what) => { throw new Error(`rule set ${where}: ${what}`); };
  const keysOf = (t, known, where) => {
    if (!(t instanceof Map)) bad(where, "not a table");
    for (const k of t.keys()) if (!known.includes(k)) bad(`${where}.${k}`, "unknown key");
    return t;
  };
  keysOf(data, ["ruleset", "fields", "gates", "groups", "items"], "(top)");
  const points = (v, where) => {
    const h = typeof v === "string" ? hundredthsOf(v.trim()) : v && typeof v === "object" && "number" in v ? hundredthsOf(v.number) : bad(where, "not a number");
    if (h === null) bad(where, "not a number with at most two decimals below 10^15");
    return h;
  };
  const nonNegative = (t, key, where) => {
    if (!t.has(key)) return null;
    const h = points(t.get(key), `${where}.${key}`);
    if (h < 0) bad(`${where}.${key}`, "must not be negative");
    return h;
  };
  const str = (t, key, where, fallback) => {
    const v = t.has(key) ? t.get(key) : fallback;
    if (typeof v !== "string" || v === "") bad(`${where}.${key}`, "missing or not a non-empty string");
    return v;
  };
  const choice = (t, key, where, options, fallback) => {
    const v = t.has(key) ? t.get(key) : fallback;
    if (!options.includes(v)) bad(`${where}.${key}`, `must be one of ${options.join(", ")}`);
    return v;
  };
  const dateValue = (v, where) => (v && typeof v === "object" && "date" in v ? dateParts(v.date, where) : bad(where, "not a date"));
  const head = keysOf(data.get("ruleset"), RULE_KEYS.ruleset, "ruleset");
  const maxPrefs = head.has("max_preferences") ? head.get("max_preferences") : { number: "1" };
  if (!maxPrefs || typeof maxPrefs !== "object" || !/^\d+$/.test(maxPrefs.number ?? "") || +maxPrefs.number < 1 || +maxPrefs.number > 50) bad("ruleset.max_preferences", "must be a whole number from 1 to 50");
  const rs = {
    id: str(head, "id", "ruleset"), name: str(head, "name", "ruleset"), source: str(head, "source", "ruleset"),
    cutoff: dateValue(head.get("evidence_cutoff"), "ruleset.evidence_cutoff"),
    minimumTotal: head.has("minimum_total") ? points(head.get("minimum_total"), "ruleset.minimum_total") : 0,
    maxPreferences: Number(maxPrefs.number),
    priority: head.has("priority_categories") ? head.get("priority_categories") : [],
    final: choice(head, "final_tie_break", "ruleset", ["lottery", "joint"], "lottery"),
    fields: [], gates: [], groups: [], items: [], tieBreak: [],
  };
  if (!Array.isArray(rs.priority) || !rs.priority.every((p) => typeof p === "string" && p)) bad("ruleset.priority_categories", "must be a list of strings");
  const fieldTable = data.get("fields");
  if (!(fieldTable instanceof Map)) bad("fields", "missing or not a table");
  for (const [name, spec] of fieldTable) {
    const where = `fields.${name}`;
    keysOf(spec, RULE_KEYS.fields, where);
    rs.fields.push({ name, type: choice(spec, "type", where, ["number", "date", "datetime", "category", "list", "flag"], ""), header: str(spec, "header", where) });
  }
  const byName = new Map(rs.fields.map((f, k) => { f.index = k; return [f.name, f]; }));
  const field = (name, where, types) => {
    const f = byName.get(name);
    if (!f) bad(where, `refers to unknown field ${JSON.stringify(name)}`);
    if (!types.includes(f.type)) bad(where, `field ${name} has type ${f.type}`);
    return f;
  };
  const unitFor = (f, t, where) => {
    if (f.type === "date") return choice(t, "unit", where, ["month", "year", "day", "30days"], "month");
    if (t.has("unit")) bad(`${where}.unit`, "only date fields take a unit");
    return null;
  };
  const seen = new Set();
  const newId = (t, where) => {
    const id = str(t, "id", where);
    if (seen.has(id)) bad(`${where}.id`, `duplicate id ${id}`);
    seen.add(id);
    return id;
  };
  (data.get("gates") ?? []).forEach((t, k) => {
    keysOf(t, RULE_KEYS.gates, `gates[${k}]`);
    const id = newId(t, `gates[${k}]`), where = `gates.${id}`;
    const f = field(t.get("field"), `${where}.field`, ["number", "date"]);
    const minus = t.has("minus") ? field(t.get("minus"), `${where}.minus`, ["number"]).name : null;
    if (t.has("minimum") === t.has("not_after")) bad(where, "exactly one of minimum / not_after is required");
    const gate = { id, label: str(t, "label", where, id), field: f.index, minus: minus === null ? null : byName.get(minus).index,
      unit: null, minimum: null, notAfter: null };
    if (t.has("not_after")) {
      if (f.type !== "date") bad(`${where}.not_after`, "not_after applies to date fields only");
      gate.notAfter = dateValue(t.get("not_after"), `${where}.not_after`).ord;
    } else {
      gate.unit = unitFor(f, t, where);
      gate.minimum = nonNegative(t, "minimum", where);
      if (gate.unit !== null) {
        if (gate.minimum % 100) bad(`${where}.minimum`, "a duration minimum must be whole");
        gate.minimum /= 100;
      }
    }
    rs.gates.push(gate);
  });
  const groupTable = data.get("groups");
  if (!(groupTable instanceof Map)) bad("groups", "missing or not a table");
  for (const [id, t] of groupTable) {
    const where = `groups.${id}`;
    keysOf(t, RULE_KEYS.groups, where);
    rs.groups.push({ id, label: str(t, "label", where, id), cap: nonNegative(t, "cap", where), combine: choice(t, "combine", where, ["sum", "highest"], "sum") });
  }
  const items = data.get("items");
  if (!Array.isArray(items) || !items.length) bad("items", "at least one item is required");
  items.forEach((t, k) => {
    keysOf(t, RULE_KEYS.items, `items[${k}]`);
    const id = newId(t, `items[${k}]`), where = `items.${id}`;
    if (!rs.groups.some((g) => g.id === t.get("group"))) bad(`${where}.group`, `refers to unknown group ${JSON.stringify(t.get("group"))}`);
    const f = field(t.get("field"), `${where}.field`, ["number", "date", "category", "list", "flag"]);
    const item = { id, label: str(t, "label", where, id), group: t.get("group"), field: f.index, type: f.type, cap: nonNegative(t, "cap", where),
      points: 0, per: 100, whole: false, unit: null, minus: null, table: null, combine: "highest", brackets: null };
    if (f.type !== "date" && t.has("unit")) bad(`${where}.unit`, "only date fields take a unit");
    if (f.type === "category" || f.type === "list") {
      if (t.has("brackets")) bad(`${where}.brackets`, "brackets apply to number and date fields only");
      const table = t.get("table");
      if (!(table instanceof Map) || !table.size) bad(`${where}.table`, "needs a table");
      item.table = new Map([...table].map(([v, p]) => [v, points(p, `${where}.table.${v}`)]));
      item.combine = choice(t, "combine", where, ["sum", "highest"], "highest");
    } else if (t.has("brackets")) {
      for (const key of ["points", "per", "whole"]) if (t.has(key)) bad(`${where}.${key}`, "a bracket item takes its points from its bands");
      item.minus = t.has("minus") ? field(t.get("minus"), `${where}.minus`, ["number"]).index : null;
      item.unit = unitFor(f, t, where);
      const raw = t.get("brackets");
      if (!Array.isArray(raw) || !raw.length) bad(`${where}.brackets`, "must be a non-empty list of bands");
      item.brackets = raw.map((b, j) => {
        const at = `${where}.brackets[${j}]`;
        keysOf(b, RULE_KEYS.brackets, at);
        if (!b.has("from") || !b.has("points")) bad(at, "every band needs from and points");
        const lower = points(b.get("from"), `${at}.from`), upper = b.has("below") ? points(b.get("below"), `${at}.below`) : null;
        if (upper === null && j !== raw.length - 1) bad(`${at}.below`, "only the last band may leave out below");
        if (upper !== null && upper <= lower) bad(`${at}.below`, "below must be greater than from");
        return { lower, upper, points: points(b.get("points"), `${at}.points`) };
      });
      item.brackets.forEach((b, j) => { if (j && b.lower !== item.brackets[j - 1].upper) bad(`${where}.brackets[${j}].from`, "bands must touch"); });
    } else {
      item.points = points(t.get("points"), `${where}.points`);
      if (f.type !== "flag") {
        item.per = t.has("per") ? points(t.get("per"), `${where}.per`) : 100;
        if (item.per <= 0) bad(`${where}.per`, "must be greater than 0");
        item.whole = t.has("whole") ? t.get("whole") : false;
        if (typeof item.whole !== "boolean") bad(`${where}.whole`, "must be true or false");
        item.minus = t.has("minus") ? field(t.get("minus"), `${where}.minus`, ["number"]).index : null;
        item.unit = unitFor(f, t, where);
      }
    }
    rs.items.push(item);
  });
  const ties = head.has("tie_break") ? head.get("tie_break") : [];
  if (!Array.isArray(ties)) bad("ruleset.tie_break", "must be a list");
  ties.forEach((entry, j) => {
    const text = String(entry), at = text.indexOf(":");
    const kind = at < 0 ? text : text.slice(0, at), name = at < 0 ? "" : text.slice(at + 1);
    const f = byName.get(name);
    const ok = (kind === "group" && rs.groups.some((g) => g.id === name)) || (kind === "item" && rs.items.some((x) => x.id === name))
      || (kind === "field" && f && ["number", "date", "datetime"].includes(f.type));
    if (!ok) bad(`ruleset.tie_break[${j}]`, `${JSON.stringify(text)} is not a valid tie-break key`);
    const index = kind === "group" ? rs.groups.findIndex((g) => g.id === name) : kind === "item" ? rs.items.findIndex((x) => x.id === name) : f.index;
    rs.tieBreak.push({ kind, name, index, text: `${kind}:${name}`, type: kind === "field" ? f.type : "points" });
  });
  for (const g of rs.groups) g.members = rs.items.flatMap((it, k) => (it.group === g.id ? [k] : []));
  return rs;
}

// ---- applicants: the roster's canonical rule fields (docs/points.md § Roster record) as typed columns ----

function fieldValue(f, raw, where) {
  if (raw === null || raw === undefined) return f.type === "list" ? [] : f.type === "flag" ? false : null;
  if (f.type === "number") {
    if (typeof raw !== "string" && !Number.isInteger(raw)) throw new Error(`${where}: ${JSON.stringify(raw)} is not a number`);
    const h = hundredthsOf(String(raw));
    if (h === null) throw new Error(`${where}: ${JSON.stringify(raw)} has more than two decimals`);
    if (h < 0) throw new Error(`${where} is negative`);
    return h;
  }
  if (f.type === "date") return dateParts(raw, where);
  if (f.type === "datetime") {
    const m = /^(\d{4}-\d{2}-\d{2}) (\d{2}):(\d{2}):(\d{2})$/.exec(String(raw));
    if (!m || +m[2] > 23 || +m[3] > 59 || +m[4] > 59) throw new PointsUnsupported(`${where}: ${JSON.stringify(raw)} is not in the canonical date-time form`);
    return { text: String(raw), seconds: dateParts(m[1], where).ord * 86400 + +m[2] * 3600 + +m[3] * 60 + +m[4] };
  }
  if (f.type === "flag") {
    if (typeof raw !== "boolean") throw new Error(`${where}: ${JSON.stringify(raw)} is not true/false`);
    return raw;
  }
  if (f.type === "list") {
    if (!Array.isArray(raw)) throw new Error(`${where}: ${JSON.stringify(raw)} is not a list`);
    return raw.map(String);
  }
  return raw === "" ? null : String(raw);
}

/** Whole units from a date to the evidence cutoff (docs/points-rules.md § items: calendar months). */
function durationUnits(date, unit, cutoff) {
  if (date === null) return 0;
  if (unit === "day" || unit === "30days") {
    const days = Math.max(cutoff.ord - date.ord, 0);
    return unit === "day" ? days : Math.floor(days / 30);
  }
  const months = Math.max((cutoff.y - date.y) * 12 + (cutoff.m - date.m) - (date.d > cutoff.d ? 1 : 0), 0);
  return unit === "month" ? months : Math.floor(months / 12);
}

/** floor(a · b / c) exactly, for non-negative integers. */
function mulDiv(a, b, c) {
  const p = a * b;
  if (Number.isSafeInteger(p)) return Math.floor(p / c);
  const v = (BigInt(a) * BigInt(b)) / BigInt(c);
  if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new PointsUnsupported("a points value is beyond this page's exact arithmetic");
  return Number(v);
}

/** Quantity in hundredths of a unit: the number, or whole units ×100 of a date; minus subtracted; never negative. */
function quantityOf(rs, values, field, unit, minus) {
  const v = values[field];
  let q = unit !== null ? durationUnits(v, unit, rs.cutoff) * 100 : v ?? 0;
  if (minus !== null) q -= values[minus] ?? 0;
  return Math.max(q, 0);
}

/**
 * Gates, items, groups and total of one applicant (docs/points-rules.md §Gates, §Groups, §Items), by position:
 * ``values`` and the fields, ``items``/``quantities`` and the items, ``groups`` and the groups of the rule set.
 */
function scoreApplicant(rs, values) {
  let failedGate = -1;
  for (let k = 0; k < rs.gates.length && failedGate < 0; k++) {
    const g = rs.gates[k];
    let pass;
    if (g.notAfter !== null) {
      const d = values[g.field];
      pass = d !== null && d.ord <= g.notAfter;
    } else if (g.unit !== null) {
      pass = values[g.field] !== null && Math.floor(quantityOf(rs, values, g.field, g.unit, g.minus) / 100) >= g.minimum;
    } else pass = quantityOf(rs, values, g.field, null, g.minus) >= g.minimum;
    if (!pass) failedGate = k;
  }
  const items = new Array(rs.items.length), quantities = new Array(rs.items.length);
  for (let k = 0; k < rs.items.length; k++) {
    const it = rs.items[k];
    let q, p;
    const v = values[it.field];
    if (it.type === "flag") { q = v ? 100 : 0; p = v ? it.points : 0; } else if (it.table) {
      const listed = it.type === "list" ? v : v === null ? [] : [v];
      q = listed.length * 100;
      p = 0;
      for (const x of listed) { const pts = it.table.get(x) ?? 0; p = it.combine === "highest" ? Math.max(p, pts) : p + pts; }
    } else if (it.brackets) {
      q = quantityOf(rs, values, it.field, it.unit, it.minus);
      let band = -1;
      for (let j = 0; j < it.brackets.length; j++) if (it.brackets[j].lower <= q) band = j;
      const top = it.brackets[it.brackets.length - 1].upper;
      p = band >= 0 && (top === null || q < top) ? it.brackets[band].points : 0;
    } else {
      q = quantityOf(rs, values, it.field, it.unit, it.minus);
      const magnitude = Math.abs(it.points);
      p = it.whole ? Math.floor(q / it.per) * magnitude : mulDiv(q, magnitude, it.per);
      if (!Number.isSafeInteger(p)) throw new PointsUnsupported("a points value is beyond this page's exact arithmetic");
      if (it.points < 0) p = -p;
    }
    if (it.cap !== null) p = Math.min(Math.max(p, -it.cap), it.cap);
    quantities[k] = q;
    items[k] = p;
  }
  const groups = new Array(rs.groups.length);
  let total = 0;
  for (let j = 0; j < rs.groups.length; j++) {
    const g = rs.groups[j];
    let value = 0;
    g.members.forEach((k, m) => { value = m === 0 ? items[k] : g.combine === "highest" ? Math.max(value, items[k]) : value + items[k]; });
    if (g.cap !== null) value = Math.min(value, g.cap);
    groups[j] = value;
    total += value;
  }
  return { failedGate, items, quantities, groups, total };
}

function pointsApplicants(rs, config, roster) {
  const schools = config.schools.map((s) => ({ id: String(s.id), scope: String(s.scope), quota: Number(s.quota), name: String(s.name ?? "") }));
  const schoolIndex = new Map(schools.map((s, k) => [s.id, k]));
  if (schoolIndex.size !== schools.length) throw new Error("duplicate school id");
  for (const s of schools) if (!Number.isInteger(s.quota) || s.quota < 0) throw new Error(`school ${s.id} has a bad quota`);
  const ids = new Set();
  const apps = roster.map((r) => {
    const a = { id: String(r.id), scope: String(r.scope), priority: String(r.priority ?? ""), record: r };
    if (ids.has(a.id)) throw new Error("duplicate applicant id");
    ids.add(a.id);
    if (a.priority && !rs.priority.includes(a.priority)) throw new Error(`applicant ${a.id}: unknown priority category ${a.priority}`);
    const prefs = (r.preferences || []).map(String);
    if (prefs.length > rs.maxPreferences) throw new Error(`applicant ${a.id} lists more than ${rs.maxPreferences} preferences`);
    a.prefs = prefs.map((sid) => {
      const k = schoolIndex.get(sid);
      if (k === undefined || schools[k].scope !== a.scope) throw new Error(`applicant ${a.id}: preference ${sid} is not a school of ${a.scope}`);
      return k;
    });
    return a;
  });
  return { schools, apps };
}

/** Score every applicant of ``roster`` (values by field name); statuses per docs/points.md § Ranking. */
function scoreAll(rs, apps, valuesOf) {
  const tiers = new Map(rs.priority.map((c, t) => [c, t]));
  for (const a of apps) {
    const raw = valuesOf(a);
    const values = rs.fields.map((f) => fieldValue(f, raw[f.name], `applicant ${a.id}, field ${f.name}`));
    a.score = scoreApplicant(rs, values);
    a.status = a.priority ? "priority" : a.score.failedGate >= 0 ? "ineligible" : a.score.total < rs.minimumTotal ? "below_minimum" : "ranked";
    a.tier = a.priority ? tiers.get(a.priority) : rs.priority.length;
    a.ties = rs.tieBreak.map((k) => {
      if (k.kind === "group") return a.score.groups[k.index];
      if (k.kind === "item") return a.score.items[k.index];
      const v = values[k.index];
      return k.type === "number" ? v ?? 0 : v;
    });
    a.tieSort = rs.tieBreak.map((k, j) => {
      const v = a.ties[j];
      if (k.type === "points" || k.type === "number") return -v;
      return v === null ? MISSING_TIME : k.type === "date" ? v.ord : v.seconds;
    });
  }
}

/**
 * One ranking (docs/points.md § Ranking): per scope (or district-wide), of the priority and ranked applicants
 * in ``among``: rank groups in order, ranks, lottery numbers where the lottery decided, and decided_by.
 */
function rankPoints(rs, apps, seed, byScope, among) {
  const scopeNames = [...new Set(apps.map((a) => a.scope))].sort(cmpCodePoints);
  const scopeCode = new Map(scopeNames.map((s, k) => [s, k]));
  const keyOf = (a) => [...(byScope ? [scopeCode.get(a.scope)] : []), a.tier, -a.score.total, ...a.tieSort];
  const sorted = apps.filter((a) => (a.status === "priority" || a.status === "ranked") && among(a)).map((a) => ({ a, key: keyOf(a) }));
  sorted.sort((x, y) => { for (let j = 0; j < x.key.length; j++) if (x.key[j] !== y.key[j]) return x.key[j] - y.key[j]; return 0; });
  const width = byScope ? 3 + rs.tieBreak.length : 2 + rs.tieBreak.length;
  const firstDiff = (x, y) => { for (let j = 0; j < width; j++) if (x.key[j] !== y.key[j]) return j; return width; };
  const m = sorted.length;
  const pair = [];
  for (let j = 1; j < m; j++) pair.push(firstDiff(sorted[j - 1], sorted[j]));
  const levelNames = [...(byScope ? ["scope"] : []), "tier", "total", ...rs.tieBreak.map((k) => k.text)];
  const decided = new Map(), rank = new Map(), lottery = new Map();
  for (let j = 0; j < m; j++) {
    let level = Math.max(j > 0 ? pair[j - 1] : -1, j < m - 1 ? pair[j] : -1);
    if (level < (byScope ? 1 : 0)) level = -1;
    decided.set(sorted[j].a, level < 0 ? "" : level === width ? rs.final : levelNames[level]);
  }
  const runs = [];
  for (let j = 0; j < m; j++) {
    if (j === 0 || pair[j - 1] < width) runs.push([]);
    runs[runs.length - 1].push(sorted[j].a);
  }
  const tied = runs.filter((r) => r.length > 1).flat();
  if (rs.final === "lottery" && tied.length) {
    const numbers = lotteryNumbers(seed, "points", tied.map((a) => [a.id]));
    tied.forEach((a, k) => lottery.set(a, numbers[k]));
  }
  const groups = [];
  let position = 0, scopeFirst = 0, lastScope = null;
  for (const run of runs) {
    if (run.length > 1) {
      run.sort(rs.final === "lottery"
        ? (x, y) => (lottery.get(x) < lottery.get(y) ? -1 : lottery.get(x) > lottery.get(y) ? 1 : cmpCodePoints(x.id, y.id))
        : (x, y) => cmpCodePoints(x.id, y.id));
    }
    if (byScope && run[0].scope !== lastScope) { scopeFirst = position; lastScope = run[0].scope; }
    const runFirst = position;
    for (const a of run) {
      rank.set(a, (rs.final === "lottery" ? position : runFirst) - scopeFirst + 1);
      if (rs.final === "lottery") groups.push([a]);
      position++;
    }
    if (rs.final !== "lottery") groups.push(run);
  }
  return { groups, rank, lottery, decided };
}

/** Serve rank groups in order (docs/points.md § Placement): a joint group sees the seats as its turn came. */
function serveGroups(groups, pick, seats, round) {
  for (const group of groups) {
    const avail = group.length === 1 ? seats : seats.slice();
    for (const a of group) {
      const [s, c] = pick(a, avail);
      if (s >= 0) { a.school = s; a.choice = c; a.round = round; if (group.length === 1) seats[s]--; }
    }
    if (group.length > 1) for (const a of group) if (a.round === round) seats[a.school]--;
  }
}

function admitByPoints(rs, config, roster, seed, valuesOf) {
  const { schools, apps } = pointsApplicants(rs, config, roster);
  scoreAll(rs, apps, valuesOf);
  const ranking = rankPoints(rs, apps, seed, true, () => true);
  const seats = schools.map((s) => s.quota);
  for (const a of apps) { a.school = -1; a.choice = 0; a.round = 0; }
  const firstPreference = (a, avail) => {
    for (let c = 0; c < a.prefs.length; c++) if (avail[a.prefs[c]] > 0) return [a.prefs[c], c + 1];
    return [-1, 0];
  };
  serveGroups(ranking.groups, firstPreference, seats, 1);
  let second = null;
  if (config.second_pass) {
    second = rankPoints(rs, apps, seed, false, (a) => a.school < 0);
    // the lowest-numbered school (school ids by code point) with a seat, in the town, else anywhere; seats
    // only fall, so a cursor past the full schools stays right for everyone after
    const byId = schools.map((_, k) => k).sort((x, y) => cmpCodePoints(schools[x].id, schools[y].id));
    const lists = new Map([[null, byId]]);
    for (const k of byId) { if (!lists.has(schools[k].scope)) lists.set(schools[k].scope, []); lists.get(schools[k].scope).push(k); }
    const cursor = new Map();
    const firstOpen = (key, avail) => {
      const list = lists.get(key) || [];
      let p = cursor.get(key) || 0;
      while (p < list.length && avail[list[p]] <= 0) p++;
      cursor.set(key, p);
      return p < list.length ? list[p] : -1;
    };
    const leftover = (a, avail) => {
      const own = firstPreference(a, avail);
      if (own[0] >= 0) return own;
      const inTown = firstOpen(a.scope, avail);
      return [inTown >= 0 ? inTown : firstOpen(null, avail), 0];
    };
    serveGroups(second.groups, leftover, seats, 2);
  }
  const result = (a) => (a.status === "ineligible" || a.status === "below_minimum" ? a.status
    : a.round === 1 ? "admitted" : a.round === 2 ? "admitted_second" : "unplaced");
  return { rs, schools, apps, ranking, second, seats, result };
}

// ---- the public files (docs/outputs.md §1 and §3) ----

const blankZero = (v) => (v ? v : "");

function resultLabel(out, a) {
  const code = out.result(a);
  return code === "ineligible" ? `${POINTS_RESULT_LABELS[code]}：${out.rs.gates[a.score.failedGate].label}` : POINTS_RESULT_LABELS[code];
}

/** ranking.csv / publication order: scopes by code point; the ranked in rank order, then the others by id. */
function rankingOrder(out) {
  const ranked = out.ranking.groups.flat();
  const inRanking = new Set(ranked);
  const rest = out.apps.filter((a) => !inRanking.has(a)).sort((x, y) => cmpCodePoints(x.id, y.id));
  const order = [];
  for (const scope of [...new Set(out.apps.map((a) => a.scope))].sort(cmpCodePoints)) {
    for (const a of ranked) if (a.scope === scope) order.push(a);
    for (const a of rest) if (a.scope === scope) order.push(a);
  }
  return order;
}

function tieCell(k, v) {
  if (k.type === "points" || k.type === "number") return formatPoints(v);
  return v === null ? "" : k.type === "date" ? `${String(v.y).padStart(4, "0")}-${String(v.m).padStart(2, "0")}-${String(v.d).padStart(2, "0")}` : v.text;
}

function pointsFiles(out, seed, facts) {
  const { rs, schools, ranking, second } = out;
  const order = rankingOrder(out);
  const schoolId = (a) => (a.school >= 0 ? schools[a.school].id : "");
  const rankingCsv = new CsvWriter(["scope", "rank", "applicant_id", "masked_name", "masked_id", "priority", "eligibility", "total",
    ...rs.items.map((it) => `item:${it.id}`), ...rs.groups.map((g) => `group:${g.id}`), ...rs.tieBreak.map((k) => `tie:${k.text}`),
    "lottery_number", "decided_by", "second_pass_rank", "result", "school_id"]);
  for (const a of order) rankingCsv.row([
    a.scope, blankZero(ranking.rank.get(a)), a.id, a.record.masked_name, a.record.masked_id, a.priority, POINTS_ELIGIBILITY[a.status],
    formatPoints(a.score.total), ...a.score.items.map(formatPoints), ...a.score.groups.map(formatPoints), ...rs.tieBreak.map((k, j) => tieCell(k, a.ties[j])),
    ranking.lottery.get(a) ?? "", ranking.decided.get(a) ?? "", second ? blankZero(second.rank.get(a)) : "", resultLabel(out, a), schoolId(a),
  ]);
  const counts = schools.map(() => [0, 0]);
  const lines = new Map();
  for (const a of out.apps) {
    if (a.school < 0) continue;
    counts[a.school][a.round - 1]++;
    if (a.round === 1 && a.status === "ranked") lines.set(a.school, Math.min(lines.get(a.school) ?? a.score.total, a.score.total));
  }
  const breakdown = new CsvWriter(["applicant_id", "group", "group_label", "item", "rule", "quantity", "points"]);
  for (const a of out.apps) {
    rs.groups.forEach((g, j) => {
      let raw = 0;
      for (const k of g.members) {
        const p = a.score.items[k], it = rs.items[k];
        raw += p;
        if (p) breakdown.row([a.id, g.id, g.label, it.id, it.label, formatPoints(a.score.quantities[k]), formatPoints(p)]);
      }
      const value = a.score.groups[j];
      if (g.members.length && value !== raw) {
        breakdown.row([a.id, g.id, g.label, `adjust:${g.id}`, g.combine === "highest" ? "取最高" : `分组上限 ${formatPoints(g.cap ?? 0)}`, "", formatPoints(value - raw)]);
      }
    });
    breakdown.row([a.id, "", "", "total", "总积分", "", formatPoints(a.score.total)]);
  }
  const publication = csvBytes(["镇街", "排名", "申请编号", "姓名", "身份证号", "优先类别", "总积分", "结果", "录取学校"], order.map((a) => [
    a.scope, blankZero(ranking.rank.get(a)), a.id, a.record.masked_name, a.record.masked_id, a.priority, formatPoints(a.score.total),
    resultLabel(out, a), a.school >= 0 ? schools[a.school].name || schools[a.school].id : ""]));
  const files = {
    "ranking.csv": rankingCsv.bytes(),
    "results.csv": csvBytes(["applicant_id", "school_id", "choice_rank", "round", "result"],
      out.apps.map((a) => [a.id, schoolId(a), blankZero(a.choice), blankZero(a.round), out.result(a)])),
    "schools.csv": csvBytes(["school_id", "name", "scope", "quota", "admitted", "admitted_round1", "admitted_round2", "seats_left",
      "over_quota", "admission_line"], schools.map((s, k) => [s.id, s.name, s.scope, s.quota, counts[k][0] + counts[k][1], counts[k][0],
      counts[k][1], Math.max(out.seats[k], 0), Math.max(-out.seats[k], 0), lines.has(k) ? formatPoints(lines.get(k)) : ""])),
    "breakdown.csv": breakdown.bytes(),
    "publication.csv": concatBytes(new Uint8Array([0xef, 0xbb, 0xbf]), publication),
    ...pointsWorkbooks(out, order, lines, seed, facts), // the lists for people (xlsx.js)
  };
  return files;
}

/** review_diff.csv (docs/outputs.md §3): who moved between the uncorrected and the corrected run, and why. */
function reviewDiff(before, after, corrections) {
  const reasons = new Map();
  for (const c of corrections) {
    const id = String(c.applicant_id);
    if (!reasons.has(id)) reasons.set(id, []);
    reasons.get(id).push(`${c.field}: ${c.reason ?? ""}`);
  }
  const rows = [];
  before.apps.forEach((a, i) => {
    const b = after.apps[i];
    const school = (out, x) => (x.school >= 0 ? out.schools[x.school].id : "");
    const old = [a.score.total, before.ranking.rank.get(a) ?? 0, school(before, a), before.result(a)];
    const now = [b.score.total, after.ranking.rank.get(b) ?? 0, school(after, b), after.result(b)];
    if (old.every((v, k) => v === now[k]) && !reasons.has(a.id)) return;
    rows.push([a.id, formatPoints(old[0]), formatPoints(now[0]), blankZero(old[1]), blankZero(now[1]), old[1] && now[1] ? now[1] - old[1] : "",
      old[2], now[2], POINTS_RESULT_LABELS[old[3]], POINTS_RESULT_LABELS[now[3]],
      (reasons.get(a.id) || []).join("; ") || "他人更正导致位次变化 / moved by others' corrections"]);
  });
  rows.sort((x, y) => cmpCodePoints(x[0], y[0]));
  return csvBytes(["applicant_id", "old_total", "new_total", "old_rank", "new_rank", "rank_change", "old_school", "new_school",
    "old_result", "new_result", "reason"], rows);
}

/**
 * The whole points replay: the committed roster's values, with a 复核 run's corrections (config.corrections,
 * docs/points.md § Corrections) applied in order for the run itself and undone (each field back to its first
 * correction's old value) for the uncorrected run review_diff.csv compares it with.
 */
function replayPoints(config, roster, seed, facts = null) {
  const rs = ruleSetOf(String(config.rules_toml));
  const fixes = Array.isArray(config.corrections) ? config.corrections : [];
  const byId = new Map(roster.map((r) => [String(r.id), r]));
  const specs = new Map(rs.fields.map((f) => [f.name, f]));
  const corrected = new Map();
  for (const c of fixes) {
    const id = String(c.applicant_id);
    if (!byId.has(id)) throw new Error(`a correction names unknown applicant ${id}`);
    if (!specs.has(String(c.field))) throw new Error(`a correction names unknown field ${c.field}`);
    if (!corrected.has(id)) corrected.set(id, { ...byId.get(id).values });
    corrected.get(id)[String(c.field)] = c.new;
  }
  const after = admitByPoints(rs, config, roster, seed, (a) => corrected.get(a.id) ?? a.record.values);
  const files = pointsFiles(after, seed, facts);
  if (fixes.length) {
    const original = new Map();
    for (const c of [...fixes].reverse()) {
      const id = String(c.applicant_id);
      if (!original.has(id)) original.set(id, { ...corrected.get(id) });
      original.get(id)[String(c.field)] = c.old;
    }
    const before = admitByPoints(rs, config, roster, seed, (a) => original.get(a.id) ?? a.record.values);
    files["review_diff.csv"] = reviewDiff(before, after, fixes);
  }
  const note = fixes.length ? `; a 复核 run: ${fixes.length} correction(s) applied and the uncorrected run replayed for review_diff.csv` : "";
  return { files, checked: `${after.apps.length} applicant(s) scored from the roster's rule fields, ranked and placed${note}` };
}

REPLAYERS.points = (config, roster, seed, tables, results, frozen, facts = null) => {
  try {
    return replayPoints(config, roster, seed, facts);
  } catch (e) {
    if (!(e instanceof PointsUnsupported)) throw e;
    const files = {};
    for (const name of Object.keys(results)) files[name] = null;
    return { files, notes: [{ en: `the points replay is not done by this page: ${e.message}`, zh: `本页面未重算积分结果：${e.message}` }] };
  }
};
