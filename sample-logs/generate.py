#!/usr/bin/env python3
"""Deterministic generator of moestat's SYNTHETIC sample logs.

    python3 sample-logs/generate.py OUTDIR

writes OUTDIR/{mixtral.mlog.gz, deepseek-v3.mlog.gz, plain.log.gz, vllm.jsonl.gz,
olmoe-code.mlog.gz, olmoe-chat.mlog.gz}.
See sample-logs/README.md for what each file holds and what it is good for.

Determinism: the only randomness is a splitmix64 generator with fixed seeds,
and every number that reaches a file is computed in integers or in decimal
arithmetic (decimal.Decimal.exp is correctly rounded), never with the
platform's libm, so the uncompressed text is the same on every machine and
Python 3 version. gzip is written with mtime=0 and no file name, so the .gz
bytes are identical run to run (they can only change with a different zlib).

No data from any real model is in these files: the popularity skews and dead
experts are made up, planted to exercise moestat's figures.
"""

import decimal
import gzip
import json
import os
import sys

MASK64 = (1 << 64) - 1


class SplitMix64:
    """splitmix64 (Steele, Lea, Flood 2014): tiny, well mixed, fully specified."""

    def __init__(self, seed):
        self.state = seed & MASK64

    def next(self):
        self.state = (self.state + 0x9E3779B97F4A7C15) & MASK64
        z = self.state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK64
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK64
        return z ^ (z >> 31)

    def below(self, n):
        """Uniform integer in [0, n), by rejection so that it is unbiased."""
        limit = (1 << 64) - ((1 << 64) % n)
        while True:
            x = self.next()
            if x < limit:
                return x % n

    def between(self, lo, hi):
        """Uniform integer in [lo, hi]."""
        return lo + self.below(hi - lo + 1)

    def shuffle(self, items):
        """Fisher-Yates, in place."""
        for i in range(len(items) - 1, 0, -1):
            j = self.below(i + 1)
            items[i], items[j] = items[j], items[i]
        return items

    def weighted(self, weights, total):
        """Index drawn with probability weights[i]/total (integer weights)."""
        u = self.below(total)
        for i, w in enumerate(weights):
            if u < w:
                return i
            u -= w
        raise AssertionError("weights do not sum to total")


def write_gz(path, text):
    """gzip with no name and mtime 0: the same text gives the same bytes."""
    with open(path, "wb") as raw:
        with gzip.GzipFile(filename="", mode="wb", fileobj=raw, compresslevel=9, mtime=0) as gz:
            gz.write(text.encode("ascii"))


# Decimal context for the softmax weights: far more precision than the 4
# printed decimals need, so rounding the result is exact-ly reproducible.
DEC = decimal.Context(prec=40, rounding=decimal.ROUND_HALF_EVEN)


def milli(v):
    """Integer thousandths as a 3-decimal string: -1234 -> '-1.234'."""
    sign = "-" if v < 0 else ""
    return f"{sign}{abs(v) // 1000}.{abs(v) % 1000:03d}"


def pair_weights(la, lb):
    """Renormalised top-2 softmax weights of logits la > lb (thousandths).

    p_a/(p_a+p_b) = 1/(1+exp(lb-la)); returned as 4-decimal strings.
    """
    q = decimal.Decimal("0.0001")
    d = DEC.divide(decimal.Decimal(lb - la), 1000)
    wa = DEC.divide(1, DEC.add(1, DEC.exp(d)))
    wb = DEC.divide(1, DEC.add(1, DEC.exp(-d)))
    return str(wa.quantize(q, context=DEC)), str(wb.quantize(q, context=DEC))


def top2_logits(rng, bias, noise):
    """Integer logits (thousandths) = bias + noise, redrawn until the top two
    and the third are all distinct, so top-2 is unambiguous (no tie rule needed).

    noise: half-width of each of the 4 uniform terms summed (a rough bell curve).
    Returns (logits, a, b) with logits[a] > logits[b] > every other logit.
    """
    while True:
        logits = [b + sum(rng.between(-noise, noise) for _ in range(4)) for b in bias]
        order = sorted(range(len(logits)), key=lambda i: (-logits[i], i))
        a, b, c = order[0], order[1], order[2]
        if logits[a] > logits[b] > logits[c]:
            return logits, a, b


# --------------------------------------------------------------------- Mixtral

MIX_LAYERS = 32
MIX_EXPERTS = 8
MIX_TOKENS_PER_DOMAIN = 300
# Per-layer expert biases (thousandths), from most to least popular; each layer
# and domain assigns them to the experts in its own shuffled order, so the
# popularity is skewed and differs per layer and between the domains.
MIX_RANK_BIAS = [2200, 1500, 900, 500, 200, 0, -300, -700]


