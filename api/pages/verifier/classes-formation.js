// Replay of the class formation (docs/classes.md § How it works and § Replaying the formation): the problem
// built from the public roster and config, the seeded draws it needs (order among equals, extra seats), the
// snake start, the exchange search, the polish, the balance report, and the bytes of formed_classes.csv,
// placement_public.csv, classes.csv, balance.json and balance.md. Floats: JavaScript numbers are IEEE doubles
// and have no fused multiply-add, so every operation the document lists gives the engine's bits when done in
// the same order. Integers are Numbers only where they are proven below 2^53 (checked: safeInt); the exact
// fractions of the z-scores and class statistics go through BigInt (ratioToDouble).
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

/**
 * The numeric problem (docs/classes.md § Replaying the formation, "The problem"): students in canonical order,
 * units, slot sizes, apart groups, count rules, the standardised features and their weights.
 */
function classesProblem(config, roster, seed) {
  const scoreNames = config.score_names.map(String), flagNames = config.flag_names.map(String);
  const students = roster.map((r) => ({
    id: String(r.id), male: r.gender === "M", scores: scoreNames.map((s) => safeInt(Number(r.scores[s]), "a score")),
    flags: flagNames.map((f) => Boolean(r.flags[f])), together: String(r.together ?? ""),
    apart: (r.apart ?? []).map(String), preset: r.preset === null || r.preset === undefined ? null : Number(r.preset),
    homophone: String(r.homophone ?? ""),
  })).sort((a, b) => cmpCodePoints(a.id, b.id));
  const n = students.length, k = Number(config.classes);
  // units: together groups by their first member, then singles, in canonical order
  const groupMembers = new Map();
  students.forEach((s, i) => { if (s.together) { if (!groupMembers.has(s.together)) groupMembers.set(s.together, []); groupMembers.get(s.together).push(i); } });
  const unitOf = new Int32Array(n).fill(-1), units = [];
  students.forEach((s, i) => {
    if (unitOf[i] >= 0) return;
    const members = s.together ? groupMembers.get(s.together) : [i];
    for (const m of members) unitOf[m] = units.length;
    units.push(members);
  });
  const U = units.length;
  const unitSize = Int32Array.from(units, (m) => m.length);
  const unitFixed = new Int32Array(U).fill(-1);
  units.forEach((members, u) => {
    const presets = new Set(members.map((m) => students[m].preset).filter((p) => p !== null));
    if (presets.size === 1) unitFixed[u] = [...presets][0] - 1;
  });
  const fixedLoad = new Array(k).fill(0);
  units.forEach((members, u) => { if (unitFixed[u] >= 0 && unitFixed[u] < k) fixedLoad[unitFixed[u]] += members.length; });
  let sizes;
  if (config.class_sizes !== null && config.class_sizes !== undefined) sizes = config.class_sizes.map(Number);
  else {
    const base = Math.floor(n / k), extra = n % k;
    const order = classPermute(seed, "extra-seat-classes", [...Array(k).keys()]);
    const chosen = new Set([...order.filter((c) => fixedLoad[c] > base), ...order.filter((c) => fixedLoad[c] <= base)].slice(0, extra));
    sizes = [...Array(k).keys()].map((c) => (chosen.has(c) ? base + 1 : base));
  }
  // apart groups (and homophone groups): keys "apart:<g>", "homophone:<h>", sorted, two members or more
  const apart = new Map();
  students.forEach((s, i) => {
    for (const g of s.apart) { const key = `apart:${g}`; if (!apart.has(key)) apart.set(key, []); apart.get(key).push(i); }
    if (config.homophones_apart && s.homophone) { const key = `homophone:${s.homophone}`; if (!apart.has(key)) apart.set(key, []); apart.get(key).push(i); }
  });
  const apartNames = [...apart.keys()].filter((g) => apart.get(g).length >= 2).sort(cmpCodePoints);
  const apartGroups = apartNames.map((g) => apart.get(g));
  const unitApart = units.map(() => []);
  apartGroups.forEach((members, gi) => { for (const m of members) if (!unitApart[unitOf[m]].includes(gi)) unitApart[unitOf[m]].push(gi); });
  // order among equals, the ranking of the total, bands, top/bottom N
  const digests = classDigests(seed, "order-among-equals", students.map((s) => s.id));
  const tieRank = new Int32Array(n);
  [...Array(n).keys()].sort((a, b) => cmpByteArrays(digests[a], digests[b])).forEach((i, r) => { tieRank[i] = r; });
  const byRank = [...Array(n).keys()].sort((a, b) => students[b].scores[0] - students[a].scores[0] || tieRank[a] - tieRank[b]);
  const rank = new Int32Array(n);
  byRank.forEach((i, r) => { rank[i] = r; });
  const bands = Number(config.bands);
  const band = Int32Array.from(rank, (r) => Math.floor(safeInt(r * bands, "a band") / Math.max(n, 1)));
  const counts = [];
  const add = (name, nameZh, member) => {
    const total = member.reduce((a, b) => a + b, 0);
    counts.push({
      name, nameZh, member, total,
      lo: sizes.map((s) => Math.max(0, ceilDiv(total * s - n, n))),
      hi: sizes.map((s) => Math.min(s, floorDiv(total * s + n, n))),
      share: sizes.map((s) => (total * s) / n),
    });
  };
  add("boys", "男生", students.map((s) => (s.male ? 1 : 0)));
  flagNames.forEach((f, j) => add(f, f, students.map((s) => (s.flags[j] ? 1 : 0))));
  if (bands > 1) for (let b = 0; b < bands; b++) add(`band ${b + 1}/${bands}`, `第${b + 1}段`, Array.from(band, (x) => (x === b ? 1 : 0)));
  const topN = config.top_n === null || config.top_n === undefined ? 2 * k : Number(config.top_n);
  const bottomN = config.bottom_n === null || config.bottom_n === undefined ? 2 * k : Number(config.bottom_n);
  const top = Math.min(topN, n), bottom = Math.min(bottomN, n);
  if (top > 0) add(`top ${top}`, `前${top}名`, Array.from(rank, (r) => (r < top ? 1 : 0)));
  if (bottom > 0) add(`bottom ${bottom}`, `后${bottom}名`, Array.from(rank, (r) => (r >= n - bottom ? 1 : 0)));
  // features: per score its z and z² (z from the exact moments), weights in percent / 100
  const F = 2 * scoreNames.length;
  const features = new Float64Array(n * F);
  const weights = [];
  const vw = Number(config.variance_weight);
  scoreNames.forEach((name, j) => {
    let s1 = 0n, s2 = 0n;
    for (const s of students) { const v = BigInt(s.scores[j]); s1 += v; s2 += v * v; }
    const N = BigInt(n), varNum = N * s2 - s1 * s1;
    const sd = varNum > 0n ? Math.sqrt(ratioToDouble(varNum, N * N)) : 1.0;
    students.forEach((s, i) => {
      const z = ratioToDouble(BigInt(s.scores[j]) * N - s1, N) / sd;
      features[i * F + 2 * j] = z;
      features[i * F + 2 * j + 1] = z * z;
    });
    const cfgW = config.weights && Object.prototype.hasOwnProperty.call(config.weights, name) ? Number(config.weights[name]) : (j === 0 ? 400 : 100);
    const w = cfgW / 100.0;
    weights.push(w, (w * vw) / 100.0);
  });
  return { config, students, scoreNames, flagNames, n, k, sizes, units, unitOf, unitSize, unitFixed, apartNames, apartGroups, unitApart, counts, features, F, weights, tieRank };
}

