#!/usr/bin/env python3
"""check_real.py MOESTAT_BINARY REAL_LOGS_DIR

Validates moestat against real router logs (REAL_LOGS_DIR is normally
../shared/real-logs). That data has no license: this script only reads it in
place; never copy it into the repository, and keep `make check` independent of
it (a clone has no ../shared).

Checks, one output line each (`ok ...` or `FAIL ...` with the first difference):
  1. the data files match REAL_LOGS_DIR/SHA256SUMS;
  2. the oracle (tests/oracle/oracle.py) reproduces the DERIVED counts of the
     two Mixtral jsonl traces -- a self-check of the oracle on real data;
  3. `moestat summarize --json` on each folder's traces gives, for every layer,
     the per-expert counts of the folder's DERIVED_counts_*.csv:
       mixtral:  humaneval_2_routing.jsonl alone, then gsm8k_2_routing.jsonl alone
       deepseek: all 20 prompt_*_data.csv in one call
       llama4:   the 6 */*.json in one call
  4. on the Mixtral traces, every figure the oracle computes equals moestat's
     (within 1e-12 relative, as tests/oracle/jsoncmp.py compares).
Exit status 1 if any check failed (a missing binary is a failure), 2 on usage.
"""

import csv
import glob
import hashlib
import json
import os
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ORACLE_DIR = os.path.join(HERE, "..", "oracle")
ORACLE = os.path.join(ORACLE_DIR, "oracle.py")
sys.path.insert(0, ORACLE_DIR)
sys.dont_write_bytecode = True  # no __pycache__ left in the source tree
import jsoncmp  # noqa: E402  (tests/oracle/jsoncmp.py, for check 4)

TIMEOUT = 600  # seconds per moestat/oracle run; the inputs are a few MB

MIXTRAL = "mixtral-8x7b-humaneval-gsm8k"
DEEPSEEK = "deepseek-v2-lite-puffin"
LLAMA4 = "llama4-maverick-mmlu"

failed = False


def report(ok, what, detail=""):
    global failed
    if not ok:
        failed = True
    print(f"{'ok' if ok else 'FAIL'} {what}{': ' + detail if detail else ''}", flush=True)


def numeric_key(path):
    """prompt_2 before prompt_10: order the files as a person would list them."""
    return [int(t) if t.isdigit() else t for t in re.split(r"(\d+)", path)]


def read_derived(path):
    """{layer: [count of e0, e1, ...]} from a DERIVED_counts_*.csv."""
    with open(path, newline="") as f:
        rows = list(csv.reader(f))
    header = rows[0]
    if header[0] != "layer" or header[1:] != [f"e{i}" for i in range(len(header) - 1)]:
        raise ValueError(f"{path}: unexpected header {header[:4]}...")
    return {int(r[0]): [int(x) for x in r[1:]] for r in rows[1:]}


def counts_of(summary):
    """{layer: [counts in expert order]} from a summarize JSON object."""
    out = {}
    for layer in summary["layers"]:
        experts = sorted(layer["experts"], key=lambda e: e["expert"])
        if [e["expert"] for e in experts] != list(range(len(experts))):
            raise ValueError(f"layer {layer['layer']}: expert ids are not 0..N-1")
        out[layer["layer"]] = [e["count"] for e in experts]
    return out


def first_difference(got, want):
    """Text of the first difference between two {layer: counts}, or None."""
    if set(got) != set(want):
        missing = sorted(set(want) - set(got))
        extra = sorted(set(got) - set(want))
        return f"layers differ: missing {missing}, unexpected {extra}"
    for layer in sorted(want):
        g, w = got[layer], want[layer]
        if len(g) != len(w):
            return f"layer {layer}: {len(g)} experts, DERIVED has {len(w)}"
        for e, (a, b) in enumerate(zip(g, w)):
            if a != b:
                return f"layer {layer} expert {e}: count {a}, DERIVED {b}"
    return None


def run_json(argv, what):
    """Runs argv, returns its stdout parsed as JSON, or None after a FAIL line."""
    try:
        r = subprocess.run(argv, capture_output=True, timeout=TIMEOUT)
    except (OSError, subprocess.TimeoutExpired) as e:
        report(False, what, f"could not run {argv[0]}: {e}")
        return None
    if r.returncode != 0:
        err = r.stderr.decode(errors="replace").strip().splitlines()
        report(False, what, f"exit status {r.returncode}: {err[0] if err else '(no stderr)'}")
        return None
    try:
        return json.loads(r.stdout)
    except ValueError as e:
        report(False, what, f"output is not JSON: {e}")
        return None