def gen_mixtral():
    rng = SplitMix64(0x4D49585452414C01)  # "MIXTRAL" + 1
    out = ["#moestat v1 experts=8 topk=2 score=softmax fields=layer,experts,weights,logits "
           "model=mixtral-8x7b-synthetic\n",
           "# SYNTHETIC: made by sample-logs/generate.py, not routing of a real model\n"]
    for domain in ("code", "chat"):
        biases = []
        for _ in range(MIX_LAYERS):
            perm = rng.shuffle(list(range(MIX_EXPERTS)))  # perm[rank] = expert
            bias = [0] * MIX_EXPERTS
            for rank, e in enumerate(perm):
                bias[e] = MIX_RANK_BIAS[rank]
            biases.append(bias)
        out.append(f"#domain {domain}\n")
        for _ in range(MIX_TOKENS_PER_DOMAIN):
            for layer in range(MIX_LAYERS):
                logits, a, b = top2_logits(rng, biases[layer], 900)
                wa, wb = pair_weights(logits[a], logits[b])
                out.append(f"{layer} {a},{b} {wa},{wb} {','.join(milli(v) for v in logits)}\n")
    return "".join(out)


# ------------------------------------------------------------------ DeepSeek-V3

DS_LAYERS = range(3, 61)  # DeepSeek-V3's MoE layers (0-2 are dense)
DS_EXPERTS = 256
DS_TOPK = 8
DS_TOKENS = 1200

# Planted dead experts. NEVER: never chosen at all. STOP: (expert, stop, rank):
# chosen normally before token `stop`, never from `stop` on; it is given
# popularity rank `rank` in its layer (0 = most popular), because how soon
# before `stop` it was last chosen depends on how popular it is. GAP: (expert,
# start, end): not chosen for tokens [start, end), normally before and after.
DS_NEVER = {3: [17, 200], 30: [99], 60: [5, 6, 7]}
DS_STOP = {10: [(42, 600, 100)], 20: [(3, 700, 0)], 45: [(128, 600, 30)], 50: [(250, 850, 1)]}
DS_GAP = {33: [(77, 300, 1000)]}


def ds_alive(layer, e, t):
    if e in DS_NEVER.get(layer, ()):
        return False
    for ex, stop, _ in DS_STOP.get(layer, ()):
        if ex == e and t >= stop:
            return False
    for ex, start, end in DS_GAP.get(layer, ()):
        if ex == e and start <= t < end:
            return False
    return True


