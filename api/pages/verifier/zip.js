// Reading bundle.zip: the central directory, stored or deflated members (the browser's own
// DecompressionStream("deflate-raw") inflates), each checked against its CRC-32 and size.
// Like `sunshine verify`: encrypted members, other methods and repeated names are refused.
"use strict";

class ZipError extends Error {}

/** CRC-32 (IEEE) tables for slicing by 8: eight bytes per step, as zlib does (the checks cost less than the inflate). */
const CRC_TABLES = (() => {
  const t = new Int32Array(256 * 8);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c;
  }
  for (let n = 0; n < 256; n++) for (let k = 1; k < 8; k++) t[k * 256 + n] = t[t[(k - 1) * 256 + n] & 0xff] ^ (t[(k - 1) * 256 + n] >>> 8);
  return t;
})();

function crc32(data) {
  const t = CRC_TABLES, n = data.length;
  let c = -1, i = 0;
  for (; i + 8 <= n; i += 8) {
    const a = c ^ (data[i] | (data[i + 1] << 8) | (data[i + 2] << 16) | (data[i + 3] << 24));
    c = t[1792 + (a & 0xff)] ^ t[1536 + ((a >>> 8) & 0xff)] ^ t[1280 + ((a >>> 16) & 0xff)] ^ t[1024 + (a >>> 24)]
      ^ t[768 + data[i + 4]] ^ t[512 + data[i + 5]] ^ t[256 + data[i + 6]] ^ t[data[i + 7]];
  }
  for (; i < n; i++) c = t[(c ^ data[i]) & 0xff] ^ (c >>> 8);
  return (c ^ -1) >>> 0;
}

async function inflateRaw(data) {
  const stream = new Blob([data]).stream().pipeThrough(new DecompressionStream("deflate-raw"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/** Every file member of the zip ``data`` as {name: bytes}; ZipError when it is not a valid zip of ours. */
async function readZip(data) {
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  let eocd = -1;
  for (let i = data.length - 22; i >= Math.max(0, data.length - 22 - 65535); i--) {
    if (view.getUint32(i, true) === 0x06054b50) { eocd = i; break; }
  }
  if (eocd < 0) throw new ZipError("no end of central directory (not a zip file)");
  let count = view.getUint16(eocd + 10, true);
  let cdOffset = view.getUint32(eocd + 16, true);
  if (cdOffset === 0xffffffff || count === 0xffff) { // zip64 end of central directory
    const loc = eocd - 20;
    if (loc < 0 || view.getUint32(loc, true) !== 0x07064b50) throw new ZipError("bad zip64 locator");
    const z = Number(view.getBigUint64(loc + 8, true));
    if (view.getUint32(z, true) !== 0x06064b50) throw new ZipError("bad zip64 end record");
    count = Number(view.getBigUint64(z + 32, true));
    cdOffset = Number(view.getBigUint64(z + 48, true));
  }
  const members = [];
  let p = cdOffset;
  for (let k = 0; k < count; k++) {
    if (p + 46 > data.length || view.getUint32(p, true) !== 0x02014b50) throw new ZipError("bad central directory");
    const flags = view.getUint16(p + 8, true), method = view.getUint16(p + 10, true);
    const crc = view.getUint32(p + 16, true);
    let csize = view.getUint32(p + 20, true), usize = view.getUint32(p + 24, true);
    const nlen = view.getUint16(p + 28, true), xlen = view.getUint16(p + 30, true), clen = view.getUint16(p + 32, true);
    let local = view.getUint32(p + 42, true);
    const name = decodeUtf8(data.subarray(p + 46, p + 46 + nlen));
    for (let x = p + 46 + nlen; x + 4 <= p + 46 + nlen + xlen;) { // zip64 extra field
      const id = view.getUint16(x, true), size = view.getUint16(x + 2, true);
      if (id === 1) {
        let q = x + 4;
        if (usize === 0xffffffff) { usize = Number(view.getBigUint64(q, true)); q += 8; }
        if (csize === 0xffffffff) { csize = Number(view.getBigUint64(q, true)); q += 8; }
        if (local === 0xffffffff) { local = Number(view.getBigUint64(q, true)); q += 8; }
      }
      x += 4 + size;
    }
    p += 46 + nlen + xlen + clen;
    if (name.endsWith("/")) continue;
    if (flags & 1 || (method !== 0 && method !== 8)) throw new ZipError(`${name}: encrypted or compression method ${method}`);
    if (view.getUint32(local, true) !== 0x04034b50) throw new ZipError(`${name}: bad local header`);
    const start = local + 30 + view.getUint16(local + 26, true) + view.getUint16(local + 28, true);
    if (start + csize > data.length) throw new ZipError(`${name}: truncated`);
    members.push({ name, method, crc, usize, raw: data.subarray(start, start + csize) });
  }
  const names = members.map((m) => m.name);
  const dup = names.find((n, i) => names.indexOf(n) !== i);
  if (dup !== undefined) throw new ZipError(`${dup}: the zip holds two members of this name`);
  const contents = await Promise.all(members.map((m) => (m.method === 8 ? inflateRaw(m.raw) : m.raw.slice())
    .catch((e) => { throw new ZipError(`${m.name}: ${e.message}`); })));
  const files = {};
  members.forEach((m, i) => {
    const d = contents[i];
    if (d.length !== m.usize || crc32(d) !== m.crc) throw new ZipError(`Bad CRC-32 or size for file ${m.name}`);
    files[m.name] = d;
  });
  return files;
}
