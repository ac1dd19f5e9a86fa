#!/bin/sh
# e2e.sh — end-to-end checks of the fairaudit command line: ingest (good
# and bad inputs, rejects, exit codes, messages), run, audit, synth, help.
#
# Usage: sh tests/e2e.sh build/bin/fairaudit
# Needs only sh, coreutils, gzip, grep and the sqlite3 command. Every input
# is written here with printf, byte by byte, into a mktemp -d folder that
# is removed at exit. Ends with one line "N passed, M failed"; exits 1 when
# M > 0.

set -u

if [ $# -ne 1 ]; then
    echo "usage: sh tests/e2e.sh path/to/fairaudit" >&2
    exit 2
fi
FA=$1
case $FA in
/*) ;;
*) FA=$(pwd)/$FA ;;
esac
if [ ! -x "$FA" ]; then
    echo "e2e: '$FA' is not an executable" >&2
    exit 2
fi
FIXTURES=$(cd "$(dirname "$0")/../fixtures" && pwd)
for tool in sqlite3 gzip grep jq sha256sum; do
    if ! command -v "$tool" >/dev/null 2>&1; then
        echo "e2e: '$tool' is needed" >&2
        exit 2
    fi
done

T=$(mktemp -d "${TMPDIR:-/tmp}/fa_e2e.XXXXXX") || exit 2
trap 'rm -rf "$T"' EXIT
trap 'exit 130' HUP INT TERM
# no progress line, reproducible time stamps
export SOURCE_DATE_EPOCH=1700000000

passed=0
failed=0
rc=0

pass() {
    passed=$((passed + 1))
}

# fail DESCRIPTION: counts a failure and shows the last command's stderr.
fail() {
    failed=$((failed + 1))
    printf 'FAIL: %s\n' "$1" >&2
    if [ -s "$T/err" ]; then
        head -n 3 "$T/err" | while IFS= read -r l; do
            printf '    stderr: %s\n' "$l" >&2
        done
    fi
}

# check DESCRIPTION COMMAND...: one check, passed when COMMAND succeeds.
check() {
    desc=$1
    shift
    if "$@"; then pass; else fail "$desc"; fi
}

# eq DESCRIPTION GOT WANT
eq() {
    if [ "$2" = "$3" ]; then
        pass
    else
        fail "$1: got '$2', want '$3'"
    fi
}

# fa ARGS...: runs fairaudit; stdout in $T/out, stderr in $T/err, status
# in $rc.
fa() {
    "$FA" "$@" >"$T/out" 2>"$T/err"
    rc=$?
}

# status DESCRIPTION WANT: the last fa's exit status.
status() {
    eq "$1: exit status" "$rc" "$2"
}

# err_has DESCRIPTION TEXT: the last fa's stderr holds TEXT.
err_has() {
    if grep -F -q -e "$2" "$T/err"; then
        pass
    else
        fail "$1: stderr lacks '$2'"
    fi
}

# error_named DESCRIPTION FILE [LINE]: the last fa failed with
# "fairaudit: error: " naming FILE (as FILE:LINE: when LINE is given).
error_named() {
    err_has "$1" "fairaudit: error: "
    if [ $# -ge 3 ]; then
        err_has "$1" "$2:$3:"
    else
        err_has "$1" "$2"
    fi
}

# mk NAME PRINTF-FORMAT...: writes input file $T/NAME; the formats (one
# per record, say) are joined into one.
mk() {
    mk_name=$1
    shift
    mk_fmt=
    for mk_part in "$@"; do
        mk_fmt=$mk_fmt$mk_part
    done
    printf "$mk_fmt" >"$T/$mk_name"
}

# same FILE1 FILE2: the two files hold the same bytes (cmp is not in
# coreutils; sha256sum is).
same() {
    [ "$(sha256sum <"$1")" = "$(sha256sum <"$2")" ]
}

sq() {
    sqlite3 "$1" "$2"
}

# What a failed load must leave as it was.
snap() {
    sq "$1" "SELECT (SELECT count(*) FROM dataset) || ',' ||
        (SELECT count(*) FROM sqlite_master) || ',' ||
        (SELECT count(*) FROM reject) || ',' ||
        (SELECT count(*) FROM dim) || ',' ||
        (SELECT count(*) FROM dim_value) || ',' ||
        (SELECT ifnull(max(id), 0) FROM dataset)"
}

# untouched DESCRIPTION DB BEFORE: integrity ok, counts as before.
untouched() {
    eq "$1: integrity_check" "$(sq "$2" 'PRAGMA integrity_check')" ok
    eq "$1: store unchanged" "$(snap "$2")" "$3"
}

# rejects DB [ID]: "line:column_index:column_name:reason" by line.
rejects() {
    sq "$1" "SELECT group_concat(r, ';') FROM (SELECT line || ':' ||
        column_index || ':' || ifnull(column_name, '') || ':' || reason AS r
        FROM reject WHERE dataset_id = ${2:-1} ORDER BY line)"
}

# lines DB [ID]: the lines of the loaded rows.
lines() {
    sq "$1" "SELECT group_concat(line, ';') FROM (SELECT line
        FROM rows_${2:-1} ORDER BY line)"
}

# groups DB [ID]: the dictionary of the first dim, "value=rows", the
# missing group as "(missing)=rows".
groups() {
    sq "$1" "SELECT group_concat(v, ';') FROM (SELECT CASE missing WHEN 1
        THEN '(missing)' ELSE value END || '=' || rows AS v FROM dim_value
        WHERE dataset_id = ${2:-1} AND dim = 0 ORDER BY code)"
}

counts() {
    sq "$1" "SELECT rows_read || ',' || rows_loaded || ',' || rows_rejected
        FROM dataset WHERE id = ${2:-1}"
}

# load NAME [OPTIONS...]: ingest $T/NAME into a new store $T/NAME.db with
# --label y --pred p --attr g and OPTIONS; $DB is the store.
load() {
    name=$1
    shift
    DB=$T/$name.db
    rm -f "$DB"
    fa ingest --db "$DB" --label y --pred p --attr g "$@" "$T/$name"
    status "ingest $name" 0
}

# ------------------------------------------------------------------
# help, version, usage errors

fa --help
status "--help" 0
check "--help: usage on stdout" grep -q '^Usage: fairaudit' "$T/out"
check "--help: nothing on stderr" test ! -s "$T/err"
for cmd in ingest run audit synth; do
    fa "$cmd" --help
    status "$cmd --help" 0
    check "$cmd --help: usage on stdout" grep -q "^Usage: fairaudit $cmd" \
        "$T/out"
    check "$cmd --help: exit codes listed" grep -q 'Exit status' "$T/out"
done
fa --version
status "--version" 0
check "--version: name and version" \
    grep -q '^fairaudit [0-9][0-9]*\.[0-9][0-9]*\.[0-9]' "$T/out"
"$FA" --help >/dev/full 2>"$T/err"
rc=$?
status "--help into a full device" 4

fa
status "no command" 2
fa frobnicate
status "unknown command" 2
err_has "unknown command" "fairaudit: "

mk good.csv 'g,y,p\na,1,1\nb,0,0\na,0,1\n'
fa ingest --db "$T/u.db" --label y --pred p --attr g
status "ingest without a file" 2
err_has "ingest without a file" "fairaudit: "
err_has "ingest without a file" "Try 'fairaudit ingest --help'"
fa ingest --db "$T/u.db" --label y --pred p --attr g --frobnicate \
    "$T/good.csv"
status "ingest --frobnicate" 2
err_has "ingest --frobnicate" "Try 'fairaudit ingest --help'"
fa ingest --db "$T/u.db" --label y --attr g "$T/good.csv"
status "ingest without --pred" 2
err_has "ingest without --pred" "Try 'fairaudit ingest --help'"
fa ingest --db "$T/u.db" --label y --pred p "$T/good.csv"
status "ingest without --attr" 2
fa ingest --db "$T/u.db" --label y --pred p --attr g --max-rejects -1 \
    "$T/good.csv"
status "ingest --max-rejects -1" 2
fa ingest --db "$T/u.db" --label y --pred p --attr g --negative no \
    "$T/good.csv"
status "ingest --negative without --positive" 2
fa run --db "$T/u.db" --frobnicate
status "run --frobnicate" 2
err_has "run --frobnicate" "Try 'fairaudit run --help'"
fa audit --db "$T/u.db" --label y --pred p --attr g "$T/good.csv"
status "audit without --out" 2
err_has "audit without --out" "Try 'fairaudit audit --help'"
fa synth --rows many
status "synth --rows many" 2
err_has "synth --rows many" "Try 'fairaudit synth --help'"
check "usage errors create no store" test ! -e "$T/u.db"

# ------------------------------------------------------------------
# fatal inputs: exit 3, a message naming the file, the store unchanged

BASE=$T/base.db
mk base.csv 'g,y,p\na,1,1\nb,0,0\nc,2,1\n'
fa ingest --db "$BASE" --label y --pred p --attr g "$T/base.csv"
status "ingest the base dataset" 0
cp "$BASE" "$T/pristine.db"
BEFORE=$(snap "$BASE")
eq "base dataset: one dataset, one reject" \
    "$(sq "$BASE" "SELECT (SELECT count(*) FROM dataset) || ',' ||
        (SELECT count(*) FROM reject)")" "1,1"

# fatal NAME [OPTIONS...]: ingest $T/NAME into the base store (as it was
# first made, whatever an earlier check did to it), expect 3.
fatal() {
    name=$1
    shift
    cp "$T/pristine.db" "$BASE"
    fa ingest --db "$BASE" --label y --pred p --attr g "$@" "$T/$name"
    status "$name" 3
    untouched "$name" "$BASE" "$BEFORE"
}

fatal missing.csv
error_named "missing file" "$T/missing.csv"

mk empty.csv ''
fatal empty.csv
error_named "empty file" "$T/empty.csv"

mk header.csv 'g,y,p\n'
fatal header.csv
error_named "header only" "$T/header.csv"

mk dup.csv 'g,y,p,g\na,1,1,b\n'
fatal dup.csv
error_named "duplicate column names" "$T/dup.csv" 1

mk nocol.csv 'g,y,p\na,1,1\n'
fatal nocol.csv --score s
error_named "mapped column absent" "$T/nocol.csv" 1
err_has "mapped column absent" "'s'"

mk allbad.csv 'g,y,p\na,2,1\nb,x,0\n'
fatal allbad.csv
error_named "every row rejected" "$T/allbad.csv"

# 100,000 distinct values: the 10,001st is on line 10,002
{
    printf 'g,y,p\n'
    seq -f 'id%.0f,1,0' 1 100000
} >"$T/ids.csv"
fatal ids.csv
error_named "100,000 distinct values" "$T/ids.csv" 10002

# three rejects with --max-rejects 2: the third, on line 6, is too many
mk rej.csv 'g,y,p\na,1,1\nb,2,1\nc,x,0\nd,0,0\ne,,1\nf,1,0\n'
fatal rej.csv --max-rejects 2
error_named "more rejects than --max-rejects" "$T/rej.csv"
err_has "more rejects than --max-rejects" "line 6"
fa ingest --db "$T/rej.db" --label y --pred p --attr g --max-rejects 3 \
    "$T/rej.csv"
status "as many rejects as --max-rejects" 0

# gzip cut short: at half its size, and where the text passes 1 MiB
{
    printf 'g,y,p\n'
    seq -f 'g%.0f,1,0' 1 20000
} >"$T/half.csv"
gzip -n -c "$T/half.csv" >"$T/whole.gz"
size=$(wc -c <"$T/whole.gz")
head -c $((size / 2)) "$T/whole.gz" >"$T/half.csv.gz"
fatal half.csv.gz
error_named "truncated gzip" "$T/half.csv.gz"
head -c $((size - 8)) "$T/whole.gz" >"$T/trailer.csv.gz"
fatal trailer.csv.gz
error_named "gzip without its trailer" "$T/trailer.csv.gz"

{
    printf 'g,y,p\n'
    yes 'a,1,1' | head -n 500000
} >"$T/mib.csv"
gzip -n -9 -c "$T/mib.csv" >"$T/mib.gz"
size=$(wc -c <"$T/mib.gz")
lo=10
hi=$size
while [ "$lo" -lt "$hi" ]; do
    mid=$(((lo + hi) / 2))
    got=$(head -c "$mid" "$T/mib.gz" | gzip -dc 2>/dev/null | wc -c)
    if [ "$got" -gt 1048576 ]; then hi=$mid; else lo=$((mid + 1)); fi
done
for cut in $((lo - 1)) $lo $((lo + 1)); do
    head -c "$cut" "$T/mib.gz" >"$T/mib$cut.csv.gz"
    fatal "mib$cut.csv.gz"
    error_named "gzip cut at byte $cut of $size" "$T/mib$cut.csv.gz"
done

# standard input: an empty one, a cut gzip one
cp "$T/pristine.db" "$BASE"
fa ingest --db "$BASE" --label y --pred p --attr g - </dev/null
status "empty standard input" 3
untouched "empty standard input" "$BASE" "$BEFORE"
fa ingest --db "$BASE" --label y --pred p --attr g - <"$T/half.csv.gz"
status "truncated gzip on standard input" 3
untouched "truncated gzip on standard input" "$BASE" "$BEFORE"

# a store that is not a store
mk notastore.txt 'hello\n'
fa ingest --db "$T/notastore.txt" --label y --pred p --attr g \
    "$T/good.csv"
status "--db names a text file" 3
error_named "--db names a text file" "$T/notastore.txt"
eq "--db text file left alone" "$(cat "$T/notastore.txt")" hello

# ------------------------------------------------------------------
# rejected rows: kept with line, column and reason; the load goes on

mk ragged.csv 'g,y,p\na,1,1\nb,1\nc,1,1,x\nd,0,0\n'
load ragged.csv
eq "ragged: rejects" "$(rejects "$DB")" \
    "3:0::too few fields;4:0::too many fields"
eq "ragged: counts" "$(counts "$DB")" "4,2,2"
eq "ragged: loaded lines" "$(lines "$DB")" "2;5"
err_has "ragged: summary" "2 rejected"

mk unterm.csv 'g,y,p\na,1,1\nb,0,0\n"c,1,1\n'
load unterm.csv
eq "unterminated quote: rejects" "$(rejects "$DB")" \
    "4:1:g:unterminated quoted field"
eq "unterminated quote: loaded lines" "$(lines "$DB")" "2;3"
eq "unterminated quote: counts" "$(counts "$DB")" "3,2,1"

mk unterm2.csv 'g,y,p\na,1,1\nb,0,0\nc,1,"1\nd,0,0\ne,1,1\n'
load unterm2.csv
eq "unterminated quote over 3 lines: rejects" "$(rejects "$DB")" \
    "4:3:p:unterminated quoted field"
err_has "unterminated quote: summary names the line" "first at line 4"

mk nl.csv 'g,y,p,note\na,1,1,n\nb,0,0,"two\nlines"\nc,2,1,n\nd,1,0,n\n'
load nl.csv
eq "quoted newline: reject after it" "$(rejects "$DB")" \
    "5:2:y:label not binary"
eq "quoted newline: loaded lines" "$(lines "$DB")" "2;3;6"
err_has "quoted newline: summary" "first at line 5"

mk nl1.csv 'note,g,y,p\n' \
    '"two\n' \
    'lines",a,2,1\n' \
    'n,b,1,1\n' \
    '"x\n' \
    'y\n' \
    'z",c,x,0\n' \
    'n,d,0,0\n'
load nl1.csv
eq "quoted newline in the first field: rejects" "$(rejects "$DB")" \
    "2:3:y:label not binary;5:3:y:label not binary"
eq "quoted newline in the first field: loaded lines" "$(lines "$DB")" "4;8"

mk lab.csv 'g,y,p\na,1,1\nb,2,0\nc,0,1\n'
load lab.csv
eq "label 2: rejects" "$(rejects "$DB")" "3:2:y:label not binary"
eq "label 2: value kept" \
    "$(sq "$DB" "SELECT CAST(value AS TEXT) || '|' || CAST(raw AS TEXT)
        FROM reject")" "2|b,2,0"
err_has "label 2: summary" "label not binary"

mk yesno.csv 'g,y,p\na,yes,1\nb,no,0\nc,yes,0\n'
load yesno.csv
eq "yes/no: counts" "$(counts "$DB")" "3,3,0"
eq "yes/no: positives" "$(sq "$DB" 'SELECT sum(y_true) FROM rows_1')" 2
load yesno.csv --positive yes
eq "yes/no --positive yes: counts" "$(counts "$DB")" "3,3,0"
eq "yes/no --positive yes: positives" \
    "$(sq "$DB" 'SELECT sum(y_true) FROM rows_1')" 2

mk appr.csv 'g,y,p\na,approved,1\nb,denied,0\nc,approved,0\n'
load appr.csv --positive approved
eq "--positive approved: counts" "$(counts "$DB")" "3,3,0"
eq "--positive approved: positives" \
    "$(sq "$DB" 'SELECT sum(y_true) FROM rows_1')" 2
mk appr3.csv 'g,y,p\n' \
    'a,approved,1\n' \
    'b,denied,0\n' \
    'c,pending,0\n' \
    'd,denied,1\n'
load appr3.csv --positive approved --negative denied
eq "--negative denied, a third value: counts" "$(counts "$DB")" "4,3,1"
eq "--negative denied, a third value: rejects" "$(rejects "$DB")" \
    "4:2:y:label not binary"

mk scores.csv 'g,y,p,s\n' \
    'a,1,1,0.5\n' \
    'b,0,0,NaN\n' \
    'c,1,0,1e400\n' \
    'a,0,1,1.5\n' \
    'b,1,1,-0.1\n'
load scores.csv --score s
eq "scores: counts" "$(counts "$DB")" "5,3,2"
eq "scores: rejects" \
    "$(sq "$DB" "SELECT group_concat(line || ':' || CAST(value AS TEXT), ';')
        FROM (SELECT * FROM reject ORDER BY line)")" "3:NaN;4:1e400"
check "scores: reason says not finite" \
    test "$(sq "$DB" "SELECT count(*) FROM reject
        WHERE reason LIKE '%not a finite number%'")" = 2
eq "scores: range kept" \
    "$(sq "$DB" "SELECT score_min || ',' || score_max FROM dataset")" \
    "-0.1,1.5"
fa run --db "$DB" --out "$T/scores.out"
status "run on scores outside [0,1]" 0
check "scores outside [0,1]: Brier score undefined" \
    grep -A 2 -F '"brier"' "$T/scores.out/results.json" >/dev/null
if grep -A 2 -F '"brier"' "$T/scores.out/results.json" |
    grep -q '"value": null'; then pass; else
    fail "scores outside [0,1]: Brier score has a value"
fi

mk w.csv 'g,y,p,w\na,1,1,-1\nb,0,0,2.5\nc,1,0,0\n'
load w.csv --weight w
eq "weight -1: counts" "$(counts "$DB")" "3,2,1"
check "weight -1: rejected at line 2, column w" \
    test "$(sq "$DB" 'SELECT line || column_name FROM reject')" = 2w

# a 1 MiB attribute value with commas, spaces and newlines, kept exactly
yes 'ab, c' | head -c 1048576 >"$T/big.value"
{
    printf 'g,y,p\nsmall,0,0\n"'
    cat "$T/big.value"
    printf '",1,1\nsmall,1,0\n'
} >"$T/big.csv"
load big.csv
eq "1 MiB field: counts" "$(counts "$DB")" "3,3,0"
sq "$DB" "SELECT value FROM dim_value WHERE rows = 1" >"$T/big.got"
{
    cat "$T/big.value"
    echo
} >"$T/big.want"
check "1 MiB field: value kept exactly" same "$T/big.got" "$T/big.want"

mk utf8.csv 'g,y,p,note\n' \
    'a,1,1,n\n' \
    'b\377,0,0,n\n' \
    'c,1\303,1,n\n' \
    'd,0,\300\257,n\n' \
    'caf\303\251,0,1,\377\n'
load utf8.csv
eq "invalid UTF-8: rejects" "$(rejects "$DB")" \
    "3:1:g:invalid UTF-8;4:2:y:invalid UTF-8;5:3:p:invalid UTF-8"
eq "invalid UTF-8: groups" "$(groups "$DB")" "a=1;café=1"

mk nul.csv 'g,y,p,note\n' \
    'a,1,1,n\n' \
    'b\000c,0,0,n\n' \
    'c,1,1\000,n\n' \
    'd,0,0,n\000n\n'
load nul.csv
eq "NUL byte: counts" "$(counts "$DB")" "4,2,2"
eq "NUL byte: rejects" \
    "$(sq "$DB" "SELECT group_concat(line || ':' || column_index || ':' ||
        hex(value), ';') FROM (SELECT * FROM reject ORDER BY line)")" \
    "3:1:620063;4:3:3100"
check "NUL byte: reason names it" \
    test "$(sq "$DB" "SELECT count(*) FROM reject
        WHERE reason LIKE '%NUL%'")" = 2

mk crlf.csv 'g,y,p\r\na,1,1\r\nb,2,0\r\nc,0,0\r\n'
load crlf.csv
eq "CRLF: counts" "$(counts "$DB")" "3,2,1"
eq "CRLF: groups without CR" "$(groups "$DB")" "a=1;c=1"
eq "CRLF: rejects" "$(rejects "$DB")" "3:2:y:label not binary"

mk bom.csv '\357\273\277g,y,p\na,1,1\nb,0,0\n'
load bom.csv
eq "BOM: counts" "$(counts "$DB")" "2,2,0"
eq "BOM: first column found" \
    "$(sq "$DB" 'SELECT name || column_index FROM dim')" g0

mk exact.csv 'g,y,p\n' \
    ' a,1,1\n' \
    'a,0,0\n' \
    'A,1,0\n' \
    'a ,0,1\n' \
    ',1,1\n' \
    '"",0,0\n' \
    'a,1,1\n'
load exact.csv
eq "exact values: groups" "$(groups "$DB")" " a=1;a=2;A=1;a =1;(missing)=2"

mk data.tsv 'g\ty\tp\nnorth, east\t1\t1\nsouth\t0\t0\n'
load data.tsv
eq "TSV by name: groups" "$(groups "$DB")" "north, east=1;south=1"
mk tabs.txt 'g\ty\tp\na,b\t1\t1\nc\t2\t0\nd\t0\t0\n'
load tabs.txt
eq "TSV by header: groups" "$(groups "$DB")" "a,b=1;d=1"
eq "TSV by header: rejects" "$(rejects "$DB")" "3:2:y:label not binary"

# ------------------------------------------------------------------
# gzip and standard input: the same rows and groups as the plain file

mk s.csv 'g,y,p\na,1,1\nb,0,0\na,2,1\nc,1,0\nb,1,1\n'
gzip -n -c "$T/s.csv" >"$T/s.csv.gz"
load s.csv
PLAIN="$(counts "$DB")|$(groups "$DB")|$(rejects "$DB")"
eq "plain file" "$PLAIN" "5,4,1|a=1;b=2;c=1|4:2:y:label not binary"
load s.csv.gz
eq ".gz file" "$(counts "$DB")|$(groups "$DB")|$(rejects "$DB")" "$PLAIN"
DB=$T/stdin.db
gzip -n -c "$T/s.csv" |
    "$FA" ingest --db "$DB" --label y --pred p --attr g - \
        >"$T/out" 2>"$T/err"
rc=$?
status "gzip on standard input" 0
eq "gzip on standard input" \
    "$(counts "$DB")|$(groups "$DB")|$(rejects "$DB")" "$PLAIN"
eq "standard input: source" "$(sq "$DB" 'SELECT source FROM dataset')" "-"
"$FA" ingest --db "$DB" --label y --pred p --attr g - <"$T/s.csv" \
    >"$T/out" 2>"$T/err"
rc=$?
status "plain standard input" 0
eq "plain standard input" \
    "$(counts "$DB" 2)|$(groups "$DB" 2)|$(rejects "$DB" 2)" "$PLAIN"

# identical bytes, same mapping: the same dataset
DB=$T/reuse.db
fa ingest --db "$DB" --label y --pred p --attr g "$T/s.csv"
status "reuse: first load" 0
R1=$(snap "$DB")
fa ingest --db "$DB" --label y --pred p --attr g "$T/s.csv"
status "reuse: second load" 0
untouched "reuse: identical bytes" "$DB" "$R1"
err_has "reuse: says so" "dataset 1"
cp "$T/s.csv" "$T/copy.csv"
fa ingest --db "$DB" --label y --pred p --attr g "$T/copy.csv"
status "reuse: a copy" 0
untouched "reuse: a copy" "$DB" "$R1"
fa ingest --db "$DB" --label y --pred p --attr g --pred-positive 1 \
    "$T/s.csv"
status "reuse: another mapping" 0
eq "reuse: another mapping is another dataset" \
    "$(sq "$DB" 'SELECT count(*) FROM dataset')" 2

# ------------------------------------------------------------------
# synth, run, audit; outputs that cannot be written

fa synth --rows 300 --seed 7 --out "$T/syn.csv"
status "synth" 0
eq "synth: header and rows" "$(wc -l <"$T/syn.csv" | tr -d ' ')" 301
fa synth --rows 300 --seed 7 --out "$T/syn2.csv"
check "synth: the same seed gives the same bytes" \
    same "$T/syn.csv" "$T/syn2.csv"
fa synth --rows 300 --seed 8 --out "$T/syn3.csv"
check "synth: another seed gives other bytes" \
    test "$(cat "$T/syn.csv")" != "$(cat "$T/syn3.csv")"
mk afile 'not a folder\n'
fa synth --rows 10 --seed 1 --out "$T/afile/x.csv"
status "synth into an unwritable path" 4
err_has "synth into an unwritable path" "fairaudit: error: "

SYN=$T/syn.db
fa ingest --db "$SYN" --label label --pred decision --score score \
    --attr sex,race --segment region "$T/syn.csv"
status "ingest synth output" 0
eq "synth output: all rows loaded" "$(counts "$SYN")" "300,300,0"
fa run --db "$SYN" --out "$T/run.out"
status "run" 0
check "run: results.json" grep -q '"schema": "fairaudit.results/1"' \
    "$T/run.out/results.json"
fa run --db "$T/nothere.db" --out "$T/run2.out"
status "run on a missing store" 3
error_named "run on a missing store" "$T/nothere.db"
check "run on a missing store creates none" test ! -e "$T/nothere.db"
fa run --db "$SYN" --out "$T/afile/sub"
status "run --out under a file" 4
err_has "run --out under a file" "fairaudit: error: "

fa audit --db "$T/audit.db" --label label --pred decision --attr sex \
    --out "$T/audit.out" "$T/syn.csv"
status "audit" 0
check "audit: results.json" test -s "$T/audit.out/results.json"
fa audit --db "$T/audit2.db" --label label --pred decision --attr sex \
    --out "$T/afile/sub" "$T/syn.csv"
status "audit --out under a file" 4
fa audit --db "$T/audit3.db" --label y --pred p --attr g \
    --out "$T/audit3.out" "$T/dup.csv"
status "audit of a bad file" 3
error_named "audit of a bad file" "$T/dup.csv" 1

# ------------------------------------------------------------------
# run options: intervals, corrections, small groups, strata, timings

for bad in "--ci wald" "--confidence 1" "--confidence 0" "--correction bonf" \
    "--min-group -1" "--bootstrap x" "--bootstrap 50" "--seed -3"; do
    # shellcheck disable=SC2086
    fa run --db "$SYN" $bad
    status "run $bad" 2
    err_has "run $bad" "Try 'fairaudit run --help'"
done
fa run --db "$SYN" --strata sex
status "run --strata on an attribute" 2
err_has "run --strata on an attribute" "--segment"
fa run --db "$SYN" --ci exact --correction bh --confidence 0.9 \
    --min-group 5 --min-class 0 --seed 9 --bootstrap 200 --strata region \
    --timings --out "$T/opts.out"
status "run with every statistics option" 0
err_has "run --timings" "timings: scan "
for field in '"ci_method": "clopper-pearson"' '"correction": "bh"' \
    '"confidence": 0.90000000000000002' '"min_group": 5' '"min_class": 0' \
    '"seed": 9' '"bootstrap": 200' '"strata": "region"' '"cmh": {' \
    '"p_adjusted": ' '"ratio_ci": [' '"evidence": "sufficient"'; do
    check "results.json has $field" grep -q -F -e "$field" \
        "$T/opts.out/results.json"
done
fa run --db "$SYN" --seed 9 --bootstrap 200 --out "$T/seed1.out"
fa run --db "$SYN" --seed 9 --bootstrap 200 --out "$T/seed2.out"
check "the same seed gives the same aggregate intervals" \
    test "$(grep -A 8 '"ci": {' "$T/seed1.out/results.json")" = \
    "$(grep -A 8 '"ci": {' "$T/seed2.out/results.json")"
fa run --db "$SYN" --min-group 1000 --out "$T/small.out"
check "groups under --min-group are insufficient evidence" grep -q -F \
    '"evidence": "insufficient evidence: the group has' \
    "$T/small.out/results.json"

# ------------------------------------------------------------------
# line ends, --positive alone, weight bounds, the group cap

printf 'a,y,p\nx,1,1\rz,0,1\r\nw,1,0\n' >"$T/cr.csv"
fa ingest --db "$T/cr.db" --label y --pred p --attr a "$T/cr.csv"
status "a lone CR ends a line" 0
eq "a lone CR: lines 2, 3, 4" \
    "$(sq "$T/cr.db" 'SELECT group_concat(line) FROM rows_1')" "2,3,4"
printf 'a,y,p\nx,approved,1\nz,denied,1\nw,pending,0\n' >"$T/pos.csv"
fa ingest --db "$T/pos.db" --label y --positive approved --pred p --attr a \
    "$T/pos.csv"
status "--positive alone" 0
eq "--positive alone: a third label value is rejected" \
    "$(sq "$T/pos.db" 'SELECT line || ":" || reason FROM reject')" \
    "4:label not binary"
printf 'a,y,p,w\nx,1,1,1e100\nz,0,1,1.5e100\n' >"$T/wt.csv"
fa ingest --db "$T/wt.db" --label y --pred p --weight w --attr a "$T/wt.csv"
eq "a weight above 1e100 is rejected" \
    "$(sq "$T/wt.db" 'SELECT line || ":" || reason FROM reject')" \
    "3:weight above 1e100"
{
    echo "a0,a1,a2,a3,a4,a5,a6,a7,a8,a9,a10,a11,y,p"
    i=0
    while [ $i -lt 64 ]; do
        echo "$((i % 2)),$((i / 2 % 2)),$((i / 4 % 2)),$((i / 8 % 2)),$((i / 16 % 2)),$((i / 32 % 2)),$((i % 3)),$((i % 5 % 2)),$((i % 7 % 2)),$((i % 11 % 2)),$((i % 13 % 2)),$((i % 17 % 2)),$((i % 2)),1"
        i=$((i + 1))
    done
} >"$T/wide.csv"
fa audit --db "$T/wide.db" --label y --pred p \
    --attr a0,a1,a2,a3,a4,a5,a6,a7,a8,a9,a10,a11 --out "$T/wide.out" \
    "$T/wide.csv"
status "too many groups" 2
err_has "too many groups" "more than 100000"
check "too many groups: no output folder" test ! -e "$T/wide.out"
fa ingest --db "$T/fresh.db" --label y --pred p --attr g "$T/dup.csv"
status "a failed first load" 3
check "a failed first load leaves no store" test ! -e "$T/fresh.db"

# ------------------------------------------------------------------
# hostile text in messages and names

printf 'a\033[2J,y\nx,1\n' >"$T/esc.csv"
fa ingest --db "$T/esc.db" --label y --pred p --attr a "$T/esc.csv"
status "a control byte in the header" 3
err_has "a control byte is shown escaped" 'a\x1b[2J'
check "no raw escape byte reaches the terminal" sh -c \
    "! grep -q \"\$(printf '\\033')\" '$T/err'"
fa run --db "$SYN" --reference sex=nobody
status "a reference value the data lacks" 2
err_has "a reference value the data lacks" "Try 'fairaudit run --help'"
fa ingest --db "$T/u8.db" --label y --pred p --attr "$(printf 's\377x')" \
    "$T/cr.csv"
status "a column name that is not UTF-8" 2

# ------------------------------------------------------------------
# report templates: list, show, check, verdicts, exit codes

fa templates list
status "templates list" 0
cp "$T/out" "$T/list.txt"
for t in generic eeoc-four-fifths nyc-ll144 fair-lending healthcare-subgroup \
    eu-ai-act; do
    check "templates list names $t" grep -q "^$t " "$T/list.txt"
    fa templates check "report-templates/$t.yaml"
    status "bundled template $t is valid" 0
done
fa templates show eeoc-four-fifths
status "templates show" 0
check "templates show: the resolved reference" \
    grep -q '"reference": "best"' "$T/out"
fa templates show no-such-template
status "templates show of an unknown name" 2
err_has "an unknown template" "no template 'no-such-template'"

# tpl NAME TEXT...: writes template $T/NAME.yaml, one line per argument
tpl() {
    tpl_name=$1
    shift
    printf '%s\n' "$@" >"$T/$tpl_name.yaml"
}
tpl ok "name: mine" "title: Mine" "source: house rules" "checks:" \
    "  - metric: selection_rate" "    measure: ratio" "    min: 0.9"
fa templates check "$T/ok.yaml"
status "a template of one's own" 0
tpl syntax "name: mine" "title: [unclosed" "source: x"
fa templates check "$T/syntax.yaml"
status "a YAML syntax error" 2
err_has "a YAML syntax error names file and line" "$T/syntax.yaml:3:"
err_has "a YAML syntax error says so" "YAML syntax error"
tpl unknown "name: mine" "title: Mine" "source: x" "colour: red"
fa templates check "$T/unknown.yaml"
status "an unknown key" 2
err_has "an unknown key: line and column" "$T/unknown.yaml:4:1: unknown key 'colour'"
tpl metric "name: mine" "title: Mine" "source: x" "checks:" \
    "  - metric: precision" "    min: 0.8"
fa templates check "$T/metric.yaml"
status "an unknown metric" 2
err_has "an unknown metric: line and column" "$T/metric.yaml:5:13: unknown metric 'precision'"
tpl neg "name: mine" "title: Mine" "source: x" "checks:" \
    "  - metric: selection_rate" "    min: -1"
fa templates check "$T/neg.yaml"
status "a threshold of -1" 2
err_has "a threshold of -1" "$T/neg.yaml:6:10: a ratio's bounds must be above 0"
tpl band "name: mine" "title: Mine" "source: x" "checks:" \
    "  - metric: tpr" "    measure: difference" "    min: 0.2" "    max: 0.1"
fa templates check "$T/band.yaml"
status "min above max" 2
err_has "min above max" "'min' is above 'max'"
tpl type "name: mine" "title: Mine" "source: x" "exclude_missing: maybe"
fa templates check "$T/type.yaml"
status "a wrong type" 2
err_has "a wrong type" "$T/type.yaml:4:18: 'exclude_missing' must be true or false"
tpl noname "title: Mine" "source: x"
fa templates check "$T/noname.yaml"
status "a template without a name" 2
err_has "a template without a name" "needs 'name', 'title' and 'source'"

# verdicts on planted data: a selection rate of 0.3 against 0.6
{
    echo "g,y,p"
    i=0
    while [ $i -lt 200 ]; do
        echo "a,$((i % 2)),$((i % 10 < 6))"
        echo "b,$((i % 2)),$((i % 10 < 3))"
        i=$((i + 1))
    done
} >"$T/gap.csv"
fa audit --db "$T/gap.db" --label y --pred p --attr g \
    --template eeoc-four-fifths --out "$T/gap.out" "$T/gap.csv"
status "a failed verdict exits 1" 1
err_has "the verdict summary" "template eeoc-four-fifths: FAIL"
err_has "the failed verdict is named" "FAIL g=b: selection_rate: ratio 0.5"
check "results.json: the overall verdict" \
    grep -q '"verdict": "fail"' "$T/gap.out/results.json"
eq "the verdict and its reason are stored" \
    "$(sq "$T/gap.db" "SELECT verdict || ':' || printf('%.2f', value) FROM verdict")" \
    "fail:0.50"
eq "the stored hash is the SHA-256 of the resolved template" \
    "$(sq "$T/gap.db" "SELECT template_json FROM run" | tr -d '\n' |
        sha256sum | cut -d' ' -f1)" \
    "$(sq "$T/gap.db" "SELECT template_sha256 FROM run")"
eq "results.json: the hash of the canonical template text" \
    "$(jq -j .template.canonical "$T/gap.out/results.json" | sha256sum |
        cut -d' ' -f1)" \
    "$(jq -r .template.sha256 "$T/gap.out/results.json")"
fa run --db "$T/gap.db" --template eeoc-four-fifths --min-group 500
status "every group under --min-group: insufficient, exit 0" 0
err_has "insufficient evidence is said" "INSUFFICIENT EVIDENCE"
fa run --db "$T/gap.db" --template eeoc-four-fifths --min-group 500 \
    --fail-on insufficient
status "--fail-on insufficient" 1
fa run --db "$T/gap.db" --fail-on worst
status "a bad --fail-on" 2
fa run --db "$T/gap.db" --template nyc-ll144
status "a required field missing" 2
err_has "a required field missing" "requires --field audit_date=VALUE"
fa run --db "$T/gap.db" --template nyc-ll144 --field audit_date=2026-11-27 \
    --field data_source=x --field data_start=2026-01-01 \
    --field data_end=2026-06-30 --field first_used=2025-01-01
status "every required field given" 1
eq "the fields are stored with the run" \
    "$(sq "$T/gap.db" "SELECT json_extract(fields, '\$.audit_date') FROM run ORDER BY id DESC LIMIT 1")" \
    "2026-11-27"
fa run --db "$T/gap.db" --template healthcare-subgroup
status "a label-free template on labelled data runs" 1
fa audit --db "$T/nolab.db" --pred p --attr g --template healthcare-subgroup \
    --out "$T/nolab.out" "$T/gap.csv"
status "a template that needs a label, without one" 2
err_has "a template that needs a label says so" "needs a label column"
check "nothing was loaded" test ! -e "$T/nolab.db"
fa audit --db "$T/nolab2.db" --pred p --attr g --out "$T/nolab2.out" \
    "$T/gap.csv"
status "generic without a label: label checks skipped" 1
check "skipped checks are listed" grep -q '"reason": "no label column"' \
    "$T/nolab2.out/results.json"



# a version-1 store (before templates) is migrated in place
fa ingest --db "$T/v1.db" --label y --pred p --attr g "$T/gap.csv"
sqlite3 "$T/v1.db" "DROP TABLE verdict;
    ALTER TABLE run DROP COLUMN template;
    ALTER TABLE run DROP COLUMN template_json;
    ALTER TABLE run DROP COLUMN template_sha256;
    ALTER TABLE run DROP COLUMN fields;
    ALTER TABLE run DROP COLUMN skipped_checks;
    ALTER TABLE run DROP COLUMN verdict;
    ALTER TABLE run DROP COLUMN score_median;
    ALTER TABLE grp DROP COLUMN above;
    ALTER TABLE grp DROP COLUMN wabove;
    ALTER TABLE run DROP COLUMN finished;
    ALTER TABLE run DROP COLUMN suppress;
    ALTER TABLE grp DROP COLUMN auc_var;
    DROP TABLE run_log;
    PRAGMA user_version = 1;"
fa run --db "$T/v1.db" --template eeoc-four-fifths
status "a version-1 store runs" 1
eq "a version-1 store is now version 5" \
    "$(sq "$T/v1.db" "PRAGMA user_version")" "5"
eq "a migrated store logs the runs after it" \
    "$(sq "$T/v1.db" "SELECT count(*) FROM run_log")" "1"
eq "a version-1 store holds the verdict" \
    "$(sq "$T/v1.db" "SELECT verdict FROM verdict")" "fail"
fa ingest --db "$T/v1b.db" --label y --pred p --attr g "$T/gap.csv"
sqlite3 "$T/v1b.db" "DROP TABLE verdict; CREATE TABLE verdict(x);
    PRAGMA user_version = 1;"
fa run --db "$T/v1b.db"
status "a version-1 store with a foreign verdict table" 3
err_has "a foreign verdict table" "has a table 'verdict' that is not fairaudit's"
eq "a refused migration leaves the store at version 1" \
    "$(sq "$T/v1b.db" "PRAGMA user_version")" "1"
sqlite3 "$T/v1.db" "PRAGMA user_version = 6"
fa run --db "$T/v1.db"
status "a store from a newer fairaudit" 3
err_has "a store from a newer fairaudit" "schema version 6"

# rounding at the bounds: 8/50 against 10/50 is 4/5 exactly, 0.8 only within
# rounding in doubles; 7 of 100 rows is not under a 7% share
awk 'BEGIN { print "g,p"
    for (i = 0; i < 10000; i++) print "b," (i < 2000)
    for (i = 0; i < 5000; i++) print "a," (i < 800) }' >"$T/fifth.csv"
fa audit --db "$T/fifth.db" --pred p --attr g --template fair-lending \
    --out "$T/fifth.out" "$T/fifth.csv"
status "a ratio of exactly 4/5 passes a 0.8 band" 0
eq "a ratio of exactly 4/5: pass" \
    "$(sq "$T/fifth.db" "SELECT verdict FROM verdict")" "pass"
tpl share "name: share" "title: S" "source: x" "exclude_below_share: 0.07" \
    "checks:" "  - metric: selection_rate" "    min: 0.8"
awk 'BEGIN { print "g,p"
    for (i = 0; i < 93; i++) print "b," (i < 50)
    for (i = 0; i < 7; i++) print "a," (i < 3) }' >"$T/share.csv"
fa audit --db "$T/share.db" --pred p --attr g --template "$T/share.yaml" \
    --out "$T/share.out" "$T/share.csv"
eq "7 of 100 rows is not under a 7% share" \
    "$(sq "$T/share.db" "SELECT verdict FROM verdict")" "insufficient"
awk 'BEGIN { print "g,p"
    for (i = 0; i < 94; i++) print "b," (i < 50)
    for (i = 0; i < 6; i++) print "a," (i < 3) }' >"$T/share6.csv"
fa audit --db "$T/share6.db" --pred p --attr g --template "$T/share.yaml" \
    --out "$T/share6.out" "$T/share6.csv"
eq "6 of 100 rows is under a 7% share: excluded, its ratio still shown" \
    "$(sq "$T/share6.db" "SELECT verdict || ':' || printf('%.4f', value) FROM verdict")" \
    "excluded:0.9400"
tpl segonly "name: segonly" "title: S" "source: x" "checks:" \
    "  - metric: selection_rate" "    min: 0.8" "    sets: [segment]"
fa run --db "$T/share6.db" --template "$T/segonly.yaml" --out "$T/segonly.out"
status "a check of sets the data lacks: nothing judged" 0
check "a check of sets the data lacks is listed as skipped" grep -q \
    'the data has no sets of the kinds it names' "$T/segonly.out/results.json"

# the flip-flop: under rule band too, and in a weighted audit in weights
tpl ffband "name: ffband" "title: F" "source: x" "checks:" \
    "  - metric: selection_rate" "    min: 0.8" "    rule: band" \
    "    flip_flop: 2" "    sets: [attribute]"
awk 'BEGIN { print "g,p"
    for (i = 0; i < 100; i++) print "b," (i < 50)
    for (i = 0; i < 40; i++) print "a," (i < 15) }' >"$T/ffb.csv"
fa audit --db "$T/ffb.db" --pred p --attr g --template "$T/ffband.yaml" \
    --reference best --out "$T/ffb.out" "$T/ffb.csv"
eq "rule band: 2 more selected give 0.85, the finding does not stand" \
    "$(sq "$T/ffb.db" "SELECT verdict FROM verdict")" "insufficient"
check "rule band with a flip-flop: the stored rule says so" \
    sh -c "sqlite3 '$T/ffb.db' 'SELECT rule FROM verdict' |
        grep -q 'stays outside with 2 more selected'"
check "rule band: the reason names the flip-flop" grep -q \
    'does not survive the flip-flop check' "$T/ffb.out/results.json"
awk 'BEGIN { print "g,p,w"
    for (i = 0; i < 200; i++) print "b," (i < 100) ",1"
    for (i = 0; i < 100; i++) print "a," (i < 50) "," (i < 50 ? 0.1 : 10) }' \
    >"$T/ffw.csv"
fa audit --db "$T/ffw.db" --pred p --attr g --weight w \
    --template eeoc-four-fifths --out "$T/ffw.out" "$T/ffw.csv"
eq "weighted: two people of mean weight do not lift a ratio of 0.02" \
    "$(sq "$T/ffw.db" "SELECT verdict FROM verdict")" "fail"

# nothing judged is not a pass
tpl onlytpr "name: onlytpr" "title: O" "source: x" "checks:" \
    "  - metric: tpr" "    measure: difference" "    min: -0.1"
fa audit --db "$T/otpr.db" --pred p --attr g --template "$T/onlytpr.yaml" \
    --out "$T/otpr.out" "$T/ffb.csv"
status "every check skipped: exit 0" 0
check "every check skipped: insufficient, not pass" \
    grep -q '"verdict": "insufficient"' "$T/otpr.out/results.json"
fa run --db "$T/ffb.db" --template eeoc-four-fifths --template generic
status "--template twice" 2
fa run --db "$T/ffb.db" --field a
status "--field without =" 2


# ------------------------------------------------------------------
# the PDF report and its charts

for tool in pdftotext pdfinfo pdffonts qpdf; do
    command -v "$tool" >/dev/null 2>&1 || fail "'$tool' is needed"
done
SOURCE_DATE_EPOCH=1767225600
export SOURCE_DATE_EPOCH
fa audit --db "$T/rep.db" --label label --pred decision --score score \
    --attr sex,race --segment region --template eeoc-four-fifths \
    --preparer "Ada Lovelace" --out "$T/rep1" "$FIXTURES/demo/predictions.csv"
status "audit writes the report" 1
check "report.pdf is written" test -s "$T/rep1/report.pdf"
check "qpdf --check passes" qpdf --check "$T/rep1/report.pdf"
pdftotext -layout "$T/rep1/report.pdf" "$T/rep1.txt"
for heading in "Contents" "Executive summary" "Findings" "Verdicts" \
    "Scope and data" "Data quality" "Method" "Results by attribute" \
    "Intersections" "Score-based results" "Segment accuracy" "Limitations" \
    "Disclosures" "Sign-off" "Appendix" "Reproducing this run" \
    "Resolved template"; do
    check "the report has the section '$heading'" grep -q "$heading" \
        "$T/rep1.txt"
done
check "the report names the preparer" grep -q "Ada Lovelace" "$T/rep1.txt"
check "the overall verdict is on the cover" \
    grep -q "Overall verdict: FAIL" "$T/rep1.txt"
# key numbers as in results.json
ratio=$(jq -r '[.verdicts[] | select(.verdict == "fail")][0].value' \
    "$T/rep1/results.json")
check "the first failed ratio is in the report ($ratio)" grep -q \
    "$(printf '%.3f' "$ratio")" "$T/rep1.txt"
check "the dataset hash is in the report" grep -q \
    "$(jq -r .dataset.sha256 "$T/rep1/results.json")" "$T/rep1.txt"
check "the template hash is in the report" grep -q \
    "$(jq -r .template.sha256 "$T/rep1/results.json")" "$T/rep1.txt"
pdfinfo "$T/rep1/report.pdf" >"$T/rep1.info"
check "pdfinfo: the title" grep -q \
    "^Title: *Adverse impact under the four-fifths rule" "$T/rep1.info"
check "pdfinfo: the creator" grep -q "^Creator: *fairaudit" "$T/rep1.info"
check "pdfinfo: A4" grep -q "^Page size: *595.276 x 841.89" "$T/rep1.info"
check "every font is embedded" sh -c \
    "pdffonts '$T/rep1/report.pdf' | awk 'NR > 2 && \$(NF - 4) != \"yes\" { bad = 1 } END { exit bad }'"
check "the report has bookmarks" sh -c \
    "qpdf --json --json-key=outlines '$T/rep1/report.pdf' | grep -q 'Executive summary'"
check "the contents list the sections with their pages" \
    grep -q "Executive summary  *3$" "$T/rep1.txt"
check "each contents entry links to its section's heading" \
    sh -c "python3 tests/pdf_links.py '$T/rep1/report.pdf' >/dev/null"
check "charts: an SVG per chart" test -s "$T/rep1/charts/set1-rates-selection_rate.svg"
check "charts: a PNG per chart" test -s "$T/rep1/charts/set1-rates-selection_rate.png"
for chart in set1-roc set1-calibration set1-sweep set2-roc \
    set3-heatmap-selection_rate set2-forest-selection_rate set2-multiples; do
    check "charts: $chart.svg" test -s "$T/rep1/charts/$chart.svg"
done
check "eeoc-four-fifths names no ROC chart: none in its report" \
    sh -c "! grep -q 'ROC curves by race' '$T/rep1.txt'"
fa run --db "$T/rep.db" --template generic
fa report --db "$T/rep.db" --out "$T/repg"
pdftotext -layout "$T/repg/report.pdf" "$T/repg.txt"
check "generic: the report shows the ROC curves" \
    grep -q "ROC curves by race" "$T/repg.txt"
check "generic: the report shows the threshold sweep" \
    grep -q "Threshold sweep by sex" "$T/repg.txt"
check "generic: the report has the aggregates" grep -q "^Aggregates" \
    "$T/repg.txt"
check "generic: a table per checked metric" grep -q "TPR (sensitivity)" \
    "$T/repg.txt"
fa report --db "$T/rep.db" --run 1 --out "$T/rep2" --preparer "Ada Lovelace"
status "report of the same run" 0
check "the same run gives the same PDF, byte for byte" \
    cmp -s "$T/rep1/report.pdf" "$T/rep2/report.pdf"
check "the same run gives the same charts, byte for byte" \
    diff -r "$T/rep1/charts" "$T/rep2/charts"
fa report --db "$T/rep.db" --run 1 --out "$T/rep3" --paper letter
pdfinfo "$T/rep3/report.pdf" >"$T/rep3.info"
check "--paper letter" grep -q "^Page size: *612 x 792" "$T/rep3.info"
fa report --db "$T/rep.db" --out "$T/rep4" --paper a3
status "a bad --paper" 2
unset SOURCE_DATE_EPOCH

# a 40-group attribute: its table runs over pages with the header repeated
awk 'BEGIN { print "g,y,p"
    for (k = 0; k < 40; k++) for (i = 0; i < 60; i++)
        printf "group-%02d,%d,%d\n", k, i % 2, (i + k) % 3 == 0 }' \
    >"$T/g40.csv"
fa audit --db "$T/g40.db" --label y --pred p --attr g --out "$T/g40" \
    "$T/g40.csv"
check "40 groups: the report is written" qpdf --check "$T/g40/report.pdf"
pdftotext -layout "$T/g40/report.pdf" "$T/g40.txt"
# contents over two pages: each entry's page starts with its heading
awk 'BEGIN { srand(3); print "a,b,c,d,e,y,p"
    for (i = 0; i < 3000; i++)
        printf "a%d,b%d,c%d,d%d,e%d,%d,%d\n", int(rand() * 3), int(rand() * 3),
            int(rand() * 2), int(rand() * 2), int(rand() * 2), rand() < 0.5,
            rand() < 0.4 }' >"$T/toc.csv"
fa audit --db "$T/toc.db" --label y --pred p --attr a,b,c,d,e \
    --out "$T/toc" "$T/toc.csv"
pdftotext -layout "$T/toc/report.pdf" "$T/toc.txt"
check "long contents: they take two pages" test \
    "$(pdftotext -f 3 -l 3 "$T/toc/report.pdf" - | sed -n 3p)" != \
    "Executive summary"
for sec in "Executive summary" "Verdicts" "Method" "Intersections" \
    "Limitations" "Appendix"; do
    p=$(grep -E "^$sec +[0-9]+$" "$T/toc.txt" | awk '{ print $NF }')
    eq "long contents: '$sec' is on page $p" \
        "$(pdftotext -f "$p" -l "$p" "$T/toc/report.pdf" - | sed -n 3p)" "$sec"
done
check "long contents: each entry, on either page, links to its heading" \
    sh -c "python3 tests/pdf_links.py '$T/toc/report.pdf' >/dev/null"
check "long contents: links on both contents pages" test \
    "$(python3 tests/pdf_links.py "$T/toc/report.pdf" | cut -d' ' -f1 |
        sort -u | tr '\n' ' ')" = "2 3 "
check "40 groups: every group is in the report" \
    test "$(grep -c 'group-[0-9][0-9]' "$T/g40.txt")" -ge 40

# ------------------------------------------------------------------
# the XLSX workbook, opened in LibreOffice by tests/xlsx_check.py

for tool in python3 soffice; do
    command -v "$tool" >/dev/null 2>&1 || fail "'$tool' is needed"
done
TESTS=$(cd "$(dirname "$0")" && pwd)
# xcheck DESCRIPTION ARGS...: xlsx_check.py passes
xcheck() {
    desc=$1
    shift
    if python3 "$TESTS/xlsx_check.py" "$@" >"$T/xc.out" 2>&1; then
        pass
    else
        failed=$((failed + 1))
        printf 'FAIL: %s\n' "$desc" >&2
        head -n 12 "$T/xc.out" | sed 's/^/    /' >&2
    fi
}
check "workbook.xlsx is written with the report" test -s "$T/rep1/workbook.xlsx"
xcheck "workbook (four-fifths, scored, segments) against results.json" \
    "$T/rep1/workbook.xlsx" "$T/rep1/results.json" --db "$T/rep.db"
xcheck "workbook (generic, thresholds) against results.json" \
    "$T/repg/workbook.xlsx" "$T/repg/results.json" --db "$T/rep.db"
check "the same run gives the same workbook, byte for byte" \
    cmp -s "$T/rep1/workbook.xlsx" "$T/rep2/workbook.xlsx"
SOURCE_DATE_EPOCH=1800000000 "$FA" report --db "$T/rep.db" --run 1 \
    --out "$T/rep5" -q 2>"$T/err"
check "the workbook's time is the run's: another SOURCE_DATE_EPOCH at \
report time gives the same bytes" \
    cmp -s "$T/rep1/workbook.xlsx" "$T/rep5/workbook.xlsx"

fa report --db "$T/rep.db" --run 1 --out "$T/rep6" --formats xlsx,json
status "report --formats xlsx,json" 0
check "--formats xlsx,json: the workbook" test -s "$T/rep6/workbook.xlsx"
check "--formats xlsx,json: results.json" test -s "$T/rep6/results.json"
check "--formats xlsx,json: no PDF, no charts" \
    test ! -e "$T/rep6/report.pdf" -a ! -e "$T/rep6/charts"
check "--formats xlsx: the same workbook as with every output" \
    cmp -s "$T/rep1/workbook.xlsx" "$T/rep6/workbook.xlsx"
fa report --db "$T/rep.db" --run 1 --out "$T/rep7" --formats xlsx,docx
status "a bad --formats" 2
err_has "a bad --formats names the list" "json, pdf, xlsx and charts"
check "a bad --formats writes nothing" test ! -e "$T/rep7"
# the workbook's temporary file cannot be created (a folder is in the way)
mkdir -p "$T/rep8/workbook.xlsx.tmp"
fa report --db "$T/rep.db" --run 1 --out "$T/rep8" --formats xlsx
status "a workbook that cannot be written" 4
err_has "the failed workbook is named" "workbook.xlsx.tmp"
check "no workbook is left half-written" test ! -e "$T/rep8/workbook.xlsx"

# text from the input that looks like a formula stays text; weighted;
# a rejected row; score, segments, an attribute named like a formula
awk 'BEGIN {
    n = split("=HYPERLINK(\"http://example.com\",\"x\")~+cmd|\047 /C calc\047!A0~-2+3~@SUM(1+1)~_x0041_ raw", g, "~")
    print "grp,=A1,w,y,p,s,seg"
    srand(7)
    for (k = 1; k <= n; k++) for (i = 0; i < 40; i++) {
        v = g[k]; gsub(/"/, "\"\"", v)
        printf "\"%s\",%s,%.3f,%d,%d,%.4f,%s\n", v, (i % 3 ? "a" : "=B2"),
            0.5 + rand(), rand() < 0.4, rand() < 0.35 + k * 0.05, rand(),
            (i % 2 ? "=1+1" : "plain")
    }
    print "\"=HYPERLINK(\"\"http://bad\"\")\",a,1,maybe,1,0.5,@bad"
    for (i = 0; i < 40; i++)
        printf "not\357\277\277char,a,1,%d,%d,0.5,plain\n", i % 2, i % 3 == 0
}' >"$T/hostile.csv"
fa audit --db "$T/hostile.db" --label y --pred p --score s --weight w \
    --attr 'grp,=A1' --segment seg --out "$T/hostile" "$T/hostile.csv"
check "hostile input: audited" test "$rc" -le 1
xcheck "hostile, weighted workbook: formulas only where computed, text as \
strings, numbers as in results.json" \
    "$T/hostile/workbook.xlsx" "$T/hostile/results.json" --db "$T/hostile.db" \
    --text '=HYPERLINK("http://example.com","x")' \
    --text "+cmd|' /C calc'!A0" --text '-2+3' --text '@SUM(1+1)' \
    --text '_x0041_ raw' --text '=1+1' --text '=A1' --text '=B2'
unzip -p "$T/hostile/workbook.xlsx" xl/sharedStrings.xml >"$T/hostile.sst"
check "hostile: the rejected record is in the Data quality sheet as text" \
    grep -qF '"=HYPERLINK(""http://bad"")",a,1,maybe,1,0.5,@bad' \
    "$T/hostile.sst"
fa audit --db "$T/hostile2.db" --pred p --attr 'grp,=A1' --segment seg \
    --out "$T/hostile2" "$T/hostile.csv"
xcheck "label-free workbook: selection rates only" \
    "$T/hostile2/workbook.xlsx" "$T/hostile2/results.json" \
    --db "$T/hostile2.db" --text '=HYPERLINK("http://example.com","x")'
xcheck "40 groups: the workbook" "$T/g40/workbook.xlsx" "$T/g40/results.json" \
    --db "$T/g40.db"
# labels that print alike stay apart: a value "(missing)" and a missing
# value; "p / q" then "r" and "p" then "q / r" in a three-way matrix
awk 'BEGIN { print "a,b,c,y,p"
    split("(missing)~~x", av, "~"); split("p / q~p", pv, "~")
    split("r~q / r", qv, "~")
    for (i = 0; i < 360; i++)
        printf "\"%s\",\"%s\",%d,%d,%d\n", (i % 3 == 2 ? "x" : i % 3 ? "" : "(missing)"),
            (i % 2 ? "u" : "v"), i % 2, i % 5 < 2, i % 7 < 3
    for (i = 0; i < 120; i++)
        printf "\"%s\",\"%s\",%d,%d,%d\n", pv[i % 2 + 1], qv[i % 2 + 1],
            int(i / 2) % 2, i % 5 < 2, i % 3 == 0 }' >"$T/alike.csv"
fa audit --db "$T/alike.db" --label y --pred p --attr a,b,c \
    --out "$T/alike" --formats json,xlsx "$T/alike.csv"
check "labels alike: audited" test "$rc" -le 1
xcheck "labels alike: each group keeps its own row" \
    "$T/alike/workbook.xlsx" "$T/alike/results.json" --db "$T/alike.db"
# an intersection too wide for a matrix is named, not drawn
awk 'BEGIN { print "a,b,y,p"
    for (i = 0; i < 2004; i++) printf "a%d,b%04d,%d,%d\n", i % 2, i % 1002,
        i % 3 == 0, i % 4 == 0 }' >"$T/wide.csv"
fa audit --db "$T/wide.db" --label y --pred p --attr a,b --out "$T/wide" \
    --formats json,xlsx "$T/wide.csv"
check "1,002 columns: audited" test "$rc" -le 1
xcheck "1,002 columns: the workbook, its matrix named too large" \
    "$T/wide/workbook.xlsx" "$T/wide/results.json" --db "$T/wide.db"
unzip -p "$T/wide/workbook.xlsx" xl/sharedStrings.xml >"$T/wide.sst"
check "1,002 columns: the matrix is named, not drawn" grep -qF \
    "a × b: 2 x 1002 combinations are too many for a matrix" "$T/wide.sst"
# two audits of the same input give the same workbook
export SOURCE_DATE_EPOCH=1767225600
for k in 1 2; do
    rm -rf "$T/same.db" "$T/same"
    fa audit --db "$T/same.db" --label label --pred decision --score score \
        --attr sex,race --out "$T/same" --formats xlsx \
        "$FIXTURES/demo/predictions.csv"
    mv "$T/same/workbook.xlsx" "$T/same$k.xlsx"
done
unset SOURCE_DATE_EPOCH
check "two audits with SOURCE_DATE_EPOCH: the same workbook, byte for byte" \
    cmp -s "$T/same1.xlsx" "$T/same2.xlsx"
# the checker itself finds a planted fault of each kind
for kind in formula cached number injected; do
    python3 "$TESTS/xlsx_mutate.py" "$T/rep1/workbook.xlsx" \
        "$T/mut-$kind.xlsx" "$kind"
    if python3 "$TESTS/xlsx_check.py" "$T/mut-$kind.xlsx" \
        "$T/rep1/results.json" >"$T/xc.out" 2>&1; then
        fail "xlsx_check misses a planted '$kind' fault"
    else
        pass
    fi
done

# ------------------------------------------------------------------
# the audit pack: pack, verify, keygen

export SOURCE_DATE_EPOCH=1767225600
fa audit --db "$T/pk.db" --label label --pred decision --score score \
    --attr sex,race --segment region --template eeoc-four-fifths --pack \
    --preparer "Ada Lovelace" --valid-until 2027-12-31 --out "$T/pk" \
    "$FIXTURES/demo/predictions.csv"
status "audit --pack" 1
check "audit --pack writes DIR.zip" test -s "$T/pk.zip"
"$FA" verify "$T/pk.zip" >"$T/out" 2>"$T/err"
eq "verify a fresh pack: exit status" "$?" 0
check "verify lists its checks" grep -q "^ok   the SHA-256 and size of all" \
    "$T/out"
check "verify recomputes from cells.csv" \
    grep -q "^ok   [0-9]* numbers of results.json recomputed" "$T/out"
check "verify says it is verified" grep -q "pk.zip: verified$" "$T/out"
unzip -p "$T/pk.zip" manifest.json >"$T/manifest.json"
eq "manifest: the input's hash" "$(jq -r '.inputs[0].sha256' "$T/manifest.json")" \
    "$(jq -r .dataset.sha256 "$T/pk/results.json")"
eq "manifest: the template's hash" "$(jq -r .template.sha256 "$T/manifest.json")" \
    "$(jq -r .template.sha256 "$T/pk/results.json")"
eq "manifest: the preparer" "$(jq -r .signoff.preparer "$T/manifest.json")" \
    "Ada Lovelace"
eq "manifest: the run's start and end (SOURCE_DATE_EPOCH)" \
    "$(jq -r '.run.started + " " + .run.finished' "$T/manifest.json")" \
    "2026-01-01T00:00:00Z 2026-01-01T00:00:00Z"
eq "manifest: valid until" "$(jq -r .signoff.valid_until "$T/manifest.json")" \
    "2027-12-31"
check "manifest: the command line" sh -c \
    "jq -r .command '$T/manifest.json' | grep -q '^fairaudit audit --db '"
eq "manifest: the workbook's hash" \
    "$(jq -r '.files[] | select(.path == "workbook.xlsx") | .sha256' "$T/manifest.json")" \
    "$(sha256sum "$T/pk/workbook.xlsx" | cut -d' ' -f1)"
check "manifest: the libraries" test \
    "$(jq -r '.libraries | keys | length' "$T/manifest.json")" -ge 11
jq -j .template.canonical "$T/pk/results.json" >"$T/pk.tmpl"
check "template.json is the resolved template, byte for byte" sh -c \
    "unzip -p '$T/pk.zip' template.json | cmp -s - '$T/pk.tmpl'"
check "no raw rows in the pack" sh -c \
    "! unzip -l '$T/pk.zip' | grep -q '\\.db\$'"
cp "$T/pk.zip" "$T/pk1.zip"
fa pack --db "$T/pk.db" --out "$T/pk2.zip" "$T/pk"
status "pack an output folder" 0
eq "pack after audit --pack: the command line and sign-off apart, the \
same manifest" \
    "$(unzip -p "$T/pk2.zip" manifest.json | jq -c 'del(.command, .signoff)')" \
    "$(jq -c 'del(.command, .signoff)' "$T/manifest.json")"
mv "$T/pk2.zip" "$T/pk3.zip"
fa pack --db "$T/pk.db" --out "$T/pk2.zip" "$T/pk"
check "the same pack command gives the same zip, byte for byte" \
    cmp -s "$T/pk2.zip" "$T/pk3.zip"
# keys and signatures
fa keygen "$T/key"
status "keygen" 0
check "keygen: the secret key is private" \
    test "$(stat -c %a "$T/key")" = 600
fa keygen "$T/key"
status "keygen never overwrites a key" 2
mv "$T/key" "$T/key.moved"
fa keygen "$T/key"
status "keygen never overwrites a public key either" 2
mv "$T/key.moved" "$T/key"
fa keygen "$T/other"
fa pack --db "$T/pk.db" --sign "$T/key" --out "$T/signed.zip" "$T/pk"
status "pack --sign" 0
"$FA" verify --pubkey "$T/key.pub" "$T/signed.zip" >"$T/out" 2>&1
eq "verify --pubkey: the right key" "$?" 0
check "verify names the signature" grep -q "^ok   the Ed25519 signature" \
    "$T/out"
"$FA" verify --pubkey "$T/other.pub" "$T/signed.zip" >"$T/out" 2>&1
eq "verify --pubkey: another key" "$?" 1
check "another key: the signature is named" \
    grep -q "^FAIL the signature does not match" "$T/out"
"$FA" verify --pubkey "$T/key.pub" "$T/pk2.zip" >"$T/out" 2>&1
eq "verify --pubkey: an unsigned pack" "$?" 1
fa pack --db "$T/pk.db" --sign "$T/key.pub" --out "$T/bad.zip" "$T/pk"
status "pack --sign with a public key" 2
check "a refused pack writes nothing" test ! -e "$T/bad.zip"
# the audited input
"$FA" verify --data "$FIXTURES/demo/predictions.csv" "$T/pk2.zip" \
    >"$T/out" 2>&1
eq "verify --data: the audited input" "$?" 0
"$FA" verify --data "$T/g40.csv" "$T/pk2.zip" >"$T/out" 2>&1
eq "verify --data: another file" "$?" 1
check "another file: named" grep -q "is not the audited input" "$T/out"
# the same table written otherwise: rows reversed, CRLF line ends
{ head -n 1 "$FIXTURES/demo/predictions.csv"
  tail -n +2 "$FIXTURES/demo/predictions.csv" | tac; } | sed 's/$/\r/' \
    >"$T/reexport.csv"
"$FA" verify --data "$T/reexport.csv" "$T/pk2.zip" >"$T/out" 2>&1
eq "verify --data: a re-export of the audited table" "$?" 0
check "a re-export: matched by its parsed rows" \
    grep -q "holds the audited table written otherwise: its 20000 parsed rows" \
    "$T/out"
awk -F, 'NR == 2 { $0 = $0 "" ; sub(/,0,/, ",1,") } { print }' \
    "$T/reexport.csv" >"$T/reexport2.csv"
"$FA" verify --data "$T/reexport2.csv" "$T/pk2.zip" >"$T/out" 2>&1
eq "verify --data: a re-export with one value changed" "$?" 1
# folders pack refuses
mkdir -p "$T/nores"
fa pack --db "$T/pk.db" "$T/nores"
status "pack a folder without results.json" 2
cp -r "$T/pk" "$T/pklink" && ln -s /etc/passwd "$T/pklink/passwd"
fa pack --db "$T/pk.db" "$T/pklink"
status "pack a folder with a link" 2
err_has "the link is named" "pklink/passwd"
cp -r "$T/pk" "$T/pkdb" && cp "$T/pk.db" "$T/pkdb/store.db"
fa pack --db "$T/pk.db" "$T/pkdb"
status "pack a folder holding the store (raw rows)" 2
err_has "the store is named" "raw rows"
fa pack --db "$T/g40.db" "$T/pk"
status "pack with another store" 2
err_has "another store: said" "is not the run of"
check "a refused pack writes nothing" test ! -e "$T/pk.zip.tmp"
# the store's run log: a pack finds a run edited or removed later
fa run --db "$T/pk.db" --template generic
fa pack --db "$T/pk.db" --out "$T/pklog.zip" "$T/pk"
"$FA" verify --db "$T/pk.db" "$T/pklog.zip" >"$T/out" 2>&1
eq "verify --db: the store as packed" "$?" 0
check "verify --db: the log is whole" grep -q "^ok   the run log of .* is whole: 2 entries" "$T/out"
check "verify --db: the pack's results.json is the logged one" \
    grep -q "^ok   the pack's results.json is the one the store logged for run 1" \
    "$T/out"
cp -r "$T/pk" "$T/pkedit"
sed 's/"fail"/"pass"/g' "$T/pk/results.json" >"$T/pkedit/results.json"
fa pack --db "$T/pk.db" "$T/pkedit"
status "pack an edited results.json" 2
err_has "an edited results.json is named" "is not the results.json the store holds"
check "an edited folder is not packed" test ! -e "$T/pkedit.zip"
eq "manifest: the run's log entry" \
    "$(unzip -p "$T/pklog.zip" manifest.json | jq -c '.run_log.run.seq, .run_log.head.seq' | tr '\n' ' ')" \
    "1 2 "
cp "$T/pk.db" "$T/edit.db"
sqlite3 "$T/edit.db" "UPDATE metric SET value = value + 0.001 WHERE run_id = 1
    AND name = 'tpr' AND gid = 1"
"$FA" verify --db "$T/edit.db" "$T/pklog.zip" >"$T/out" 2>&1
eq "verify --db: a run edited in the store" "$?" 1
check "an edited run is named" grep -q "^FAIL run 1 was changed in the store" \
    "$T/out"
cp "$T/pk.db" "$T/del.db"
sqlite3 "$T/del.db" "DELETE FROM run_log WHERE seq = 1" 2>"$T/err"
check "the run log refuses a deletion" grep -q "append-only" "$T/err"
sqlite3 "$T/del.db" "DROP TRIGGER run_log_no_delete;
    DELETE FROM run_log WHERE seq = 1"
"$FA" verify --db "$T/del.db" "$T/pklog.zip" >"$T/out" 2>&1
eq "verify --db: a log entry removed" "$?" 1
check "a removed entry is named" grep -q "does not follow the one before it" \
    "$T/out"
# a log rewritten whole after an edit: chained again, but not the head
# the pack recorded
cp "$T/pk.db" "$T/rew.db"
sqlite3 "$T/rew.db" "DROP TRIGGER run_log_no_update;
    UPDATE run SET verdict = 'pass' WHERE id = 1"
python3 - "$T/rew.db" <<'PY'
import hashlib, json, sqlite3, sys
c = sqlite3.connect(sys.argv[1])
prev = "0" * 64
for seq, entry in c.execute("SELECT seq, entry FROM run_log ORDER BY seq").fetchall():
    e = json.loads(entry)
    if e["run"] == 1:
        e["verdict"] = "pass"
    t = json.dumps(e, separators=(",", ":"), sort_keys=True)
    h = hashlib.sha256((prev + "\n" + t).encode()).hexdigest()
    c.execute("UPDATE run_log SET entry = ?, prev = ?, hash = ? WHERE seq = ?",
              (t, prev, h, seq))
    prev = h
c.commit()
PY
"$FA" verify --db "$T/rew.db" "$T/pklog.zip" >"$T/out" 2>&1
eq "verify --db: a log rewritten after an edit" "$?" 1
check "a rewritten log: the recorded head is missing" \
    grep -q "no longer holds the head the pack recorded" "$T/out"

# damaged and hostile packs, on a small one
rm -rf "$T/pks"
fa report --db "$T/pk.db" --out "$T/pks" --formats json,xlsx
fa pack --db "$T/pk.db" "$T/pks"
if python3 "$TESTS/pack_tamper.py" "$FA" "$T/pks.zip" "$T/tamper" \
    >"$T/xc.out" 2>&1; then
    pass
else
    failed=$((failed + 1))
    printf 'FAIL: verify accepts a damaged or hostile pack\n' >&2
    head -n 12 "$T/xc.out" | sed 's/^/    /' >&2
fi
check "verify writes nothing outside its folder" test ! -e "$T/evil"
unset SOURCE_DATE_EPOCH

# small groups suppressed for publication (--suppress)
# g: a 100, b 5, c 40, d 60 rows; h: x and y alternating
awk 'BEGIN { print "g,h,y,p"; split("100 5 40 60", n, " ")
    split("a b c d", v, " ")
    for (k = 1; k <= 4; k++) for (i = 0; i < n[k]; i++)
        printf "%s,%s,%d,%d\n", v[k], i % 2 ? "x" : "y", i % 3 == 0,
            (i + k) % 4 == 0 }' >"$T/sup.csv"
export SOURCE_DATE_EPOCH=1700000000
fa audit --db "$T/sup.db" --label y --pred p --attr g,h --out "$T/sup" \
    --suppress 11 "$T/sup.csv"
status "--suppress 11" 1
jq -c '[.groups[] | select(.kind == "attribute" and .attributes.g)
    | [.attributes.g, (.suppressed // false), .n]]' "$T/sup/results.json" \
    >"$T/sup.g"
eq "suppress: b (5 rows) and, to protect it, c (the next smallest)" \
    "$(cat "$T/sup.g")" \
    '[["a",false,100],["b",true,null],["c",true,null],["d",false,60]]'
eq "suppress: the run records it" \
    "$(jq .run.suppress "$T/sup/results.json")" 11
eq "suppress: a suppressed group shows no number at all" \
    "$(jq '[.groups[] | select(.suppressed) | .. | numbers] | length' \
        "$T/sup/results.json")" 0
eq "suppress: every intersection with b is suppressed" \
    "$(jq '[.groups[] | select(.kind == "intersection" and .attributes.g == "b")
        | .suppressed] | all' "$T/sup/results.json")" true
eq "suppress: the aggregates and chi-square tests of g are withheld" \
    "$(jq -c '.aggregates[] | select(.attributes == ["g"])
        | [.demographic_parity_ratio, .equalized_odds_difference,
           .chi2.selection_rate.p_value, .demographic_parity_ratio_reason]' \
        "$T/sup/results.json")" \
    '[null,null,null,"suppressed with a group of the set"]'
eq "suppress: the aggregates of h are shown" \
    "$(jq '.aggregates[] | select(.attributes == ["h"])
        | .demographic_parity_ratio | type' "$T/sup/results.json")" '"number"'

eq "suppress: the store keeps b's rows" \
    "$(sq "$T/sup.db" "SELECT g.n FROM grp g JOIN grp_value v
        ON v.run_id = g.run_id AND v.gid = g.gid WHERE v.value = 'b'
        AND g.set_id = 1")" 5
pdftotext -layout "$T/sup/report.pdf" "$T/sup.txt"
check "suppress: the reproducing command has it" \
    grep -q -- "--suppress 11" "$T/sup.txt"
check "suppress: the report's group sizes say suppressed" \
    grep -q "g: a 100; b suppressed; c suppressed; d 60\." "$T/sup.txt"
check "suppress: the limitations say how many and why" \
    grep -q "groups are published only as suppressed" "$T/sup.txt"
check "suppress: the method states the rule" \
    grep -q "Small groups are suppressed for publication" "$T/sup.txt"
xcheck "suppress: the workbook shows suppressed groups without numbers" \
    "$T/sup/workbook.xlsx" "$T/sup/results.json"
fa pack --db "$T/sup.db" "$T/sup"
status "suppress: pack" 0
fa verify "$T/sup.zip" --db "$T/sup.db"
status "suppress: the pack verifies" 0
check "suppress: verify chooses the suppressed groups again" \
    grep -q "^ok   [0-9]* numbers of results.json recomputed" "$T/out"
eq "suppress: cells.csv keeps b's rows for verification" \
    "$(unzip -p "$T/sup.zip" cells.csv |
        awk -F, 'NR > 1 && $2 == "\"b\"" { n += $(NF - 9) } END { print n }')" 5
if python3 "$TESTS/pack_tamper.py" --suppressed "$FA" "$T/sup.zip" \
    "$T/suptamper" >"$T/xc.out" 2>&1; then
    pass
else
    failed=$((failed + 1))
    printf 'FAIL: verify accepts a tampered suppression\n' >&2
    head -n 12 "$T/xc.out" | sed 's/^/    /' >&2
fi
# across sets: B's z (7 rows) and its complement x must not follow from
# x's cells in A x B (x = px + qx, z = 95 - y - x)
awk 'BEGIN { print "A,B,y,p"; split("20 40 2 20 8 5", n, " ")
    split("p,x p,y p,z q,x q,y q,z", c, " ")
    for (k = 1; k <= 6; k++) for (i = 0; i < n[k]; i++)
        printf "%s,%d,%d\n", c[k], i % 2, i % 3 == 0 }' >"$T/cross.csv"
fa audit --db "$T/cross.db" --label y --pred p --attr A,B --out "$T/cross" \
    --suppress 11 --min-group 5 --formats json "$T/cross.csv"
eq "across sets: x and z of B, and every cell of A x B, suppressed" \
    "$(jq -c '[.groups[] | select(.suppressed)
        | [.attributes.A, .attributes.B]] | sort' "$T/cross/results.json")" \
    '[[null,"x"],[null,"z"],["p","x"],["p","y"],["p","z"],["q","x"],["q","y"],["q","z"]]'
fa audit --db "$T/cross1.db" --label y --pred p --attr A,B --out "$T/cross1" \
    --suppress 1 --formats json "$T/cross.csv"
eq "suppress 1: no group is small, none suppressed (empty ones neither)" \
    "$(jq '[.groups[] | select(.suppressed)] | length' \
        "$T/cross1/results.json")" 0
# with --strata: counts within strata withheld, and the pack verifies
awk 'BEGIN { print "g,s,y,p"
    for (i = 0; i < 400; i++)
        printf "%s,%s,%d,%d\n", i % 4 ? "a" : "b", i < 9 ? "tiny" : \
            i % 2 ? "u" : "v", i % 3 == 0, i % 5 < 2 }' >"$T/sst.csv"
fa audit --db "$T/sst.db" --label y --pred p --attr g --segment s \
    --strata s --suppress 11 --out "$T/sst" --pack "$T/sst.csv"
eq "strata: s=tiny suppressed, and v (the smaller other) with it" \
    "$(jq -c '[.groups[] | select(.suppressed) | .attributes.s]' \
        "$T/sst/results.json")" '["tiny","v"]'
eq "strata: no group's counts within strata are shown" \
    "$(jq '[.groups[] | .strata // empty] | length' "$T/sst/results.json")" 0
eq "strata: the CMH tests stay" \
    "$(jq '[.groups[] | .disparity.selection_rate.cmh.p_value? | numbers]
        | length' "$T/sst/results.json")" 1
fa verify "$T/sst.zip"
status "strata: a suppressed pack with strata verifies" 0
fa audit --db "$T/sup2.db" --label y --pred p --attr g --out "$T/sup2" \
    --suppress 0 --template healthcare-subgroup "$T/sup.csv"
eq "suppress: --suppress 0 overrides the template's" \
    "$(jq .run.suppress "$T/sup2/results.json")" 0
fa audit --db "$T/sup3.db" --label y --pred p --attr g --out "$T/sup3" \
    --template healthcare-subgroup "$T/sup.csv"
eq "suppress: healthcare-subgroup suppresses under 11 by default" \
    "$(jq -c '[.run.suppress, ([.groups[] | select(.suppressed)] | length)]' \
        "$T/sup3/results.json")" '[11,2]'
fa run --db "$T/sup.db" --suppress -1
status "a negative --suppress" 2
err_has "a negative --suppress" "bad --suppress '-1'"
fa run --db "$T/sup.db" --suppress many
status "a word for --suppress" 2
unset SOURCE_DATE_EPOCH

# --include-rows: the parsed rows in the pack, and the run done again
export SOURCE_DATE_EPOCH=1700000000
fa audit --db "$T/rows.db" --out "$T/rows" --label label --pred decision \
    --score score --attr sex,race --segment region,age \
    --bin age=18,30,45,60 --strata region --pack --include-rows \
    "$FIXTURES/demo/predictions.csv"
status "audit --pack --include-rows" 1
eq "rows.csv: a header and every loaded row" \
    "$(unzip -p "$T/rows.zip" rows.csv | wc -l)" 20001
eq "rows.csv: its columns" \
    "$(unzip -p "$T/rows.zip" rows.csv | head -n 1)" \
    '"label","pred","score","sex","race","region","age"'
eq "the manifest names rows.csv and its columns" \
    "$(unzip -p "$T/rows.zip" manifest.json | jq -c '.rows')" \
    '{"columns":{"label":"label","pred":"pred","score":"score"},"path":"rows.csv","rows":20000}'
fa verify "$T/rows.zip"
status "verify a pack with its rows" 0
check "verify: rows.csv is the audited table" \
    grep -q "^ok   rows.csv holds the audited table: 20000 rows" "$T/out"
check "verify: the run done again from the rows gives results.json" \
    grep -q "^ok   the run done again from rows.csv gives results.json" \
    "$T/out"
if python3 "$TESTS/pack_tamper.py" --rows "$FA" "$T/rows.zip" \
    "$T/rowstamper" >"$T/xc.out" 2>&1; then
    pass
else
    failed=$((failed + 1))
    printf 'FAIL: verify accepts a pack whose rows or results disagree\n' >&2
    head -n 12 "$T/xc.out" | sed 's/^/    /' >&2
fi
fa verify "$T/sup.zip"
check "without rows, an unscored run is done again from its cells" \
    grep -q "^ok   the run done again from cells.csv gives results.json" \
    "$T/out"
fa report --db "$T/rows.db" --out "$T/rows2" --formats json
fa pack --db "$T/rows.db" "$T/rows2"
fa verify "$T/rows2.zip"
status "verify a scored pack without its rows" 0
check "without rows, a scored run is done again from values.csv" \
    grep -q "^ok   the run done again from values.csv gives results.json" \
    "$T/out"
eq "values.csv: its columns" \
    "$(unzip -p "$T/rows2.zip" values.csv | head -n 1)" \
    'kind,"sex","race","region","age",label,pred,score,weight,rows'
eq "values.csv: the cells' rows, and each segment's, are every row" \
    "$(unzip -p "$T/rows2.zip" values.csv | awk -F, 'NR > 1 {
        k = $1 == "cell" ? "cell" : $1; n[k] += $NF }
        END { print n["cell"], n["\"segment:age\""] }')" "20000 20000"
eq "values.csv: no segment lines for the strata column (in the cells)" \
    "$(unzip -p "$T/rows2.zip" values.csv | grep -c '^"segment:region"')" 0
eq "values.csv: a cell's line counts its rows of one score" \
    "$(unzip -p "$T/rows2.zip" values.csv | grep -c '^cell,"female","White","west",,1,1,0.502172,,1$')" 1
# cells within strata, fixed bins, and segments with missing values in
# two columns: the cells alone do the run again, CMH tests included
awk 'BEGIN { srand(2); print "g,s1,s2,age,y,p"
    for (i = 0; i < 600; i++)
        printf "%s,%s,%s,%d,%d,%d\n", i % 3 ? "a" : "b",
            i % 10 == 0 ? "" : i % 2 ? "u" : "v",
            i % 7 == 0 ? "" : i % 3 ? "k" : "l", 18 + i % 50,
            rand() < 0.4, rand() < 0.5 }' >"$T/cst.csv"
fa audit --db "$T/cst.db" --out "$T/cst" --label y --pred p --attr g \
    --segment s1,s2,age --bin age=30,50 --strata s1 --pack "$T/cst.csv"
fa verify "$T/cst.zip"
status "verify: missing segment values in two columns, strata, bins" 0
check "cells within strata: the run done again from cells.csv" \
    grep -q "^ok   the run done again from cells.csv gives results.json" \
    "$T/out"
# a strata column with no value at all: one stratum, the missing one
awk -F, 'BEGIN { OFS = "," } NR == 1 { print $0 ",sm"; next }
    { print $0 "," }' "$T/cst.csv" >"$T/csm.csv"
fa audit --db "$T/csm.db" --out "$T/csm" --label y --pred p --attr g \
    --segment s1,sm --strata sm --formats json --pack "$T/csm.csv"
fa verify "$T/csm.zip"
status "verify: a strata column with every value missing" 0
eq "cells.csv names each segment line's column" \
    "$(unzip -p "$T/cst.zip" cells.csv | grep -c '^"segment:s2",,,,')" 1
# weighted, label-free and binned by quantiles: the run done again too
"$FA" synth --rows 3000 --weights --seed 4 -o "$T/wrows.csv"
fa audit --db "$T/wrows.db" --out "$T/wrows" --label label --pred decision \
    --score score --weight weight --attr sex,race --segment age \
    --bin age=q4 --reference overall --suppress 20 --pack --include-rows \
    "$T/wrows.csv"
fa verify "$T/wrows.zip"
status "verify a weighted pack with its rows" 0
check "weighted: the run done again gives results.json" \
    grep -q "^ok   the run done again from rows.csv" "$T/out"
# weighted and scored, strata, bins by quantiles, suppression, no rows:
# the run done again from values.csv
fa audit --db "$T/wv.db" --out "$T/wv" --label label --pred decision \
    --score score --weight weight --attr sex,race --segment region,age \
    --bin age=q4 --strata region --suppress 20 --template eeoc-four-fifths \
    --pack "$T/wrows.csv"
fa verify "$T/wv.zip"
status "verify a weighted, scored pack without its rows" 0
check "weighted, scored: the run done again from values.csv" \
    grep -q "^ok   the run done again from values.csv gives results.json" \
    "$T/out"
check "quantile bins: binned again at the edges results.json names" \
    grep -q "^ok   age, binned by quantiles, is binned again from values.csv at the edges" \
    "$T/out"
if python3 "$TESTS/pack_tamper.py" --values "$FA" "$T/wv.zip" \
    "$T/wvtamper" >"$T/xc.out" 2>&1; then
    pass
else
    failed=$((failed + 1))
    printf 'FAIL: verify accepts a pack whose values or results disagree\n' >&2
    head -n 12 "$T/xc.out" | sed 's/^/    /' >&2
fi
# values.csv too big for a pack is left out, and the manifest says so:
# verify then says the run is not done again from the cells (forged here:
# the manifest's libzip another, so the bytes are not compared)
python3 - "$T/wv.zip" "$T/wvo.zip" <<'PY'
import json, sys, zipfile
src, dst = sys.argv[1:]
with zipfile.ZipFile(src) as z, zipfile.ZipFile(dst, "w") as o:
    for i in z.infolist():
        d = z.read(i.filename)
        if i.filename == "values.csv":
            continue
        if i.filename == "manifest.json":
            m = json.loads(d)
            m["files"] = [f for f in m["files"] if f["path"] != "values.csv"]
            m["values_omitted"] = "values.csv would be 600000000 bytes"
            m["libraries"]["libzip"] = "0"
            d = (json.dumps(m, indent=1, sort_keys=True) + "\n").encode()
        o.writestr(i, d)
PY
fa verify "$T/wvo.zip"
status "verify: values.csv left out, as the manifest says" 0
check "verify: values.csv left out, said" \
    grep -q "^ok   the run is not done again from the cells: values.csv would be 600000000 bytes" \
    "$T/out"
check "verify: the last line says the run was not done again" \
    grep -q "verified, but the run was not done again" "$T/out"
# a weighted, scored pack: the sweep of flipped bits and edits (values.csv
# among the members), each rejected
fa audit --db "$T/wj.db" --out "$T/wj" --label label --pred decision \
    --score score --weight weight --attr sex,race --segment region,age \
    --bin age=30,50 --strata region --formats json --pack "$T/wrows.csv"
if python3 "$TESTS/pack_tamper.py" "$FA" "$T/wj.zip" "$T/wjtamper" \
    >"$T/xc.out" 2>&1; then
    pass
else
    failed=$((failed + 1))
    printf 'FAIL: verify accepts a damaged weighted, scored pack\n' >&2
    head -n 12 "$T/xc.out" | sed 's/^/    /' >&2
fi
# the rows in another order give the same results.json, byte for byte
# (the bootstrap draws each small cell's weights in ascending order; the
# strata come in their values' order; tied scores add their weights in
# the weights' order): scores rounded to one decimal, for ties
awk -F, 'BEGIN { OFS = "," } NR > 1 { $8 = sprintf("%.1f", $8) } 1' \
    "$T/wrows.csv" >"$T/wties.csv"
{
    head -n 1 "$T/wties.csv"
    tail -n +2 "$T/wties.csv" | sort -t, -k9,9 -k1,1n
} >"$T/wshuf.csv"
for f in wties wshuf; do
    fa audit --db "$T/o$f.db" --out "$T/o$f" --label label --pred decision \
        --score score --weight weight --attr sex,race --segment region,age \
        --bin age=30,50 --strata region --formats json "$T/$f.csv"
done
eq "the rows in another order: the same results" \
    "$(jq -S 'del(.dataset.sha256, .dataset.source)' "$T/owties/results.json" |
        sha256sum)" \
    "$(jq -S 'del(.dataset.sha256, .dataset.source)' "$T/owshuf/results.json" |
        sha256sum)"
fa audit --db "$T/lrows.db" --out "$T/lrows" --pred decision --attr sex \
    --template eeoc-four-fifths --pack --include-rows "$T/wrows.csv"
fa verify "$T/lrows.zip"
status "verify a label-free pack with its rows" 0
check "label-free: the run done again gives results.json" \
    grep -q "^ok   the run done again from rows.csv" "$T/out"
mkdir -p "$T/rowsdir"
cp "$T/sup/results.json" "$T/rowsdir/"
echo x >"$T/rowsdir/rows.csv"
fa pack --db "$T/sup.db" "$T/rowsdir"
status "a folder holding rows.csv" 2
unset SOURCE_DATE_EPOCH

# ------------------------------------------------------------------
# continuous audits: history, compare, drift

A="-a sex=female:0.5,male:0.5 -a race=White:0.6,Black:0.2,Asian:0.1,Hispanic:0.1"
# shellcheck disable=SC2086
"$FA" synth --rows 20000 --seed 11 $A -o "$T/cb.csv"
# shellcheck disable=SC2086
"$FA" synth --rows 20000 --seed 12 $A --plant race=Black:fpr=2 \
    -o "$T/cc.csv"
fa audit --db "$T/cmp.db" --out "$T/cmpb" --label label --pred decision \
    --score score --attr sex,race "$T/cb.csv"
fa audit --db "$T/cmp.db" --out "$T/cmpc" --label label --pred decision \
    --score score --attr sex,race --pack --include-rows "$T/cc.csv"
fa compare --db "$T/cmp.db" 1 2 --out "$T/cmpo"
status "compare: a planted FPR regression fails the candidate" 1
eq "compare: compare.json is written" \
    "$(jq '.schema == "fairaudit.compare/1"' "$T/cmpo/compare.json")" true
eq "compare: the regressions are race=Black's and its intersections' only" \
    "$(jq -c '[.changes[] | select(.regression) | .attributes] | unique' \
        "$T/cmpo/compare.json")" \
    '[{"race":"Black"},{"race":"Black","sex":"female"},{"race":"Black","sex":"male"}]'
eq "compare: race=Black's FPR is a regression, with its test" \
    "$(jq -c '.changes[] | select(.kind == "attribute" and
        .attributes == {"race":"Black"} and .metric == "fpr")
        | [.regression, .test, (.change > 0.05), (.p_adjusted < 0.05)]' \
        "$T/cmpo/compare.json")" '[true,"z",true,true]'
eq "compare: every regression is what more false positives bring" \
    "$(jq -c '[.changes[] | select(.regression) | .metric] | unique
        | map(select(IN("fpr","tnr","accuracy","ppv","fdr","auc") | not))' \
        "$T/cmpo/compare.json")" '[]'
eq "compare: the overall FPR moved less than the tolerance" \
    "$(jq -c '.changes[] | select(.kind == "overall" and .metric == "fpr")
        | [.regression, (.change | fabs < 0.02)]' "$T/cmpo/compare.json")" \
    '[false,true]'
eq "compare: the AUC is compared by DeLong's test" \
    "$(jq -r '.changes[] | select(.kind == "attribute" and
        .attributes == {"race":"Black"} and .metric == "auc") | .test' \
        "$T/cmpo/compare.json")" delong
eq "compare: verdicts that changed are listed" \
    "$(jq '[.verdicts_changed[] | select(.metric == "fpr" and
        .attributes == {"race":"Black"} and .candidate == "fail")]
        | length == 1' "$T/cmpo/compare.json")" true
check "compare: the summary names the regression" \
    grep -q 'WORSE  attribute {"race":"Black"} fpr' "$T/out"
check "compare: compare.pdf is a sound PDF" \
    sh -c "qpdf --check '$T/cmpo/compare.pdf' >/dev/null"
pdftotext -layout "$T/cmpo/compare.pdf" "$T/cmpo.txt"
for h in "What got worse" "What got better" "Verdicts that changed" "Drift" \
    "Run history"; do
    check "compare.pdf: the section '$h'" grep -q "^$h" "$T/cmpo.txt"
done
check "compare.pdf: race=Black's FPR under what got worse" \
    grep -q "^race=Black  *fpr  *0\.[0-9]*  *0\.[0-9]*  *+0\." "$T/cmpo.txt"
eq "compare.xlsx: its sheets" \
    "$(unzip -p "$T/cmpo/compare.xlsx" xl/workbook.xml |
        grep -o 'sheet name="[^"]*"' | tr '\n' ' ')" \
    'sheet name="Compare" sheet name="Verdicts changed" sheet name="Drift" sheet name="History" '
check "compare.xlsx: a line chart of the history" \
    sh -c "unzip -l '$T/cmpo/compare.xlsx' | grep -q 'xl/charts/chart1.xml'"
fa compare --db "$T/cmp.db" 1 2 --out "$T/cmpo2" --quiet
check "compare: the same comparison gives the same PDF" \
    cmp -s "$T/cmpo/compare.pdf" "$T/cmpo2/compare.pdf"
check "compare: the same comparison gives the same workbook" \
    cmp -s "$T/cmpo/compare.xlsx" "$T/cmpo2/compare.xlsx"
check "compare: the same comparison gives the same compare.json" \
    cmp -s "$T/cmpo/compare.json" "$T/cmpo2/compare.json"
fa report --db "$T/cmp.db" --run 2 --out "$T/cmpr" --compare 1
status "report --compare" 0
pdftotext -layout "$T/cmpr/report.pdf" "$T/cmpr.txt"
check "report --compare: the report's comparison section" \
    grep -q "^Comparison with the base run" "$T/cmpr.txt"
check "report --compare: in the contents, linked" \
    sh -c "python3 $TESTS/pdf_links.py '$T/cmpr/report.pdf' >'$T/links' &&
        grep -q 'What got worse' '$T/links'"
check "report --compare: the workbook's Compare sheet" \
    sh -c "unzip -p '$T/cmpr/workbook.xlsx' xl/workbook.xml | grep -q 'sheet name=\"Compare\"'"
eq "report --compare: compare.json as compare writes it" \
    "$(jq -c '[.changes[] | select(.regression) | [.attributes, .metric]]' \
        "$T/cmpr/compare.json")" \
    "$(jq -c '[.changes[] | select(.regression) | [.attributes, .metric]]' \
        "$T/cmpo/compare.json")"
xcheck "report --compare: the workbook's other sheets against results.json" \
    "$T/cmpr/workbook.xlsx" "$T/cmpr/results.json"
fa report --db "$T/cmp.db" --run 2 --out "$T/cmpr2" --compare 99
status "report --compare: no such base run" 3
eq "compare: no drift in the group mix" \
    "$(jq -c '[.drift.composition[] | .alert]' "$T/cmpo/compare.json")" \
    '[false,false]'
eq "compare: score drift by group, KS and PSI" \
    "$(jq '[.drift.scores[] | select(.ks.p_value >= 0 and .psi >= 0)]
        | length >= 5' "$T/cmpo/compare.json")" true
fa compare --db "$T/cmp.db" 1 "$T/cmpc.zip" --out "$T/cmpz"
status "compare: a run against a pack" 1
eq "compare: a pack gives the same changes as its run" \
    "$(jq -c '[.changes[] | select(.regression) | [.attributes, .metric]]' \
        "$T/cmpz/compare.json")" \
    "$(jq -c '[.changes[] | select(.regression) | [.attributes, .metric]]' \
        "$T/cmpo/compare.json")"
eq "compare: a pack with its rows gives the score drift" \
    "$(jq '.drift.scores | length >= 5' "$T/cmpz/compare.json")" true
fa compare --db "$T/cmp.db" 2 1 --quiet
status "compare: the other way round, no regression" 0
fa compare --db "$T/cmp.db" 1 1 --quiet
status "compare: a run against itself" 0
# a shifted mix of race: PSI above 0.25 for race only
"$FA" synth --rows 20000 --seed 13 -a sex=female:0.5,male:0.5 \
    -a race=White:0.3,Black:0.5,Asian:0.1,Hispanic:0.1 -o "$T/cm.csv"
fa audit --db "$T/cmp.db" --out "$T/cmpm" --label label --pred decision \
    --score score --attr sex,race "$T/cm.csv"
fa compare --db "$T/cmp.db" 1 3 --out "$T/cmpmo" --quiet
eq "drift: the shifted attribute alone is over 0.25" \
    "$(jq -c '[.drift.composition[] | [.attribute, .alert, (.psi > 0.25)]]' \
        "$T/cmpmo/compare.json")" '[["sex",false,false],["race",true,true]]'
eq "drift: its chi-square test rejects" \
    "$(jq '.drift.composition[1].chi2.p_value < 1e-10' "$T/cmpmo/compare.json")" true
# attributes that cannot be matched
fa audit --db "$T/cmp.db" --out "$T/cmps" --label label --pred decision \
    --attr sex "$T/cb.csv"
fa compare --db "$T/cmp.db" 1 4
status "compare: runs of other attributes" 2
err_has "compare: the missing attribute is named" "the candidate lacks 'race'"
fa compare --db "$T/cmp.db" 1
status "compare: one run only" 2
fa compare --db "$T/cmp.db" 1 99
status "compare: no such run" 3
fa compare --db "$T/cmp.db" 1 "$T/nope.zip"
status "compare: no such pack" 3
fa history --db "$T/cmp.db"
status "history" 0
check "history: every run" test "$(grep -c '^ *[0-9] .*generic' "$T/out")" = 4
fa history --db "$T/cmp.db" --json
eq "history --json: runs and their verdicts" \
    "$(jq -c '[.runs[] | [.id, .verdict]]' "$T/out")" \
    "$(for i in 1 2 3 4; do sq "$T/cmp.db" \
        "SELECT '[' || id || ',\"' || verdict || '\"]' FROM run WHERE id = $i"
       done | paste -sd, | sed 's/^/[/; s/$/]/')"
# null pairs: over 20 seeds, the false alarms stay near alpha
alarms=0
nullerr=0
: >"$T/nullp"
for s in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do
    # shellcheck disable=SC2086
    "$FA" synth --rows 4000 --seed $((100 + s)) $A -o "$T/n1.csv"
    # shellcheck disable=SC2086
    "$FA" synth --rows 4000 --seed $((200 + s)) $A -o "$T/n2.csv"
    rm -f "$T/null.db"
    "$FA" audit --db "$T/null.db" --out "$T/nullo" --label label \
        --pred decision --attr sex,race --formats json "$T/n1.csv" \
        >/dev/null 2>&1
    "$FA" audit --db "$T/null.db" --out "$T/nullo" --label label \
        --pred decision --attr sex,race --formats json "$T/n2.csv" \
        >/dev/null 2>&1
    r=0
    "$FA" compare --db "$T/null.db" 1 2 --out "$T/nullc" --quiet \
        >/dev/null 2>"$T/nullerr" || r=$?
    [ "$r" -eq 1 ] && alarms=$((alarms + 1))
    [ "$r" -gt 1 ] && nullerr=$((nullerr + 1)) && cat "$T/nullerr" >&2
    jq -r '.changes[] | select(.metric == "fpr" or .metric == "tpr" or
        .metric == "selection_rate") | .p_value | numbers' \
        "$T/nullc/compare.json" >>"$T/nullp"
done
eq "null pairs: every compare ran" "$nullerr" 0
check "null pairs: at most 2 of 20 compare with a regression ($alarms)" \
    test "$alarms" -le 2
share=$(awk '{ n++; s += ($1 < 0.05) } END { printf "%.3f", s / n }' \
    "$T/nullp")
check "null pairs: unadjusted p under 0.05 for about 5% ($share)" \
    awk -v s="$share" 'BEGIN { exit !(s >= 0.02 && s <= 0.09) }'
# a pack compare cannot read: refused with what is wrong, never a crash
python3 - "$T/cmpc.zip" "$T/hostile.zip" <<'PY'
import json, sys, zipfile
src, dst = sys.argv[1:]
with zipfile.ZipFile(src) as z, zipfile.ZipFile(dst, "w") as w:
    for i in z.infolist():
        d = z.read(i.filename)
        if i.filename == "results.json":
            r = json.loads(d)
            r["dataset"]["columns"]["attributes"].insert(0, 1)
            r["groups"][0]["metrics"]["tpr"]["den"] = -5
            d = json.dumps(r).encode()
        w.writestr(i, d)
PY
fa compare --db "$T/cmp.db" 1 "$T/hostile.zip"
status "compare: a pack with a malformed results.json" 3
err_has "compare: it says what is wrong" "its results.json cannot be compared"
fa audit --db "$T/cmp.db" --out "$T/cmpbad" --label label --pred decision \
    --attr sex,race --compare "$T/nope.zip" "$T/cb.csv"
status "audit --compare with no such pack" 3
check "audit --compare: the outputs are written all the same" \
    test -s "$T/cmpbad/report.pdf"

# hand-worked verdicts of every bundled template (fixtures/templates/README.md)
for dir in "$FIXTURES"/templates/*/; do
    case_name=$(basename "$dir")
    [ -f "$dir/expected.tsv" ] || continue
    rm -rf "$T/tc.db" "$T/tc.out"
    # shellcheck disable=SC2046
    fa audit --db "$T/tc.db" --out "$T/tc.out" $(cat "$dir/args") \
        "$dir/input.csv"
    want_exit=$(awk -F'\t' '$1 == "exit" { print $3 }' "$dir/expected.tsv")
    status "template case $case_name" "$want_exit"
    if [ "$want_exit" = 2 ]; then
        err_has "template case $case_name: the refusal" \
            "$(awk -F'\t' '$1 == "stderr" { print $3 }' "$dir/expected.tsv")"
        check "template case $case_name: no results" \
            test ! -e "$T/tc.out/results.json"
        continue
    fi
    {
        jq -r '.verdicts[] | [(.attributes | to_entries |
            map("\(.key)=\(.value // "")") | join(",")), .metric,
            .verdict] | @tsv' "$T/tc.out/results.json" | LC_ALL=C sort
        printf 'overall\t-\t%s\n' "$(jq -r .verdict "$T/tc.out/results.json")"
        printf 'exit\t-\t%s\n' "$rc"
    } >"$T/tc.tsv"
    if cmp -s "$T/tc.tsv" "$dir/expected.tsv"; then
        pass
    else
        fail "template case $case_name: verdicts differ: $(diff "$dir/expected.tsv" "$T/tc.tsv" | tr '\n' ' ')"
    fi
done

printf '%d passed, %d failed\n' "$passed" "$failed"
[ "$failed" -eq 0 ]
