// C2SP signed notes, tlog checkpoints, verifier keys, witness statements and cosignatures
// (docs/bundle.md § Log, docs/ceremony.md § Witness statements and cosignatures).
"use strict";

/** A step failure: the step name, the first bad item, and what is wrong in English and Chinese. */
class Fail extends Error {
  constructor(step, item, en, zh) { super(en); this.step = step; this.item = String(item); this.en = en; this.zh = zh || en; }
}

const SIG_PREFIX = "\u2014 ";

function keyId(name, pub, type = 1) { return sha256(utf8(name), new Uint8Array([0x0a, type]), pub).subarray(0, 4); }

/** A verifier key ``name+keyid+base64(0x01 ‖ pub)`` (Go note format) → {name, pub, id, vkey}. */
function parseVkey(vkey, step = "signatures", item = "key") {
  const text = String(vkey).trim();
  const a = text.indexOf("+"), b = a < 0 ? -1 : text.indexOf("+", a + 1);
  const bad = (en, zh) => new Fail(step, item, `unreadable key: ${en}`, `无法读取的公钥：${zh}`);
  if (a < 0 || b < 0) throw bad(`malformed verifier key ${JSON.stringify(text)}`, "公钥格式错误");
  const name = text.slice(0, a), kid = text.slice(a + 1, b);
  let raw;
  try { raw = b64decode(text.slice(b + 1)); } catch { throw bad("bad base64 in verifier key", "公钥 base64 错误"); }
  if (!name || /\s/.test(name) || name.includes("+")) throw bad(`invalid key name ${JSON.stringify(name)}`, "密钥名称无效");
  if (raw.length !== 33 || raw[0] !== 1) throw bad("not an Ed25519 verifier key", "不是 Ed25519 公钥");
  const pub = raw.subarray(1);
  const id = keyId(name, pub);
  if (toHex(id) !== kid) throw bad("key ID does not match the key", "公钥编号不符");
  return { name, pub, id, vkey: `${name}+${kid}+${b64encode(raw)}`, fingerprint: toHex(sha256(pub)) };
}
const sameKey = (a, b) => a.name === b.name && equalBytes(a.pub, b.pub);

/** Verify a signed note; returns {text, signers}. Unknown keys are skipped; a trusted key's bad signature fails. */
async function openNote(note, keys, step = "signatures") {
  if (typeof note !== "string") throw new TypeError("a signed note must be text");
  const cut = note.lastIndexOf("\n\n");
  if (cut < 0 || !note.endsWith("\n")) throw new Fail(step, "note", "malformed signed note (no blank line)", "签名文本格式错误");
  const text = note.slice(0, cut + 1);
  const lines = note.slice(cut + 2).split("\n").slice(0, -1);
  if (!lines.length || lines.length > 100) throw new Fail(step, "note", "signed note has no (or too many) signature lines", "签名行数错误");
  const good = [];
  const message = utf8(text);
  for (const line of lines) {
    if (!line.startsWith(SIG_PREFIX) || line.split(" ").length !== 3) {
      throw new Fail(step, "note", `malformed signature line ${JSON.stringify(line)}`, "签名行格式错误");
    }
    const [, name, b64] = line.split(" ");
    let raw;
    try { raw = b64decode(b64); } catch { throw new Fail(step, name, "bad base64 in signature line", "签名 base64 错误"); }
    if (raw.length < 5) throw new Fail(step, name, "signature too short", "签名过短");
    const key = keys.find((k) => k.name === name && equalBytes(k.id, raw.subarray(0, 4)));
    if (!key) continue;
    if (raw.length !== 68 || !(await ed25519Verify(key.pub, message, raw.subarray(4)))) {
      throw new Fail(step, name, `signature by ${name} is invalid for this note`, "签名无效");
    }
    good.push(name);
  }
  if (!good.length) throw new Fail(step, "note", "no trusted key signed this note", "没有受信任密钥的签名");
  return { text, signers: good };
}

