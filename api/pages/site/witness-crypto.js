// What a witness computes and signs, in the browser (WebCrypto Ed25519 and SHA-256), written from
// docs/ceremony.md and the formats of audit/signing.py and audit/witness.py:
//   verifier key  name+hex(keyid)+base64(0x01‖pub),  keyid = SHA-256(name‖"\n"‖0x01‖pub)[:4]
//   private key   PRIVATE+KEY+name+hex(keyid)+base64(0x01‖seed)   (the file `sunshine ceremony` reads)
//   commitment    hex SHA-256 of the RFC 8785 canonical JSON array [value, salt]
//   statement     a C2SP signed note: text, blank line, "— name base64(keyid‖Ed25519(text))"
//   cosignature   "— name base64(cosign keyid‖u64be(time)‖Ed25519("cosignature/v1\ntime T\n"‖checkpoint body))",
//                 cosign keyid = SHA-256(name‖"\n"‖0x04‖pub)[:4]
// The private key never leaves the browser except in the key file the witness downloads.

const enc = new TextEncoder();
const PKCS8_ED25519 = Uint8Array.from([0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70,
                                       0x04, 0x22, 0x04, 0x20]);

export function b64(bytes) {
  let s = "";
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s);
}

export function unb64(text) {
  return Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
}

function b64url(text) {
  return unb64(text.replace(/-/g, "+").replace(/_/g, "/") + "===".slice((text.length + 3) % 4));
}

export function hex(bytes) {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

function concat(...parts) {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let i = 0;
  for (const p of parts) { out.set(p, i); i += p.length; }
  return out;
}

export async function sha256(bytes) {
  return new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
}

/** RFC 8785 for an array of strings: JSON.stringify's string escaping is exactly JCS's (ECMAScript). */
export function canonicalStrings(values) {
  return "[" + values.map((v) => JSON.stringify(v)).join(",") + "]";
}

/** audit.ceremony.witness_commitment(value, salt). */
export async function commitment(value, salt) {
  return hex(await sha256(enc.encode(canonicalStrings([value, salt]))));
}

async function keyId(name, type, pub) {
  return (await sha256(concat(enc.encode(name + "\n"), Uint8Array.of(type), pub))).slice(0, 4);
}

/** A witness key: {name, seed, pub, privateKey}. */
async function fromSeed(name, seed) {
  const privateKey = await crypto.subtle.importKey("pkcs8", concat(PKCS8_ED25519, seed), { name: "Ed25519" },
                                                   true, ["sign"]);
  const jwk = await crypto.subtle.exportKey("jwk", privateKey);
  return { name, seed, pub: b64url(jwk.x), privateKey };
}

function checkName(name) {
  if (!name || /\s|\+/.test(name)) throw new Error(`invalid key name ${JSON.stringify(name)} (no spaces or '+')`);
}

/** A new key generated in the browser (exportable, so that the witness can keep a copy). */
export async function generateKey(name) {
  checkName(name);
  const pair = await crypto.subtle.generateKey({ name: "Ed25519" }, true, ["sign", "verify"]);
  const jwk = await crypto.subtle.exportKey("jwk", pair.privateKey);
  return fromSeed(name, b64url(jwk.d));
}

/** The private key file text (same format as `sunshine keys init` / audit.signing.Signer.skey). */
export async function privateKeyFile(key) {
  return `PRIVATE+KEY+${key.name}+${hex(await keyId(key.name, 1, key.pub))}+${b64(concat(Uint8Array.of(1), key.seed))}\n`;
}

/** Read a private key file (checks its key id). */
export async function readPrivateKeyFile(text) {
  const pieces = text.trim().split("+");  // base64 may hold '+': the fifth part is the rest (like split("+", 4))
  const parts = [...pieces.slice(0, 4), pieces.slice(4).join("+")];
  if (pieces.length < 5 || parts[0] !== "PRIVATE" || parts[1] !== "KEY") throw new Error("not a private key file");
  const raw = unb64(parts[4]);
  if (raw.length !== 33 || raw[0] !== 1) throw new Error("not an Ed25519 private key");
  checkName(parts[2]);
  const key = await fromSeed(parts[2], raw.slice(1));
  if (hex(await keyId(key.name, 1, key.pub)) !== parts[3]) throw new Error("the key id does not match the key");
  return key;
}

/** The verifier key the server registers (PUT /api/v1/me/key). */
export async function verifierKey(key) {
  return `${key.name}+${hex(await keyId(key.name, 1, key.pub))}+${b64(concat(Uint8Array.of(1), key.pub))}`;
}

async function sign(key, bytes) {
  return new Uint8Array(await crypto.subtle.sign({ name: "Ed25519" }, key.privateKey, bytes));
}

/** audit.signing.sign_note(text, [key]). */
export async function signNote(key, text) {
  if (!text.endsWith("\n")) throw new Error("note text must end with a newline");
  const sig = await sign(key, enc.encode(text));
  return `${text}\n\u2014 ${key.name} ${b64(concat(await keyId(key.name, 1, key.pub), sig))}\n`;
}

/** audit.witness.statement_text: the checkpoint is {origin, size, root_hex}; fields in order. */
export function statementText(origin, action, witness, checkpoint, fields) {
  const root = b64(Uint8Array.from(checkpoint.root_hex.match(/../g), (h) => parseInt(h, 16)));
  const lines = ["sunshine witness statement/v1", `origin ${origin}`, `action ${action}`, `witness ${witness}`,
                 `checkpoint ${checkpoint.size} ${root}`];
  for (const [k, v] of fields) lines.push(`${k} ${v}`);
  return lines.join("\n") + "\n";
}

/** audit.witness.cosign(key, checkpoint, time): the checkpoint's body is `origin\nsize\nroot\n`. */
export async function cosign(key, body, time) {
  const stamp = new Uint8Array(8);
  new DataView(stamp.buffer).setBigUint64(0, BigInt(time));
  const sig = await sign(key, enc.encode(`cosignature/v1\ntime ${time}\n${body}`));
  return `\u2014 ${key.name} ${b64(concat(await keyId(key.name, 4, key.pub), stamp, sig))}`;
}

/** A random secret for a witness who does not type one: 16 bytes as hex. */
export function randomHex(bytes = 16) {
  return hex(crypto.getRandomValues(new Uint8Array(bytes)));
}
