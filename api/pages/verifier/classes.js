// Class placement (docs/classes.md § Public draws, docs/randomness.md §4–§6): the published formation
// (formed_classes.csv) is first checked to be a canonical partition of the active roster, and the
// class-number and head-teacher draws on it are recomputed against placement_public.csv and classes.csv (so a
// wrong draw is named as such); then the formation itself is replayed (classes-numbers.js, classes-formation.js,
// classes-polish.js, classes-files.js) and every data file is compared byte for byte. chart.png is an image: proven by its signed hash only (docs/bundle.md).
// A 复核 (corrected) run is replayed too: the original formation, then the corrections (classes-files.js).
// Not replayed here, failing the replay step with the reason: a placement whose start came from CP-SAT
// (balance.json method "cpsat-start+exchange", or a 复核 run whose original did).
"use strict";

/** The word stream of docs/randomness.md §4 with below(n) by rejection (§5); words as BigInt. */
class WordStream {
  constructor(seed, kind, purpose, label) {
    this.h = new Hmac(seed).withPrefix(concatBytes(enc("sunshine/v1/stream"), enc(kind), enc(purpose), enc(label)));
    this.block = 0;
    this.words = [];
  }
  next() {
    if (!this.words.length) {
      const b = this.h.mac(u64be(this.block++));
      const view = new DataView(b.buffer, b.byteOffset, 32);
      for (let i = 0; i < 4; i++) this.words.push(view.getBigUint64(8 * i));
    }
    return this.words.shift();
  }
  below(n) {
    if (n === 1) return 0;
    const N = BigInt(n), limit = (1n << 64n) - ((1n << 64n) % N);
    for (;;) {
      const w = this.next();
      if (w < limit) return Number(w % N);
    }
  }
}

