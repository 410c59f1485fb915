"""Turns hyperfine JSON exports into one markdown table: median wall time
per command, and its ratio to native and to `strace -f -c` of the same run."""
import json
import os
import sys

print("| workload | command | median (s) | x native | vs strace -f -c |")
print("|---|---|---:|---:|---:|")
for path in sys.argv[1:]:
    name = os.path.basename(path)[:-5]
    with open(path) as f:
        results = json.load(f)["results"]
    median = {r["command"]: r["median"] for r in results}
    native = median.get("native")
    strace = median.get("strace -f -c")
    for cmd, m in median.items():
        x_native = f"{m / native:.2f}" if native else "-"
        vs_strace = f"{strace / m:.1f}x faster" if strace and cmd != "strace -f -c" else "-"
        print(f"| {name} | {cmd} | {m:.3f} | {x_native} | {vs_strace} |")
