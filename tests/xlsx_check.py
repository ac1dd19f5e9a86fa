#!/usr/bin/env python3
"""xlsx_check.py — checks a fairaudit workbook against its results.json.

Usage: python3 tests/xlsx_check.py WORKBOOK.xlsx RESULTS.json [--db STORE]
           [--text VALUE]...

1. Reads the archive's XML parts: every rate of the Groups sheet is a
   formula over the count cells of its own row, exactly the formula its
   metric's definition gives (re-derived here from the header); no other
   cell is a formula; every --text value (text from the input) is a shared
   string and appears in no formula; the document's created time is the
   run's; the named cells and the native charts exist.
2. Opens the workbook with LibreOffice twice (cached values, then every
   formula recalculated) and compares each sheet, as CSV, with
   results.json: every number to 1e-12 (relative), undefined values empty
   with their reason in the note; recalculated formulas equal the cached
   values to 1e-12; no error value (#DIV/0! ...) anywhere.
3. With --db, the Data quality sheet against the store's reject table.

Prints one line per failed check and a summary; exits 1 on any failure,
2 when it cannot run.
"""
import csv
import json
import math
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import zipfile
import xml.etree.ElementTree as ET

NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
      "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
      "rel": "http://schemas.openxmlformats.org/package/2006/relationships",
      "cp": "http://schemas.openxmlformats.org/package/2006/metadata/core-properties",
      "dcterms": "http://purl.org/dc/terms/"}
TOL = 1e-12
CONFUSION = ["base_rate", "selection_rate", "accuracy", "balanced_accuracy",
             "tpr", "fpr", "tnr", "fnr", "ppv", "npv", "fdr", "for", "f1"]
DISPARITY = ["base_rate", "selection_rate", "accuracy", "tpr", "fpr", "tnr",
             "fnr", "ppv", "npv", "fdr", "for", "auc"]
METRICS = ["base_rate", "selection_rate", "accuracy", "balanced_accuracy",
           "tpr", "fpr", "tnr", "fnr", "ppv", "npv", "fdr", "for", "f1",
           "auc", "brier", "mean_score"]
NO_LABEL = {"selection_rate", "mean_score"}
NEEDS_SCORE = {"auc", "brier", "mean_score"}
ERRORS = ("#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A", "Err:")

failures = []
checks = 0
CHART_REFS = []


def check(ok, what):
    global checks
    checks += 1
    if not ok:
        failures.append(what)
    return ok


def close(a, b):
    """a (from the sheet) equals b (from results.json) to TOL, relative."""
    if b is None:
        return a is None
    if a is None:
        return False
    slack = getattr(a, "half_ulp", 0.0)
    if b == 0:
        return abs(a) <= max(1e-300, slack)
    return abs(a - b) <= max(TOL * abs(b), slack * (1 + 1e-9))


class Num(float):
    """A number read from text, with the precision the text carries."""
    half_ulp = 0.0


def num(s):
    if s is None or s == "":
        return None
    try:
        v = Num(s)
    except ValueError:
        return None
    # LibreOffice writes some small numbers in fixed notation with 20
    # decimals (0.00000000000001399366): compare those to what they show;
    # any shorter text must match to TOL
    t = s.strip().lstrip("-")
    if "e" not in t.lower() and "." in t and len(t.split(".")[1]) >= 15:
        v.half_ulp = 0.5 * 10.0 ** -len(t.split(".")[1])
    return v


# ------------------------------------------------------------------
# The archive

def col_index(letters):
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n - 1


def col_letters(i):
    s = ""
    i += 1
    while i:
        i, rem = divmod(i - 1, 26)
        s = chr(65 + rem) + s
    return s


def read_archive(path):
    z = zipfile.ZipFile(path)
    names = z.namelist()
    check(len(names) == len(set(names)), "archive: duplicate member names")
    wb = ET.fromstring(z.read("xl/workbook.xml"))
    rels = ET.fromstring(z.read("xl/_rels/workbook.xml.rels"))
    target = {r.get("Id"): r.get("Target") for r in rels}
    sheets = {}
    for s in wb.find("m:sheets", NS):
        rid = s.get("{%s}id" % NS["r"])
        sheets[s.get("name")] = "xl/" + target[rid]
    strings = []
    if "xl/sharedStrings.xml" in names:
        sst = ET.fromstring(z.read("xl/sharedStrings.xml"))
        for si in sst.findall("m:si", NS):
            strings.append("".join(t.text or "" for t in si.iter(
                "{%s}t" % NS["m"])))
    cells = {}
    grids = {}
    for name, part in sheets.items():
        root = ET.fromstring(z.read(part))
        out = {}
        for c in root.iter("{%s}c" % NS["m"]):
            ref = c.get("r")
            m = re.match(r"([A-Z]+)(\d+)$", ref)
            f = c.find("m:f", NS)
            v = c.find("m:v", NS)
            out[(int(m.group(2)) - 1, col_index(m.group(1)))] = {
                "t": c.get("t"), "f": f.text if f is not None else None,
                "v": v.text if v is not None else None}
        cells[name] = out
        grids[name] = grid(out, strings)
    defined = {}
    dn = wb.find("m:definedNames", NS)
    if dn is not None:
        for d in dn:
            defined[d.get("name")] = d.text
    core = ET.fromstring(z.read("docProps/core.xml"))
    created = core.find("dcterms:created", NS)
    charts = sorted(n for n in names if re.match(r"xl/charts/chart\d+\.xml$",
                                                 n))
    refs = [re.findall(r"<c:f>([^<]*)</c:f>", z.read(n).decode())
            for n in charts]
    # a comparison's history chart (report --compare) apart
    history = [r for r in refs if r and all(x.startswith("History!")
                                            for x in r)]
    chart_refs = [r for r in refs if r not in history]
    return {"sheets": sheets, "cells": cells, "strings": strings,
            "grids": grids,
            "defined": defined,
            "created": created.text if created is not None else None,
            "charts": charts, "chart_refs": chart_refs,
            "history_refs": history}


