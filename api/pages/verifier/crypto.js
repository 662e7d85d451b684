// Hashes, HMAC, Ed25519, base64, UTF-8, canonical JSON (RFC 8785) and RFC 6962 Merkle trees.
// Written from docs/bundle.md and docs/randomness.md. SHA-256 is our own synchronous code
// (FIPS 180-4): WebCrypto's digest is asynchronous per call, and a 100,000-applicant bundle
// needs about 400,000 hashes, which as promises cost seconds; Ed25519 is WebCrypto's.
"use strict";

const SHA_K = new Int32Array([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
  0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
  0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
  0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
  0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
]);
const SHA_INIT = [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19];
const SHA_W = new Int32Array(64);

function shaCompress(h, m, off) {
  const w = SHA_W, K = SHA_K; // locals: a top-level binding is looked up on every use
  for (let i = 0; i < 16; i++) {
    const j = off + i * 4;
    w[i] = (m[j] << 24) | (m[j + 1] << 16) | (m[j + 2] << 8) | m[j + 3];
  }
  for (let i = 16; i < 64; i++) {
    const x = w[i - 15], y = w[i - 2];
    w[i] = (w[i - 16] + (((x >>> 7) | (x << 25)) ^ ((x >>> 18) | (x << 14)) ^ (x >>> 3)) + w[i - 7]
      + (((y >>> 17) | (y << 15)) ^ ((y >>> 19) | (y << 13)) ^ (y >>> 10))) | 0;
  }
  // Ch(e,f,g) = g ^ (e & (f ^ g)) and Maj(a,b,c) = (a & b) ^ (c & (a ^ b)): FIPS 180-4's functions in fewer
  // operations (the same bits). Eight rounds written out, each naming the working variables where they now are
  // (round r's a…h are the previous round's h, a…g), so nothing is shuffled between rounds: in V8 a block costs
  // about half of the loop that moved eight variables per round.
  let a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], k = h[7], t;
  for (let i = 0; i < 64; i += 8) {
    t = (k + (((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7))) + (g ^ (e & (f ^ g))) + K[i + 0] + w[i + 0]) | 0;
    d = (d + t) | 0; k = (t + ((((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10))) + ((a & b) ^ (c & (a ^ b))))) | 0;
    t = (g + (((d >>> 6) | (d << 26)) ^ ((d >>> 11) | (d << 21)) ^ ((d >>> 25) | (d << 7))) + (f ^ (d & (e ^ f))) + K[i + 1] + w[i + 1]) | 0;
    c = (c + t) | 0; g = (t + ((((k >>> 2) | (k << 30)) ^ ((k >>> 13) | (k << 19)) ^ ((k >>> 22) | (k << 10))) + ((k & a) ^ (b & (k ^ a))))) | 0;
    t = (f + (((c >>> 6) | (c << 26)) ^ ((c >>> 11) | (c << 21)) ^ ((c >>> 25) | (c << 7))) + (e ^ (c & (d ^ e))) + K[i + 2] + w[i + 2]) | 0;
    b = (b + t) | 0; f = (t + ((((g >>> 2) | (g << 30)) ^ ((g >>> 13) | (g << 19)) ^ ((g >>> 22) | (g << 10))) + ((g & k) ^ (a & (g ^ k))))) | 0;
    t = (e + (((b >>> 6) | (b << 26)) ^ ((b >>> 11) | (b << 21)) ^ ((b >>> 25) | (b << 7))) + (d ^ (b & (c ^ d))) + K[i + 3] + w[i + 3]) | 0;
    a = (a + t) | 0; e = (t + ((((f >>> 2) | (f << 30)) ^ ((f >>> 13) | (f << 19)) ^ ((f >>> 22) | (f << 10))) + ((f & g) ^ (k & (f ^ g))))) | 0;
    t = (d + (((a >>> 6) | (a << 26)) ^ ((a >>> 11) | (a << 21)) ^ ((a >>> 25) | (a << 7))) + (c ^ (a & (b ^ c))) + K[i + 4] + w[i + 4]) | 0;
    k = (k + t) | 0; d = (t + ((((e >>> 2) | (e << 30)) ^ ((e >>> 13) | (e << 19)) ^ ((e >>> 22) | (e << 10))) + ((e & f) ^ (g & (e ^ f))))) | 0;
    t = (c + (((k >>> 6) | (k << 26)) ^ ((k >>> 11) | (k << 21)) ^ ((k >>> 25) | (k << 7))) + (b ^ (k & (a ^ b))) + K[i + 5] + w[i + 5]) | 0;
    g = (g + t) | 0; c = (t + ((((d >>> 2) | (d << 30)) ^ ((d >>> 13) | (d << 19)) ^ ((d >>> 22) | (d << 10))) + ((d & e) ^ (f & (d ^ e))))) | 0;
    t = (b + (((g >>> 6) | (g << 26)) ^ ((g >>> 11) | (g << 21)) ^ ((g >>> 25) | (g << 7))) + (a ^ (g & (k ^ a))) + K[i + 6] + w[i + 6]) | 0;
    f = (f + t) | 0; b = (t + ((((c >>> 2) | (c << 30)) ^ ((c >>> 13) | (c << 19)) ^ ((c >>> 22) | (c << 10))) + ((c & d) ^ (e & (c ^ d))))) | 0;
    t = (a + (((f >>> 6) | (f << 26)) ^ ((f >>> 11) | (f << 21)) ^ ((f >>> 25) | (f << 7))) + (k ^ (f & (g ^ k))) + K[i + 7] + w[i + 7]) | 0;
    e = (e + t) | 0; a = (t + ((((b >>> 2) | (b << 30)) ^ ((b >>> 13) | (b << 19)) ^ ((b >>> 22) | (b << 10))) + ((b & c) ^ (d & (b ^ c))))) | 0;
  }
  h[0] = (h[0] + a) | 0; h[1] = (h[1] + b) | 0; h[2] = (h[2] + c) | 0; h[3] = (h[3] + d) | 0;
  h[4] = (h[4] + e) | 0; h[5] = (h[5] + f) | 0; h[6] = (h[6] + g) | 0; h[7] = (h[7] + k) | 0;
}

