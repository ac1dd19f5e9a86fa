#!/usr/bin/env python3
"""pack_tamper.py — damaged and hostile copies of an audit pack, each of
which `fairaudit verify` must reject, naming what is wrong.

Usage: python3 tests/pack_tamper.py FAIRAUDIT PACK.zip WORKDIR
       python3 tests/pack_tamper.py --suppressed FAIRAUDIT PACK.zip WORKDIR
       python3 tests/pack_tamper.py --rows FAIRAUDIT PACK.zip WORKDIR
       python3 tests/pack_tamper.py --values FAIRAUDIT PACK.zip WORKDIR

Cases:
- one bit flipped at a sweep of byte positions (every 1,499th byte, and
  every 29th of the last 8 kB, where the central directory lies);
- two members' contents swapped; one member's byte changed with the
  manifest's hash updated to match (caught by the recomputation or the
  canonical form); a count in cells.csv changed with its hash updated;
- members named ../x, /abs, a symlink, a name twice, a member that
  declares 4 GiB and a ZIP64 member that declares 2^64 - 16 bytes;
- a cells.csv with a short header and a manifest whose column mapping is
  not text (with --data), behind good hashes: rejected, never a crash.

With --suppressed (a pack of a run with --suppress and at least one
suppressed group) only these, each behind good hashes: a suppressed group
shown (its flag removed); a number put back into a suppressed group; a
shown group marked suppressed; the run's --suppress changed; and, as
the run (unweighted, without scores) is done again from its cells, a
verdict and a bootstrap interval's end changed.

With --rows (a pack made with --include-rows of a scored run with
verdicts) only these, behind good hashes: a label of rows.csv flipped,
or made unreadable (the error must name rows.csv, not a temporary copy);
an AUC, a bootstrap interval's end and a verdict of results.json changed
(none of which cells.csv can check; the run done again from the rows
does).

With --values (a pack of a scored, weighted run with verdicts, made
without --include-rows) only these, behind good hashes: one row's score
in values.csv moved, one row's weight changed, a cell's line removed
(leaving its segment lines), a count made not whole or 10^9, values.csv taken
out of the pack and its manifest; and an AUC, a weighted interval's end,
a bootstrap interval's end and a verdict of results.json changed (none
of which cells.csv can check; the run done again from values.csv does);
the smallest p-value moved by 5e-15 (no absolute slack but for
differences); a threshold put into results.json, and into it and the
manifest in place of the decision's column (values.csv's decisions are
then not their scores against it).

Prints one line per failed expectation and a summary; exits 1 when any
case is accepted, 2 when it cannot run.
"""
import hashlib
import json
import os
import stat
import struct
import subprocess
import sys
import warnings
import zipfile

warnings.simplefilter("ignore")  # the duplicate name is the point

STEP = 1499
failures = []
cases = 0


