#!/usr/bin/env python3
"""Self-test of oracle.py and jsoncmp.py on tiny logs worked out by hand.

Run: python3 tests/oracle/selftest.py   (exit 0 = all passed)

The expected numbers below come from the definitions in the specification,
worked on paper (see the comments), not from running the oracle.
"""

import gzip
import json
import math
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ORACLE = os.path.join(HERE, "oracle.py")
JSONCMP = os.path.join(HERE, "jsoncmp.py")

failures = 0


def check(name, got, want):
    """Exact for ints/None/str, 1e-12 relative for floats, recursive."""
    global failures
    if not same(got, want):
        failures += 1
        print(f"FAIL {name}: got {json.dumps(got)}, want {json.dumps(want)}")
    else:
        print(f"ok   {name}")


def same(a, b):
    if isinstance(b, float):
        return isinstance(a, float) and math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-15)
    if isinstance(b, list):
        return isinstance(a, list) and len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    if isinstance(b, dict):
        return isinstance(a, dict) and all(k in a and same(a[k], v) for k, v in b.items())
    return type(a) is type(b) and a == b


def oracle(*args):
    r = subprocess.run([sys.executable, ORACLE, *args], capture_output=True, text=True)
    if r.returncode != 0:
        raise SystemExit(f"oracle {args} failed: {r.stderr}")
    return json.loads(r.stdout)


