#!/usr/bin/env python3
"""Independent reference implementation ("oracle") of moestat's figures.

Written from the moestat specification only, without looking at the C sources,
so that a test comparing the two catches errors in either. Python 3 standard
library only.

Usage:
    oracle.py summarize [--by-domain] [--batch B] [--bottom K] [--experts N] [--key domain=NAME] FILE...
    oracle.py dead [--threshold T] [--gap] [--experts N] [--key domain=NAME] FILE...
    oracle.py maxvio [--batch LIST] [--experts N] [--key domain=NAME] FILE...
    oracle.py pairs [--top K] [--experts N] [--key domain=NAME] FILE...
    oracle.py compare [--top M] [--experts N] [--key domain=NAME] A B
    oracle.py compare --domains X,Y [--top M] [--experts N] [--key domain=NAME] FILE...
    oracle.py place --ep P [--placement LIST] [--batch B] [--redundant R] [--nodes M]
                    [--groups G] [--experts N] FILE...
    oracle.py replay [--strategy LIST] [--batch B] [--rate LIST] [--decay A]
                     [--capacity-factor LIST] [--drop-policy position|probs]
                     [--overflow drop|reroute] [--groups G --group-topk M]
                     [--score softmax|sigmoid] [--threshold T] [--bias-file FILE]
                     [--bias-from LOG] FILE...

Prints one JSON object on stdout. Reads moestat's line format (mlog) and JSON
Lines; either may be gzip'd (recognised by the magic bytes 1f 8b, never by the
file name). Several files are read as one stream, in the order given.

Numerics: every figure that is a ratio of integers is computed exactly with
fractions.Fraction and converted to float once at the end, so the oracle's
values are correctly rounded; cv takes one float sqrt of an exact ratio and
entropy uses math.fsum. The C tool is expected to agree within 1e-12 relative.
replay computes the router scores in double precision (math.exp, math.fsum)
and reports on stderr every selection that hinged on equal or nearly equal
values (see README.md).
"""

import argparse
import gzip
import json
import math
import struct
import sys
from fractions import Fraction
from itertools import combinations

# Keys the jsonl reader accepts, in order of preference.
EXPERT_KEYS = ("experts", "topk_ids", "expert_ids", "selected_experts", "top_indices")
LAYER_KEYS = ("layer", "layer_id")


class InputError(Exception):
    """A malformed input; reported with file and line, exit status 2."""


class Stream:
    """All records of the input, in stream order.

    records: list of (layer, [expert ids], domain or None).
    header_experts: N from the first header that declared `experts=`, or None.
    """

    def __init__(self):
        self.records = []
        self.header_experts = None
        # (where, number of logits) of each record that has logits: moestat(5)
        # wants the logits of all N experts.
        self.logits = []
        # Parallel to records: (where, logits) with logits the mlog cell text or
        # the jsonl list, or None when the record has none (used by replay).
        self.record_logits = []
        # score= of the first header that gave one (softmax or sigmoid), or None.
        self.header_score = None

    def set_header_score(self, score, where):
        if score is None:
            return
        if score not in ("softmax", "sigmoid"):
            raise InputError(f"{where}: unknown score function {score!r}")
        if self.header_score is None:
            self.header_score = score
        elif self.header_score != score:
            raise InputError(f"{where}: header says score={score}, an earlier header said "
                             f"{self.header_score}")

    def set_header_experts(self, n, where):
        if n is None:
            return
        if self.header_experts is None:
            self.header_experts = n
        elif self.header_experts != n:
            # Two files disagreeing on N cannot be summarised with one N.
            raise InputError(f"{where}: header says experts={n}, an earlier header said "
                             f"{self.header_experts}")


def read_bytes(path):
    """File contents, gunzipped when they start with the gzip magic.

    gzip.decompress reads every member of a multi-member gzip file.
    """
    with open(path, "rb") as f:
        data = f.read()
    if data[:2] == b"\x1f\x8b":
        data = gzip.decompress(data)
    return data


def parse_int(text, where, what):
    # int() would also accept '+3', ' 3', '3_0'; the spec's ids are plain digits.
    if not text or not text.isdigit() or not text.isascii():
        raise InputError(f"{where}: bad {what} {text!r}")
    return int(text)


def parse_id_list(text, where):
    if text == "":
        return []
    return [parse_int(t, where, "expert id") for t in text.split(",")]


# ---------------------------------------------------------------- mlog reader

def read_mlog(lines, path, stream, state):
    """Reads moestat's line format.

    state carries the current `#domain` across files, because several files
    are one stream (a domain started in one file goes on into the next).
    The `fields` layout is per file: each file has its own header, or none.
    """
    fields = None  # decided by the header, else by the first record
    for lineno, raw in enumerate(lines, 1):
        where = f"{path}:{lineno}"
        line = raw.rstrip("\r")  # \r\n accepted
        if line.strip() == "":
            continue
        if line.startswith("#"):
            words = line.split()
            if words[0] == "#moestat":
                fields, n, score = parse_mlog_header(words, where)
                stream.set_header_experts(n, where)
                stream.set_header_score(score, where)
            elif words[0] == "#domain":
                if len(words) < 2:
                    raise InputError(f"{where}: #domain without a name")
                # The name is the rest of the line (names are not expected to
                # hold spaces, but keep them if they do).
                state["domain"] = line[len("#domain"):].strip()
            continue  # any other '#' line is a comment
        cols = line.split()
        if fields is None:
            # No header: the first record decides the layout.
            if len(cols) == 1:
                fields = ["experts"]
            elif len(cols) == 2:
                fields = ["layer", "experts"]
            else:
                raise InputError(f"{where}: headerless record must have 1 or 2 columns")
        if len(cols) != len(fields):
            raise InputError(f"{where}: {len(cols)} columns, expected {len(fields)} ({','.join(fields)})")
        rec = dict(zip(fields, cols))
        layer = parse_int(rec["layer"], where, "layer") if "layer" in rec else 0
        experts = parse_id_list(rec.get("experts", ""), where)
        if "logits" in rec:
            stream.logits.append((where, len(rec["logits"].split(","))))
        stream.records.append((layer, experts, state["domain"]))
        stream.record_logits.append((where, rec.get("logits")))


def parse_mlog_header(words, where):
    """Returns (fields list, experts N or None, score or None) of a `#moestat v1 ...` line."""
    kv = {}
    for w in words[1:]:
        if "=" in w:
            k, v = w.split("=", 1)
            kv[k] = v
    fields = kv.get("fields", "layer,experts").split(",")
    for f in fields:
        if f not in ("layer", "token", "experts", "weights", "logits"):
            raise InputError(f"{where}: unknown field {f!r}")
    if "experts" not in fields:
        raise InputError(f"{where}: fields lack 'experts'")
    n = parse_int(kv["experts"], where, "experts=") if "experts" in kv else None
    return fields, n, kv.get("score")


# --------------------------------------------------------------- jsonl reader

