// The numbered steps of `sunshine verify` (docs/bundle.md § sunshine verify), run on a bundle's files.
// Each step either holds (a line like the command's), holds with parts this page cannot prove
// (listed; the verdict is then never VERIFIED), or fails at its first bad item, and nothing after it runs.
"use strict";

const STEPS = ["signatures", "log", "ceremony", "config", "roster", "seed", "results", "lottery-numbers", "replay", "manifest",
  "cosignatures"];
const COSIGNATURES_FILE = "cosignatures.json"; // witnesses' cosignatures of the published checkpoint, outside the manifest
const STEP_FILES = { signatures: "checkpoint", log: "log.jsonl", ceremony: "log.jsonl", config: "config.json",
  roster: "roster.jsonl", seed: "seed.json", results: "results/", "lottery-numbers": "results/", replay: "execute",
  manifest: "manifest.json", cosignatures: COSIGNATURES_FILE };
const REQUIRED = ["manifest.json", "config.json", "roster.jsonl", "seed.json", "log.jsonl", "checkpoint", "keys.json"];
const KNOWN_FILES = new Set([...REQUIRED, "checkpoints.json", "PRACTICE.txt", COSIGNATURES_FILE]);
const ID_COLUMNS = ["application_number", "applicant_id", "id"];

class BundleError extends Error {
  constructor(en, zh) { super(en); this.en = en; this.zh = zh; }
}

/** docs/bundle.md layout: the required files, nothing unknown, a readable manifest of our format. */
function openBundle(files) {
  for (const name of REQUIRED) if (!(name in files)) throw new BundleError(`bundle is missing ${name}`, `数据包缺少文件 ${name}`);
  const unknown = Object.keys(files).filter((n) => !KNOWN_FILES.has(n) && !(n.startsWith("results/") && n.length > 8)).sort();
  if (unknown.length) throw new BundleError(`the bundle holds files that are not part of a bundle: ${unknown.join(", ")}`,
    `数据包含有不属于数据包的文件：${unknown.join("、")}`);
  let manifest, keys;
  try {
    manifest = JSON.parse(decodeUtf8(files["manifest.json"]));
    keys = JSON.parse(decodeUtf8(files["keys.json"]));
    if (!isObject(manifest) || manifest.format !== "sunshine-bundle/v1") throw new Error("unknown format");
    for (const f of ["kind", "run_id", "origin", "practice", "files"]) if (!(f in manifest)) throw new Error(`no ${f}`);
  } catch (e) { throw new BundleError(`bundle manifest unreadable: ${e.message}`, "数据包清单无法读取"); }
  const results = {};
  for (const [n, d] of Object.entries(files)) if (n.startsWith("results/")) results[n.slice(8)] = d;
  return { files, manifest, keys, results, kind: String(manifest.kind), practice: Boolean(manifest.practice) };
}

/** This page's own script text, so that a worker can run the same code (captured while the script runs). */
const VERIFIER_SOURCE = typeof document !== "undefined" && document.currentScript ? document.currentScript.textContent : null;

/** Both roster roots (salted leaves, public records) over the lines of ``raw``, as hex. */
function rosterRoots(raw) {
  const lines = splitLines(raw).slice(0, -1);
  return { root: toHex(rootOfFlat(leafHashesFlat(lines), lines.length)),
    publicRoot: toHex(rootOfFlat(leafHashesFlat(lines, 87, 1), lines.length)),
    thread: typeof document === "undefined" ? "worker" : "page" };
}

/**
 * The lottery number of every roster line's own id (key [id]), as [ids, numbers]: most published numbers
 * (multiples units, the rest, are drawn on the page thread).
 */
function rosterNumbers(raw, seedHex, kind) {
  const ids = [];
  for (const line of decodeUtf8(raw).split("\n").slice(0, -1)) ids.push(String(JSON.parse(line).record.id));
  return [ids, lotteryNumbers(fromHex(seedHex), kind, ids.map((id) => [id]))];
}

/**
 * What the worker does: the roster roots, the result rows tree (step 7; null if it could not be computed: the
 * page then computes it and says why), then (when the seed record reads) every id's lottery number.
 */
function workerJob({ job, raw, results, seedHex, kind, config, active }) {
  if (job === "replay") { replayJob(kind, config, active, seedHex, results); return; }
  let t0 = performance.now();
  self.postMessage({ roots: { ...rosterRoots(raw), seconds: (performance.now() - t0) / 1000 } });
  let rows = null;
  t0 = performance.now();
  try { rows = { ...resultRowsTree(results), seconds: (performance.now() - t0) / 1000 }; } catch { /* step 7 computes it again and fails there */ }
  self.postMessage({ rows });
  let numbers = null;
  try { numbers = seedHex && !replaysAhead(kind) ? rosterNumbers(raw, seedHex, kind) : null; } catch { /* the page's steps will say */ }
  self.postMessage({ numbers });
}

