// A 复核 (review) run inherits the original's seed with proof: the `seed.inherit` step (docs/ceremony.md § 复核).
// The state machine (ceremony.js) calls checkInherit, which needs no keys: the structure, the parent, the
// inclusion proof of the parent's seed.derive entry in the parent's checkpoint, the seed recomputed from its
// inputs, the same public roster root, and the parent's drand beacon re-proven (beacon.js). Step 6 (verify.js,
// inheritedSeedLine) then checks what needs keys and the config: the parent's checkpoint signed by a trusted key,
// and the review's config equal to the parent's except its corrections.
"use strict";

const INHERIT_KEYS = ["checkpoint", "entry", "entry_index", "inputs", "mode", "parent_run_id", "proof", "seed"];
const REVIEW_CONFIG_KEYS = ["corrections", "total_is_sum"]; // what a review adds to its kind's config

class InheritFail extends Error {}
const refuseInherit = (en) => new InheritFail(`cannot inherit the parent's seed: ${en}`);
const pyRepr = (v) => (typeof v === "string" ? `'${v}'` : JSON.stringify(v));

/** The text of a signed note (up to its last blank line); its signatures are checked in step 6. */
function noteBody(note) {
  const cut = note.lastIndexOf("\n\n");
  if (cut < 0 || !note.endsWith("\n")) throw new InheritFail("the parent checkpoint is not a signed note");
  return note.slice(0, cut + 1);
}

/** RFC 9162 §2.1.3.2: the root an inclusion proof implies for leaf hash ``leaf`` at ``index`` of ``size``. */
function rootFromInclusion(index, size, leaf, proof) {
  if (!(Number.isSafeInteger(index) && index >= 0 && index < size)) throw new Error(`leaf index ${index} not below tree size ${size}`);
  let fn = index, sn = size - 1, r = leaf;
  for (const p of proof) {
    if (sn === 0) throw new Error("inclusion proof too long");
    if (fn % 2 === 1 || fn === sn) {
      r = nodeHash(p, r);
      if (fn % 2 === 0) while (fn % 2 === 0 && fn !== 0) { fn = Math.floor(fn / 2); sn = Math.floor(sn / 2); }
    } else {
      r = nodeHash(r, p);
    }
    fn = Math.floor(fn / 2); sn = Math.floor(sn / 2);
  }
  if (sn !== 0) throw new Error("inclusion proof too short");
  return r;
}

/**
 * Check a ``seed.inherit`` payload against the review run's state ({kind, reviewOf, publicRoot}); returns
 * {parentRunId, note, checkpoint, parentConfigHash, fallback}. Throws InheritFail naming the part that fails.
 */
