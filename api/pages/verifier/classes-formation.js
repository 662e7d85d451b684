// Replay of the class formation, part 1 (docs/classes.md § Replaying the formation): the numeric problem built
// from the public roster and config (units, sizes, apart groups, count rules, z-score features), the snake start,
// the search state and the exchange search, each float operation in the engine's order (classes-numbers.js).
"use strict";

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
