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


def literal_new_figures():
    """batch_figures (integer rewrite of mean/std/cv) and maxvio's chunk
    figures against the definitions written out literally, on random layers."""
    import random
    from fractions import Fraction
    sys.path.insert(0, HERE)
    sys.dont_write_bytecode = True
    import oracle as o
    rng = random.Random(2)
    for trial in range(300):
        n = rng.randint(1, 7)
        k = rng.randint(1, n)
        recs = [rng.sample(range(n), k) for _ in range(rng.randint(1, 60))]
        size = rng.randint(1, 12)
        chunks = [recs[j:j + size] for j in range(0, len(recs), size) if j + size <= len(recs)]
        got = o.batch_figures(recs, n, size)
        for i in range(n):
            cs = [sum(1 for r in ch if i in r) for ch in chunks]
            if not cs:
                want = (None, None, None)
            else:
                mean = Fraction(sum(cs), len(cs))
                std = math.sqrt(float(sum((c - mean) ** 2 for c in cs) / len(cs)))
                want = (float(mean), std, std / float(mean) if mean else None)
            if not same(list(got[i]), list(want)):
                check(f"H trial {trial} expert {i} batch", list(got[i]), list(want))
                return
        st = o.Stream()
        st.records = [(0, r, None) for r in recs]
        row = o.maxvio(st, n, [size], True)["layers"][0]["batch"][0]
        if chunks:
            vals = []
            for ch in chunks:
                cbar = Fraction(sum(len(r) for r in ch), n)
                vals.append((max(sum(1 for r in ch if i in r) for i in range(n)) - cbar) / cbar)
            srt = sorted(vals)
            want = [len(chunks), False, float(sum(vals) / len(vals)), float(srt[-1]),
                    float(srt[math.ceil(Fraction(95, 100) * len(vals)) - 1])]
        else:
            cbar = Fraction(sum(len(r) for r in recs), n)
            v = float((max(sum(1 for r in recs if i in r) for i in range(n)) - cbar) / cbar)
            want = [1, True, v, v, v]
        got_row = [row["chunks"], row["partial"], row["maxvio_batch"], row["maxvio_max"], row["maxvio_p95"]]
        if not same(got_row, want):
            check(f"H trial {trial} maxvio B={size}", got_row, want)
            return
    check("H 300 random layers: batch_* and chunk MaxVio == literal definitions", True, True)