/** A replay run in the worker (a replayer marked ``inWorker``): its files, or its error as plain fields. */
function replayJob(kind, config, active, seedHex, results) {
  const t0 = performance.now();
  let out;
  try {
    const got = REPLAYERS[kind](config, active, fromHex(seedHex), {}, results);
    out = { files: got.files, checked: got.checked, notes: got.notes };
  } catch (e) {
    out = { error: { fail: e instanceof Fail, step: e.step, item: e.item, en: e.en, zh: e.zh, name: e.name, message: e.message } };
  }
  out.seconds = (performance.now() - t0) / 1000;
  self.postMessage({ replay: out });
}

/** Step 9's replay in a worker of its own (a long one: the class formation), so that the page stays responsive. */
function replayInWorker(kind, config, active, seedHex, results) {
  return new Promise((resolve, reject) => {
    let worker;
    try { worker = takeWorker(); } catch (e) { reject(Object.assign(e, { workerLost: true })); return; }
    const done = () => { worker.terminate(); URL.revokeObjectURL(worker.sourceUrl); spareWorkerLater(); };
    worker.onmessage = (e) => {
      done();
      const r = e.data.replay;
      if (!r.error) { resolve(r); return; }
      const err = r.error.fail ? new Fail(r.error.step, r.error.item, r.error.en, r.error.zh) : new Error(r.error.message);
      if (!r.error.fail) err.name = r.error.name;
      reject(Object.assign(err, { seconds: r.seconds }));
    };
    // the worker itself failed (not the replay): step 9 replays on the page's thread instead
    worker.onerror = (e) => { e.preventDefault(); done(); reject(Object.assign(new Error("the replay worker failed"), { workerLost: true })); };
    try { worker.postMessage({ job: "replay", kind, config, active, seedHex, results }); } catch (e) { done(); reject(Object.assign(e, { workerLost: true })); }
  });
}

/** Does the page run this kind's replay ahead (replayAhead)? Its replay then draws the numbers step 8 needs. */
const replaysAhead = (kind) => Boolean(REPLAYERS[kind]) && !REPLAYERS[kind].readsTables;

/**
 * Hash on a second thread when the browser allows it (a worker running this same script), overlapping the
 * page's parsing and replay, as `sunshine verify` does on a second core: ``roots()`` resolves to the roster
 * roots, ``rows()`` to the result rows tree of ``results`` (rows.js), ``numbers()`` to [ids, numbers] or null.
 * Without a worker the first two are computed here, when asked.
 */
function backgroundWork(files, results, kind) {
  const raw = files["roster.jsonl"];
  let seedHex = null;
  try { seedHex = String(JSON.parse(decodeUtf8(files["seed.json"])).seed); fromHex(seedHex); } catch { seedHex = null; }
  const here = { roots: async () => rosterRoots(raw), rows: async () => resultRowsTree(results), numbers: async () => null };
  if (!VERIFIER_SOURCE || typeof Worker === "undefined" || raw.length < 1 << 20) return here;
  try {
    const worker = takeWorker();
    const done = () => { worker.terminate(); URL.revokeObjectURL(worker.sourceUrl); spareWorkerLater(); };
    const settle = {};
    const promise = (key) => new Promise((resolve, reject) => { settle[key] = { resolve, reject }; });
    const roots = promise("roots"), rows = promise("rows"), numbers = promise("numbers");
    worker.onmessage = (e) => {
      const [key] = Object.keys(e.data);
      if (key === "rows" && e.data.rows === null) settle.rows.reject(new Error("rows not computed"));
      else settle[key].resolve(e.data[key]);
      if (key === "numbers") done();
    };
    worker.onerror = (e) => {
      e.preventDefault();
      settle.roots.reject(new Error("worker failed")); settle.rows.reject(new Error("worker failed")); settle.numbers.resolve(null);
      done();
    };
    worker.postMessage({ raw, results, seedHex, kind });
    return { roots: () => roots.catch(() => rosterRoots(raw)), rows: () => rows.catch(() => resultRowsTree(results)), numbers: () => numbers };
  } catch {
    return here;
  }
}

/**
 * Workers are started while the page is idle: a worker's script is loaded through the page's own thread, so one
 * created when a bundle arrives did not start its job until the page paused, at step 5, two seconds in at
 * 100,000 applicants (measured), and hashed while the page waited. A spare one takes its job at once; each job
 * takes the spare and leaves a new one for the next (spareWorkerLater, also called once the page has loaded).
 */
let SPARE_WORKER = null;
function spawnWorker() {
  const code = `${VERIFIER_SOURCE}\nself.onmessage = (e) => workerJob(e.data);`;
  const url = URL.createObjectURL(new Blob([code], { type: "text/javascript" }));
  const worker = new Worker(url);
  worker.sourceUrl = url;
  return worker;
}
function takeWorker() {
  const worker = SPARE_WORKER || spawnWorker();
  SPARE_WORKER = null;
  return worker;
}
function spareWorkerLater() {
  if (!VERIFIER_SOURCE || typeof Worker === "undefined") return;
  setTimeout(() => { try { SPARE_WORKER ??= spawnWorker(); } catch { /* a job then starts its own */ } }, 0);
}

/**
 * Step 9's replay computed ahead, while the worker still hashes (steps 5 and 7 wait for it): the engine run on
 * the committed config and roster with the seed of ``seed.json`` as it reads, before step 6 has proven it.
 * Only a result is kept, never a verdict: step 9 uses it if the proven seed is that seed (else it replays
 * again), and an error is thrown there, as if the replay ran then. Replayers that read step 8's parsed tables
 * (``readsTables``) are not run ahead. Null when there is nothing to run.
 */
