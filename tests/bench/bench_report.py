#!/usr/bin/env python3
"""Tables and ratios for send_drain.sh, from its results file (one tab-separated line per run).

Columns: server, tool, events, wall s, user s, sys s, max RSS KB, server CPU s ("-" for moto).
Medians over rounds with the min–max spread; ratios from the medians of the same run. Prints the
goals beside the figures; asserts nothing.
"""
import json
import statistics
import sys

SERVERS = {"moto": "moto (a Python emulator: usually the bottleneck)",
           "responder": "instant local responder (tests/bench/responder.py): the client's own speed"}
SEND = [("evrelay-send", "evrelay send --count"), ("boto3-send", "boto3, batches of 10"),
        ("aws-cli-send", "aws CLI, 1 process/batch*")]
DRAIN = [("evrelay-drain", "evrelay dlq drain"), ("boto3-drain", "boto3 receive/delete loop")]


def load(path):
    rows = {}
    for line in open(path):
        server, tool, events, wall, user, sys_, rss, server_cpu = line.rstrip("\n").split("\t")
        events, wall, cpu = int(events), float(wall), float(user) + float(sys_)
        rows.setdefault(server, {}).setdefault(tool, []).append({
            "n": events, "rate": events / wall, "wall": wall, "cpu10k": cpu * 10_000 / events,
            "mb": int(rss) / 1024,
            "server": None if server_cpu == "-" else 100 * float(server_cpu) / wall,
        })
    return rows


def spread(runs, key, fmt):
    values = [r[key] for r in runs if r[key] is not None]
    if not values:
        return "-"
    return f"{fmt.format(statistics.median(values))} ({fmt.format(min(values))}–{fmt.format(max(values))})"


def table(title, unit, rows, tools):
    present = [(t, label) for t, label in tools if t in rows]
    if not present:
        return
    with_server = any(r["server"] is not None for t, _ in present for r in rows[t])
    print(f"  {title}")
    print(f"    {'':<28}{'n':>7}{'wall s':>22}{unit + '/s':>22}{'CPU s per 10k':>24}{'peak MB':>20}"
          + (f"{'server CPU % of wall':>26}" if with_server else ""))
    for tool, label in present:
        runs = rows[tool]
        line = (f"    {label:<28}{runs[0]['n']:>7}{spread(runs, 'wall', '{:.2f}'):>22}"
                f"{spread(runs, 'rate', '{:.0f}'):>22}{spread(runs, 'cpu10k', '{:.3g}'):>24}"
                f"{spread(runs, 'mb', '{:.1f}'):>20}")
        if with_server:
            line += f"{spread(runs, 'server', '{:.0f}'):>26}"
        print(line)


def med(runs, key):
    return statistics.median(r[key] for r in runs)


def ratios(rows):
    out = []
    if "evrelay-send" in rows and "boto3-send" in rows:
        ev, b3 = rows["evrelay-send"], rows["boto3-send"]
        out.append(f"send events/s, evrelay ÷ boto3:          {med(ev, 'rate') / med(b3, 'rate'):6.1f}×  (goal ≥ 3×)")
        out.append(f"send CPU per event, boto3 ÷ evrelay:     {med(b3, 'cpu10k') / med(ev, 'cpu10k'):6.1f}×  (goal ≥ 5×)")
    if "evrelay-send" in rows and "aws-cli-send" in rows:
        ev, cli = rows["evrelay-send"], rows["aws-cli-send"]
        out.append(f"send events/s, evrelay ÷ aws CLI:        {med(ev, 'rate') / med(cli, 'rate'):6.1f}×")
    if "evrelay-drain" in rows and "boto3-drain" in rows:
        ev, b3 = rows["evrelay-drain"], rows["boto3-drain"]
        out.append(f"drain msgs/s, evrelay ÷ boto3:           {med(ev, 'rate') / med(b3, 'rate'):6.1f}×  (goal ≥ 3×)")
        out.append(f"drain CPU per message, boto3 ÷ evrelay:  {med(b3, 'cpu10k') / med(ev, 'cpu10k'):6.1f}×")
    ours = [r["mb"] for t in ("evrelay-send", "evrelay-drain") for r in rows.get(t, [])]
    if ours:
        out.append(f"evrelay peak memory:                     {max(ours):6.1f} MB (goal < 50 MB)")
    return out


def main():
    rows = load(sys.argv[1])
    calls = json.load(open(sys.argv[2])) if len(sys.argv) > 2 else {}
    for server, title in SERVERS.items():
        if server not in rows:
            continue
        print(f"{title}  — medians over rounds (min–max)")
        table("send", "events", rows[server], SEND)
        table("dlq drain", "msgs", rows[server], DRAIN)
        print("  ratios (same server, same run, medians):")
        for line in ratios(rows[server]):
            print(f"    {line}")
        if server == "responder" and calls:
            print("  calls per run, as the responder counted them (last round):")
            for tool, ops in calls.items():
                print(f"    {tool:<14} " + ", ".join(f"{op} {n}" for op, n in sorted(ops.items())))
        print()
    if "aws-cli-send" in rows.get("moto", {}):
        print("* aws CLI figures are for a smaller n, scaled per 10,000 events.")
    print("server CPU near 100 % of wall means the server, not the client, set the pace.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
