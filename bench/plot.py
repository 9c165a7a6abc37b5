#!/usr/bin/python3
"""make bench, last step: draw the results of this run as PNG files with
gnuplot, next to the JSON files they come from (bench/results/NAME.json,
as the benchmarks write them):

  peers.json          -> peers.png         ns per pair by object size, 16..4096 B,
                                           one line per allocator (medians)
  heap.json, slab.json -> threads.png      Mops/s by threads, Proxima and the
                                           baseline, one panel per table;
                                           rows with more threads than host
                                           CPUs drawn apart as open markers
  sweep.json          -> sweep-memory.png  ns per pair by memory per node
                         sweep-nodes.png   ns per pair by number of nodes

Only the benchmarks named on the command line are drawn (those that ran),
so that no plot mixes runs. Without gnuplot, one line says so and nothing
is drawn; that is not an error.

Usage: plot.py RESULTS_DIR NAME...   (NAME: peers, sweep, heap, slab)
"""

import json
import os
import shutil
import subprocess
import sys

# Colours by series, the same in every plot.
COLOURS = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b"]
PEERS = ["proxima", "glibc", "jemalloc", "mimalloc"]
SWEEP_PAIRS = ["page", "kmalloc 64 B"]


def load(results, name):
    with open(os.path.join(results, name + ".json")) as f:
        return json.load(f)


def datablock(name, rows):
    """A gnuplot datablock $name of rows (lists of numbers)."""
    lines = ["$%s << EOD" % name]
    lines += [" ".join("%g" % v for v in row) for row in rows]
    lines.append("EOD")
    return "\n".join(lines)


def terminal(path, width, height):
    return "\n".join([
        'set terminal pngcairo size %d,%d font "sans,10" noenhanced' % (width, height),
        'set output "%s"' % path,
        "set grid",
        "set key top left",
    ])


def quote(s):
    """s as a gnuplot string in double quotes (where \\n is a line break)."""
    s = s.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return '"' + s + '"'


def peers_plot(data, path):
    """ns per pair by object size, one line per allocator."""
    rows = sorted((r for r in data["rows"] if r.get("bytes")), key=lambda r: r["bytes"])
    table = [[r["bytes"]] + [r[a]["median"] for a in PEERS] for r in rows]
    plots = ["$peers using 1:%d with linespoints lw 2 pt 7 lc rgb %s title %s"
             % (i + 2, quote(COLOURS[i]), quote(a)) for i, a in enumerate(PEERS)]
    return "\n".join([
        datablock("peers", table),
        terminal(path, 900, 560),
        "set title %s" % quote("malloc/kmalloc + free pair, one pinned thread (bench_peers, "
                               "median of %d rounds)\n%s"
                               % (data["method"]["rounds"], data["machine"])),
        "set logscale x 2",
        "set xtics (16, 64, 256, 1024, 4096)",
        "set xrange [12:5500]",
        "set xlabel 'object size (bytes)'",
        "set ylabel 'ns per alloc+free pair (median)'",
        "set yrange [0:*]",
        "plot " + ", \\\n     ".join(plots),
    ])


def thread_panel(panel, rows):
    """One panel: per workload, Proxima solid, baseline dashed; oversubscribed open."""
    workloads = []
    for r in rows:
        if r["workload"] not in workloads:
            workloads.append(r["workload"])
    blocks, plots = [], []
    for w, name in enumerate(workloads):
        pts = [r for r in rows if r["workload"] == name and not r["one_node"]]
        for s, side in enumerate(["proxima", "baseline"]):
            for over in (False, True):
                sel = [[r["threads"], r[side]] for r in pts if r["oversubscribed"] == over]
                if not sel:
                    continue
                block = "t%d_%d_%d_%d" % (panel, w, s, over)
                blocks.append(datablock(block, sel))
                style = ("points pt %d ps 1.3" % (6 if s == 0 else 4) if over else
                         "linespoints lw 2 dt %d pt %d" % (1 if s == 0 else 2,
                                                           7 if s == 0 else 5))
                title = "%s %s" % (name, side) if not over else ""
                plots.append("$%s using 1:2 with %s lc rgb %s %s"
                             % (block, style, quote(COLOURS[w % len(COLOURS)]),
                                "title " + quote(title) if title else "notitle"))
    return blocks, plots


