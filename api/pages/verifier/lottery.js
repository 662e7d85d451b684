// Replay of the zone lottery (docs/lottery.md §2–§6, bytes per docs/outputs.md §1–§2): units and their
// tiers, one draw, DA / Boston / serial with the greedy-fit rule, round 2, unplaced reasons, and the
// exact bytes of results.csv, schools.csv and summary.json (a 复核 run: lottery-review.js), and
// results_by_school.xlsx (a list for people, docs/lottery.md §6) rebuilt byte for byte by xlsx.js.
"use strict";

const XLSX_MAX_APPLICANTS = 50000;

/**
 * A text cell as every result CSV writes it (docs/outputs.md §1, §1.1): a carriage return made a line feed, a
 * leading ' when a spreadsheet would read it as a formula (starts with = + - @ tab CR LF and is not a plain
 * number), then minimal quoting as Python's csv writer does (a cell with , " or \n is quoted, " doubled).
 */
function csvCell(v) {
  if (typeof v !== "string") return v === null || v === undefined ? "" : String(v);
  if (!v.length) return v;
  const c = v.charCodeAt(0);
  if (v.includes("\r")) v = v.replace(/\r\n/g, "\n").replace(/\r/g, "\n");
  if ((c === 61 || c === 43 || c === 45 || c === 64 || c === 9 || c === 13 || c === 10) && !/^[+-]?[0-9]+(\.[0-9]+)?$/.test(v)) v = "'" + v;
  return v.includes(",") || v.includes('"') || v.includes("\n") ? `"${v.replace(/"/g, '""')}"` : v;
}
/**
 * A CSV file written straight into bytes (a million-row breakdown.csv as one JavaScript string, then encoded,
 * cost more in garbage collection than in writing): ``row(cells)`` per line, ``bytes()`` at the end.
 */
class CsvWriter {
  constructor(header) { this.buf = new Uint8Array(1 << 16); this.n = 0; this.row(header); }
  room(len) {
    if (this.n + 3 * len + 2 <= this.buf.length) return;
    const grown = new Uint8Array(Math.max(2 * this.buf.length, this.n + 3 * len + 2));
    grown.set(this.buf.subarray(0, this.n));
    this.buf = grown;
  }
  /** One cell: plain ASCII text (no , " CR LF, no formula start) is copied as it is; anything else via csvCell. */
  cell(v) {
    const text = typeof v === "string" ? v : v === null || v === undefined ? "" : String(v);
    const len = text.length;
    this.room(len);
    const buf = this.buf, start = this.n;
    const c0 = len ? text.charCodeAt(0) : 0;
    if (c0 === 61 || c0 === 43 || c0 === 45 || c0 === 64 || c0 === 9) { this.other(text); return; }
    let n = start;
    for (let i = 0; i < len; i++) {
      const c = text.charCodeAt(i);
      if (c > 0x7f || c === 44 || c === 34 || c === 10 || c === 13) { this.n = start; this.other(text); return; }
      buf[n++] = c;
    }
    this.n = n;
  }
  other(text) {
    let bytes = CSV_UTF8.get(text); // a text with Chinese in it (a town, a label, a masked name) repeats down a file
    if (bytes === undefined) { bytes = utf8(csvCell(text)); if (CSV_UTF8.size < 1 << 16) CSV_UTF8.set(text, bytes); }
    this.room(bytes.length);
    this.buf.set(bytes, this.n);
    this.n += bytes.length;
  }
  row(cells) {
    this.room(2);
    if (cells.length === 1 && (cells[0] === "" || cells[0] === null)) { this.buf[this.n++] = 34; this.buf[this.n++] = 34; } else for (let j = 0; j < cells.length; j++) { if (j) this.buf[this.n++] = 44; this.cell(cells[j]); }
    this.room(1);
    this.buf[this.n++] = 10;
  }
  bytes() { return this.buf.subarray(0, this.n); }
}
const CSV_UTF8 = new Map();
/** The bytes of a CSV file: header and rows, "\n" after every line (a lone empty cell is written ""). */
function csvBytes(header, rows) {
  const w = new CsvWriter(header);
  for (const r of rows) w.row(r);
  return w.bytes();
}

