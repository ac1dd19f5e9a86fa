#!/usr/bin/env python3
"""pdf_links.py PDF -- check the contents' links of a fairaudit report.

Each link annotation's area must hold one contents entry (its title and
page number, read with pdftotext -bbox), its destination must be that
page, and the first line at or below the destination's top must be the
entry's title; there must be one link per bookmark but the contents'
own. Prints one line per link; exits 1 on the first fault, 0 when all
hold.
"""
import html
import json
import re
import subprocess
import sys


def fail(msg):
    print("pdf_links: " + msg, file=sys.stderr)
    sys.exit(1)


def words(pdf):
    """Per page (from 1): its height and its words as (x0, y0, x1, y1, text),
    y down from the top."""
    out = subprocess.run(["pdftotext", "-bbox", pdf, "-"], check=True,
                         capture_output=True, text=True).stdout
    pages = []
    for m in re.finditer(r'<page width="([\d.]+)" height="([\d.]+)">(.*?)</page>',
                         out, re.S):
        ws = []
        for w in re.finditer(r'<word xMin="([\d.]+)" yMin="([\d.]+)" '
                             r'xMax="([\d.]+)" yMax="([\d.]+)">(.*?)</word>',
                             m.group(3)):
            ws.append((float(w.group(1)), float(w.group(2)),
                       float(w.group(3)), float(w.group(4)),
                       html.unescape(w.group(5))))
        pages.append((float(m.group(2)), ws))
    return pages


def line_at(ws, top):
    """The words of the first line whose middle is at or below top."""
    below = [w for w in ws if (w[1] + w[3]) / 2 >= top]
    if not below:
        return []
    first = min(w[1] for w in below)
    return [w[4] for w in sorted(below, key=lambda w: w[0])
            if abs(w[1] - first) < 2]


def main():
    if len(sys.argv) != 2:
        fail("usage: pdf_links.py PDF")
    pdf = sys.argv[1]
    j = json.loads(subprocess.run(
        ["qpdf", "--json=1", "--json-key=pages", "--json-key=objects",
         "--json-key=outlines", pdf],
        check=True, capture_output=True, text=True).stdout)
    pageobj = [p["object"] for p in j["pages"]]
    objs = j["objects"]
    text = words(pdf)
    if len(text) != len(pageobj):
        fail("pdftotext and qpdf count different pages")
    nlinks = 0
    for n, po in enumerate(pageobj, 1):
        for a in objs[po].get("/Annots", []):
            ad = objs[a] if isinstance(a, str) else a
            if ad.get("/Subtype") != "/Link":
                continue
            nlinks += 1
            x0, y0, x1, y1 = ad["/Rect"]
            h, ws = text[n - 1]
            inside = [w for w in ws if w[0] >= x0 - 1 and w[2] <= x1 + 1 and
                      h - y1 - 1 <= (w[1] + w[3]) / 2 <= h - y0 + 1]
            inside.sort(key=lambda w: w[0])
            if len(inside) < 2 or not inside[-1][4].isdigit():
                fail(f"page {n}: link {ad['/Rect']} covers no contents entry")
            title = " ".join(w[4] for w in inside[:-1])
            shown = int(inside[-1][4])
            dest = ad.get("/Dest")
            if not isinstance(dest, list) or dest[1] != "/XYZ":
                fail(f"page {n}: '{title}': no /XYZ destination")
            to = pageobj.index(dest[0]) + 1
            if to != shown:
                fail(f"page {n}: '{title}' shows page {shown}, links to {to}")
            th, tws = text[to - 1]
            head = " ".join(line_at(tws, th - dest[3]))
            if head != title:
                fail(f"page {n}: '{title}' links to page {to} at "
                     f"'{head}'")
            print(f"{n} {to} {title}")
    # every bookmark but the contents' own is an entry of the contents
    def count(outlines):
        return sum(1 + count(o.get("kids", [])) for o in outlines)
    want = count(j["outlines"]) - 1
    if nlinks != want:
        fail(f"{nlinks} links for {want} contents entries")


main()
