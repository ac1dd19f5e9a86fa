#!/bin/sh
# bench.sh — throughput and peak memory of ingest and run, with the sqlite3
# CLI's .import of the same file measured in the same run as the reference.
#
#   sh bench/bench.sh build/bin/fairaudit
#   BENCH_ROWS="1000000" BENCH_REPS=5 sh bench/bench.sh build/bin/fairaudit
#
# Each figure is the median of BENCH_REPS runs (default 3).
set -eu
FA=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
ROWS=${BENCH_ROWS:-"1000000 10000000"}
REPS=${BENCH_REPS:-3}
DIR=$(mktemp -d "${TMPDIR:-/tmp}/fairaudit-bench.XXXXXX")
trap 'rm -rf "$DIR"' EXIT INT TERM

# median of the numbers on stdin
median() {
    sort -g | awk '{ v[NR] = $1 } END {
        if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# runs a command, appends "seconds max_rss_kb" to file $1; exit 1 is a
# failed verdict, not an error
measure() {
    out=$1
    shift
    rc=0
    /usr/bin/time -f "%e %M" -o "$DIR/time" "$@" >/dev/null 2>"$DIR/err" ||
        rc=$?
    if [ "$rc" -gt 1 ]; then
        cat "$DIR/err" >&2
        exit 1
    fi
    tail -1 "$DIR/time" >>"$out"
}

col() { awk -v c="$1" '{ print $c }' "$2" | median; }

echo "fairaudit bench: $(nproc) cores, $(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo | head -1)"
echo "medians of $REPS runs"
for n in $ROWS; do
    csv=$DIR/data.csv
    "$FA" synth --rows "$n" --seed 42 --out "$csv"
    mb=$(du -m "$csv" | cut -f1)
    : >"$DIR/ing"; : >"$DIR/imp"; : >"$DIR/run"; : >"$DIR/runs"
    i=0
    while [ $i -lt "$REPS" ]; do
        rm -f "$DIR/a.db" "$DIR/b.db" "$DIR/s.db"
        # every column the CSV has: label, decision, score, attributes
        measure "$DIR/ing" "$FA" ingest -q --db "$DIR/s.db" --label label \
            --pred decision --score score --attr sex,race --segment region \
            "$csv"
        measure "$DIR/imp" sqlite3 "$DIR/b.db" ".import --csv $csv t"
        measure "$DIR/runs" "$FA" run -q --db "$DIR/s.db"
        "$FA" ingest -q --db "$DIR/a.db" --label label --pred decision \
            --attr sex,race --segment region "$csv"
        measure "$DIR/run" "$FA" run -q --db "$DIR/a.db"
        i=$((i + 1))
    done
    ing=$(col 1 "$DIR/ing"); imp=$(col 1 "$DIR/imp")
    awk -v n="$n" -v mb="$mb" -v ing="$ing" -v imp="$imp" \
        -v ingm="$(col 2 "$DIR/ing")" -v run="$(col 1 "$DIR/run")" \
        -v runm="$(col 2 "$DIR/run")" -v runs="$(col 1 "$DIR/runs")" \
        -v runsm="$(col 2 "$DIR/runs")" 'BEGIN {
        printf "\n%d rows (%d MB CSV)\n", n, mb
        printf "  ingest          %6.2f s  %9.0f rows/s  peak %6.0f MB\n", ing, n / ing, ingm / 1024
        printf "  sqlite3 .import %6.2f s  %9.0f rows/s\n", imp, n / imp
        printf "  ingest speed-up over .import: %.2fx\n", imp / ing
        printf "  run (2 attrs, intersection, 1 segment)         %6.2f s  peak %6.0f MB\n", run, runm / 1024
        printf "  run with --score (adds AUC, Brier, mean score) %6.2f s  peak %6.0f MB\n", runs, runsm / 1024
    }'
done

# Uncertainty: 100 intersection groups (two attributes of 10 values), the
# largest size above. --timings splits the run: the closed-form intervals
# and tests, and the 1000-replicate stratified bootstrap of the aggregates.
n=$(echo "$ROWS" | tr ' ' '\n' | sort -n | tail -1)
csv=$DIR/g100.csv
A="a=a0:1,a1:1,a2:1,a3:1,a4:1,a5:1,a6:1,a7:1,a8:1,a9:1"
B="b=b0:1,b1:1,b2:1,b3:1,b4:1,b5:1,b6:1,b7:1,b8:1,b9:1"
"$FA" synth --rows "$n" --seed 43 --attr "$A" --attr "$B" --weights \
    --segment region=n:1,s:1 --out "$csv"
rm -f "$DIR/g.db"
"$FA" ingest -q --db "$DIR/g.db" --label label --pred decision --attr a,b \
    --segment region "$csv"
"$FA" ingest -q --db "$DIR/g.db" --label label --pred decision --attr a,b \
    --segment region --weight weight "$csv"