/** The snake start (docs/classes.md § How it works, 2): slot per unit, or null when the greedy deal fails. */
function classesStart(p) {
  const { k, units, unitSize, unitFixed, unitApart, students, tieRank } = p;
  const slot = new Int32Array(units.length).fill(-1);
  const free = p.sizes.slice();
  const used = Array.from({ length: k }, () => new Set());
  units.forEach((_, u) => {
    const c = unitFixed[u];
    if (c >= 0) { slot[u] = c; free[c] -= unitSize[u]; for (const g of unitApart[u]) used[c].add(g); }
  });
  const keyOf = (u) => {
    const members = units[u], s = students[members[0]];
    const category = members.length > 1 ? 0 : unitApart[u].length ? 1 : 2;
    const stratum = [s.male ? 0 : 1, ...s.flags.map((f) => (f ? 0 : 1))];
    const total = members.reduce((a, m) => a + students[m].scores[0], 0);
    return [category, -members.length, ...stratum, -total, tieRank[members[0]]];
  };
  const keys = units.map((_, u) => (slot[u] < 0 ? keyOf(u) : null));
  const order = [...units.keys()].filter((u) => slot[u] < 0).sort((a, b) => {
    const x = keys[a], y = keys[b];
    for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return x[i] - y[i];
    return 0;
  });
  const snake = [...Array(k).keys(), ...[...Array(k).keys()].reverse()];
  let pos = 0;
  for (const u of order) {
    const groups = unitApart[u], size = unitSize[u];
    let placed = false;
    for (let step = 0; step < snake.length; step++) {
      const c = snake[(pos + step) % snake.length];
      if (free[c] >= size && !groups.some((g) => used[c].has(g))) {
        slot[u] = c; free[c] -= size;
        for (const g of groups) used[c].add(g);
        pos = (pos + step + 1) % snake.length;
        placed = true;
        break;
      }
    }
    if (!placed) return null;
  }
  return slot;
}

