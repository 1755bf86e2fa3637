#!/usr/bin/python3
"""Plots a `kura bench ... --timeseries FILE` run through partition splits: accepted and throttled
(503 SlowDown) operations per second over time and, given the server's log, the bucket's number of
partitions. Uses matplotlib from Debian (apt-get install python3-matplotlib).

  scripts/plot-partitions.py TIMESERIES.jsonl OUT.png [--server-log LOG --start HH:MM:SS] [--title TEXT]

--start is the wall-clock time (the server log's clock) of the bench's first second: the run id
(kb-YYYYMMDD-HHMMSS-...) carries it.
"""
import argparse
import json
import re

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def seconds(hms):
    h, m, s = hms.split(":")
    return int(h) * 3600 + int(m) * 60 + float(s)


def partitions_over_time(log, start):
    """(t, partitions) steps from the server log's Split/Merge lines."""
    steps = [(0.0, 1)]
    n = 1
    for line in open(log, encoding="utf-8", errors="replace"):
        m = re.match(r"(\d\d:\d\d:\d\d\.\d+) .*PartitionBudgets - bucket \S+: (Split|Merge)\[", line)
        if m:
            n += 1 if m.group(2) == "Split" else -1
            steps.append((seconds(m.group(1)) - seconds(start), n))
    return steps


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("timeseries")
    ap.add_argument("out")
    ap.add_argument("--server-log")
    ap.add_argument("--start")
    ap.add_argument("--title", default="Accepted and throttled PUTs through partition splits")
    a = ap.parse_args()
    rows = [json.loads(line) for line in open(a.timeseries, encoding="utf-8") if line.strip()]
    t = [r["t"] for r in rows]
    fig, ax = plt.subplots(figsize=(9, 4.5), dpi=100)
    ax.plot(t, [r["ops_per_s"] for r in rows], label="accepted PUT/s", color="tab:blue", linewidth=2)
    ax.plot(t, [r.get("slowdowns", 0) for r in rows], label="throttled (503 SlowDown)/s", color="tab:red",
            linewidth=1.5, linestyle="--")
    ax.set_xlabel("seconds into the run")
    ax.set_ylabel("operations per second")
    ax.set_ylim(bottom=0)
    ax.grid(True, alpha=0.3)
    handles, labels = ax.get_legend_handles_labels()
    if a.server_log and a.start:
        steps = [s for s in partitions_over_time(a.server_log, a.start) if s[0] <= t[-1]]
        ax2 = ax.twinx()
        ax2.step([s[0] for s in steps] + [t[-1]], [s[1] for s in steps] + [steps[-1][1]], where="post",
                 color="tab:green", label="partitions")
        ax2.set_ylabel("partitions of the bucket")
        ax2.set_ylim(bottom=0)
        h2, l2 = ax2.get_legend_handles_labels()
        handles += h2
        labels += l2
    ax.legend(handles, labels, loc="upper left")
    ax.set_title(a.title)
    fig.tight_layout()
    fig.savefig(a.out)


if __name__ == "__main__":
    main()