def read_jsonl(lines, path, stream, domain_key):
    first = True
    for lineno, raw in enumerate(lines, 1):
        where = f"{path}:{lineno}"
        if raw.strip() == "":
            continue
        try:
            obj = json.loads(raw)
        except ValueError as e:
            raise InputError(f"{where}: bad JSON: {e}")
        if not isinstance(obj, dict):
            raise InputError(f"{where}: not a JSON object")
        if first and "moestat" in obj:
            # Header object, not a record.
            first = False
            n = obj.get("experts")
            stream.set_header_experts(n if isinstance(n, int) and not isinstance(n, bool) else None, where)
            score = obj.get("score")
            stream.set_header_score(score if isinstance(score, str) else None, where)
            continue
        first = False

        experts = next((obj[k] for k in EXPERT_KEYS if k in obj), None)
        if experts is None:
            raise InputError(f"{where}: no experts key")
        layer = next((obj[k] for k in LAYER_KEYS if k in obj), 0)
        if not is_int(layer) or layer < 0:
            raise InputError(f"{where}: bad layer {layer!r}")

        domain = obj.get(domain_key)
        if domain is not None and not isinstance(domain, str):
            if is_int(domain):
                domain = str(domain)  # e.g. problem_id 3 -> "3"
            else:
                raise InputError(f"{where}: domain value {domain!r} is neither string nor integer")

        if not isinstance(experts, list):
            raise InputError(f"{where}: experts is not a list")
        # A batch is a list of lists; a single token is a list of ids.
        is_batch = bool(experts) and isinstance(experts[0], list)
        batch = experts if is_batch else [experts]
        logits = next((obj[k] for k in ("logits", "router_logits") if obj.get(k) is not None), None)
        per_token = [None] * len(batch)
        if logits is not None:
            per_token = logits if is_batch else [logits]
            if not isinstance(per_token, list) or len(per_token) != len(batch) or \
                    not all(isinstance(x, list) for x in per_token):
                raise InputError(f"{where}: logits do not match the tokens")
            stream.logits.extend((where, len(x)) for x in per_token)
        for ids, lg in zip(batch, per_token):
            if not isinstance(ids, list) or not all(is_int(e) and e >= 0 for e in ids):
                raise InputError(f"{where}: bad expert list {ids!r}")
            stream.records.append((layer, list(ids), domain))
            stream.record_logits.append((where, lg))


def is_int(v):
    return isinstance(v, int) and not isinstance(v, bool)


def read_files(paths, domain_key="domain"):
    stream = Stream()
    state = {"domain": None}
    for path in paths:
        text = read_bytes(path).decode("utf-8")
        lines = text.split("\n")
        # jsonl when the first non-blank line is an object, else mlog.
        first = next((l for l in lines if l.strip()), "")
        if first.lstrip().startswith("{"):
            read_jsonl(lines, path, stream, domain_key)
        else:
            read_mlog(lines, path, stream, state)
    return stream


def number_of_experts(stream, override):
    """N: --experts, else the header's experts=, else largest id seen + 1."""
    if override is not None:
        n = override
    elif stream.header_experts is not None:
        n = stream.header_experts
    else:
        n = 1 + max((e for _, ids, _ in stream.records for e in ids), default=-1)
    for layer, ids, _ in stream.records:
        for e in ids:
            if e >= n:
                raise InputError(f"expert id {e} in layer {layer} is >= N={n}")
    # Logits are those of all N experts (moestat(5)); while N is not given, at
    # least as many as the records before.
    want = n if (override is not None or stream.header_experts is not None) else None
    for where, m in stream.logits:
        if want is None:
            want = m
        if m != want:
            raise InputError(f"{where}: {m} logits, expected {want}")
    return n


# -------------------------------------------------------------------- figures

def layer_figures(layer, recs, n, bottom):
    """The per-layer summary object for the records (lists of ids) of one layer."""
    tokens = len(recs)
    selections = sum(len(ids) for ids in recs)
    counts = [0] * n
    for ids in recs:
        # count_i = records naming expert i: an id repeated inside one record
        # counts once, although it counts twice in `selections`.
        for e in set(ids):
            counts[e] += 1

    out = {"layer": layer, "tokens": tokens, "selections": selections,
           "unused": sum(1 for c in counts if c == 0)}
    s = selections
    if s == 0 or n == 0:
        # Nothing selected: mean is 0 and every ratio is undefined.
        out.update(maxvio_global=None, cv=None, entropy_norm=None, gini=None)
        shares = [None] * n
        ratios = [None] * n
    else:
        # mean = S/N, so each ratio below is rewritten over integers:
        #   maxvio = (max - S/N)/(S/N)                 = (N*max - S)/S
        #   cv^2   = (sum (c - S/N)^2 / N) / (S/N)^2  = (N*sum c^2 - 2*S*C + S^2)/S^2
        #   gini   = sum|ci-cj| / (2 N^2 S/N)         = sum|ci-cj| / (2 N S)
        # where C = sum c, which is S unless a record repeats an id (then C < S).
        out["maxvio_global"] = float(Fraction(n * max(counts) - s, s))
        c_sum = sum(counts)
        out["cv"] = math.sqrt(Fraction(n * sum(c * c for c in counts) - 2 * s * c_sum + s * s, s * s))
        if n == 1:
            out["entropy_norm"] = None  # ln 1 = 0: undefined
        else:
            h = math.fsum(-(c / s) * math.log(c / s) for c in counts if c > 0)
            out["entropy_norm"] = h / math.log(n)
        pair_sum = sum(abs(ci - cj) for ci in counts for cj in counts)
        out["gini"] = float(Fraction(pair_sum, 2 * n * s))
        shares = [float(Fraction(c, s)) for c in counts]
        ratios = [float(Fraction(n * c, s)) for c in counts]

    order = sorted(range(n), key=lambda i: (counts[i], i))
    out["least_used"] = [{"expert": i, "count": counts[i]} for i in order[:bottom]]
    out["coverage"] = coverage(counts, s, n)
    out["experts"] = [{"expert": i, "count": counts[i], "share": shares[i], "ratio": ratios[i]}
                      for i in range(n)]
    return out


def layer_counts(recs, n):
    """count_i = records naming expert i (an id repeated in one record counts once)."""
    counts = [0] * n
    for ids in recs:
        for e in set(ids):
            counts[e] += 1
    return counts


def coverage_sizes(n):
    """1, 2, 4, 8, ... (the powers of two below N), then N itself."""
    sizes = []
    p = 1
    while p < n:
        sizes.append(p)
        p *= 2
    if n >= 1:
        sizes.append(n)
    return sizes


def coverage(counts, selections, n):
    """[{n, share, uniform}]: share = (sum of the n largest count_i) / selections
    (null when the layer selects nothing), uniform = n / N."""
    top = sorted(counts, reverse=True)
    return [{"n": m,
             "share": float(Fraction(sum(top[:m]), selections)) if selections else None,
             "uniform": float(Fraction(m, n))}
            for m in coverage_sizes(n)]