/** The running sums of the search and the polish (docs/classes.md § Replaying the formation, "The state"). */
class FormationState {
  constructor(p, slot) {
    this.p = p;
    this.slot = Int32Array.from(slot);
    const U = p.units.length, F = p.F, D = p.counts.length, k = p.k;
    this.uf = new Float64Array(U * F);
    this.uc = new Int32Array(U * D);
    p.units.forEach((members, u) => {
      for (let j = 0; j < F; j++) this.uf[u * F + j] = fsum(members.map((m) => p.features[m * F + j]));
      p.counts.forEach((rule, d) => { this.uc[u * D + d] = members.reduce((a, m) => a + rule.member[m], 0); });
    });
    const means = [];
    for (let j = 0; j < F; j++) {
      const col = new Array(p.n);
      for (let i = 0; i < p.n; i++) col[i] = p.features[i * F + j];
      means.push(fsum(col) / Math.max(p.n, 1));
    }
    this.dev = new Float64Array(k * F);
    for (let c = 0; c < k; c++) {
      const inC = [];
      for (let u = 0; u < U; u++) if (this.slot[u] === c) inC.push(u);
      for (let j = 0; j < F; j++) this.dev[c * F + j] = fsum(inC.map((u) => this.uf[u * F + j])) - p.sizes[c] * means[j];
    }
    this.cnt = new Int32Array(k * D);
    for (let u = 0; u < U; u++) for (let d = 0; d < D; d++) this.cnt[this.slot[u] * D + d] += this.uc[u * D + d];
    this.lo = new Int32Array(k * D); this.hi = new Int32Array(k * D); this.share = new Float64Array(k * D);
    this.tshare = new Float64Array(k * D);
    p.counts.forEach((r, d) => {
      for (let c = 0; c < k; c++) {
        this.lo[c * D + d] = r.lo[c]; this.hi[c * D + d] = r.hi[c]; this.share[c * D + d] = r.share[c];
        this.tshare[c * D + d] = safeInt(p.sizes[c] * r.total, "a count share");
      }
    });
    const G = p.apartNames.length;
    this.apart = new Int32Array(k * G);
    this.width = G ? Math.max(0, ...p.unitApart.map((a) => a.length)) : 0;
    for (let u = 0; u < U; u++) for (const g of p.unitApart[u]) this.apart[this.slot[u] * G + g]++;
    this.invSq = p.sizes.map((s) => 1.0 / (s * s));
    this.movable = Uint8Array.from(p.unitFixed, (f) => (f < 0 ? 1 : 0));
    // units with the same count memberships give every swap the same count terms: each pattern's terms once
    const patterns = new Map();
    this.pattern = new Int32Array(U);
    for (let u = 0; u < U; u++) {
      const text = this.uc.subarray(u * D, u * D + D).join(",");
      if (!patterns.has(text)) patterns.set(text, patterns.size);
      this.pattern[u] = patterns.get(text);
    }
    this.patternSlot = new Int32Array(patterns.size);
    this.hasApart = Uint8Array.from(p.unitApart, (a) => (a.length ? 1 : 0));
  }

  violations() {
    let v = 0;
    for (let i = 0; i < this.cnt.length; i++) v += Math.max(this.cnt[i] - this.hi[i], 0) + Math.max(this.lo[i] - this.cnt[i], 0);
    return v;
  }

  objective() {
    const p = this.p, F = p.F, D = p.counts.length;
    let total = 0.0;
    for (let c = 0; c < p.k; c++) {
      for (let j = 0; j < F; j++) { const x = this.dev[c * F + j]; total += p.weights[j] * (x * x) * this.invSq[c]; }
      for (let d = 0; d < D; d++) { const x = this.cnt[c * D + d] - this.share[c * D + d]; total += CLASSES_W_COUNT * (x * x); }
    }
    return total;
  }

  /** May unit ``mover`` enter class ``c`` while ``leaver`` leaves it (apart groups)? */
  apartOk(mover, leaver, c) {
    const ap = this.p.unitApart, G = this.p.apartNames.length;
    for (const g of ap[mover]) {
      let leaving = 0;
      for (const h of ap[leaver]) if (h === g) leaving++;
      if (this.apart[c * G + g] - leaving !== 0) return false;
    }
    return true;
  }

