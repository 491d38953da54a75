#!/usr/bin/env python3
"""counter.py: the Python baseline of make bench: the obvious script, a Counter over gzip.open lines.

Prints "layer expert count" for every (layer, expert) chosen at least once.
"""
import collections
import gzip
import sys

counts = collections.Counter()
with gzip.open(sys.argv[1], "rt") as f:
    for line in f:
        if line.startswith("#"):
            continue
        layer, experts = line.split()[:2]
        for expert in experts.split(","):
            counts[layer, expert] += 1
for (layer, expert), n in counts.items():
    print(layer, expert, n)
