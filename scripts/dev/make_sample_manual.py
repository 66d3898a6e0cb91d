#!/usr/bin/python3
"""Builds examples/data/low_cost_science_handbook.pdf, the sample manual the demo pipeline and
the required tests use. The text is original to this project (Apache-2.0, like the code).

It is deliberately shaped like the manuals DIETs upload: a running header and footer on every
page, numbered sections, a table (page 3), a two-column page, a page in Hindi, and one page that
is only a scanned image (no text layer), so ingestion's OCR path is exercised without the corpus.

Dev-time only (Debian: python3-reportlab, python3-pil, libraqm0, fonts-noto-core); the PDF is
committed so neither the build nor the tests need these packages.

    /usr/bin/python3 scripts/dev/make_sample_manual.py
"""
import io
import os

from PIL import Image, ImageDraw, ImageFont
from reportlab.lib.pagesizes import A4
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

NOTO = "/usr/share/fonts/truetype/noto/"
OUT = os.path.join(os.path.dirname(__file__), "..", "..", "examples", "data", "low_cost_science_handbook.pdf")
TOTAL = 8

pdfmetrics.registerFont(TTFont("Sans", NOTO + "NotoSans-Regular.ttf"))
pdfmetrics.registerFont(TTFont("SansBold", NOTO + "NotoSans-Bold.ttf"))
pdfmetrics.registerFont(TTFont("Deva", NOTO + "NotoSansDevanagari-Regular.ttf"))

W, H = A4
MARGIN = 60

# Drawn with lines and text (no image), so the reader extracts it as one text row per table row.
TABLE = {
    "caption": "Table 3.1 What the kitchen indicators show",
    "columns": ["Substance", "Turmeric paper", "Red cabbage juice", "Acid or base"],
    "widths": [0.28, 0.22, 0.27, 0.23],
    "rows": [
        ["Lemon juice", "stays yellow", "turns pink", "acid"],
        ["Vinegar", "stays yellow", "turns pink", "acid"],
        ["Curd", "stays yellow", "turns light pink", "acid"],
        ["Soap water", "turns red", "turns green", "base"],
        ["Baking soda solution", "turns red", "turns blue-green", "base"],
        ["Tap water", "stays yellow", "stays purple", "neutral"],
    ],
}

