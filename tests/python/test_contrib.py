"""The Python side of issue 10: contrib/python's hook and SGLang converter,
against moestat itself. Run by tests/cli/python-contrib.sh with a Python that
has torch; `moestat` must be on PATH and CONTRIB point at contrib/python."""

import json
import os
import subprocess
import sys
import tempfile
import unittest

import torch

sys.path.insert(0, os.environ["CONTRIB"])
import moestat_log  # noqa: E402

N, K, LAYERS, D = 8, 2, 4, 16


class SparseMoeBlock(torch.nn.Module):
    """Mixtral's shape: a linear gate, softmax, top-2, a weighted sum of experts.
    It keeps the ids it chose, which the tests count on their own."""

    def __init__(self):
        super().__init__()
        self.gate = torch.nn.Linear(D, N, bias=False)
        self.experts = torch.nn.ModuleList(torch.nn.Linear(D, D) for _ in range(N))
        self.chosen = []

    def forward(self, x):
        probs = self.gate(x).softmax(dim=-1)
        weights, ids = torch.topk(probs, K, dim=-1)
        self.chosen.append(ids.clone())
        out = torch.zeros_like(x)
        for slot in range(K):
            for e in range(N):
                mask = ids[:, slot] == e
                if mask.any():
                    out[mask] += weights[mask, slot, None] * self.experts[e](x[mask])
        return out


class Layer(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.block_sparse_moe = SparseMoeBlock()


class TinyMixtral(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.layers = torch.nn.ModuleList(Layer() for _ in range(LAYERS))

    def forward(self, x):
        for layer in self.layers:
            x = x + layer.block_sparse_moe(x)
        return x


def moestat(*args):
    done = subprocess.run(["moestat", *args], capture_output=True, text=True)
    if done.returncode != 0:
        raise AssertionError("moestat %s: %s" % (" ".join(args), done.stderr))
    return json.loads(done.stdout)


def layer_counts(summary):
    return {l["layer"]: [e["count"] for e in l["experts"]] for l in summary["layers"]}


class Hook(unittest.TestCase):
    def run_model(self, path, fields, logits):
        torch.manual_seed(1)
        model = TinyMixtral()
        writer = moestat_log.MoeLogWriter(path, experts=N, topk=K, fields=fields, model="tiny")
        handle = moestat_log.attach(model, writer, logits=logits)
        with torch.no_grad():
            for domain, tokens in (("a", 16), ("b", 24), ("a", 8)):
                writer.domain = domain
                model(torch.randn(tokens, D))
        handle.remove()
        writer.close()
        expected = {}
        for i, layer in enumerate(model.layers):
            ids = torch.cat(layer.block_sparse_moe.chosen)
            expected[i] = torch.bincount(ids.flatten(), minlength=N).tolist()
        return expected

    def test_counts_equal_the_forward_pass(self):
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "run.mlog.gz")
            expected = self.run_model(path, ("layer", "experts"), False)
            got = layer_counts(moestat("summarize", "--experts-table", "--json", path))
            self.assertEqual(got, expected)
            domains = moestat("summarize", "--by-domain", "--json", path)
            self.assertEqual(sorted(d["domain"] for d in domains["domains"]), ["a", "b"])

    def test_logits_replay_to_the_same_choices(self):
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "run.mlog")
            expected = self.run_model(path, ("layer", "token", "experts", "weights", "logits"), True)
            self.assertEqual(layer_counts(moestat("summarize", "--experts-table", "--json", path)),
                             expected)
            replay = moestat("replay", "--strategy", "none", "--json", path)
            self.assertEqual([l["agreement"] for l in replay["strategies"][0]["layers"]],
                             [1] * LAYERS)

    def test_nothing_without_a_gate(self):
        with tempfile.TemporaryDirectory() as d:
            writer = moestat_log.MoeLogWriter(os.path.join(d, "x.mlog"), experts=N, topk=K)
            with self.assertRaises(ValueError):
                moestat_log.attach(torch.nn.Linear(2, 2), writer)
            writer.close()