def batch_figures(recs, n, size):
    """Per expert (batch_mean, batch_std, batch_cv) over the FULL chunks of
    `size` records (a trailing partial chunk is ignored); c_i of a chunk is the
    number of its records naming expert i. All None without a full chunk; cv
    None when the mean is 0. Population standard deviation."""
    k = len(recs) // size
    if k == 0:
        return [(None, None, None)] * n
    per_chunk = [layer_counts(recs[j * size:(j + 1) * size], n) for j in range(k)]
    out = []
    for i in range(n):
        cs = [pc[i] for pc in per_chunk]
        total = sum(cs)
        sq = sum(c * c for c in cs)
        mean = Fraction(total, k)
        var = Fraction(k * sq - total * total, k * k)  # sum c^2 / k - mean^2
        std = math.sqrt(var)
        # cv = std / mean = sqrt(var / mean^2) = sqrt((k sq - total^2) / total^2)
        cv = math.sqrt(Fraction(k * sq - total * total, total * total)) if total else None
        out.append((float(mean), std, cv))
    return out


def domain_names(records):
    """Domains in order of first appearance (only domains that have records)."""
    names = []
    seen = set()
    for _, _, d in records:
        if d is not None and d not in seen:
            seen.add(d)
            names.append(d)
    return names


def by_layer(records):
    """{layer: [id lists in stream order]}."""
    layers = {}
    for layer, ids, _ in records:
        layers.setdefault(layer, []).append(ids)
    return layers


def summarize(stream, n, bottom, by_domain, batch=None):
    layers = by_layer(stream.records)
    result = {"layers": [layer_figures(l, layers[l], n, bottom) for l in sorted(layers)]}
    if batch is not None:
        # Burstiness, in the all-records layers only.
        result["batch"] = batch
        for lo in result["layers"]:
            for ex, (bm, bs, bc) in zip(lo["experts"], batch_figures(layers[lo["layer"]], n, batch)):
                ex.update(batch_mean=bm, batch_std=bs, batch_cv=bc)
    if by_domain:
        names = domain_names(stream.records)
        per_domain = {name: by_layer(r for r in stream.records if r[2] == name) for name in names}
        result["domains"] = []
        for name in names:
            dl = per_domain[name]
            result["domains"].append({"domain": name,
                                      "layers": [layer_figures(l, dl[l], n, bottom) for l in sorted(dl)]})
        # Each expert's share in each domain's same layer, and its specialisation.
        for lo in result["layers"]:
            layer = lo["layer"]
            shares = {}  # domain -> [Fraction or None per expert], or None without the layer
            for name in names:
                recs = per_domain[name].get(layer)
                if recs is None:
                    shares[name] = None
                    continue
                sel = sum(len(ids) for ids in recs)
                shares[name] = [Fraction(c, sel) if sel else None for c in layer_counts(recs, n)]
            for i, ex in enumerate(lo["experts"]):
                ex["domain_shares"] = {name: (None if shares[name] is None or shares[name][i] is None
                                              else float(shares[name][i])) for name in names}
                # Over the domains that have the layer (and select something in it).
                vals = [shares[name][i] for name in names
                        if shares[name] is not None and shares[name][i] is not None]
                mean = Fraction(sum(vals), len(vals)) if vals else Fraction(0)
                ex["specialisation"] = float(max(vals) / mean) if mean else None
    return result


def dead(stream, n, threshold, use_gap):
    layers = by_layer(stream.records)
    out = []
    for layer in sorted(layers):
        recs = layers[layer]
        tokens = len(recs)
        positions = [[] for _ in range(n)]  # positions where each expert was chosen
        for pos, ids in enumerate(recs):
            for e in set(ids):
                positions[e].append(pos)
        listed = []
        for e in range(n):
            p = positions[e]
            if not p:
                last, idle, gap = None, tokens, tokens
            else:
                last = p[-1]
                idle = tokens - 1 - last
                # Runs without e: before the first use, between uses, after the last.
                runs = [p[0], idle] + [b - a - 1 for a, b in zip(p, p[1:])]
                gap = max(runs)
            if (gap if use_gap else idle) >= threshold:
                listed.append({"expert": e, "count": len(p), "last_used": last,
                               "idle": idle, "max_gap": gap})
        out.append({"layer": layer, "tokens": tokens, "threshold": threshold, "dead": listed})
    return {"layers": out}


DEFAULT_SIZES = (1, 8, 64, 512, 4096, 32768)


def chunk_maxvio(recs, n):
    """MaxVio of one chunk: (max_i c_i - cbar) / cbar, cbar = selections / N,
    i.e. (N max - S) / S exactly; None when the chunk selects nothing."""
    s = sum(len(ids) for ids in recs)
    if s == 0 or n == 0:
        return None
    return Fraction(n * max(layer_counts(recs, n)) - s, s)


def mean_or_none(values):
    """Exact mean of Fractions; None when there are none or any is None."""
    if not values or any(v is None for v in values):
        return None
    return Fraction(sum(values), len(values))


def fl(v):
    return None if v is None else float(v)