PAGES = [
    ("1 About this handbook", [
        "This handbook collects science activities that need no laboratory. Every activity uses materials "
        "that a teacher can find in a village market or a kitchen: lemons, turmeric, torch bulbs, used "
        "batteries, plastic bottles and string.",
        "It was written for teachers in clusters where schools have no science lab, unreliable electricity "
        "and large or multigrade classes. Each activity lists its materials, the steps, what students should "
        "observe, and two questions to check understanding.",
        "1.1 How to use this handbook",
        "Read the activity once before class and try it yourself. Divide the class into groups of five or "
        "six and give each student a role: materials keeper, reader, recorder, presenter and timekeeper. "
        "Rotate the roles every week so that every child speaks in front of the class.",
    ]),
    ("2 Electricity with everyday materials", [
        "A simple electric circuit needs a source of energy, a conductor and a device that uses the energy. "
        "A torch cell, two pieces of wire stripped at the ends and a torch bulb make a complete circuit.",
        "2.1 Activity: series and parallel circuits with torch bulbs",
        "Materials: two torch bulbs, two old cells, wires from a discarded charger, tape. Connect two bulbs "
        "one after the other in a single loop: this is a series circuit, and both bulbs glow dimly. Now "
        "connect each bulb on its own branch between the same two points: this is a parallel circuit, and "
        "both bulbs glow brightly. Remove one bulb from each circuit and ask students what happens to the "
        "other bulb. In the series circuit the other bulb goes out because the path is broken.",
        "2.2 Activity: a lemon battery",
        "Push a copper coin and a galvanised nail into a lemon. Join three lemons in series with wires and "
        "the voltage is enough to light a small LED. Students learn that a battery converts chemical energy "
        "into electrical energy.",
    ]),
    ("3 Acids and bases from the kitchen", [
        "Turmeric is a natural indicator. Turmeric paper stays yellow in acids but turns red in bases such "
        "as soap solution or lime water. Red cabbage juice changes colour across the whole range from acid "
        "to base and can be used instead of litmus paper.",
        "3.1 Activity: turmeric indicator strips",
        "Rub turmeric paste on strips of newspaper and let them dry. Students test lemon juice, vinegar, "
        "curd, soap water, baking soda solution and tap water, and record the colour of the strip. Ask them "
        "to sort the samples into acids, bases and neutral substances.",
        TABLE,
        "3.2 Safety",
        "Never ask students to taste or smell unknown liquids. Keep a bucket of water ready and wash hands "
        "after every activity.",
    ]),
    ("4 Teaching large classes", [
        "Classes of sixty or more students are common in urban schools. Lecturing to the whole class leaves "
        "most students passive. Short group tasks, think-pair-share and choral answers keep every student "
        "active without extra material.",
        "4.1 Think-pair-share",
        "Pose one question. Students think alone for one minute, discuss with a partner for two minutes, and "
        "then a few pairs share with the class. The teacher walks between rows and listens to the pairs.",
        "4.2 Managing materials",
        "Prepare kits in plastic bags before class, one kit per group. The materials keeper collects the kit "
        "and returns it. This saves time and keeps a crowded room orderly.",
    ]),
    ("5 Assessment without paper", [
        "Quick checks tell the teacher whether the class has understood before moving on. Thumbs up, thumbs "
        "sideways or thumbs down shows confidence at a glance. Exit questions at the end of the period show "
        "who needs help the next day.",
        "5.1 Exit questions for the electricity chapter",
        "Why does the second bulb go out in a series circuit? Name two materials that conduct electricity "
        "and two that do not. What energy change happens in a lemon battery?",
    ]),
]

TWO_COLUMN = ("6 Working with parents and the community", [
    "Parents can help collect materials. Send a note home listing lemons, old cells, bottles and newspaper. "
    "A materials corner in the classroom keeps everything in one place.",
    "Invite a local electrician or a farmer to talk about their work. Students prepare questions in "
    "advance and write a short report afterwards.",
    "Community members who speak the local language can explain difficult words. This helps first "
    "generation learners who do not speak the school language at home.",
    "Share students' work at the school gate on parents' day. Parents see what their children have made "
    "and are more willing to send materials.",
])

HINDI = ("7 प्रकाश संश्लेषण: पत्तियों में भोजन बनना", [
    "हरे पौधे सूर्य के प्रकाश की उपस्थिति में अपना भोजन स्वयं बनाते हैं। इस प्रक्रिया को प्रकाश संश्लेषण कहते हैं।",
    "गतिविधि: एक गमले के पौधे की दो पत्तियों को काले कागज़ से ढक दें और तीन दिन बाद खोलें।",
    "विद्यार्थी देखेंगे कि ढकी हुई पत्ती का रंग हल्का हो गया है क्योंकि उसे प्रकाश नहीं मिला।",
    "प्रश्न: पौधे को भोजन बनाने के लिए किन चीज़ों की आवश्यकता होती है?",
])

SCANNED = ("8 Multigrade classrooms", [
    "In a multigrade classroom one teacher teaches two or more grades together.",
    "Plan one common topic with tasks at different levels of difficulty.",
    "Older students can help younger ones read instructions aloud.",
    "Use a common starting activity, then split the grades into groups.",
    "Keep a weekly timetable on the wall so that every grade knows its tasks.",
])


def header_footer(c, number):
    c.setFont("Sans", 9)
    c.drawString(MARGIN, H - 35, "Low-Cost Science Handbook - DIET Teacher Training Series")
    c.drawRightString(W - MARGIN, 30, f"Page {number} of {TOTAL}")
    c.drawString(MARGIN, 30, "Shiksha-Setu sample manual")


