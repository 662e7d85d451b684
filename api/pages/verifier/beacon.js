// drand beacons proven in the page (docs/ceremony.md § Public value: drand beacons): the chain's own hash,
// the round's message and the BLS12-381 signature, for both schemes `sunshine verify` accepts.
// The pairing arithmetic is @noble/curves (vendor/noble-bls12-381.js, the global SunshineBLS), never written
// here: this file only says which group, which message and which DST, and refuses every second spelling.
//   pedersen-bls-chained (mainnet): key on G1, signature on G2, message SHA-256(previous_signature ‖ round_be64)
//   bls-unchained-g1-rfc9380 (quicknet): key on G2, signature on G1, message SHA-256(round_be64)
//   randomness = SHA-256(signature); chain hash = SHA-256(period u32 ‖ genesis i64 ‖ key ‖ genesis seed ‖ beacon id)
"use strict";

const CHAINED_SCHEME = "pedersen-bls-chained";
const UNCHAINED_G1_SCHEME = "bls-unchained-g1-rfc9380";
// scheme -> [key group, key bytes, signature group, signature bytes, hash-to-curve DST]
const BEACON_SCHEMES = {
  [CHAINED_SCHEME]: ["G1", 48, "G2", 96, "BLS_SIG_BLS12381G2_XMD:SHA-256_SSWU_RO_NUL_"],
  [UNCHAINED_G1_SCHEME]: ["G2", 96, "G1", 48, "BLS_SIG_BLS12381G1_XMD:SHA-256_SSWU_RO_NUL_"],
};
const BEACON_KEYS = new Map(); // chain hash -> decoded public key (a chain's key is decoded once)

/** A beacon that cannot be proven; ``message`` is the command's English line ("Verification step 'drand beacon' …"). */
class BeaconFail extends Error {
  constructor(item, en) {
    super(`Verification step 'drand beacon' failed at ${item}: ${en}`);
    this.item = item; this.en = en;
  }
}

/** audit/spelling.py canonical_hex: lowercase hex of exactly ``nbytes`` bytes (when given), one spelling only. */
function beaconHex(item, field, value, nbytes) {
  const bad = (en) => new BeaconFail(`${item} ${field}`, `'${field}' is not in its canonical spelling: ${en}`);
  if (typeof value !== "string") throw bad(`expected hex text, got ${value === null ? "NoneType" : typeof value}`);
  if (!value) throw bad("is empty");
  for (let i = 0; i < value.length; i++) {
    const ch = value[i];
    if (!"0123456789abcdef".includes(ch)) {
      const code = `U+${ch.codePointAt(0).toString(16).toUpperCase().padStart(4, "0")}`;
      const shown = /^[\p{L}\p{N}\p{P}\p{S}]$/u.test(ch) ? `'${ch}' ${code}` : code; // Python also prints the character's name
      throw bad(`character ${i + 1} ${shown} is not a lowercase hex digit${"ABCDEF".includes(ch) ? "; hex must be lowercase" : ""}`);
    }
  }
  if (value.length % 2) throw bad(`has an odd number of hex digits (${value.length})`);
  if (nbytes !== null && value.length !== 2 * nbytes) throw bad(`must be ${nbytes} bytes (${2 * nbytes} hex digits), got ${value.length} digits`);
  return fromHex(value);
}

function beaconRound(round) {
  if (!Number.isSafeInteger(round) || round < 1) throw new BeaconFail(`round ${JSON.stringify(round)}`, "round must be an integer from 1 to 2^64 − 1");
  return round;
}

/** A point of ``group`` from its one compressed encoding: on the curve, in the subgroup, not the identity. */
function beaconPoint(group, bytes, item) {
  const name = `${group}Point`;
  if (bytes[0] & 0x40) throw new BeaconFail(item, `is not the one canonical encoding of a ${name} point, or is the identity`);
  let point;
  try { point = SunshineBLS.decodePoint(group, bytes); } catch (e) {
    throw new BeaconFail(item, `is not a valid ${name} point (${e.message})`);
  }
  if (SunshineBLS.isIdentity(point) || !equalBytes(SunshineBLS.encodePoint(point), bytes)) {
    throw new BeaconFail(item, `is not the one canonical encoding of a ${name} point, or is the identity`);
  }
  return point;
}

/** A drand chain (v2 /info fields) checked as audit/beacon.py DrandChain does: scheme, ranges, spelling, its own hash. */
function checkChain(chain) {
  const item = `chain ${JSON.stringify(chain.chain_hash)}`;
  const scheme = BEACON_SCHEMES[chain.scheme];
  if (!scheme) throw new BeaconFail(item, `unsupported drand scheme ${JSON.stringify(chain.scheme)} (supported: ${Object.keys(BEACON_SCHEMES).join(", ")})`);
  for (const [name, value, low, high] of [["genesis_time", chain.genesis_time, 0, 2 ** 63 - 1], ["period", chain.period, 1, 2 ** 32 - 1]]) {
    if (!Number.isSafeInteger(value) || value < low || value > high) throw new BeaconFail(item, `${name} must be an integer from ${low} to ${high} (seconds), got ${value}`);
  }
  const hash = beaconHex(item, "chain_hash", chain.chain_hash, 32);
  const key = beaconHex(item, "public_key", chain.public_key, scheme[1]);
  const seed = beaconHex(item, "genesis_seed", chain.genesis_seed, null);
  const head = new Uint8Array(12);
  const view = new DataView(head.buffer);
  view.setUint32(0, chain.period);
  view.setBigInt64(4, BigInt(chain.genesis_time));
  const computed = sha256(head, key, seed, chain.beacon_id === "default" ? new Uint8Array(0) : utf8(canonicalText(chain.beacon_id, "beacon_id")));
  if (!equalBytes(computed, hash)) throw new BeaconFail(item, `chain hash does not match the chain's fields: they hash to ${toHex(computed)}`);
  if (!BEACON_KEYS.has(chain.chain_hash)) BEACON_KEYS.set(chain.chain_hash, beaconPoint(scheme[0], key, `chain ${chain.chain_hash} public_key`));
  return scheme;
}

/**
 * Check a beacon's BLS signature offline against ``chain`` and return its randomness, SHA-256(signature);
 * ``previousHex`` is required (and only allowed) on the chained scheme. Throws BeaconFail naming the part.
 */
function verifyBeacon(chain, round, signatureHex, previousHex) {
  const [, , sigGroup, sigBytes, dst] = checkChain(chain);
  beaconRound(round);
  const item = `round ${round}`;
  const chained = chain.scheme === CHAINED_SCHEME;
  const signature = beaconHex(item, "signature", signatureHex, sigBytes);
  let previous = null;
  if (previousHex !== null && previousHex !== undefined) {
    if (!chained) throw new BeaconFail(`${item} previous_signature`, `${chain.scheme} beacons carry no previous signature`);
    previous = beaconHex(item, "previous_signature", previousHex, round === 1 ? chain.genesis_seed.length / 2 : 96);
  } else if (chained) {
    throw new BeaconFail(`${item} previous_signature`, "the chained scheme needs the previous signature");
  }
  const message = sha256(...(previous ? [previous] : []), u64be(round));
  const point = beaconPoint(sigGroup, signature, `${item} signature`);
  if (!SunshineBLS.verifySignature(sigGroup, point, message, dst, BEACON_KEYS.get(chain.chain_hash))) {
    throw new BeaconFail(item, `BLS signature does not verify under chain ${chain.chain_hash.slice(0, 16)}…'s public key (wrong signature, round or previous signature)`);
  }
  return sha256(signature);
}
