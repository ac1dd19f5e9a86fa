#!/bin/sh
# demo.sh — a full audit of the bundled data: ingest, run, results.json.
set -eu
FA=$1
OUT=${DEMO_OUT:-demo-out}
rm -rf "$OUT"
mkdir -p "$OUT"
# exit 1 is a verdict (the planted gaps fail the generic template), not an
# error
rc=0
"$FA" audit fixtures/demo/predictions.csv \
    --db "$OUT/audit.db" --out "$OUT" \
    --label label --pred decision --score score \
    --attr sex,race --segment region,age --bin age=18,30,45,60 || rc=$?
[ "$rc" -le 1 ] || exit "$rc"
echo
echo "demo: audited fixtures/demo/predictions.csv (20,000 synthetic rows with a"
echo "      lower TPR planted for women and a higher FPR for Black applicants)"
echo "demo: store   $OUT/audit.db"
echo "demo: results $OUT/results.json"
echo "demo: report  $OUT/report.pdf, workbook $OUT/workbook.xlsx (charts in $OUT/charts/)"
echo "demo: TPR by group against the reference group (from the store):"
sqlite3 -header -column "$OUT/audit.db" "
SELECT d.name || '=' || coalesce(v.value, '(missing)') AS grp,
       g.n,
       printf('%.3f', m.value) AS tpr,
       printf('[%.3f, %.3f]', m.ci_low, m.ci_high) AS ci95,
       printf('%.3f', x.ratio) AS ratio,
       CASE WHEN x.ratio_low IS NULL THEN ''
            ELSE printf('[%.3f, %.3f]', x.ratio_low, x.ratio_high)
       END AS ratio_ci,
       CASE WHEN x.p_adjusted IS NULL THEN ''
            ELSE printf('%.2g', x.p_adjusted) END AS p_holm,
       x.evidence
FROM grp g
JOIN group_set s ON s.run_id = g.run_id AND s.set_id = g.set_id
JOIN run r ON r.id = g.run_id
JOIN grp_value v ON v.run_id = g.run_id AND v.gid = g.gid
JOIN dim d ON d.dataset_id = r.dataset_id AND d.idx = CAST(s.dims AS INTEGER)
JOIN metric m ON m.run_id = g.run_id AND m.gid = g.gid AND m.name = 'tpr'
JOIN disparity x ON x.run_id = g.run_id AND x.gid = g.gid
     AND x.metric = 'tpr'
WHERE g.run_id = (SELECT max(id) FROM run) AND s.kind = 'attribute'
ORDER BY g.gid;"
echo "demo: verdicts of the generic template that did not pass:"
sqlite3 -header -column "$OUT/audit.db" "
SELECT v.verdict, v.metric, group_concat(d.name || '=' ||
       coalesce(gv.value, '(missing)'), ',') AS grp, v.reason
FROM verdict v
JOIN grp g ON g.run_id = v.run_id AND g.gid = v.gid
JOIN group_set s ON s.run_id = g.run_id AND s.set_id = g.set_id
JOIN run r ON r.id = v.run_id
JOIN grp_value gv ON gv.run_id = g.run_id AND gv.gid = g.gid
JOIN dim d ON d.dataset_id = r.dataset_id
     AND d.idx = CAST(substr(s.dims || ',', 1 + (
         CASE gv.pos WHEN 0 THEN 0 ELSE instr(s.dims, ',') END),
         instr(substr(s.dims || ',', 1 + (
         CASE gv.pos WHEN 0 THEN 0 ELSE instr(s.dims, ',') END)), ',') - 1)
         AS INTEGER)
WHERE v.run_id = (SELECT max(id) FROM run) AND v.verdict <> 'pass'
GROUP BY v.idx ORDER BY v.idx LIMIT 15;"