/** json.dumps(v, sort_keys=True, ensure_ascii=False, indent=2) + "\n" (docs/outputs.md §1). */
function prettyJson(v, pad = "") {
  if (v === null || typeof v !== "object") return JSON.stringify(v);
  const inner = pad + "  ";
  if (Array.isArray(v)) return v.length ? `[\n${v.map((x) => inner + prettyJson(x, inner)).join(",\n")}\n${pad}]` : "[]";
  const keys = [...v.keys()].sort(cmpCodePoints);
  return keys.length ? `{\n${keys.map((k) => `${inner}${JSON.stringify(k)}: ${prettyJson(v.get(k), inner)}`).join(",\n")}\n${pad}}` : "{}";
}
const obj = (entries) => new Map(entries);

/**
 * Units of the roster (docs/lottery.md §3): multiples grouped, tiers per school = best member's. A unit's key
 * is its members' ids in the FROZEN roster ``frozen`` (withdrawn members stay in the key, but are not placed).
 * ``inherit(units)``, when given, sets every unit's number and rank instead of the draw (a 复核 run, §7).
 */
function lotteryMarket(config, roster, seed, frozen = roster, inherit = null) {
  const schools = config.schools.map((s) => ({ id: String(s.id), name: String(s.name ?? ""), capacity: Number(s.capacity) }))
    .sort((a, b) => cmpCodePoints(a.id, b.id));
  const index = new Map(schools.map((s, i) => [s.id, i]));
  const school = (id) => {
    if (!index.has(id)) throw new Error(`unknown school ${JSON.stringify(id)}`);
    return index.get(id);
  };
  let sorted = true;
  for (let i = 1; i < roster.length && sorted; i++) sorted = cmpCodePoints(String(roster[i - 1].id), String(roster[i].id)) < 0;
  const apps = sorted ? roster : roster.slice().sort((a, b) => cmpCodePoints(String(a.id), String(b.id)));
  const byGroup = new Map();
  const units = [];
  for (const a of apps) {
    const g = a.group ? String(a.group) : "";
    if (g && byGroup.has(g)) { byGroup.get(g).members.push(a); continue; }
    const u = { members: [a] };
    if (g) byGroup.set(g, u);
    units.push(u);
  }
  const frozenKey = new Map();
  for (const a of frozen) {
    if (!a.group) continue;
    const g = String(a.group);
    if (!frozenKey.has(g)) frozenKey.set(g, []);
    frozenKey.get(g).push(String(a.id));
  }
  for (const u of units) {
    const head = u.members[0];
    u.size = u.members.length;
    u.key = (head.group && frozenKey.get(String(head.group)) || u.members.map((m) => String(m.id))).slice().sort(cmpCodePoints);
    u.base = u.size === 1 ? Number(head.tier) : Math.min(...u.members.map((m) => Number(m.tier)));
    if (u.size === 1 && (!head.priority || !Object.keys(head.priority).length)) { // the common case, without closures
      u.prefs = head.preferences.map((sid) => ({ s: school(String(sid)), tier: u.base }));
      u.r2 = (head.round2 || []).map((sid) => ({ s: school(String(sid)), tier: u.base }));
      continue;
    }
    const tierAt = (sid) => Math.min(...u.members.map((m) => (m.priority && sid in m.priority ? Number(m.priority[sid]) : Number(m.tier))));
    u.prefs = head.preferences.map((sid) => ({ s: school(String(sid)), tier: tierAt(String(sid)) }));
    u.r2 = (head.round2 || []).map((sid) => ({ s: school(String(sid)), tier: tierAt(String(sid)) }));
  }
  if (inherit) inherit(units);
  else {
    const numbers = lotteryNumbers(seed, "lottery", units.map((u) => u.key));
    units.forEach((u, i) => { u.number = numbers[i]; });
    drawOrder(units).forEach((u, r) => { u.rank = r; });
  }
  return { schools, units, apps };
}
/**
 * The units in draw order: smaller number first, equal numbers (rare) by their key's encoding (docs/randomness.md
 * §3.2). The numbers, 16 lowercase hex digits, are sorted by the engine's own string sort (their code unit order is
 * their numeric order), which a comparison callback per pair made several times slower at 100,000 units.
 */
function drawOrder(units) {
  const byNumber = new Map();
  for (const u of units) {
    const same = byNumber.get(u.number);
    if (same) same.push(u); else byNumber.set(u.number, [u]);
  }
  const order = [];
  for (const number of [...byNumber.keys()].sort()) {
    const same = byNumber.get(number);
    if (same.length > 1) same.sort((a, b) => cmpBytes(keyBytes(a.key), keyBytes(b.key)));
    for (const u of same) order.push(u);
  }
  return order;
}
const keyBytes = (parts) => concatBytes(u32be(parts.length), ...parts.map(enc));
function cmpBytes(a, b) {
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return a[i] - b[i];
  return a.length - b.length;
}