def unescape(t):
    """A stored string as a spreadsheet shows it (_xHHHH_ decoded)."""
    return re.sub(r"_x([0-9A-Fa-f]{4})_", lambda m: chr(int(m.group(1), 16)),
                  t)


def grid(cells, strings):
    """A sheet's cached values as rows of text, like a CSV export: numbers
    as stored, strings as shown."""
    if not cells:
        return []
    nr = max(r for r, _ in cells) + 1
    nc = max(c for _, c in cells) + 1
    rows = [[""] * nc for _ in range(nr)]
    for (r, c), cell in cells.items():
        v = cell["v"] or ""
        if cell["t"] == "s":
            v = unescape(strings[int(v)])
        rows[r][c] = v
    return rows


def expected_formula(metric, c, row):
    """The formula of metric over the count columns c (letters), row
    1-based; re-derived from the metric definitions."""
    r = str(row)
    if "Selected" in c:
        s, n = c["Selected"] + r, c["Not selected"] + r
        if metric != "selection_rate":
            return None
        return 'IF(%s+%s=0,"",%s/(%s+%s))' % (s, n, s, s, n)
    tp, fp, tn, fn = (c[k] + r for k in ("TP", "FP", "TN", "FN"))
    allc = "%s+%s+%s+%s" % (tp, fp, tn, fn)
    ratio = {
        "base_rate": (allc, "(%s+%s)" % (tp, fn), "(%s)" % allc),
        "selection_rate": (allc, "(%s+%s)" % (tp, fp), "(%s)" % allc),
        "accuracy": (allc, "(%s+%s)" % (tp, tn), "(%s)" % allc),
        "tpr": ("%s+%s" % (tp, fn), tp, "(%s+%s)" % (tp, fn)),
        "fnr": ("%s+%s" % (tp, fn), fn, "(%s+%s)" % (tp, fn)),
        "tnr": ("%s+%s" % (tn, fp), tn, "(%s+%s)" % (tn, fp)),
        "fpr": ("%s+%s" % (tn, fp), fp, "(%s+%s)" % (tn, fp)),
        "ppv": ("%s+%s" % (tp, fp), tp, "(%s+%s)" % (tp, fp)),
        "fdr": ("%s+%s" % (tp, fp), fp, "(%s+%s)" % (tp, fp)),
        "npv": ("%s+%s" % (tn, fn), tn, "(%s+%s)" % (tn, fn)),
        "for": ("%s+%s" % (tn, fn), fn, "(%s+%s)" % (tn, fn)),
        "f1": ("2*%s+%s+%s" % (tp, fp, fn), "2*%s" % tp,
               "(2*%s+%s+%s)" % (tp, fp, fn)),
    }
    if metric in ratio:
        den, nu, den_p = ratio[metric]
        return 'IF(%s=0,"",%s/%s)' % (den, nu, den_p)
    if metric == "balanced_accuracy":
        return ('IF(OR(%s+%s=0,%s+%s=0),"",(%s/(%s+%s)+%s/(%s+%s))/2)'
                % (tp, fn, tn, fp, tp, tp, fn, tn, tn, fp))
    return None


