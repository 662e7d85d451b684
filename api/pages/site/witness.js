// The witness page: sign in, hold an Ed25519 key in this browser, register it, see what is committed to,
// commit (value and salt stay here until the reveal), reveal, and seal; every signature is made here.
import { call, download, el, mutate, setupPage, short, showError, stateText, t } from "./api.js";
import * as wc from "./witness-crypto.js";

setupPage();
const $ = (id) => document.getElementById(id);
const TOKEN = "sunshine-witness-token";
let token = sessionStorage.getItem(TOKEN);
let me = null;
let key = null;

const keySlot = () => `sunshine-witness-key:${me.name}`;
const secretSlot = (run) => `sunshine-witness-secret:${run}:${me.name}`;
const runId = () => $("run-id").value.trim();
const runPath = () => `/runs/${encodeURIComponent(runId())}`;

function done(action, zh, en) {
  $("done").hidden = false;
  $("done").dataset.done = action;
  $("done").replaceChildren(el("p", {}, t(zh, en)));
}

async function fail(err) {
  showError($("error"), err);
}

async function showKey() {
  if (!key) {
    $("key-status").replaceChildren(t("本浏览器中还没有密钥。", "No key in this browser yet."));
    return;
  }
  const vkey = await wc.verifierKey(key);
  const registered = me.witness_key === vkey;
  $("key-status").replaceChildren(t("公钥：", "public key: "), el("code", { id: "vkey" }, vkey), " ",
    registered ? el("span", { class: "ok", id: "key-registered" }, t("✓ 已登记", "✓ registered"))
               : el("span", { class: "bad" }, t("未登记", "not registered")));
}

async function keepKey(k) {
  key = k;
  localStorage.setItem(keySlot(), await wc.privateKeyFile(k));
  await showKey();
}

async function signIn(value) {
  try {
    me = await call("GET", "/me", { token: value });
    if (me.role !== "witness") throw new Error(`role ${me.role}: a witness token is needed`);
    token = value;
    sessionStorage.setItem(TOKEN, value);
    $("login-section").hidden = true;
    $("work").hidden = false;
    $("who").replaceChildren(t("见证人：", "witness: "), el("strong", { id: "me" }, me.name));
    const stored = localStorage.getItem(keySlot());
    key = stored ? await wc.readPrivateKeyFile(stored) : null;
    await showKey();
    const run = new URLSearchParams(location.search).get("run");
    if (run) { $("run-id").value = run; await loadRun(); }
  } catch (err) {
    sessionStorage.removeItem(TOKEN);
    await fail(err);
  }
}

async function checkpoint(action) {
  return call("GET", `${runPath()}/checkpoint?action=${action}`);
}

async function loadRun() {
  $("error").hidden = true;
  try {
    const v = await call("GET", runPath());
    const mine = v.witnesses.find((w) => w.name === me.name);
    const facts = [el("p", {}, el("strong", {}, v.title || v.run_id), " · ", stateText(v.state)),
      el("p", {}, t("我的状态：", "my slot: "), mine ? t(mine.committed ? (mine.revealed ? "已揭示" : "已承诺") : "未承诺",
        mine.committed ? (mine.revealed ? "revealed" : "committed") : "not committed") : t("不是本项目的见证人", "not a witness of this run"))];
    try {
      const cp = await checkpoint("commit");
      facts.push(el("dl", { class: "facts" },
        el("dt", {}, t("公开名单根", "public roster root")), el("dd", { id: "public-root" }, short(cp.public_root, 64)),
        el("dt", {}, t("配置哈希", "config hash")), el("dd", { id: "config-hash" }, short(cp.config_hash, 64)),
        el("dt", {}, t("检查点", "checkpoint")), el("dd", {}, el("code", { class: "pre" }, cp.body))));
    } catch (err) {
      facts.push(el("p", { class: "muted" }, t("见证人声明后才有可承诺的检查点", "there is a checkpoint to commit to once witnesses are declared")));
    }
    $("run-facts").replaceChildren(...facts);
    const saved = JSON.parse(localStorage.getItem(secretSlot(runId())) || "null");
    if (saved) { $("secret").value = saved.value; $("salt").value = saved.salt; }
    await showCommitment();
  } catch (err) {
    await fail(err);
  }
}

/** Value and salt are written as typed; the server rejects text that is not in its canonical spelling. */
function secretOk(text) {
  return text && text === text.normalize("NFC") && text === text.trim() && !/\s\s|[\u0000-\u001f]/.test(text);
}