function checkInherit(p, { kind, reviewOf, publicRoot }) {
  if (!reviewOf) throw refuseInherit("only a review run (whose first note names review_of) may inherit a seed");
  if (!isObject(p) || Object.keys(p).sort().join(",") !== INHERIT_KEYS.join(",") || p.mode !== "inherit") {
    throw refuseInherit(`the payload must have exactly [${INHERIT_KEYS.map(pyRepr).join(", ")}] and mode 'inherit'`);
  }
  if (p.parent_run_id !== reviewOf) throw refuseInherit(`only the reviewed run ${reviewOf} may give the seed, not ${pyRepr(p.parent_run_id)}`);
  let cp;
  try { cp = parseCheckpoint(noteBody(String(p.checkpoint)), "ceremony"); } catch (e) {
    if (e instanceof InheritFail) throw e; // not a signed note at all: said as audit/inherit.py says it
    throw refuseInherit(e.en || e.message);
  }
  if (cp.origin !== `sunshine/${kind}/${reviewOf}`) throw refuseInherit(`the checkpoint's origin ${pyRepr(cp.origin)} is not run ${reviewOf} of kind ${kind}`);
  const e = p.entry;
  if (!isObject(e) || Object.keys(e).sort().join(",") !== "action,actor,payload_hash,prev,time" || e.action !== "seed.derive") {
    throw refuseInherit("the entry given is not a seed.derive log entry");
  }
  const entry = { actor: String(e.actor), action: "seed.derive", time: e.time, payload_hash: String(e.payload_hash), prev: String(e.prev) };
  if (recordHash({ mode: "ceremony", inputs: p.inputs, seed: p.seed }) !== entry.payload_hash) {
    throw refuseInherit("inputs and seed do not hash to the entry's payload_hash");
  }
  try {
    if (!Array.isArray(p.proof) || !p.proof.every((h) => typeof h === "string" && /^[0-9a-f]{64}$/.test(h))) throw new Error("proof hashes must be 32-byte lowercase hex");
    const root = rootFromInclusion(Number(p.entry_index), cp.size, leafHash(jcsBytes(entry)), p.proof.map(fromHex));
    if (!equalBytes(root, cp.root)) throw new Error(`root mismatch: expected ${toHex(cp.root)}, calculated ${toHex(root)}`);
  } catch (err) { throw refuseInherit(`the inclusion proof does not hold: ${err.message}`); }
  const inputs = p.inputs;
  if (!isObject(inputs) || inputs.domain !== "sunshine/v2/seed" || toHex(sha256(jcsBytes(inputs))) !== p.seed) {
    throw refuseInherit("the parent's seed does not recompute from its inputs");
  }
  if (inputs.public_roster_root !== publicRoot) {
    throw refuseInherit(`the review's public roster root ${publicRoot.slice(0, 16)}… differs from the parent's ${String(inputs.public_roster_root).slice(0, 16)}… (a review keeps the original roster)`);
  }
  const pv = inputs.public_value;
  const fallback = isObject(pv) && pv.source === "fallback";
  if (!fallback) {
    const chain = isObject(pv) && pv.source === "drand" ? KNOWN_CHAINS[String(pv.chain_hash)] : undefined;
    if (!chain) throw refuseInherit("the parent's public value is not a known drand chain's beacon");
    let randomness;
    try { randomness = verifyBeacon(chain, Number(pv.round), String(pv.signature), pv.previous_signature ?? null); } catch (err) {
      if (err instanceof BeaconFail) throw refuseInherit(err.message);
      throw err;
    }
    if (toHex(randomness) !== pv.randomness) throw refuseInherit("the parent's recorded randomness is not its beacon's");
  }
  return { parentRunId: reviewOf, note: String(p.checkpoint), checkpoint: cp, parentConfigHash: String(inputs.config_hash), fallback };
}

/** Whether ``config`` without its review part hashes to the parent's config hash (points keep an empty list). */
function matchesOriginalConfig(config, originalHash) {
  const rest = Object.fromEntries(Object.entries(config).filter(([k]) => !REVIEW_CONFIG_KEYS.includes(k)));
  return recordHash(rest) === originalHash || recordHash({ ...rest, corrections: [] }) === originalHash;
}

/** Step 6 of a 复核 run: the parent's checkpoint signed by a trusted key, the config; the step's detail line. */
async function inheritedSeedLine(inherited, config, keys, trust) {
  const item = `seed.inherit (run ${inherited.parentRunId})`;
  let signers;
  try { ({ signers } = await openNote(inherited.note, keys, "seed")); } catch (e) {
    if (!(e instanceof Fail)) throw e;
    throw new Fail("seed", item, `the parent's checkpoint is not signed by a trusted key: ${e.en}`, "原运行的检查点没有受信任密钥的有效签名");
  }
  if (!matchesOriginalConfig(config, inherited.parentConfigHash)) {
    throw new Fail("seed", item, "the config without its corrections differs from the parent's config", "除更正外的配置与原运行的配置不同");
  }
  const cp = inherited.checkpoint;
  return `inherited from run ${inherited.parentRunId} (复核): its seed.derive proven in its checkpoint size ${cp.size} `
    + `root ${toHex(cp.root).slice(0, 16)}… (compare with its published bundle) signed by ${signers.join(", ")} (${trust}); `
    + "same public roster root, same config but the corrections";
}