  /** The best swap of units of ``size`` between c and d: [gain, u, v] (first minimum in row-major order). */
  bestSwap(c, d, size) {
    const p = this.p, F = p.F, D = p.counts.length, n = p.n;
    const pu = [], qu = [];
    for (let u = 0; u < this.slot.length; u++) {
      if (!this.movable[u] || p.unitSize[u] !== size) continue;
      if (this.slot[u] === c) pu.push(u); else if (this.slot[u] === d) qu.push(u);
    }
    if (!pu.length || !qu.length) return [0.0, -1, -1];
    const ic = this.invSq[c], id = this.invSq[d], quad = ic + id;
    const scale = new Float64Array(F), lin = new Float64Array(F);
    for (let j = 0; j < F; j++) {
      const w = p.weights[j];
      scale[j] = Math.sqrt(w * quad);
      lin[j] = w * 2.0 * (this.dev[c * F + j] * ic - this.dev[d * F + j] * id);
    }
    const coef = new Float64Array(D);
    for (let x = 0; x < D; x++) {
      coef[x] = 2 * n * ((n * this.cnt[c * D + x] - this.tshare[c * D + x]) - (n * this.cnt[d * D + x] - this.tshare[d * D + x]));
    }
    const linP = pu.map((u) => { let s = 0.0; for (let f = 0; f < F; f++) s += this.uf[u * F + f] * lin[f]; return s; });
    const linQ = qu.map((u) => { let s = 0.0; for (let f = 0; f < F; f++) s += this.uf[u * F + f] * lin[f]; return s; });
    // uf·scale per candidate: the same products the kernel forms inside its loop
    const scaled = (list) => {
      const out = new Float64Array(list.length * F);
      list.forEach((u, i) => { for (let f = 0; f < F; f++) out[i * F + f] = this.uf[u * F + f] * scale[f]; });
      return out;
    };
    const sp = scaled(pu), sq = scaled(qu);
    const cnt = this.cnt, lo = this.lo, hi = this.hi, uc = this.uc;
    let before = 0;
    for (let x = 0; x < D; x++) {
      before += Math.max(cnt[c * D + x] - hi[c * D + x], 0) + Math.max(lo[c * D + x] - cnt[c * D + x], 0)
        + Math.max(cnt[d * D + x] - hi[d * D + x], 0) + Math.max(lo[d * D + x] - cnt[d * D + x], 0);
    }
    // the count terms (exact integers: the penalty and the violation change) per pair of count patterns
    const slotOf = this.patternSlot, pattern = this.pattern;
    const local = (list) => {
      const reps = [];
      for (const u of list) if (slotOf[pattern[u]] < 0) { slotOf[pattern[u]] = reps.length; reps.push(u); }
      return [reps, Int32Array.from(list, (u) => slotOf[pattern[u]])];
    };
    slotOf.fill(-1);
    const [repP, locP] = local(pu);
    slotOf.fill(-1);
    const [repQ, locQ] = local(qu);
    const nn2 = 2 * n * n, wn = CLASSES_W_COUNT / (n * n);
    // per rule, the violation after and the penalty term for each step −size…size (exact integers): looked up
    const W = 2 * size + 1, afterOf = new Float64Array(D * W), penOf = new Float64Array(D * W);
    for (let x = 0; x < D; x++) {
      for (let step = -size; step <= size; step++) {
        const newC = cnt[c * D + x] + step, newD = cnt[d * D + x] - step;
        afterOf[x * W + step + size] = Math.max(newC - hi[c * D + x], 0) + Math.max(lo[c * D + x] - newC, 0)
          + Math.max(newD - hi[d * D + x], 0) + Math.max(lo[d * D + x] - newD, 0);
        penOf[x * W + step + size] = step * coef[x] + nn2 * step * step;
      }
    }
    const nR = repQ.length, penWn = new Float64Array(repP.length * nR), viol = new Float64Array(repP.length * nR);
    for (let a = 0; a < repP.length; a++) {
      const ou = repP[a] * D;
      for (let b = 0; b < nR; b++) {
        const ov = repQ[b] * D;
        let after = 0, pen = 0;
        for (let x = 0, o = size; x < D; x++, o += W) {
          const k = o + uc[ov + x] - uc[ou + x];
          after += afterOf[k];
          pen += penOf[k];
        }
        penWn[a * nR + b] = pen * wn;
        viol[a * nR + b] = after - before;
      }
    }
    const nQ = repQ.length, hasAp = this.hasApart, checkApart = this.width > 0;
    let best = Infinity, bu = pu[0], bv = qu[0];
    for (let i = 0; i < pu.length; i++) {
      const u = pu[i], row = locP[i] * nQ, oi = i * F;
      for (let j = 0; j < qu.length; j++) {
        const v = qu[j];
        if (checkApart && (hasAp[u] || hasAp[v]) && !(this.apartOk(u, v, d) && this.apartOk(v, u, c))) continue;
        const cell = row + locQ[j], dv = viol[cell];
        if (dv > 0) continue;
        // the feature term below is ≥ 0 and IEEE addition is monotone: with it taken as 0 the score cannot be
        // lower, so a pair whose bound is not below the best so far cannot win (skipped, the same result)
        if ((linQ[j] - linP[i]) + penWn[cell] + CLASSES_BIG * dv >= best) continue;
        let acc = 0.0;
        const oj = j * F;
        for (let f = 0; f < F; f++) { const t = sq[oj + f] - sp[oi + f]; acc += t * t; }
        acc += linQ[j] - linP[i];
        acc += penWn[cell];
        const score = acc + CLASSES_BIG * dv;
        if (score < best) { best = score; bu = u; bv = v; }
      }
    }
    return [best, bu, bv];
  }

