// Replay of a corrected (复核) zone lottery (docs/lottery.md §7, bytes per docs/outputs.md § review_diff.csv):
// the original run on the committed roster, the corrections checked and applied, the corrected run with the
// original units' numbers (nobody is drawn again), results.csv with every original applicant (withdrawn ones
// included), schools.csv, summary.json with the 复核 counts, and review_diff.csv with each change's cause.
"use strict";

const REVIEW_FIELDS = ["withdraw", "tier", "priority", "preferences", "round2"]; // the order a person's own corrections are listed
const REVIEW_FIELD_ZH = { withdraw: "退出", tier: "类别", priority: "学校优先", preferences: "志愿", round2: "二轮志愿" };
const REVIEW_FIELD_EN = { withdraw: "withdrawal", tier: "tier", priority: "school priority", preferences: "choices",
  round2: "round-2 choices" };
const REVIEW_MAX_TIER = 99;
const REVIEW_NAMED = 3; // ids named in one reason before "等 N 人 / and N more"
const REASON_LABELS = { all_choices_full: "所有志愿学校已满", not_enough_seats_for_multiples: "剩余学位不足以同时录取多胞胎",
  no_preference_in_round2: "未填报二轮志愿" };

/** Python's truthiness of a JSON value: ``config.corrections`` makes a 复核 run when it is not empty. */
const pyTruthy = (v) => !(v === null || v === undefined || v === false || v === 0 || v === "" ||
  (Array.isArray(v) && !v.length) || (isObject(v) && !Object.keys(v).length));

/** A correction's value in one comparable form: a tier, a list of school ids, or [[school, tier]…] by school. */
function reviewValue(v) {
  if (v === null || v === undefined || typeof v === "number" || typeof v === "boolean") return v ?? null;
  if (isObject(v)) return Object.keys(v).sort(cmpCodePoints).map((k) => [k, v[k]]);
  if (Array.isArray(v)) return v.map(String);
  throw new Error(`invalid correction value ${JSON.stringify(v)}`);
}

/** A value as a clerk writes it (docs/lottery.md §7): ``2``, ``S0001;S0002``, ``S0002:0``, blank for none. */
function showReviewValue(v) {
  const x = reviewValue(v);
  if (x === null) return "";
  if (!Array.isArray(x)) return String(x);
  return x.map((e) => (Array.isArray(e) ? `${e[0]}:${e[1]}` : e)).join(";");
}

/** The value on file of ``field`` in a roster record, in the form of reviewValue. */
function recordValue(rec, field) {
  if (field === "tier") return Number(rec.tier);
  if (field === "priority") return reviewValue(rec.priority || {});
  return reviewValue(rec[field] || []);
}

/**
 * The corrected roster (withdrawn applicants left out) and the withdrawn ids, checked as docs/lottery.md §7 says:
 * every correction names a roster applicant and a known field, is the only one of its (applicant, field), its
 * ``old`` is the value on file, a withdrawal is the applicant's only correction, and the corrected applicants
 * still make a valid lottery (docs/lottery.md §1, §3). Throws on the first problem (the engine refuses them too).
 */
function applyLotteryCorrections(config, roster) {
  if (!Array.isArray(config.corrections)) throw new Error("config.corrections is not a list");
  const byId = new Map(roster.map((r) => [String(r.id), r]));
  const fixed = new Map(), seen = new Set(), withdrawn = new Set(), touched = new Set();
  for (const c of config.corrections) {
    if (!isObject(c) || !REVIEW_FIELDS.includes(c.field)) throw new Error(`unknown correction field ${JSON.stringify(isObject(c) ? c.field : c)}`);
    const id = String(c.id), rec = fixed.get(id) || byId.get(id);
    if (!rec) throw new Error(`correction names unknown applicant '${id}'`);
    if (seen.has(`${id}\u0000${c.field}`)) throw new Error(`applicant ${id}: ${REVIEW_FIELD_EN[c.field]} is corrected twice`);
    seen.add(`${id}\u0000${c.field}`);
    if (c.field === "withdraw") { withdrawn.add(id); continue; }
    touched.add(id);
    if (jcs(recordValue(rec, c.field)) !== jcs(reviewValue(c.old))) {
      throw new Error(`applicant ${id}, ${REVIEW_FIELD_EN[c.field]}: the value on file ${showReviewValue(rec[c.field])} does not match the correction's old value ${showReviewValue(c.old)}`);
    }
    fixed.set(id, { ...rec, [c.field]: correctedValue(id, c.field, c.new) });
  }
  const both = [...withdrawn].filter((id) => touched.has(id)).sort(cmpCodePoints);
  if (both.length) throw new Error(`applicant ${both[0]} withdraws and cannot also have other corrections`);
  const kept = roster.filter((r) => !withdrawn.has(String(r.id))).map((r) => fixed.get(String(r.id)) || r);
  if (!kept.length) throw new Error("no applicant is left after the corrections");
  checkCorrectedApplicants(config, kept, fixed);
  return { kept, withdrawn };
}

