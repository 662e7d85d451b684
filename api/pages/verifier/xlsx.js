// The XLSX lists for people, rebuilt byte for byte (docs/xlsx.md is the specification this is written from):
// results_by_school.xlsx (lottery, points), publication.xlsx and ranking.xlsx (points). A workbook is a zip of
// XML parts in a fixed order, 1980-01-01 timestamps, each part deflated exactly as zlib 1.2.x does at level 6
// (the vendored pako, vendor/README.md); the parts are the templates of docs/xlsx.md § Parts filled from the
// sheets: a title row merged over the columns, a frozen bold header, number and shared-string cells, column
// widths from the text widths, A4 print setup. Only what api/xlsx.py writes is supported here.
"use strict";

/** A sheet outside what docs/xlsx.md specifies (a name that needs quoting, a cell of another type): a bug here, never user data. */
class XlsxUnsupported extends Error {}

const XML_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n';
const NS_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
const NS_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
const NS_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships";
/** docs/xlsx.md § Layout: widths 6–60 character units, the title at least 48 wide, wider than 90 prints landscape. */
const XLSX_LAYOUT = { minWidth: 6, maxWidth: 60, minTitleWidth: 48, titleScale: 115, lineHeight: 15, portraitWidth: 90 };
/**
 * Wide (W) and full-width (F) code points, Unicode 14.0.0 East Asian Width (Python 3.11's unicodedata, which
 * api/xlsx.py's display_width reads): ranges as hex "gap+length", the gap from the previous range's last code point.
 */