/** Max-heap of held units per school by priority key (tier · n + rank; larger = worse). */
class WorstFirst {
  constructor() { this.k = []; this.u = []; }
  get size() { return this.k.length; }
  top() { return this.k[0]; }
  push(key, unit) {
    const k = this.k, us = this.u;
    let i = k.length;
    k.push(key); us.push(unit);
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (k[p] >= key) break;
      k[i] = k[p]; us[i] = us[p]; i = p;
    }
    k[i] = key; us[i] = unit;
  }
  pop() {
    const k = this.k, us = this.u;
    const topK = k[0], topU = us[0];
    const lastK = k.pop(), lastU = us.pop();
    const n = k.length;
    if (n) {
      let i = 0;
      for (;;) {
        let c = 2 * i + 1;
        if (c >= n) break;
        if (c + 1 < n && k[c + 1] > k[c]) c++;
        if (k[c] <= lastK) break;
        k[i] = k[c]; us[i] = us[c]; i = c;
      }
      k[i] = lastK; us[i] = lastU;
    }
    return [topK, topU];
  }
}

/**
 * ``units`` in master order, base tier then draw rank (docs/lottery.md §2): sorted as the numbers base · n + rank
 * (``n`` above every rank, so they are distinct), by a typed array's own numeric sort.
 */
function masterOrder(units, n) {
  const keys = new Float64Array(units.length), byRank = new Array(n);
  units.forEach((u, i) => { keys[i] = u.base * n + u.rank; byRank[u.rank] = u; });
  keys.sort();
  return Array.from(keys, (k) => byRank[((k % n) + n) % n]);
}

/**
 * One round of ``mechanism`` over ``units`` (each with list ``lists(u)``) into ``capacity`` seats.
 * Sets u.got = {s, k (list position)} or null.
 */
function placeRound(mechanism, units, lists, capacity) {
  let n = 1;
  for (const u of units) if (u.rank + 1 > n) n = u.rank + 1;
  for (const u of units) u.got = null;
  const left = capacity.slice();
  if (mechanism === "serial" || mechanism === "da") {
    const master = masterOrder(units, n);
    if (mechanism === "serial") {
      for (const u of master) {
        const list = lists(u);
        for (let k = 0; k < list.length; k++) {
          if (left[list[k].s] >= u.size) { left[list[k].s] -= u.size; u.got = { s: list[k].s, k }; break; }
        }
      }
      return;
    }
    // deferred acceptance, McVitie–Wilson order: a FIFO queue, displaced units to the back (docs/lottery.md §2)
    const heaps = capacity.map(() => new WorstFirst());
    const used = capacity.map(() => 0);
    for (const u of units) u.next = 0; // the next list position each unit proposes to
    const queue = master.slice();
    for (let head = 0; head < queue.length; head++) {
      const u = queue[head];
      const list = lists(u);
      while (u.next < list.length) {
        const k = u.next++;
        const s = list[k].s, key = list[k].tier * n + u.rank, cap = capacity[s], h = heaps[s];
        if (used[s] + u.size <= cap) { h.push(key, u); used[s] += u.size; u.got = { s, k }; break; }
        const popped = [];
        while (h.size && used[s] + u.size > cap && h.top() > key) {
          const [pk, pu] = h.pop();
          used[s] -= pu.size;
          popped.push([pk, pu]);
        }
        const accepted = used[s] + u.size <= cap;
        if (accepted) { h.push(key, u); used[s] += u.size; u.got = { s, k }; }
        for (let i = popped.length - 1; i >= 0; i--) { // best priority first: take back each that still fits
          const [pk, r] = popped[i];
          if (used[s] + r.size <= cap) { h.push(pk, r); used[s] += r.size; } else { r.got = null; queue.push(r); }
        }
        if (accepted) break;
      }
    }
    return;
  }
  if (mechanism !== "boston") throw new Error(`unknown mechanism ${JSON.stringify(mechanism)} (da, boston, serial)`);
  const order = units.slice().sort((a, b) => a.rank - b.rank);
  let longest = 0;
  for (const u of order) longest = Math.max(longest, lists(u).length);
  for (let r = 0; r < longest; r++) {
    const cands = order.filter((u) => !u.got && r < lists(u).length);
    cands.sort((a, b) => {
      const x = lists(a)[r], y = lists(b)[r];
      return x.s - y.s || x.tier - y.tier || a.rank - b.rank;
    });
    for (const u of cands) {
      const e = lists(u)[r];
      if (left[e.s] >= u.size) { left[e.s] -= u.size; u.got = { s: e.s, k: r }; }
    }
  }
}