function replayAhead(bundle, files, config, active, records, facts) {
  if (!replaysAhead(bundle.kind)) return null;
  const replayer = REPLAYERS[bundle.kind];
  let seed;
  try { seed = fromHex(String(JSON.parse(decodeUtf8(files["seed.json"])).seed).replace(/\s/g, "")); } catch { return null; }
  const t0 = performance.now();
  const ahead = { seedHex: toHex(seed), active, out: null, error: null };
  if (replayer.inWorker && VERIFIER_SOURCE && typeof Worker !== "undefined") {
    try {
      ahead.pending = replayInWorker(bundle.kind, config, active, ahead.seedHex, bundle.results);
      ahead.pending.catch(() => {}); // awaited at step 9 (an earlier failing step leaves it unread)
      return ahead;
    } catch { /* no worker: replay here */ }
  }
  try { ahead.out = replayer(config, active, seed, {}, bundle.results, records, facts); } catch (e) { ahead.error = e; }
  ahead.seconds = (performance.now() - t0) / 1000;
  return ahead;
}

/** How many "\n" bytes ``bytes`` holds. */
function countLines(bytes) {
  let n = 0;
  for (let i = bytes.indexOf(10); i >= 0; i = bytes.indexOf(10, i + 1)) n++;
  return n;
}

/** Lines of ``bytes`` split at "\n" (the part after the last "\n" is returned as the last element). */
function splitLines(bytes) {
  const out = [];
  let start = 0;
  for (let i = bytes.indexOf(10); i >= 0; i = bytes.indexOf(10, start)) { out.push(bytes.subarray(start, i)); start = i + 1; }
  out.push(bytes.subarray(start));
  return out;
}

/** A CSV reader like Python's csv.reader (minimal quoting, "\n" or "\r\n" line ends). */
function parseCsv(text) {
  const rows = [];
  let row = [], cell = "", i = 0, quoted = false, any = false;
  const n = text.length;
  if (!text.includes('"') && !text.includes("\r")) {
    const lines = text.split("\n");
    if (lines[lines.length - 1] === "") lines.pop();
    return lines.map((l) => (l === "" ? [] : l.split(",")));
  }
  while (i < n) {
    const c = text[i];
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') { cell += '"'; i += 2; continue; }
        quoted = false; i++; continue;
      }
      cell += c; i++; continue;
    }
    if (c === '"' && cell === "") { quoted = true; any = true; i++; continue; }
    if (c === ",") { row.push(cell); cell = ""; any = true; i++; continue; }
    if (c === "\n" || c === "\r") {
      if (any || cell !== "") row.push(cell);
      rows.push(row); row = []; cell = ""; any = false;
      i += c === "\r" && text[i + 1] === "\n" ? 2 : 1;
      continue;
    }
    cell += c; any = true; i++;
  }
  if (any || cell !== "") { row.push(cell); rows.push(row); }
  return rows;
}

const NUMBER_MEMO = { tag: "", numbers: new Map() };
/** A key's name in the memo: a one-id key is its id (the worker's numbers are remembered by id). */
const memoKey = (parts) => (parts.length === 1 ? parts[0] : "\u0000" + parts.join("\u0000"));

/**
 * Published lottery numbers recomputed from docs/randomness.md §3.2, one per item key. Remembered for the
 * last (seed, kind): step 8 and the replay need the same numbers.
 */
function lotteryNumbers(seed, kind, keys) {
  const tag = toHex(seed) + "\u0000" + kind;
  if (NUMBER_MEMO.tag !== tag) { NUMBER_MEMO.tag = tag; NUMBER_MEMO.numbers = new Map(); }
  const memo = NUMBER_MEMO.numbers;
  const h = new Hmac(seed).withPrefix(concatBytes(enc("sunshine/v1/item"), enc(kind), enc("lottery-number")));
  return keys.map((parts) => {
    const id = memoKey(parts);
    let v = memo.get(id);
    if (v === undefined) { v = itemNumber(h, parts); memo.set(id, v); }
    return v;
  });
}

/** Are the numbers of all ``keys`` remembered for (seed, kind) (by the replay run ahead, or the worker's)? */
function numbersKnown(seed, kind, keys) {
  if (NUMBER_MEMO.tag !== toHex(seed) + "\u0000" + kind) return false;
  const memo = NUMBER_MEMO.numbers;
  return keys.every((parts) => memo.has(memoKey(parts)));
}

/** Numbers computed elsewhere (the worker) for one-id keys, under the same (seed, kind). */
function rememberNumbers(seed, kind, ids, numbers) {
  lotteryNumbers(seed, kind, []);
  ids.forEach((id, i) => NUMBER_MEMO.numbers.set(id, numbers[i]));
}