def check_archive(a, res, texts):
    g = a["cells"].get("Groups")
    if not check(g is not None, "archive: no Groups sheet"):
        return
    head = {}
    ndims = len(res["dataset"]["columns"]["attributes"]) + \
        len(res["dataset"]["columns"]["segments"])
    for (r, c), cell in sorted(g.items()):
        if r == 0 and cell["t"] == "s" and c >= 2 + ndims:
            head.setdefault(a["strings"][int(cell["v"])], c)
    labelled = res["dataset"]["labelled"]
    count_names = ["TP", "FP", "TN", "FN"] if labelled else \
        ["Selected", "Not selected"]
    cols = {k: col_letters(head[k]) for k in count_names if k in head}
    check(len(cols) == len(count_names), "Groups: count columns %s" %
          count_names)
    formula_cols = {}
    for m in CONFUSION:
        if m in head and expected_formula(m, cols, 2):
            formula_cols[head[m]] = m
    if "scoring_rate" in head:
        formula_cols[head["scoring_rate"]] = "scoring_rate"
    nrows = 1 + len(res["groups"])
    # a suppressed group's row has no formula (rows 0: head, 1: overall)
    supp = {i + 2 for i, x in enumerate(res["groups"]) if x.get("suppressed")}
    seen = 0
    for (r, c), cell in sorted(g.items()):
        if r == 0 or r >= nrows + 1:
            continue
        if r in supp:
            check(cell["f"] is None, "Groups!%s%d: a formula in a suppressed "
                  "row" % (col_letters(c), r + 1))
            continue
        if c in formula_cols:
            m = formula_cols[c]
            if m == "scoring_rate":
                if cell["f"] is None:
                    continue
                w = col_letters(head["Weight"]) + str(r + 1)
                ab = col_letters(head["Above median"]) + str(r + 1)
                want = 'IF(%s=0,"",%s/%s)' % (w, ab, w)
            else:
                want = expected_formula(m, cols, r + 1)
            check(cell["f"] == want, "Groups!%s%d: formula %r, want %r" % (
                col_letters(c), r + 1, cell["f"], want))
            seen += 1
    check(seen >= (nrows - len(supp)) *
          len([m for m in formula_cols.values() if m != "scoring_rate"]),
          "Groups: %d rate formulas for %d rows" % (seen, nrows - len(supp)))
    # no other formula anywhere, and each formula reads its own row only
    for sheet, cs in a["cells"].items():
        for (r, c), cell in cs.items():
            if cell["f"] is None:
                continue
            ok = sheet == "Groups" and c in formula_cols
            check(ok, "%s!%s%d: unexpected formula %r" % (
                sheet, col_letters(c), r + 1, cell["f"]))
            rows = set(re.findall(r"[A-Z]+(\d+)", cell["f"]))
            check(rows == {str(r + 1)}, "%s!%s%d: formula %r reads another "
                  "row" % (sheet, col_letters(c), r + 1, cell["f"]))
    # text from the input is only ever a string
    shown = {unescape(x) for x in a["strings"]}
    for t in texts:
        check(t in shown, "shared strings lack the input text %r" % t)
        for sheet, cs in a["cells"].items():
            for (r, c), cell in cs.items():
                if cell["f"] is not None:
                    check(t not in cell["f"], "%s!%s%d: input text %r in a "
                          "formula" % (sheet, col_letters(c), r + 1, t))
                if cell["t"] == "str" or cell["t"] == "inlineStr":
                    check(cell["f"] is not None, "%s: non-shared string" %
                          sheet)
    check(a["created"] == res["run"]["created"],
          "core.xml created %r, want the run's %r" % (a["created"],
                                                      res["run"]["created"]))
    for name in ("Verdict", "RunId", "DatasetSHA256", "TemplateSHA256",
                 "Seed"):
        check(name in a["defined"], "no defined name %s" % name)
    nattr = len(res["dataset"]["columns"]["attributes"])
    check(len(a["chart_refs"]) == 2 * nattr, "%d charts for %d attributes" % (
        len(a["chart_refs"]), nattr))
    if "History" in a["sheets"]:
        # one line chart over the runs' rows (2 to 1 + runs)
        nruns = len([r for r in a["grids"]["History"][1:] if r and r[0]])
        check(len(a["history_refs"]) == 1, "%d history charts" %
              len(a["history_refs"]))
        for refs in a["history_refs"]:
            for x in refs:
                m = re.match(r"History!\$[A-Z]+\$(\d+):\$[A-Z]+\$(\d+)$", x)
                check(m and (int(m.group(1)), int(m.group(2))) ==
                      (2, 1 + nruns), "history chart reference %r" % x)
    else:
        check(not a["history_refs"], "a history chart without History")
    for refs in a["chart_refs"]:
        check(refs and all(x.startswith("Charts!") for x in refs),
              "chart references %r" % refs)


# ------------------------------------------------------------------
# LibreOffice

RECALC = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry"
 xmlns:xs="http://www.w3.org/2001/XMLSchema"
 xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load">
<prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>%d</value></prop>
</item>
</oor:items>
"""


def convert(path, tmp, recalc):
    """Every sheet of path as CSV rows, with formulas recalculated (recalc)
    or their cached values kept."""
    prof = os.path.join(tmp, "profile%d" % recalc)
    os.makedirs(os.path.join(prof, "user"), exist_ok=True)
    with open(os.path.join(prof, "user", "registrymodifications.xcu"),
              "w") as f:
        # 0: always recalculate; 1: never
        f.write(RECALC % (0 if recalc else 1))
    out = os.path.join(tmp, "csv%d" % recalc)
    os.makedirs(out, exist_ok=True)
    # 44 ',', 34 '"', 76 UTF-8, 1 first line; token 9 false: values as
    # stored, not as formatted; -1: every sheet
    filt = "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false," \
           "false,false,-1"
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    p = subprocess.run([soffice, "--headless", "--norestore",
                        "-env:UserInstallation=file://" + prof,
                        "--convert-to", filt, "--outdir", out, path],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       timeout=300)
    if p.returncode != 0:
        print("xlsx_check: libreoffice failed: %s" % p.stderr.decode(),
              file=sys.stderr)
        sys.exit(2)
    base = os.path.splitext(os.path.basename(path))[0]
    sheets = {}
    for f in os.listdir(out):
        if f.startswith(base + "-") and f.endswith(".csv"):
            with open(os.path.join(out, f), newline="", encoding="utf-8") as h:
                sheets[f[len(base) + 1:-4]] = list(csv.reader(h))
    return sheets


def display(t):
    """Text from the data as the workbook shows it: control, bidirectional
    and non-characters as <U+XXXX>."""
    return "".join("<U+%04X>" % ord(c)
                   if (ord(c) < 32 and c not in "\t\n") or
                   0x7f <= ord(c) < 0xa0 or
                   c in "\u061c\u200e\u200f\ufffe\uffff" or
                   0x202a <= ord(c) <= 0x202e or 0x2066 <= ord(c) <= 0x2069
                   else c for c in t)


def missing_label(v):
    return "(missing)" if v is None else display(v)


def group_key(g, dims):
    return (g["kind"], tuple(missing_label(g["attributes"].get(d))
                             if d in g["attributes"] else ""
                             for d in dims))


def rows_ok(cell, g):
    """A rows cell: "suppressed" for a suppressed group, else its n."""
    if g and g.get("suppressed"):
        return cell == "suppressed"
    return close(num(cell), g["n"] if g else 0)


def check_groups(sheet, res):
    dims = res["dataset"]["columns"]["attributes"] + \
        res["dataset"]["columns"]["segments"]
    head = sheet[0]
    col = {}
    for i, h in enumerate(head):
        if i >= 2 + len(dims):
            col.setdefault(h, i)
    check(head[2:2 + len(dims)] == dims, "Groups: dim columns %r" %
          head[2:2 + len(dims)])
    groups = [dict(res["overall"], kind="overall", attributes={})] + \
        res["groups"]
    check(len(sheet) - 1 == len(groups), "Groups: %d rows, want %d" % (
        len(sheet) - 1, len(groups)))
    weighted = res["dataset"]["weighted"]
    labelled = res["dataset"]["labelled"]
    for i, g in enumerate(groups):
        if i + 1 >= len(sheet):
            break
        row = sheet[i + 1]
        where = "Groups row %d" % (i + 2)
        check(row[1] == g["kind"], "%s: kind %r" % (where, row[1]))
        want = [missing_label(g["attributes"][d]) if d in g["attributes"]
                else "" for d in dims]
        check(row[2:2 + len(dims)] == want, "%s: values %r, want %r" % (
            where, row[2:2 + len(dims)], want))
        if g.get("suppressed"):
            # no number at all: rows, weight, counts say "suppressed"
            cols = ["Rows", "Weight"] + (
                ["TP", "FP", "TN", "FN"] if labelled
                else ["Selected", "Not selected"])
            for c in cols:
                check(row[col[c]] == "suppressed", "%s: %s %r, want "
                      "'suppressed'" % (where, c, row[col[c]]))
            for c in ("TP rows", "FP rows", "TN rows", "FN rows",
                      "Above median"):
                if c in col:
                    check(row[col[c]] in ("", "suppressed"),
                          "%s: %s %r" % (where, c, row[col[c]]))
            check(g["n"] is None and g["counts"] is None,
                  "%s: results.json shows numbers" % where)
        else:
            check(close(num(row[col["Rows"]]), g["n"]), "%s: rows" % where)
            check(close(num(row[col["Weight"]]), g["weight"]),
                  "%s: weight" % where)
        cnt = g["counts"]
        if g.get("suppressed"):
            pass
        elif labelled:
            for k in ("tp", "fp", "tn", "fn"):
                check(close(num(row[col[k.upper()]]), cnt[k]), "%s: %s" % (
                    where, k))
                if weighted:
                    check(close(num(row[col[k.upper() + " rows"]]),
                                cnt["rows"][k]), "%s: %s rows" % (where, k))
        else:
            sel = g["metrics"]["selection_rate"]
            if "num" in sel:
                check(close(num(row[col["Selected"]]), sel["num"]),
                      "%s: selected" % where)
                check(close(num(row[col["Selected"]]) +
                            num(row[col["Not selected"]]), sel["den"]),
                      "%s: decisions" % where)
        note = row[col["Note"]]
        for m, v in g["metrics"].items():
            if m not in col:
                check(v["value"] is None, "%s: %s missing" % (where, m))
                continue
            got = num(row[col[m]])
            if v["value"] is None:
                check(row[col[m]] == "", "%s: %s should be empty, is %r" % (
                    where, m, row[col[m]]))
                check(v["reason"] in note, "%s: note %r lacks %s's reason "
                      "%r" % (where, note, m, v["reason"]))
            else:
                check(close(got, v["value"]), "%s: %s %r, want %r" % (
                    where, m, got, v["value"]))
            for end, key in (("low", "ci_low"), ("high", "ci_high")):
                check(close(num(row[col["%s %s" % (m, end)]]),
                            v.get(key)), "%s: %s %s" % (where, m, end))
        if "scoring" in g and not g.get("suppressed"):
            check(close(num(row[col["Above median"]]),
                        g["scoring"]["above_median"]), "%s: above" % where)
            check(close(num(row[col["scoring_rate"]]), g["scoring"]["rate"]),
                  "%s: scoring rate" % where)


def label_of(g, dims_order):
    if g["kind"] == "overall":
        return "overall"
    return ", ".join("%s=%s" % (display(d), missing_label(g["attributes"][d]))
                     for d in dims_order if d in g["attributes"])


def dims_of(res):
    return res["dataset"]["columns"]["attributes"] + \
        res["dataset"]["columns"]["segments"]


def attr_label(attrs, dims):
    """A group's label as the workbook writes it, from its attributes."""
    if not attrs:
        return "overall"
    return ", ".join("%s=%s" % (display(d), missing_label(attrs[d]))
                     for d in dims if d in attrs)


def set_label(attrs, dims):
    return " \u00d7 ".join(display(d) for d in dims if d in attrs) or \
        "overall"


def group_index(res):
    """Every group (the population too) by its attributes."""
    idx = {(): dict(res["overall"], kind="overall", attributes={})}
    for g in res["groups"]:
        idx[tuple(sorted(g["attributes"].items(),
                         key=lambda kv: kv[0]))] = g
    return idx


def key_of(attrs):
    return tuple(sorted(attrs.items(), key=lambda kv: kv[0]))


RANK = {"fail": 3, "insufficient": 2, "pass": 1, "excluded": 0}


def worst_verdict(res, attrs, metric):
    found = [v for v in res.get("verdicts", [])
             if v["attributes"] == attrs and v["metric"] == metric and
             v["measure"] in ("ratio", "difference")]
    if not found:
        return None
    return max(found, key=lambda v: RANK[v["verdict"]])["verdict"]