function parseCheckpoint(text, step) {
  const lines = text.split("\n");
  if (lines.length < 4 || lines[lines.length - 1] !== "") throw new Fail(step, "checkpoint", "malformed checkpoint body", "检查点格式错误");
  const [origin, sizeText, rootB64] = lines;
  if (!/^[0-9]+$/.test(sizeText) || (sizeText !== "0" && sizeText.startsWith("0"))) {
    throw new Fail(step, "checkpoint", `bad tree size ${JSON.stringify(sizeText)}`, "检查点大小错误");
  }
  let root;
  try { root = b64decode(rootB64); } catch { throw new Fail(step, "checkpoint", "bad base64 root", "检查点根哈希错误"); }
  if (root.length !== 32) throw new Fail(step, "checkpoint", "root is not 32 bytes", "检查点根哈希长度错误");
  return { origin, size: Number(sizeText), root };
}
const formatCheckpoint = (cp) => `${cp.origin}\n${cp.size}\n${b64encode(cp.root)}\n`;

/** A key rotation statement (v2) signed by a trusted old key and by the new key; returns the new key. */
async function verifyRotation(note, trusted, step) {
  const { text } = await openNote(note, trusted, step);
  const lines = text.split("\n");
  if (lines.length !== 6 || lines[0] !== "sunshine key rotation/v2" || !lines[2].startsWith("after ")
      || !lines[3].startsWith("old ") || !lines[4].startsWith("new ")) {
    throw new Fail(step, "key.rotate", "malformed key rotation statement", "密钥轮换声明格式错误");
  }
  const old = parseVkey(lines[3].slice(4), step, "key.rotate"), neu = parseVkey(lines[4].slice(4), step, "key.rotate");
  if (!trusted.some((k) => sameKey(k, old)) || sameKey(old, neu)) {
    throw new Fail(step, "key.rotate", "rotation is not from a trusted key", "旧密钥不受信任");
  }
  await openNote(note, [old], step);
  await openNote(note, [neu], step);
  return neu;
}

/** A witness statement (docs/ceremony.md): verified against the witness key, then parsed. */
async function openStatement(note, key, step) {
  const { text } = await openNote(note, [key], step);
  const lines = text.split("\n").slice(0, -1);
  const malformed = () => new Fail(step, "witness statement", "malformed witness statement", "见证人声明格式错误");
  if (lines[0] !== "sunshine witness statement/v1" || lines.length < 5) throw malformed();
  const pair = (line) => {
    const i = line.indexOf(" ");
    if (i < 0) throw malformed();
    return [line.slice(0, i), line.slice(i + 1)];
  };
  const head = Object.fromEntries(lines.slice(1, 5).map(pair));
  for (const k of ["origin", "action", "witness", "checkpoint"]) if (!(k in head)) throw malformed();
  const cp = head.checkpoint.split(" ");
  if (cp.length !== 2 || !/^[0-9]+$/.test(cp[0])) throw malformed();
  let root;
  try { root = b64decode(cp[1]); } catch { throw malformed(); }
  return { origin: head.origin, action: head.action, witness: head.witness, size: Number(cp[0]), root,
    fields: Object.fromEntries(lines.slice(5).map(pair)) };
}

/** A C2SP tlog-cosignature/v1 line by ``key`` on ``cp``; returns its timestamp. */
async function verifyCosignature(line, key, cp, step) {
  const bad = (en, zh) => new Fail(step, key.name, en, zh);
  if (typeof line !== "string" || !line.startsWith(SIG_PREFIX) || line.split(" ").length !== 3) throw bad("malformed cosignature line", "联署格式错误");
  const [, name, b64] = line.split(" ");
  let raw;
  try { raw = b64decode(b64); } catch { throw bad("bad base64 in cosignature", "联署 base64 错误"); }
  if (name !== key.name || raw.length !== 76 || !equalBytes(raw.subarray(0, 4), keyId(key.name, key.pub, 4))) {
    throw bad("cosignature is not by this witness's key", "联署不是该见证人的密钥");
  }
  const t = Number(new DataView(raw.buffer, raw.byteOffset + 4, 8).getBigUint64(0));
  const msg = utf8(`cosignature/v1\ntime ${t}\n${formatCheckpoint(cp)}`);
  if (t >= 2 ** 63 || !(await ed25519Verify(key.pub, msg, raw.subarray(12)))) {
    throw bad(`cosignature by ${key.name} is invalid for this checkpoint`, "联署签名无效");
  }
  return t;
}