def maxvio(stream, n, sizes, explicit):
    layers = by_layer(stream.records)
    out = []
    for layer in sorted(layers):
        recs = layers[layer]
        tokens = len(recs)
        s = sum(len(ids) for ids in recs)
        glob = Fraction(n * max(layer_counts(recs, n)) - s, s) if s and n else None
        rows = []
        for size in sizes:
            if not explicit and size > tokens:
                continue  # the default sweep: only sizes the layer has tokens for
            k = tokens // size
            if k == 0:
                # No full chunk: the one partial chunk, i.e. all the records.
                v = chunk_maxvio(recs, n)
                rows.append({"size": size, "chunks": 1, "partial": True,
                             "maxvio_batch": fl(v), "maxvio_max": fl(v), "maxvio_p95": fl(v)})
                continue
            vals = [chunk_maxvio(recs[j * size:(j + 1) * size], n) for j in range(k)]
            if any(v is None for v in vals):
                mean = vmax = p95 = None  # a chunk that selects nothing: undefined
            else:
                srt = sorted(vals)
                rank = -(-95 * k // 100)  # ceil(0.95 k), 1-based nearest rank
                mean, vmax, p95 = mean_or_none(vals), srt[-1], srt[rank - 1]
            rows.append({"size": size, "chunks": k, "partial": False,
                         "maxvio_batch": fl(mean), "maxvio_max": fl(vmax), "maxvio_p95": fl(p95)})
        out.append({"layer": layer, "tokens": tokens, "maxvio_global": glob, "batch": rows})
    listed = sorted({r["size"] for lo in out for r in lo["batch"]})
    overall_batch = []
    for size in listed:
        vals = [r["maxvio_batch"] for lo in out for r in lo["batch"] if r["size"] == size]
        m = None if any(v is None for v in vals) else math.fsum(vals) / len(vals)
        overall_batch.append({"size": size, "layers": len(vals), "maxvio_batch": m})
    overall = {"layers": len(out), "maxvio_global": fl(mean_or_none([lo["maxvio_global"] for lo in out])),
               "batch": overall_batch}
    for lo in out:
        lo["maxvio_global"] = fl(lo["maxvio_global"])
    return {"sizes": listed, "layers": out, "overall": overall}


def pairs(stream, n, top):
    layers = by_layer(stream.records)
    out = []
    for layer in sorted(layers):
        recs = layers[layer]
        tokens = len(recs)
        counts = layer_counts(recs, n)
        together = {}
        for ids in recs:
            for ab in combinations(sorted(set(ids)), 2):
                together[ab] = together.get(ab, 0) + 1
        # Co-selected pairs by count descending, ties to the lower a then b; then,
        # if fewer than K, the never co-selected pairs in (a, b) order: together
        # this is all N(N-1)/2 pairs sorted by (-count, a, b).
        chosen = sorted(together, key=lambda ab: (-together[ab], ab))[:top]
        if len(chosen) < top:
            for ab in combinations(range(n), 2):
                if len(chosen) >= top:
                    break
                if ab not in together:
                    chosen.append(ab)
        rows = []
        for a, b in chosen:
            c = together.get((a, b), 0)
            lift = float(Fraction(c * tokens, counts[a] * counts[b])) if counts[a] and counts[b] else None
            rows.append({"a": a, "b": b, "count": c, "lift": lift})
        out.append({"layer": layer, "tokens": tokens, "pairs": rows})
    return {"top": top, "layers": out}


def compare(side_a, side_b, n, top):
    """side_a, side_b: lists of (layer, ids, domain) records; n: the common N."""
    la, lb = by_layer(side_a), by_layer(side_b)
    both = sorted(set(la) & set(lb))
    out = []
    for layer in both:
        ra, rb = la[layer], lb[layer]
        ca, cb = layer_counts(ra, n), layer_counts(rb, n)
        sa, sb = sum(len(x) for x in ra), sum(len(x) for x in rb)
        dead_a = [i for i in range(n) if ca[i] == 0 and cb[i] > 0]
        dead_b = [i for i in range(n) if cb[i] == 0 and ca[i] > 0]
        row = {"layer": layer, "tokens_a": len(ra), "tokens_b": len(rb)}
        if sa == 0 or sb == 0:
            # A side that selects nothing has no shares.
            row.update(jsd=None, tvd=None,
                       movers=[{"expert": i, "share_a": None, "share_b": None} for i in range(min(top, n))])
        else:
            a = [Fraction(c, sa) for c in ca]
            b = [Fraction(c, sb) for c in cb]
            terms = []
            for x, y in zip(a, b):
                m = (x + y) / 2
                # 0 log 0 = 0; x/m and y/m are exact ratios, rounded once.
                if x:
                    terms.append(float(x) * math.log2(x / m))
                if y:
                    terms.append(float(y) * math.log2(y / m))
            row["jsd"] = math.fsum(terms) / 2
            row["tvd"] = float(sum(abs(x - y) for x, y in zip(a, b)) / 2)
            order = sorted(range(n), key=lambda i: (-abs(b[i] - a[i]), i))
            row["movers"] = [{"expert": i, "share_a": float(a[i]), "share_b": float(b[i])}
                             for i in order[:top]]
        row["dead_only_in_a"] = dead_a
        row["dead_only_in_b"] = dead_b
        out.append(row)

    def avg(key):
        vals = [r[key] for r in out]
        if not vals or any(v is None for v in vals):
            return None
        return math.fsum(vals) / len(vals)
    overall = {"layers": len(out), "jsd": avg("jsd"), "tvd": avg("tvd"),
               "dead_only_in_a": sum(len(r["dead_only_in_a"]) for r in out),
               "dead_only_in_b": sum(len(r["dead_only_in_b"]) for r in out)}
    return {"layers": out, "overall": overall,
            "layers_only_in_a": sorted(set(la) - set(lb)),
            "layers_only_in_b": sorted(set(lb) - set(la))}


# --------------------------------------------------------------------- replay
#
# Replays the router of each record from its logits under load-balancing
# strategies (see `replay` in the README). Scores are computed in double
# precision with math.exp and math.fsum; the C tool may differ from them in the
# last bits, so its figures are compared with a tolerance, but its selections
# must be the same. A selection that hinges on two values closer than
# TIE_EPS (a "near tie") could legitimately come out differently in C; every
# such place is counted and reported on stderr, so that a disagreement can be
# traced to one.

STRATEGIES = ("none", "lossfree", "dynamic", "fixed", "capacity")
TIE_EPS = 1e-12

# Near ties met while replaying: (what, context, a, b).
NEAR_TIES = []


def note_tie(a, b, what, ctx):
    """Records a decisive comparison between a and b (a ranked first) when the
    two are within TIE_EPS (relative to max(1, |a|, |b|))."""
    if abs(a - b) <= TIE_EPS * max(1.0, abs(a), abs(b)):
        NEAR_TIES.append((what, ctx(), a, b))


DECIMAL_RE = None


def parse_logits(where, raw, n):
    """The record's logits as floats: the mlog cell text or the jsonl list."""
    import re
    global DECIMAL_RE
    if DECIMAL_RE is None:
        # As in C (sign, digits, point, exponent); no inf, nan, hex or '_'.
        DECIMAL_RE = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\Z")
    if raw is None:
        raise InputError(f"{where}: replay needs the logits of every record")
    if isinstance(raw, str):
        items = raw.split(",")
        if not all(DECIMAL_RE.match(t) for t in items):
            raise InputError(f"{where}: bad logits {raw[:60]!r}")
        vals = [float(t) for t in items]
    else:
        if not all(isinstance(x, (int, float)) and not isinstance(x, bool) for x in raw):
            raise InputError(f"{where}: logits are not all numbers")
        vals = [float(x) for x in raw]
    if len(vals) != n:
        raise InputError(f"{where}: {len(vals)} logits, expected N = {n}")
    if not all(math.isfinite(v) for v in vals):
        raise InputError(f"{where}: logits out of range")
    return vals


def softmax(x):
    """s_i = exp(x_i - max x) / sum_j exp(x_j - max x); the sum by fsum."""
    m = max(x)
    e = [math.exp(v - m) for v in x]
    total = math.fsum(e)
    return [v / total for v in e]


def sigmoid(x):
    """s_i = 1 / (1 + exp(-x_i)); exp overflows only for x_i < -709, where the
    score is 0 (as 1 / (1 + inf) in C)."""
    out = []
    for v in x:
        try:
            out.append(1.0 / (1.0 + math.exp(-v)))
        except OverflowError:
            out.append(0.0)
    return out


class Router:
    """The selection rule: the top k of s_i + b_i (ties to the lower id),
    optionally group-limited (G groups of N/G consecutive experts; a group's
    score is the sum of its k/M largest s_i + b_i; the M best groups are kept,
    ties to the lower group; the other groups' experts are -infinity)."""

    def __init__(self, n, groups, group_topk):
        self.n = n
        self.groups = groups
        self.group_topk = group_topk

    def allowed(self, s, b, k, ctx):
        """The experts of the groups kept (all of them without groups)."""
        return self._allowed([s[i] + b[i] for i in range(self.n)], k, ctx)

    def select(self, s, b, k, ctx):
        n = self.n
        v = [s[i] + b[i] for i in range(n)]
        allowed = self._allowed(v, k, ctx)
        order = sorted(allowed, key=lambda i: (-v[i], i))
        if k > len(order):
            raise InputError(f"{ctx()}: k = {k} is more than the {len(order)} experts")
        if k < len(order):
            note_tie(v[order[k - 1]], v[order[k]], "top-k", ctx)
        return order[:k]

    def _allowed(self, v, k, ctx):
        n = self.n
        if self.groups:
            g_n, m = self.groups, self.group_topk
            size = n // g_n
            if k % m:
                raise InputError(f"{ctx()}: k = {k} is not a multiple of --group-topk {m}")
            per = k // m
            if per > size or m * size < k:
                raise InputError(f"{ctx()}: k = {k} does not fit in {m} groups of {size}")
            gscore = []
            for g in range(g_n):
                acc = 0.0
                # The k/M largest, added from the largest down.
                for x in sorted(v[g * size:(g + 1) * size], reverse=True)[:per]:
                    acc += x
                gscore.append(acc)
            gorder = sorted(range(g_n), key=lambda g: (-gscore[g], g))
            if m < g_n:
                note_tie(gscore[gorder[m - 1]], gscore[gorder[m]], "group score", ctx)
            return [e for g in sorted(gorder[:m]) for e in range(g * size, (g + 1) * size)]
        return range(n)


def chunks_of(tokens, size):
    """Consecutive chunks (start, end) of `size` tokens; the last may be shorter."""
    return [(a, min(a + size, tokens)) for a in range(0, tokens, size)]


def run_bias(recs, n, router, batch, kind, rate, decay, start, layer, label):
    """Routes a layer's records (list of (ids, s)) with a bias that is updated
    after each chunk (lossfree, dynamic) or kept (none, fixed).

    Returns (selections per token, final bias)."""
    b = list(start)
    sel = []
    load = None  # dynamic's L
    for ci, (a, z) in enumerate(chunks_of(len(recs), batch)):
        c = [0] * n
        for t in range(a, z):
            ids, s = recs[t]
            chosen = router.select(s, b, len(ids), lambda: f"layer {layer} token {t} {label}")
            sel.append(chosen)
            for e in chosen:
                c[e] += 1
        total = sum(c)
        if kind == "lossfree":
            for i in range(n):
                # sign(cbar - c_i) with cbar = total / N, in integers.
                d = total - n * c[i]
                b[i] += rate * ((d > 0) - (d < 0))
        elif kind == "dynamic":
            if load is None:
                load = [float(x) for x in c]
            else:
                load = [decay * load[i] + (1 - decay) * c[i] for i in range(n)]
            lbar = math.fsum(load) / n
            if lbar != 0:
                for i in range(n):
                    b[i] += rate * (lbar - load[i]) / lbar
    return sel, b


def run_capacity(recs, none_sel, n, batch, factor, policy, overflow, layer, label, router):
    """Capacity-limited routing of the `none` selections: per chunk, each
    expert takes at most C = ceil(f * S / N) selections (S = sum of k), f an
    exact decimal. A reroute stays within the groups the token kept.

    Returns (selections per token after drops and reroutes, dropped count)."""
    out = [None] * len(recs)
    dropped = 0
    for a, z in chunks_of(len(recs), batch):
        s_chunk = sum(len(recs[t][0]) for t in range(a, z))
        cap = math.ceil(Fraction(factor) * s_chunk / n)
        load = [0] * n
        if policy == "position":
            for t in range(a, z):
                s = recs[t][1]
                ctx = lambda: f"layer {layer} token {t} {label}"
                taken = set(none_sel[t])
                final = []
                for e in sorted(none_sel[t], key=lambda i: (-s[i], i)):
                    if load[e] < cap:
                        load[e] += 1
                        final.append(e)
                        continue
                    if overflow == "reroute":
                        allowed = router.allowed(s, [0.0] * n, len(none_sel[t]), ctx)
                        cands = sorted((j for j in allowed if j not in taken and load[j] < cap),
                                       key=lambda j: (-s[j], j))
                        if cands:
                            if len(cands) > 1:
                                note_tie(s[cands[0]], s[cands[1]], "reroute target", ctx)
                            j = cands[0]
                            load[j] += 1
                            taken.add(j)
                            final.append(j)
                            continue
                    dropped += 1
                out[t] = final
        else:  # probs: each expert keeps its C best-scored takers of the chunk
            lost = set()
            for e in range(n):
                takers = [t for t in range(a, z) if e in none_sel[t]]
                if len(takers) <= cap:
                    continue
                takers.sort(key=lambda t: (-recs[t][1][e], t))
                note_tie(recs[takers[cap - 1]][1][e], recs[takers[cap]][1][e], "probs capacity",
                         lambda: f"layer {layer} expert {e} tokens {takers[cap - 1]},{takers[cap]} {label}")
                for t in takers[cap:]:
                    lost.add((t, e))
            for t in range(a, z):
                out[t] = [e for e in none_sel[t] if (t, e) not in lost]
                dropped += len(none_sel[t]) - len(out[t])
    return out, dropped


def replay_figures(layer, recs, sel, none_sel, dropped, bias, n, batch, threshold):
    """A layer's figures for one strategy instance (see the README)."""
    tokens = len(recs)
    counts = [0] * n
    last = [None] * n
    for t, chosen in enumerate(sel):
        for e in chosen:
            counts[e] += 1
            last[e] = t
    made = sum(counts)
    glob = Fraction(n * max(counts) - made, made) if made else None

    def chunk_vio(a, z):
        c = [0] * n
        for t in range(a, z):
            for e in sel[t]:
                c[e] += 1
        tot = sum(c)
        return Fraction(n * max(c) - tot, tot) if tot else None
    full = [(a, z) for a, z in chunks_of(tokens, batch) if z - a == batch]
    if full:
        vals = [chunk_vio(a, z) for a, z in full]
        vio_batch = mean_or_none(vals)
    else:
        vio_batch = chunk_vio(0, tokens)

    changed = Fraction(sum(1 for t in range(tokens) if set(sel[t]) != set(none_sel[t])), tokens)
    num = math.fsum(recs[t][1][e] for t in range(tokens) for e in sel[t])
    den = math.fsum(recs[t][1][e] for t in range(tokens) for e in none_sel[t])
    retained = num / den if den else None
    ksum = sum(len(ids) for ids, _ in recs)
    idle = [tokens if last[e] is None else tokens - 1 - last[e] for e in range(n)]
    return {"layer": layer, "tokens": tokens, "maxvio_global": glob, "maxvio_batch": vio_batch,
            "changed": changed, "retained": retained,
            "dropped": Fraction(dropped, ksum) if ksum else None,
            "dead": sum(1 for x in idle if x >= threshold),
            "bias": [float(x) for x in bias]}


EXACT = ("maxvio_global", "maxvio_batch", "changed", "dropped", "agreement")


def replay_layers(stream, n, score_kind):
    """{layer: [(recorded ids, scores)]} in stream order."""
    fn = softmax if score_kind == "softmax" else sigmoid
    layers = {}
    for (layer, ids, _), (where, raw) in zip(stream.records, stream.record_logits):
        if not ids:
            raise InputError(f"{where}: a record without experts")
        layers.setdefault(layer, []).append((ids, fn(parse_logits(where, raw, n))))
    return layers


def replay_n(stream):
    """N for replay: the number of logits, which is the header's experts= when
    a header gives it (every record must have N logits and ids below N)."""
    for where, raw in stream.record_logits:
        if raw is None:
            raise InputError(f"{where}: replay needs the logits of every record")
    if not stream.records:
        raise InputError("no records")
    if stream.header_experts is not None:
        return number_of_experts(stream, None)
    return number_of_experts(stream, stream.logits[0][1])


def read_bias_file(path, n):
    """{layer: [N floats]} from {"layers": [{"layer": L, "bias": [...]}, ...]}."""
    with open(path, encoding="utf-8") as f:
        try:
            obj = json.load(f)
        except ValueError as e:
            raise InputError(f"{path}: bad JSON: {e}")
    if not isinstance(obj, dict) or not isinstance(obj.get("layers"), list):
        raise InputError(f"{path}: not a bias file ({{\"layers\": [...]}})")
    out = {}
    for item in obj["layers"]:
        if not isinstance(item, dict) or not is_int(item.get("layer")) or item["layer"] < 0:
            raise InputError(f"{path}: bad layer entry")
        bias = item.get("bias")
        if not isinstance(bias, list) or len(bias) != n or \
                not all(isinstance(x, (int, float)) and not isinstance(x, bool) and math.isfinite(x) for x in bias):
            raise InputError(f"{path}: layer {item['layer']}: bias is not a list of N = {n} numbers")
        if item["layer"] in out:
            raise InputError(f"{path}: layer {item['layer']} twice")
        out[item["layer"]] = [float(x) for x in bias]
    return out


def replay(args):
    stream = read_files(args.files)
    n = replay_n(stream)
    score_kind = args.score or stream.header_score
    if score_kind is None:
        raise InputError("the score function is unknown (no score= in a header): give --score")
    if args.groups and n % args.groups:
        raise UsageError(f"--groups {args.groups} does not divide N = {n}")
    router = Router(n, args.groups, args.group_topk)
    layers = replay_layers(stream, n, score_kind)
    zero = [0.0] * n
    start = read_bias_file(args.bias_file, n) if args.bias_file else {}

    fixed = None
    if "fixed" in args.strategy:
        if args.bias_from:
            log = read_files([args.bias_from])
            ln = replay_n(log)
            if ln != n:
                raise InputError(f"{args.bias_from}: N = {ln}, the input has N = {n}")
            lkind = args.score or log.header_score
            if lkind is None:
                raise InputError(f"{args.bias_from}: the score function is unknown: give --score")
            fixed = {}
            for layer, recs in replay_layers(log, n, lkind).items():
                _, fixed[layer] = run_bias(recs, n, router, args.batch, "lossfree", args.rate[0], None,
                                           start.get(layer, zero), layer, f"bias-from lossfree")
        else:
            fixed = start  # usage checked: --bias-file is given

    instances = []
    for name in args.strategy:
        if name in ("lossfree", "dynamic"):
            for u in args.rate:
                instances.append((name, {"rate": u} if name == "lossfree" else {"rate": u, "decay": args.decay}))
        elif name == "capacity":
            for f in args.capacity_factor:
                instances.append((name, {"capacity_factor": float(f), "factor": f, "drop_policy": args.drop_policy,
                                         "overflow": args.overflow}))
        else:
            instances.append((name, {}))

    # The `none` selections of every layer, which every strategy is measured against.
    none_sel = {}
    for layer, recs in layers.items():
        none_sel[layer], _ = run_bias(recs, n, router, args.batch, "none", 0.0, None, zero, layer, "none")

    result = []
    for name, params in instances:
        label = name + "".join(f" {k}={v}" for k, v in params.items())
        rows = []
        for layer in sorted(layers):
            recs = layers[layer]
            dropped = 0
            if name == "none":
                sel, bias = none_sel[layer], zero
            elif name == "capacity":
                sel, dropped = run_capacity(recs, none_sel[layer], n, args.batch, params["factor"],
                                            params["drop_policy"], params["overflow"], layer, label, router)
                bias = zero
            elif name == "fixed":
                bias = fixed.get(layer, zero)
                sel, _ = run_bias(recs, n, router, args.batch, "fixed", 0.0, None, bias, layer, label)
            else:
                sel, bias = run_bias(recs, n, router, args.batch, name, params["rate"], params.get("decay"),
                                     start.get(layer, zero), layer, label)
            row = replay_figures(layer, recs, sel, none_sel[layer], dropped, bias, n, args.batch,
                                 args.threshold)
            if name == "none":
                row["agreement"] = Fraction(sum(1 for (ids, _), chosen in zip(recs, sel)
                                                if set(ids) == set(chosen)), len(recs))
            rows.append(row)
        keys = ["maxvio_global", "maxvio_batch", "changed", "retained", "dropped", "dead"]
        if name == "none":
            keys.append("agreement")
        mean = {}
        for key in keys:
            vals = [r[key] for r in rows]
            if not vals or any(v is None for v in vals):
                mean[key] = None
            elif key in EXACT or key == "dead":
                mean[key] = float(Fraction(sum(vals), len(vals)))
            else:
                mean[key] = math.fsum(vals) / len(vals)
        for r in rows:
            for key in EXACT:
                if key in r:
                    r[key] = fl(r[key])
        result.append({"strategy": name, "params": {k: v for k, v in params.items() if k != "factor"},
                       "layers": rows, "mean": mean})
    return {"strategies": result}


class UsageError(Exception):
    """A bad option or combination of options: exit status 2."""


def decimal_list(text):
    """A comma list of decimals kept exact: C = ceil(f * S / N) uses the decimal the
    user wrote (1.1, not the double nearest it)."""
    return [Fraction(x) for x in text.split(",")]


def float_list(text):
    try:
        vals = [float(t) for t in text.split(",")]
    except ValueError:
        raise argparse.ArgumentTypeError(f"bad list {text!r}")
    if not vals or not all(math.isfinite(v) for v in vals):
        raise argparse.ArgumentTypeError(f"bad list {text!r}")
    return vals


def strategy_list(text):
    names = text.split(",")
    for s in names:
        if s not in STRATEGIES:
            raise argparse.ArgumentTypeError(f"unknown strategy {s!r} (one of {', '.join(STRATEGIES)})")
    return names


def report_ties():
    """On stderr: the selections that hinged on equal values (decided by the
    tie rule; the C tool decides them the same way when it computes the same
    bits, e.g. two equal logits) and on values within TIE_EPS but not equal
    (which the C tool, rounding differently, may decide the other way)."""
    exact = [t for t in NEAR_TIES if t[2] == t[3]]
    near = [t for t in NEAR_TIES if t[2] != t[3]]
    for what, items in (("equal values (tie rule)", exact),
                        (f"near ties (0 < |a - b| <= {TIE_EPS:g}: the C tool may decide them "
                         "differently)", near)):
        if not items:
            continue
        print(f"oracle.py: note: {len(items)} selection(s) hinge on {what}:", file=sys.stderr)
        for kind, ctx, a, b in items[:10]:
            print(f"  {kind}: {ctx}: {a!r} vs {b!r}", file=sys.stderr)
        if len(items) > 10:
            print(f"  ... and {len(items) - 10} more", file=sys.stderr)


def parse_positive_list(text):
    try:
        vals = [int(t) for t in text.split(",")]
    except ValueError:
        raise argparse.ArgumentTypeError(f"bad list {text!r}")
    if not vals or any(v < 1 for v in vals):
        raise argparse.ArgumentTypeError(f"sizes must be >= 1: {text!r}")
    return sorted(set(vals))


def positive_int(text):
    try:
        v = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"bad number {text!r}")
    if v < 1:
        raise argparse.ArgumentTypeError(f"must be >= 1: {text!r}")
    return v