function replayLottery(config, roster, seed, frozen = roster, facts = null) {
  const outcome = lotteryOutcome(config, roster, seed, frozen);
  return { files: lotteryFiles(outcome, lotteryRows(outcome), [], { config, seed, facts }) };
}

/**
 * The zone lottery placed (docs/lottery.md §2–§5): {mechanism, round2, schools, units, apps, unitOf}, every unit
 * with its number, rank, round, school, choice, the tier it was admitted with and its unplaced reason.
 */
function lotteryOutcome(config, roster, seed, frozen = roster, inherit = null) {
  const mechanism = String(config.mechanism ?? "da");
  const round2 = Boolean(config.round2 ?? false);
  const { schools, units, apps } = lotteryMarket(config, roster, seed, frozen, inherit);
  const capacity = schools.map((s) => s.capacity);
  placeRound(mechanism, units, (u) => u.prefs, capacity);
  for (const u of units) {
    u.round = u.got ? 1 : 0;
    u.school = u.got ? u.got.s : -1;
    u.choice = u.got ? u.got.k + 1 : 0;
    u.admitTier = u.got ? (mechanism === "serial" ? u.base : u.prefs[u.got.k].tier) : -1;
    u.r1Entry = u.got ? u.got.k : u.prefs.length;
  }
  const leftAfter = () => {
    const left = capacity.slice();
    for (const u of units) if (u.school >= 0) left[u.school] -= u.size;
    return left;
  };
  if (round2) {
    const active = units.filter((u) => u.school < 0 && u.r2.length);
    if (active.length) {
      const left = leftAfter();
      placeRound(mechanism, active, (u) => u.r2, left);
      for (const u of active) {
        if (!u.got) continue;
        u.round = 2; u.school = u.got.s; u.choice = u.got.k + 1;
        u.admitTier = mechanism === "serial" ? u.base : u.r2[u.got.k].tier;
      }
    }
  }
  const left = leftAfter();
  for (const u of units) {
    u.reason = "";
    if (u.school >= 0) continue;
    const list = round2 ? u.r2 : u.prefs;
    if (round2 && !u.r2.length) u.reason = "no_preference_in_round2";
    else if (u.size > 1 && list.some((e) => left[e.s] > 0)) u.reason = "not_enough_seats_for_multiples";
    else u.reason = "all_choices_full";
  }
  const unitOf = new Map();
  for (const u of units) for (const m of u.members) unitOf.set(m, u);
  return { mechanism, round2, schools, units, apps, unitOf };
}

/** results.csv's rows of an outcome (docs/lottery.md §6), by application number. */
function lotteryRows({ schools, apps, unitOf }) {
  return apps.map((a) => {
    const u = unitOf.get(a);
    return [String(a.id), u.number, Number(a.tier), u.school >= 0 ? schools[u.school].id : "", u.choice, u.round, u.reason, u.size];
  });
}

/**
 * results.csv (from ``resultRows``), schools.csv and summary.json of an outcome (docs/outputs.md §2), and
 * results_by_school.xlsx up to XLSX_MAX_APPLICANTS rows (its title from ``xlsx``: {config, seed, facts});
 * ``extra``: more [key, value] entries of summary.json (a 复核 run's counts).
 */