def check_disparities(sheet, res):
    dims = res["dataset"]["columns"]["attributes"] + \
        res["dataset"]["columns"]["segments"]
    head = sheet[0]
    col = {h: i for i, h in enumerate(head)}
    idx = group_index(res)
    # the rows in order: each group with a reference, its metrics in the
    # program's order (labels of different groups may print alike)
    want = []
    for g in res["groups"]:
        if g.get("reference") is None:
            continue
        for m in METRICS:
            if m not in g.get("disparity", {}):
                continue
            if (not res["dataset"]["labelled"] and m not in NO_LABEL) or \
                    (not res["dataset"]["scored"] and m in NEEDS_SCORE):
                continue
            want.append((g, m, g["disparity"][m]))
    rows = [r for r in sheet[1:] if any(r)]
    check(len(rows) == len(want), "Disparities: %d rows, want %d" % (
        len(rows), len(want)))
    n = 0
    for row, (g, m, d) in zip(rows, want):
        gl = label_of(g, dims)
        if not check(row[col["Group"]] == gl and row[col["Metric"]] == m,
                     "Disparities: row %r %r, want %r %r" % (
                         row[col["Group"]], row[col["Metric"]], gl, m)):
            continue
        n += 1
        where = "Disparities %s %s" % (gl, m)
        check(close(num(row[col["Value"]]), g["metrics"][m]["value"]),
              where + ": value")
        check(close(num(row[col["Ratio"]]), d["ratio"]), where + ": ratio")
        check(close(num(row[col["Difference"]]), d["difference"]),
              where + ": difference")
        for k, lo, hi in (("ratio_ci", "Ratio low", "Ratio high"),
                          ("difference_ci", "Difference low",
                           "Difference high")):
            ci = d.get(k) or [None, None]
            check(close(num(row[col[lo]]), ci[0]) and
                  close(num(row[col[hi]]), ci[1]), where + ": " + k)
        check((row[col["Test"]] or None) == d.get("test"),
              where + ": test %r, want %r" % (row[col["Test"]],
                                              d.get("test")))
        if d.get("test"):
            check(close(num(row[col["p-value"]]), d["p_value"]),
                  where + ": p-value")
            check(close(num(row[col["Adjusted p-value"]]),
                        d["p_adjusted"]), where + ": adjusted p")
            check(close(num(row[col["Statistic"]]), d["statistic"]),
                  where + ": statistic")
        check(row[col["Evidence"]] == (d.get("evidence") or ""),
              where + ": evidence")
        check(close(num(row[col["MDR"]]), d.get("mdr")), where + ": mdr")
        check(row[col["Set"]] == set_label(g["attributes"], dims),
              where + ": set %r" % row[col["Set"]])
        ref = idx[key_of(g["reference"])]
        check(row[col["Reference"]] == attr_label(g["reference"], dims),
              where + ": reference %r" % row[col["Reference"]])
        check(close(num(row[col["Reference value"]]),
                    ref["metrics"][m]["value"]), where + ": reference value")
        wv = worst_verdict(res, g["attributes"], m)
        got = row[col["Verdict"]].split(" ")[0] or None
        check(got == wv, where + ": verdict %r, want %r" % (got, wv))
    check(n == len(want), "Disparities: %d of %d rows checked" % (
        n, len(want)))


def check_summary(sheet, res):
    kv = {r[0]: r[1] for r in sheet if len(r) > 1}
    verdict = res.get("verdict")
    got = kv.get("Overall verdict", "")
    if verdict:
        check(got.split(" ")[0] == verdict, "Summary: verdict %r, want %r" %
              (got, verdict))
    counts = {}
    for v in res.get("verdicts", []):
        counts[v["verdict"]] = counts.get(v["verdict"], 0) + 1
    for k in ("pass", "fail", "insufficient", "excluded"):
        check(close(num(kv.get("Verdicts " + k)), counts.get(k, 0)),
              "Summary: verdicts %s" % k)
    check(kv.get("Dataset SHA-256") == res["dataset"]["sha256"],
          "Summary: dataset hash")
    tmpl = res.get("template") or {}
    check(kv.get("Template SHA-256", "") == (tmpl.get("sha256") or ""),
          "Summary: template hash")
    check(close(num(kv.get("Run")), res["run"]["id"]), "Summary: run id")
    for k, key in (("Rows read", "rows_read"), ("Rows loaded", "rows_loaded"),
                   ("Rows rejected", "rows_rejected")):
        check(close(num(kv.get(k)), res["dataset"][key]), "Summary: " + k)
    check(close(num(kv.get("Groups")), len(res["groups"])), "Summary: groups")
    dims = dims_of(res)
    # the verdict table, in order
    start = next((i for i, r in enumerate(sheet) if r[:2] == ["Set", "Group"]),
                 None)
    vs = res.get("verdicts", [])
    if not vs:
        check(start is None, "Summary: a verdict table without verdicts")
        return
    if not check(start is not None, "Summary: no verdict table"):
        return
    head = sheet[start]
    col = {h: i for i, h in enumerate(head)}
    rows = sheet[start + 1:start + 1 + len(vs)]
    check(len(rows) == len(vs), "Summary: %d verdict rows, want %d" % (
        len(rows), len(vs)))
    for i, (row, v) in enumerate(zip(rows, vs)):
        where = "Summary verdict %d" % (i + 1)
        check(row[col["Verdict"]].split(" ")[0] == v["verdict"],
              where + ": verdict")
        check(row[col["Metric"]] == v["metric"] and
              row[col["Measure"]] == v["measure"], where + ": check")
        check(close(num(row[col["Value"]]), v["value"]), where + ": value")
        check(close(num(row[col["Minimum"]]), v.get("min")), where + ": min")
        check(close(num(row[col["Maximum"]]), v.get("max")), where + ": max")
        check(close(num(row[col["Adjusted p"]]), v.get("p_adjusted")),
              where + ": adjusted p")
        check(row[col["Rule"]] == v["rule"], where + ": rule")
        check(row[col["Set"]] == set_label(v["attributes"], dims) and
              row[col["Group"]] == attr_label(v["attributes"], dims),
              where + ": group %r" % row[col["Group"]])
        check(v["reason"] in row[col["Reason"]], where + ": reason")


