// The ceremony state machine (docs/ceremony.md § States, docs/bundle.md § Log actions), replayed
// from the signed log: which action is allowed when, witness statements and cosignatures by the
// witnesses' own keys, commitments, the drand round rule, the drand beacon's BLS12-381 signature
// (beacon.js) and the seed derivation. What this page cannot prove (a claimed fallback value) is
// recorded in ``st.unproven`` and the verdict can then never be VERIFIED.
"use strict";

const KNOWN_CHAINS = {
  "8990e7a9aaed2ffed73dbd7092123d6f289930540d7651336225dc172e51b2ce": {
    beacon_id: "default", chain_hash: "8990e7a9aaed2ffed73dbd7092123d6f289930540d7651336225dc172e51b2ce",
    genesis_seed: "176f93498eac9ca337150b46d21dd58673ea4e3581185f869672e59fa4cb390a", genesis_time: 1595431050,
    period: 30, public_key: "868f005eb8e6e4ca0a47c8a77ceaa5309a47978a7c71bc5cce96366b5d7a569937c529eeda66c7293784a9402801af31",
    scheme: "pedersen-bls-chained",
  },
  "52db9ba70e0cc0f6eaf7803dd07447a1f5477735fd3f661792ba94600c84e971": {
    beacon_id: "quicknet", chain_hash: "52db9ba70e0cc0f6eaf7803dd07447a1f5477735fd3f661792ba94600c84e971",
    genesis_seed: "f477d5c89f21a17c863a7f937c6a6d15859414d2be09cd448d4279af331c5d3e", genesis_time: 1692803367,
    period: 3, public_key: "83cf0f2896adee7eb8b5f01fcad3912212c437e0073e911fb90022d3e760183c8c4b450b6a0a6c3ac6a5776a2d1064510d1fec758c921cc22b0e17e63aaf4bcb5ed66304de9cf809bd274ca73bab4af5a6e9c76a4bc09e76eae8991ef5ece45a",
    scheme: "bls-unchained-g1-rfc9380",
  },
};

const NEEDS = {
  "inputs.update": "DRAFT", "roster.freeze": "DRAFT", "roster.withdraw": "ROSTER_FROZEN",
  "sources.declare": "ROSTER_FROZEN", "witness.commit": "SOURCES_DECLARED", "witness.reveal": "COMMITTED",
  "witness.forfeit": "COMMITTED", "seed.derive": "REVEALED", "seed.inherit": "ROSTER_FROZEN", "run.execute": "SEEDED", "run.publish": "EXECUTED",
};

/** POSIX seconds of ``YYYY-MM-DDTHH:MM:SSZ``; throws otherwise. */
function parseTime(text) {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})Z$/.exec(String(text));
  if (!m) throw new Error(`not a UTC time YYYY-MM-DDTHH:MM:SSZ: ${JSON.stringify(text)}`);
  const [y, mo, d, h, mi, s] = m.slice(1).map(Number);
  const t = Date.UTC(y, mo - 1, d, h, mi, s);
  const back = new Date(t);
  if (back.getUTCDate() !== d || back.getUTCMonth() !== mo - 1 || h > 23 || mi > 59 || s > 61) throw new Error(`not a valid time: ${text}`);
  return t / 1000;
}

/** docs/ceremony.md § Canonical spellings: NFC text, no invisible or control characters, single inner spaces. */
function canonicalText(value, field) {
  if (typeof value !== "string") throw new Error(`${field}: expected text`);
  if (!value) throw new Error(`${field}: is empty`);
  if (/[\p{Cc}\p{Cf}\p{Co}\p{Cn}\p{Cs}\p{Zl}\p{Zp}]/u.test(value) || /[^\S ]/u.test(value.replace(/ /g, ""))
      || /[\u115f\u1160\u3164\uffa0\u2800]/u.test(value)) {
    throw new Error(`${field}: has an invisible, control or whitespace character`);
  }
  if (value.startsWith(" ") || value.endsWith(" ")) throw new Error(`${field}: must not begin or end with a space`);
  if (value.includes("  ")) throw new Error(`${field}: has consecutive spaces`);
  if (value.normalize("NFC") !== value) throw new Error(`${field}: is not in Unicode NFC`);
  return value;
}

