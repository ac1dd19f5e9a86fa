#!/usr/bin/env python3
"""xlsx_mutate.py — a copy of a workbook with one planted fault, so the
tests can show that xlsx_check.py finds it.

Usage: python3 tests/xlsx_mutate.py IN.xlsx OUT.xlsx KIND
KIND: formula  (a Groups rate formula reads one more cell)
      cached   (a cached Groups rate is off in its 12th digit)
      number   (a Disparities ratio is off in its 12th digit)
      injected (a text cell of the Groups sheet becomes a formula)
"""
import re
import sys
import zipfile


def sheet_part(z, name):
    wb = z.read("xl/workbook.xml").decode()
    rels = z.read("xl/_rels/workbook.xml.rels").decode()
    rid = re.search(r'<sheet name="%s" sheetId="\d+" r:id="(rId\d+)"' %
                    re.escape(name), wb).group(1)
    target = re.search(r'Id="%s"[^>]*Target="([^"]+)"' % rid, rels) or \
        re.search(r'Target="([^"]+)"[^>]*Id="%s"' % rid, rels)
    return "xl/" + target.group(1)


def off(v):
    x = float(v)
    return repr(x * (1 + 3e-12) if x else 1e-9)


def mutate(kind, z):
    if kind in ("formula", "cached", "injected"):
        part = sheet_part(z, "Groups")
    else:
        part = sheet_part(z, "Disparities")
    x = z.read(part).decode()
    if kind == "formula":
        m = re.search(r"<f>IF\(([A-Z]+)(\d+)\+", x)
        y = x[:m.start()] + "<f>IF(%s%s+0*A1+" % (m.group(1), m.group(2)) + \
            x[m.end():]
    elif kind == "cached":
        m = re.search(r"(<f>[^<]*</f><v>)([^<]+)(</v>)", x)
        y = x[:m.start(2)] + off(m.group(2)) + x[m.end(2):]
    elif kind == "number":
        # row 2, column G: the first ratio
        m = re.search(r'(<c r="G(?:[2-9]|\d\d+)" s="\d+"><v>)([^<]+)(</v>)',
                      x)
        y = x[:m.start(2)] + off(m.group(2)) + x[m.end(2):]
    elif kind == "injected":
        # the first string cell of row 2 (the set's name) as a formula
        m = re.search(r'<c r="(A2)"([^>]*) t="s"><v>\d+</v></c>', x)
        y = x[:m.start()] + '<c r="A2"%s t="str"><f>1+1</f><v>2</v></c>' % \
            m.group(2) + x[m.end():]
    else:
        raise SystemExit("xlsx_mutate: unknown kind %r" % kind)
    assert y != x
    return part, y.encode()


def main(argv):
    if len(argv) != 4:
        print(__doc__, file=sys.stderr)
        return 2
    src, dst, kind = argv[1:]
    with zipfile.ZipFile(src) as z:
        part, data = mutate(kind, z)
        with zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as out:
            for info in z.infolist():
                out.writestr(info, data if info.filename == part
                             else z.read(info.filename))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
