// 我的志愿能录取吗？ The what-if of a lottery run before its draw: choose schools in order and a tier,
// the server simulates the lottery (POST /runs/{id}/what-if) and each choice's chance is shown as a bar
// with its 95 % interval. Only for runs whose roster is frozen and whose seed is not yet known.
import { call, el, showError, short, t } from "./api.js";
import { chanceBar } from "./chart.js";

const pct = (v) => `${(100 * v).toFixed(1)}%`;

/** Fill `section` with the form for `run` when it answers what-ifs (GET …/what-if); else keep it hidden. */
export async function setupWhatIf(run, section) {
  const path = `/runs/${encodeURIComponent(run)}/what-if`;
  let form;
  try {
    form = await call("GET", path);
  } catch (err) {
    return;  // no what-if for this run: the rest of the page is unaffected
  }
  if (!form.available) return;
  const $ = (id) => section.querySelector(`#${id}`);
  const choices = $("wi-choices");
  const options = () => [el("option", { value: "" }, "—"),
                         ...form.schools.map((s) => el("option", { value: s.id }, `${s.id} ${s.name}（${s.seats}）`))];
  for (let i = 1; i <= form.max_preferences; i++) {
    const id = `wi-choice-${i}`;
    choices.append(el("div", { class: "wi-choice" },
      el("label", { for: id }, t(`第 ${i} 志愿`, `Choice ${i}`)),
      el("select", { id, name: id, "data-rank": i, required: i === 1 }, options())));
  }
  $("wi-tier").value = String(form.tier.default);
  $("wi-tier").min = String(form.tier.min);
  $("wi-tier").max = String(form.tier.max);
  $("wi-draws-note").replaceChildren(t(
    `每次模拟 ${form.draws.default} 次派位（种子由名单公开数据推出，同一问题答案相同）。`,
    `Each question runs ${form.draws.default} lottery draws (the seed comes from the roster's public data: the same question gets the same answer).`));
  section.hidden = false;
  $("what-if").addEventListener("submit", async (event) => {
    event.preventDefault();
    const picked = [...choices.querySelectorAll("select")].map((s) => s.value).filter(Boolean);
    const body = { preferences: picked, tier: Number($("wi-tier").value), multiples: Number($("wi-multiples").value) };
    const box = $("what-if-answer"), errorBox = $("what-if-error");
    errorBox.hidden = true;
    box.replaceChildren(el("p", { class: "muted" }, t("模拟中，请稍候…", "simulating, please wait…")));
    $("wi-submit").disabled = true;
    try {
      box.replaceChildren(answerView(await call("POST", path, { json: body })));
    } catch (err) {
      box.replaceChildren();
      showError(errorBox, err);
    } finally {
      $("wi-submit").disabled = false;
    }
  });
}

function row(label, c, kind) {
  const title = `${pct(c.probability)} (95% ${pct(c.ci_low)}–${pct(c.ci_high)})`;
  return el("li", { class: `wi-row ${kind}` },
    el("div", { class: "wi-label" }, label),
    el("div", { class: "wi-value" }, el("strong", { class: "wi-p" }, pct(c.probability)), " ",
       el("span", { class: "muted" }, t(`（95% 区间 ${pct(c.ci_low)}–${pct(c.ci_high)}）`,
                                         ` (95% interval ${pct(c.ci_low)}–${pct(c.ci_high)})`))),
    chanceBar(c.probability, c.ci_low, c.ci_high, kind, title));
}

function answerView(a) {
  const rows = a.choices.map((c) => row(
    [c.round === "round2" ? t(`二轮第 ${c.choice_rank} 志愿 `, `Round 2, choice ${c.choice_rank}: `)
                          : t(`第 ${c.choice_rank} 志愿 `, `Choice ${c.choice_rank}: `),
     `${c.school_id} ${c.school_name}`], c, "seat"));
  rows.push(row(t("没有学位（需统筹）", "No seat (administrative placement)"), a.no_seat, "none"));
  return el("div", { class: "wi-answer", id: "what-if-result" },
    el("ol", { class: "wi-rows" }, rows),
    el("p", { class: "muted" }, t(
      `以上为 ${a.draws} 次模拟派位中的比例，横线为 95% 置信区间；这只是估计：正式结果由派位日的种子决定。`,
      `Shares of ${a.draws} simulated draws; the whisker is the 95% interval. An estimate only: the official result comes from placement day's seed.`)),
    el("details", {}, el("summary", {}, t("如何复现", "How to reproduce")),
       el("p", {}, t("模拟种子 ", "simulation seed "), short(a.seed, 64)),
       el("pre", { class: "pre wi-cmd" }, a.reproduce)));
}