def check_segments(sheet, res):
    head = sheet[0]
    col = {h: i for i, h in enumerate(head)}
    segs = [g for g in res["groups"] if g["kind"] == "segment"]
    if not segs:
        check(len(sheet) >= 2 and sheet[1][0].startswith("No segment"),
              "Segments: the no-segment line")
        return
    check(len(sheet) - 1 == len(segs), "Segments: %d rows, want %d" % (
        len(sheet) - 1, len(segs)))
    for row, g in zip(sheet[1:], segs):
        (name, val), = g["attributes"].items()
        where = "Segments %s=%s" % (name, val)
        check(row[0] == name and row[1] == missing_label(val),
              where + ": names")
        check(rows_ok(row[col["Rows"]], g), where + ": rows")
        for m in head[4:]:
            if m.endswith(" low") or m.endswith(" high") or m == "Note":
                continue
            v = g["metrics"][m]
            check(close(num(row[col[m]]), v["value"]), where + ": " + m)
            check(close(num(row[col[m + " low"]]), v.get("ci_low")),
                  where + ": %s low" % m)
            check(close(num(row[col[m + " high"]]), v.get("ci_high")),
                  where + ": %s high" % m)


def check_intersections(sheet, res):
    """Each intersection's matrix, position by position, against the
    matrix results.json implies: rows are the distinct tuples of all
    values but the last (a missing value is not the text "(missing)"),
    columns the distinct last values, both in group order."""
    sets = {}
    for g in res["groups"]:
        if g["kind"] == "intersection":
            sets.setdefault(tuple(g["attributes"]), []).append(g)
    titles = [(i, r[0]) for i, r in enumerate(sheet) if r and r[0] and
              re.match(r".*: .* \[(\w+)\] \(left\)|.*: \d+ x \d+ "
                       r"combinations are too many", r[0])]
    check(len(titles) == len(sets), "Intersections: %d blocks for %d sets" %
          (len(titles), len(sets)))
    for (i, title), (dims, groups) in zip(titles, sets.items()):
        name = " \u00d7 ".join(dims)
        if not check(title.startswith(name + ": "), "Intersections: block "
                     "%r for %r" % (title, name)):
            continue
        if "too many" in title:
            m = re.search(r"(\d+) x (\d+)", title)
            check(int(m.group(2)) > 1000 or
                  int(m.group(1)) * int(m.group(2)) > 100000,
                  "Intersections: %r is no large matrix" % title)
            continue
        metric = re.search(r"\[(\w+)\]", title).group(1)
        rows, cols, cell = [], [], {}
        for g in groups:
            v = [g["attributes"][d] for d in dims]
            lead, last = tuple(v[:-1]), v[-1]
            if lead not in rows:
                rows.append(lead)
            if last not in cols:
                cols.append(last)
            cell[(rows.index(lead), cols.index(last))] = g
        head = sheet[i + 1]
        want_head = [missing_label(c) for c in cols]
        check(head[1:1 + len(cols)] == want_head,
              "Intersections %s: columns %r, want %r" % (
                  name, head[1:1 + len(cols)], want_head))
        nc = len(cols)
        for ri, lead in enumerate(rows):
            r = sheet[i + 2 + ri] if i + 2 + ri < len(sheet) else []
            label = " / ".join(missing_label(x) for x in lead)
            if not check(r and r[0] == label, "Intersections %s: row %d is "
                         "%r, want %r" % (name, ri + 1, r[:1], label)):
                continue
            for j in range(nc):
                g = cell.get((ri, j))
                c = r[1 + j]
                where = "Intersections %s (%s, %s)" % (name, label,
                                                       want_head[j])
                if not check(c != "", where + ": blank cell"):
                    continue
                if g is not None and g.get("suppressed"):
                    check(c == "suppressed", where + ": %r" % c)
                elif g is None or g["n"] == 0:
                    check(c == "no rows", where + ": %r" % c)
                elif g["n"] < res["run"]["min_group"]:
                    check(c == "small (n=%d)" % g["n"], where + ": %r" % c)
                elif g["metrics"][metric]["value"] is None:
                    check(c == "n/a: " + g["metrics"][metric]["reason"],
                          where + ": %r" % c)
                else:
                    check(close(num(c), g["metrics"][metric]["value"]),
                          where + ": %r" % c)
                check(rows_ok(r[nc + 2 + j], g), where + ": rows")
        after = i + 2 + len(rows)
        check(after >= len(sheet) or not any(sheet[after]),
              "Intersections %s: more rows than the matrix has" % name)


def check_thresholds(sheet):
    if sheet is None:
        return
    head = sheet[0]
    col = {h: i for i, h in enumerate(head)}
    ratio_h = [h for h in head if h.startswith("Set ratio")][0]
    by = {}
    for row in sheet[1:]:
        by.setdefault((row[0], row[1]), []).append(row)
    for (s, t), rows in by.items():
        sel = [num(r[col["Selection rate"]]) for r in rows
               if r[col["Compared"]] == "yes"]
        ratio = num(rows[0][col[ratio_h]])
        if len(sel) >= 2 and max(sel) > 0:
            check(close(ratio, min(sel) / max(sel)),
                  "Thresholds %s %s: ratio %r" % (s, t, ratio))
        else:
            check(ratio is None, "Thresholds %s %s: ratio without two "
                  "groups" % (s, t))