  /** Move each unit to its class, in the list's order (the feature sums are floats: the order is part of the result). */
  moveUnits(moves) {
    const p = this.p, F = p.F, D = p.counts.length, G = p.apartNames.length;
    for (const [u, dest] of moves) {
      const src = this.slot[u];
      for (let j = 0; j < F; j++) { this.dev[src * F + j] -= this.uf[u * F + j]; this.dev[dest * F + j] += this.uf[u * F + j]; }
      for (let x = 0; x < D; x++) { this.cnt[src * D + x] -= this.uc[u * D + x]; this.cnt[dest * D + x] += this.uc[u * D + x]; }
      for (const g of p.unitApart[u]) { this.apart[src * G + g]--; this.apart[dest * G + g]++; }
      this.slot[u] = dest;
    }
  }
}

/** The exchange search (docs/classes.md § How it works, 3): returns [passes, swaps, evaluations]. */
function exchangeSearch(state, maxPasses) {
  const p = state.p, k = p.k;
  const unitSizes = [...new Set([...p.unitSize].filter((_, u) => state.movable[u]))].sort((a, b) => a - b);
  let passes = 0, swaps = 0, evals = 0;
  const version = new Array(k).fill(0);
  const settled = new Map();
  while (passes < maxPasses) {
    passes++;
    let improved = false;
    for (let c = 0; c < k; c++) {
      for (let d = c + 1; d < k; d++) {
        for (const size of unitSizes) {
          const key = `${c},${d},${size}`, mark = `${version[c]},${version[d]}`;
          if (settled.get(key) === mark) continue;
          for (let t = 0; t < CLASSES_SWAPS_PER_VISIT; t++) {
            evals++;
            const [gain, u, v] = state.bestSwap(c, d, size);
            if (u < 0 || !(gain < -1e-12)) { settled.set(key, `${version[c]},${version[d]}`); break; }
            state.moveUnits([[u, d], [v, c]]);
            version[c]++; version[d]++;
            swaps++;
            improved = true;
          }
        }
      }
    }
    if (!improved) break;
  }
  return [passes, swaps, evals];
}

/** The polish on exact integer hundredths (docs/classes.md § How it works, 4). */
class FormationPolish {
  constructor(state) {
    const p = this.p = state.p;
    this.state = state;
    const S = this.S = p.scoreNames.length, U = p.units.length, k = p.k;
    this.us = new Float64Array(U * S); this.usq = new Float64Array(U * S);
    p.units.forEach((members, u) => {
      for (const m of members) for (let q = 0; q < S; q++) {
        const v = p.students[m].scores[q];
        this.us[u * S + q] += v; this.usq[u * S + q] += safeInt(v * v, "a squared score");
      }
    });
    const lcm = p.sizes.reduce((a, s) => (a / gcd(a, s)) * s, 1);
    this.mult = p.sizes.map((s) => lcm / s);
    this.s1 = new Float64Array(k * S); this.s2 = new Float64Array(k * S);
    for (let u = 0; u < U; u++) for (let q = 0; q < S; q++) { this.s1[state.slot[u] * S + q] += this.us[u * S + q]; this.s2[state.slot[u] * S + q] += this.usq[u * S + q]; }
    for (let i = 0; i < k * S; i++) {
      safeInt(this.s2[i] * p.sizes[Math.floor(i / S)], "a class's sum of squares times its size");
      safeInt(this.s1[i] * this.s1[i], "a class's squared sum");
      safeInt(this.s1[i] * lcm * 2, "a class's scaled mean");
    }
    this.free = Uint8Array.from(p.unitFixed, (f, u) => (f < 0 && p.unitApart[u].length === 0 ? 1 : 0));
    // a set's counts: the sum of its units' count memberships and sizes (docs: equal counts, equal sizes)
    const D = p.counts.length;
    this.ucs = p.units.map((_, u) => [...state.uc.subarray(u * D, u * D + D), p.unitSize[u]]);
    this.codeIds = new Map();
    // A set's code: the sum of its units' positional codes (digits up to 3·the largest entry: no carries), equal
    // exactly when the counts and sizes are; as Numbers when every code stays below 2^53, else by their text.
    const base = CLASSES_MAX_SET * Math.max(0, ...this.ucs.flat()) + 1;
    this.ucode = base ** this.ucs[0].length <= 2 ** 53
      ? this.ucs.map((vec) => vec.reduce((acc, x, q) => acc + x * base ** q, 0)) : null;
    this.tables = new Map();
    const means = this.means(), sds = this.sds();
    this.subjectCap = S > 1 ? Math.max(...[...Array(S - 1).keys()].map((j) => this.range(means, j + 1))) : 0;
    this.sdCap = Math.max(Math.max(...[...Array(S).keys()].map((j) => this.range(sds, j))), CLASSES_SD_GAP);
  }

  means() { const S = this.S; return Float64Array.from(this.s1, (v, i) => v * this.mult[Math.floor(i / S)]); }
  sds() {
    const S = this.S;
    return Float64Array.from(this.s1, (s1, i) => {
      const n = this.p.sizes[Math.floor(i / S)];
      return Math.sqrt(Math.max((n * this.s2[i] - s1 * s1) / (n * n), 0.0));
    });
  }
  range(m, j) {
    let hi = -Infinity, lo = Infinity;
    for (let c = 0; c < this.p.k; c++) { hi = Math.max(hi, m[c * this.S + j]); lo = Math.min(lo, m[c * this.S + j]); }
    return hi - lo;
  }
  column(m, j) { return [...Array(this.p.k).keys()].map((c) => m[c * this.S + j]); }

