#!/usr/bin/env python3
"""Independent reference implementation ("oracle") of moestat's figures.

Written from the moestat specification only, without looking at the C sources,
so that a test comparing the two catches errors in either. Python 3 standard
library only.

Usage:
    oracle.py summarize [--by-domain] [--bottom K] [--experts N] [--key domain=NAME] FILE...
    oracle.py dead [--threshold T] [--gap] [--experts N] [--key domain=NAME] FILE...

Prints one JSON object on stdout. Reads moestat's line format (mlog) and JSON
Lines; either may be gzip'd (recognised by the magic bytes 1f 8b, never by the
file name). Several files are read as one stream, in the order given.

Numerics: every figure that is a ratio of integers is computed exactly with
fractions.Fraction and converted to float once at the end, so the oracle's
values are correctly rounded; cv takes one float sqrt of an exact ratio and
entropy uses math.fsum. The C tool is expected to agree within 1e-12 relative.
"""

import argparse
import gzip
import json
import math
import sys
from fractions import Fraction

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
                fields, n = parse_mlog_header(words, where)
                stream.set_header_experts(n, where)
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
        stream.records.append((layer, experts, state["domain"]))


def parse_mlog_header(words, where):
    """Returns (fields list, experts N or None) of a `#moestat v1 ...` line."""
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
    return fields, n


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
        batch = experts if experts and isinstance(experts[0], list) else [experts]
        for ids in batch:
            if not isinstance(ids, list) or not all(is_int(e) and e >= 0 for e in ids):
                raise InputError(f"{where}: bad expert list {ids!r}")
            stream.records.append((layer, list(ids), domain))


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
    out["experts"] = [{"expert": i, "count": counts[i], "share": shares[i], "ratio": ratios[i]}
                      for i in range(n)]
    return out


def by_layer(records):
    """{layer: [id lists in stream order]}."""
    layers = {}
    for layer, ids, _ in records:
        layers.setdefault(layer, []).append(ids)
    return layers


def summarize(stream, n, bottom, by_domain):
    layers = by_layer(stream.records)
    result = {"layers": [layer_figures(l, layers[l], n, bottom) for l in sorted(layers)]}
    if by_domain:
        names = []  # order of first appearance
        for _, _, d in stream.records:
            if d is not None and d not in names:
                names.append(d)
        result["domains"] = []
        for name in names:
            dl = by_layer(r for r in stream.records if r[2] == name)
            result["domains"].append({"domain": name,
                                      "layers": [layer_figures(l, dl[l], n, bottom) for l in sorted(dl)]})
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


# ------------------------------------------------------------------------ CLI

def main(argv=None):
    ap = argparse.ArgumentParser(prog="oracle.py", description=__doc__.split("\n\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    for name in ("summarize", "dead"):
        p = sub.add_parser(name)
        p.add_argument("--experts", type=int, default=None)
        p.add_argument("--key", action="append", default=[],
                       help="domain=NAME: take the domain from jsonl key NAME")
        p.add_argument("files", nargs="+")
        if name == "summarize":
            p.add_argument("--by-domain", action="store_true")
            p.add_argument("--bottom", type=int, default=5)
        else:
            p.add_argument("--threshold", type=int, default=10000)
            p.add_argument("--gap", action="store_true")
    args = ap.parse_args(argv)

    domain_key = "domain"
    for kv in args.key:
        k, sep, v = kv.partition("=")
        if k != "domain" or not sep or not v:
            ap.error(f"unsupported --key {kv!r} (only domain=NAME)")
        domain_key = v

    try:
        stream = read_files(args.files, domain_key)
        n = number_of_experts(stream, args.experts)
    except (InputError, OSError, UnicodeDecodeError, EOFError, gzip.BadGzipFile) as e:
        print(f"oracle.py: {e}", file=sys.stderr)
        return 2

    if args.cmd == "summarize":
        result = summarize(stream, n, args.bottom, args.by_domain)
    else:
        result = dead(stream, n, args.threshold, args.gap)
    # allow_nan=False: a NaN or infinity here would be an oracle bug, not output.
    json.dump(result, sys.stdout, allow_nan=False)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
