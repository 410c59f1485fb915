#!/usr/bin/env bash
# One host of a fleet (fleet/prometheus.yml, fleet/top-images.promql):
# runs the service's command for a few seconds with its OpenMetrics file
# in a temporary textfile folder, reads that file twice, 1 s apart, with
# prometheus_client's OpenMetrics parser (as a scrape would), and prints
# what the first query in fleet/top-images.promql gives for this host:
# the top images by read calls per second. Needs root.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bin="${SYSCALLMON:-$root/build/syscallmon}"
if [[ $(id -u) -ne 0 ]]; then
  echo "fleet.sh: --system needs root: sudo $0" >&2
  exit 77
fi
if ! /usr/bin/python3 -c 'import prometheus_client.openmetrics.parser' \
  2>/dev/null; then
  echo "fleet.sh: needs python3-prometheus-client" >&2
  exit 77
fi
textfile_dir=$(mktemp -d) # node_exporter --collector.textfile.directory
trap 'rm -rf "$textfile_dir"' EXIT
"$bin" --system -q -o /dev/null \
  --stats-file "openmetrics:$textfile_dir/syscallmon.prom" -- sleep 3.5 &
mon=$!
sleep 1.5
cp "$textfile_dir/syscallmon.prom" "$textfile_dir/scrape1"
sleep 1
cp "$textfile_dir/syscallmon.prom" "$textfile_dir/scrape2"
wait "$mon"
echo "\$ grep -m 3 'syscall=\"read\"' syscallmon.prom"
grep -m 3 'syscall="read"' "$textfile_dir/scrape2"
echo "# $(grep -m 1 '^topk' "$root/examples/fleet/top-images.promql")"
/usr/bin/python3 - "$textfile_dir/scrape1" "$textfile_dir/scrape2" <<'PY'
import collections, json, sys
from prometheus_client.openmetrics.parser import text_string_to_metric_families

def reads(path):
    """image -> read calls, summed over uids and arches (sum by (image))."""
    out = collections.Counter()
    for family in text_string_to_metric_families(open(path).read()):
        for s in family.samples:
            if s.name == "syscallmon_calls_total" and s.labels["syscall"] == "read":
                out[s.labels["image"]] += s.value
    return out

before, after = reads(sys.argv[1]), reads(sys.argv[2])
# rate() over two scrapes 1 s apart; a reset (an evicted entry) restarts at 0.
rate = {i: (after[i] - before[i] if after[i] >= before[i] else after[i])
        for i in after}
for image, per_s in sorted(rate.items(), key=lambda x: -x[1])[:10]:
    print(f"{{image={json.dumps(image)}}} {per_s:.0f}")
PY