  key() {
    const m = this.means(), S = this.S;
    const at = [], rng = [];
    for (let j = 0; j < S; j++) {
      const col = this.column(m, j), hi = Math.max(...col), lo = Math.min(...col);
      rng.push(hi - lo);
      at.push(col.filter((x) => x === hi).length + col.filter((x) => x === lo).length);
    }
    const subj = S > 1 ? Math.max(...rng.slice(1)) : 0;
    let subExt = 0;
    for (let j = 1; j < S; j++) if (rng[j] === subj) subExt += at[j];
    return [rng[0], at[0], subj, subExt];
  }

  worstColumns(m) {
    const rng = [...Array(this.S).keys()].map((j) => this.range(m, j));
    const top = this.S > 1 ? Math.max(...rng.slice(1)) : null;
    return [0, ...[...Array(this.S).keys()].filter((j) => j > 0 && rng[j] === top)];
  }

  extremes() {
    const m = this.means(), out = [];
    for (const j of this.worstColumns(m)) {
      const col = this.column(m, j);
      for (const c of [col.indexOf(Math.max(...col)), col.indexOf(Math.min(...col))]) if (!out.includes(c)) out.push(c);
    }
    return out;
  }

  /** A dense id per distinct code (only equality of codes matters: a join matches equal codes only). */
  codeOf(key) {
    let id = this.codeIds.get(key);
    if (id === undefined) { id = this.codeIds.size; this.codeIds.set(key, id); }
    return id;
  }

  /** Every set of 1…rMax free units of class c (singles, pairs, triples, each in lexicographic order of positions). */
  table(c, rMax) {
    const tag = c * 4 + rMax;
    let t = this.tables.get(tag);
    if (t) return t;
    const units = [];
    for (let u = 0; u < this.state.slot.length; u++) if (this.state.slot[u] === c && this.free[u]) units.push(u);
    const m = units.length;
    let R = m;
    if (rMax >= 2) R += (m * (m - 1)) / 2;
    if (rMax >= 3) R += (m * (m - 1) * (m - 2)) / 6;
    const members = new Int32Array(R * 3).fill(-1);
    let row = 0;
    for (let i = 0; i < m; i++) members[3 * row++] = units[i];
    if (rMax >= 2) for (let i = 0; i < m; i++) for (let j = i + 1; j < m; j++) { members[3 * row] = units[i]; members[3 * row++ + 1] = units[j]; }
    if (rMax >= 3) for (let i = 0; i < m; i++) for (let j = i + 1; j < m; j++) for (let l = j + 1; l < m; l++) { members[3 * row] = units[i]; members[3 * row + 1] = units[j]; members[3 * row++ + 2] = units[l]; }
    const S = this.S, width = this.ucs[0].length;
    const code = new Int32Array(R), s1 = new Float64Array(R * S), s2 = new Float64Array(R * S);
    const vec = new Array(width);
    for (let r = 0; r < R; r++) {
      let numeric = 0;
      vec.fill(0);
      for (let e = 0; e < 3; e++) {
        const u = members[3 * r + e];
        if (u < 0) break;
        if (this.ucode) numeric += this.ucode[u]; else for (let q = 0; q < width; q++) vec[q] += this.ucs[u][q];
        for (let q = 0; q < S; q++) { s1[r * S + q] += this.us[u * S + q]; s2[r * S + q] += this.usq[u * S + q]; }
      }
      code[r] = this.codeOf(this.ucode ? numeric : vec.join(","));
    }
    // sorted by (code, total, row): one numeric key per row when it fits in 2^53, else a comparison
    let maxT = 0, minT = 0;
    for (let r = 0; r < R; r++) { maxT = Math.max(maxT, s1[r * S]); minT = Math.min(minT, s1[r * S]); }
    const tBits = 2 ** Math.ceil(Math.log2(maxT + 2)), rBits = 2 ** Math.ceil(Math.log2(R + 2));
    let order;
    if (minT >= 0 && this.codeIds.size * tBits * rBits < 2 ** 53) {
      const keys = new Float64Array(R);
      for (let r = 0; r < R; r++) keys[r] = (code[r] * tBits + s1[r * S]) * rBits + r;
      keys.sort();
      order = Int32Array.from(keys, (x) => x % rBits);
    } else order = Int32Array.from({ length: R }, (_, r) => r).sort((a, b) => code[a] - code[b] || s1[a * S] - s1[b * S] || a - b);
    // where each code's rows start and end in that order (a join looks only inside its code's block)
    const blockStart = new Int32Array(this.codeIds.size), blockEnd = new Int32Array(this.codeIds.size);
    for (let pos = R - 1; pos >= 0; pos--) blockStart[code[order[pos]]] = pos;
    for (let pos = 0; pos < R; pos++) blockEnd[code[order[pos]]] = pos + 1;
    t = { code, s1, s2, members, order, size: R, blockStart, blockEnd, keysT: Float64Array.from(order, (r) => s1[r * S]) };
    this.tables.set(tag, t);
    return t;
  }