let SHA_SCRATCH = new Uint8Array(1 << 12);

/** The scratch buffer, at least ``n`` + 72 bytes long (room for the message and its padding). */
function shaScratch(n) {
  if (SHA_SCRATCH.length < n + 72) SHA_SCRATCH = new Uint8Array(Math.max(n + 72, SHA_SCRATCH.length * 2));
  return SHA_SCRATCH;
}

/**
 * Finish SHA-256 of the ``total`` message bytes already in the scratch buffer, continued from midstate ``h0``
 * after ``done`` bytes (a multiple of 64); the digest goes to ``out`` at ``off``. No allocation: the roster's
 * trees hash hundreds of thousands of short messages, and garbage was a third of their cost.
 */
function shaFinish(h0, done, total, out, off) {
  const need = Math.ceil((total + 9) / 64) * 64;
  const m = SHA_SCRATCH;
  m[total] = 0x80;
  m.fill(0, total + 1, need - 8);
  const bits = (done + total) * 8, hi = Math.floor(bits / 0x100000000), lo = bits >>> 0;
  m[need - 8] = hi >>> 24; m[need - 7] = hi >>> 16; m[need - 6] = hi >>> 8; m[need - 5] = hi;
  m[need - 4] = lo >>> 24; m[need - 3] = lo >>> 16; m[need - 2] = lo >>> 8; m[need - 1] = lo;
  const h = SHA_STATE;
  h.set(h0);
  for (let o = 0; o < need; o += 64) shaCompress(h, m, o);
  for (let j = 0; j < 8; j++) {
    const v = h[j], q = off + j * 4;
    out[q] = v >>> 24; out[q + 1] = v >>> 16; out[q + 2] = v >>> 8; out[q + 3] = v;
  }
  return out;
}

/** SHA-256 of ``parts`` (concatenated) continued from midstate ``h0`` after ``done`` bytes. */
function digestFrom(h0, done, parts) {
  let total = 0;
  for (const p of parts) total += p.length;
  const m = shaScratch(total);
  let at = 0;
  for (const p of parts) { m.set(p, at); at += p.length; }
  return shaFinish(h0, done, total, new Uint8Array(32), 0);
}
const SHA_STATE = new Int32Array(8);
const SHA_H0 = new Int32Array(SHA_INIT);

function sha256(...parts) { return digestFrom(SHA_H0, 0, parts); }