def compare_counts(summary, derived_path, what):
    try:
        got = counts_of(summary)
        want = read_derived(derived_path)
    except (KeyError, TypeError, ValueError) as e:
        report(False, what, f"unexpected JSON shape: {e!r}")
        return
    diff = first_difference(got, want)
    report(diff is None, what, diff or f"{len(want)} layers")


def check_sums(root):
    sums = os.path.join(root, "SHA256SUMS")
    if not os.path.exists(sums):
        report(False, "SHA256SUMS", "missing")
        return
    bad = []
    with open(sums) as f:
        for line in f:
            digest, name = line.split(None, 1)
            path = os.path.join(root, name.strip())
            try:
                with open(path, "rb") as g:
                    if hashlib.sha256(g.read()).hexdigest() != digest:
                        bad.append(name.strip())
            except OSError:
                bad.append(name.strip() + " (unreadable)")
    report(not bad, "real-logs SHA256SUMS", f"mismatch: {bad[0]}" if bad else "")


def main(argv):
    if len(argv) != 3:
        print(__doc__.strip().split("\n")[0], file=sys.stderr)
        return 2
    moestat, root = argv[1], argv[2]
    if not os.path.isdir(root):
        print(f"check_real.py: {root} is not a directory", file=sys.stderr)
        return 2

    check_sums(root)

    mixtral = [(name, os.path.join(root, MIXTRAL, f"{name}_2_routing.jsonl"),
                os.path.join(root, MIXTRAL, f"DERIVED_counts_{name}_2_routing.csv"))
               for name in ("humaneval", "gsm8k")]

    # 2. The oracle against the DERIVED counts.
    oracle_out = {}
    for name, trace, derived in mixtral:
        s = run_json([sys.executable, ORACLE, "summarize", trace], f"oracle mixtral {name}")
        if s is not None:
            oracle_out[name] = s
            compare_counts(s, derived, f"oracle mixtral {name}")

    # 3. moestat against the DERIVED counts.
    if not (os.path.isfile(moestat) and os.access(moestat, os.X_OK)):
        report(False, "moestat", f"{moestat} is not an executable file; moestat checks not run")
        return 1
    for name, trace, derived in mixtral:
        s = run_json([moestat, "summarize", "--json", trace], f"mixtral {name}")
        if s is None:
            continue
        compare_counts(s, derived, f"mixtral {name}")
        # 4. every oracle figure (jsoncmp ignores moestat's extra keys)
        if name in oracle_out:
            errors = []
            jsoncmp.compare(oracle_out[name], s, "$", errors)
            report(not errors, f"mixtral {name} figures vs oracle", errors[0] if errors else "all equal")

    ds = sorted(glob.glob(os.path.join(root, DEEPSEEK, "prompt_*_data.csv")), key=numeric_key)
    ll = sorted(glob.glob(os.path.join(root, LLAMA4, "*", "*.json")), key=numeric_key)
    for what, files, derived, expect_n in (
            ("deepseek", ds, os.path.join(root, DEEPSEEK, "DERIVED_counts_layer_x_expert.csv"), 20),
            ("llama4", ll, os.path.join(root, LLAMA4, "DERIVED_counts_layer_x_expert.csv"), 6)):
        if len(files) != expect_n:
            report(False, what, f"found {len(files)} trace files, expected {expect_n}")
            continue
        s = run_json([moestat, "summarize", "--json", *files], what)
        if s is not None:
            compare_counts(s, derived, what)

    # 5. compare: the two Mixtral workloads as two domains of one stream; every
    # layer's Jensen-Shannon divergence must lie in [0, 1].
    c = run_json([moestat, "compare", "--json", "--key", "domain=dataset", "--domains",
                  "humaneval,gsm8k", mixtral[0][1], mixtral[1][1]], "mixtral compare")
    if c is not None:
        jsd = [layer["jsd"] for layer in c["layers"]]
        bad = [x for x in jsd if not (isinstance(x, float) and 0 <= x <= 1)]
        report(len(jsd) == 32 and not bad, "mixtral compare --domains humaneval,gsm8k",
               f"{len(jsd)} layers, JSD from {min(jsd):.4f} to {max(jsd):.4f}" if jsd and not bad
               else f"{len(jsd)} layers, out of [0, 1]: {bad[:3]}")

    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