def domain_pair(text):
    x, sep, y = text.partition(",")
    if not sep or not x or not y or "," in y:
        raise argparse.ArgumentTypeError(f"--domains wants X,Y, not {text!r}")
    return x, y


# ------------------------------------------------------------------------ CLI


# ---------------------------------------------------------------------- place

PLACEMENTS = ("contiguous", "round-robin", "balanced", "eplb")


def f32(x):
    """x rounded to single precision (EPLB computes in torch's float32)."""
    return struct.unpack("f", struct.pack("f", x))[0]


def pack_greedy(weights, packs, add):
    """Items to packs of len/packs items: heaviest first (ties to the lower item), each to the
    lightest pack with room (ties to the lower pack). Returns [(pack, rank)] by item."""
    per = len(weights) // packs
    load, items, out = [0] * packs, [0] * packs, [None] * len(weights)
    for i in sorted(range(len(weights)), key=lambda i: (-weights[i], i)):
        room = [q for q in range(packs) if items[q] < per]
        q = min(room, key=lambda q: (load[q], q))
        out[i] = (q, items[q])
        items[q] += 1
        load[q] = add(load[q], weights[i])
    return out


def eplb_pack(weights, packs):
    """EPLB's balanced_packing: one item a pack keeps the items in order."""
    if len(weights) == packs:
        return [(i, 0) for i in range(packs)]
    return pack_greedy(weights, packs, lambda a, b: f32(a + b))


