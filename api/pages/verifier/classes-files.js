// The files of a replayed class placement (docs/classes.md § Outputs, § Balance figures, § Hard rules, as
// checked, § Public draws, § 复核 corrections): the report and audit, the draws on the formed classes, the bytes of
// formed_classes.csv, placement_public.csv, classes.csv, balance.json, balance.md (and review_diff.csv of a 复核
// run), and replayFormation, the entry point classes.js calls.
"use strict";

/** Python's "%.4f"-style statistics of one class and score (docs/classes.md § Balance figures). */
function classStat(values) {
  const n = values.length;
  let s1 = 0n, s2 = 0n;
  for (const v of values) { const b = BigInt(v); s1 += b; s2 += b * b; }
  const N = BigInt(n);
  return [ratioToDouble(s1, N * 100n), Math.sqrt(ratioToDouble(N * s2 - s1 * s1, N * N * 10000n))];
}

/** The balance report and the hard-rule audit (docs/classes.md § Hard rules, as checked; § Balance figures). */
function formationReport(p, slotOf) {
  const { k, students, counts, scoreNames } = p;
  const classes = [];
  for (let c = 0; c < k; c++) {
    const idx = [];
    slotOf.forEach((s, i) => { if (s === c) idx.push(i); });
    const cnt = new Map(counts.map((r) => [r.name, idx.reduce((a, i) => a + r.member[i], 0)]));
    const means = new Map(), sds = new Map();
    scoreNames.forEach((name, j) => { const [m, sd] = classStat(idx.map((i) => students[i].scores[j])); means.set(name, m); sds.set(name, sd); });
    const boys = cnt.get("boys");
    classes.push({ slot: c, size: idx.length, boys, girls: idx.length - boys, counts: cnt, means, sds });
  }
  const spread = (vals) => Math.max(...vals) - Math.min(...vals);
  const gaps = [["size", spread(classes.map((s) => s.size))], ["girls", spread(classes.map((s) => s.girls))]];
  for (const r of counts) gaps.push([r.name, spread(classes.map((s) => s.counts.get(r.name)))]);
  for (const name of scoreNames) {
    gaps.push([`mean ${name}`, spread(classes.map((s) => s.means.get(name)))]);
    gaps.push([`sd ${name}`, spread(classes.map((s) => s.sds.get(name)))]);
  }
  const checks = [];
  const sizes = new Array(k).fill(0);
  for (const s of slotOf) sizes[s]++;
  const sizeOk = sizes.every((s, c) => s === p.sizes[c]) && spread(sizes) <= Math.max(1, spread(p.sizes));
  checks.push({ rule: "size", group: "class sizes", members: [], slots: [...Array(k).keys()], holds: sizeOk, detail: `sizes ${sizes.join(",")}` });
  const together = new Map();
  students.forEach((s, i) => { if (s.together) { if (!together.has(s.together)) together.set(s.together, []); together.get(s.together).push(i); } });
  for (const g of [...together.keys()].sort(cmpCodePoints)) {
    const group = together.get(g), slots = group.map((m) => slotOf[m]);
    checks.push({ rule: "together", group: g, members: group.map((m) => students[m].id), slots, holds: new Set(slots).size === 1, detail: "" });
  }
  p.apartNames.forEach((g, gi) => {
    const members = p.apartGroups[gi], at = g.indexOf(":");
    const slots = members.map((m) => slotOf[m]);
    const distinct = new Set(members.map((m, i) => `${slots[i]},${p.unitOf[m]}`)).size;
    checks.push({ rule: g.slice(0, at), group: g.slice(at + 1), members: members.map((m) => students[m].id), slots, holds: new Set(slots).size === distinct, detail: "" });
  });
  students.forEach((s, i) => {
    if (s.preset !== null) checks.push({ rule: "preset", group: String(s.preset), members: [s.id], slots: [slotOf[i]], holds: slotOf[i] === s.preset - 1, detail: "" });
  });
  for (const r of counts) {
    const bad = [];
    for (let c = 0; c < k; c++) {
      let v = 0;
      slotOf.forEach((s, i) => { if (s === c) v += r.member[i]; });
      if (!(r.lo[c] <= v && v <= r.hi[c])) bad.push(`slot ${c}: ${v} not in [${r.lo[c]}, ${r.hi[c]}]`);
    }
    checks.push({ rule: "count", group: r.name, members: [], slots: [...Array(k).keys()], holds: !bad.length, detail: bad.join("; ") });
  }
  return { classes, gaps, checks, violations: checks.filter((c) => !c.holds).length };
}