def gen_deepseek():
    """Each token picks, per layer, 7 experts by Zipf-like popularity plus one
    "rotation" expert (token t, layer offset o: expert (t+o) mod 256) unless it
    is dead or already picked. The rotation is a floor standing in for
    DeepSeek-V3's load balancing: it bounds how long a live expert can go
    unchosen (< 256 tokens), so only the planted experts can look dead at
    thresholds >= 256 and the test suite can rely on the planted list alone.
    """
    rng = SplitMix64(0xDEE95EE4000003)
    # Zipf s=1 over ranks plus a floor, in integers: rank r weighs 1e6/(r+1) + 4000.
    rank_weight = [1_000_000 // (r + 1) + 4000 for r in range(DS_EXPERTS)]
    weights, offsets = {}, {}
    for layer in DS_LAYERS:
        perm = rng.shuffle(list(range(DS_EXPERTS)))
        for e, _, rank in DS_STOP.get(layer, ()):
            i = perm.index(e)
            perm[i], perm[rank] = perm[rank], perm[i]
        w = [0] * DS_EXPERTS
        for rank, e in enumerate(perm):
            w[e] = rank_weight[rank]
        weights[layer] = w
        offsets[layer] = rng.below(DS_EXPERTS)

    out = ["#moestat v1 experts=256 topk=8 score=sigmoid fields=layer,experts "
           "model=deepseek-v3-synthetic\n",
           "# SYNTHETIC: made by sample-logs/generate.py, not routing of a real model\n"]
    records = []  # (layer, ids), kept for the self-check below
    for t in range(DS_TOKENS):
        for layer in DS_LAYERS:
            w = [wt if ds_alive(layer, e, t) else 0 for e, wt in enumerate(weights[layer])]
            total = sum(w)
            picked = []
            rot = (t + offsets[layer]) % DS_EXPERTS
            want_rot = w[rot] > 0
            while len(picked) < DS_TOPK - (1 if want_rot else 0):
                e = rng.weighted(w, total)
                picked.append(e)
                total -= w[e]
                w[e] = 0  # without replacement
            if want_rot and rot not in picked:
                picked.append(rot)
            elif len(picked) < DS_TOPK:
                # rotation expert already chosen: draw the eighth by popularity
                e = rng.weighted(w, total)
                picked.append(e)
            records.append((layer, picked))
            out.append(f"{layer} {','.join(map(str, picked))}\n")
    check_deepseek(records)
    return "".join(out)


def check_deepseek(records):
    """Asserts that the planted experts are exactly the dead ones at threshold
    500 (idle, and max_gap for --gap) and at 300, so README.md stays true."""
    tokens = DS_TOKENS
    last = {}
    gap = {}
    for l in DS_LAYERS:
        for e in range(DS_EXPERTS):
            last[l, e] = None
            gap[l, e] = 0
    pos = {l: 0 for l in DS_LAYERS}
    for layer, ids in records:
        assert len(ids) == DS_TOPK and len(set(ids)) == DS_TOPK, (layer, ids)
        p = pos[layer]
        for e in ids:
            prev = last[layer, e]
            gap[layer, e] = max(gap[layer, e], p - (prev + 1 if prev is not None else 0))
            last[layer, e] = p
        pos[layer] = p + 1
    idle = {}
    for k, prev in last.items():
        idle[k] = tokens if prev is None else tokens - 1 - prev
        gap[k] = max(gap[k], idle[k])

    def dead_set(figure, threshold):
        return {k for k, v in figure.items() if v >= threshold}

    never = {(l, e) for l, es in DS_NEVER.items() for e in es}
    stop = {(l, e): s for l, es in DS_STOP.items() for e, s, _ in es}
    gaps = {(l, e) for l, es in DS_GAP.items() for e, _, _ in es}
    assert dead_set(idle, 500) == never | {k for k, s in stop.items() if tokens - s >= 500}
    assert dead_set(idle, 300) == never | set(stop)
    assert dead_set(gap, 500) == dead_set(idle, 500) | gaps
    # Nothing else comes close: every other expert's longest gap is < 256.
    assert all(v < 256 for k, v in gap.items() if k not in never | set(stop) | gaps)


# ----------------------------------------------------------------------- plain

def gen_plain():
    """Headerless one-column log: `a,b` per line (layer 0, 8 experts, top-2)."""
    rng = SplitMix64(0x504C41494E)  # "PLAIN"
    w = [400, 250, 150, 90, 50, 30, 20, 10]  # skewed; expert 0 most popular
    out = ["# plain moestat log: one record per line, comma-separated expert ids\n",
           "# SYNTHETIC: made by sample-logs/generate.py\n"]
    for i in range(2000):
        if i == 1000:
            out.append("\n# second half: same router, kept as one stream\n")
        ww = list(w)
        a = rng.weighted(ww, sum(ww))
        ww[a] = 0
        b = rng.weighted(ww, sum(ww))
        out.append(f"{a},{b}\n")
    return "".join(out)


# ------------------------------------------------------------------------ vLLM

def gen_vllm():
    """JSON Lines as a vLLM select_experts() logging patch writes them: per
    (dataset, problem), layer-major rows sorted by token; some rows hold a
    batch of consecutive tokens (lists of lists, token_idx a list)."""
    rng = SplitMix64(0x564C4C4D)  # "VLLM"
    layers, experts = 4, 8
    out = []
    for dataset, tokens in (("humaneval", 60), ("gsm8k", 45)):
        # Popularity differs per dataset and layer.
        bias = []
        for _ in range(layers):
            perm = rng.shuffle(list(range(experts)))
            b = [0] * experts
            for rank, e in enumerate(perm):
                b[e] = MIX_RANK_BIAS[rank]
            bias.append(b)
        for problem in (0, 1):
            for layer in range(layers):
                t = 0
                while t < tokens:
                    n = 1
                    if rng.below(8) == 0:
                        n = min(rng.between(2, 3), tokens - t)  # a batched row
                    ids, probs = [], []
                    for _ in range(n):
                        logits, a, b = top2_logits(rng, bias[layer], 900)
                        wa, wb = pair_weights(logits[a], logits[b])
                        ids.append([a, b])
                        # float() of a 4-decimal string, printed by json as its
                        # shortest repr: deterministic on every platform.
                        probs.append([float(wa), float(wb)])
                    row = {"dataset": dataset, "problem_id": problem, "layer": layer}
                    if n == 1:
                        row.update(experts=ids[0], gating_probs=probs[0], token_idx=t)
                    else:
                        row.update(experts=ids, gating_probs=probs, token_idx=list(range(t, t + n)))
                    out.append(json.dumps(row) + "\n")
                    t += n
    return "".join(out)


# ----------------------------------------------------------------------- OLMoE

OL_LAYERS = 8
OL_EXPERTS = 64
OL_TOPK = 8
OL_TOKENS = 400
# Per-layer logit biases (thousandths) by popularity rank: four hot experts well
# above the rest, then a ramp from 1.000 down to -1.500 over the other 60, so
# the load is strongly skewed (the hot four take about 40% of the selections,
# the coldest experts are almost never chosen).
OL_RANK_BIAS = [3000, 2600, 2300, 2000] + [1000 - (2500 * r) // 59 for r in range(60)]
OL_HOT = 8  # the two files' top-8 popularity ranks share no expert, per layer


def distinct_logits(rng, bias, noise, k):
    """Integer logits (thousandths) = bias + noise (4 uniform terms of
    half-width `noise`), redrawn until all of them are distinct: then the top k
    and their order are unambiguous, and so is every other comparison of two
    experts' scores that a replay makes (group-limited top-k, the reroute
    target), so no tie rule is ever needed. Returns (logits, ids of the k
    largest, highest first)."""
    while True:
        logits = [b + sum(rng.between(-noise, noise) for _ in range(4)) for b in bias]
        if len(set(logits)) == len(logits):
            order = sorted(range(len(logits)), key=lambda i: -logits[i])
            return logits, order[:k]


def topk_weights(logits, ids):
    """Renormalised softmax weights of the experts `ids` (highest logit first):
    p_i / sum_j p_j = exp(x_i - x_0) / sum_j exp(x_j - x_0), in decimal (no
    libm), rounded to 4 decimals."""
    q = decimal.Decimal("0.0001")
    top = logits[ids[0]]
    e = [DEC.exp(DEC.divide(decimal.Decimal(logits[i] - top), 1000)) for i in ids]
    total = decimal.Decimal(0)
    for x in e:
        total = DEC.add(total, x)
    return [str(DEC.divide(x, total).quantize(q, context=DEC)) for x in e]


def olmoe_popularity(rng):
    """Per layer, the experts in popularity order for the code and the chat
    file; the chat order is redrawn until its OL_HOT most popular experts are
    none of code's, so a bias fitted on one file is wrong for the other."""
    code, chat = [], []
    for _ in range(OL_LAYERS):
        code.append(rng.shuffle(list(range(OL_EXPERTS))))
    for layer in range(OL_LAYERS):
        hot = set(code[layer][:OL_HOT])
        while True:
            perm = rng.shuffle(list(range(OL_EXPERTS)))
            if not hot & set(perm[:OL_HOT]):
                break
        chat.append(perm)
    return {"code": code, "chat": chat}


def gen_olmoe(domain, perms, seed):
    """One OLMoE-like file: 64 experts, top-8 softmax, layers 0-7, OL_TOKENS
    tokens, each writing its 8 layer records in layer order."""
    rng = SplitMix64(seed)
    biases = []
    for perm in perms:
        bias = [0] * OL_EXPERTS
        for rank, e in enumerate(perm):
            bias[e] = OL_RANK_BIAS[rank]
        biases.append(bias)
    out = ["#moestat v1 experts=64 topk=8 score=softmax fields=layer,experts,weights,logits "
           "model=olmoe-synthetic\n",
           "# SYNTHETIC: made by sample-logs/generate.py, not routing of a real model\n",
           f"#domain {domain}\n"]
    for _ in range(OL_TOKENS):
        for layer in range(OL_LAYERS):
            logits, ids = distinct_logits(rng, biases[layer], 800, OL_TOPK)
            w = topk_weights(logits, ids)
            out.append(f"{layer} {','.join(map(str, ids))} {','.join(w)} "
                       f"{','.join(milli(v) for v in logits)}\n")
    return "".join(out)


def gen_olmoe_pair():
    pop = olmoe_popularity(SplitMix64(0x4F4C4D4F4500))  # "OLMOE" + 0
    return (gen_olmoe("code", pop["code"], 0x4F4C4D4F4501),
            gen_olmoe("chat", pop["chat"], 0x4F4C4D4F4502))


_olmoe = {}


def gen_olmoe_code():
    if not _olmoe:
        _olmoe["code"], _olmoe["chat"] = gen_olmoe_pair()
    return _olmoe["code"]


def gen_olmoe_chat():
    gen_olmoe_code()
    return _olmoe["chat"]


def main(argv):
    if len(argv) != 2:
        print("usage: generate.py OUTDIR", file=sys.stderr)
        return 2
    outdir = argv[1]
    os.makedirs(outdir, exist_ok=True)
    for name, gen in (("mixtral.mlog.gz", gen_mixtral), ("deepseek-v3.mlog.gz", gen_deepseek),
                      ("plain.log.gz", gen_plain), ("vllm.jsonl.gz", gen_vllm),
                      ("olmoe-code.mlog.gz", gen_olmoe_code), ("olmoe-chat.mlog.gz", gen_olmoe_chat)):
        path = os.path.join(outdir, name)
        write_gz(path, gen())
        size = os.path.getsize(path)
        # The repository keeps each sample under 1 MB.
        assert size < 1_000_000, f"{path} is {size} bytes"
        print(f"{path}: {size} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