function deriveSeed(publicRoot, configHash, reveals, publicValue) {
  const names = Object.keys(reveals).sort(cmpCodePoints);
  const inputs = {
    domain: "sunshine/v2/seed", public_roster_root: publicRoot, config_hash: configHash,
    contributions: names.map((w) => ({ witness: w, value: reveals[w] })), public_value: publicValue,
  };
  return { inputs, seed: toHex(sha256(jcsBytes(inputs))) };
}

/**
 * Replay the log entries [{action, payload, time}] from DRAFT; ``checkpointAt(size)`` is the log's own
 * checkpoint at an earlier size. Throws {message} (wrapped by the caller as a step-3 failure).
 */
async function replayCeremony(entries, checkpointAt) {
  const st = {
    state: "DRAFT", kind: "", practice: false, runId: "", origin: "", configHash: "", rosterRoot: "", publicRoot: "",
    rosterSize: 0, withdrawals: [], witnesses: [], chain: null, beaconRound: 0, fallback: null, declaredSize: 0,
    committedSize: 0, cosigned: {}, commitments: {}, reveals: {}, forfeits: [], seedRecord: null, results: null,
    lastTime: null, unproven: [], reviewOf: "", inherited: null,
  };
  const fail = (i, action, why) => new Error(`log entry ${i}: action '${action}' is not allowed in state ${st.state}${why ? ": " + why : ""}`);
  const witnessOf = (i, action, p) => {
    const w = st.witnesses.find((x) => x.name === String(p.witness));
    if (!w) throw fail(i, action, `${JSON.stringify(p.witness)} is not a declared witness`);
    return w;
  };
  const checkpoint = (i, action, size) => {
    if (!(size >= 1 && size <= i)) throw fail(i, action, `checkpoint size ${size} is not an earlier state of this log`);
    return checkpointAt(size);
  };
  const statement = async (i, action, p, w, size, fields) => {
    let s;
    try { s = await openStatement(String(p.statement), w.key, "ceremony"); } catch (e) {
      if (e instanceof Fail) throw fail(i, action, `statement of ${w.name}: ${e.en}`);
      throw e;
    }
    const cp = checkpoint(i, action, size);
    if (s.origin !== st.origin || s.action !== action.split(".")[1] || s.witness !== w.name) {
      throw fail(i, action, `statement of ${w.name} is for another run, action or witness`);
    }
    if (s.size !== cp.size || !equalBytes(s.root, cp.root)) {
      throw fail(i, action, `statement of ${w.name} names checkpoint ${s.size}, not the required checkpoint ${cp.size}`);
    }
    if (Object.keys(s.fields).sort().join(",") !== [...fields].sort().join(",")) {
      throw fail(i, action, `statement of ${w.name} must carry exactly ${fields.join(", ")}`);
    }
    return s.fields;
  };
  const allCosigned = (size) => st.witnesses.every((w) => size in (st.cosigned[w.name] || {}));
  const need = (p, ...keys) => { for (const k of keys) if (!isObject(p) || !(k in p)) throw new Error(`malformed payload (KeyError: '${k}')`); };

  for (let i = 0; i < entries.length; i++) {
    const { action, payload: p, time: t } = entries[i];
    try {
      if (i === 0) {
        if (action !== "ceremony.init" && action !== "practice.init") throw fail(i, action, "the log must start with ceremony.init or practice.init");
        need(p, "kind", "run_id", "config_hash");
        st.kind = p.kind; st.runId = p.run_id; st.configHash = p.config_hash;
        st.practice = action === "practice.init";
        if (!st.practice && p.ceremony !== 2) throw fail(i, action, "made by an older ceremony (v1) that cannot prove its public value");
        st.origin = String(p.origin || (st.practice ? `sunshine.practice/${st.runId}` : `sunshine/${st.kind}/${st.runId}`));
        if (t === null) {
          if (action !== "practice.init") throw fail(i, action, "every entry of a ceremony carries its time");
        } else {
          try { parseTime(t); } catch (e) { throw fail(i, action, e.message); }
          st.lastTime = t;
        }
        continue;
      }
      if (st.practice) {
        if (t !== null) throw fail(i, action, "practice entries carry no time");
      } else {
        if (t === null) throw fail(i, action, "every entry of a ceremony carries its time");
        try { parseTime(t); } catch (e) { throw fail(i, action, e.message); }
        if (st.lastTime !== null && t < st.lastTime) throw fail(i, action, `time ${t} is before the previous entry's ${st.lastTime}`);
        st.lastTime = t;
      }
      const needed = NEEDS[action];
      if (needed && st.state !== needed) throw fail(i, action, `needs state ${needed}`);
      if (action === "inputs.update") {
        need(p, "config_hash", "roster_size");
        st.configHash = p.config_hash; st.rosterSize = p.roster_size;
      } else if (action === "roster.freeze") {
        need(p, "config_hash", "roster_root", "roster_size");
        if (p.config_hash !== st.configHash) throw fail(i, action, "config hash differs from the one declared at init");
        st.rosterRoot = p.roster_root; st.rosterSize = p.roster_size; st.publicRoot = String(p.public_root ?? "");
        if (!st.practice && !st.publicRoot) throw fail(i, action, "the freeze must name the public roster root");
        st.state = "ROSTER_FROZEN";
      } else if (action === "roster.withdraw") {
        need(p, "id");
        if (st.practice) throw fail(i, action, "practice runs have no withdrawals");
        if (st.reviewOf) throw fail(i, action, "a review run withdraws through its corrections (published with the reason), never after the seed is known");
        if (st.withdrawals.includes(p.id)) throw fail(i, action, `${p.id} already withdrawn`);
        st.withdrawals.push(p.id);
      } else if (action === "sources.declare") {
        if (st.reviewOf) throw fail(i, action, `a review run inherits the seed of run ${st.reviewOf} (seed.inherit); it never draws a new one`);
        declare(i, action, p, t);
      } else if (action === "witness.cosign") {
        if (!st.witnesses.length) throw fail(i, action, "no witnesses declared yet");
        const w = witnessOf(i, action, p);
        need(p, "size", "cosignature");
        const size = Number(p.size);
        let stamp;
        try { stamp = await verifyCosignature(String(p.cosignature), w.key, checkpoint(i, action, size), "ceremony"); } catch (e) {
          if (e instanceof Fail) throw fail(i, action, `cosignature of ${w.name}: ${e.en}`);
          throw e;
        }
        (st.cosigned[w.name] ||= {})[size] = stamp;
      } else if (action === "witness.commit") {
        const w = witnessOf(i, action, p);
        if (w.name in st.commitments) throw fail(i, action, `${w.name} already committed`);
        if (!(st.declaredSize in (st.cosigned[w.name] || {}))) throw fail(i, action, `${w.name} has not cosigned the declaration checkpoint (size ${st.declaredSize}) yet`);
        const f = await statement(i, action, p, w, st.declaredSize, ["commitment"]);
        if (!/^[0-9a-f]{64}$/.test(f.commitment)) throw fail(i, action, "commitment is not 64 lowercase hex digits");
        st.commitments[w.name] = f.commitment;
        if (Object.keys(st.commitments).length === st.witnesses.length) { st.committedSize = i + 1; st.state = "COMMITTED"; }
      } else if (action === "witness.reveal" || action === "witness.forfeit") {
        const w = witnessOf(i, action, p);
        if (w.name in st.reveals || st.forfeits.includes(w.name)) throw fail(i, action, `${w.name} already revealed or forfeited`);
        if (!allCosigned(st.committedSize)) throw fail(i, action, `every witness must cosign the COMMITTED checkpoint (size ${st.committedSize}) before any reveal or forfeit`);
        if (action === "witness.reveal") {
          const f = await statement(i, action, p, w, st.committedSize, ["value", "salt"]);
          if (recordHash([f.value, f.salt]) !== st.commitments[w.name]) throw fail(i, action, `the reveal of ${w.name} does not match the commitment`);
          st.reveals[w.name] = { value: f.value, salt: f.salt };
        } else {
          await statement(i, action, p, w, st.committedSize, []);
          st.forfeits.push(w.name);
        }
        if (Object.keys(st.reveals).length + st.forfeits.length === st.witnesses.length) st.state = "REVEALED";
      } else if (action === "seed.derive") {
        seed(i, action, p);
      } else if (action === "seed.inherit") {
        try { st.inherited = checkInherit(p, { kind: st.kind, reviewOf: st.reviewOf, publicRoot: st.publicRoot }); } catch (e) {
          if (e instanceof InheritFail) throw fail(i, action, e.message);
          throw e;
        }
        if (st.inherited.fallback) {
          st.unproven.push({ en: "public value claimed, not proven: the parent run used its declared fallback",
            zh: "原运行的公开随机值来自备用来源，仅为声称，未经证明" });
        }
        st.seedRecord = p; st.state = "SEEDED";
      } else if (action === "seed.practice" && st.state === "ROSTER_FROZEN" && st.practice) {
        if (!isObject(p) || p.mode !== "practice") throw fail(i, action, "practice seed must be marked practice");
        st.seedRecord = p; st.state = "SEEDED";
      } else if (action === "run.execute") {
        need(p, "results", "engine");
        if (!isObject(p.results) || !isObject(p.engine)) throw fail(i, action, "malformed payload (ValueError: results and engine must be objects)");
        st.results = p.results; st.state = "EXECUTED";
      } else if (action === "run.publish") {
        st.state = "PUBLISHED";
      } else if (action === "key.rotate") {
        rotation(i, action, p);
      } else if (action === "note") {
        if (isObject(p) && "review_of" in p) { // a run is a review from its start, or never
          if (i !== 1 || st.practice || typeof p.review_of !== "string" || !p.review_of) {
            throw fail(i, action, "only the entry right after ceremony.init may name review_of");
          }
          st.reviewOf = p.review_of;
        } // other notes are informational entries allowed in any state
      } else {
        throw fail(i, action);
      }
    } catch (e) {
      if (e instanceof Error && e.message.startsWith("log entry")) throw e;
      throw fail(i, action, `malformed payload (${e.message})`);
    }
  }
  return st;

  function declare(i, action, p, t) {
    if (st.practice) throw fail(i, action, "practice runs have no witnesses");
    const raw = p.witnesses;
    if (!Array.isArray(raw) || !raw.length) throw fail(i, action, "at least one witness, each {name, key}");
    const ws = raw.map((item) => {
      if (!isObject(item) || !("name" in item) || !("key" in item)) throw fail(i, action, "witness must be {name, key}");
      try {
        return { name: canonicalText(item.name, "witness name"), key: parseVkey(String(item.key), "ceremony") };
      } catch (e) { throw fail(i, action, `witness ${JSON.stringify(item)}: ${e.en || e.message}`); }
    });
    if (new Set(ws.map((w) => w.name)).size !== ws.length || new Set(ws.map((w) => toHex(w.key.pub))).size !== ws.length) {
      throw fail(i, action, "witness names and keys must be distinct (each witness counts once)");
    }
    const source = p.public_source;
    if (!isObject(source) || source.type !== "drand") throw fail(i, action, "the public source must be a drand chain and round");
    const chain = source.chain;
    const known = isObject(chain) && KNOWN_CHAINS[chain.chain_hash];
    if (!known || jcs(known) !== jcs(chain)) throw fail(i, action, "the drand chain is not one this page knows (mainnet or quicknet), field for field");
    const round = source.round;
    const deadline = parseTime(p.reveal_deadline), declaredAt = parseTime(t);
    if (!Number.isInteger(round)) throw fail(i, action, "malformed public source: round");
    const after = Math.max(declaredAt, deadline);
    const first = after < chain.genesis_time ? 1 : Math.floor((after - chain.genesis_time) / chain.period) + 2;
    if (round < first) throw fail(i, action, `drand round ${round} is not due after the declaration and the reveal deadline (the earliest acceptable round is ${first})`);
    let fallback = p.fallback ?? null;
    if (fallback !== null) {
      if (!isObject(fallback) || Object.keys(fallback).sort().join(",") !== "description,rule") throw fail(i, action, "a fallback is {description, rule}, both fixed now");
      canonicalText(fallback.description, "fallback description"); canonicalText(fallback.rule, "fallback rule");
    }
    st.witnesses = ws; st.chain = chain; st.beaconRound = round; st.fallback = fallback;
    st.declaredSize = i + 1; st.state = "SOURCES_DECLARED";
  }

  function seed(i, action, p) {
    need(p, "inputs", "seed");
    const pv = p.inputs.public_value;
    if (!isObject(pv)) throw fail(i, action, "malformed payload (public_value)");
    if (pv.source === "drand") {
      if (pv.chain_hash !== st.chain.chain_hash || pv.round !== st.beaconRound) throw fail(i, action, `the beacon must be round ${st.beaconRound} of the declared chain`);
      let randomness;
      try { randomness = verifyBeacon(st.chain, st.beaconRound, String(pv.signature), pv.previous_signature ?? null); } catch (e) {
        if (e instanceof BeaconFail) throw fail(i, action, e.message);
        throw e;
      }
      const want = "chain_hash,previous_signature,randomness,round,signature,source";
      if (pv.randomness !== toHex(randomness) || Object.keys(pv).sort().join(",") !== want) {
        throw fail(i, action, "the recorded beacon is not exactly the verified one");
      }
    } else if (pv.source === "fallback") {
      if (st.fallback === null) throw fail(i, action, "no fallback was declared");
      canonicalText(pv.value, "fallback value");
      if (Object.keys(pv).sort().join(",") !== "description,source,value" || pv.description !== st.fallback.description) {
        throw fail(i, action, "the fallback value must name the declared fallback");
      }
      st.unproven.push({ en: `public value claimed, not proven: the declared fallback ${JSON.stringify(pv.description)} was used`,
        zh: "公开随机值来自备用来源，仅为声称，未经证明" });
    } else {
      throw fail(i, action, "public value source must be 'drand' or the declared 'fallback'");
    }
    const values = Object.fromEntries(Object.entries(st.reveals).map(([w, r]) => [w, r.value]));
    const d = deriveSeed(st.publicRoot, st.configHash, values, pv);
    if (jcs(d.inputs) !== jcs(p.inputs) || d.seed !== p.seed || p.mode !== "ceremony") throw fail(i, action, "seed derivation does not recompute");
    st.seedRecord = p; st.state = "SEEDED";
  }

  function rotation(i, action, p) {
    need(p, "note");
    const text = String(p.note);
    const lines = text.slice(0, text.indexOf("\n\n") + 1).split("\n");
    const after = lines.find((l) => l.startsWith("after "));
    if (lines.length < 2 || lines[1] !== st.origin || after === undefined) throw fail(i, action, "a key rotation must name this run and the checkpoint it follows");
    const [sizeText, rootB64] = [after.slice(6).split(" ")[0], after.slice(6).split(" ").slice(1).join(" ")];
    const cp = /^[0-9]+$/.test(sizeText) ? checkpoint(i, action, Number(sizeText)) : null;
    if (!cp || cp.size !== i || b64encode(cp.root) !== rootB64) throw fail(i, action, "a key rotation must follow exactly the checkpoint before it");
  }
}