const XLSX_WIDE_RANGES = (() => {
  const text = [
    "378+1 7+3 8+0 2+0 15+0 18e+0 27+1 33+1 4+0 38+7 1c+3 7+a 10f+0 3d+1 66+d 3c+1 32+1 10+0 1d+1 2+0 c+4 20+0 3+5 ",
    "ed+0 9+1 3+1 17+0 8+0 2+2 5+1 a+1 3+1 5+7 2+3 3+0 6+1 1a+1 4+0 7+3 3+1 17+0 8+0 3+0 3+0 3+1 2+0 6+3 3+1 4+2 ",
    "2+6 5+0 2+6 12+9 4+0 a+0 4+0 17+0 8+0 3+0 6+1 b+0 4+0 4+1 2+e 5+1 d+6 8+0 4+0 9+1 3+1 17+0 8+0 3+0 6+1 a+1 3+1 ",
    "4+6 4+3 3+0 6+1 13+9 3+0 7+2 4+0 5+2 3+0 2+0 3+2 3+2 4+2 d+3 6+2 4+0 5+1 2+5 2+d 16+4 e+0 4+0 18+0 11+1 a+0 ",
    "4+0 5+6 3+0 4+1 2+1 5+1 b+6 17+0 4+0 18+0 b+0 6+1 a+0 4+0 5+6 3+5 3+0 5+1 b+0 3+c e+0 4+0 34+0 4+0 7+3 11+1 ",
    "1b+0 4+0 13+2 19+0 a+0 2+1 8+2 2+3 7+0 2+0 9+5 b+1 4+b 3b+3 1e+24 3+0 2+0 6+0 19+0 2+0 18+1 6+0 2+0 7+1 b+1 ",
    "5+1f 49+0 25+3 28+0 25+0 10+0 e+24 c7+0 2+4 2+1 31+5f ea+0 5+1 8+0 2+0 5+1 2a+0 5+1 22+0 5+1 8+0 2+0 5+1 10+0 ",
    "3a+0 5+1 44+1 21+2 1b+5 57+1 7+1 29e+2 5a+6 17+8 19+8 15+b e+0 4+0 3+b 5f+1 b+5 b+5 1b+5 5a+6 2c+4 47+9 20+0 ",
    "d+3 d+3 2+2 2b+1 6+a 2d+3 1b+5 c+2 3f+1 42+0 1e+1 c+5 b+5 f+1 20+30 4e+2 30+0 75+7 3d+2 10+2 3d+6 2c+1 c+7 ",
    "2c+4 217+1 7+1 27+1 7+1 9+0 2+0 2+0 2+0 20+1 36+0 10+0 f+1 7+0 14+1 4+0 a+0 66+0 d+1 1c+0 e+2 22+e 22+e 8d+3 ",
    "18b+1 e+1 bf+3 4+0 3+0 34+18 c+14 19e+1 16+1 33+b 2c+0 14+0 e+0 9+1 12+1 6+1 9+0 6+0 16+0 8+1 2+0 5+0 3+0 8+0 ",
    "5+1 1d+0 24+0 2+0 5+2 2+0 3e+2 19+0 f+0 35c+1 34+0 5+0 1f+1 21+0 15e+4 2e+0 2+4 2+1 39+6 3+d 19+8 8+0 8+0 8+0 ",
    "8+0 8+0 8+0 8+0 8+0 7f+1e0 2+207 9+1b6f 41+56cf 15d+13 b9+7 cc+4 3+0 2+0 6+17 3c+2 b+5 39+7 47+7 d+5 75+a 2+1f ",
    "4f+0 c+3 22+0 38+8 f+1 b+1 68+17 1d+9 7+1 7+1 7+8 8+0 8+0 3d+3 7f+1 b+2bb5 18+3 32+3 2101+1ff 8+b 6+4 1b+0 6+0 ",
    "2+0 3+0 3+0 7e+f 1be+1 37+6 2+1f 21+f 11+3f 6+0 88+1 2+60 5f+2 7+1 7+1 7+1 4+a 8+9 6+1 d+0 1b+0 14+0 3+0 10+1 ",
    "f+21 7c+4 4+3 2e+2 59+0 e+2 2+2e 2f+81 1e+2 32+e 1d+3 25+8 1f+4 2c+4 1f+0 26+3 f+29 9f+1 b+5 25+3 25+3 29+7 ",
    "35+a d+0 10+0 8+0 3+0 c+0 10+0 8+0 3+42 138+8 17+9 9+17 7+0 2b+0 a+44 7+1 2+0 2d+0 3+2 2+1 18+0 49+7 a+2f 14+0 ",
    "3+4 22+2 1c+4 2+3f 39+3 15+1 33+0 3+4 9+0 4+0 1e+1 4+3 b+6 a+6 41+1f 28+3 d+8 37+2 1e+1 1c+4 1b+6 5+b 8+4f ",
    "4a+36 34+c 34+6 2f+7 b+125 20+0 2b+0 4+1 3+4d 29+7 2b+15 1b+25 1d+13 18+8 4f+3 25+8 45+9 2+1 1a+6 b+5 36+0 ",
    "13+7 28+8 61+0 15+a 13+0 2d+40 8+0 2+0 5+0 10+0 c+5 3c+4 b+5 5+0 9+1 3+1 17+0 8+0 3+0 6+0 b+1 3+1 4+1 2+5 2+4 ",
    "8+1 8+2 6+8a 5d+0 6+1d 49+7 b+a5 37+1 27+21 46+a b+5 e+12 3b+5 b+35 1c+1 10+3 18+b8 3d+63 54+b 9+1 2+1 9+0 3+0 ",
    "1f+0 3+1 d+8 b+45 9+1 2f+1 c+1a 49+7 54+c 4a+106 a+0 2e+0 f+9 1e+2 21+1 17+0 f+48 8+0 3+0 2d+2 2+0 3+0 a+7 b+5 ",
    "7+0 3+0 26+0 3+0 7+6 b+135 1a+b6 2+e 33+c 39c+65 70+0 6+a c5+a4b 64+c 430+0 a+fc6 248+21b8 23a+6 20+0 b+3 52+0 ",
    "b+5 1f+1 7+9 47+9 b+0 8+0 16+4 14+2af 5c+64 4c+3 3a+6 12+4c5f 6c+4 e+2 a+6 b+1 9+125b 2f+1 18+8 75+3b f7+9 ",
    "28+1 c3+14 47+99 15+b 58+8 1a+86 56+0 48+0 3+1 2+1 3+1 5+0 d+0 2+0 8+0 42+0 5+1 9+0 8+0 1d+0 5+0 6+0 2+2 8+0 ",
    "155+1 125+1 2bf+e 6+0 10+44f 20+e0 8+0 12+1 8+0 3+0 6+d4 2e+2 f+1 b+3 3+13f 20+10 3b+4 2+4df 8+0 5+0 3+0 10+0 ",
    "c6+1 11+28 4d+3 b+3 3+310 45+4b 3e+c1 5+0 1c+0 3+0 2+1 2+0 b+0 5+0 2+0 2+5 2+3 2+0 2+0 2+0 4+0 3+0 2+1 2+0 2+0 ",
    "2+0 2+0 2+0 3+0 2+1 5+0 8+0 5+0 5+0 2+0 b+0 12+4 4+0 6+0 12+33 3+10d 5+0 28+3 65+b 10+1 10+0 f+1 26+9 8f+0 3+9 ",
    "14+37 1b+120 d+8 2+45 2+15 d+2a 5+4 d+10 4+0 4+46 2+0 2+ba 3+3e e+3 2+17 13+0 1b+1 e+0 57+54 31+45 7+0 4+2 3+a ",
    "c+4 5+b 75+b 5a+26 d+3 39+7 b+5 29+7 1f+1 3+4d d+2e 2+9 2+b8 55+b f+91 94+0 38+24 b+c0406 2+1d 61+7f f1+fe0f ",
    "ffff+1 ffff+1 ",
  ].join("").trim().split(" ");
  const out = new Uint32Array(2 * text.length);
  let end = 0;
  text.forEach((r, i) => { const [gap, len] = r.split("+").map((h) => parseInt(h, 16)); out[2 * i] = end + gap; end = out[2 * i + 1] = end + gap + len; });
  return out;
})();
/** The theme part every workbook carries, after XML_HEAD (docs/xlsx.md § Parts: xl/theme/theme1.xml). */
const XLSX_THEME = `<a:theme xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" name="Office Theme"><a:themeElements><a:clrScheme name="Office"><a:dk1><a:sysClr val="windowText" lastClr="000000"/></a:dk1><a:lt1><a:sysClr val="window" lastClr="FFFFFF"/></a:lt1><a:dk2><a:srgbClr val="1F497D"/></a:dk2><a:lt2><a:srgbClr val="EEECE1"/></a:lt2><a:accent1><a:srgbClr val="4F81BD"/></a:accent1><a:accent2><a:srgbClr val="C0504D"/></a:accent2><a:accent3><a:srgbClr val="9BBB59"/></a:accent3><a:accent4><a:srgbClr val="8064A2"/></a:accent4><a:accent5><a:srgbClr val="4BACC6"/></a:accent5><a:accent6><a:srgbClr val="F79646"/></a:accent6><a:hlink><a:srgbClr val="0000FF"/></a:hlink><a:folHlink><a:srgbClr val="800080"/></a:folHlink></a:clrScheme><a:fontScheme name="Office"><a:majorFont><a:latin typeface="Cambria"/><a:ea typeface=""/><a:cs typeface=""/><a:font script="Jpan" typeface="ＭＳ Ｐゴシック"/><a:font script="Hang" typeface="맑은 고딕"/><a:font script="Hans" typeface="宋体"/><a:font script="Hant" typeface="新細明體"/><a:font script="Arab" typeface="Times New Roman"/><a:font script="Hebr" typeface="Times New Roman"/><a:font script="Thai" typeface="Tahoma"/><a:font script="Ethi" typeface="Nyala"/><a:font script="Beng" typeface="Vrinda"/><a:font script="Gujr" typeface="Shruti"/><a:font script="Khmr" typeface="MoolBoran"/><a:font script="Knda" typeface="Tunga"/><a:font script="Guru" typeface="Raavi"/><a:font script="Cans" typeface="Euphemia"/><a:font script="Cher" typeface="Plantagenet Cherokee"/><a:font script="Yiii" typeface="Microsoft Yi Baiti"/><a:font script="Tibt" typeface="Microsoft Himalaya"/><a:font script="Thaa" typeface="MV Boli"/><a:font script="Deva" typeface="Mangal"/><a:font script="Telu" typeface="Gautami"/><a:font script="Taml" typeface="Latha"/><a:font script="Syrc" typeface="Estrangelo Edessa"/><a:font script="Orya" typeface="Kalinga"/><a:font script="Mlym" typeface="Kartika"/><a:font script="Laoo" typeface="DokChampa"/><a:font script="Sinh" typeface="Iskoola Pota"/><a:font script="Mong" typeface="Mongolian Baiti"/><a:font script="Viet" typeface="Times New Roman"/><a:font script="Uigh" typeface="Microsoft Uighur"/></a:majorFont><a:minorFont><a:latin typeface="Calibri"/><a:ea typeface=""/><a:cs typeface=""/><a:font script="Jpan" typeface="ＭＳ Ｐゴシック"/><a:font script="Hang" typeface="맑은 고딕"/><a:font script="Hans" typeface="宋体"/><a:font script="Hant" typeface="新細明體"/><a:font script="Arab" typeface="Arial"/><a:font script="Hebr" typeface="Arial"/><a:font script="Thai" typeface="Tahoma"/><a:font script="Ethi" typeface="Nyala"/><a:font script="Beng" typeface="Vrinda"/><a:font script="Gujr" typeface="Shruti"/><a:font script="Khmr" typeface="DaunPenh"/><a:font script="Knda" typeface="Tunga"/><a:font script="Guru" typeface="Raavi"/><a:font script="Cans" typeface="Euphemia"/><a:font script="Cher" typeface="Plantagenet Cherokee"/><a:font script="Yiii" typeface="Microsoft Yi Baiti"/><a:font script="Tibt" typeface="Microsoft Himalaya"/><a:font script="Thaa" typeface="MV Boli"/><a:font script="Deva" typeface="Mangal"/><a:font script="Telu" typeface="Gautami"/><a:font script="Taml" typeface="Latha"/><a:font script="Syrc" typeface="Estrangelo Edessa"/><a:font script="Orya" typeface="Kalinga"/><a:font script="Mlym" typeface="Kartika"/><a:font script="Laoo" typeface="DokChampa"/><a:font script="Sinh" typeface="Iskoola Pota"/><a:font script="Mong" typeface="Mongolian Baiti"/><a:font script="Viet" typeface="Arial"/><a:font script="Uigh" typeface="Microsoft Uighur"/></a:minorFont></a:fontScheme><a:fmtScheme name="Office"><a:fillStyleLst><a:solidFill><a:schemeClr val="phClr"/></a:solidFill><a:gradFill rotWithShape="1"><a:gsLst><a:gs pos="0"><a:schemeClr val="phClr"><a:tint val="50000"/><a:satMod val="300000"/></a:schemeClr></a:gs><a:gs pos="35000"><a:schemeClr val="phClr"><a:tint val="37000"/><a:satMod val="300000"/></a:schemeClr></a:gs><a:gs pos="100000"><a:schemeClr val="phClr"><a:tint val="15000"/><a:satMod val="350000"/></a:schemeClr></a:gs></a:gsLst><a:lin ang="16200000" scaled="1"/></a:gradFill><a:gradFill rotWithShape="1"><a:gsLst><a:gs pos="0"><a:schemeClr val="phClr"><a:shade val="51000"/><a:satMod val="130000"/></a:schemeClr></a:gs><a:gs pos="80000"><a:schemeClr val="phClr"><a:shade val="93000"/><a:satMod val="130000"/></a:schemeClr></a:gs><a:gs pos="100000"><a:schemeClr val="phClr"><a:shade val="94000"/><a:satMod val="135000"/></a:schemeClr></a:gs></a:gsLst><a:lin ang="16200000" scaled="0"/></a:gradFill></a:fillStyleLst><a:lnStyleLst><a:ln w="9525" cap="flat" cmpd="sng" algn="ctr"><a:solidFill><a:schemeClr val="phClr"><a:shade val="95000"/><a:satMod val="105000"/></a:schemeClr></a:solidFill><a:prstDash val="solid"/></a:ln><a:ln w="25400" cap="flat" cmpd="sng" algn="ctr"><a:solidFill><a:schemeClr val="phClr"/></a:solidFill><a:prstDash val="solid"/></a:ln><a:ln w="38100" cap="flat" cmpd="sng" algn="ctr"><a:solidFill><a:schemeClr val="phClr"/></a:solidFill><a:prstDash val="solid"/></a:ln></a:lnStyleLst><a:effectStyleLst><a:effectStyle><a:effectLst><a:outerShdw blurRad="40000" dist="20000" dir="5400000" rotWithShape="0"><a:srgbClr val="000000"><a:alpha val="38000"/></a:srgbClr></a:outerShdw></a:effectLst></a:effectStyle><a:effectStyle><a:effectLst><a:outerShdw blurRad="40000" dist="23000" dir="5400000" rotWithShape="0"><a:srgbClr val="000000"><a:alpha val="35000"/></a:srgbClr></a:outerShdw></a:effectLst></a:effectStyle><a:effectStyle><a:effectLst><a:outerShdw blurRad="40000" dist="23000" dir="5400000" rotWithShape="0"><a:srgbClr val="000000"><a:alpha val="35000"/></a:srgbClr></a:outerShdw></a:effectLst><a:scene3d><a:camera prst="orthographicFront"><a:rot lat="0" lon="0" rev="0"/></a:camera><a:lightRig rig="threePt" dir="t"><a:rot lat="0" lon="0" rev="1200000"/></a:lightRig></a:scene3d><a:sp3d><a:bevelT w="63500" h="25400"/></a:sp3d></a:effectStyle></a:effectStyleLst><a:bgFillStyleLst><a:solidFill><a:schemeClr val="phClr"/></a:solidFill><a:gradFill rotWithShape="1"><a:gsLst><a:gs pos="0"><a:schemeClr val="phClr"><a:tint val="40000"/><a:satMod val="350000"/></a:schemeClr></a:gs><a:gs pos="40000"><a:schemeClr val="phClr"><a:tint val="45000"/><a:shade val="99000"/><a:satMod val="350000"/></a:schemeClr></a:gs><a:gs pos="100000"><a:schemeClr val="phClr"><a:shade val="20000"/><a:satMod val="255000"/></a:schemeClr></a:gs></a:gsLst><a:path path="circle"><a:fillToRect l="50000" t="-80000" r="50000" b="180000"/></a:path></a:gradFill><a:gradFill rotWithShape="1"><a:gsLst><a:gs pos="0"><a:schemeClr val="phClr"><a:tint val="80000"/><a:satMod val="300000"/></a:schemeClr></a:gs><a:gs pos="100000"><a:schemeClr val="phClr"><a:shade val="30000"/><a:satMod val="200000"/></a:schemeClr></a:gs></a:gsLst><a:path path="circle"><a:fillToRect l="50000" t="50000" r="50000" b="50000"/></a:path></a:gradFill></a:bgFillStyleLst></a:fmtScheme></a:themeElements><a:objectDefaults/><a:extraClrSchemeLst/></a:theme>`;