/** Formed classes in canonical order (by smallest student id) and the two draws on them (docs/classes.md § Public draws). */
function formationDraws(p, slotOf, seed) {
  const first = new Map();
  slotOf.forEach((c, i) => { if (!first.has(c)) first.set(c, i); });
  const formed = [...Array(p.k).keys()].sort((a, b) => first.get(a) - first.get(b));
  const pinned = new Set([...p.unitFixed].filter((c) => c >= 0));
  const labels = [...Array(p.k).keys()].map((c) => c + 1);
  const sized = p.config.class_sizes !== null && p.config.class_sizes !== undefined;
  const freeNumbers = new Map(), freeClasses = new Map();
  for (let c = 0; c < p.k; c++) if (!pinned.has(c)) { const s = sized ? p.sizes[c] : 0; if (!freeNumbers.has(s)) freeNumbers.set(s, []); freeNumbers.get(s).push(c + 1); }
  for (const c of formed) if (!pinned.has(c)) { const s = sized ? p.sizes[c] : 0; if (!freeClasses.has(s)) freeClasses.set(s, []); freeClasses.get(s).push(c); }
  for (const size of [...freeNumbers.keys()].sort((a, b) => a - b)) {
    const drawn = classPermute(seed, "class-labels", freeNumbers.get(size), sized ? String(size) : "");
    freeClasses.get(size).forEach((c, i) => { labels[c] = drawn[i]; });
  }
  const teachers = (p.config.head_teachers || []).map(String);
  const heads = new Map();
  if (teachers.length) {
    const drawn = classPermute(seed, "head-teachers", teachers.slice().sort(cmpCodePoints));
    formed.forEach((c, i) => heads.set(labels[c], drawn[i]));
  }
  return { formed, labels, heads };
}