def threads_plot(tables, host_cpus, machine, path):
    """Mops/s by threads, one panel per (benchmark, table)."""
    blocks, panels = [], []
    for i, (title, rows) in enumerate(tables):
        b, p = thread_panel(i, rows)
        blocks += b
        panels.append((title, p))
    out = blocks + [
        terminal(path, 560 * len(panels), 600),
        'set multiplot layout 1,%d title %s' % (
            len(panels), quote("alloc+free pairs by threads, Proxima (solid) and the "
                               "baseline (dashed); open markers: more threads than the "
                               "%d host CPUs (time-shared, not comparable)\n%s"
                               % (host_cpus, machine))),
        "set logscale x 2",
        "set xtics (1, 2, 4, 8)",
        "set xrange [0.8:10]",
        "set xlabel 'threads (one per node first)'",
        "set ylabel 'million pairs per second (median)'",
        "set yrange [0:*]",
        "set key below maxrows 3 font ',9'",
    ]
    for title, plots in panels:
        out.append("set title %s" % quote(title))
        out.append("plot " + ", \\\n     ".join(plots))
    out.append("unset multiplot")
    return "\n".join(out)


def sweep_plot(data, sweep, path):
    """ns per pair (median, and minimum dashed) by memory per node or by nodes."""
    rows = [r for r in data["rows"] if r["sweep"] == sweep]
    if sweep == "memory":
        x = [r["node_bytes"] / 2**20 for r in rows]
        tics = ", ".join('"%s" %g' % ("%d GiB" % (v / 1024) if v >= 1024 else "%d MiB" % v, v)
                         for v in x)
        xlabel = "memory per node (%d nodes x %d CPUs)" % (
            rows[0]["nodes"], data["method"]["cpus_per_node"])
        what = "node memory"
    else:
        x = [r["nodes"] for r in rows]
        tics = ", ".join("%g" % v for v in x)
        xlabel = "nodes (%d CPUs and %d MiB each)" % (
            data["method"]["cpus_per_node"], rows[0]["node_bytes"] / 2**20)
        what = "number of nodes"
    table = [[xv] + [r[p][k] for p in SWEEP_PAIRS for k in ("min", "median")]
             for xv, r in zip(x, rows)]
    plots = []
    for i, p in enumerate(SWEEP_PAIRS):
        plots.append("$sweep using 1:%d with linespoints lw 2 pt 7 lc rgb %s title %s"
                     % (3 + 2 * i, quote(COLOURS[i]), quote(p + ", median")))
        plots.append("$sweep using 1:%d with linespoints lw 1 dt 2 pt 6 lc rgb %s title %s"
                     % (2 + 2 * i, quote(COLOURS[i]), quote(p + ", minimum")))
    return "\n".join([
        datablock("sweep", table),
        terminal(path, 900, 560),
        "set title %s" % quote("cost of one pair by %s, one pinned thread (bench_sweep, %d "
                               "rounds, machines rebuilt each round)\n%s"
                               % (what, data["method"]["rounds"], data["machine"])),
        "set logscale x 2",
        "set xtics (%s)" % tics,
        "set xrange [%g:%g]" % (min(x) / 1.3, max(x) * 1.3),
        "set xlabel %s" % quote(xlabel),
        "set ylabel 'ns per alloc+free pair'",
        "set yrange [0:*]",
        "set key bottom right",
        "plot " + ", \\\n     ".join(plots),
    ])


def scripts(results, names):
    """The gnuplot scripts to run: (png file name, script)."""
    out = []
    png = lambda n: os.path.join(results, n)
    if "peers" in names:
        out.append(("peers.png", peers_plot(load(results, "peers"), png("peers.png"))))
    if "sweep" in names:
        data = load(results, "sweep")
        for sweep in ("memory", "nodes"):
            name = "sweep-%s.png" % sweep
            out.append((name, sweep_plot(data, sweep, png(name))))
    tables, host_cpus, machine = [], 0, ""
    for bench, label in (("heap", "page allocator"), ("slab", "slab (kmalloc)")):
        if bench not in names:
            continue
        data = load(results, bench)
        host_cpus, machine = data["method"]["host_cpus"], data["machine"]
        for table in sorted({r["table"] for r in data["rows"]}, reverse=True):
            rows = [r for r in data["rows"] if r["table"] == table]
            tables.append(("%s: %s" % (label, table), rows))
    if tables:
        out.append(("threads.png", threads_plot(tables, host_cpus, machine,
                                                png("threads.png"))))
    return out


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    results, names = sys.argv[1], sys.argv[2:]
    if not shutil.which("gnuplot"):
        print("bench: no gnuplot (scripts/install-deps installs gnuplot-nox): no plots")
        return
    made = []
    for name, script in scripts(results, names):
        subprocess.run(["gnuplot"], input=script, text=True, check=True)
        made.append(name)
    if made:
        print("plots: %s in %s" % (", ".join(made), results))


if __name__ == "__main__":
    main()