/** Width in character units (docs/xlsx.md § Layout): an ASCII text its length, else 2 per W/F code point, 1 per other. */
function displayWidth(text) {
  let ascii = true;
  for (let i = 0; i < text.length && ascii; i++) ascii = text.charCodeAt(i) < 0x80;
  if (ascii) return text.length;
  let w = 0;
  for (const ch of text) w += isWide(ch.codePointAt(0)) ? 2 : 1;
  return w;
}
function isWide(cp) {
  const r = XLSX_WIDE_RANGES;
  let lo = 0, hi = r.length / 2;
  while (lo < hi) { const mid = (lo + hi) >> 1; if (r[2 * mid + 1] < cp) lo = mid + 1; else hi = mid; }
  return lo < r.length / 2 && r[2 * lo] <= cp;
}

/** printf's %.16G of a double (docs/xlsx.md § Cells): 16 significant digits, trailing zeros dropped, E±dd outside 1e-4 ≤ |x| < 1e16. */
function g16(x) {
  if (!Number.isFinite(x)) throw new XlsxUnsupported(`number cell ${x}`);
  if (x === 0) return Object.is(x, -0) ? "-0" : "0";
  if (Number.isInteger(x) && Math.abs(x) < 1e16) return String(x); // at most 16 digits: exactly its digits
  const [mant, e] = Math.abs(x).toExponential(15).split("e");
  const exp = Number(e), digits = mant.replace(".", ""), sign = x < 0 ? "-" : "";
  if (exp < -4 || exp >= 16) {
    const frac = digits.slice(1).replace(/0+$/, "");
    return `${sign}${digits[0]}${frac ? "." + frac : ""}E${exp < 0 ? "-" : "+"}${String(Math.abs(exp)).padStart(2, "0")}`;
  }
  const fixed = exp >= 0 ? `${digits.slice(0, exp + 1)}.${digits.slice(exp + 1)}` : `0.${"0".repeat(-exp - 1)}${digits}`;
  return sign + fixed.replace(/0+$/, "").replace(/\.$/, "");
}

