#!/usr/bin/python3
"""Parses syscallmon reports with real parsers and checks they agree.

usage: check_formats.py REPORT.json [--csv REPORT.csv] [--openmetrics REPORT.om]

The JSON report is the reference: the CSV (read with the csv module) and the
OpenMetrics text (read with prometheus_client's strict OpenMetrics parser)
must hold exactly the same (syscall, arch, image, uid) -> calls entries.
Exits 0 if they agree, 1 with a message otherwise.
"""
import csv
import json
import sys


def json_entries(path):
    with open(path, encoding="ascii") as f:
        report = json.load(f)
    entries = {}
    for s in report["syscalls"]:
        for c in s["callers"]:
            entries[(s["name"], s["arch"], c["image"], str(c["uid"]))] = c["calls"]
    return entries


def csv_entries(path):
    entries = {}
    with open(path, newline="", encoding="ascii") as f:
        rows = list(csv.reader(f, strict=True))
    header = rows[0]
    if header[:4] != ["syscall", "arch", "image", "uid"] or "calls" not in header:
        raise SystemExit(f"bad CSV header {header}")
    calls = header.index("calls")
    for row in rows[1:]:
        if len(row) != len(header):
            raise SystemExit(f"CSV row has {len(row)} fields: {row}")
        entries[tuple(row[:4])] = int(row[calls])
    return entries


def openmetrics_entries(path):
    from prometheus_client.openmetrics.parser import (
        text_string_to_metric_families,
    )

    with open(path, encoding="utf-8") as f:
        text = f.read()
    entries = {}
    names = set()
    for family in text_string_to_metric_families(text):
        names.add(family.name)
        for s in family.samples:
            if s.name == "syscallmon_calls_total":
                key = (s.labels["syscall"], s.labels["arch"], s.labels["image"],
                       s.labels["uid"])
                entries[key] = int(s.value)
    for needed in ("syscallmon_calls", "syscallmon_evicted_calls"):
        if needed not in names:
            raise SystemExit(f"OpenMetrics lacks the {needed} family")
    return entries


def main(argv):
    reference = json_entries(argv[1])
    others = []
    args = argv[2:]
    while args:
        kind, path = args[0], args[1]
        args = args[2:]
        if kind == "--csv":
            others.append(("CSV", csv_entries(path)))
        elif kind == "--openmetrics":
            others.append(("OpenMetrics", openmetrics_entries(path)))
        else:
            raise SystemExit(f"unknown argument {kind}")
    for name, entries in others:
        if entries != reference:
            print(f"{name} differs from JSON:\n {entries}\n {reference}")
            return 1
    print(f"ok: {len(reference)} entries agree")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