/** The public files of a classes run, byte for byte as api/runs/classes.py writes them (docs/classes.md § Outputs). */
function formationFiles(p, run, extraWarnings = [], method = "snake+exchange") {
  const { slotOfStudent: slotOf } = run;
  const { formed, labels, heads } = run.draws;
  const rep = run.report;
  const groupOf = new Map(formed.map((c, g) => [c, g + 1]));
  const of = Array.from(slotOf, (c) => groupOf.get(c));
  const formedRows = [...p.students.keys()].sort((a, b) => of[a] - of[b] || a - b).map((i) => [String(of[i]), p.students[i].id]);
  const placement = p.students.map((s, i) => [s.id, String(labels[slotOf[i]])]);
  const flags = p.flagNames;
  const bandRules = p.counts.map((r) => r.name).filter((n) => n !== "boys" && !flags.includes(n));
  const header = ["class", "size", "boys", "girls", ...flags, ...bandRules];
  for (const s of p.scoreNames) header.push(`${s} mean`, `${s} sd`);
  header.push("head_teacher", "group");
  const rows = rep.classes.slice().sort((a, b) => labels[a.slot] - labels[b.slot]).map((st) => {
    const label = labels[st.slot];
    const row = [label, st.size, st.boys, st.girls, ...flags.map((f) => st.counts.get(f)), ...bandRules.map((b) => st.counts.get(b))].map(String);
    for (const s of p.scoreNames) row.push(fixedPy(st.means.get(s), 4), fixedPy(st.sds.get(s), 4));
    row.push(heads.get(label) ?? "", String(groupOf.get(st.slot)));
    return row;
  });
  const warnings = [];
  const largest = Math.max(...p.sizes), maxSize = Number(p.config.max_class_size);
  if (largest >= CLASSES_LARGE) warnings.push(`大班额：最大班级 ${largest} 人（56 人及以上） / large class: the largest class has ${largest} students (56+)`);
  else if (maxSize >= CLASSES_LARGE) warnings.push(`班额上限 ${maxSize} 允许大班额 / max class size ${maxSize} allows large classes (56+)`);

  const balance = obj([
    ["engine", CLASSES_VERSION], ["method", method], ["warnings", [...warnings, ...extraWarnings]], // balance.md: the first only
    ["search", obj([["passes", run.passes], ["swaps", run.swaps], ["evaluations", run.evals], ["objective", fixedPy(run.objective, 9)],
      ["bound", null], ["note", "exchange search: local optimum, no proven bound"]])],
    ["hard_rule_violations", rep.violations],
    ["gaps", obj(rep.gaps.map(([name, v]) => [name, fixedPy(v, 4)]))],
    ["class_labels", obj([...Array(p.k).keys()].map((s) => [String(labels[s]), groupOf.get(s)]))],
    ["head_teachers", obj([...heads.keys()].sort((a, b) => a - b).map((q) => [String(q), heads.get(q)]))],
    ["checks", rep.checks.map((c) => obj([["rule", c.rule], ["group", c.group], ["members", c.members],
      ["classes", c.slots.map((s) => labels[s])], ["holds", c.holds], ["detail", c.detail]]))],
  ]);
  const md = ["# 均衡编班报告 Balance report", "",
    `- 学生 students: ${p.n}; 班级 classes: ${p.k}; 方法 method: ${method} (${run.passes} passes, ${run.swaps} swaps)`,
    `- 硬性规则违反 hard-rule violations: **${rep.violations}**`,
    "- 下界 bound: 交换搜索为局部最优，无证明下界 / exchange search reaches a local optimum; no proven bound",
    ...warnings.map((w) => `- ⚠ ${w}`),
    "", "## 各维度极差 Max − min across classes", "", "| 维度 dimension | 极差 gap |", "|---|---|",
    ...rep.gaps.map(([name, v]) => `| ${name} | ${fixedPy(v, 4)} |`),
    "", "## 硬性规则核查 Hard-rule audit", "",
    "| 规则 rule | 组 group | 学号 members | 班级 classes | 满足 holds |", "|---|---|---|---|---|",
    ...rep.checks.map((c) => `| ${c.rule} | ${c.group} | ${c.members.join(" ")} | ${c.rule !== "count" ? c.slots.map((s) => labels[s]).join(",") : ""} | ${c.holds ? "✓" : `✗ ${c.detail}`} |`),
    "", "## 公开抽签 Public draws", "",
    "班级编号（class-labels，组 = formed_classes.csv 的 group）：" + formed.map((s, g) => `${labels[s]}←组${g + 1}`).join("，")];
  if (heads.size) md.push("班主任（head-teachers）：" + [...heads.keys()].sort((a, b) => a - b).map((q) => `${q}班 ${heads.get(q)}`).join("，"));
  return {
    "formed_classes.csv": csvBytes(["group", "student_id"], formedRows),
    "placement_public.csv": csvBytes(["student_id", "class"], placement),
    "classes.csv": csvBytes(header, rows),
    "balance.json": utf8(prettyJson(balance) + "\n"),
    "balance.md": utf8(md.join("\n") + "\n"),
  };
}

/** The whole replay of one classes run: its public data files (chart.png is an image: not rebuilt). */
function replayFormation(config, roster, seed) {
  const p = classesProblem(config, roster, seed);
  const run = formClasses(p);
  run.report = formationReport(p, run.slotOfStudent);
  run.draws = formationDraws(p, run.slotOfStudent, seed);
  if (Array.isArray(config.corrections) && config.corrections.length) return reviewFiles(p, run, config, roster, seed);
  return formationFiles(p, run);
}

/** A correction's value as review_diff.csv shows it (是/否, 男/女, points without trailing zeros). */
function classReviewValue(v) {
  if (typeof v === "boolean") return v ? "是" : "否";
  if (typeof v === "number") return v % 100 === 0 ? String(Math.trunc(v / 100)) : String(parseFloat((v / 100).toPrecision(6)));
  if (v === "M" || v === "F") return v === "M" ? "男" : "女";
  return String(v ?? "");
}

/**
 * A 复核 run (docs/classes.md § 复核 corrections): the original formation and draws kept, withdrawn students off
 * the lists, the corrected attributes recorded, every figure and rule recomputed on the classes as they now are
 * (sizes = the actual sizes), and review_diff.csv.
 */