/** A text cell a spreadsheet would read as a formula (docs/outputs.md §1.1): it gets the quote-prefix style. */
function startsFormula(v) {
  const c = v.charCodeAt(0);
  return (c === 61 || c === 43 || c === 45 || c === 64 || c === 9 || c === 13 || c === 10) && !/^[+-]?[0-9]+(\.[0-9]+)?$/.test(v);
}

const xmlText = (s) => (/[&<>]/.test(s) ? s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;") : s);
/** docs/xlsx.md § Shared strings: _xHHHH_ written literally is protected, then control characters and U+FFFE/U+FFFF escaped. */
function escapeControls(s) {
  if (!/[\x00-\x08\x0b-\x1f_\ufffe\uffff]/.test(s)) return s;
  return s.replace(/(_x[0-9a-fA-F]{4}_)/g, "_x005F$1")
    .replace(/[\x00-\x08\x0b-\x1f]/g, (c) => `_x${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, "0")}_`)
    .replace(/\ufffe/g, "_xFFFE_").replace(/\uffff/g, "_xFFFF_");
}
/** Python's \s, less the characters escapeControls has already replaced. */
const XLSX_SPACE = "\\t\\n \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000";
const XLSX_EDGE_SPACE = new RegExp(`^[${XLSX_SPACE}]|[${XLSX_SPACE}]$`);
function sharedStringXml(s) {
  const text = escapeControls(s);
  if (text.startsWith("<r>") && text.endsWith("</r>")) return `<si>${text}</si>`; // XlsxWriter takes it for rich text
  return `<si><t${XLSX_EDGE_SPACE.test(text) ? ' xml:space="preserve"' : ""}>${xmlText(text)}</t></si>`;
}
/** A string as the cell stores it: at most 32,767 UTF-16 units, never half a surrogate pair. */
function cellString(s) {
  if (s.length <= 32767) return s;
  const cut = s.slice(0, 32767);
  const last = cut.charCodeAt(32766);
  return last >= 0xd800 && last < 0xdc00 ? cut.slice(0, 32766) : cut;
}

function columnName(c) {
  let name = "";
  for (let n = c + 1; n > 0; n = Math.floor((n - 1) / 26)) name = String.fromCharCode(65 + ((n - 1) % 26)) + name;
  return name;
}

/** The cell formats (docs/xlsx.md § Styles), numbered in the order the sheets' XML first uses them. */
const XLSX_FORMATS = {
  title: { font: '<b/><sz val="12"/><color theme="1"/>', fill: false, border: false, extra: ' applyFont="1" applyAlignment="1"><alignment vertical="top" wrapText="1"/></xf>' },
  practiceTitle: { font: '<b/><sz val="12"/><color rgb="FFC00000"/>', fill: false, border: false, extra: ' applyFont="1" applyAlignment="1"><alignment vertical="top" wrapText="1"/></xf>' },
  header: { font: '<b/><sz val="11"/><color theme="1"/>', fill: true, border: true, extra: ' applyFont="1" applyFill="1" applyBorder="1"/>' },
  quoted: { font: null, fill: false, border: false, extra: ' quotePrefix="1"/>' },
};
const XLSX_FONT_TAIL = '<name val="Calibri"/><family val="2"/><scheme val="minor"/></font>';
const XLSX_DEFAULT_FONT = '<sz val="11"/><color theme="1"/>';

function stylesXml(used) {
  const fonts = [XLSX_DEFAULT_FONT], xfs = ['<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'];
  let fills = 2, borders = 1;
  for (const kind of used) {
    const f = XLSX_FORMATS[kind];
    let font = 0;
    if (f.font !== null) { font = fonts.indexOf(f.font); if (font < 0) font = fonts.push(f.font) - 1; }
    const fill = f.fill ? fills++ : 0, border = f.border ? borders++ : 0;
    xfs.push(`<xf numFmtId="0" fontId="${font}" fillId="${fill}" borderId="${border}" xfId="0"${f.extra}`);
  }
  const fill = '<fill><patternFill patternType="solid"><fgColor rgb="FFEEEEEE"/><bgColor indexed="64"/></patternFill></fill>';
  const border = '<border><left/><right/><top/><bottom style="thin"><color auto="1"/></bottom><diagonal/></border>';
  return `${XML_HEAD}<styleSheet xmlns="${NS_MAIN}"><fonts count="${fonts.length}">${fonts.map((f) => `<font>${f}${XLSX_FONT_TAIL}`).join("")}</fonts>`
    + `<fills count="${fills}"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill>${fill.repeat(fills - 2)}</fills>`
    + `<borders count="${borders}"><border><left/><right/><top/><bottom/><diagonal/></border>${border.repeat(borders - 1)}</borders>`
    + '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    + `<cellXfs count="${xfs.length}">${xfs.join("")}</cellXfs><cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>`
    + '<dxfs count="0"/><tableStyles count="0" defaultTableStyle="TableStyleMedium9" defaultPivotStyle="PivotStyleLight16"/></styleSheet>';
}

const COLUMN_NAMES = [];
const columnRef = (c) => COLUMN_NAMES[c] ?? (COLUMN_NAMES[c] = columnName(c));

/**
 * The XML of one sheet laid out as docs/xlsx.md § Layout says, ``index`` its place in the workbook. ``sst`` is the
 * workbook's shared string table and ``xf(format)`` its style numbers, both filled in the order Python fills them:
 * strings as the cells are written (headers, rows, then the title), styles as the XML uses them (title row, header
 * row, then the first formula-like text). Rows are written once their 16-row block's span is known.
 */
function sheetXml(sheet, index, sst, xf) {
  const header = sheet.header, widths = header.map(displayWidth);
  const titleFormat = sheet.title.practice ? "practiceTitle" : "title";
  const titleStyle = xf(titleFormat), headerStyle = header.length ? xf("header") : 0;
  const rows = []; // [row number, first column, last column, cells' XML]
  if (header.length) rows.push([2, 0, header.length - 1, header.map((h, c) => `<c r="${columnRef(c)}2" s="${headerStyle}" t="s"><v>${sst.add(h)}</v></c>`).join("")]);
  let maxCol = header.length - 1;
  sheet.rows.forEach((row, i) => {
    const n = i + 3;
    let xml = "", lo = -1, hi = -1;
    for (let c = 0; c < row.length; c++) {
      const v = row[c];
      if (v === null || v === undefined || v === "") continue;
      let text;
      if (typeof v === "number") { xml += `<c r="${columnRef(c)}${n}"><v>${g16(v)}</v></c>`; text = String(v); }
      else if (typeof v === "string") {
        xml += `<c r="${columnRef(c)}${n}"${startsFormula(v) ? ` s="${xf("quoted")}"` : ""} t="s"><v>${sst.add(v)}</v></c>`;
        text = v;
      } else throw new XlsxUnsupported(`cell ${columnRef(c)}${n}: ${typeof v}`);
      if (c < widths.length) { const w = displayWidth(text); if (w > widths[c]) widths[c] = w; }
      if (lo < 0) lo = c;
      hi = c;
    }
    if (lo < 0) return;
    if (hi > maxCol) maxCol = hi;
    rows.push([n, lo, hi, xml]);
  });
  const L = XLSX_LAYOUT;
  const cols = widths.length ? widths.map((w) => Math.min(Math.max(w + 2, L.minWidth), L.maxWidth)) : [L.minWidth];
  const short = L.minTitleWidth - cols.reduce((a, b) => a + b, 0);
  if (short > 0) { const k = cols.length; cols.forEach((w, i) => { cols[i] = w + Math.floor(short / k) + (i < short % k ? 1 : 0); }); }
  const width = cols.reduce((a, b) => a + b, 0);
  const lines = sheet.title.lines;
  const textRows = lines.reduce((t, line) => t + Math.max(1, Math.ceil((displayWidth(line) * L.titleScale) / (width * 100))), 0);
  const text = lines.join("\n"); // merged over several columns an empty title is a blank cell (XlsxWriter's merge_range)
  let title = text === "" && cols.length > 1 ? `<c r="A1" s="${titleStyle}"/>` : `<c r="A1" s="${titleStyle}" t="s"><v>${sst.add(text)}</v></c>`;
  for (let c = 1; c < cols.length; c++) title += `<c r="${columnRef(c)}1" s="${titleStyle}"/>`;
  rows.unshift([1, 0, cols.length - 1, title]);
  maxCol = Math.max(maxCol, cols.length - 1);
  const spans = [];
  for (const [n, lo, hi] of rows) {
    const b = (n - 1) >> 4, s = spans[b];
    spans[b] = s ? [Math.min(s[0], lo), Math.max(s[1], hi)] : [lo, hi];
  }
  const lastRow = rows[rows.length - 1][0];
  const dimension = lastRow === 1 && maxCol === 0 ? "A1" : `A1:${columnRef(maxCol)}${lastRow}`;
  const colXml = [];
  for (let c = 0; c < cols.length;) {
    let end = c;
    while (end + 1 < cols.length && cols[end + 1] === cols[c]) end++;
    const px = Math.floor(cols[c] * 7 + 0.5) + 5;
    colXml.push(`<col min="${c + 1}" max="${end + 1}" width="${Math.floor((px * 256) / 7) / 256}" customWidth="1"/>`);
    c = end + 1;
  }
  const points = L.lineHeight * textRows + 4, height = Math.floor((points * 4) / 3 + 0.5) * 0.75;
  const out = [`${XML_HEAD}<worksheet xmlns="${NS_MAIN}" xmlns:r="${NS_REL}"><sheetPr><pageSetUpPr fitToPage="1"/></sheetPr>`
    + `<dimension ref="${dimension}"/><sheetViews><sheetView ${index === 0 ? 'tabSelected="1" ' : ""}workbookViewId="0">`
    + '<pane ySplit="2" topLeftCell="A3" activePane="bottomLeft" state="frozen"/><selection pane="bottomLeft"/></sheetView></sheetViews>'
    + `<sheetFormatPr defaultRowHeight="15"/><cols>${colXml.join("")}</cols><sheetData>`];
  for (const [n, , , xml] of rows) {
    const [lo, hi] = spans[(n - 1) >> 4];
    out.push(`<row r="${n}" spans="${lo + 1}:${hi + 1}"${n === 1 ? ` ht="${height}" customHeight="1"` : ""}>${xml}</row>`);
  }
  out.push("</sheetData>");
  if (cols.length > 1) out.push(`<mergeCells count="1"><mergeCell ref="A1:${columnRef(cols.length - 1)}1"/></mergeCells>`);
  out.push('<pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/>'
    + `<pageSetup paperSize="9" fitToHeight="0" orientation="${width > L.portraitWidth ? "landscape" : "portrait"}"/></worksheet>`);
  return out.join("");
}

/** Sheet names are written unquoted in references: only names of letters, digits and _ that are not cell-like (ours are Chinese). */
function checkSheetName(name) {
  if (!/^[\p{L}\p{N}_]{1,31}$/u.test(name) || /^[A-Za-z]{1,3}\d+$|^[RrCc]/.test(name) || /^\d/.test(name)) {
    throw new XlsxUnsupported(`sheet name ${JSON.stringify(name)} would need quoting`);
  }
}

/** The XML parts of the workbook of ``sheets``, [zip member name, text] in the zip's order (docs/xlsx.md § Parts). */
function xlsxParts(sheets) {
  const sst = { index: new Map(), strings: [], count: 0,
    add(s) { s = cellString(s); this.count++; let k = this.index.get(s); if (k === undefined) { k = this.strings.push(s) - 1; this.index.set(s, k); } return k; } };
  const used = [];
  const xf = (kind) => { let k = used.indexOf(kind); if (k < 0) k = used.push(kind) - 1; return k + 1; };
  sheets.forEach((s) => checkSheetName(s.name));
  const sheetParts = sheets.map((s, i) => [`xl/worksheets/sheet${i + 1}.xml`, sheetXml(s, i, sst, xf)]);
  const n = sheets.length;
  const rel = (id, type, target) => `<Relationship Id="rId${id}" Type="${type}" Target="${target}"/>`;
  const office = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
  const ct = (part, type) => `<Override PartName="${part}" ContentType="application/vnd.openxmlformats-${type}"/>`;
  const names = sheets.map((s, i) => [s.name, i]).sort((a, b) => cmpCodePoints(a[0].toLowerCase(), b[0].toLowerCase()) || a[1] - b[1]);
  return [
    ["[Content_Types].xml", `${XML_HEAD}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">`
      + '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
      + ct("/docProps/app.xml", "officedocument.extended-properties+xml") + ct("/docProps/core.xml", "package.core-properties+xml")
      + ct("/xl/styles.xml", "officedocument.spreadsheetml.styles+xml") + ct("/xl/theme/theme1.xml", "officedocument.theme+xml")
      + ct("/xl/workbook.xml", "officedocument.spreadsheetml.sheet.main+xml")
      + sheets.map((_, i) => ct(`/xl/worksheets/sheet${i + 1}.xml`, "officedocument.spreadsheetml.worksheet+xml")).join("")
      + ct("/xl/sharedStrings.xml", "officedocument.spreadsheetml.sharedStrings+xml") + "</Types>"],
    ["_rels/.rels", `${XML_HEAD}<Relationships xmlns="${NS_PKG_REL}">${rel(1, `${office}/officeDocument`, "xl/workbook.xml")}`
      + `${rel(2, "http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties", "docProps/core.xml")}`
      + `${rel(3, `${office}/extended-properties`, "docProps/app.xml")}</Relationships>`],
    ["xl/_rels/workbook.xml.rels", `${XML_HEAD}<Relationships xmlns="${NS_PKG_REL}">`
      + sheets.map((_, i) => rel(i + 1, `${office}/worksheet`, `worksheets/sheet${i + 1}.xml`)).join("")
      + rel(n + 1, `${office}/theme`, "theme/theme1.xml") + rel(n + 2, `${office}/styles`, "styles.xml")
      + rel(n + 3, `${office}/sharedStrings`, "sharedStrings.xml") + "</Relationships>"],
    ...sheetParts,
    ["xl/workbook.xml", `${XML_HEAD}<workbook xmlns="${NS_MAIN}" xmlns:r="${NS_REL}"><fileVersion appName="xl" lastEdited="4" lowestEdited="4" rupBuild="4505"/>`
      + '<workbookPr defaultThemeVersion="124226"/><bookViews><workbookView xWindow="240" yWindow="15" windowWidth="16095" windowHeight="9660"/></bookViews>'
      + `<sheets>${sheets.map((s, i) => `<sheet name="${s.name}" sheetId="${i + 1}" r:id="rId${i + 1}"/>`).join("")}</sheets>`
      + `<definedNames>${names.map(([name, i]) => `<definedName name="_xlnm.Print_Titles" localSheetId="${i}">${name}!$1:$2</definedName>`).join("")}</definedNames>`
      + '<calcPr calcId="124519" fullCalcOnLoad="1"/></workbook>'],
    ["xl/sharedStrings.xml", `${XML_HEAD}<sst xmlns="${NS_MAIN}" count="${sst.count}" uniqueCount="${sst.strings.length}">${sst.strings.map(sharedStringXml).join("")}</sst>`],
    ["xl/styles.xml", stylesXml(used)],
    ["xl/theme/theme1.xml", XML_HEAD + XLSX_THEME],
    ["docProps/core.xml", `${XML_HEAD}<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" `
      + 'xmlns:dcterms="http://purl.org/dc/terms/" xmlns:dcmitype="http://purl.org/dc/dcmitype/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
      + '<dc:creator></dc:creator><cp:lastModifiedBy></cp:lastModifiedBy><dcterms:created xsi:type="dcterms:W3CDTF">2000-01-01T00:00:00Z</dcterms:created>'
      + '<dcterms:modified xsi:type="dcterms:W3CDTF">2000-01-01T00:00:00Z</dcterms:modified></cp:coreProperties>'],
    ["docProps/app.xml", `${XML_HEAD}<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties" xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">`
      + '<Application>Microsoft Excel</Application><DocSecurity>0</DocSecurity><ScaleCrop>false</ScaleCrop><HeadingPairs><vt:vector size="4" baseType="variant">'
      + `<vt:variant><vt:lpstr>Worksheets</vt:lpstr></vt:variant><vt:variant><vt:i4>${n}</vt:i4></vt:variant><vt:variant><vt:lpstr>Named Ranges</vt:lpstr></vt:variant>`
      + `<vt:variant><vt:i4>${n}</vt:i4></vt:variant></vt:vector></HeadingPairs><TitlesOfParts><vt:vector size="${2 * n}" baseType="lpstr">`
      + sheets.map((s) => `<vt:lpstr>${s.name}</vt:lpstr>`).join("") + names.map(([name]) => `<vt:lpstr>${name}!Print_Titles</vt:lpstr>`).join("")
      + "</vt:vector></TitlesOfParts><Company></Company><LinksUpToDate>false</LinksUpToDate><SharedDoc>false</SharedDoc>"
      + "<HyperlinksChanged>false</HyperlinksChanged><AppVersion>12.0000</AppVersion></Properties>"],
  ];
}

/**
 * The zip of ``members`` ([name, bytes]) as Python's zipfile writes it (docs/xlsx.md § Container): a local header
 * per member (version 20, no flags, deflate, 1980-01-01 00:00, CRC-32 and sizes, no extra field), the raw
 * deflate stream (zlib level 6, 15-bit window, memLevel 8: pako), then the central directory and its end record.
 */
function zipBytes(members) {
  const parts = [], central = [];
  let offset = 0;
  for (const [name, data] of members) {
    if (!/^[\x20-\x7e]+$/.test(name)) throw new XlsxUnsupported(`zip member name ${name}`);
    const nameBytes = utf8(name), packed = pako.deflateRaw(data, { level: 6, windowBits: 15, memLevel: 8, strategy: 0 });
    const local = new DataView(new ArrayBuffer(30));
    const common = (h, at) => {
      h.setUint16(at, 20, true); h.setUint16(at + 2, 0, true); h.setUint16(at + 4, 8, true);
      h.setUint16(at + 6, 0, true); h.setUint16(at + 8, 0x21, true); h.setUint32(at + 10, crc32(data), true);
      h.setUint32(at + 14, packed.length, true); h.setUint32(at + 18, data.length, true); h.setUint16(at + 22, nameBytes.length, true);
    };
    local.setUint32(0, 0x04034b50, true); common(local, 4);
    const dir = new DataView(new ArrayBuffer(46));
    dir.setUint32(0, 0x02014b50, true); dir.setUint16(4, 0x0314, true); common(dir, 6);
    dir.setUint32(38, 0o600 << 16, true); dir.setUint32(42, offset, true);
    parts.push(new Uint8Array(local.buffer), nameBytes, packed);
    central.push(new Uint8Array(dir.buffer), nameBytes);
    offset += 30 + nameBytes.length + packed.length;
  }
  const cd = concatBytes(...central);
  const end = new DataView(new ArrayBuffer(22));
  end.setUint32(0, 0x06054b50, true); end.setUint16(8, members.length, true); end.setUint16(10, members.length, true);
  end.setUint32(12, cd.length, true); end.setUint32(16, offset, true);
  return concatBytes(...parts, cd, new Uint8Array(end.buffer));
}

/**
 * The bytes api/xlsx.py's xlsx_bytes writes for ``sheets``: [{name, title: {lines, practice}, header: [text],
 * rows: [[cell]]}], a cell a string (text), a number (a number cell: integers, or hundredths as h / 100) or
 * null / "" (no cell).
 */
function xlsxBytes(sheets) {
  return zipBytes(xlsxParts(sheets).map(([name, text]) => [name, utf8(text)]));
}

/**
 * The first difference between two workbooks, for a failure message (docs/verifier.md step 9): the first zip
 * member whose XML differs and the first differing line of it (each <row> of a sheet on a line of its own).
 */
async function xlsxDifference(name, expected, got) {
  let a, b;
  try { [a, b] = await Promise.all([readZip(expected), readZip(got)]); } catch (e) { return `${name}: not a readable zip (${e.message})`; }
  const names = [...new Set([...Object.keys(a), ...Object.keys(b)])];
  for (const member of names) {
    if (!(member in a) || !(member in b)) return `${name}: member ${member} ${member in a ? "missing" : "not expected"}`;
    if (equalBytes(a[member], b[member])) continue;
    const lines = (bytes) => UTF8_LOOSE.decode(bytes).replace(/<row /g, "\n<row ").split("\n");
    const x = lines(a[member]), y = lines(b[member]);
    for (let i = 0; i < Math.max(x.length, y.length); i++) {
      if (x[i] === y[i]) continue;
      const p = x[i] ?? "", q = y[i] ?? "";
      let k = 0;
      while (k < p.length && p[k] === q[k]) k++;
      const from = Math.max(0, p.lastIndexOf("<c ", k)); // from the cell that differs
      return `${name} ${member} line ${i + 1}: expected ${JSON.stringify(p.slice(from, from + 120))}, got ${JSON.stringify(q.slice(from, from + 120))}`;
    }
  }
  const order = (z) => Object.keys(z).join(", ");
  return `${name}: same XML parts, different zip bytes (member order expected ${order(a)}; got ${order(b)})`;
}

// ---- the run's facts in the title rows (docs/xlsx.md § Title row, audit/run_facts.py's rules) ----

const XLSX_KIND_NAMES = { lottery: "多校划片电脑随机派位 lottery", points: "随迁子女积分入学 points admission", classes: "阳光编班 class placement" };
const XLSX_PRACTICE_BANNER = "【练习运行 PRACTICE】不是正式结果，不能公示 (not an official result)";
/** A JSON value as Python's str() shows it (the seed record's fields in the seed-source line). */
const pyStr = (v) => (v === null || v === undefined ? "None" : v === true ? "True" : v === false ? "False" : String(v));

/** Where the seed came from, in Chinese, from the logged seed record. */
function seedSourceText(record) {
  if (!isObject(record) || record.mode === "practice") return "练习种子（操作员手动输入，不是公开仪式产生）";
  const inputs = isObject(record.inputs) ? record.inputs : {};
  const witnesses = (Array.isArray(inputs.contributions) ? inputs.contributions : []).map((c) => pyStr(c.witness));
  const pv = isObject(inputs.public_value) ? inputs.public_value : {};
  const pub = pv.source === "drand" ? `drand 公开随机数第 ${pyStr(pv.round)} 轮`
    : pv.source === "fallback" ? `声明的备用公开来源「${pyStr(pv.description)}」` : "公开值";
  return `公开仪式：见证人 ${witnesses.length ? witnesses.join("、") : "无"} 揭示的承诺值 + ${pub}`;
}

/** The facts the title rows show, from the verified log: kind, run id, practice mark, the last run.execute's time, seed source. */
function runFacts(kind, runId, practice, seedRecord, entries) {
  const executes = entries.filter((e) => e.action === "run.execute");
  const time = executes.length ? executes[executes.length - 1].time : null;
  return { kind, runId: String(runId), practice, time: practice ? null : time ?? null, seedSource: seedSourceText(seedRecord) };
}

/** A log time YYYY-MM-DDTHH:MM:SSZ in Beijing time (UTC+8), YYYY-MM-DD HH:MM:SS. */
function beijingTime(text) {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})Z$/.exec(String(text));
  if (!m) throw new Error(`not a log time YYYY-MM-DDTHH:MM:SSZ: ${JSON.stringify(text)}`);
  const t = new Date(Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]) + 8 * 3600 * 1000);
  const p = (n, w = 2) => String(n).padStart(w, "0");
  return `${p(t.getUTCFullYear(), 4)}-${p(t.getUTCMonth() + 1)}-${p(t.getUTCDate())} ${p(t.getUTCHours())}:${p(t.getUTCMinutes())}:${p(t.getUTCSeconds())}`;
}