# timings FILE DATASET: REPS runs of DATASET; their timings, one line each
timings() {
    : >"$1.raw"
    i=0
    while [ $i -lt "$REPS" ]; do
        "$FA" run -q --db "$DIR/g.db" --dataset "$2" --timings \
            --bootstrap 1000 2>>"$1.raw" || [ $? -le 1 ]
        i=$((i + 1))
    done
    sed -n 's/^timings: scan \([0-9.]*\) s, groups \([0-9.]*\) s, statistics \([0-9.]*\) s, bootstrap \([0-9.]*\) s, save \([0-9.]*\) s$/\1 \2 \3 \4 \5/p' \
        "$1.raw" >"$1"
}
timings "$DIR/tims" 1
timings "$DIR/timw" 2
awk -v n="$n" -v scan="$(col 1 "$DIR/tims")" -v stats="$(col 3 "$DIR/tims")" \
    -v boot="$(col 4 "$DIR/tims")" -v wscan="$(col 1 "$DIR/timw")" \
    -v wboot="$(col 4 "$DIR/timw")" 'BEGIN {
    printf "\n%d rows, 100 intersection groups (run --timings)\n", n
    printf "  scan of the rows                         %6.3f s\n", scan
    printf "  closed-form intervals and tests          %6.3f s\n", stats
    printf "  stratified bootstrap, 1000 replicates    %6.3f s\n", boot
    printf "  weighted: scan of the rows               %6.3f s\n", wscan
    printf "  weighted: bootstrap, 1000 replicates     %6.3f s\n", wboot
}'

# The report of a run with 200 groups: 20 x 10 intersection groups plus the
# marginal ones. Writes results.json, every chart (SVG and PNG) and the PDF.
csv=$DIR/r200.csv
A="a=$(i=0; while [ $i -lt 20 ]; do printf 'a%02d:1,' $i; i=$((i + 1)); done | sed 's/,$//')"
B="b=$(i=0; while [ $i -lt 10 ]; do printf 'b%d:1,' $i; i=$((i + 1)); done | sed 's/,$//')"
"$FA" synth --rows 200000 --seed 44 --attr "$A" --attr "$B" --out "$csv"
rm -f "$DIR/r.db"
"$FA" ingest -q --db "$DIR/r.db" --label label --pred decision --score score \
    --attr a,b "$csv"
"$FA" run -q --db "$DIR/r.db" || [ $? -le 1 ]
groups=$(sqlite3 "$DIR/r.db" "SELECT count(*) - 1 FROM grp")
: >"$DIR/rep"
i=0
while [ $i -lt "$REPS" ]; do
    rm -rf "$DIR/rep.out"
    measure "$DIR/rep" "$FA" report -q --db "$DIR/r.db" --out "$DIR/rep.out"
    i=$((i + 1))
done
# the workbook alone, and results.json alone as the reference
: >"$DIR/xlsx"; : >"$DIR/json"
i=0
while [ $i -lt "$REPS" ]; do
    rm -rf "$DIR/x.out" "$DIR/j.out"
    measure "$DIR/xlsx" "$FA" report -q --db "$DIR/r.db" --out "$DIR/x.out" \
        --formats xlsx
    measure "$DIR/json" "$FA" report -q --db "$DIR/r.db" --out "$DIR/j.out" \
        --formats json
    i=$((i + 1))
done
awk -v g="$groups" -v t="$(col 1 "$DIR/rep")" -v m="$(col 2 "$DIR/rep")" \
    -v xt="$(col 1 "$DIR/xlsx")" -v xm="$(col 2 "$DIR/xlsx")" \
    -v jt="$(col 1 "$DIR/json")" -v jm="$(col 2 "$DIR/json")" \
    -v xkb="$(du -k "$DIR/x.out/workbook.xlsx" | cut -f1)" \
    -v pages="$(pdfinfo "$DIR/rep.out/report.pdf" | sed -n 's/^Pages: *//p')" 'BEGIN {
    printf "\nreport of a run with %d groups (results.json, charts, PDF of %d pages, workbook)\n", g, pages
    printf "  report          %6.2f s  peak %6.0f MB\n", t, m / 1024
    printf "  workbook alone  %6.2f s  peak %6.0f MB  (%d kB; target < 1 s)\n", xt, xm / 1024, xkb
    printf "  results.json    %6.2f s  peak %6.0f MB  (reference)\n", jt, jm / 1024
}'

# The audit pack of that run (scored: with values.csv) and its
# verification, which does the whole run again from values.csv; the run
# itself as the reference.
: >"$DIR/pack"; : >"$DIR/ver"; : >"$DIR/rrun"
i=0
while [ $i -lt "$REPS" ]; do
    rm -f "$DIR/j.zip"
    measure "$DIR/pack" "$FA" pack -q --db "$DIR/r.db" --out "$DIR/j.zip" \
        "$DIR/j.out"
    measure "$DIR/ver" "$FA" verify -q "$DIR/j.zip"
    measure "$DIR/rrun" "$FA" run -q --db "$DIR/r.db"
    i=$((i + 1))
done
"$FA" verify -q "$DIR/j.zip" >/dev/null
awk -v pt="$(col 1 "$DIR/pack")" -v pm="$(col 2 "$DIR/pack")" \
    -v vt="$(col 1 "$DIR/ver")" -v vm="$(col 2 "$DIR/ver")" \
    -v rt="$(col 1 "$DIR/rrun")" -v rm="$(col 2 "$DIR/rrun")" \
    -v zkb="$(du -k "$DIR/j.zip" | cut -f1)" 'BEGIN {
    printf "\naudit pack of that run (200000 scored rows, results.json only)\n"
    printf "  pack            %6.2f s  peak %6.0f MB  (%d kB)\n", pt, pm / 1024, zkb
    printf "  verify          %6.2f s  peak %6.0f MB  (the run done again from values.csv)\n", vt, vm / 1024
    printf "  run             %6.2f s  peak %6.0f MB  (reference)\n", rt, rm / 1024
}'