def write(d, name, data):
    path = os.path.join(d, name)
    with open(path, "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode())
    return path


def literal_vs_oracle():
    """oracle.layer_figures rewrites maxvio, cv and gini over integers; check
    those rewrites against the definitions written out literally."""
    import random
    from fractions import Fraction
    sys.path.insert(0, HERE)
    sys.dont_write_bytecode = True  # no __pycache__ left in the source tree
    import oracle as o
    rng = random.Random(1)
    for trial in range(300):
        n = rng.randint(1, 9)
        k = rng.randint(1, n)
        recs = [[rng.randrange(n) for _ in range(k)] for _ in range(rng.randint(1, 40))]
        got = o.layer_figures(0, recs, n, 3)
        counts = [sum(1 for r in recs if i in r) for i in range(n)]
        sel = sum(len(r) for r in recs)
        mean = Fraction(sel, n)
        want = {
            "maxvio_global": float((max(counts) - mean) / mean),
            "cv": math.sqrt(float(sum((c - mean) ** 2 for c in counts) / n)) / float(mean),
            "gini": float(sum(abs(a - b) for a in counts for b in counts) / (2 * n * n * mean)),
        }
        for key, w in want.items():
            if not math.isclose(got[key], w, rel_tol=1e-12, abs_tol=1e-15):
                check(f"G trial {trial} {key}", got[key], w)
                return
    check("G 300 random layers: integer rewrites == literal definitions", True, True)


def main():
    with tempfile.TemporaryDirectory(prefix="oracle-selftest-") as d:
        return run_all(d)


def run_all(d):

    # ---- A: mlog with header, two layers.
    # Layer 0, top-1: experts 0,0,0,1 -> counts [3,1,0,0], tokens 4, selections 4.
    #   mean = 4/4 = 1; unused = 2; maxvio = (3-1)/1 = 2
    #   cv = sqrt(((3-1)^2 + 0^2 + (0-1)^2 + (0-1)^2)/4)/1 = sqrt(6/4) = sqrt(1.5)
    #   shares .75,.25,0,0: entropy = (.75 ln(4/3) + .25 ln 4)/ln 4
    #   sum over ordered pairs |ci-cj| = 2*(2+3+3+1+1+0) = 20; gini = 20/(2*16*1) = 0.625
    #   ratios = counts/mean = 3,1,0,0
    #   least_used (K=5 > N=4, so all 4): (2,0) (3,0) (1,1) (0,3)
    # Layer 5, top-2: {0,1} {1,2} {1,3} -> counts [1,3,1,1], selections 6, mean 1.5
    #   maxvio = (3-1.5)/1.5 = 1
    #   cv = sqrt((.25+2.25+.25+.25)/4)/1.5 = sqrt(.75)/1.5 = 1/sqrt(3)
    #   entropy = (3*(1/6)ln 6 + (1/2)ln 2)/ln 4 = (ln 12 / 2)/ln 4 = ln 12/ln 16
    #   gini = 2*(2+2+2)/(2*16*1.5) = 12/48 = 0.25
    #   shares 1/6, 1/2, 1/6, 1/6; ratios 2/3, 2, 2/3, 2/3
    a = write(d, "a.mlog",
              "#moestat v1 experts=4 topk=2 score=softmax fields=layer,experts\n"
              "# a comment\n"
              "0 0\n5 0,1\n0 0\n\n5 1,2\n0 0\n5 1,3\n0 1\n")
    s = oracle("summarize", a)
    l0, l5 = s["layers"]
    check("A layer ids", [l0["layer"], l5["layer"]], [0, 5])
    check("A l0 tokens/selections/unused", [l0["tokens"], l0["selections"], l0["unused"]], [4, 4, 2])
    check("A l0 maxvio", l0["maxvio_global"], 2.0)
    check("A l0 cv", l0["cv"], math.sqrt(1.5))
    check("A l0 entropy", l0["entropy_norm"], (0.75 * math.log(4 / 3) + 0.25 * math.log(4)) / math.log(4))
    check("A l0 gini", l0["gini"], 0.625)
    check("A l0 ratios", [e["ratio"] for e in l0["experts"]], [3.0, 1.0, 0.0, 0.0])
    check("A l0 shares", [e["share"] for e in l0["experts"]], [0.75, 0.25, 0.0, 0.0])
    check("A l0 least_used", l0["least_used"],
          [{"expert": 2, "count": 0}, {"expert": 3, "count": 0},
           {"expert": 1, "count": 1}, {"expert": 0, "count": 3}])
    check("A l5 counts", [e["count"] for e in l5["experts"]], [1, 3, 1, 1])
    check("A l5 tokens/selections/unused", [l5["tokens"], l5["selections"], l5["unused"]], [3, 6, 0])
    check("A l5 maxvio", l5["maxvio_global"], 1.0)
    check("A l5 cv", l5["cv"], 1 / math.sqrt(3))
    check("A l5 entropy", l5["entropy_norm"], math.log(12) / math.log(16))
    check("A l5 gini", l5["gini"], 0.25)
    check("A l5 shares", [e["share"] for e in l5["experts"]], [1 / 6, 0.5, 1 / 6, 1 / 6])
    check("A l5 ratios", [e["ratio"] for e in l5["experts"]], [2 / 3, 2.0, 2 / 3, 2 / 3])
    check("A --bottom 2", oracle("summarize", "--bottom", "2", a)["layers"][1]["least_used"],
          [{"expert": 0, "count": 1}, {"expert": 2, "count": 1}])
    # --experts overrides the header: N=5 adds an unused expert 4 and mean 4/5.
    #   layer 0: maxvio = (3-0.8)/0.8 = 2.75; gini = sum|ci-cj| / (2*N*S):
    #   counts 3,1,0,0,0 -> unordered pairs 2+3+3+3+1+1+1 = 14, ordered 28; 28/(2*5*4) = 0.7
    o5 = oracle("summarize", "--experts", "5", a)["layers"][0]
    check("A --experts 5", [o5["unused"], o5["maxvio_global"], o5["gini"], len(o5["experts"])],
          [3, 2.75, 0.7, 5])

    # dead on layer 0 (tokens 4; e0 at 0,1,2; e1 at 3; e2,e3 never):
    #   e0: last 2, idle 4-1-2 = 1, runs (before 0, between 0, after 1) -> max_gap 1
    #   e1: last 3, idle 0, run before its first use = 3 -> max_gap 3
    #   e2, e3: last null, idle 4, max_gap 4
    # layer 5 (tokens 3; e0 at 0, e1 at 0,1,2, e2 at 1, e3 at 2):
    #   e0: idle 2, gap 2; e1: idle 0, gap 0; e2: idle 1, gap 1; e3: idle 0, gap 2
    never = lambda e, t: {"expert": e, "count": 0, "last_used": None, "idle": t, "max_gap": t}
    dd = oracle("dead", "--threshold", "2", a)
    check("A dead T=2", dd, {"layers": [
        {"layer": 0, "tokens": 4, "threshold": 2, "dead": [never(2, 4), never(3, 4)]},
        {"layer": 5, "tokens": 3, "threshold": 2,
         "dead": [{"expert": 0, "count": 1, "last_used": 0, "idle": 2, "max_gap": 2}]}]})
    dg = oracle("dead", "--threshold", "2", "--gap", a)
    check("A dead T=2 --gap", dg, {"layers": [
        {"layer": 0, "tokens": 4, "threshold": 2,
         "dead": [{"expert": 1, "count": 1, "last_used": 3, "idle": 0, "max_gap": 3},
                  never(2, 4), never(3, 4)]},
        {"layer": 5, "tokens": 3, "threshold": 2,
         "dead": [{"expert": 0, "count": 1, "last_used": 0, "idle": 2, "max_gap": 2},
                  {"expert": 3, "count": 1, "last_used": 2, "idle": 0, "max_gap": 2}]}]})
    check("A dead default T=10000 lists nothing",
          [l["dead"] for l in oracle("dead", a)["layers"]], [[], []])
    check("A dead T=1 l0",
          [x["expert"] for x in oracle("dead", "--threshold", "1", a)["layers"][0]["dead"]], [0, 2, 3])

    # ---- B: domains. Records before any #domain are in no domain.
    # layer 0: [0] (none), code: [0],[1],[0]   chat: [1], then code again: [1]
    #   code -> counts [2,2] over 4 tokens; chat -> [0,1] one token; whole layer [3,3]... no:
    #   whole layer: e0 at rows 1,2,4 = 3, e1 at rows 3,5,6 = 3 -> counts [3,3], tokens 6.
    b = write(d, "b.mlog", "0\n#domain code\n0\n1\n#domain chat\r\n1\r\n#domain code\n0\n1\n")
    sb = oracle("summarize", "--by-domain", b)
    check("B whole", [e["count"] for e in sb["layers"][0]["experts"]], [3, 3])
    check("B domain order", [x["domain"] for x in sb["domains"]], ["code", "chat"])
    check("B code counts", [e["count"] for e in sb["domains"][0]["layers"][0]["experts"]], [2, 2])
    # chat: counts [0,1], N=2 global: mean 0.5, maxvio 1, gini 2/(2*2*1) = 0.5,
    #   entropy 0 (one share of 1), cv = sqrt(((0-.5)^2+(1-.5)^2)/2)/.5 = 1
    chat = sb["domains"][1]["layers"][0]
    check("B chat", [chat["tokens"], chat["unused"], chat["maxvio_global"], chat["gini"],
                     chat["entropy_norm"], chat["cv"]], [1, 1, 1.0, 0.5, 0.0, 1.0])

    # ---- C: jsonl, header object, batch, layer_id / topk_ids keys, integer domain,
    # gzip detected by magic (no .gz name), multi-member gzip.
    lines1 = ('{"moestat": 1, "experts": 3, "topk": 2}\n'
              '{"layer_id": 1, "topk_ids": [[0, 1], [1, 2]], "weights": [[0.6, 0.4], [0.5, 0.5]], "pid": 7}\n')
    lines2 = '{"layer_id": 1, "topk_ids": [2, 0], "pid": 8}\n{"layer_id": 0, "topk_ids": [1, 0], "pid": 7}\n'
    c = write(d, "c.data", gzip.compress(lines1.encode(), mtime=0) + gzip.compress(lines2.encode(), mtime=0))
    sc = oracle("summarize", "--by-domain", "--key", "domain=pid", c)
    # layer 1: {0,1} {1,2} {2,0} -> counts [2,2,2]: uniform, so cv = gini = maxvio = 0, entropy 1
    l1 = sc["layers"][1]
    check("C layer 1", [l1["layer"], l1["tokens"], l1["selections"], [e["count"] for e in l1["experts"]],
                        l1["maxvio_global"], l1["cv"], l1["gini"], l1["entropy_norm"]],
          [1, 3, 6, [2, 2, 2], 0.0, 0.0, 0.0, 1.0])
    check("C integer domains as text", [x["domain"] for x in sc["domains"]], ["7", "8"])
    check("C domain 7 layer 1", [e["count"] for e in sc["domains"][0]["layers"][1]["experts"]], [1, 2, 1])
    # header experts=3 must win over the largest id (2) -- same here; check --experts overrides it
    check("C --experts 4", len(oracle("summarize", "--experts", "4", c)["layers"][0]["experts"]), 4)

    # ---- D: several files are one stream; headerless one-column file; N from largest id.
    # file 1: 0 / 1 ; file 2: 1 / 1 / 1 -> layer 0 positions 0..4, e0 last used at 0:
    #   idle = 5-1-0 = 4, max_gap 4; e1 first used at 1 -> gap before = 1.
    d1 = write(d, "d1.log", "# plain\n0\n\n1\n")
    d2 = write(d, "d2.log", "1\r\n1\n1\n")
    dd = oracle("dead", "--threshold", "4", d1, d2)
    check("D two files one stream", dd["layers"],
          [{"layer": 0, "tokens": 5, "threshold": 4,
            "dead": [{"expert": 0, "count": 1, "last_used": 0, "idle": 4, "max_gap": 4}]}])
    check("D N = largest id + 1", len(oracle("summarize", d1, d2)["layers"][0]["experts"]), 2)

    # ---- E: N = 1 -> entropy null; all figures of a single expert are 0.
    e = write(d, "e.log", "0\n0\n")
    le = oracle("summarize", e)["layers"][0]
    check("E N=1", [le["entropy_norm"], le["maxvio_global"], le["cv"], le["gini"], le["experts"][0]["share"]],
          [None, 0.0, 0.0, 0.0, 1.0])

    # ---- F: an id repeated in one record counts once in count_i, twice in selections.
    f = write(d, "f.log", "0 1,1\n0 0,1\n")
    lf = oracle("summarize", f)["layers"][0]
    # counts [1,2], S=4, N=2, mean 2: cv = sqrt(((1-2)^2 + 0^2)/2)/2 = sqrt(.5)/2
    #   shares 1/4, 1/2; maxvio 0; gini = 2*1/(2*2*4) = 1/8
    check("F repeated id", [lf["selections"], [x["count"] for x in lf["experts"]],
                            lf["cv"], lf["maxvio_global"], lf["gini"], [x["share"] for x in lf["experts"]]],
          [4, [1, 2], math.sqrt(0.5) / 2, 0.0, 0.125, [0.25, 0.5]])

    # ---- G: the integer rewrites in oracle.layer_figures against the literal
    # definitions (Fraction mean, sums over experts), on random small layers.
    literal_vs_oracle()

    # ---- jsoncmp
    def cmp(exp, act):
        pe, pa = write(d, "exp.json", json.dumps(exp)), write(d, "act.json", json.dumps(act))
        return subprocess.run([sys.executable, JSONCMP, pe, pa], capture_output=True).returncode
    check("jsoncmp equal + extra keys", cmp({"a": [1, 2.5, None]}, {"a": [1, 2.5, None], "b": 1}), 0)
    check("jsoncmp float tolerance", cmp({"x": 1.0}, {"x": 1.0 + 1e-13}), 0)
    check("jsoncmp float too far", cmp({"x": 1.0}, {"x": 1.0 + 1e-11}), 1)
    check("jsoncmp tiny absolute", cmp({"x": 0.0}, {"x": 5e-16}), 0)
    check("jsoncmp int vs float", cmp({"x": 3}, {"x": 3.0}), 1)
    check("jsoncmp null vs 0", cmp({"x": None}, {"x": 0}), 1)
    check("jsoncmp missing key", cmp({"x": 1}, {"y": 1}), 1)
    check("jsoncmp list length", cmp([1, 2], [1, 2, 3]), 1)
    check("jsoncmp bool vs int", cmp({"x": True}, {"x": 1}), 1)

    print(f"{'FAILED' if failures else 'passed'}: {failures} failure(s)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