/** The title row of a public list: what it is and which run it belongs to ({lines, practice}). */
function runTitle(what, seed, facts) {
  const seedLine = `随机种子 seed ${toHex(seed).slice(0, 16)}… · 以 bundle.zip 核验为准 (verify with bundle.zip)`;
  if (!facts) return { lines: [what, seedLine], practice: false };
  const run = `${XLSX_KIND_NAMES[facts.kind] ?? facts.kind} · 运行编号 run ${facts.runId}`;
  const when = facts.time !== null ? `运行时间 ${beijingTime(facts.time)}（北京时间 UTC+8）` : "运行时间：练习运行不记录时间 (practice: no time recorded)";
  return { lines: [...(facts.practice ? [XLSX_PRACTICE_BANNER] : []), what, run, when, `种子来源 seed：${facts.seedSource}`, seedLine], practice: facts.practice };
}

// ---- the workbooks of each kind (docs/outputs.md, docs/lottery.md §6, docs/points.md) ----

const XLSX_REASON_LABELS = { all_choices_full: "所有志愿学校已满", not_enough_seats_for_multiples: "剩余学位不足以同时录取多胞胎",
  no_preference_in_round2: "未填报二轮志愿", withdrawn: "已退出" };

/**
 * results_by_school.xlsx of a lottery from results.csv's rows ([id, number, tier, school, choice, round, reason, size])
 * and schools.csv's ([school, capacity, admitted, round 1, round 2, remaining, …]).
 */
