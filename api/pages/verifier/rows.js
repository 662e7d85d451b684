// Step 7's result rows tree (docs/bundle.md § Result rows tree), written from the docs: one RFC 6962 leaf
// per data row of every public result CSV, leaf = JCS([file, header, row]), files (those whose bytes are
// UTF-8) in code point order, rows in file order; run.execute signs {root, size, files: {file: rows}}.
"use strict";

/** The rows tree of the published result files: {root (hex), size, files: {csv name: data rows}}. */
function resultRowsTree(results) {
  const names = Object.keys(results).filter((n) => n.endsWith(".csv")).sort(cmpCodePoints);
  const parts = [], files = {};
  let size = 0;
  for (const name of names) {
    const data = results[name];
    let text;
    try { text = decodeUtf8(data); } catch { continue; } // not UTF-8: names nobody, committed by its hash
    const leaves = plainCsv(data) ? plainCsvLeaves(name, data) : csvLeaves(name, parseCsv(text));
    parts.push(leaves);
    files[name] = leaves.length / 32;
    size += leaves.length / 32;
  }
  const flat = new Uint8Array(32 * size);
  let at = 0;
  for (const p of parts) { flat.set(p, at); at += p.length; }
  return { root: toHex(rootOfFlat(flat, size)), size, files };
}

/** Leaf hashes, end to end, of the data rows of a parsed CSV: SHA-256(0x00 ‖ JCS([name, header, row])). */
function csvLeaves(name, table) {
  const flat = new Uint8Array(32 * Math.max(table.length - 1, 0));
  for (let i = 1; i < table.length; i++) flat.set(leafHash(jcsBytes([name, table[0], table[i]])), 32 * (i - 1));
  return flat;
}

/**
 * Is ``data`` a CSV whose cells are its bytes between commas, and whose JSON strings are those bytes in quotes:
 * no '"' (so no quoted cell), no '\\' and no control byte but "\n" (nothing JSON escapes; UTF-8 text above
 * ASCII is written as it is by RFC 8785)? Result files nearly always are; the others take parseCsv.
 */
function plainCsv(data) {
  for (let i = 0; i < data.length; i++) {
    const c = data[i];
    if (c < 0x20 ? c !== 10 : c === 0x22 || c === 0x5c) return false;
  }
  return true;
}

/**
 * csvLeaves of a plainCsv file, written from its bytes without parsing it: each leaf message is
 * 0x00 ‖ `[name,header,` ‖ `["` ‖ the line with every "," written `","` ‖ `"]]` (an empty line is the row `[]`),
 * the constant head hashed once (its whole blocks as a midstate). The same bytes as JCS, so the same root.
 */
function plainCsvLeaves(name, data) {
  const ends = [];
  for (let i = data.indexOf(10); i >= 0; i = data.indexOf(10, i + 1)) ends.push(i);
  if (!ends.length || ends[ends.length - 1] !== data.length - 1) ends.push(data.length); // a last line without "\n"
  if (data.length === 0) return new Uint8Array(0);
  const header = decodeUtf8(data.subarray(0, ends[0]));
  const head = concatBytes(LEAF, utf8(`[${JSON.stringify(name)},${jcs(header === "" ? [] : header.split(","))},`));
  const done = head.length & ~63;
  const mid = new Int32Array(SHA_INIT);
  for (let o = 0; o < done; o += 64) shaCompress(mid, head, o);
  const rest = head.subarray(done);
  const flat = new Uint8Array(32 * (ends.length - 1));
  for (let r = 1; r < ends.length; r++) {
    const start = ends[r - 1] + 1, end = ends[r];
    const m = shaScratch(rest.length + 3 * (end - start) + 4);
    m.set(rest, 0);
    let n = rest.length;
    m[n++] = 0x5b; // [
    if (end > start) {
      m[n++] = 0x22;
      for (let i = start; i < end; i++) {
        const c = data[i];
        if (c === 0x2c) { m[n++] = 0x22; m[n++] = 0x2c; m[n++] = 0x22; } else m[n++] = c;
      }
      m[n++] = 0x22;
    }
    m[n++] = 0x5d; m[n++] = 0x5d; // ]]
    shaFinish(mid, done, n, flat, 32 * (r - 1));
  }
  return flat;
}

/**
 * Step 7's last check: the rows tree recomputed from the published files (``got``: resultRowsTree of them, which
 * the worker computes) is the one signed in run.execute. Fails naming the first CSV whose row count differs (or
 * every CSV when only their content does).
 */
function checkResultRows(entries, got) {
  const step = "results";
  const executes = entries.filter((e) => e.action === "run.execute");
  const signed = executes.length ? executes[executes.length - 1].payload.rows : undefined;
  if (!isObject(signed)) {
    throw new Fail(step, "run.execute", "the signed run.execute has no result rows root (rows): the rows receipts show cannot be proven (made by an older version)",
      "签名的 run.execute 中没有结果行树根（rows）：回执中的结果行无法证明（旧版本生成）");
  }
  if (jcs(got) !== jcs(signed)) {
    const want = isObject(signed.files) ? signed.files : null;
    const differs = want && [...new Set([...Object.keys(want), ...Object.keys(got.files)])].sort(cmpCodePoints)
      .find((n) => want[n] !== got.files[n]);
    const item = differs !== undefined && differs !== null ? differs : (Object.keys(got.files).join(", ") || "results/");
    throw new Fail(step, item, `the result rows tree (root ${got.root.slice(0, 16)}…, ${got.size} rows) differs from the rows signed in run.execute (root ${String(signed.root).slice(0, 16)}…, ${signed.size} rows)`,
      `结果行树（${got.size} 行）与 run.execute 中签名的不符`);
  }
  return got;
}