def eplb_plan(w, p, r, nodes, groups):
    """DeepSeek EPLB's rebalance_experts for one layer, from its eplb.py: phy2log."""
    n = len(w)
    if groups % nodes:
        groups = nodes = 1  # the global policy
    w = [f32(x) for x in w]
    slots = n + r
    gsize, per_node, slots_node, per_gpu = n // groups, n // nodes, slots // nodes, slots // p
    gw = [0.0] * groups
    for g in range(groups):
        for j in range(gsize):
            gw[g] = f32(gw[g] + w[g * gsize + j])
    mlog2log = [0] * n
    for g, (q, rank) in enumerate(eplb_pack(gw, nodes)):
        for j in range(gsize):
            mlog2log[(q * (groups // nodes) + rank) * gsize + j] = g * gsize + j
    phy2log = [None] * slots
    for node in range(nodes):
        nw = [w[mlog2log[node * per_node + k]] for k in range(per_node)]
        cnt, phy = [1] * per_node, list(range(per_node))
        for _ in range(per_node, slots_node):
            v = [f32(nw[k] / cnt[k]) for k in range(per_node)]
            best = v.index(max(v))
            phy.append(best)
            cnt[best] += 1
        tw = [f32(nw[m] / cnt[m]) for m in phy]
        for s_, (q, rank) in enumerate(eplb_pack(tw, p // nodes)):
            phy2log[node * slots_node + q * per_gpu + rank] = mlog2log[node * per_node + phy[s_]]
    return phy2log


def place_plan(kind, load, n, p, r, nodes, groups):
    """(phy2log, device of each slot) of one layer."""
    if kind == "contiguous":
        sizes = [n // p + (d < n % p) for d in range(p)]
        phy = list(range(n))
    elif kind == "round-robin":
        phy = [e for d in range(p) for e in range(d, n, p)]
        sizes = [len(range(d, n, p)) for d in range(p)]
    elif kind == "balanced":
        where = pack_greedy(load, p, lambda a, b: a + b)
        phy = [None] * n
        for e, (q, rank) in enumerate(where):
            phy[q * (n // p) + rank] = e
        sizes = [n // p] * p
    else:
        phy = eplb_plan(load, p, r, nodes, groups)
        sizes = [(n + r) // p] * p
    dev = [d for d in range(p) for _ in range(sizes[d])]
    return phy, dev


def device_loads(counts, phy, dev, p):
    """Exact: each replica of expert i takes count_i / replicas_i."""
    reps = [0] * len(counts)
    for e in phy:
        reps[e] += 1
    loads = [Fraction(0)] * p
    for s_, e in enumerate(phy):
        loads[dev[s_]] += Fraction(counts[e], reps[e])
    return loads


def place(stream, n, p, kinds, batch, r, nodes, groups):
    layers = by_layer(stream.records)
    result = {"ep": p, "batch": batch, "fitted_on": "input", "placements": []}
    for kind in kinds:
        out = []
        for layer in sorted(layers):
            recs = layers[layer]
            counts = layer_counts(recs, n)
            phy, dev = place_plan(kind, counts, n, p, r, nodes, groups)
            k = len(recs) // batch
            chunks = [recs[j * batch:(j + 1) * batch] for j in range(k)] if k else [recs]
            imb, bal, busiest = [], [], [0] * p
            for chunk in chunks:
                loads = device_loads(layer_counts(chunk, n), phy, dev, p)
                top = max(loads)
                imb.append(top * p / sum(loads))
                bal.append(sum(loads) / (p * top))
                busiest[loads.index(top)] += 1
            straggler = busiest.index(max(busiest))
            loads = device_loads(counts, phy, dev, p)
            reps = [phy.count(e) for e in range(n)]
            out.append({"layer": layer, "tokens": len(recs), "chunks": len(chunks), "partial": k == 0,
                        "imbalance": sum(imb) / len(imb), "imbalance_global": max(loads) * p / sum(loads),
                        "balancedness": sum(bal) / len(bal),
                        "balancedness_global": sum(loads) / (p * max(loads)),
                        "straggler": {"device": straggler, "chunks": busiest[straggler]},
                        "phy2log": phy, "logcnt": reps, "device_load": [float(x) for x in loads]})
        mean = {"layers": len(out)}
        for key in ("imbalance", "imbalance_global", "balancedness", "balancedness_global"):
            mean[key] = float(sum(lo[key] for lo in out) / len(out)) if out else None
        for lo in out:
            for key in ("imbalance", "imbalance_global", "balancedness", "balancedness_global"):
                lo[key] = float(lo[key])
        result["placements"].append({"placement": kind, "fitted": kind in ("balanced", "eplb"),
                                     "layers": out, "mean": mean})
    return result

def main(argv=None):
    ap = argparse.ArgumentParser(prog="oracle.py", description=__doc__.split("\n\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    for name in ("summarize", "dead", "maxvio", "pairs", "compare"):
        p = sub.add_parser(name)
        p.add_argument("--experts", type=int, default=None)
        p.add_argument("--key", action="append", default=[],
                       help="domain=NAME: take the domain from jsonl key NAME")
        p.add_argument("files", nargs="+")
        if name == "summarize":
            p.add_argument("--by-domain", action="store_true")
            p.add_argument("--bottom", type=int, default=5)
            p.add_argument("--batch", type=positive_int, default=None)
        elif name == "dead":
            p.add_argument("--threshold", type=int, default=10000)
            p.add_argument("--gap", action="store_true")
        elif name == "maxvio":
            p.add_argument("--batch", type=parse_positive_list, default=None)
        elif name == "pairs":
            p.add_argument("--top", type=int, default=10)
        else:
            p.add_argument("--top", type=int, default=5)
            p.add_argument("--domains", type=domain_pair, default=None)
    p = sub.add_parser("place")
    p.add_argument("--experts", type=int, default=None)
    p.add_argument("--ep", type=positive_int, required=True)
    p.add_argument("--placement", default=",".join(PLACEMENTS))
    p.add_argument("--batch", type=positive_int, default=4096)
    p.add_argument("--redundant", type=int, default=0)
    p.add_argument("--nodes", type=positive_int, default=1)
    p.add_argument("--groups", type=positive_int, default=1)
    p.add_argument("files", nargs="+")
    p = sub.add_parser("replay")
    p.add_argument("--strategy", type=strategy_list, default=["none", "lossfree", "dynamic", "capacity"])
    p.add_argument("--batch", type=positive_int, default=512)
    p.add_argument("--rate", type=float_list, default=[0.001])
    p.add_argument("--decay", type=float, default=0.9)
    p.add_argument("--capacity-factor", type=decimal_list, default=[Fraction(1)])
    p.add_argument("--drop-policy", choices=("position", "probs"), default="position")
    p.add_argument("--overflow", choices=("drop", "reroute"), default="drop")
    p.add_argument("--groups", type=positive_int, default=None)
    p.add_argument("--group-topk", type=positive_int, default=None)
    p.add_argument("--score", choices=("softmax", "sigmoid"), default=None)
    p.add_argument("--threshold", type=int, default=10000)
    p.add_argument("--bias-file", default=None)
    p.add_argument("--bias-from", default=None)
    p.add_argument("files", nargs="+")
    args = ap.parse_args(argv)

    if args.cmd == "replay":
        return main_replay(ap, args)
    if args.cmd == "place":
        return main_place(ap, args)

    domain_key = "domain"
    for kv in args.key:
        k, sep, v = kv.partition("=")
        if k != "domain" or not sep or not v:
            ap.error(f"unsupported --key {kv!r} (only domain=NAME)")
        domain_key = v
    if args.cmd == "compare" and args.domains is None and len(args.files) != 2:
        ap.error("compare wants two files (or --domains X,Y FILE...)")

    try:
        if args.cmd == "compare":
            if args.domains is None:
                # Each file is one side, read on its own (own header, own N).
                sa, sb = read_files([args.files[0]], domain_key), read_files([args.files[1]], domain_key)
                n = max(number_of_experts(sa, args.experts), number_of_experts(sb, args.experts))
                side_a, side_b = sa.records, sb.records
            else:
                # One stream; the sides are two of its domains; N is the stream's.
                stream = read_files(args.files, domain_key)
                n = number_of_experts(stream, args.experts)
                x, y = args.domains
                side_a = [r for r in stream.records if r[2] == x]
                side_b = [r for r in stream.records if r[2] == y]
        else:
            stream = read_files(args.files, domain_key)
            n = number_of_experts(stream, args.experts)
    except (InputError, OSError, UnicodeDecodeError, EOFError, gzip.BadGzipFile) as e:
        print(f"oracle.py: {e}", file=sys.stderr)
        return 2

    if args.cmd == "summarize":
        result = summarize(stream, n, args.bottom, args.by_domain, args.batch)
    elif args.cmd == "dead":
        result = dead(stream, n, args.threshold, args.gap)
    elif args.cmd == "maxvio":
        explicit = args.batch is not None
        result = maxvio(stream, n, args.batch if explicit else list(DEFAULT_SIZES), explicit)
    elif args.cmd == "pairs":
        result = pairs(stream, n, args.top)
    else:
        result = compare(side_a, side_b, n, args.top)
    # allow_nan=False: a NaN or infinity here would be an oracle bug, not output.
    json.dump(result, sys.stdout, allow_nan=False)
    sys.stdout.write("\n")
    return 0


def main_place(ap, args):
    kinds = args.placement.split(",")
    if any(k not in PLACEMENTS for k in kinds) or len(set(kinds)) != len(kinds):
        ap.error(f"bad --placement {args.placement!r}")
    try:
        stream = read_files(args.files)
        n = number_of_experts(stream, args.experts)
    except (InputError, OSError, UnicodeDecodeError, EOFError, gzip.BadGzipFile) as e:
        print(f"oracle.py: {e}", file=sys.stderr)
        return 2
    p, r = args.ep, args.redundant
    for k in kinds:
        # The rules of moestat(1): what each placement needs of N, P, R, M and G.
        bad = (k != "eplb" and p > n) or (k == "balanced" and n % p) or (k == "eplb" and (
            (n + r) % p or p % args.nodes or (args.groups % args.nodes == 0 and n % args.groups)))
        if bad:
            print(f"oracle.py: {k} cannot place {n} experts on {p} devices", file=sys.stderr)
            return 2
    result = place(stream, n, p, kinds, args.batch, r, args.nodes, args.groups)
    json.dump(result, sys.stdout, allow_nan=False)
    sys.stdout.write("\n")
    return 0


def main_replay(ap, args):
    if (args.groups is None) != (args.group_topk is None):
        ap.error("--groups and --group-topk go together")
    if args.groups is not None and args.group_topk > args.groups:
        ap.error("--group-topk is more than --groups")
    if args.drop_policy == "probs" and args.overflow == "reroute":
        ap.error("--overflow reroute needs --drop-policy position")
    if any(f <= 0 for f in args.capacity_factor):
        ap.error("--capacity-factor must be > 0")
    if any(u < 0 for u in args.rate):
        ap.error("--rate must be >= 0")
    if not 0 <= args.decay <= 1:
        ap.error("--decay must be in [0, 1]")
    if args.threshold < 1:
        ap.error("--threshold must be >= 1")
    if "fixed" in args.strategy and not (args.bias_file or args.bias_from):
        ap.error("--strategy fixed needs --bias-file or --bias-from")
    try:
        result = replay(args)
    except UsageError as e:
        ap.error(str(e))
    except (InputError, OSError, UnicodeDecodeError, EOFError, gzip.BadGzipFile) as e:
        print(f"oracle.py: {e}", file=sys.stderr)
        return 2
    report_ties()
    json.dump(result, sys.stdout, allow_nan=False)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