function lotteryBySchoolXlsx(config, resultRows, schoolRows, seed, facts) {
  const names = new Map(config.schools.map((s) => [String(s.id), String(s.name || "")]));
  const title = runTitle("电脑随机派位结果 Lottery results", seed, facts);
  const admitted = [], unplaced = [];
  for (const [id, number, tier, school, choice, round, reason, size] of resultRows) {
    if (school) admitted.push([school, names.get(school) ?? "", id, number, tier, choice, round, size]);
    else unplaced.push([id, number, tier, XLSX_REASON_LABELS[reason] ?? reason, reason, size]);
  }
  admitted.sort((x, y) => cmpCodePoints(x[0], y[0]) || x[6] - y[6] || cmpCodePoints(x[3], y[3]) || cmpCodePoints(x[2], y[2]));
  const schools = schoolRows.map(([id, capacity, all, r1, r2, remaining]) => [id, names.get(id) ?? "", capacity, all, r1, r2, remaining]);
  return xlsxBytes([
    { name: "各校录取", title, header: ["学校代码", "学校名称", "报名号", "派位号", "类别", "志愿序号", "轮次", "同组人数"], rows: admitted },
    { name: "学校汇总", title, header: ["学校代码", "学校名称", "招生计划", "录取人数", "一轮录取", "二轮录取", "剩余学位"], rows: schools },
    { name: "未录取", title, header: ["报名号", "派位号", "类别", "原因", "原因代码", "同组人数"], rows: unplaced },
  ]);
}