/** A correction's new value as the roster record holds it, or an error when it is not one (docs/lottery.md §7). */
function correctedValue(id, field, v) {
  if (field === "tier" && Number.isInteger(v)) return v;
  if (field === "priority" && isObject(v) && Object.values(v).every(Number.isInteger)) return v;
  if ((field === "preferences" || field === "round2") && Array.isArray(v) && v.every((s) => typeof s === "string")) return v;
  throw new Error(`applicant ${id}: invalid new ${field}`);
}

/** The invariants of docs/lottery.md §1 and §3 for the corrected records (the others were the original run's). */
function checkCorrectedApplicants(config, kept, fixed) {
  const known = new Set(config.schools.map((s) => String(s.id)));
  for (const a of fixed.values()) {
    if (!a.preferences.length) throw new Error(`applicant ${a.id} has no preferences`);
    for (const list of [a.preferences, a.round2 || []]) {
      if (new Set(list).size !== list.length) throw new Error(`applicant ${a.id} lists a school twice`);
    }
    const priority = a.priority || {};
    for (const s of [...a.preferences, ...(a.round2 || []), ...Object.keys(priority)]) {
      if (!known.has(String(s))) throw new Error(`applicant ${a.id}: unknown school ${s}`);
    }
    if ([Number(a.tier), ...Object.values(priority)].some((t) => !(t >= 0 && t <= REVIEW_MAX_TIER))) {
      throw new Error(`applicant ${a.id}: tiers must be between 0 and ${REVIEW_MAX_TIER}`);
    }
  }
  const first = new Map();
  for (const a of kept) {
    if (!a.group) continue;
    const lists = jcs([a.preferences, a.round2 || []]);
    if (!first.has(a.group)) first.set(a.group, [a, lists]);
    else if (first.get(a.group)[1] !== lists) {
      throw new Error(`multiples group ${a.group}: members ${first.get(a.group)[0].id} and ${a.id} list different preferences`);
    }
  }
}

/**
 * docs/lottery.md §7: the original run, then the corrected one, each corrected unit with the number (and the
 * place in the draw) of the original unit its members came from; results.csv, schools.csv, summary.json and
 * review_diff.csv as the engine writes them, and results_by_school.xlsx of the corrected run.
 */
function replayLotteryReview(config, roster, seed, facts = null) {
  const before = lotteryOutcome(config, roster, seed);
  const { kept, withdrawn } = applyLotteryCorrections(config, roster);
  const originalUnit = new Map();
  for (const u of before.units) for (const m of u.members) originalUnit.set(String(m.id), u);
  const inherit = (units) => {
    for (const u of units) { const src = originalUnit.get(String(u.members[0].id)); u.number = src.number; u.source = src.rank; }
    units.slice().sort((a, b) => a.source - b.source).forEach((u, r) => { u.rank = r; });
  };
  const after = lotteryOutcome(config, kept, seed, kept, inherit);
  const oldRows = lotteryRows(before);
  const afterRows = new Map(lotteryRows(after).map((r) => [r[0], r]));
  const rows = oldRows.map((r) => afterRows.get(r[0]) || [r[0], r[1], r[2], "", 0, 0, "withdrawn", 0]);
  const files = lotteryFiles(after, rows, [["corrections", config.corrections.length], ["withdrawn", withdrawn.size]],
    { config, seed, facts });
  files["review_diff.csv"] = csvBytes(["applicant_id", "lottery_number", "old_tier", "new_tier", "old_school", "new_school",
    "old_choice_rank", "new_choice_rank", "old_round", "new_round", "old_result", "new_result", "cause", "reason"],
  reviewChanges(config.corrections, roster, oldRows, rows));
  return { files, checked: `the corrected run replayed with ${config.corrections.length} correction(s) on the original numbers, and the uncorrected run for review_diff.csv` };
}

/** A results.csv row's result in Chinese: 录取, the unplaced reason's label, or 已退出 (docs/outputs.md § review_diff.csv). */
const lotteryResultLabel = (row) => (row[3] ? "录取" : row[6] === "withdrawn" ? "已退出" : REASON_LABELS[row[6]] ?? row[6]);

/** Up to REVIEW_NAMED ids, then how many in all (zh) / how many more (en). */
function reviewNames(ids) {
  const more = ids.length - REVIEW_NAMED;
  return [ids.slice(0, REVIEW_NAMED).join("、") + (more > 0 ? ` 等 ${ids.length} 人` : ""),
    ids.slice(0, REVIEW_NAMED).join(", ") + (more > 0 ? ` and ${more} more` : "")];
}

