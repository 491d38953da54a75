#!/usr/bin/env python3
"""sglang_to_mlog: SGLang expert-distribution dumps to logs moestat reads.

    sglang_to_mlog.py --experts 256 dump.pt [more.pt ...] -o run.mlog.gz
    sglang_to_mlog.py --counts dump_stat.pt -o counts.json

per_token mode (a torch.save dict whose "records" each hold
"topk_ids_of_layer" [layers, tokens, k]): one mlog record per layer and token,
in record order, the -1 padding (dense layers, short lists) dropped; a token
with no id left at a layer is no record there.

stat mode (a dict with "logical_count" [steps, layers, experts], or
[layers, experts]): --counts writes the layer x expert matrix, summed over the
steps, as JSON, for `moestat place --counts`.

The standard library and torch only.
"""

import argparse
import gzip
import json
import sys

import torch


def load(path):
    return torch.load(path, map_location="cpu")


def per_token(paths, out, experts, topk):
    opener = gzip.open if out.endswith(".gz") else open
    with opener(out, "wt") as f:
        f.write("#moestat v1 experts=%d%s fields=layer,experts model=sglang\n"
                % (experts, " topk=%d" % topk if topk else ""))
        for path in paths:
            dump = load(path)
            if "records" not in dump:
                sys.exit("sglang_to_mlog: %s: no \"records\" (a per_token dump?)" % path)
            for record in dump["records"]:
                ids = record["topk_ids_of_layer"].to(torch.int64)
                if ids.dim() != 3:
                    sys.exit("sglang_to_mlog: %s: topk_ids_of_layer is not [layers, tokens, k]" % path)
                for layer in range(ids.shape[0]):
                    rows = ids[layer]
                    keep = rows >= 0
                    if not bool(keep.any()):
                        continue
                    lengths = keep.sum(dim=1)
                    k = int(lengths.max())
                    if bool((lengths == k).all()):
                        # The usual case: one formatting call per layer and record.
                        chosen = rows[keep].reshape(-1, k)
                        line = "%d " % layer + ",".join(["%d"] * k) + "\n"
                        f.write((line * chosen.shape[0]) % tuple(chosen.flatten().tolist()))
                        continue
                    # Some tokens padded: token by token, in order, the empty ones left out.
                    for row in rows.tolist():
                        row = [e for e in row if e >= 0]
                        if row:
                            f.write("%d %s\n" % (layer, ",".join(map(str, row))))


def counts(path, out):
    dump = load(path)
    if "logical_count" not in dump:
        sys.exit("sglang_to_mlog: %s: no \"logical_count\" (a stat dump?)" % path)
    matrix = torch.as_tensor(dump["logical_count"]).to(torch.int64)
    if matrix.dim() == 3:
        matrix = matrix.sum(dim=0)
    if matrix.dim() != 2:
        sys.exit("sglang_to_mlog: %s: logical_count is not [steps, layers, experts]" % path)
    with open(out, "w") as f:
        json.dump(matrix.tolist(), f)
        f.write("\n")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("dumps", nargs="+")
    parser.add_argument("-o", "--output", required=True)
    parser.add_argument("--experts", type=int, help="N, for per_token dumps")
    parser.add_argument("--topk", type=int, default=0, help="k, when every token has k ids")
    parser.add_argument("--counts", action="store_true", help="a stat dump to a counts matrix")
    args = parser.parse_args()
    if args.counts:
        if len(args.dumps) != 1:
            sys.exit("sglang_to_mlog: --counts takes one dump")
        counts(args.dumps[0], args.output)
    else:
        if not args.experts:
            sys.exit("sglang_to_mlog: give --experts N (the dump does not say it)")
        per_token(args.dumps, args.output, args.experts, args.topk)


if __name__ == "__main__":
    main()