/** One number: first 8 bytes of HMAC(seed, prefix ‖ key(parts)), 16 hex digits (the one-id key built in one buffer). */
function itemNumber(h, parts) {
  if (parts.length !== 1) return toHex(h.mac(u32be(parts.length), ...parts.map(enc)).subarray(0, 8));
  const raw = utf8(parts[0]);
  const msg = new Uint8Array(8 + raw.length);
  msg[3] = 1;
  msg.set(u32be(raw.length), 4);
  msg.set(raw, 8);
  return toHex(h.mac(msg).subarray(0, 8));
}

const byCodePoint = (a, b) => cmpCodePoints(a, b);
const FILE_HASHES = new WeakMap();

/** Every file's SHA-256 by the browser's native digest, all at once (megabytes: far faster than our JS hash). */
async function hashFiles(files) {
  await Promise.all(Object.values(files).map(async (d) => {
    FILE_HASHES.set(d, toHex(new Uint8Array(await crypto.subtle.digest("SHA-256", d))));
  }));
}

/** Hex SHA-256 of a bundle file, computed once (steps 7 and 10 both need it). */
function fileHash(data) {
  let h = FILE_HASHES.get(data);
  if (h === undefined) { h = toHex(sha256(data)); FILE_HASHES.set(data, h); }
  return h;
}

/**
 * Verify ``bundle`` (from openBundle). ``pinned``: parsed operator keys or null (then the shipped keys are
 * used, and said so). ``report(step index, line)`` is called as each step holds. Resolves to
 * {lines, unproven, state, signers} or rejects with a Fail naming the step.
 */