def replay_cases(d):
    """R: `replay`, on tiny logs worked out by hand (e = Euler's number)."""
    sys.path.insert(0, HERE)
    sys.dont_write_bytecode = True
    import oracle as o
    e = math.e
    sig = lambda x: 1 / (1 + math.exp(-x))

    def log(name, n, k, score, tokens):
        """tokens: (layer, recorded ids, logits); header with logits (and topk=k unless k is None)."""
        topk = "" if k is None else f" topk={k}"
        lines = [f"#moestat v1 experts={n}{topk} score={score} fields=layer,experts,logits\n"]
        lines += [f"{l} {','.join(map(str, ids))} {','.join(map(str, x))}\n" for l, ids, x in tokens]
        return write(d, name, "".join(lines))

    def fig(res, i=0, layer=0):
        return res["strategies"][i]["layers"][layer]

    # ---- R0: the score functions themselves.
    # softmax(0, ln 2, ln 3) = (1, 2, 3)/6; shifting the logits changes nothing.
    check("R0 softmax", o.softmax([0.0, math.log(2), math.log(3)]), [1 / 6, 2 / 6, 3 / 6])
    check("R0 softmax shift", o.softmax([1000.0, 1000.0]), [0.5, 0.5])
    # sigmoid(0) = 1/2, sigmoid(ln 3) = 1/(1 + 1/3) = 3/4, sigmoid(-ln 3) = 1/4; -800 underflows to 0.
    check("R0 sigmoid", o.sigmoid([0.0, math.log(3), -math.log(3), -800.0]), [0.5, 0.75, 0.25, 0.0])

    # ---- R1: scores seen through `retained`; drop policies and reroute. N = 3, k = 1,
    # B = 2 (one full chunk), f = 1: S = 2, C = ceil(1 * 2 / 3) = 1.
    #   t0 logits (1, 0, 0), t1 (2, 0, 0); both recorded and none-selected: expert 0.
    # softmax: t0 s = (e, 1, 1)/(e+2), t1 s = (e^2, 1, 1)/(e^2+2); den = e/(e+2) + e^2/(e^2+2).
    #   position: t0 keeps 0 (load 1 = C), t1's 0 is dropped: retained = (e/(e+2)) / den,
    #     dropped 1/2, changed 1/2; counts (1,0,0), made 1: maxvio = (3*1 - 1)/1 = 2 (also the chunk's).
    #   probs: expert 0's takers t0 (e/(e+2) = .58) and t1 (e^2/(e^2+2) = .79): keeps t1.
    #     retained = (e^2/(e^2+2)) / den, dropped 1/2, changed 1/2, maxvio 2.
    #   reroute: t1's 0 goes to its best-scored expert with room it did not select: 1 and 2
    #     tie (1/(e^2+2) each) -> the lower id, 1. retained = (e/(e+2) + 1/(e^2+2)) / den,
    #     dropped 0, changed 1/2; counts (1,1,0), made 2: maxvio = (3*1 - 2)/2 = 1/2.
    # sigmoid (--score sigmoid): t0 s = (sig 1, 1/2, 1/2), t1 (sig 2, 1/2, 1/2); den = sig 1 + sig 2.
    #   probs: sig 2 / den; reroute: (sig 1 + 1/2) / den.
    r1 = log("r1.mlog", 3, 1, "softmax", [(0, [0], [1, 0, 0]), (0, [0], [2, 0, 0])])
    den = e / (e + 2) + e * e / (e * e + 2)
    cap = ["replay", "--strategy", "capacity", "--batch", "2"]
    want = lambda ret, drop, ch, mv: {"tokens": 2, "maxvio_global": mv, "maxvio_batch": mv, "changed": ch,
                                      "retained": ret, "dropped": drop, "dead": 0, "bias": [0.0, 0.0, 0.0]}
    check("R1 position softmax", fig(oracle(*cap, r1)), want(e / (e + 2) / den, 0.5, 0.5, 2.0))
    check("R1 probs softmax", fig(oracle(*cap, "--drop-policy", "probs", r1)),
          want(e * e / (e * e + 2) / den, 0.5, 0.5, 2.0))
    check("R1 reroute softmax", fig(oracle(*cap, "--overflow", "reroute", r1)),
          want((e / (e + 2) + 1 / (e * e + 2)) / den, 0.0, 0.5, 0.5))
    sden = sig(1) + sig(2)
    check("R1 probs sigmoid", fig(oracle(*cap, "--drop-policy", "probs", "--score", "sigmoid", r1)),
          want(sig(2) / sden, 0.5, 0.5, 2.0))
    check("R1 reroute sigmoid", fig(oracle(*cap, "--overflow", "reroute", "--score", "sigmoid", r1)),
          want((sig(1) + 0.5) / sden, 0.0, 0.5, 0.5))
    # none: the recorded expert 0 is the selection both times: agreement 1; params.
    r1n = oracle("replay", "--strategy", "none,capacity", "--capacity-factor", "1,2.5", r1)
    check("R1 none agreement", fig(r1n)["agreement"], 1.0)
    check("R1 params", [s["params"] for s in r1n["strategies"]],
          [{}, {"capacity_factor": 1.0, "drop_policy": "position", "overflow": "drop"},
           {"capacity_factor": 2.5, "drop_policy": "position", "overflow": "drop"}])
    # f = 2.5 (B = 512: the one partial chunk): C = ceil(2.5 * 2 / 3) = 2: nothing dropped.
    check("R1 f=2.5 keeps all", [fig(r1n, 2)["dropped"], fig(r1n, 2)["retained"]], [0.0, 1.0])

    # ---- R2: ties in the selection go to the lower id. N = 3, k = 1.
    #   t0 logits (.5, .5, 0): s0 = s1 -> 0 (recorded 1: disagrees);
    #   t1 (0, 1, 1): s1 = s2 -> 1 (recorded 1: agrees); agreement 1/2.
    # k = 2 (layer 1): t (1, 0, 0): 0 first, then 1 and 2 tie -> {0, 1} (recorded 0,1: agrees);
    #   t (0, 0, 0): all tie -> {0, 1} (recorded 1,2: disagrees); agreement 1/2.
    # layer 0 counts (1,1,0): maxvio (3*1 - 2)/2 = 1/2; layer 1 counts (2,2,0): (3*2 - 4)/4 = 1/2.
    # (No topk= in the header: k is each record's list length, 1 in layer 0 and 2 in layer 1.)
    r2 = log("r2.mlog", 3, None, "softmax", [(0, [1], [.5, .5, 0]), (0, [1], [0, 1, 1]),
                                         (1, [0, 1], [1, 0, 0]), (1, [1, 2], [0, 0, 0])])
    r2o = oracle("replay", "--strategy", "none", r2)["strategies"][0]
    check("R2 ties to the lower id", [[x["agreement"], x["maxvio_global"]] for x in r2o["layers"]],
          [[0.5, 0.5], [0.5, 0.5]])
    check("R2 mean", r2o["mean"], {"maxvio_global": 0.5, "maxvio_batch": 0.5, "changed": 0.0,
                                   "retained": 1.0, "dropped": 0.0, "dead": 0.0, "agreement": 0.5})

    # ---- R3: lossfree, u = 1, N = 3, k = 1, B = 3 (chunks t0-t2, then the shorter t3-t4).
    # logits: t0, t1, t3 (1, 0, 0): s = (a, c, c); t2, t4 (0, 1, 0): s = (c, a, c), with
    #   a = e/(e+2), c = 1/(e+2) (so c/a = 1/e). none: 0, 0, 1, 0, 1.
    # chunk 1 (b = 0): 0, 0, 1 -> c = (2, 1, 0), cbar = 1: sign(cbar - c) = (-1, 0, +1)
    #   (sign(0) = 0 for expert 1) -> b = (-1, 0, 1).
    # chunk 2: s + b puts expert 2 first (s2 + 1 >= 1 > s1, s0 - 1): t3, t4 -> 2, 2.
    #   c = (0, 0, 2), cbar = 2/3 -> signs (+1, +1, -1) -> b = (0, 1, 0).
    # selections 0, 0, 1, 2, 2: counts (2, 1, 2), made 5: maxvio_global = (3*2 - 5)/5 = 1/5;
    #   maxvio_batch: the full chunk 1 only: (3*2 - 3)/3 = 1. changed: t3, t4 -> 2/5.
    #   retained = (a + a + a + c + c)/(5a) = 3/5 + 2/(5e).
    # dead: last use e0 t1, e1 t2, e2 t4 -> idle 5-1-1 = 3, 2, 0: threshold 3 -> 1, 2 -> 2.
    r3_tokens = [(0, [0], [1, 0, 0]), (0, [0], [1, 0, 0]), (0, [1], [0, 1, 0]),
                 (0, [0], [1, 0, 0]), (0, [1], [0, 1, 0])]
    r3 = log("r3.mlog", 3, 1, "softmax", r3_tokens)
    lf = ["replay", "--strategy", "lossfree", "--rate", "1", "--batch", "3"]
    check("R3 lossfree", fig(oracle(*lf, "--threshold", "3", r3)),
          {"layer": 0, "tokens": 5, "maxvio_global": 0.2, "maxvio_batch": 1.0, "changed": 0.4,
           "retained": 0.6 + 2 / (5 * e), "dropped": 0.0, "dead": 1, "bias": [0.0, 1.0, 0.0]})
    check("R3 dead threshold 2", fig(oracle(*lf, "--threshold", "2", r3))["dead"], 2)
    check("R3 params", oracle(*lf, r3)["strategies"][0]["params"], {"rate": 1.0})
    # A layer shorter than B (B = 10): one partial chunk routed with b = 0 -> the none
    #   selections 0, 0, 1, 0, 1: counts (3, 2, 0), made 5: maxvio_global = maxvio_batch =
    #   (9 - 5)/5 = 4/5; the bias is updated once: cbar 5/3 -> signs (-1, -1, +1).
    check("R3 layer shorter than B", fig(oracle("replay", "--strategy", "lossfree", "--rate", "1",
                                                "--batch", "10", r3)),
          {"tokens": 5, "maxvio_global": 0.8, "maxvio_batch": 0.8, "changed": 0.0, "retained": 1.0,
           "bias": [-1.0, -1.0, 1.0]})

    # ---- R4: dynamic, u = 1/2, alpha = 3/4, N = 2, k = 1, B = 2; every token has logits
    # (1, 0): s = (sig 1, sig -1) = (.73, .27). none: 0 everywhere.
    # chunk 1 (t0, t1), b = 0: 0, 0 -> c = (2, 0); L = c = (2, 0) (first chunk), Lbar = 1:
    #   b += 1/2 (Lbar - L)/Lbar = 1/2 (-1, 1) -> b = (-1/2, 1/2).
    # chunk 2 (t2, t3): s + b = (.23, .77) -> 1, 1: c = (0, 2);
    #   L = 3/4 (2, 0) + 1/4 (0, 2) = (3/2, 1/2), Lbar = 1: b += 1/2 (-1/2, 1/2) -> (-3/4, 3/4).
    # chunk 3 (t4 alone): -> 1: c = (0, 1); L = 3/4 (3/2, 1/2) + 1/4 (0, 1) = (9/8, 5/8),
    #   Lbar = 7/8: b += 1/2 (-1/4, 1/4)/(7/8) = (-1/7, 1/7) -> b = (-25/28, 25/28).
    # selections 0, 0, 1, 1, 1: counts (2, 3): maxvio_global = (2*3 - 5)/5 = 1/5; full chunks
    #   (2, 0) and (0, 2): MaxVio (2*2 - 2)/2 = 1 each -> 1. changed 3/5.
    #   retained = (2 sig 1 + 3 sig -1)/(5 sig 1) = 2/5 + 3/(5e).
    r4 = log("r4.mlog", 2, 1, "softmax", [(0, [0], [1, 0])] * 5)
    dyn = ["replay", "--strategy", "dynamic", "--rate", "0.5", "--decay", "0.75", "--batch", "2"]
    check("R4 dynamic", fig(oracle(*dyn, r4)),
          {"tokens": 5, "maxvio_global": 0.2, "maxvio_batch": 1.0, "changed": 0.6,
           "retained": 0.4 + 3 / (5 * e), "dropped": 0.0, "bias": [-25 / 28, 25 / 28]})
    # Only the first two chunks (4 tokens): b = (-3/4, 3/4).
    r4b = log("r4b.mlog", 2, 1, "softmax", [(0, [0], [1, 0])] * 4)
    check("R4 dynamic two chunks", fig(oracle(*dyn, r4b))["bias"], [-0.75, 0.75])
    check("R4 params", oracle(*dyn, r4)["strategies"][0]["params"], {"rate": 0.5, "decay": 0.75})

    # ---- R5: the group mask. N = 6, G = 2 groups {0,1,2} {3,4,5}, M = 1, k = 2: a group's
    # score is the sum of its k/M = 2 largest scores (s proportional to exp(logit)).
    #   logits (2, 0, 0, 1.5, 1.5, 0): group 0: e^2 + 1 = 8.39, group 1: 2 e^1.5 = 8.96.
    #   Expert 0 is the best of all (e^2 = 7.39 > e^1.5 = 4.48) but group 0 loses, so its
    #   experts are -infinity: the selection is {3, 4}; without groups it is {0, 3} (3 and 4
    #   tie: the lower id).
    # Recorded 0,3: agreement 1 without groups, 0 with them.
    r5 = log("r5.mlog", 6, 2, "softmax", [(0, [0, 3], [2, 0, 0, 1.5, 1.5, 0])])
    check("R5 without groups", fig(oracle("replay", "--strategy", "none", r5))["agreement"], 1.0)
    check("R5 group mask", fig(oracle("replay", "--strategy", "none", "--groups", "2", "--group-topk", "1",
                                      r5))["agreement"], 0.0)
    # The bias takes part in the group score: fixed with the bias (0, 0, 1, 0, 0, 0) (D = the
    # softmax denominator): group 0's two largest s + b are s2 + 1 and s0, sum (e^2 + 1)/D + 1 >
    # group 1's 2 e^1.5/D, so group 0 is kept and its top 2 of s + b are {2, 0};
    # changed 1 (none is {3, 4}); retained = (s0 + s2)/(s3 + s4) = (e^2 + 1)/(2 e^1.5).
    bias5 = write(d, "bias5.json", json.dumps({"layers": [{"layer": 0, "bias": [0, 0, 1, 0, 0, 0]}]}))
    f5 = fig(oracle("replay", "--strategy", "fixed", "--bias-file", bias5, "--groups", "2",
                    "--group-topk", "1", r5))
    check("R5 bias in the group score", [f5["changed"], f5["retained"]],
          [1.0, (e * e + 1) / (2 * math.exp(1.5))])

    # ---- R6: drop policies with k = 2. N = 3, B = 3, f = 1: S = 6, C = ceil(6/3) = 2.
    #   t0 logits (2, 1, 0) -> none {0, 1}; t1 (1, 2, 0) -> {1, 0}; t2 (2, 0, 1) -> {0, 2}.
    #   D = e^2 + e + 1: t0 s = (e^2, e, 1)/D, t1 (e, e^2, 1)/D, t2 (e^2, 1, e)/D; each token's
    #   none selection sums to (e^2 + e)/D: den = 3 (e^2 + e)/D.
    # position: t0 0, 1 -> loads (1, 1, 0); t1 in order 1, 0 -> (2, 2, 0); t2: 0 is full ->
    #   dropped, 2 -> (2, 2, 1). t2 = {2}: retained = (2(e^2+e) + e)/(3(e^2+e)) = (2e+3)/(3e+3).
    # reroute: t2's 0 could only go to 1 (full): 2 has room but t2 selected it -> dropped too.
    # probs: expert 0's takers t0 (e^2/D), t1 (e/D), t2 (e^2/D): keeps t0, t2; t1 loses 0.
    #   t1 = {1}: retained = (2(e^2+e) + e^2)/(3(e^2+e)) = (3e+2)/(3e+3).
    # Both: counts (2, 2, 1), made 5: maxvio = (6 - 5)/5 = 1/5; dropped 1/6; changed 1/3.
    r6 = log("r6.mlog", 3, 2, "softmax", [(0, [0, 1], [2, 1, 0]), (0, [1, 0], [1, 2, 0]),
                                         (0, [0, 2], [2, 0, 1])])
    cap3 = ["replay", "--strategy", "capacity", "--batch", "3"]
    w6 = lambda ret: {"maxvio_global": 0.2, "maxvio_batch": 0.2, "changed": 1 / 3, "retained": ret,
                      "dropped": 1 / 6}
    check("R6 position", fig(oracle(*cap3, r6)), w6((2 * e + 3) / (3 * e + 3)))
    check("R6 reroute (own experts excluded)", fig(oracle(*cap3, "--overflow", "reroute", r6)),
          w6((2 * e + 3) / (3 * e + 3)))
    check("R6 probs", fig(oracle(*cap3, "--drop-policy", "probs", r6)), w6((3 * e + 2) / (3 * e + 3)))
    # probs tie: N = 3, k = 1, B = 3, f = 1: C = 1; t0, t1, t2 all (1, 0, 0) -> expert 0 with
    # equal scores: the earliest token t0 keeps it. changed 2/3, dropped 2/3, retained 1/3.
    r6t = log("r6t.mlog", 3, 1, "softmax", [(0, [0], [1, 0, 0])] * 3)
    check("R6 probs tie to the earlier token",
          [fig(oracle(*cap3, "--drop-policy", "probs", r6t))[x] for x in ("changed", "dropped", "retained")],
          [2 / 3, 2 / 3, 1 / 3])

    # ---- R7: fixed from a bias file (layer 0 only; layer 1 absent -> bias 0), on R3's
    # tokens plus one layer-1 token (1, 0, 0).
    #   layer 0, b = (-1, 0, 1): s2 + 1 wins every token: all 2 -> counts (0, 0, 5):
    #   maxvio (15 - 5)/5 = 2, changed 1, retained = 5c/(5a) = 1/e.
    #   layer 1: b = 0 -> the none selection: changed 0, retained 1, bias (0, 0, 0).
    # none with --bias-file: still b = 0 (changed 0, bias zeros).
    r7 = log("r7.mlog", 3, 1, "softmax", r3_tokens + [(1, [0], [1, 0, 0])])
    bias7 = write(d, "bias7.json", json.dumps({"layers": [{"layer": 0, "bias": [-1, 0, 1]}]}))
    r7o = oracle("replay", "--strategy", "fixed,none", "--bias-file", bias7, r7)
    check("R7 fixed layer 0", fig(r7o), {"maxvio_global": 2.0, "changed": 1.0, "retained": 1 / e,
                                         "bias": [-1.0, 0.0, 1.0]})
    check("R7 fixed layer 1 (not in the file)", fig(r7o, 0, 1),
          {"layer": 1, "changed": 0.0, "retained": 1.0, "bias": [0.0, 0.0, 0.0]})
    check("R7 params and none ignores the file",
          [r7o["strategies"][0]["params"], fig(r7o, 1)["changed"], fig(r7o, 1)["bias"]],
          [{}, 0.0, [0.0, 0.0, 0.0]])
    # lossfree starting from the file (u = 1, B = 3): chunk 1 with (-1, 0, 1): 2, 2, 2 ->
    #   c = (0, 0, 3), cbar 1 -> signs (+1, +1, -1) -> b = (0, 1, 0); chunk 2: s1 + 1 wins:
    #   1, 1 -> c = (0, 2, 0), cbar 2/3 -> (+1, -1, +1) -> b = (1, 0, 1).
    #   counts (0, 2, 3): maxvio (9 - 5)/5 = 4/5.
    r7l = fig(oracle("replay", "--strategy", "lossfree", "--rate", "1", "--batch", "3", "--bias-file", bias7, r7))
    check("R7 lossfree from the bias file", [r7l["bias"], r7l["maxvio_global"]], [[1.0, 0.0, 1.0], 0.8])
    # --bias-from: lossfree over R3 (u = 1, B = 3) ends at b = (0, 1, 0) (R3 above); fixed with
    #   it on R3: s1 + 1 wins every token: counts (0, 5, 0): maxvio 2; changed: t0, t1, t3
    #   (none 0) -> 3/5; retained = (c + c + a + c + a)/(5a) = 2/5 + 3/(5e).
    r7f = fig(oracle("replay", "--strategy", "fixed", "--rate", "1,7", "--batch", "3", "--bias-from", r3, r3))
    check("R7 fixed --bias-from", r7f, {"maxvio_global": 2.0, "changed": 0.6, "retained": 0.4 + 3 / (5 * e),
                                        "bias": [0.0, 1.0, 0.0]})
    # ... and a layer absent from LOG gets bias 0: r7's layer 1 with --bias-from r3.
    check("R7 --bias-from, layer not in LOG",
          fig(oracle("replay", "--strategy", "fixed", "--bias-from", r3, r7), 0, 1)["bias"], [0.0, 0.0, 0.0])

    # ---- R8: instances and usage errors.
    r8 = oracle("replay", "--rate", "0.001,0.01", "--capacity-factor", "1,1.5", r3)
    check("R8 default strategies, one per rate/factor",
          [(s["strategy"], s["params"].get("rate"), s["params"].get("capacity_factor")) for s in r8["strategies"]],
          [("none", None, None), ("lossfree", 0.001, None), ("lossfree", 0.01, None),
           ("dynamic", 0.001, None), ("dynamic", 0.01, None), ("capacity", None, 1.0),
           ("capacity", None, 1.5)])
    check("R8 keys", [sorted(r8["strategies"][0]["layers"][0]), sorted(r8["strategies"][1]["layers"][0]),
                      sorted(r8["strategies"][0]["mean"]), sorted(r8["strategies"][1]["mean"])],
          [sorted(["layer", "tokens", "maxvio_global", "maxvio_batch", "changed", "retained", "dropped",
                   "dead", "bias", "agreement"]),
           sorted(["layer", "tokens", "maxvio_global", "maxvio_batch", "changed", "retained", "dropped",
                   "dead", "bias"]),
           sorted(["maxvio_global", "maxvio_batch", "changed", "retained", "dropped", "dead", "agreement"]),
           sorted(["maxvio_global", "maxvio_batch", "changed", "retained", "dropped", "dead"])])
    nolog = write(d, "nolog.mlog", "#moestat v1 experts=3 topk=1 score=softmax fields=layer,experts\n0 1\n")
    def status(*args):
        return subprocess.run([sys.executable, ORACLE, *args], capture_output=True).returncode
    check("R8 usage errors exit 2",
          [status("replay", "--drop-policy", "probs", "--overflow", "reroute", r3),
           status("replay", "--strategy", "fixed", r3),
           status("replay", "--groups", "3", r3),
           status("replay", "--groups", "2", "--group-topk", "1", r3),  # 2 does not divide N = 3
           status("replay", "--strategy", "bogus", r3),
           status("replay", nolog)],  # no logits
          [2, 2, 2, 2, 2, 2])


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
    literal_new_figures()

    # ---- I: the example layer of the new figures. N = 4 (header), top-1, layer 0
    # picks 0 0 0 1 | 2 3 0 1 | 0 0 1 1 | 2 (13 records; "|" every 4 records).
    # Layer 1 picks 2 2 3 (3 records).
    i_log = write(d, "i.mlog", "#moestat v1 experts=4 topk=1\n" +
                  "".join(f"0 {e}\n" for e in [0, 0, 0, 1, 2, 3, 0, 1, 0, 0, 1, 1, 2]) +
                  "1 2\n1 2\n1 3\n")
    # Layer 0 counts: e0 3+1+2 = 6, e1 1+1+2 = 4, e2 0+1+0 (+1 in the partial chunk) = 2, e3 1;
    #   selections 13, mean 13/4: maxvio_global = (6 - 13/4)/(13/4) = 11/13.
    # Layer 1 counts [0,0,2,1], selections 3, mean 3/4: maxvio_global = (2 - 3/4)/(3/4) = 5/3.
    # coverage, N = 4 -> n = 1, 2, 4: layer 0 sorted counts 6,4,2,1 -> 6/13, 10/13, 13/13;
    #   uniform 1/4, 1/2, 1.
    si = oracle("summarize", "--batch", "4", i_log)
    check("I coverage N=4", si["layers"][0]["coverage"],
          [{"n": 1, "share": 6 / 13, "uniform": 0.25}, {"n": 2, "share": 10 / 13, "uniform": 0.5},
           {"n": 4, "share": 1.0, "uniform": 1.0}])
    # --experts 6 -> n = 1, 2, 4, 6: shares 6/13, 10/13, 13/13, 13/13; uniform 1/6, 1/3, 2/3, 1.
    check("I coverage N=6", oracle("summarize", "--experts", "6", i_log)["layers"][0]["coverage"],
          [{"n": 1, "share": 6 / 13, "uniform": 1 / 6}, {"n": 2, "share": 10 / 13, "uniform": 1 / 3},
           {"n": 4, "share": 1.0, "uniform": 2 / 3}, {"n": 6, "share": 1.0, "uniform": 1.0}])
    # N = 8 -> n = 1, 2, 4, 8 (uniform 1/8, 1/4, 1/2, 1).
    check("I coverage N=8 sizes",
          [c["n"] for c in oracle("summarize", "--experts", "8", i_log)["layers"][0]["coverage"]], [1, 2, 4, 8])
    # --batch 4, layer 0: full chunks (0,0,0,1) (2,3,0,1) (0,0,1,1); the trailing (2) is ignored.
    #   e0: 3,1,2 -> mean 2, std sqrt((1+1+0)/3) = sqrt(2/3), cv sqrt(2/3)/2
    #   e1: 1,1,2 -> mean 4/3, var (1+1+4)/3 - 16/9 = 2/9, std sqrt(2)/3, cv (sqrt(2)/3)/(4/3) = sqrt(2)/4
    #   e2: 0,1,0 -> mean 1/3, var 1/3 - 1/9 = 2/9, std sqrt(2)/3, cv sqrt(2); e3 the same
    # layer 1 (3 records) has no full chunk of 4: all null.
    check("I top-level batch", si["batch"], 4)
    check("I batch layer 0", [[x["batch_mean"], x["batch_std"], x["batch_cv"]] for x in si["layers"][0]["experts"]],
          [[2.0, math.sqrt(2 / 3), math.sqrt(2 / 3) / 2],
           [4 / 3, math.sqrt(2) / 3, math.sqrt(2) / 4],
           [1 / 3, math.sqrt(2) / 3, math.sqrt(2)],
           [1 / 3, math.sqrt(2) / 3, math.sqrt(2)]])
    check("I batch layer 1 no full chunk",
          [[x["batch_mean"], x["batch_std"], x["batch_cv"]] for x in si["layers"][1]["experts"]],
          [[None, None, None]] * 4)
    # --batch 3, layer 1: one full chunk (2,2,3): e0 0 -> mean 0, std 0, cv null; e2 2 -> 2, 0, 0.
    s3 = oracle("summarize", "--batch", "3", i_log)["layers"][1]["experts"]
    check("I batch 3 layer 1", [[x["batch_mean"], x["batch_std"], x["batch_cv"]] for x in s3],
          [[0.0, 0.0, None], [0.0, 0.0, None], [2.0, 0.0, 0.0], [1.0, 0.0, 0.0]])
    check("I no --batch, no batch keys", "batch_mean" in oracle("summarize", i_log)["layers"][0]["experts"][0],
          False)

    # maxvio --batch 4,100,4 (sorted, de-duplicated -> 4, 100):
    #   layer 0, B = 4: chunk MaxVio (cbar = 4/4 = 1): (3-1)/1 = 2, (1-1)/1 = 0, (2-1)/1 = 1
    #     -> chunks 3, mean 1, max 2, p95 = rank ceil(.95*3) = 3 of [0,1,2] = 2
    #   layer 1, B = 4: 3 tokens, no full chunk -> its partial chunk (all records): 5/3
    #   B = 100: both layers partial: 11/13 and 5/3.
    mi = oracle("maxvio", "--batch", "4,100,4", i_log)
    row = lambda size, chunks, partial, mean, mx, p95: {
        "size": size, "chunks": chunks, "partial": partial, "maxvio_batch": mean, "maxvio_max": mx, "maxvio_p95": p95}
    check("I maxvio explicit", mi, {
        "sizes": [4, 100],
        "layers": [{"layer": 0, "tokens": 13, "maxvio_global": 11 / 13,
                    "batch": [row(4, 3, False, 1.0, 2.0, 2.0), row(100, 1, True, 11 / 13, 11 / 13, 11 / 13)]},
                   {"layer": 1, "tokens": 3, "maxvio_global": 5 / 3,
                    "batch": [row(4, 1, True, 5 / 3, 5 / 3, 5 / 3), row(100, 1, True, 5 / 3, 5 / 3, 5 / 3)]}],
        # overall: mean of 11/13 and 5/3 = (33 + 65)/39/2 = 49/39;
        #   B = 4: (1 + 5/3)/2 = 4/3; B = 100: (11/13 + 5/3)/2 = 49/39
        "overall": {"layers": 2, "maxvio_global": 49 / 39,
                    "batch": [{"size": 4, "layers": 2, "maxvio_batch": 4 / 3},
                              {"size": 100, "layers": 2, "maxvio_batch": 49 / 39}]}})
    # Default sizes 1,8,64,...: layer 0 (13 tokens) lists 1 and 8, layer 1 (3 tokens) only 1.
    #   B = 1: every chunk selects 1, cbar 1/4, max 1 -> (1 - 1/4)/(1/4) = 3; chunks 13 and 3.
    #   B = 8, layer 0: (0,0,0,1,2,3,0,1) -> counts 4,2,1,1, cbar 2 -> (4-2)/2 = 1.
    md = oracle("maxvio", i_log)
    check("I maxvio default sizes", md["sizes"], [1, 8])
    check("I maxvio default layer 0", md["layers"][0]["batch"], [row(1, 13, False, 3.0, 3.0, 3.0),
                                                                 row(8, 1, False, 1.0, 1.0, 1.0)])
    check("I maxvio default layer 1", md["layers"][1]["batch"], [row(1, 3, False, 3.0, 3.0, 3.0)])
    check("I maxvio default overall", md["overall"]["batch"],
          [{"size": 1, "layers": 2, "maxvio_batch": 3.0}, {"size": 8, "layers": 1, "maxvio_batch": 1.0}])

    # ---- J: p95 nearest rank. N = 2, top-1, B = 2: a chunk (0,0) has cbar 1, MaxVio (2-1)/1 = 1;
    # a chunk (0,1) has MaxVio 0.
    #   20 chunks, one (0,0) first: rank ceil(.95*20) = 19 -> sorted 19 zeros, then 1 -> p95 0;
    #     mean 1/20, max 1.
    #   21 chunks, two (0,0): rank ceil(19.95) = 20 -> sorted 19 zeros, 1, 1 -> p95 1; mean 2/21.
    j20 = write(d, "j20.log", "0\n0\n" + "0\n1\n" * 19)
    j21 = write(d, "j21.log", "0\n0\n" + "0\n1\n" * 19 + "0\n0\n")
    check("J p95 20 chunks", oracle("maxvio", "--batch", "2", j20)["layers"][0]["batch"],
          [row(2, 20, False, 1 / 20, 1.0, 0.0)])
    check("J p95 21 chunks", oracle("maxvio", "--batch", "2", j21)["layers"][0]["batch"],
          [row(2, 21, False, 2 / 21, 1.0, 1.0)])
    # N = 1 (one expert): coverage is just n = 1; every MaxVio is (1*max - S)/S = 0.
    check("J coverage N=1", oracle("summarize", write(d, "j1.log", "0\n0\n"))["layers"][0]["coverage"],
          [{"n": 1, "share": 1.0, "uniform": 1.0}])

    # ---- K: domain_shares and specialisation. N = 3 (largest id 2), domains x, y.
    # layer 0: x picks 0, 1, 2 (the last after a second "#domain x") -> shares 1/3 each;
    #          y picks 0, 0 -> shares 1, 0, 0.   layer 1: only y, picks 1 -> shares 0, 1, 0.
    # layer 0: e0: x 1/3, y 1 -> mean 2/3, max 1 -> 3/2; e1: 1/3, 0 -> mean 1/6 -> 2; e2 likewise 2.
    # layer 1: x has no records there -> null; specialisation over y alone:
    #          e0 share 0 -> mean 0 -> null; e1 1/1 = 1; e2 null.
    k_log = write(d, "k.mlog", "#domain x\n0 0\n0 1\n#domain y\n0 0\n0 0\n1 1\n#domain x\n0 2\n")
    sk = oracle("summarize", "--by-domain", k_log)
    k0, k1 = sk["layers"]
    check("K layer 0 domain_shares", [x["domain_shares"] for x in k0["experts"]],
          [{"x": 1 / 3, "y": 1.0}, {"x": 1 / 3, "y": 0.0}, {"x": 1 / 3, "y": 0.0}])
    check("K domain order x, y", list(k0["experts"][0]["domain_shares"]), ["x", "y"])
    check("K layer 0 specialisation", [x["specialisation"] for x in k0["experts"]], [1.5, 2.0, 2.0])
    check("K layer 1 domain_shares", [x["domain_shares"] for x in k1["experts"]],
          [{"x": None, "y": 0.0}, {"x": None, "y": 1.0}, {"x": None, "y": 0.0}])
    check("K layer 1 specialisation", [x["specialisation"] for x in k1["experts"]], [None, 1.0, None])
    # Domain layers carry coverage too (x layer 0: counts 1,1,1 of 3 -> 1/3, 2/3, 1 at n = 1, 2, 3).
    check("K domain coverage", [c["share"] for c in sk["domains"][0]["layers"][0]["coverage"]],
          [1 / 3, 2 / 3, 1.0])
    check("K domain layers have no domain_shares", "domain_shares" in sk["domains"][0]["layers"][0]["experts"][0],
          False)
    # --by-domain --batch 2 on layer 0 (x0 x1 y0 y0 x2 -> chunks (0,1) (0,0), the (2) ignored):
    #   e0: 1, 2 -> mean 3/2, std 1/2, cv 1/3; e1: 1, 0 -> .5, .5, 1; e2: 0, 0 -> 0, 0, null.
    kb = oracle("summarize", "--by-domain", "--batch", "2", k_log)["layers"][0]["experts"]
    check("K batch with by-domain", [[x["batch_mean"], x["batch_std"], x["batch_cv"]] for x in kb],
          [[1.5, 0.5, 1 / 3], [0.5, 0.5, 1.0], [0.0, 0.0, None]])

    # ---- L: pairs. No header, N = 5 (largest id 4); tokens {0,1} {1,0} {2,3} {0,1,2} {4,2}.
    # counts e0 3, e1 3, e2 3, e3 1, e4 1; tokens 5.
    # together: {0,1} 3 (tokens 1, 2, 4); {0,2} 1, {1,2} 1 (token 4); {2,3} 1; {2,4} 1; the other five 0.
    # lift = count * tokens / (count_a * count_b): {0,1} 15/9 = 5/3; {0,2} {1,2} 5/9; {2,3} {2,4} 5/3;
    # never together: 0.  Order: count desc, then a, then b; the 0-count pairs fill up in (a, b) order.
    l_log = write(d, "l.log", "0,1\n1,0\n2,3\n0,1,2\n4,2\n")
    pr = lambda a, b, c, lift: {"a": a, "b": b, "count": c, "lift": lift}
    everything = [pr(0, 1, 3, 5 / 3), pr(0, 2, 1, 5 / 9), pr(1, 2, 1, 5 / 9), pr(2, 3, 1, 5 / 3),
                  pr(2, 4, 1, 5 / 3), pr(0, 3, 0, 0.0), pr(0, 4, 0, 0.0), pr(1, 3, 0, 0.0), pr(1, 4, 0, 0.0),
                  pr(3, 4, 0, 0.0)]
    check("L pairs default top 10", oracle("pairs", l_log), {"top": 10, "layers": [
        {"layer": 0, "tokens": 5, "pairs": everything}]})
    check("L pairs --top 3", oracle("pairs", "--top", "3", l_log)["layers"][0]["pairs"], everything[:3])
    check("L pairs --top 7 (zero-count pairs fill up)",
          oracle("pairs", "--top", "7", l_log)["layers"][0]["pairs"], everything[:7])
    check("L pairs --top 20 (only N(N-1)/2 = 10 pairs)",
          oracle("pairs", "--top", "20", l_log)["layers"][0]["pairs"], everything)
    # --experts 6: expert 5 is never chosen, so its pairs have lift null; zero pairs in (a, b) order:
    # (0,3) (0,4) (0,5) (1,3) ...
    p6 = oracle("pairs", "--experts", "6", "--top", "8", l_log)["layers"][0]["pairs"]
    check("L pairs --experts 6", p6, everything[:7] + [pr(0, 5, 0, None)])

    # ---- M: compare two files. A: header N = 4; B: no header, N = largest id 3 + 1 = 4.
    # layer 0: A picks 0 0 -> counts [2,0,0,0], shares (1,0,0,0); B picks 1 1 1 -> (0,1,0,0).
    #   m = (1/2, 1/2): jsd = 1/2 (1 log2 2) + 1/2 (1 log2 2) = 1; tvd = 1/2 (1 + 1) = 1;
    #   movers |b-a| = 1, 1, 0, 0 -> experts 0, 1, 2, 3 (ties to the lower id);
    #   dead only in A: 1 (0 in A, 3 in B); dead only in B: 0 (2 in A, 0 in B).
    # layer 1: A picks 0 1 -> (1/2, 1/2, 0, 0); B picks 0 0 -> (1, 0, 0, 0).
    #   tvd = 1/2 (1/2 + 1/2) = 1/2; m = (3/4, 1/4):
    #   jsd = 1/2 [1/2 log2(2/3) + 1/2 log2 2] + 1/2 [1 log2(4/3)]
    #       = 1/2 [1 - 1/2 log2 3] + 1/2 [2 - log2 3] = 3/2 - 3/4 log2 3
    #   movers: e0 |1 - 1/2| = 1/2, e1 1/2 -> 0, 1, then 2, 3; dead only in B: 1.
    # layer 7 only in A, layer 9 only in B.
    # overall: layers 2, jsd (1 + 3/2 - 3/4 log2 3)/2, tvd (1 + 1/2)/2 = 3/4, dead_only_in_a 1,
    #   dead_only_in_b 1 + 1 = 2.
    ma = write(d, "ma.mlog", "#moestat v1 experts=4 topk=1\n0 0\n0 0\n1 0\n1 1\n7 2\n")
    mb = write(d, "mb.mlog", "0 1\n0 1\n0 1\n1 0\n1 0\n9 3\n")
    jsd1 = 1.5 - 0.75 * math.log2(3)
    mv = lambda e, a, b: {"expert": e, "share_a": a, "share_b": b}
    want_m = {
        "layers": [
            {"layer": 0, "tokens_a": 2, "tokens_b": 3, "jsd": 1.0, "tvd": 1.0,
             "movers": [mv(0, 1.0, 0.0), mv(1, 0.0, 1.0), mv(2, 0.0, 0.0), mv(3, 0.0, 0.0)],
             "dead_only_in_a": [1], "dead_only_in_b": [0]},
            {"layer": 1, "tokens_a": 2, "tokens_b": 2, "jsd": jsd1, "tvd": 0.5,
             "movers": [mv(0, 0.5, 1.0), mv(1, 0.5, 0.0), mv(2, 0.0, 0.0), mv(3, 0.0, 0.0)],
             "dead_only_in_a": [], "dead_only_in_b": [1]}],
        "overall": {"layers": 2, "jsd": (1 + jsd1) / 2, "tvd": 0.75, "dead_only_in_a": 1, "dead_only_in_b": 2},
        "layers_only_in_a": [7], "layers_only_in_b": [9]}
    check("M compare A B", oracle("compare", ma, mb), want_m)
    # B A: everything mirrored (jsd, tvd symmetric; shares swapped; dead lists swapped).
    cm = oracle("compare", "--top", "1", mb, ma)
    check("M compare B A --top 1", [cm["layers"][0]["movers"], cm["layers"][1]["dead_only_in_a"],
                                    cm["overall"], cm["layers_only_in_a"]],
          [[mv(0, 0.0, 1.0)], [1],
           {"layers": 2, "jsd": (1 + jsd1) / 2, "tvd": 0.75, "dead_only_in_a": 2, "dead_only_in_b": 1}, [9]])
    # The larger N of the two sides: B with a header experts=6 -> 6 experts, movers lists all 6 with --top 9.
    mb6 = write(d, "mb6.mlog", "#moestat v1 experts=6\n0 1\n0 1\n0 1\n1 0\n1 0\n9 3\n")
    check("M common N = larger side's",
          [x["expert"] for x in oracle("compare", "--top", "9", ma, mb6)["layers"][0]["movers"]], [0, 1, 2, 3, 4, 5])
    # Two domains of one stream: the same sides as above in one file, domain a then b, with
    # records of a third domain z (ignored) and of no domain (ignored).
    md_log = write(d, "md.mlog", "#moestat v1 experts=4 topk=1\n3 3\n#domain a\n0 0\n0 0\n1 0\n"
                   "#domain z\n0 3\n#domain b\n0 1\n0 1\n0 1\n1 0\n1 0\n9 3\n#domain a\n1 1\n7 2\n")
    check("M compare --domains a,b", oracle("compare", "--domains", "a,b", md_log), want_m)
    # jsonl domain key.
    mj = write(d, "mj.jsonl", "".join(json.dumps({"layer": l, "experts": [e], "ds": ds}) + "\n" for l, e, ds in
                                      [(0, 0, "a"), (0, 1, "b"), (0, 0, "a"), (0, 1, "b"), (1, 0, "a"),
                                       (0, 1, "b"), (1, 1, "a"), (1, 0, "b"), (1, 0, "b"), (7, 2, "a"),
                                       (9, 3, "b")]))
    check("M compare --key domain=ds --domains a,b",
          oracle("compare", "--key", "domain=ds", "--domains", "a,b", mj), want_m)

    # ---- R: replay
    replay_cases(d)

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

    def cmp_rel(tol, exp, act):
        pe, pa = write(d, "exp.json", json.dumps(exp)), write(d, "act.json", json.dumps(act))
        return subprocess.run([sys.executable, JSONCMP, "--rel", tol, pe, pa], capture_output=True).returncode
    check("jsoncmp --rel 1e-9 accepts 1e-10", cmp_rel("1e-9", {"x": 1.0}, {"x": 1.0 + 1e-10}), 0)
    check("jsoncmp --rel 1e-9 rejects 1e-8", cmp_rel("1e-9", {"x": 1.0}, {"x": 1.0 + 1e-8}), 1)
    check("jsoncmp --rel bad", cmp_rel("x", {"x": 1.0}, {"x": 1.0}), 2)

    print(f"{'FAILED' if failures else 'passed'}: {failures} failure(s)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
