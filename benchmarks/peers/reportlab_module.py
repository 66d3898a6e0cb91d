"""The ReportLab peer of bench_export: lays out the same blocks with ReportLab's platypus (the
PDF library the original requirements name) and times it in-process.

    /usr/bin/python3 reportlab_module.py DOCUMENT.json OUT.pdf RUNS

DOCUMENT.json: {"page_size": "A4", "margin": 56, "header": str, "footer": str,
                "blocks": [{"kind": "heading1|heading2|heading3|paragraph|bullet|numbered|note",
                            "text": str, "number": int, "script": "Latin|Devanagari"}]}
Prints one JSON line: {"median_ms": float, "pages": int, "bytes": int}.

ReportLab draws glyphs by cmap without shaping, so Devanagari comes out with the short-i matra
after its consonant and conjuncts broken; that is the point of the comparison, not a bug here.
Blocks get the Noto font of their script (a block mixing scripts shows the other script's
letters only where the font has them).
"""

import json
import statistics
import sys
import time

from reportlab.lib.colors import HexColor
from reportlab.lib.pagesizes import A4, letter
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer
from xml.sax.saxutils import escape

NOTO = "/usr/share/fonts/truetype/noto/"
FONTS = {
    ("Latin", False): ("NotoSans", "NotoSans-Regular.ttf"),
    ("Latin", True): ("NotoSans-Bold", "NotoSans-Bold.ttf"),
    ("Devanagari", False): ("NotoSansDevanagari", "NotoSansDevanagari-Regular.ttf"),
    ("Devanagari", True): ("NotoSansDevanagari-Bold", "NotoSansDevanagari-Bold.ttf"),
}
SIZES = {"heading1": 20, "heading2": 15, "heading3": 12.5, "paragraph": 11, "bullet": 11,
         "numbered": 11, "note": 9}


def register_fonts():
    for name, file in FONTS.values():
        pdfmetrics.registerFont(TTFont(name, NOTO + file))


def flowables(doc):
    out = []
    for b in doc["blocks"]:
        kind = b["kind"]
        bold = kind.startswith("heading")
        font = FONTS[(b.get("script", "Latin"), bold)][0]
        size = SIZES[kind]
        indent = 18 if kind in ("bullet", "numbered") else 0
        style = ParagraphStyle(kind, fontName=font, fontSize=size, leading=size * 1.45,
                               leftIndent=indent, firstLineIndent=-indent if indent else 0,
                               spaceBefore=size * 0.6 if bold else 0, spaceAfter=size * 0.4,
                               textColor=HexColor("#555555") if kind == "note" else HexColor("#000000"))
        text = escape(b["text"])
        if kind == "bullet":
            text = "• " + text
        elif kind == "numbered":
            text = f"{b.get('number', 1)}. " + text
        out.append(Paragraph(text, style))
    return out


def render(doc, path):
    size = A4 if doc.get("page_size", "A4") == "A4" else letter
    margin = doc.get("margin", 56)
    pages = [0]

    def chrome(canvas, template):
        pages[0] = canvas.getPageNumber()
        canvas.saveState()
        canvas.setFont("NotoSans", 8)
        canvas.drawString(margin, size[1] - margin + 20, doc.get("header", ""))
        canvas.drawString(margin, margin - 24, doc.get("footer", ""))
        canvas.drawRightString(size[0] - margin, margin - 24, f"Page {canvas.getPageNumber()}")
        canvas.restoreState()

    template = SimpleDocTemplate(path, pagesize=size, leftMargin=margin, rightMargin=margin,
                                 topMargin=margin, bottomMargin=margin, title=doc.get("title", ""))
    template.build(flowables(doc) + [Spacer(1, 1)], onFirstPage=chrome, onLaterPages=chrome)
    return pages[0]


def main():
    doc_path, out_path, runs = sys.argv[1], sys.argv[2], int(sys.argv[3])
    with open(doc_path, encoding="utf-8") as f:
        doc = json.load(f)
    register_fonts()
    times, pages = [], 0
    for _ in range(runs):
        start = time.perf_counter()
        pages = render(doc, out_path)
        times.append((time.perf_counter() - start) * 1000)
    with open(out_path, "rb") as f:
        size = len(f.read())
    print(json.dumps({"median_ms": statistics.median(times), "pages": pages, "bytes": size}))


if __name__ == "__main__":
    main()
