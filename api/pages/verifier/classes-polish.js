// Replay of the class formation, part 2 (docs/classes.md § Replaying the formation, "Polish"): the set exchanges
// on exact integer hundredths, and the whole formation (start, search, polish) or the CP-SAT start this page
// cannot run (FormationLimit).
"use strict";

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