  /** The best improving exchange between a and d as [unit, class it moves to] pairs (empty: none beats capsBest). */
  search(a, d, capsBest, rMax) {
    const ta = this.table(a, rMax), td = this.table(d, rMax);
    if (!ta.size || !td.size) return [];
    const S = this.S, k = this.p.k;
    const means = this.means(), sds = this.sds();
    const rest = [...Array(k).keys()].filter((c) => c !== a && c !== d);
    const restM = rest.map((c) => Array.from(means.subarray(c * S, c * S + S)));
    const restSd = rest.map((c) => Array.from(sds.subarray(c * S, c * S + S)));
    const s1 = [Array.from(this.s1.subarray(a * S, a * S + S)), Array.from(this.s1.subarray(d * S, d * S + S))];
    const s2 = [Array.from(this.s2.subarray(a * S, a * S + S)), Array.from(this.s2.subarray(d * S, d * S + S))];
    const na = this.p.sizes[a], nd = this.p.sizes[d], multA = this.mult[a], multD = this.mult[d];
    const sdOf = (x1, x2, nn) => Math.sqrt(Math.max((nn * x2 - x1 * x1) / (nn * nn), 0.0));
    const changeRange = () => {
      let hiR = restM[0][0], loR = restM[0][0];
      for (const r of restM) { hiR = Math.max(hiR, r[0]); loR = Math.min(loR, r[0]); }
      const low = hiR - capsBest[1], high = loR + capsBest[1];
      return [Math.max(ceilDiv(low, multA) - s1[0][0], s1[1][0] - floorDiv(high, multD)),
        Math.min(floorDiv(high, multA) - s1[0][0], s1[1][0] - ceilDiv(low, multD))];
    };
    const d1 = new Array(S), d2 = new Array(S);
    const improves = () => {
      const ma = (s1[0][0] + d1[0]) * multA, md = (s1[1][0] - d1[0]) * multD;
      let hi = Math.max(ma, md), lo = Math.min(ma, md);
      for (const r of restM) { hi = Math.max(hi, r[0]); lo = Math.min(lo, r[0]); }
      if (hi - lo > capsBest[1]) return false;
      let ext = (ma === hi) + (ma === lo) + (md === hi) + (md === lo);
      for (const r of restM) ext += (r[0] === hi) + (r[0] === lo);
      if (hi - lo === capsBest[1] && ext > capsBest[2]) return false;
      let subj = 0;
      for (let j = 0; j < S; j++) {
        const a1 = s1[0][j] + d1[j], b1 = s1[1][j] - d1[j];
        const sa = sdOf(a1, s2[0][j] + d2[j], na), sb = sdOf(b1, s2[1][j] - d2[j], nd);
        let sdHi = Math.max(sa, sb), sdLo = Math.min(sa, sb);
        for (const r of restSd) { sdHi = Math.max(sdHi, r[j]); sdLo = Math.min(sdLo, r[j]); }
        if (sdHi - sdLo > this.sdCap) return false;
        if (j > 0) {
          const mja = a1 * multA, mjd = b1 * multD;
          let hj = Math.max(mja, mjd), lj = Math.min(mja, mjd);
          for (const r of restM) { hj = Math.max(hj, r[j]); lj = Math.min(lj, r[j]); }
          if (hj - lj > capsBest[0]) return false;
          subj = Math.max(subj, hj - lj);
        }
      }
      const key0 = hi - lo, key1 = ext;
      if (key0 === capsBest[1] && key1 === capsBest[2] && subj > capsBest[3]) return false;
      let subExt = 0;
      for (let j = 1; j < S; j++) {
        const mja = (s1[0][j] + d1[j]) * multA, mjd = (s1[1][j] - d1[j]) * multD;
        let hj = Math.max(mja, mjd), lj = Math.min(mja, mjd);
        for (const r of restM) { hj = Math.max(hj, r[j]); lj = Math.min(lj, r[j]); }
        if (hj - lj !== subj) continue;
        subExt += (mja === hj) + (mja === lj) + (mjd === hj) + (mjd === lj);
        for (const r of restM) subExt += (r[j] === hj) + (r[j] === lj);
      }
      const mine = [key0, key1, subj, subExt], best = capsBest.slice(1);
      for (let i = 0; i < 4; i++) {
        if (mine[i] < best[i]) { capsBest[1] = key0; capsBest[2] = key1; capsBest[3] = subj; capsBest[4] = subExt; return true; }
        if (mine[i] > best[i]) return false;
      }
      return false;
    };
    let winA = -1, winD = -1;
    let [dLo, dHi] = changeRange();
    for (let i = 0; i < ta.size; i++) {
      const t = ta.s1[i * S], code = ta.code[i];
      if (code >= td.blockEnd.length) continue; // a code this class's sets do not have
      let lo = td.blockStart[code], hi = td.blockEnd[code];
      const end = hi;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (td.keysT[mid] < t + dLo) lo = mid + 1; else hi = mid;
      }
      let pos = lo;
      while (pos < end && td.keysT[pos] <= t + dHi) {
        const j = td.order[pos++];
        for (let q = 0; q < S; q++) { d1[q] = td.s1[j * S + q] - ta.s1[i * S + q]; d2[q] = td.s2[j * S + q] - ta.s2[i * S + q]; }
        if (improves()) { winA = i; winD = j; [dLo, dHi] = changeRange(); }
      }
    }
    if (winA < 0) return [];
    const moves = [];
    for (let e = 0; e < 3; e++) if (ta.members[3 * winA + e] >= 0) moves.push([ta.members[3 * winA + e], d]);
    for (let e = 0; e < 3; e++) if (td.members[3 * winD + e] >= 0) moves.push([td.members[3 * winD + e], a]);
    return moves;
  }

  step() {
    const k = this.p.k;
    const capsBest = [this.subjectCap, ...this.key()];
    let move = [];
    for (const a of this.extremes()) {
      for (let d = 0; d < k; d++) {
        if (d === a) continue;
        const found = this.search(a, d, capsBest, 2);
        if (found.length) move = found;
      }
    }
    if (move.length) return move;
    const m = this.means(), S = this.S;
    const tried = new Set();
    for (const j of this.worstColumns(m)) {
      const pairs = [];
      for (let a = 0; a < k; a++) for (let d = 0; d < k; d++) if (m[a * S + j] > m[d * S + j]) pairs.push([a, d]);
      pairs.sort((x, y) => (m[y[0] * S + j] - m[y[1] * S + j]) - (m[x[0] * S + j] - m[x[1] * S + j]) || x[0] - y[0] || x[1] - y[1]);
      for (const [a, d] of pairs.filter(([a2, d2]) => !tried.has(a2 * k + d2)).slice(0, CLASSES_TRIPLE_SEARCHES)) {
        tried.add(a * k + d);
        const found = this.search(a, d, capsBest, CLASSES_MAX_SET);
        if (found.length) return found;
      }
    }
    return [];
  }

  apply(move) {
    const S = this.S;
    for (const [u, c] of move) {
      const old = this.state.slot[u];
      for (let q = 0; q < S; q++) {
        this.s1[old * S + q] -= this.us[u * S + q]; this.s2[old * S + q] -= this.usq[u * S + q];
        this.s1[c * S + q] += this.us[u * S + q]; this.s2[c * S + q] += this.usq[u * S + q];
      }
      for (const tag of [...this.tables.keys()]) if (tag >> 2 === old || tag >> 2 === c) this.tables.delete(tag);
      // the slot changes with moveUnits below; the tables of both classes are rebuilt when next asked for
    }
    this.state.moveUnits(move);
  }
}