/** permute(seed, kind, purpose, label, list): Fisher–Yates from the end (§6). */
function permute(seed, kind, purpose, label, list) {
  const a = list.slice(), s = new WordStream(seed, kind, purpose, label);
  for (let i = a.length - 1; i >= 1; i--) {
    const j = s.below(i + 1);
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a;
}

function checkClassDraws(config, roster, seed, tables, results) {
  const fail = (item, en, zh) => new Fail("replay", item, en, zh || en);
  const need = (name) => {
    if (!tables[name]) throw fail(name, "replay did not produce this file");
    return tables[name];
  };
  const formed = need("formed_classes.csv"), placed = need("placement_public.csv"), classes = need("classes.csv");
  const col = (table, name, column) => {
    const i = (table[0] || []).indexOf(column);
    if (i < 0) throw fail(name, `no column ${column}`);
    return i;
  };
  // the formation: groups 1..K, each a set of students; canonical order = by smallest student id
  const gCol = col(formed, "formed_classes.csv", "group"), sCol = col(formed, "formed_classes.csv", "student_id");
  const groups = new Map();
  for (const r of formed.slice(1)) {
    const g = Number(r[gCol]);
    if (!groups.has(g)) groups.set(g, []);
    groups.get(g).push(r[sCol]);
  }
  const K = groups.size;
  const ids = new Set(roster.map((r) => String(r.id)));
  const seen = new Set();
  let prevMin = null;
  for (let g = 1; g <= K; g++) {
    const members = groups.get(g);
    if (!members) throw fail("formed_classes.csv", `groups are not numbered 1…${K}`);
    for (const m of members) {
      if (!ids.has(m) || seen.has(m)) throw fail("formed_classes.csv", `student ${m} is not an active roster student, or is in two groups`);
      seen.add(m);
    }
    const min = members.slice().sort(cmpCodePoints)[0];
    if (prevMin !== null && cmpCodePoints(min, prevMin) <= 0) throw fail("formed_classes.csv", `group ${g} is out of canonical order (smallest student id)`);
    prevMin = min;
  }
  if (seen.size !== ids.size) throw fail("formed_classes.csv", `${ids.size - seen.size} active student(s) in no group`);
  if (Number(config.classes) !== K) throw fail("formed_classes.csv", `${K} groups, the config asks for ${config.classes} classes`);
  // each group's class number, as published
  const classOf = new Map();
  const pS = col(placed, "placement_public.csv", "student_id"), pC = col(placed, "placement_public.csv", "class");
  for (const r of placed.slice(1)) classOf.set(r[pS], Number(r[pC]));
  const preset = new Map(roster.map((r) => [String(r.id), r.preset]));
  const numberOf = new Map(), pinned = new Map();
  for (let g = 1; g <= K; g++) {
    const nums = new Set(groups.get(g).map((m) => classOf.get(m)));
    if (nums.size !== 1) throw fail("placement_public.csv", `formed group ${g} is split over classes ${[...nums].join(", ")}`);
    numberOf.set(g, [...nums][0]);
    const pins = new Set(groups.get(g).map((m) => preset.get(m)).filter((p) => p !== null && p !== undefined));
    if (pins.size > 1) throw fail("formed_classes.csv", `formed group ${g} holds two presets`);
    if (pins.size) pinned.set(g, Number([...pins][0]));
  }
  // the class-number draw (class-labels)
  const pinnedNumbers = new Set(pinned.values());
  const freeNumbers = [];
  for (let q = 1; q <= K; q++) if (!pinnedNumbers.has(q)) freeNumbers.push(q);
  const freeGroups = [];
  for (let g = 1; g <= K; g++) if (!pinned.has(g)) freeGroups.push(g);
  const want = new Map([...pinned]);
  if (config.class_sizes === null || config.class_sizes === undefined) {
    const drawn = permute(seed, "classes", "class-labels", "", freeNumbers);
    freeGroups.forEach((g, i) => want.set(g, drawn[i]));
  } else {
    const sizeOf = (q) => Number(Array.isArray(config.class_sizes) ? config.class_sizes[q - 1] : config.class_sizes[String(q)]);
    const sizes = [...new Set(freeNumbers.map(sizeOf))].sort((a, b) => a - b);
    for (const size of sizes) {
      const drawn = permute(seed, "classes", "class-labels", String(size), freeNumbers.filter((q) => sizeOf(q) === size));
      freeGroups.filter((g) => groups.get(g).length === size).forEach((g, i) => want.set(g, drawn[i]));
    }
  }
  for (let g = 1; g <= K; g++) {
    if (want.get(g) !== numberOf.get(g)) {
      throw fail("placement_public.csv", `formed group ${g} is class ${numberOf.get(g)}; the class-number draw gives ${want.get(g)}`,
        `第 ${g} 个编成的班应为 ${want.get(g)} 班，公布为 ${numberOf.get(g)} 班`);
    }
  }
  // the head-teacher draw, against classes.csv
  const teachers = (config.head_teachers || []).map(String).sort(cmpCodePoints);
  const drawnTeachers = teachers.length ? permute(seed, "classes", "head-teachers", "", teachers) : [];
  const cC = col(classes, "classes.csv", "class"), cG = col(classes, "classes.csv", "group"), cT = col(classes, "classes.csv", "head_teacher");
  for (const r of classes.slice(1)) {
    const q = Number(r[cC]), g = Number(r[cG]);
    if (numberOf.get(g) !== q) throw fail("classes.csv", `class ${q} is not formed group ${g}`);
    const teacher = drawnTeachers.length ? drawnTeachers[g - 1] ?? "" : "";
    if (r[cT] !== teacher) {
      throw fail("classes.csv", `class ${q}'s head teacher is ${r[cT]}; the head-teacher draw gives ${teacher}`,
        `${q} 班班主任公布为 ${r[cT]}，抽签结果为 ${teacher}`);
    }
  }
  return `class-number and head-teacher draws recomputed for ${K} classes`;
}

/** The result CSVs as step 8 reads them (this replay runs ahead of step 8, so it parses them itself). */
function classTables(results) {
  const tables = {};
  for (const name of Object.keys(results)) {
    if (!name.endsWith(".csv")) continue;
    let text;
    try { text = decodeUtf8(results[name]); } catch { continue; } // step 8 names a file that is not UTF-8
    tables[name] = parseCsv(text);
  }
  return tables;
}

/**
 * The classes replay: the draws on the published formation, then the formation replayed from the committed
 * roster, config and seed (docs/classes.md § Replaying the formation), every data file compared by step 9.
 */
function replayClasses(config, roster, seed, _tables, results) {
  const fail = (item, en, zh) => new Fail("replay", item, en, zh);
  const review = Array.isArray(config.corrections) && config.corrections.length > 0;
  let method = null;
  try { method = JSON.parse(decodeUtf8(results["balance.json"])).method; } catch { /* compared below */ }
  if (method === "cpsat-start+exchange") {
    throw fail("balance.json", "the start of this placement came from CP-SAT (method cpsat-start+exchange), which a browser cannot run: check this bundle with sunshine verify",
      "本编班的初始方案来自 CP-SAT 求解器（method cpsat-start+exchange），浏览器无法运行：请用 sunshine verify 核验");
  }
  // a 复核 run keeps the original draws on the classes as they now are: checked through the original run's replay
  const draws = review ? `a 复核 run: the original formation and draws replayed, ${config.corrections.length} correction(s) applied`
    : checkClassDraws(config, roster, seed, classTables(results), results);
  let files;
  try {
    files = replayFormation(config, roster, seed);
  } catch (e) {
    if (e instanceof FormationLimit) throw fail("balance.json", e.message, `本页面无法重算此编班：${e.message}`);
    throw e;
  }
  for (const name of Object.keys(results)) if (isImage(name) && !(name in files)) files[name] = null;
  return { files, checked: draws };
}

REPLAYERS.classes = replayClasses;
replayClasses.inWorker = true; // seconds at 1,200 students (the whole exchange search and polish): off the page's thread