def verify(fa, path, *extra):
    r = subprocess.run([fa, "verify", path] + list(extra),
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    return r.returncode, r.stdout.decode("utf-8", "replace")


def expect_reject(fa, path, what, needle=None, extra=()):
    global cases
    cases += 1
    rc, out = verify(fa, path, *extra)
    if rc != 1:
        failures.append("%s: verify exit %d, want 1" % (what, rc))
    elif needle and not any(n in out for n in (
            needle if isinstance(needle, tuple) else (needle,))):
        failures.append("%s: the output does not name %r:\n%s" % (
            what, needle, out))


def members(path):
    with zipfile.ZipFile(path) as z:
        return [(i, z.read(i.filename)) for i in z.infolist()]


def write(path, items, fix=None):
    """A zip of (name or ZipInfo, bytes); fix(ZipInfo) may edit each."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for info, data in items:
            if isinstance(info, str):
                info = zipfile.ZipInfo(info, (1980, 1, 1, 0, 0, 0))
                info.compress_type = zipfile.ZIP_DEFLATED
                info.external_attr = 0o100644 << 16
            if fix:
                fix(info)
            z.writestr(info, data)


def rehash(items, name, data):
    """items with member name's bytes replaced and the manifest's entry
    for it updated to match."""
    out = []
    for info, d in items:
        if info.filename == name:
            d = data
        out.append((info, d))
    man = json.loads(dict((i.filename, d) for i, d in out)["manifest.json"])
    for f in man["files"]:
        if f["path"] == name:
            f["sha256"] = hashlib.sha256(data).hexdigest()
            f["size"] = len(data)
    text = (json.dumps(man, indent=1, sort_keys=True) + "\n").encode()
    return [(i, text if i.filename == "manifest.json" else d)
            for i, d in out]


def suppression_cases(fa, items, t):
    """A suppressed pack's results.json edited, its hash updated."""
    da = dict((i.filename, d) for i, d in items)
    res = json.loads(da["results.json"])
    supp = [i for i, g in enumerate(res["groups"]) if g.get("suppressed")]
    shown = [i for i, g in enumerate(res["groups"])
             if not g.get("suppressed") and g["kind"] != "overall"]
    if not supp or not shown:
        failures.append("the pack has no suppressed group and a shown one")
        return

    def put(what, edit, needle):
        r = json.loads(da["results.json"])
        edit(r)
        text = (json.dumps(r, indent=2) + "\n").encode()
        write(t, rehash(items, "results.json", text))
        expect_reject(fa, t, what, needle)

    def unflag(r):
        del r["groups"][supp[0]]["suppressed"]
    put("a suppressed group's flag removed", unflag, "is shown in results.json")

    def leak(r):
        r["groups"][supp[0]]["n"] = 7
    put("a number in a suppressed group", leak, "yet results.json shows its n")

    def leak_rate(r):
        m = r["groups"][supp[0]]["metrics"]["selection_rate"]
        m["value"] = 0.5
    put("a rate in a suppressed group", leak_rate,
        "yet results.json shows its metrics")

    def flag(r):
        r["groups"][shown[0]]["suppressed"] = True
    put("a shown group marked suppressed", flag, "is suppressed in "
        "results.json")

    def off(r):
        r["run"]["suppress"] = 0
    put("the run's --suppress set to 0", off, "with --suppress 0")

    # the run done again from the cells (unweighted, unscored) checks
    # what the cells alone cannot: a verdict, a bootstrap interval
    def verdict(r):
        v = r["verdicts"][0]
        v["verdict"] = "pass" if v["verdict"] != "pass" else "fail"
    put("a verdict changed", verdict, "verdicts[0].verdict")

    def boot(r):
        a = next(a for a in r["aggregates"] if a["ci"]
                 ["demographic_parity_ratio"] is not None)
        a["ci"]["demographic_parity_ratio"][1] += 1e-9
    put("a bootstrap interval's end nudged", boot,
        ".ci.demographic_parity_ratio[1]: results.json")


def rows_cases(fa, items, t):
    """A pack with rows.csv: the rows or what only they check, edited."""
    da = dict((i.filename, d) for i, d in items)
    if "rows.csv" not in da:
        failures.append("the pack has no rows.csv")
        return
    lines = da["rows.csv"].decode().split("\n")
    lines[1] = ("0" if lines[1][0] == "1" else "1") + lines[1][1:]
    write(t, rehash(items, "rows.csv", "\n".join(lines).encode()))
    expect_reject(fa, t, "a label of rows.csv flipped, hash updated",
                  "rows.csv is not the audited table")
    lines = da["rows.csv"].decode().split("\n")
    lines[0] = lines[0].replace('"pred"', '"prediction"')
    write(t, rehash(items, "rows.csv", "\n".join(lines).encode()))
    expect_reject(fa, t, "a column of rows.csv renamed, hash updated",
                  "rows.csv cannot be read: rows.csv:1: no column")
    if "fairaudit-rows" in verify(fa, t)[1]:
        failures.append("an error in rows.csv names the temporary copy")

    def put(what, edit, needle):
        r = json.loads(da["results.json"])
        edit(r)
        text = (json.dumps(r, indent=2) + "\n").encode()
        write(t, rehash(items, "results.json", text))
        expect_reject(fa, t, what, needle)

    def auc(r):
        g = next(g for g in r["groups"] if not g.get("suppressed") and
                 g["metrics"]["auc"]["value"] is not None)
        g["metrics"]["auc"]["value"] += 1e-6
    put("an AUC nudged by 1e-6", auc, ".metrics.auc.value: results.json")

    def boot(r):
        a = next(a for a in r["aggregates"] if a["ci"]
                 ["demographic_parity_ratio"] is not None)
        a["ci"]["demographic_parity_ratio"][0] -= 1e-9
    put("a bootstrap interval's end nudged", boot,
        ".ci.demographic_parity_ratio[0]: results.json")

    def verdict(r):
        v = r["verdicts"][0]
        v["verdict"] = "pass" if v["verdict"] != "pass" else "fail"
    put("a verdict changed", verdict, "verdicts[0].verdict")


def values_cases(fa, items, t):
    """A scored, weighted pack without rows: values.csv, or what only it
    checks, edited."""
    da = dict((i.filename, d) for i, d in items)
    if "values.csv" not in da or "rows.csv" in da:
        failures.append("the pack has no values.csv, or has rows.csv")
        return
    lines = da["values.csv"].decode().split("\n")
    # the last five fields: label, pred, score, weight, rows (the dims
    # before them may hold quoted commas)
    tail = ["label", "pred", "score", "weight", "rows"]
    cell = next(k for k, ln in enumerate(lines) if ln.startswith("cell,"))
    seg = next(k for k, ln in enumerate(lines) if ln.startswith('"segment:'))

    def fields(ln):
        return ln.rsplit(",", 5)

    def edit(what, k, col, value, needle):
        v = list(lines)
        f = fields(v[k])
        f[1 + tail.index(col)] = value
        v[k] = ",".join(f)
        write(t, rehash(items, "values.csv", "\n".join(v).encode()))
        expect_reject(fa, t, what, needle)

    f = fields(lines[cell])
    edit("a row's score in values.csv moved, hash updated", cell, "score",
         repr(float(f[3]) + 0.2),
         "values.csv's cells and segments do not add up")
    edit("a row's weight in values.csv changed, hash updated", cell,
         "weight", repr(float(f[4]) * 1.5),
         "values.csv's cells and segments do not add up")
    edit("a count of values.csv made not whole", seg, "rows", "1.5",
         "values.csv is malformed")
    edit("a cell's count of values.csv made 10^9 (a table too big to "
         "rebuild)", cell, "rows", "1000000000",
         "values.csv's cells do not hold the rows results.json says")
    # a line for the strata column, which the cells hold
    strata = json.loads(da["results.json"])["run"]["strata"]
    if strata:
        n = len(fields(lines[cell])[0].split(","))
        v = lines[:1] + ['"segment:%s"' % strata + "," * (n - 1) +
                         ",1,1,0.5,1,1000"] + lines[1:]
        write(t, rehash(items, "values.csv", "\n".join(v).encode()))
        expect_reject(fa, t, "a segment line for the strata column",
                      "segment lines for a column that is no segment apart")
    v = lines[:cell] + lines[cell + 1:]
    write(t, rehash(items, "values.csv", "\n".join(v).encode()))
    expect_reject(fa, t, "a cell's line of values.csv removed",
                  "the run is not done again from values.csv: values.csv's "
                  "cells")
    # one row's score moved in its cell's line and its segments' lines
    # alike: only the run done again sees it
    one = next(k for k, ln in enumerate(lines)
               if ln.startswith("cell,") and fields(ln)[5] == "1")
    key = fields(lines[one])[1:5]
    moved = [k for k, ln in enumerate(lines)
             if k > 0 and ln and fields(ln)[1:5] == key]
    if any(fields(lines[k])[5] != "1" for k in moved):
        failures.append("no row of values.csv is alone in its lines")
    else:
        v = list(lines)
        for k in moved:
            f = fields(v[k])
            f[3] = repr(float(f[3]) + 0.2)
            v[k] = ",".join(f)
        write(t, rehash(items, "values.csv", "\n".join(v).encode()))
        expect_reject(fa, t, "a row's score moved in all its lines",
                      "the run done again from values.csv differs")
    # values.csv taken out, the manifest with it
    out = [(i, d) for i, d in items if i.filename != "values.csv"]
    man = json.loads(da["manifest.json"])
    man["files"] = [f for f in man["files"] if f["path"] != "values.csv"]
    text = (json.dumps(man, indent=1, sort_keys=True) + "\n").encode()
    write(t, [(i, text if i.filename == "manifest.json" else d)
              for i, d in out])
    expect_reject(fa, t, "values.csv taken out", "the pack lacks values.csv")

    def put(what, ed, needle):
        r = json.loads(da["results.json"])
        ed(r)
        text = (json.dumps(r, indent=2) + "\n").encode()
        write(t, rehash(items, "results.json", text))
        expect_reject(fa, t, what, needle)

    def tiny(r):
        # the smallest p-value moved by 5e-15: within an absolute 1e-14,
        # far outside the relative 1e-12
        ds = [d for g in r["groups"] for d in (g.get("disparity") or
                                               {}).values()
              if isinstance(d, dict) and isinstance(d.get("p_value"), float)
              and 0 < d["p_value"] < 1e-3]
        min(ds, key=lambda d: d["p_value"])["p_value"] += 5e-15
    put("the smallest p-value moved by 5e-15", tiny,
        ".p_value: results.json")

    # a threshold that is not a number, in both mappings
    r = json.loads(da["results.json"])
    r["dataset"]["mapping"]["threshold"] = "0.7"
    out = rehash(items, "results.json",
                 (json.dumps(r, indent=2) + "\n").encode())
    man = json.loads(dict((i.filename, d) for i, d in out)["manifest.json"])
    man["inputs"][0]["mapping"]["threshold"] = "0.7"
    mtext = (json.dumps(man, indent=1, sort_keys=True) + "\n").encode()
    write(t, [(i, mtext if i.filename == "manifest.json" else d)
              for i, d in out])
    expect_reject(fa, t, "a threshold that is text", "threshold is not a "
                  "number")

    def threshold(r):
        r["dataset"]["mapping"]["threshold"] = 0.7
    put("results.json's threshold changed", threshold,
        "results.json's column mapping is not the manifest's")
    # the threshold changed in results.json and the manifest alike: the
    # decisions in values.csv are not the scores against it
    r = json.loads(da["results.json"])
    r["dataset"]["mapping"]["threshold"] = 0.7
    r["dataset"]["mapping"]["pred"] = None
    text = (json.dumps(r, indent=2) + "\n").encode()
    out = rehash(items, "results.json", text)
    man = json.loads(dict((i.filename, d) for i, d in out)["manifest.json"])
    man["inputs"][0]["mapping"]["threshold"] = 0.7
    man["inputs"][0]["mapping"]["pred"] = None
    mtext = (json.dumps(man, indent=1, sort_keys=True) + "\n").encode()
    write(t, [(i, mtext if i.filename == "manifest.json" else d)
              for i, d in out])
    expect_reject(fa, t, "a threshold put in results.json and the manifest",
                  "a decision that is not its score against the run's "
                  "threshold")

    def auc(r):
        g = next(g for g in r["groups"] if not g.get("suppressed") and
                 g["metrics"]["auc"]["value"] is not None)
        g["metrics"]["auc"]["value"] += 1e-6
    put("an AUC nudged by 1e-6", auc, ".metrics.auc.value: results.json")

    def wci(r):
        g = next(g for g in r["groups"] if not g.get("suppressed") and
                 g["metrics"]["tpr"].get("ci_low") is not None)
        g["metrics"]["tpr"]["ci_low"] -= 1e-9
    put("a weighted interval's end nudged", wci,
        ".metrics.tpr.ci_low: results.json")

    def boot(r):
        a = next(a for a in r["aggregates"] if a["ci"]
                 ["demographic_parity_ratio"] is not None)
        a["ci"]["demographic_parity_ratio"][0] -= 1e-9
    put("a bootstrap interval's end nudged", boot,
        ".ci.demographic_parity_ratio[0]: results.json")

    def verdict(r):
        v = r["verdicts"][0]
        v["verdict"] = "pass" if v["verdict"] != "pass" else "fail"
    put("a verdict changed", verdict, "verdicts[0].verdict")


def main(argv):
    only_supp = len(argv) == 5 and argv[1] == "--suppressed"
    only_rows = len(argv) == 5 and argv[1] == "--rows"
    only_values = len(argv) == 5 and argv[1] == "--values"
    if only_supp or only_rows or only_values:
        argv = argv[:1] + argv[2:]
    if len(argv) != 4:
        print(__doc__, file=sys.stderr)
        return 2
    fa, pack, work = argv[1:]
    os.makedirs(work, exist_ok=True)
    blob = open(pack, "rb").read()
    rc, out = verify(fa, pack)
    if rc != 0:
        print("pack_tamper: the pack itself does not verify:\n" + out)
        return 2
    t = os.path.join(work, "t.zip")
    if only_values:
        values_cases(fa, members(pack), t)
        for msg in failures[:30]:
            print("FAIL: " + msg)
        print("pack_tamper: %d values cases, %d accepted" % (
            cases, len(failures)))
        return 1 if failures else 0
    if only_rows:
        rows_cases(fa, members(pack), t)
        for msg in failures[:30]:
            print("FAIL: " + msg)
        print("pack_tamper: %d rows cases, %d accepted" % (
            cases, len(failures)))
        return 1 if failures else 0
    if only_supp:
        suppression_cases(fa, members(pack), t)
        for msg in failures[:30]:
            print("FAIL: " + msg)
        print("pack_tamper: %d suppression cases, %d accepted" % (
            cases, len(failures)))
        return 1 if failures else 0
    # 1. a bit flipped anywhere
    n = len(blob)
    positions = sorted(set(list(range(0, n, STEP)) +
                           list(range(max(0, n - 8192), n, 29))))
    for p in positions:
        b = bytearray(blob)
        b[p] ^= 0x01
        open(t, "wb").write(bytes(b))
        expect_reject(fa, t, "bit flipped at byte %d" % p)
    items = members(pack)
    names = [i.filename for i, _ in items]
    # 2. two members' contents swapped
    a, b = "results.json", "cells.csv"
    da = dict((i.filename, d) for i, d in items)
    swapped = [(i, da[b] if i.filename == a else da[a] if i.filename == b
                else d) for i, d in items]
    write(t, swapped)
    expect_reject(fa, t, "results.json and cells.csv swapped", "results.json")
    # 3. a count changed, its hash updated in the manifest
    cells = da["cells.csv"].decode().split("\n")
    f = cells[1].split(",")
    f[-4] = str(int(float(f[-4])) + 1)  # tp_rows
    f[-8] = str(int(float(f[-8])) + 1)  # tp
    f[-10] = str(int(float(f[-10])) + 1)  # n
    f[-9] = str(int(float(f[-9])) + 1)  # weight
    cells[1] = ",".join(f)
    write(t, rehash(items, "cells.csv", "\n".join(cells).encode()))
    expect_reject(fa, t, "a count of cells.csv changed, hash updated",
                  "differ from cells.csv")
    # 4. a number of results.json changed, hash updated
    res = da["results.json"].decode()
    key = '"n": '
    k = res.index(key) + len(key)
    res2 = res[:k] + "1" + res[k:]
    write(t, rehash(items, "results.json", res2.encode()))
    expect_reject(fa, t, "results.json's n changed, hash updated",
                  "cells.csv")
    # 4b. a p-value of results.json changed, hash updated
    key = '"p_value": 0.'
    if key in res:
        k = res.index(key) + len(key)
        write(t, rehash(items, "results.json",
                        (res[:k] + "9" + res[k:]).encode()))
        expect_reject(fa, t, "a p-value of results.json changed, hash "
                      "updated", ("the test differ",
                                   "the run done again from values.csv "
                                   "differs"))
    key = '"p_adjusted": 0.'
    if key in res:
        k = res.index(key) + len(key)
        write(t, rehash(items, "results.json",
                        (res[:k] + "9" + res[k:]).encode()))
        expect_reject(fa, t, "an adjusted p-value of results.json changed, "
                      "hash updated", ("adjusted p-value differs",
                                        "the run done again from values.csv "
                                        "differs"))
    # 5. a file no number depends on changed, hash updated: only the
    # canonical form (or a signature) can tell; the canonical form does
    other = next(x for x in names if x not in ("results.json", "cells.csv",
                                               "manifest.json"))
    write(t, rehash(items, other, da[other] + b" "))
    expect_reject(fa, t, "%s changed, hash updated, zip rewritten" % other)
    # 6. hostile members (never extracted; rejected by name or kind)
    extra = os.path.join(work, "evil")
    for name, what in (("../evil", "'..'"), ("/tmp/evil-abs", "absolute"),
                       ("a/../../evil", "'..'"), ("x\\..\\evil", "unsafe")):
        write(t, items + [(name, b"x")])
        expect_reject(fa, t, "a member named %s" % name, "unsafe name")
    def link(info):
        if info.filename == "link":
            info.external_attr = (stat.S_IFLNK | 0o777) << 16
    write(t, items + [("link", b"/etc/passwd")], link)
    expect_reject(fa, t, "a symlink member", "not a regular file")
    write(t, items + [(items[0][0].filename, b"again")])
    expect_reject(fa, t, "a name twice")
    # a member that declares 4 GiB - 1 in the central directory and the
    # local header
    write(t, items + [("big", b"small")])
    z = bytearray(open(t, "rb").read())
    cd = z.rfind(b"PK\x01\x02" + b"", 0)
    while cd >= 0:
        nlen = struct.unpack_from("<H", z, cd + 28)[0]
        if z[cd + 46:cd + 46 + nlen] == b"big":
            struct.pack_into("<I", z, cd + 24, 0xFFFFFFF0)
            off = struct.unpack_from("<I", z, cd + 42)[0]
            struct.pack_into("<I", z, off + 22, 0xFFFFFFF0)
            break
        cd = z.rfind(b"PK\x01\x02", 0, cd)
    open(t, "wb").write(bytes(z))
    expect_reject(fa, t, "a member declaring 4 GiB")
    # 7. malformed members behind good hashes: never a crash
    write(t, rehash(items, "cells.csv", b"kind,a\n"))
    expect_reject(fa, t, "cells.csv with a short header", "cells.csv")
    man = json.loads(da["manifest.json"])
    man["inputs"][0]["mapping"]["attributes"] = [1]
    bad_man = (json.dumps(man, indent=1, sort_keys=True) + "\n").encode()
    write(t, [(i, bad_man if i.filename == "manifest.json" else d)
              for i, d in items])
    other = os.path.join(work, "other.csv")
    open(other, "w").write("a,b\n1,2\n")
    expect_reject(fa, t, "a malformed column mapping with --data",
                  "column mapping is malformed", ("--data", other))
    # 8. a ZIP64 member declaring 2^64 - 16 bytes
    with zipfile.ZipFile(t, "w", zipfile.ZIP_DEFLATED) as z:
        for info, d in items:
            z.writestr(info, d)
        zi = zipfile.ZipInfo("huge64", (1980, 1, 1, 0, 0, 0))
        zi.external_attr = 0o100644 << 16
        with z.open(zi, "w", force_zip64=True) as w:
            w.write(b"small")
    z = bytearray(open(t, "rb").read())
    for sig in (b"PK\x01\x02", b"PK\x03\x04"):
        at = z.find(sig)
        while at >= 0:
            if sig == b"PK\x01\x02":
                nlen, xlen = struct.unpack_from("<HH", z, at + 28)
                name_at = at + 46
            else:
                nlen, xlen = struct.unpack_from("<HH", z, at + 26)
                name_at = at + 30
            if z[name_at:name_at + nlen] == b"huge64":
                x = name_at + nlen
                end = x + xlen
                while x + 4 <= end:
                    hid, hlen = struct.unpack_from("<HH", z, x)
                    if hid == 1:
                        struct.pack_into("<Q", z, x + 4, 2 ** 64 - 16)
                    x += 4 + hlen
            at = z.find(sig, at + 4)
    open(t, "wb").write(bytes(z))
    expect_reject(fa, t, "a ZIP64 member declaring 2^64 - 16 bytes")
    for bad in (extra, "/tmp/evil-abs", os.path.join(work, "..", "evil")):
        if os.path.exists(bad):
            failures.append("verify wrote %s" % bad)
    for msg in failures[:30]:
        print("FAIL: " + msg)
    print("pack_tamper: %d cases (%d byte positions), %d accepted" % (
        cases, len(positions), len(failures)))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
