#!/usr/bin/env bash
# Times Open311 GET requests (GET /open311/v2/requests.xml?status=open) on a SQLite database holding N
# public requests (default 1,000, all open, received in the last N minutes): one request filed through
# POST /open311/v2/requests.xml, then cloned N-1 times with SQL. Prints the median of R runs (default 7)
# of the whole HTTP answer (curl's time_total, seconds) and the row count answered.
# Usage: bench/open311_requests.sh RECTIFY_BIN [N] [R]     (docs/PERFORMANCE.md#open311-get-requests)
set -euo pipefail
bin=$(realpath "$1")
n=${2:-1000}
runs=${3:-7}
dir=$(mktemp -d)
trap 'kill "$server" 2>/dev/null || true; rm -rf "$dir"' EXIT
cd "$dir"
db=$dir/r.db
printf 'path,level,kind,batch,division_code\n河北省,province,party_gov_agency,1,13\n河北省/石家庄市,city,party_gov_agency,1,1301\n' >orgs.csv
printf '一级分类,二级分类,三级分类\n城乡建设,市政设施,路灯\n' >categories.csv
"$bin" --db "$db" init --categories categories.csv >/dev/null
"$bin" --db "$db" import orgs orgs.csv >/dev/null
echo "a password for bench" | "$bin" --db "$db" user add bench --org 1 --role admin --password-stdin --no-change-required >/dev/null
token=$("$bin" --db "$db" token create --user bench --name bench | sed -n 's/.*"secret": "\([^"]*\)".*/\1/p')
code=$(sqlite3 "$db" "SELECT id FROM category WHERE name = '路灯'")
"$bin" --db "$db" --password-hash m=19456,t=2,p=1 serve --port 0 >server.out 2>server.err &
server=$!
for _ in $(seq 200); do grep -q "listening on" server.out && break; sleep 0.05; done
port=$(sed -n 's/.*127\.0\.0\.1:\([0-9]*\).*/\1/p' server.out | head -1)
curl -sf -o /dev/null -X POST "http://127.0.0.1:$port/open311/v2/requests.xml" \
  -H 'Content-Type: application/x-www-form-urlencoded' \
  --data "api_key=$token&service_code=$code&address_id=1301&description=A+large+sinkhole+is+destroying+the+street"
sqlite3 "$db" <<SQL
WITH RECURSIVE k(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM k WHERE i < $n - 1)
INSERT INTO opinion (channel, kind, status, received_at, title, text, division_code, org_id, category_id, source_ref,
                     sla_class, reply_due_at)
SELECT o.channel, o.kind, o.status, o.received_at - 60 * k.i, o.title, o.text || ' #' || k.i, o.division_code, o.org_id,
       o.category_id, 'bench-' || k.i, o.sla_class, o.reply_due_at - 60 * k.i
FROM k, opinion o WHERE o.id = (SELECT MIN(id) FROM opinion);
INSERT INTO public_intake (opinion_id, tracking_code, via, address, text_hash, service_code, received_at)
SELECT o.id, 'BENCH' || o.id, 'open311', 'No. ' || o.id || ' 5th street', 'h' || o.id, p.service_code, o.received_at
FROM opinion o, public_intake p WHERE o.source_ref LIKE 'bench-%' AND p.opinion_id = (SELECT MIN(id) FROM opinion);
SQL
times=()
rows=0
for _ in $(seq "$runs"); do
  t=$(curl -s -o answer.xml -w '%{time_total}' "http://127.0.0.1:$port/open311/v2/requests.xml?status=open")
  times+=("$t")
  rows=$(grep -o '<request>' answer.xml | wc -l)
done
median=$(printf '%s\n' "${times[@]}" | sort -g | sed -n "$(((runs + 1) / 2))p")
echo "rows=$rows runs=$runs median_s=$median all=${times[*]}"