def wrap(text, font, size, width):
    words, lines, line = text.split(), [], ""
    for w in words:
        trial = (line + " " + w).strip()
        if pdfmetrics.stringWidth(trial, font, size) > width and line:
            lines.append(line)
            line = w
        else:
            line = trial
    if line:
        lines.append(line)
    return lines


def draw_table(c, table, x, y, width):
    """Draws a ruled table with its caption from the top at y; returns the y below it."""
    c.setFont("SansBold", 11)
    c.drawString(x, y, table["caption"])
    y -= 10
    row_h = 18
    rows = [table["columns"]] + table["rows"]
    lefts = [x]
    for w in table["widths"]:
        lefts.append(lefts[-1] + w * width)
    top = y
    for r, row in enumerate(rows):
        c.setFont("SansBold" if r == 0 else "Sans", 10)
        for col, cell in enumerate(row):
            c.drawString(lefts[col] + 4, y - row_h + 5, cell)
        y -= row_h
    c.setLineWidth(0.6)
    for i in range(len(rows) + 1):
        c.line(x, top - i * row_h, x + width, top - i * row_h)
    for left in lefts:
        c.line(left, top, left, y)
    return y - 16


def text_page(c, number, title, paragraphs, font="Sans", columns=1):
    header_footer(c, number)
    y = H - 80
    c.setFont("SansBold" if font == "Sans" else font, 16)
    c.drawString(MARGIN, y, title)
    y -= 30
    col_width = (W - 2 * MARGIN - 20 * (columns - 1)) / columns
    col, top = 0, y
    for p in paragraphs:
        if isinstance(p, dict):
            y = draw_table(c, p, MARGIN + col * (col_width + 20), y, col_width)
            continue
        heading = p[:1].isdigit() and len(p) < 60
        size = 12.5 if heading else 11
        face = "SansBold" if heading and font == "Sans" else font
        for line in wrap(p, face, size, col_width):
            if y < 80:
                col, y = col + 1, top
            x = MARGIN + col * (col_width + 20)
            c.setFont(face, size)
            c.drawString(x, y, line)
            y -= size * 1.5
        y -= 8
    c.showPage()


def scanned_page(c, number, title, lines):
    dpi = 200
    img = Image.new("L", (int(W / 72 * dpi), int(H / 72 * dpi)), 255)
    d = ImageDraw.Draw(img)
    body = ImageFont.truetype(NOTO + "NotoSans-Regular.ttf", 34)
    bold = ImageFont.truetype(NOTO + "NotoSans-Bold.ttf", 44)
    d.text((160, 130), "Low-Cost Science Handbook - DIET Teacher Training Series", font=ImageFont.truetype(
        NOTO + "NotoSans-Regular.ttf", 25), fill=0)
    d.text((160, 260), title, font=bold, fill=0)
    y = 360
    for line in lines:
        d.text((160, y), line, font=body, fill=0)
        y += 62
    d.text((img.width - 520, img.height - 110), f"Page {number} of {TOTAL}", font=ImageFont.truetype(
        NOTO + "NotoSans-Regular.ttf", 25), fill=0)
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    buf.seek(0)
    c.drawImage(ImageReader(buf), 0, 0, width=W, height=H)
    c.showPage()


def main():
    c = canvas.Canvas(OUT, pagesize=A4, invariant=1)
    c.setTitle("Low-Cost Science Handbook")
    c.setAuthor("Shiksha-Setu sample content (Apache-2.0)")
    n = 1
    for title, paragraphs in PAGES:
        text_page(c, n, title, paragraphs)
        n += 1
    text_page(c, n, TWO_COLUMN[0], TWO_COLUMN[1], columns=2)
    n += 1
    text_page(c, n, HINDI[0], HINDI[1], font="Deva")
    n += 1
    scanned_page(c, n, SCANNED[0], SCANNED[1])
    c.save()
    print(OUT, os.path.getsize(OUT), "bytes")


if __name__ == "__main__":
    main()