async function showCommitment() {
  const value = $("secret").value, salt = $("salt").value;
  $("commitment").textContent = secretOk(value) && secretOk(salt) ? await wc.commitment(value, salt) : "—";
}

/** Sign a statement on the checkpoint of `action` (+ its cosignature) and send it. */
async function act(button, action, fields) {
  button.disabled = true;
  $("error").hidden = true;
  try {
    if (!key) throw new Error("生成或载入密钥 / generate or load a key first");
    const cp = await checkpoint(action);
    const text = wc.statementText(cp.origin, action, me.name, cp, fields);
    const body = { statement: await wc.signNote(key, text),
                   cosignature: await wc.cosign(key, cp.body, Math.floor(Date.now() / 1000)) };
    await mutate(`${action}:${runId()}:${JSON.stringify(fields)}`, "POST", `${runPath()}/witness/${action}`,
                 { json: body, token });
    return true;
  } catch (err) {
    await fail(err);
    return false;
  } finally {
    button.disabled = false;
  }
}

$("login").addEventListener("submit", (e) => { e.preventDefault(); signIn($("token").value.trim()); });
$("generate").addEventListener("click", async () => {
  try {
    if (key && !confirm("替换本浏览器中的密钥？ Replace the key held in this browser?")) return;
    await keepKey(await wc.generateKey(me.name));
  } catch (err) { await fail(err); }
});
$("download-key").addEventListener("click", async () => {
  if (key) download(`${me.name}.key`, await wc.privateKeyFile(key), "text/plain");
});
$("key-file").addEventListener("change", async () => {
  try {
    const k = await wc.readPrivateKeyFile(await $("key-file").files[0].text());
    if (k.name !== me.name) throw new Error(`this key is named ${k.name}, you are ${me.name}`);
    await keepKey(k);
  } catch (err) { await fail(err); }
});
$("register").addEventListener("click", async () => {
  try {
    if (!key) throw new Error("生成或载入密钥 / generate or load a key first");
    const vkey = await wc.verifierKey(key);
    me = await mutate(`key:${vkey}`, "PUT", "/me/key", { json: { key: vkey }, token });
    await showKey();
  } catch (err) { await fail(err); }
});
$("load-run").addEventListener("click", loadRun);
$("gen-secret").addEventListener("click", () => { $("secret").value = wc.randomHex(); showCommitment(); });
$("gen-salt").addEventListener("click", () => { $("salt").value = wc.randomHex(); showCommitment(); });
$("secret").addEventListener("input", showCommitment);
$("salt").addEventListener("input", showCommitment);
$("commit").addEventListener("click", async () => {
  const value = $("secret").value, salt = $("salt").value;
  if (!secretOk(value) || !secretOk(salt)) {
    await fail(new Error("秘密值与盐值不能为空、首尾不能有空格 / value and salt: not empty, no outer spaces"));
    return;
  }
  localStorage.setItem(secretSlot(runId()), JSON.stringify({ value, salt }));  // kept until the reveal
  if (await act($("commit"), "commit", [["commitment", await wc.commitment(value, salt)]])) {
    done("commit", "✓ 承诺已提交。请保留本浏览器，揭示时需要同一秘密值与盐值。",
         "✓ Committed. Keep this browser: the reveal needs the same value and salt.");
    await loadRun();
  }
});
$("reveal").addEventListener("click", async () => {
  const saved = JSON.parse(localStorage.getItem(secretSlot(runId())) || "null");
  if (!saved) { await fail(new Error("本浏览器中没有该项目的秘密值 / no secret for this run in this browser")); return; }
  if (await act($("reveal"), "reveal", [["value", saved.value], ["salt", saved.salt]])) {
    done("reveal", "✓ 已揭示。", "✓ Revealed.");
    await loadRun();
  }
});
$("seal").addEventListener("click", async () => {
  try {
    const cp = await checkpoint("published");
    const line = await wc.cosign(key, cp.body, Math.floor(Date.now() / 1000));
    await mutate(`seal:${runId()}`, "POST", `${runPath()}/witness/seal`, { json: { cosignature: line }, token });
    done("seal", "✓ 已联署发布检查点。", "✓ The published checkpoint is sealed.");
  } catch (err) { await fail(err); }
});
if (token) signIn(token);