function reviewFiles(before, run, config, roster, seed) {
  const fixes = config.corrections.map((c) => ({ id: String(c.id), field: String(c.field), old: c.old, new: c.new, reason: String(c.reason) }));
  const totalIsSum = Boolean(config.total_is_sum);
  const gone = new Set(fixes.filter((c) => c.field === "withdraw").map((c) => c.id));
  const records = new Map(roster.map((r) => [String(r.id), { ...r, scores: { ...r.scores }, flags: { ...r.flags } }]));
  const total = String(config.score_names[0]);
  for (const c of fixes) {
    const r = records.get(c.id);
    if (!r) throw new FormationLimit(`correction of ${c.id}: not on the roster`);
    const [kind, name] = [c.field.split(":")[0], c.field.slice(c.field.indexOf(":") + 1)];
    if (kind === "gender") r.gender = c.new;
    else if (kind === "score") {
      if (totalIsSum) r.scores[total] += Number(c.new) - r.scores[name];
      r.scores[name] = Number(c.new);
    } else if (kind === "flag") r.flags[name] = Boolean(c.new);
  }
  const index = new Map(before.students.map((s, i) => [s.id, i]));
  const kept = [...records.values()].filter((r) => !gone.has(String(r.id)));
  const sizes = new Array(before.k).fill(0);
  for (const r of kept) sizes[run.slotOfStudent[index.get(String(r.id))]]++;
  const { labels, heads } = run.draws;
  const empty = sizes.indexOf(0);
  if (empty >= 0) throw new FormationLimit(`class ${labels[empty]} has no students left after the corrections`);
  const p = classesProblem({ ...config, class_sizes: sizes }, kept, seed);
  const slotOf = Int32Array.from(p.students, (s) => run.slotOfStudent[index.get(s.id)]);
  const report = formationReport(p, slotOf);
  const broken = [];
  for (const r of p.counts) {
    for (let c = 0; c < p.k; c++) {
      let v = 0;
      slotOf.forEach((q, i) => { if (q === c) v += r.member[i]; });
      if (!(r.lo[c] <= v && v <= r.hi[c])) broken.push(`${r.name} ${labels[c]}班 ${v} ∉ [${r.lo[c]}, ${r.hi[c]}]`);
    }
  }
  const first = new Map();
  slotOf.forEach((c, i) => { if (!first.has(c)) first.set(c, i); });
  const formed = [...Array(p.k).keys()].sort((a, b) => first.get(a) - first.get(b));
  const warnings = [`复核：${fixes.length} 项更正，${gone.size} 人退出，其他学生班级不变 / review: ${fixes.length} correction(s), ${gone.size} withdrawn, every other student keeps their class`,
    ...broken.map((b) => `复核后均衡计数超出 ±1（未调整任何学生）/ after the corrections a count rule is outside ±1 (no student was moved): ${b}`)];
  const files = formationFiles(p, { ...run, slotOfStudent: slotOf, report, draws: { formed, labels, heads } }, warnings, "review: posted classes kept");
  const byStudent = new Map();
  for (const c of fixes) { if (!byStudent.has(c.id)) byStudent.set(c.id, []); byStudent.get(c.id).push(c); }
  const label = (field, gender) => (field.split(":")[0] === "gender" ? gender : field.slice(field.indexOf(":") + 1));
  const rows = [...byStudent.keys()].sort(cmpCodePoints).map((sid) => {
    const zh = [], en = [];
    for (const c of byStudent.get(sid)) {
      if (c.field === "withdraw") { zh.push(`本人退出（${c.reason}）`); en.push(`withdrew (${c.reason})`); continue; }
      const change = `${classReviewValue(c.old)}→${classReviewValue(c.new)}`;
      zh.push(`本人更正${label(c.field, "性别")} ${change}（${c.reason}），班级不变`);
      en.push(`own correction of ${label(c.field, "gender")} ${change} (${c.reason}); class unchanged`);
    }
    const old = labels[run.slotOfStudent[index.get(sid)]];
    return [sid, String(old), gone.has(sid) ? "" : String(old), "编入", gone.has(sid) ? "已退出" : "编入", "own", `${zh.join("；")} / ${en.join("; ")}`];
  });
  files["review_diff.csv"] = csvBytes(["student_id", "old_class", "new_class", "old_result", "new_result", "cause", "reason"], rows);
  return files;
}
