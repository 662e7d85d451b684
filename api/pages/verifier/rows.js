// Step 7's result rows tree (docs/bundle.md § Result rows tree), written from the docs: one RFC 6962 leaf
// per data row of every public result CSV, leaf = JCS([file, header, row]), files (those whose bytes are
// UTF-8) in code point order, rows in file order; run.execute signs {root, size, files: {file: rows}}.
"use strict";

/** The rows tree of the published result files: {root (hex), size, files: {csv name: data rows}}. */
function resultRowsTree(results) {
  const names = Object.keys(results).filter((n) => n.endsWith(".csv")).sort(cmpCodePoints);
  const hashes = [], files = {};
  for (const name of names) {
    let text;
    try { text = decodeUtf8(results[name]); } catch { continue; } // not UTF-8: names nobody, committed by its hash
    const table = parseCsv(text);
    for (let i = 1; i < table.length; i++) hashes.push(leafHash(jcsBytes([name, table[0], table[i]])));
    files[name] = Math.max(table.length - 1, 0);
  }
  return { root: toHex(rootOf(hashes)), size: hashes.length, files };
}

/**
 * Step 7's last check: the rows tree recomputed from the published files is the one signed in run.execute.
 * Fails naming the first CSV whose row count differs (or every CSV when only their content does).
 */
function checkResultRows(entries, results) {
  const step = "results";
  const executes = entries.filter((e) => e.action === "run.execute");
  const signed = executes.length ? executes[executes.length - 1].payload.rows : undefined;
  if (!isObject(signed)) {
    throw new Fail(step, "run.execute", "the signed run.execute has no result rows root (rows): the rows receipts show cannot be proven (made by an older version)",
      "签名的 run.execute 中没有结果行树根（rows）：回执中的结果行无法证明（旧版本生成）");
  }
  const got = resultRowsTree(results);
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