function lotteryFiles(outcome, resultRows, extra, xlsx) {
  const { mechanism, round2, schools, units, apps, unitOf } = outcome;
  const n = units.length;
  const admitted = schools.map(() => [0, 0, 0]); // seats by round (index 1, 2)
  const worst = schools.map(() => [null, null, null]); // per round: the admitted unit of largest (tier used, rank)
  for (const u of units) {
    if (u.school < 0) continue;
    admitted[u.school][u.round] += u.size;
    const w = worst[u.school][u.round];
    if (!w || u.admitTier * n + u.rank > w.admitTier * n + w.rank) worst[u.school][u.round] = u;
  }
  const schoolRows = schools.map((s, i) => {
    const [, a1, a2] = admitted[i];
    const cut = [1, 2].map((r) => (worst[i][r] ? [worst[i][r].admitTier, worst[i][r].number] : ["", ""]));
    return [s.id, s.capacity, a1 + a2, a1, a2, s.capacity - a1 - a2, ...cut[0], ...cut[1]];
  });
  const files = {
    "results.csv": csvBytes(["applicant_id", "lottery_number", "tier", "school_id", "choice_rank", "round", "reason", "unit_size"], resultRows),
    "schools.csv": csvBytes(["school_id", "capacity", "admitted", "admitted_round1", "admitted_round2", "remaining", "cutoff_tier",
      "cutoff_lottery_number", "round2_cutoff_tier", "round2_cutoff_lottery_number"], schoolRows),
    "summary.json": utf8(prettyJson(lotterySummary(mechanism, round2, schools, units, apps, unitOf, extra)) + "\n"),
  };
  if (resultRows.length <= XLSX_MAX_APPLICANTS) {
    files["results_by_school.xlsx"] = lotteryBySchoolXlsx(xlsx.config, resultRows, schoolRows, xlsx.seed, xlsx.facts);
  }
  return files;
}

function lotterySummary(mechanism, round2, schools, units, apps, unitOf, extra = []) {
  const block = (sel) => {
    const byRank = new Map(); // choice rank (a number: no string made per applicant) → applicants
    let first = 0, top3 = 0, r1 = 0, r2 = 0, none = 0;
    for (const a of sel) {
      const u = unitOf.get(a);
      if (u.round === 1) {
        r1++;
        if (u.choice === 1) first++;
        if (u.choice >= 1 && u.choice <= 3) top3++;
        byRank.set(u.choice, (byRank.get(u.choice) || 0) + 1);
      } else if (u.round === 2) r2++;
      else none++;
    }
    const hist = new Map([...byRank].map(([rank, count]) => [String(rank), count]));
    return obj([["applicants", sel.length], ["first_choice", first], ["top3", top3], ["placed_round1", r1],
      ["placed_round2", r2], ["unplaced", none], ["round1_choice_rank_histogram", hist]]);
  };
  const tiers = [...new Set(apps.map((a) => Number(a.tier)))].sort((a, b) => a - b);
  const reasons = new Map();
  for (const u of units) if (u.school < 0) reasons.set(u.reason, (reasons.get(u.reason) || 0) + u.size);
  return obj([
    ["mechanism", mechanism], ["round2", round2], ["applicants", apps.length], ["units", units.length],
    ["multiples_units", units.filter((u) => u.size > 1).length], ["schools", schools.length],
    ["seats", schools.reduce((t, s) => t + s.capacity, 0)], ["total", block(apps)],
    ["by_tier", obj(tiers.map((t) => [String(t), block(apps.filter((a) => Number(a.tier) === t))]))],
    ["unplaced_reasons", reasons], ["justified_envy_round1", justifiedEnvy(schools, units)], ...extra,
  ]);
}

/**
 * docs/lottery.md §3: (unit, school) pairs where the unit ranks the school above its round-1 place and the
 * units the school holds in round 1 with better priority there, plus this unit, fit in its capacity.
 */
function justifiedEnvy(schools, units) {
  const n = units.length;
  const held = schools.map(() => []);
  for (const u of units) if (u.round === 1) held[u.school].push([u.prefs[u.r1Entry].tier * n + u.rank, u.size]);
  const sums = held.map((h) => {
    h.sort((a, b) => a[0] - b[0]);
    const keys = h.map((x) => x[0]), before = [0];
    for (const [, size] of h) before.push(before[before.length - 1] + size);
    return { keys, before };
  });
  let count = 0;
  for (const u of units) {
    for (let e = 0; e < u.r1Entry; e++) {
      const { s, tier } = u.prefs[e];
      const { keys, before } = sums[s];
      const score = tier * n + u.rank;
      let lo = 0, hi = keys.length;
      while (lo < hi) { const mid = (lo + hi) >> 1; if (keys[mid] < score) lo = mid + 1; else hi = mid; }
      if (before[lo] + u.size <= schools[s].capacity) count++;
    }
  }
  return count;
}

REPLAYERS.lottery = (config, roster, seed, tables, results, frozen = roster, facts = null) => {
  if (pyTruthy(config.corrections)) return replayLotteryReview(config, roster, seed, facts); // a 复核 run (docs/lottery.md §7): lottery-review.js
  return replayLottery(config, roster, seed, frozen, facts);
};