/** HMAC-SHA256 (RFC 2104) as two midstates (key block absorbed), so each message costs only its own blocks. */
class Hmac {
  constructor(key, prefix = new Uint8Array(0)) {
    const k = key.length > 64 ? sha256(key) : key;
    const block = new Uint8Array(64);
    block.set(k);
    this.inner = new Int32Array(SHA_INIT);
    shaCompress(this.inner, block.map((b) => b ^ 0x36), 0);
    this.outer = new Int32Array(SHA_INIT);
    shaCompress(this.outer, block.map((b) => b ^ 0x5c), 0);
    this.prefix = prefix;
  }
  /** The same key, every message starting with ``prefix`` (a fixed domain-separation head). */
  withPrefix(prefix) {
    const c = Object.create(Hmac.prototype);
    c.inner = this.inner; c.outer = this.outer; c.prefix = concatBytes(this.prefix, prefix);
    return c;
  }
  mac(...parts) {
    return digestFrom(this.outer, 64, [digestFrom(this.inner, 64, [this.prefix, ...parts])]);
  }
}

const UTF8 = new TextEncoder();
const UTF8_STRICT = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
const UTF8_LOOSE = new TextDecoder("utf-8", { ignoreBOM: true });
/** UTF-8 bytes of ``s`` (ASCII written directly: most ids are, and TextEncoder costs a call each). */
function utf8(s) {
  const n = s.length;
  if (n > 64) return UTF8.encode(s);
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c > 0x7f) return UTF8.encode(s);
    out[i] = c;
  }
  return out;
}

/** Strict UTF-8 decoding: a byte sequence that is not UTF-8 throws (Python's .decode("utf-8")). */
function decodeUtf8(bytes) { return UTF8_STRICT.decode(bytes); }

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));
function toHex(bytes) {
  let s = "";
  for (let i = 0; i < bytes.length; i++) s += HEX[bytes[i]];
  return s;
}
function fromHex(text) {
  if (typeof text !== "string" || text.length % 2 || !/^[0-9a-fA-F]*$/.test(text)) throw new Error(`not hex: ${String(text).slice(0, 80)}`);
  const out = new Uint8Array(text.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(text.substr(i * 2, 2), 16);
  return out;
}
function equalBytes(a, b) {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
function concatBytes(...parts) {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) { out.set(p, at); at += p.length; }
  return out;
}
function u32be(n) { return new Uint8Array([n >>> 24, n >>> 16, n >>> 8, n]); }
function u64be(n) {
  const hi = Math.floor(n / 0x100000000), lo = n >>> 0;
  return concatBytes(u32be(hi), u32be(lo));
}
/** enc(s) = u32be(len(utf8(s))) ‖ utf8(s) (docs/randomness.md §2). */
function enc(s) { const b = utf8(s); return concatBytes(u32be(b.length), b); }

/** Strict base64 (Python's b64decode(validate=True)): alphabet, padding, length all exact. */
function b64decode(text) {
  if (typeof text !== "string" || text.length % 4 || !/^[A-Za-z0-9+/]*={0,2}$/.test(text)) throw new Error("bad base64");
  const bin = atob(text);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}
function b64encode(bytes) {
  let bin = "";
  for (let i = 0; i < bytes.length; i++) bin += String.fromCharCode(bytes[i]);
  return btoa(bin);
}

/** Compare two strings by Unicode code point (= UTF-8 byte order), not by UTF-16 code unit. */
function cmpCodePoints(a, b) {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    let x = a.charCodeAt(i), y = b.charCodeAt(i);
    if (x !== y) {
      if (x >= 0xd800) x = x >= 0xe000 ? x - 0x800 : x + 0x2000;
      if (y >= 0xd800) y = y >= 0xe000 ? y - 0x800 : y + 0x2000;
      return x - y;
    }
  }
  return a.length - b.length;
}

// ---- canonical JSON (RFC 8785) for the subset Sunshine hashes: no floats, |integers| < 2^53 ----

class CanonicalError extends Error {}

/** JSON.parse of UTF-8 bytes, refusing what Python's json + the canonical subset refuse (floats). */
function parseJson(bytes) {
  const text = typeof bytes === "string" ? bytes : decodeUtf8(bytes);
  const value = JSON.parse(text);
  if (/[.eE]/.test(text.replace(/"(?:[^"\\]|\\.)*"/g, "").replace(/true|false/g, ""))) {
    throw new CanonicalError("unsupported value of type float in a hashed record (floats are not allowed)");
  }
  return value;
}

