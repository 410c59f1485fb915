#!/usr/bin/env bash
# Feed Prometheus through node_exporter's textfile collector: syscallmon
# keeps an OpenMetrics file current (atomically replaced every second);
# node_exporter --collector.textfile.directory=DIR serves it. Here the
# directory is a temporary one and we print the file once the command ends.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bin="${SYSCALLMON:-$root/build/syscallmon}"
textfile_dir=$(mktemp -d)   # e.g. /var/lib/node_exporter/textfile
trap 'rm -rf "$textfile_dir"' EXIT
"$bin" -q -o /dev/null -f openmetrics \
  --stats-file "$textfile_dir/syscallmon.prom" \
  -- sh -c 'ls / > /dev/null; cat /etc/hostname > /dev/null'
cat "$textfile_dir/syscallmon.prom"