async function verifySteps(bundle, pinned, report) {
  const files = bundle.files;
  const lines = [];
  const unproven = [];
  let held = 0;
  const ok = (line, notes = []) => { lines.push(line); unproven.push(...notes.map((n) => ({ step: STEPS[held], ...n }))); report(held, line, notes); held++; };
  try {
    return await run();
  } catch (e) {
    if (e instanceof Fail) throw e;
    const step = STEPS[held];
    throw new Fail(step, STEP_FILES[step], `malformed input (${e.name}: ${e.message})`, `输入格式错误（${e.name}：${e.message}）`);
  }

  async function run() {
    const background = backgroundWork(files, bundle.results, bundle.kind);
    await hashFiles(files);
    // (1) signatures
    let step = "signatures";
    const shipped = isObject(bundle.keys) ? (bundle.keys.log_keys ?? []) : null;
    if (!Array.isArray(shipped) || !shipped.every((k) => typeof k === "string")) {
      throw new Fail(step, "keys.json", 'not an object with a list of verifier keys under "log_keys"', "keys.json 不是含 log_keys 公钥列表的对象");
    }
    const shippedKeys = shipped.map((k) => parseVkey(k, step, "keys.json"));
    const keys = (pinned ?? shippedKeys).slice();
    for (const line of UTF8_LOOSE.decode(files["log.jsonl"]).split("\n")) {
      if (!line.includes('"action":"key.rotate"')) continue;
      let note;
      try { note = JSON.parse(line).payload.note; } catch { throw new Fail(step, "key.rotate", "malformed key rotation entry"); }
      const neu = await verifyRotation(note, keys, step);
      if (!keys.some((k) => sameKey(k, neu))) keys.push(neu);
    }
    let cpText;
    try { cpText = decodeUtf8(files.checkpoint); } catch (e) { throw new Fail(step, "checkpoint", `not UTF-8 text: ${e.message}`); }
    const { text, signers } = await openNote(cpText, keys, step);
    const cp = parseCheckpoint(text, step);
    if (cp.origin !== bundle.manifest.origin) throw new Fail(step, "checkpoint", `origin ${JSON.stringify(cp.origin)} is not the bundle's ${JSON.stringify(bundle.manifest.origin)}`);
    let history;
    try { history = JSON.parse(decodeUtf8(files["checkpoints.json"] ?? utf8("[]"))); } catch {
      throw new Fail(step, "checkpoints.json", "earlier checkpoints unreadable", "早先的检查点无法读取");
    }
    if (!Array.isArray(history)) throw new Fail(step, "checkpoints.json", "earlier checkpoints unreadable", "早先的检查点无法读取");
    const old = [];
    for (const h of history) {
      if (!isObject(h) || typeof h.note !== "string" || !("proof" in h)) throw new Fail(step, "checkpoints.json", "earlier checkpoints unreadable", "早先的检查点无法读取");
      old.push([parseCheckpoint((await openNote(h.note, keys, step)).text, step), h.proof]);
    }
    const trust = pinned ? "pinned key" : "key shipped in the bundle (NOT pinned: pass --key)";
    const practiceKey = bundle.keys.practice ? " — PRACTICE key: proves nothing about who ran it" : "";
    const signerKeys = keys.filter((k) => signers.includes(k.name));
    ok(`signatures: checkpoint size ${cp.size} signed by ${signers.join(", ")} (${trust})${practiceKey}`);

    // (2) log
    step = "log";
    const logBytes = files["log.jsonl"];
    const rawLines = logBytes.length && logBytes[logBytes.length - 1] !== 10 ? [null] : splitLines(logBytes).slice(0, -1);
    const entries = [], leaves = [];
    let prev = "0".repeat(64);
    rawLines.forEach((raw, i) => {
      let obj;
      try {
        if (raw === null) throw new Error("no newline");
        obj = parseJson(raw);
        const e = obj.entry;
        if (!isObject(obj) || !isObject(e) || Object.keys(obj).sort().join() !== "entry,payload"
            || Object.keys(e).sort().join() !== "action,actor,payload_hash,prev,time") throw new Error("unexpected fields");
      } catch { throw new Fail(step, `entry ${i}`, "malformed log entry", "日志条目格式错误"); }
      if (recordHash(obj.payload) !== obj.entry.payload_hash) throw new Fail(step, `entry ${i}`, "payload does not match payload_hash", "日志内容哈希不符");
      if (obj.entry.prev !== prev) throw new Fail(step, `entry ${i}`, "prev does not equal the hash of the previous entry", "日志哈希链断裂");
      const leaf = jcsBytes(obj.entry);
      prev = toHex(sha256(leaf));
      entries.push({ action: obj.entry.action, time: obj.entry.time, payload: obj.payload });
      leaves.push(leafHash(leaf));
    });
    if (entries.length !== cp.size) throw new Fail(step, `entry ${Math.min(entries.length, cp.size)}`, `log has ${entries.length} entries, checkpoint says ${cp.size}`);
    const logRoot = rootOf(leaves);
    if (!equalBytes(logRoot, cp.root)) throw new Fail(step, "log tree", `root mismatch: expected ${toHex(cp.root)}, calculated ${toHex(logRoot)}`, "根哈希不符");
    old.forEach(([o, proof], i) => {
      try { verifyConsistency(o.size, cp.size, proof.map(fromHex), o.root, cp.root); } catch (e) {
        throw new Fail(step, `checkpoint ${i} (size ${o.size})`, `not consistent with the latest: ${e.message}`, "与最新检查点不一致");
      }
    });
    if (!bundle.practice) {
      const sizes = old.map(([o]) => o.size).sort((a, b) => a - b);
      for (let s = 1; s < cp.size; s++) {
        if (sizes[s - 1] !== s) {
          throw new Fail(step, "checkpoints.json", `the checkpoint history is incomplete (size ${sizes.includes(s) ? "extra" : s} missing): every step's signed checkpoint must be in the bundle`, "检查点历史不完整");
        }
      }
      if (sizes.length !== cp.size - 1) throw new Fail(step, "checkpoints.json", "the checkpoint history is incomplete (size extra missing)", "检查点历史不完整");
    }
    ok(`log: ${entries.length} entries chained; tree root matches; ${old.length} earlier checkpoint(s) consistent`);

    // (3) ceremony
    step = "ceremony";
    const origin0 = entries.length ? String(entries[0].payload?.origin || (entries[0].action === "practice.init"
      ? `sunshine.practice/${entries[0].payload?.run_id}` : `sunshine/${entries[0].payload?.kind}/${entries[0].payload?.run_id}`)) : "";
    const checkpointAt = (size) => ({ origin: origin0, size, root: rootOf(leaves.slice(0, size)) });
    let st;
    try { st = await replayCeremony(entries, checkpointAt); } catch (e) { throw new Fail(step, "log", e.message, e.message); }
    if (st.state !== "PUBLISHED") throw new Fail(step, "log", `run ended in state ${st.state}, not PUBLISHED`);
    if (st.kind !== bundle.kind || st.practice !== bundle.practice || st.runId !== bundle.manifest.run_id) {
      throw new Fail(step, "manifest", "kind / practice flag / run id differ from the signed log", "类型、练习标记或运行编号与签名日志不符");
    }
    if (Boolean(bundle.keys.practice) !== st.practice) throw new Fail(step, "keys.json", "practice flag of the keys differs from the signed log");
    const mode = st.practice ? "PRACTICE run (manual seed)" : st.inherited ? `复核 of run ${st.reviewOf}, seed inherited`
      : `ceremony with ${st.witnesses.length} witness(es)`;
    ok(`ceremony: ${mode}; actions in order through PUBLISHED`, st.unproven);

    // (4) config
    step = "config";
    let config, cfgHash;
    try { config = parseJson(files["config.json"]); cfgHash = recordHash(config); } catch (e) {
      throw new Fail(step, "config.json", `unreadable: ${e.message}`, "无法读取");
    }
    if (cfgHash !== st.configHash) throw new Fail(step, "config.json", `hash ${cfgHash} differs from the frozen ${st.configHash}`, "配置哈希与冻结值不符");
    ok(`config: hash ${cfgHash.slice(0, 16)}… matches the frozen config`);

    // (5) roster
    step = "roster";
    const raw = files["roster.jsonl"];
    if (raw.length && raw[raw.length - 1] !== 10) throw new Fail(step, "roster.jsonl", "file does not end with a newline", "文件未以换行结尾");
    let lineText; // line i's text: split once from the decoded file (not UTF-8: each line decoded, naming the first bad one)
    try { const texts = decodeUtf8(raw).split("\n"); lineText = (i) => texts[i]; } catch {
      const bytes = splitLines(raw);
      lineText = (i) => UTF8_STRICT.decode(bytes[i]);
    }
    const lineCount = countLines(raw); // every line ends with "\n" (checked above)
    const records = [];
    let prevId = null;
    for (let i = 0; i < lineCount; i++) {
      let leaf;
      try { leaf = JSON.parse(lineText(i)); } catch {
        throw new Fail(step, `line ${i + 1}`, "malformed roster leaf", "名单叶子格式错误");
      }
      const rec = isObject(leaf) ? leaf.record : undefined;
      if (!isObject(leaf) || Object.keys(leaf).length !== 2 || !("private" in leaf) || !isObject(rec) || !("id" in rec)) {
        throw new Fail(step, `line ${i + 1}`, "malformed roster leaf", "名单叶子格式错误");
      }
      const id = String(rec.id);
      if (prevId !== null && cmpCodePoints(id, prevId) <= 0) throw new Fail(step, `line ${i + 1}`, "roster not sorted by id, or id repeated", "名单未按编号排序或编号重复");
      prevId = id;
      records.push(rec);
    }
    const withdrawn = new Set(st.withdrawals);
    const active = withdrawn.size ? records.filter((r) => !withdrawn.has(r.id)) : records;
    const facts = runFacts(bundle.kind, bundle.manifest.run_id, st.practice, st.seedRecord, entries); // the XLSX title rows (xlsx.js)
    const ahead = replayAhead(bundle, files, config, active, records, facts); // while the worker hashes
    if (ahead && !ahead.pending) report(-2, ahead.seconds, []);
    const computed = await background.roots();
    report(-1, computed.thread, []);
    if (computed.seconds !== undefined) report(-3, ["workerRoots", computed.seconds], []);
    const rosterRoot = fromHex(computed.root);
    if (toHex(rosterRoot) !== st.rosterRoot) throw new Fail(step, "roster.jsonl", `root mismatch: expected ${st.rosterRoot}, calculated ${toHex(rosterRoot)}`, "名单根哈希不符");
    if (st.publicRoot) {
      const pub = computed.publicRoot;
      if (pub !== st.publicRoot) throw new Fail(step, "roster.jsonl (public records)", `root mismatch: expected ${st.publicRoot}, calculated ${pub}`, "公开名单根哈希不符");
    }
    if (records.length !== st.rosterSize) throw new Fail(step, "roster.jsonl", `${records.length} records, frozen size ${st.rosterSize}`);
    if (st.withdrawals.length) {
      const ids = new Set(records.map((r) => r.id));
      for (const w of st.withdrawals) if (!ids.has(w)) throw new Fail(step, w, "withdrawn applicant is not in the committed roster", "退出的申请人不在已承诺的名单中");
    }
    ok(`roster: ${records.length} records, root ${toHex(rosterRoot).slice(0, 16)}… matches; ${st.withdrawals.length} withdrawal(s)`);

    // (6) seed
    step = "seed";
    let seedRecord, seed;
    try {
      seedRecord = JSON.parse(decodeUtf8(files["seed.json"]));
      if (!isObject(seedRecord) || !("seed" in seedRecord)) throw new Error("no seed");
      seed = fromHex(String(seedRecord.seed).replace(/\s/g, ""));
    } catch (e) { throw new Fail(step, "seed.json", `unreadable seed record: ${e.message}`, "种子记录无法读取"); }
    if (jcs(seedRecord) !== jcs(st.seedRecord)) throw new Fail(step, "seed.json", "differs from the seed record in the signed log", "与签名日志中的种子记录不符");
    const detail = st.practice ? "PRACTICE: seed typed in by the operator (no derivation to check)"
      : st.inherited ? await inheritedSeedLine(st.inherited, config, keys, trust)
      : `derived from roster root, config, ${Object.keys(st.reveals).length} reveal(s) and '${seedRecord.inputs.public_value.source}'`;
    ok(`seed: ${toHex(seed).slice(0, 16)}… ${detail}`);

    // (7) results
    step = "results";
    const results = bundle.results;
    const expected = st.results || {};
    for (const name of [...new Set([...Object.keys(expected), ...Object.keys(results)])].sort(byCodePoint)) {
      if (!(name in results)) throw new Fail(step, name, "result file missing", "结果文件缺失");
      if (!(name in expected)) throw new Fail(step, name, "result file not in the signed log", "结果文件不在签名日志中");
      if (fileHash(results[name]) !== expected[name]) throw new Fail(step, name, "hash differs from the signed run.execute entry", "哈希与签名的 run.execute 不符");
    }
    const publishes = entries.filter((e) => e.action === "run.publish");
    const published = publishes[publishes.length - 1].payload;
    if (!isObject(published) || published.results_hash !== recordHash(expected)) {
      throw new Fail(step, "run.publish", "results_hash is not SHA-256(JCS(run.execute results))");
    }
    const { seconds: rowsSeconds, ...rowsTree } = await background.rows();
    if (rowsSeconds !== undefined) report(-3, ["workerRows", rowsSeconds], []);
    checkResultRows(entries, rowsTree); // rows.js
    ok(`results: ${Object.keys(results).length} file(s) match the signed hashes; ${rowsTree.size} result row(s) in the signed rows tree ${rowsTree.root.slice(0, 16)}…`);

    // (8) lottery numbers
    step = "lottery-numbers";
    let drawn = false; // the worker's numbers, asked for once: only when a number is not known here already
    const groups = new Map(); // keyed by the FROZEN membership: a withdrawn twin stays in the key
    for (const r of records) {
      if (r.group) {
        const g = String(r.group);
        if (!groups.has(g)) groups.set(g, []);
        groups.get(g).push(String(r.id));
      }
    }
    const unitKey = new Map();
    for (const ms of groups.values()) { const key = ms.slice().sort(byCodePoint); for (const m of ms) unitKey.set(m, key); }
    let checked = 0;
    const tables = {};
    for (const name of Object.keys(results).sort(byCodePoint)) {
      if (!name.endsWith(".csv")) continue;
      let text;
      try { text = decodeUtf8(results[name]); } catch (e) { throw new Fail(step, name, `not UTF-8 text: ${e.message}`, "不是 UTF-8 文本"); }
      if (!parseCsv(text.slice(0, text.indexOf("\n") + 1))[0]?.includes("lottery_number")) { // rows read if a replay asks
        let rows;
        Object.defineProperty(tables, name, { enumerable: true, get: () => (rows ??= parseCsv(text)) });
        continue;
      }
      const table = parseCsv(text);
      tables[name] = table;
      const header = table[0] || [];
      const col = header.indexOf("lottery_number");
      const idName = ID_COLUMNS.find((c) => header.includes(c));
      if (idName === undefined) continue;
      const idCol = header.indexOf(idName);
      const width = Math.max(idCol, col) + 1;
      const rows = table.slice(1);
      rows.forEach((r, i) => {
        if (r.length < width) throw new Fail(step, `${name} row ${i + 2}`, `row has ${r.length} field(s); the header has ${header.length}`, "该行字段数不足");
      });
      const numbered = [];
      rows.forEach((r, i) => { if (r[col]) numbered.push(i); });
      const keys = numbered.map((i) => unitKey.get(rows[i][idCol]) || [rows[i][idCol]]);
      if (!drawn && !numbersKnown(seed, bundle.kind, keys)) { // ids' numbers from the worker, for the seed step 6 proved
        drawn = true;
        const got = await background.numbers();
        if (got && String(seedRecord.seed) === toHex(seed)) rememberNumbers(seed, bundle.kind, got[0], got[1]);
      }
      const want = lotteryNumbers(seed, bundle.kind, keys);
      numbered.forEach((i, j) => {
        const got = rows[i][col];
        if (got !== want[j]) throw new Fail(step, `${name} row ${i + 2} (${rows[i][idCol]})`, `lottery number ${got} should be ${want[j]}`, `派位号 ${got} 应为 ${want[j]}`);
      });
      checked += numbered.length;
    }
    ok(checked ? `lottery-numbers: ${checked} recomputed` : "lottery-numbers: none published by this kind");

    // (9) replay
    step = "replay";
    const replayer = REPLAYERS[bundle.kind];
    if (!replayer) {
      ok(`replay: not checked by this page (no replay of the ${JSON.stringify(bundle.kind)} kind here: use sunshine verify)`,
        [{ en: `the ${bundle.kind} results are not replayed by this page`, zh: `本页面不重算「${bundle.kind}」类型的结果` }]);
    } else {
      let out;
      try {
        let workerLost = false;
        if (ahead && ahead.pending) { // replayed in a worker of its own while steps 1-8 ran
          try { ahead.out = await ahead.pending; } catch (e) { if (e.workerLost) workerLost = true; else ahead.error = e; }
          if (!workerLost) report(-3, ["replayWorker", ahead.out ? ahead.out.seconds : ahead.error.seconds], []);
        }
        if (ahead && !workerLost && ahead.seedHex === toHex(seed) && ahead.active === active) { // computed while the worker hashed
          if (ahead.error) throw ahead.error;
          out = ahead.out;
        } else out = replayer(config, active, seed, tables, results, records, facts); // (a lost worker: here)
      } catch (e) {
        if (e instanceof Fail) throw e;
        throw new Fail(step, "execute", `the engine failed on the committed inputs: ${e.name}: ${e.message}`, `引擎在已承诺的输入上运行失败：${e.message}`);
      }
      const images = [];
      for (const name of [...new Set([...Object.keys(out.files), ...Object.keys(results)])].sort(byCodePoint)) {
        if (!(name in out.files) || !(name in results)) {
          throw new Fail(step, name, name in results ? "replay did not produce this file" : "replay produced a file the bundle does not have");
        }
        if (isImage(name)) { images.push(name); continue; } // a rendering of the data files: its signed hash held in step 7
        const mine = out.files[name];
        if (mine === null) continue; // produced by the engine, but not recomputed here (listed in out.unproven)
        if (equalBytes(mine, results[name])) continue;
        const why = name.endsWith(".xlsx") ? await xlsxDifference(name, mine, results[name]) : firstDifference(name, mine, results[name]);
        throw new Fail(step, name, `replay differs: ${why}`, "重算结果不同");
      }
      const compared = Object.keys(out.files).filter((n) => out.files[n] !== null && !isImage(n)).length;
      const skipped = Object.keys(out.files).filter((n) => out.files[n] === null && !isImage(n));
      const checkedToo = out.checked ? `; ${out.checked}` : "";
      const notCompared = images.length ? `; image(s) not compared (renderings of the data; their signed hashes were checked in step 7): ${images.join(", ")}` : "";
      ok(`replay: ${compared} data file(s) reproduced byte for byte${notCompared}${checkedToo}${skipped.length ? `; not checked by this page: ${skipped.join(", ")}` : ""}`,
        out.notes || skipped.map((n) => ({ en: `${n} is not reproduced by this page`, zh: `本页面不重算 ${n}` })));
    }

    // (10) manifest
    step = "manifest";
    const listed = bundle.manifest.files;
    if (!isObject(listed)) throw new Fail(step, "manifest.json", '"files" is not an object');
    const actual = {};
    for (const [n, d] of Object.entries(files)) if (n !== "manifest.json" && n !== COSIGNATURES_FILE) actual[n] = fileHash(d);
    for (const name of [...new Set([...Object.keys(listed), ...Object.keys(actual)])].sort(byCodePoint)) {
      if (listed[name] !== actual[name]) throw new Fail(step, name, "manifest entry differs from the file", "清单条目与文件不符");
    }
    ok(`manifest: ${Object.keys(actual).length} file(s) listed with matching hashes`);

    // (11) cosignatures of the published checkpoint (docs/bundle.md: optional, each line a valid C2SP
    // cosignature by the key that witness was declared with, on exactly the published checkpoint)
    step = "cosignatures";
    const cosigners = [];
    if (COSIGNATURES_FILE in files) {
      let doc, size, byWitness;
      try {
        doc = JSON.parse(decodeUtf8(files[COSIGNATURES_FILE]));
        size = Number(doc.checkpoint_size);
        byWitness = doc.cosignatures;
        if (!Number.isInteger(size) || !isObject(byWitness)) throw new Error("shape");
      } catch { throw new Fail(step, COSIGNATURES_FILE, "unreadable", "无法读取"); }
      if (size !== cp.size) throw new Fail(step, COSIGNATURES_FILE, `cosignatures are for checkpoint ${size}, not the published ${cp.size}`, `联署针对检查点 ${size}，不是发布的检查点 ${cp.size}`);
      for (const name of Object.keys(byWitness).sort(byCodePoint)) {
        const w = st.witnesses.find((x) => x.name === name);
        if (!w) throw new Fail(step, name, "not a declared witness", "不是已声明的见证人");
        await verifyCosignature(String(byWitness[name]), w.key, cp, step);
        cosigners.push(name);
      }
    }
    ok(cosigners.length ? `cosignatures: published checkpoint ${cp.size} cosigned by ${cosigners.join(", ")}`
      : "cosignatures: no witness has cosigned the published checkpoint");
    return { lines, unproven, state: st, signers: signerKeys };
  }
}

