"""The theme part every workbook carries (docs/xlsx.md § Parts: ``xl/theme/theme1.xml``).

XlsxWriter's fixed Office theme, the same bytes in every workbook we write (6,926 bytes after the XML
declaration; SHA-256 of the whole part in docs/xlsx.md, checked by tests/api/test_xlsx_writer.py). Kept apart
so the writer reads as the spec does; the page (api/pages/verifier/xlsx.js) carries the same constant. The
major (headings) and minor (body) font schemes differ only in the Latin face and four scripts' faces.
"""

__all__ = ["THEME_XML"]

#: The script fonts of the major scheme, in order; the minor scheme replaces the faces in _MINOR_FACES.
_SCRIPT_FONTS = (
    ("Jpan", "ＭＳ Ｐゴシック"), ("Hang", "맑은 고딕"),
    ("Hans", "宋体"), ("Hant", "新細明體"),
    ("Arab", "Times New Roman"), ("Hebr", "Times New Roman"), ("Thai", "Tahoma"), ("Ethi", "Nyala"),
    ("Beng", "Vrinda"), ("Gujr", "Shruti"),
    ("Khmr", "MoolBoran"), ("Knda", "Tunga"), ("Guru", "Raavi"), ("Cans", "Euphemia"),
    ("Cher", "Plantagenet Cherokee"), ("Yiii", "Microsoft Yi Baiti"), ("Tibt", "Microsoft Himalaya"),
    ("Thaa", "MV Boli"), ("Deva", "Mangal"), ("Telu", "Gautami"), ("Taml", "Latha"), ("Syrc", "Estrangelo Edessa"),
    ("Orya", "Kalinga"), ("Mlym", "Kartika"), ("Laoo", "DokChampa"), ("Sinh", "Iskoola Pota"),
    ("Mong", "Mongolian Baiti"), ("Viet", "Times New Roman"), ("Uigh", "Microsoft Uighur"),
)
_MINOR_FACES = {"Arab": "Arial", "Hebr": "Arial", "Khmr": "DaunPenh", "Viet": "Arial"}


def _font_scheme(tag: str, latin: str, faces: dict[str, str]) -> str:
    scripts = "".join(f'<a:font script="{s}" typeface="{faces.get(s, face)}"/>' for s, face in _SCRIPT_FONTS)
    return f'<a:{tag}><a:latin typeface="{latin}"/><a:ea typeface=""/><a:cs typeface=""/>{scripts}</a:{tag}>'