/** The polish: [swaps made, whether (total gap, worst subject gap) ended lower]. */
function polishTotal(state, maxSteps) {
  const p = state.p;
  if (p.k < 3 || p.scoreNames.length === 0) return [0, false];
  const polish = new FormationPolish(state);
  const start = polish.key();
  let swaps = 0;
  for (let s = 0; s < maxSteps; s++) {
    const move = polish.step();
    if (!move.length) break;
    polish.apply(move);
    swaps += move.length;
  }
  const end = polish.key();
  return [swaps, end[0] < start[0] || (end[0] === start[0] && end[2] < start[2])];
}

/**
 * The formation: slot per student and the search counters, or a FormationLimit when it needs CP-SAT (the greedy
 * start fails, or count rules stay broken after the search: the engine then asks CP-SAT, which no page can run).
 */
function formClasses(p) {
  const start = classesStart(p);
  if (start === null) throw new FormationLimit("the snake start cannot honour the apart groups here: the engine would take its start from CP-SAT, which this page cannot run (use sunshine verify)");
  let state = new FormationState(p, start);
  let [passes, swaps, evals] = exchangeSearch(state, Number(p.config.search_passes));
  if (!state.violations()) {
    const before = state.slot.slice();
    const [moved, gained] = polishTotal(state, CLASSES_POLISH_STEPS_PER_CLASS * p.k);
    if (gained) swaps += moved; else state = new FormationState(p, before);
  }
  if (state.violations()) throw new FormationLimit("count rules stay broken after the exchange search: the engine would restart from CP-SAT, which this page cannot run (use sunshine verify)");
  const slotOfStudent = Int32Array.from(p.unitOf, (u) => state.slot[u]);
  return { slotOfStudent, passes, swaps, evals, objective: state.objective(), violations: state.violations() };
}

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