const XLSX_LEVELS = { "": "", scope: "镇街", tier: "优先类别", total: "总积分", lottery: "随机抽签", joint: "并列" };
/** ranking.csv's decided_by code in Chinese: 分组「…」, 指标「…」, 字段「…」 by label; unknown codes unchanged. */
function decidedByLabel(rs, code) {
  if (code in XLSX_LEVELS) return XLSX_LEVELS[code];
  const at = code.indexOf(":"), kind = at < 0 ? code : code.slice(0, at), name = at < 0 ? "" : code.slice(at + 1);
  const found = kind === "group" ? rs.groups.find((g) => g.id === name) : kind === "item" ? rs.items.find((it) => it.id === name)
    : kind === "field" ? rs.fields.find((f) => f.name === name) : undefined;
  if (!found) return code;
  return kind === "group" ? `分组「${found.label}」` : kind === "item" ? `指标「${found.label}」` : `字段「${found.header}」`;
}

/**
 * publication.xlsx, and for at most XLSX_MAX_APPLICANTS applicants ranking.xlsx and results_by_school.xlsx, of a points
 * outcome: applicants in ``order`` (ranking.csv's), points as number cells (hundredths / 100), ``lines`` the admission lines.
 */
function pointsWorkbooks(out, order, lines, seed, facts) {
  const { rs, schools, ranking, second } = out;
  const rankOf = (a) => ranking.rank.get(a) || null;
  const school = (a) => (a.school >= 0 ? [schools[a.school].id, schools[a.school].name] : ["", ""]);
  const number = (h) => (h === 0 ? 0 : h / 100); // an integer of hundredths: never -0
  const title = (what) => runTitle(`${rs.name} ${what}`, seed, facts);
  const files = {
    "publication.xlsx": xlsxBytes([{ name: "公示名单", title: title("积分入学公示名单"),
      header: ["镇街", "排名", "申请编号", "姓名", "身份证号", "优先类别", "总积分", "结果", "学校代码", "录取学校"],
      rows: order.map((a) => [a.scope, rankOf(a), a.id, String(a.record.masked_name), String(a.record.masked_id), a.priority,
        number(a.score.total), resultLabel(out, a), ...school(a)]) }]),
  };
  if (out.apps.length > XLSX_MAX_APPLICANTS) return files;
  files["ranking.xlsx"] = xlsxBytes([{ name: "排名", title: title("积分排名"),
    header: ["镇街", "排名", "申请编号", "姓名", "身份证号", "优先类别", "资格", "总积分", ...rs.groups.map((g) => g.label), "排序依据", "派位号",
      "二次排位名次", "结果", "结果代码", "学校代码", "学校名称"],
    rows: order.map((a) => [a.scope, rankOf(a), a.id, String(a.record.masked_name), String(a.record.masked_id), a.priority,
      POINTS_ELIGIBILITY[a.status], number(a.score.total), ...a.score.groups.map(number), decidedByLabel(rs, ranking.decided.get(a) ?? ""),
      ranking.lottery.get(a) ?? "", second ? second.rank.get(a) || null : null, resultLabel(out, a), out.result(a), ...school(a)]) }]);
  const admitted = [], others = [];
  for (const a of order) {
    const [code, name] = school(a);
    if (code) admitted.push([code, a.round, rankOf(a) ?? 0, a.id, [code, name, a.scope, a.id, String(a.record.masked_name), number(a.score.total), rankOf(a),
      a.choice || null, a.round, resultLabel(out, a)]]);
    else others.push([a.scope, rankOf(a), a.id, String(a.record.masked_name), number(a.score.total), resultLabel(out, a), out.result(a)]);
  }
  admitted.sort((x, y) => cmpCodePoints(x[0], y[0]) || x[1] - y[1] || x[2] - y[2] || cmpCodePoints(x[3], y[3]));
  const t = title("各校录取结果");
  files["results_by_school.xlsx"] = xlsxBytes([
    { name: "各校录取", title: t, header: ["学校代码", "学校名称", "镇街", "申请编号", "姓名", "总积分", "排名", "志愿序号", "轮次", "结果"], rows: admitted.map((x) => x[4]) },
    { name: "学校汇总", title: t, header: ["学校代码", "学校名称", "镇街", "指标", "录取人数", "剩余学位", "录取分数线"],
      rows: schools.map((s, k) => [s.id, s.name, s.scope, s.quota, admitted.filter((x) => x[0] === s.id).length, Math.max(out.seats[k], 0),
        lines.has(k) ? number(lines.get(k)) : null]) },
    { name: "未录取", title: t, header: ["镇街", "排名", "申请编号", "姓名", "总积分", "结果", "结果代码"], rows: others },
  ]);
  return files;
}