function firstDifference(name, expected, got) {
  const a = UTF8_LOOSE.decode(expected).split("\n"), b = UTF8_LOOSE.decode(got).split("\n");
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    if (a[i] !== b[i]) return `${name} line ${i + 1}: expected ${JSON.stringify(a[i].slice(0, 120))}, got ${JSON.stringify(b[i].slice(0, 120))}`;
  }
  return `${name}: expected ${a.length} lines, got ${b.length}`;
}

/** The verdict once every step held (docs/bundle.md § Verdict, audit/verdict.py's rules), plus this page's own limits. */
function verdictOf(outcome, pinnedOperator, witnessPins) {
  const { state, unproven, signers } = outcome;
  const reasons = unproven.map((u) => ({ en: `step ${STEPS.indexOf(u.step) + 1} (${u.step}): ${u.en}`, zh: `第 ${STEPS.indexOf(u.step) + 1} 步（${u.step}）：${u.zh}` }));
  const signed = signers.map((k) => `${k.name} SHA256:${k.fingerprint.slice(0, 16)}…`).join(", ");
  if (!state.practice) {
    if (!pinnedOperator) reasons.push({ en: "the operator key was not pinned (paste the key the bureau published)", zh: "未固定操作员公钥（请粘贴教育局公布的公钥）" });
    const missing = state.witnesses.filter((w) => !witnessPins.some((k) => sameKey(k, w.key)));
    if (missing.length) reasons.push({ en: `witness key(s) not pinned: ${missing.map((w) => w.name).join(", ")}`, zh: `有见证人公钥未固定：${missing.map((w) => w.name).join("、")}` });
  }
  if (reasons.length) return { ok: false, en: `NOT VERIFIED: every step this page can check holds, but ${reasons.map((r) => r.en).join("; ")}`,
    zh: `未通过：本页面能检查的步骤均成立，但${reasons.map((r) => r.zh).join("；")}`, reasons };
  if (state.practice) return { ok: true, en: `VERIFIED: every step holds (practice run: not an official result; signed by ${signed})`, zh: "已验证：每一步都成立（练习运行，不是正式结果）", reasons };
  return { ok: true, en: `VERIFIED: every step holds; signed by ${signed}`, zh: "已验证：每一步都成立（密钥已固定）", reasons };
}

const REPLAYERS = {};
/** A result file that is an image rendered from the data files (docs/bundle.md: not compared by the replay). */
const isImage = (name) => name.toLowerCase().endsWith(".png");