def check_charts(sheet, res, chart_refs):
    dims = dims_of(res)
    attrs = res["dataset"]["columns"]["attributes"]
    blocks = []
    i = 0
    while i < len(sheet):
        row = sheet[i]
        m = re.match(r".* \[(\w+)\] by (.*) \(reference: ", row[0]) \
            if row and row[0] else None
        if not m:
            i += 1
            continue
        metric, attr = m.group(1), m.group(2)
        head = sheet[i + 1]
        col = {h: k for k, h in enumerate(head)}
        groups = [g for g in res["groups"] if g["kind"] == "attribute" and
                  list(g["attributes"]) == [attr]]
        j = i + 2
        for g in groups:
            if not check(j < len(sheet), "Charts %s: rows end early" % attr):
                break
            row = sheet[j]
            where = "Charts %s" % attr_label(g["attributes"], dims)
            is_ref = g.get("reference") == g["attributes"]
            want = "%s%s (%s)" % (missing_label(g["attributes"][attr]),
                                  " *" if is_ref else "",
                                  "suppressed" if g.get("suppressed")
                                  else g["n"])
            check(row[0] == want, where + ": label %r, want %r" % (row[0],
                                                                  want))
            check(rows_ok(row[col["Rows"]], g), where + ": rows")
            v = g["metrics"][metric]
            for h, k in (("Value", "value"), ("Low", "ci_low"),
                         ("High", "ci_high")):
                check(close(num(row[col[h]]), v.get(k)), where + ": " + h)
            d = g["disparity"][metric]
            ci = d.get("ratio_ci") or [None, None]
            check(close(num(row[col["Ratio"]]), d["ratio"]), where + ": ratio")
            check(close(num(row[col["Ratio low"]]), ci[0]) and
                  close(num(row[col["Ratio high"]]), ci[1]),
                  where + ": ratio interval")
            j += 1
        check(j >= len(sheet) or not any(sheet[j]),
              "Charts %s: more rows than groups" % attr)
        blocks.append((i + 3, j))
        i = j
    check(len(blocks) == len(attrs), "Charts: %d blocks for %d attributes" %
          (len(blocks), len(attrs)))
    # each chart reads one block's rows: names, then value, low and high
    for refs in chart_refs:
        spans, cols = set(), set()
        for x in refs:
            m = re.match(r"Charts!\$([A-Z]+)\$(\d+):\$([A-Z]+)\$(\d+)$", x)
            if not check(m and m.group(1) == m.group(3),
                         "chart reference %r" % x):
                continue
            spans.add((int(m.group(2)), int(m.group(4))))
            cols.add(m.group(1))
        check(len(spans) == 1 and next(iter(spans)) in blocks,
              "chart rows %r are no block's %r" % (spans, blocks))
        check(cols in ({"A", "C", "D", "E"}, {"A", "F", "G", "H"}),
              "chart columns %r" % sorted(cols))


def check_provenance(sheet, res):
    kv = {r[0]: r[1] for r in sheet if len(r) > 1}
    check(kv.get("Seed") == str(res["run"]["seed"]), "Provenance: seed")
    check(close(num(kv.get("Run")), res["run"]["id"]), "Provenance: run")
    check(kv.get("Dataset SHA-256") == res["dataset"]["sha256"],
          "Provenance: dataset hash")
    tmpl = res.get("template") or {}
    check(kv.get("Template (canonical JSON)", "") ==
          (tmpl.get("canonical") or ""), "Provenance: template text")
    check(kv.get("Command that reproduces the run", "").startswith(
        "fairaudit run "), "Provenance: command")


def check_quality(sheet, res, db):
    dims = dims_of(res)
    idx = group_index(res)
    # missing values per column: the size of the column's missing group
    i = next((j for j, r in enumerate(sheet) if r[:3] ==
              ["Column", "Kind", "Missing rows"]), None)
    if check(i is not None, "Data quality: no missing-values table"):
        for j, d in enumerate(dims):
            row = sheet[i + 1 + j]
            g = idx.get(((d, None),))
            check(row[0] == d and rows_ok(row[2], g),
                  "Data quality: missing %s: %r" % (d, row[:3]))
    if res["dataset"]["rows_rejected"] == 0:
        check(any(r and r[0] == "No row was rejected." for r in sheet),
              "Data quality: no-reject line")
        return
    i = next(j for j, r in enumerate(sheet) if r[:3] ==
             ["Reason", "Rows", "First line"]) + 1
    by_reason = {}
    while i < len(sheet) and sheet[i] and sheet[i][0]:
        by_reason[sheet[i][0]] = (int(num(sheet[i][1])),
                                  int(num(sheet[i][2])))
        i += 1
    check(sum(n for n, _ in by_reason.values()) ==
          res["dataset"]["rows_rejected"],
          "Data quality: rejects by reason %r, want %d in all" % (
              by_reason, res["dataset"]["rows_rejected"]))
    start = next(j for j, r in enumerate(sheet) if r[:2] == ["Line",
                                                              "Column"])
    listed = [r for r in sheet[start + 1:] if r and r[0]]
    lines = [int(num(r[0])) for r in listed]
    check(lines == sorted(lines), "Data quality: lines in order")
    if not db:
        return
    con = sqlite3.connect(db)
    dsid = res["dataset"]["id"]
    want = {r[0]: (r[1], r[2]) for r in con.execute(
        "SELECT reason, count(*), min(line) FROM reject WHERE dataset_id = ?"
        " GROUP BY reason", (dsid,))}
    check(by_reason == want, "Data quality: by reason %r, want %r" % (
        by_reason, want))
    rows = list(con.execute(
        "SELECT line, column_index, column_name, reason, value, raw FROM "
        "reject WHERE dataset_id = ? ORDER BY line, column_index LIMIT 1000",
        (dsid,)))
    con.close()
    check(len(rows) == len(listed), "Data quality: %d rejected rows listed, "
          "want %d" % (len(listed), len(rows)))
    for got, (line, column, name, reason, value, raw) in zip(listed, rows):
        where = "Data quality line %d" % line
        check(close(num(got[0]), line), where + ": line")
        check(close(num(got[1]), column) if column else got[1] == "",
              where + ": column")
        check(got[2] == (name or "") and got[3] == reason,
              where + ": %r" % got[2:4])
        for text, cell in ((value, got[4]), (raw, got[5])):
            t = plain(text)
            if t is not None:
                check(cell == t, where + ": %r, want %r" % (cell, t))


