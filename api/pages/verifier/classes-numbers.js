// Exact arithmetic of the class-formation replay (docs/classes.md § Replaying the formation, notation): the
// engine's constants, fractions rounded once to a double (BigInt), Python's math.fsum and "%.Nf", integer floor
// and ceiling division, and the seeded draws of docs/randomness.md the formation needs. JavaScript numbers are
// IEEE doubles without fused multiply-add, so the operations the document lists give the engine's bits; integers
// are Numbers only where they are proven below 2^53 (checked: safeInt).
"use strict";

const CLASSES_VERSION = "sunshine-classes/v4";
const CLASSES_W_COUNT = 1.0;
const CLASSES_BIG = 1.0e6;
const CLASSES_SWAPS_PER_VISIT = 2;
const CLASSES_POLISH_STEPS_PER_CLASS = 10;
const CLASSES_SD_GAP = 50;
const CLASSES_TRIPLE_SEARCHES = 8;
const CLASSES_MAX_SET = 3;
const CLASSES_LARGE = 56;

/** A result the page cannot reproduce exactly (an integer past 2^53): the replay fails, it never guesses. */
class FormationLimit extends Error {}
function safeInt(x, what) {
  if (!Number.isSafeInteger(x)) throw new FormationLimit(`${what} exceeds 2^53: this page cannot replay it exactly (use sunshine verify)`);
  return x;
}

/** The exact fraction num/den (BigInt, den > 0) rounded once to the nearest double, ties to even. */
function ratioToDouble(num, den) {
  num = BigInt(num); den = BigInt(den);
  if (num === 0n) return 0;
  const neg = num < 0n;
  if (neg) num = -num;
  const shift = Math.max(0, 70 - (num.toString(2).length - den.toString(2).length));
  let q = (num << BigInt(shift)) / den;
  const exact = q * den === num << BigInt(shift);
  q = (q << 1n) | (exact ? 0n : 1n); // a sticky bit: Number() then rounds as the exact value would
  const v = Number(q) / 2 ** (shift + 1);
  return neg ? -v : v;
}

/** Python's math.fsum: Shewchuk's exact partials, then the correctly rounded sum (half-even fix-up). */
function fsum(values) {
  const partials = [];
  for (let x of values) {
    let i = 0;
    for (let y of partials) {
      if (Math.abs(x) < Math.abs(y)) [x, y] = [y, x];
      const hi = x + y, lo = y - (hi - x);
      if (lo !== 0) partials[i++] = lo;
      x = hi;
    }
    partials.length = i;
    partials.push(x);
  }
  let n = partials.length, hi = 0;
  if (n > 0) {
    hi = partials[--n];
    let lo = 0;
    while (n > 0) {
      const x = hi, y = partials[--n];
      hi = x + y;
      lo = y - (hi - x);
      if (lo !== 0) break;
    }
    if (n > 0 && ((lo < 0 && partials[n - 1] < 0) || (lo > 0 && partials[n - 1] > 0))) {
      const y = lo * 2, x = hi + y;
      if (y === x - hi) hi = x;
    }
  }
  return hi;
}

/** Python's f"{x:.{places}f}": the double's exact binary value rounded half to even (toFixed rounds ties up). */
function fixedPy(x, places) {
  if (x === 0) return (Object.is(x, -0) ? "-" : "") + (0).toFixed(places);
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  const bits = view.getBigUint64(0);
  const neg = bits >> 63n === 1n;
  const e = Number((bits >> 52n) & 0x7ffn);
  let mant = bits & ((1n << 52n) - 1n);
  let exp2;
  if (e === 0) exp2 = -1074; else { mant |= 1n << 52n; exp2 = e - 1075; }
  // |x| = mant · 2^exp2; n = round_half_even(|x| · 10^places)
  let num = mant * 10n ** BigInt(places), den = 1n;
  if (exp2 >= 0) num <<= BigInt(exp2); else den <<= BigInt(-exp2);
  let q = num / den;
  const r = num - q * den;
  if (2n * r > den || (2n * r === den && q % 2n === 1n)) q += 1n;
  let digits = q.toString().padStart(places + 1, "0");
  digits = places ? `${digits.slice(0, -places)}.${digits.slice(-places)}` : digits;
  return (neg ? "-" : "") + digits;
}

const floorDiv = (a, b) => {
  let q = Math.floor(a / b);
  while (q * b > a) q--;
  while ((q + 1) * b <= a) q++;
  return q;
};
const ceilDiv = (a, b) => -floorDiv(-a, b);
const gcd = (a, b) => { while (b) [a, b] = [b, a % b]; return a; };

/** permute(list) of docs/randomness.md §6 on class numbers, as the engine's seeded_permutation. */
const classPermute = (seed, purpose, list, label = "") => permute(seed, "classes", purpose, label, list);

/** The item digest D(seed, "classes", purpose, [id]) of docs/randomness.md §3.1 (32 bytes). */
function classDigests(seed, purpose, ids) {
  const h = new Hmac(seed).withPrefix(concatBytes(enc("sunshine/v1/item"), enc("classes"), enc(purpose)));
  return ids.map((id) => h.mac(u32be(1), enc(id)));
}
function cmpByteArrays(a, b) {
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return a[i] - b[i];
  return a.length - b.length;
}