class MoEGate(torch.nn.Module):
    """DeepSeek-V2's shape: a weight, and forward returning (topk_idx, topk_weight, aux_loss)."""

    def __init__(self):
        super().__init__()
        self.weight = torch.nn.Parameter(torch.randn(N, D))
        self.chosen = []

    def forward(self, hidden):
        scores = torch.nn.functional.linear(hidden.reshape(-1, D), self.weight).softmax(dim=-1)
        weight, idx = torch.topk(scores, K, dim=-1)
        self.chosen.append(idx.clone())
        return idx, weight, None


class DeepSeekLayer(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.mlp = torch.nn.Module()
        self.mlp.gate = MoEGate()


class TinyDeepSeek(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.model = torch.nn.Module()
        self.model.layers = torch.nn.ModuleList(DeepSeekLayer() for _ in range(LAYERS))

    def forward(self, x):
        for layer in self.model.layers:
            layer.mlp.gate(x)
        return x


class DeepSeekGate(unittest.TestCase):
    def test_tuple_gates_are_logged_as_they_chose(self):
        torch.manual_seed(4)
        model = TinyDeepSeek()
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "ds.mlog")
            writer = moestat_log.MoeLogWriter(path, experts=N, topk=K,
                                              fields=("layer", "experts", "logits"))
            handle = moestat_log.attach(model, writer, logits=True)
            with torch.no_grad():
                model(torch.randn(2, 10, D))
            handle.remove()
            writer.close()
            expected = {i: torch.bincount(torch.cat(l.mlp.gate.chosen).flatten(),
                                          minlength=N).tolist()
                        for i, l in enumerate(model.model.layers)}
            self.assertEqual(layer_counts(moestat("summarize", "--experts-table", "--json", path)),
                             expected)
            replay = moestat("replay", "--strategy", "none", "--json", path)
            self.assertEqual([l["agreement"] for l in replay["strategies"][0]["layers"]],
                             [1] * LAYERS)


class SGLang(unittest.TestCase):
    def test_per_token_dump(self):
        torch.manual_seed(2)
        records, expected = [], {}
        for _ in range(3):
            ids = torch.stack([torch.randperm(N)[:K] for _ in range(LAYERS * 5)]).reshape(LAYERS, 5, K)
            ids[0] = -1                     # a dense layer: nothing recorded
            ids[2, 1, 1] = -1               # a token with one id left
            records.append({"forward_mode": 1, "topk_ids_of_layer": ids.to(torch.int32)})
            for layer in range(1, LAYERS):
                kept = ids[layer][ids[layer] >= 0]
                counts = expected.setdefault(layer, [0] * N)
                for e, c in enumerate(torch.bincount(kept, minlength=N).tolist()):
                    counts[e] += c
        with tempfile.TemporaryDirectory() as d:
            dump, out = os.path.join(d, "dump.pt"), os.path.join(d, "run.mlog")
            torch.save({"records": records}, dump)
            subprocess.run([sys.executable, os.path.join(os.environ["CONTRIB"], "sglang_to_mlog.py"),
                            "--experts", str(N), dump, "-o", out], check=True)
            got = layer_counts(moestat("summarize", "--experts-table", "--json", out))
            self.assertEqual(got, expected)

    def test_stat_dump_to_counts(self):
        torch.manual_seed(3)
        count = torch.randint(0, 50, (3, LAYERS, N))
        with tempfile.TemporaryDirectory() as d:
            dump, out = os.path.join(d, "stat.pt"), os.path.join(d, "counts.json")
            torch.save({"logical_count": count}, dump)
            subprocess.run([sys.executable, os.path.join(os.environ["CONTRIB"], "sglang_to_mlog.py"),
                            "--counts", dump, "-o", out], check=True)
            with open(out) as f:
                self.assertEqual(json.load(f), count.sum(dim=0).tolist())
            place = moestat("place", "--ep", "2", "--counts", out, "--json")
            self.assertEqual(len(place["placements"][0]["layers"]), LAYERS)


if __name__ == "__main__":
    unittest.main()