function jcs(v) {
  if (v === null) return "null";
  switch (typeof v) {
    case "boolean": return v ? "true" : "false";
    case "number":
      if (!Number.isInteger(v) || Math.abs(v) > 9007199254740991) throw new CanonicalError(`unsupported number ${v}`);
      return String(v);
    case "string": return JSON.stringify(v);
    case "object":
      if (Array.isArray(v)) return "[" + v.map(jcs).join(",") + "]";
      return "{" + Object.keys(v).sort().map((k) => JSON.stringify(k) + ":" + jcs(v[k])).join(",") + "}";
    default: throw new CanonicalError(`unsupported value ${typeof v}`);
  }
}
const jcsBytes = (v) => utf8(jcs(v));
const recordHash = (v) => toHex(sha256(jcsBytes(v)));
const isObject = (v) => v !== null && typeof v === "object" && !Array.isArray(v);

// ---- RFC 6962 Merkle trees ----

const LEAF = new Uint8Array([0]), NODE = new Uint8Array([1]);
const leafHash = (data) => sha256(LEAF, data);
const nodeHash = (l, r) => sha256(NODE, l, r);

/** MTH over leaf hashes: pairing bottom-up with the odd last node promoted is exactly RFC 6962's split. */
function rootOf(hashes) {
  const flat = new Uint8Array(hashes.length * 32);
  hashes.forEach((h, i) => flat.set(h, i * 32));
  return rootOfFlat(flat, hashes.length);
}

/** rootOf over ``n`` 32-byte leaf hashes laid end to end in ``flat`` (overwritten: each level in place). */
function rootOfFlat(flat, n) {
  if (n === 0) return sha256();
  const m = shaScratch(65);
  for (let len = n; len > 1; len = Math.ceil(len / 2)) {
    for (let i = 0; 2 * i + 1 < len; i++) {
      m[0] = 1;
      m.set(flat.subarray(64 * i, 64 * i + 64), 1);
      shaFinish(SHA_H0, 0, 65, flat, 32 * i);
    }
    if (len % 2) flat.copyWithin(32 * ((len - 1) / 2), 32 * (len - 1), 32 * len);
  }
  return flat.slice(0, 32);
}

/** Leaf hashes SHA-256(0x00 ‖ line[cutStart : len − cutEnd]) of each line, end to end in one buffer. */
function leafHashesFlat(lines, cutStart = 0, cutEnd = 0) {
  const flat = new Uint8Array(lines.length * 32);
  lines.forEach((line, i) => {
    const part = line.subarray(cutStart, line.length - cutEnd);
    const m = shaScratch(part.length + 1);
    m[0] = 0;
    m.set(part, 1);
    shaFinish(SHA_H0, 0, part.length + 1, flat, 32 * i);
  });
  return flat;
}

/** RFC 9162 §2.1.4.2: is ``proof`` a consistency proof from (size1, root1) to (size2, root2)? */
function verifyConsistency(size1, size2, proof, root1, root2) {
  if (size1 > size2) throw new Error("old size larger than new size");
  if (size1 === size2) {
    if (proof.length) throw new Error("proof not empty for equal sizes");
    if (!equalBytes(root1, root2)) throw new Error("roots differ for equal sizes");
    return;
  }
  if (size1 === 0) { if (proof.length) throw new Error("proof not empty"); return; }
  if (!proof.length) throw new Error("empty proof");
  let path = proof.slice();
  if ((size1 & (size1 - 1)) === 0) path = [root1, ...path];
  let fn = size1 - 1, sn = size2 - 1;
  while (fn & 1) { fn >>>= 1; sn >>>= 1; } // right-shift while LSB(fn) is set
  let fr = path[0], sr = path[0];
  for (const c of path.slice(1)) {
    if (sn === 0) throw new Error("proof too long");
    if ((fn & 1) || fn === sn) {
      fr = nodeHash(c, fr); sr = nodeHash(c, sr);
      if (!(fn & 1)) while (!(fn & 1) && fn !== 0) { fn >>>= 1; sn >>>= 1; }
    } else {
      sr = nodeHash(sr, c);
    }
    fn >>>= 1; sn >>>= 1;
  }
  if (sn !== 0) throw new Error("proof too short");
  if (!equalBytes(fr, root1)) throw new Error("old root does not match");
  if (!equalBytes(sr, root2)) throw new Error("new root does not match");
}

// ---- Ed25519 (WebCrypto) ----

const KEY_CACHE = new Map();
async function ed25519Verify(publicKey, message, signature) {
  if (signature.length !== 64) return false;
  const id = toHex(publicKey);
  let key = KEY_CACHE.get(id);
  if (!key) {
    key = await crypto.subtle.importKey("raw", publicKey, { name: "Ed25519" }, false, ["verify"]);
    KEY_CACHE.set(id, key);
  }
  return crypto.subtle.verify({ name: "Ed25519" }, key, signature, message);
}
