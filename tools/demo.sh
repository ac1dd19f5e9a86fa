#!/bin/sh
# demo.sh — a full audit of the bundled data: ingest, run, results.json.
set -eu
FA=$1
OUT=${DEMO_OUT:-demo-out}
rm -rf "$OUT"
mkdir -p "$OUT"
"$FA" audit fixtures/demo/predictions.csv \
    --db "$OUT/audit.db" --out "$OUT" \
    --label label --pred decision --score score \
    --attr sex,race --segment region,age --bin age=18,30,45,60
echo
echo "demo: audited fixtures/demo/predictions.csv (20,000 synthetic rows with a"
echo "      lower TPR planted for women and a higher FPR for Black applicants)"
echo "demo: store   $OUT/audit.db"
echo "demo: results $OUT/results.json"
echo "demo: selection rate, TPR and FPR by group (from the store):"
sqlite3 -header -column "$OUT/audit.db" "
SELECT group_concat(coalesce(v.value, '(missing)'), ' x ') AS grp,
       g.n,
       printf('%.3f', (SELECT value FROM metric m WHERE m.run_id = g.run_id
               AND m.gid = g.gid AND m.name = 'selection_rate')) AS sel,
       printf('%.3f', (SELECT value FROM metric m WHERE m.run_id = g.run_id
               AND m.gid = g.gid AND m.name = 'tpr')) AS tpr,
       printf('%.3f', (SELECT value FROM metric m WHERE m.run_id = g.run_id
               AND m.gid = g.gid AND m.name = 'fpr')) AS fpr
FROM grp g JOIN group_set s ON s.run_id = g.run_id AND s.set_id = g.set_id
LEFT JOIN grp_value v ON v.run_id = g.run_id AND v.gid = g.gid
WHERE g.run_id = (SELECT max(id) FROM run) AND s.kind = 'attribute'
GROUP BY g.gid ORDER BY g.gid;"