#: The part after the XML declaration line.
THEME_XML = (
    '<a:theme xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" name="Office Theme">'
    '<a:themeElements><a:clrScheme name="Office"><a:dk1><a:sysClr val="windowText" lastClr="000000"/>'
    '</a:dk1><a:lt1><a:sysClr val="window" lastClr="FFFFFF"/></a:lt1><a:dk2><a:srgbClr val="1F497D"/>'
    '</a:dk2><a:lt2><a:srgbClr val="EEECE1"/></a:lt2><a:accent1><a:srgbClr val="4F81BD"/></a:accent1>'
    '<a:accent2><a:srgbClr val="C0504D"/></a:accent2><a:accent3><a:srgbClr val="9BBB59"/></a:accent3>'
    '<a:accent4><a:srgbClr val="8064A2"/></a:accent4><a:accent5><a:srgbClr val="4BACC6"/></a:accent5>'
    '<a:accent6><a:srgbClr val="F79646"/></a:accent6><a:hlink><a:srgbClr val="0000FF"/></a:hlink>'
    '<a:folHlink><a:srgbClr val="800080"/></a:folHlink></a:clrScheme><a:fontScheme name="Office">'
    + _font_scheme("majorFont", "Cambria", {}) + _font_scheme("minorFont", "Calibri", _MINOR_FACES)
    + (
        '</a:fontScheme><a:fmtScheme name="Office"><a:fillStyleLst><a:solidFill><a:schemeClr val="phClr"/>'
        '</a:solidFill><a:gradFill rotWithShape="1"><a:gsLst><a:gs pos="0"><a:schemeClr val="phClr">'
        '<a:tint val="50000"/><a:satMod val="300000"/></a:schemeClr></a:gs><a:gs pos="35000">'
        '<a:schemeClr val="phClr"><a:tint val="37000"/><a:satMod val="300000"/></a:schemeClr></a:gs>'
        '<a:gs pos="100000"><a:schemeClr val="phClr"><a:tint val="15000"/><a:satMod val="350000"/>'
        '</a:schemeClr></a:gs></a:gsLst><a:lin ang="16200000" scaled="1"/></a:gradFill>'
        '<a:gradFill rotWithShape="1"><a:gsLst><a:gs pos="0"><a:schemeClr val="phClr"><a:shade val="51000"/>'
        '<a:satMod val="130000"/></a:schemeClr></a:gs><a:gs pos="80000"><a:schemeClr val="phClr">'
        '<a:shade val="93000"/><a:satMod val="130000"/></a:schemeClr></a:gs><a:gs pos="100000">'
        '<a:schemeClr val="phClr"><a:shade val="94000"/><a:satMod val="135000"/></a:schemeClr></a:gs>'
        '</a:gsLst><a:lin ang="16200000" scaled="0"/></a:gradFill></a:fillStyleLst><a:lnStyleLst>'
        '<a:ln w="9525" cap="flat" cmpd="sng" algn="ctr"><a:solidFill><a:schemeClr val="phClr">'
        '<a:shade val="95000"/><a:satMod val="105000"/></a:schemeClr></a:solidFill><a:prstDash val="solid"/>'
        '</a:ln><a:ln w="25400" cap="flat" cmpd="sng" algn="ctr"><a:solidFill><a:schemeClr val="phClr"/>'
        '</a:solidFill><a:prstDash val="solid"/></a:ln><a:ln w="38100" cap="flat" cmpd="sng" algn="ctr">'
        '<a:solidFill><a:schemeClr val="phClr"/></a:solidFill><a:prstDash val="solid"/></a:ln></a:lnStyleLst>'
        '<a:effectStyleLst><a:effectStyle><a:effectLst>'
        '<a:outerShdw blurRad="40000" dist="20000" dir="5400000" rotWithShape="0"><a:srgbClr val="000000">'
        '<a:alpha val="38000"/></a:srgbClr></a:outerShdw></a:effectLst></a:effectStyle><a:effectStyle>'
        '<a:effectLst><a:outerShdw blurRad="40000" dist="23000" dir="5400000" rotWithShape="0">'
        '<a:srgbClr val="000000"><a:alpha val="35000"/></a:srgbClr></a:outerShdw></a:effectLst>'
        '</a:effectStyle><a:effectStyle><a:effectLst>'
        '<a:outerShdw blurRad="40000" dist="23000" dir="5400000" rotWithShape="0"><a:srgbClr val="000000">'
        '<a:alpha val="35000"/></a:srgbClr></a:outerShdw></a:effectLst><a:scene3d>'
        '<a:camera prst="orthographicFront"><a:rot lat="0" lon="0" rev="0"/></a:camera>'
        '<a:lightRig rig="threePt" dir="t"><a:rot lat="0" lon="0" rev="1200000"/></a:lightRig></a:scene3d>'
        '<a:sp3d><a:bevelT w="63500" h="25400"/></a:sp3d></a:effectStyle></a:effectStyleLst>'
        '<a:bgFillStyleLst><a:solidFill><a:schemeClr val="phClr"/></a:solidFill><a:gradFill rotWithShape="1">'
        '<a:gsLst><a:gs pos="0"><a:schemeClr val="phClr"><a:tint val="40000"/><a:satMod val="350000"/>'
        '</a:schemeClr></a:gs><a:gs pos="40000"><a:schemeClr val="phClr"><a:tint val="45000"/>'
        '<a:shade val="99000"/><a:satMod val="350000"/></a:schemeClr></a:gs><a:gs pos="100000">'
        '<a:schemeClr val="phClr"><a:shade val="20000"/><a:satMod val="255000"/></a:schemeClr></a:gs>'
        '</a:gsLst><a:path path="circle"><a:fillToRect l="50000" t="-80000" r="50000" b="180000"/></a:path>'
        '</a:gradFill><a:gradFill rotWithShape="1"><a:gsLst><a:gs pos="0"><a:schemeClr val="phClr">'
        '<a:tint val="80000"/><a:satMod val="300000"/></a:schemeClr></a:gs><a:gs pos="100000">'
        '<a:schemeClr val="phClr"><a:shade val="30000"/><a:satMod val="200000"/></a:schemeClr></a:gs>'
        '</a:gsLst><a:path path="circle"><a:fillToRect l="50000" t="50000" r="50000" b="50000"/></a:path>'
        '</a:gradFill></a:bgFillStyleLst></a:fmtScheme></a:themeElements><a:objectDefaults/>'
        '<a:extraClrSchemeLst/></a:theme>'
    )
)
