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
