// A bar chart as inline SVG, built with DOM calls (no library, no innerHTML): label → count.
const SVG = "http://www.w3.org/2000/svg";

function node(tag, attrs, text) {
  const n = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) n.setAttribute(k, String(v));
  if (text !== undefined) n.textContent = String(text);
  return n;
}

/** Horizontal bars (they fit a phone): `bars` is [[label, count], …]; `title` names the chart for screen readers. */
export function barChart(bars, title) {
  const rowH = 30, labelW = 120, width = 340, barW = width - labelW - 50;
  const max = Math.max(1, ...bars.map(([, n]) => n));
  const svg = node("svg", { viewBox: `0 0 ${width} ${bars.length * rowH + 10}`, role: "img", "aria-label": title });
  svg.append(node("title", {}, title));
  bars.forEach(([label, n], i) => {
    const y = i * rowH + 5;
    svg.append(node("text", { x: labelW - 8, y: y + 19, "text-anchor": "end" }, label));
    svg.append(node("rect", { x: labelW, y: y + 4, height: rowH - 10, width: Math.max(1, (n / max) * barW), rx: 3 }));
    svg.append(node("text", { x: labelW + Math.max(1, (n / max) * barW) + 6, y: y + 19 }, n));
  });
  return svg;
}

/** One chance as a bar on a 0–100 % track with its 95 % interval as a whisker (no text inside, so the
 *  labels beside it follow the page's language): `p`, `lo`, `hi` in [0, 1]; `kind` "seat" or "none". */
export function chanceBar(p, lo, hi, kind, title) {
  const width = 300, height = 26, mid = 13, x = (v) => Math.max(0, Math.min(1, v)) * width;
  const svg = node("svg", { viewBox: `0 0 ${width} ${height}`, class: `chance ${kind}`, role: "img", "aria-label": title,
                            preserveAspectRatio: "none" });
  svg.append(node("title", {}, title));
  svg.append(node("rect", { class: "track", x: 0, y: 4, width, height: 18, rx: 3 }));
  svg.append(node("rect", { class: "bar", x: 0, y: 4, width: Math.max(p > 0 ? 1.5 : 0, x(p)), height: 18, rx: 3 }));
  for (const v of [25, 50, 75]) svg.append(node("line", { class: "tick", x1: x(v / 100), x2: x(v / 100), y1: 4, y2: 7 }));
  const l = x(lo), h = Math.max(x(hi), l + 1);
  svg.append(node("line", { class: "ci", x1: l, x2: h, y1: mid, y2: mid }));
  svg.append(node("line", { class: "ci", x1: l, x2: l, y1: mid - 6, y2: mid + 6 }));
  svg.append(node("line", { class: "ci", x1: h, x2: h, y1: mid - 6, y2: mid + 6 }));
  return svg;
}