/**
 * review_diff.csv's rows (docs/lottery.md §7, "Who is listed and why"): every applicant whose results.csv row
 * changed and every corrected one, by application number, with the cause and the reason in Chinese / English.
 */
function reviewChanges(corrections, roster, oldRows, newRows) {
  const fixes = new Map();
  for (const c of corrections) {
    const id = String(c.id);
    if (!fixes.has(id)) fixes.set(id, []);
    fixes.get(id).push(c);
  }
  const groupOf = new Map(), members = new Map();
  for (const r of roster.slice().sort((a, b) => cmpCodePoints(String(a.id), String(b.id)))) {
    if (!r.group) continue;
    groupOf.set(String(r.id), String(r.group));
    if (!members.has(String(r.group))) members.set(String(r.group), []);
    members.get(String(r.group)).push(String(r.id));
  }
  const add = (m, s, id) => { if (!m.has(s)) m.set(s, []); m.get(s).push(id); };
  const movedIn = new Map(), movedOut = new Map(), entered = new Map(), left = new Map();
  oldRows.forEach((old, i) => {
    const now = newRows[i], id = old[0];
    if (old[3] === now[3]) return;
    if (now[3]) { add(movedIn, now[3], id); if (fixes.has(id)) add(entered, now[3], id); }
    if (old[3]) { add(movedOut, old[3], id); if (fixes.has(id)) add(left, old[3], id); }
  });
  const seat = (school, corrected, anyone, direct, zhDirect, enDirect, zhKnock, enKnock) => {
    const by = corrected.get(school);
    const [zh, en] = reviewNames(by || anyone.get(school) || []);
    return by ? [direct, zhDirect(school, zh), enDirect(school, en)] : ["knock_on", zhKnock(school, zh), enKnock(school, en)];
  };
  const outcome = (row) => [row[5] ? row[5] : 3, row[4]]; // round 1 < round 2 < unplaced, then choice rank
  const out = [];
  oldRows.forEach((old, i) => {
    const now = newRows[i], id = old[0];
    if (!fixes.has(id) && old.every((v, j) => v === now[j])) return;
    let why;
    const partners = (members.get(groupOf.get(id)) || []).filter((m) => m !== id && fixes.has(m));
    const [o, n] = [outcome(old), outcome(now)];
    const worse = n[0] > o[0] || (n[0] === o[0] && n[1] > o[1]);
    if (fixes.has(id)) why = ["own", ...ownReason(fixes.get(id))];
    else if (partners.length) {
      const [zh, en] = reviewNames(partners);
      why = ["group", `同组多胞胎 ${zh} 的更正`, `correction of multiples partner ${en}`];
    } else if (worse && old[3] && old[3] !== now[3]) {
      why = seat(old[3], entered, movedIn, "displaced", (s, w) => `在 ${s} 的学位被 ${w} 的更正挤占`,
        (s, w) => `displaced at ${s} by the correction of ${w}`, (s, w) => `连锁变化：${s} 的学位由 ${w} 递补（他人更正引起）`,
        (s, w) => `knock-on: the seat at ${s} went to ${w} (after others' corrections)`);
    } else if (now[3] && old[3] !== now[3]) {
      why = seat(now[3], left, movedOut, "freed_seat", (s, w) => `递补 ${w} 的更正空出的 ${s} 学位`,
        (s, w) => `took the seat at ${s} freed by the correction of ${w}`, (s, w) => `连锁变化：递补 ${w} 离开的 ${s} 学位（他人更正引起）`,
        (s, w) => `knock-on: took the seat at ${s} left by ${w} (after others' corrections)`);
    } else why = ["knock_on", "连锁变化（他人更正引起）", "knock-on of others' corrections"];
    out.push([id, old[1], old[2], now[2], old[3], now[3], old[4], now[4], old[5], now[5], lotteryResultLabel(old), lotteryResultLabel(now),
      why[0], `${why[1]} / ${why[2]}`]);
  });
  return out;
}

/** The reason of an applicant's own corrections, in field order, each with its old→new and the bureau's reason. */
function ownReason(fixes) {
  const zh = [], en = [];
  for (const c of fixes.slice().sort((a, b) => REVIEW_FIELDS.indexOf(a.field) - REVIEW_FIELDS.indexOf(b.field))) {
    const reason = String(c.reason ?? "");
    if (c.field === "withdraw") { zh.push(`本人退出（${reason}）`); en.push(`withdrew (${reason})`); continue; }
    const change = `${showReviewValue(c.old) || "(空)"}→${showReviewValue(c.new) || "(空)"}`;
    zh.push(`本人更正${REVIEW_FIELD_ZH[c.field]} ${change}（${reason}）`);
    en.push(`own correction of ${REVIEW_FIELD_EN[c.field]} ${change} (${reason})`);
  }
  return [zh.join("；"), en.join("; ")];
}