def plain(b):
    """b as text when no escaping applies to it (valid UTF-8, no control
    or bidirectional character), else None."""
    if b is None:
        return ""
    if isinstance(b, str):
        b = b.encode()
    try:
        t = b.decode("utf-8")
    except UnicodeDecodeError:
        return None
    if any((ord(c) < 32 and c not in "\t\n") or 0x7f <= ord(c) < 0xa0 or
           c in "\u061c\u200e\u200f\ufffe\uffff" or
           0x202a <= ord(c) <= 0x202e or 0x2066 <= ord(c) <= 0x2069
           for c in t) or len(b) > 32000:
        return None
    return t


def compare_recalc(cached, recalc):
    for name, rows in cached.items():
        other = recalc.get(name)
        if not check(other is not None and len(other) == len(rows),
                     "recalculated sheet %s differs in shape" % name):
            continue
        for r, (a, b) in enumerate(zip(rows, other)):
            check(len(a) == len(b), "%s row %d: %d cells recalculated, %d "
                  "cached" % (name, r + 1, len(b), len(a)))
            for c, (x, y) in enumerate(zip(a, b)):
                for v in (x, y):
                    check(not v.startswith(ERRORS), "%s!%s%d: error value "
                          "%r" % (name, col_letters(c), r + 1, v))
                if x == y:
                    continue
                nx, ny = num(x), num(y)
                check(nx is not None and ny is not None and close(ny, nx),
                      "%s!%s%d: recalculated %r, cached %r" % (
                          name, col_letters(c), r + 1, y, x))


def main(argv):
    args = argv[1:]
    texts = []
    db = None
    pos = []
    i = 0
    while i < len(args):
        if args[i] == "--text":
            texts.append(args[i + 1])
            i += 2
        elif args[i] == "--db":
            db = args[i + 1]
            i += 2
        else:
            pos.append(args[i])
            i += 1
    if len(pos) != 2:
        print(__doc__.split("\n\n")[1], file=sys.stderr)
        return 2
    if not (shutil.which("soffice") or shutil.which("libreoffice")):
        print("xlsx_check: LibreOffice (soffice) is needed", file=sys.stderr)
        return 2
    book, results = pos
    with open(results) as f:
        res = json.load(f)
    a = read_archive(book)
    global CHART_REFS
    CHART_REFS = a["chart_refs"]
    check_archive(a, res, texts)
    tmp = tempfile.mkdtemp(prefix="fa_xlsx.")
    try:
        cached = convert(book, tmp, 0)
        recalc = convert(book, tmp, 1)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    # the cached values as stored (16 digits), then as LibreOffice reads
    # them, then recalculated
    for label, sheets in (("xml", a["grids"]), ("libreoffice", cached)):
        before = len(failures)
        check_sheets(sheets, res, db)
        if len(failures) > before:
            failures.insert(before, "(the following in the %s view)" % label)
    if "Groups" in recalc:
        check_groups(recalc["Groups"], res)
    compare_recalc(cached, recalc)
    return report()


def check_sheets(cached, res, db):
    for name in ("Summary", "Groups", "Disparities", "Charts",
                 "Intersections", "Segments", "Data quality", "Definitions",
                 "Provenance"):
        check(name in cached, "no sheet %s" % name)
    check(("Thresholds" in cached) == (res["dataset"]["scored"] and
                                       res["dataset"]["labelled"]),
          "Thresholds sheet present only with scores and labels")
    if "Groups" in cached:
        check_groups(cached["Groups"], res)
    if "Disparities" in cached:
        check_disparities(cached["Disparities"], res)
    if "Summary" in cached:
        check_summary(cached["Summary"], res)
    if "Segments" in cached:
        check_segments(cached["Segments"], res)
    if "Intersections" in cached:
        check_intersections(cached["Intersections"], res)
    check_thresholds(cached.get("Thresholds"))
    if "Provenance" in cached:
        check_provenance(cached["Provenance"], res)
    if "Charts" in cached:
        check_charts(cached["Charts"], res, CHART_REFS)
    if "Data quality" in cached:
        check_quality(cached["Data quality"], res, db)


def report():
    for f in failures[:40]:
        print("FAIL: %s" % f)
    if len(failures) > 40:
        print("... %d more" % (len(failures) - 40))
    print("xlsx_check: %d checks, %d failed" % (checks, len(failures)))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
