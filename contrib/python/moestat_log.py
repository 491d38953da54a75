"""moestat_log: write the router decisions of a PyTorch MoE model as a log moestat reads.

One file, the standard library and torch only.

    writer = MoeLogWriter("run.mlog.gz", experts=8, topk=2)
    handle = attach(model, writer)          # forward hooks on the router gates
    ... run the model, with writer.domain = "gsm8k" per data set ...
    handle.remove(); writer.close()

The log is mlog v1 (moestat(5)): a "#moestat v1" header, "#domain NAME" lines,
then one record a line: the columns named by fields, in that order.
"""

import atexit
import gzip
import re
import threading
import weakref

import torch

_FIELDS = ("layer", "token", "experts", "weights", "logits")


class MoeLogWriter:
    """Writes mlog v1, gzip'd when path ends in ".gz".

    write() takes whole tensors ([tokens, k] ids, [tokens, k] weights,
    [tokens, N] logits) and formats each batch with one %-format call: no Python
    loop per token. Thread-safe; flushed on close() and at exit.
    """

    def __init__(self, path, experts, topk, score="softmax", fields=("layer", "experts"),
                 model=None):
        fields = tuple(fields)
        if "experts" not in fields or any(f not in _FIELDS for f in fields) \
                or len(set(fields)) != len(fields):
            raise ValueError("fields: distinct names among %s, with 'experts'" % (_FIELDS,))
        if score not in ("softmax", "sigmoid"):
            raise ValueError("score: 'softmax' or 'sigmoid'")
        if model is not None and re.search(r"\s", model):
            raise ValueError("model: a name without white space")
        self.path, self.experts, self.topk, self.score = path, int(experts), int(topk), score
        self.fields, self.domain = fields, None
        self._lock = threading.Lock()
        self._tokens = {}               # the next token index of each layer
        self._written_domain = None
        self._file = gzip.open(path, "wt") if path.endswith(".gz") else open(path, "w")
        header = "#moestat v1 experts=%d topk=%d score=%s fields=%s" % (
            self.experts, self.topk, score, ",".join(fields))
        if model is not None:
            header += " model=" + model
        self._file.write(header + "\n")
        self._closed = False
        atexit.register(_close_at_exit, weakref.ref(self))

    def write(self, layer, topk_ids, weights=None, logits=None, domain=None):
        """Logs one batch of tokens of one layer. domain (or self.domain) names
        the data set the tokens belong to; None keeps the one in force."""
        ids = topk_ids.detach().reshape(-1, topk_ids.shape[-1]).to("cpu", torch.int64)
        tokens, k = ids.shape
        columns, formats = [], []
        for field in self.fields:
            if field == "layer":
                columns.append(torch.full((tokens, 1), int(layer), dtype=torch.float64))
                formats.append("%d")
            elif field == "token":
                first = self._tokens.get(int(layer), 0)
                columns.append(torch.arange(first, first + tokens, dtype=torch.float64)[:, None])
                formats.append("%d")
            elif field == "experts":
                columns.append(ids.to(torch.float64))
                formats.append(",".join(["%d"] * k))
            else:
                values = weights if field == "weights" else logits
                if values is None:
                    raise ValueError("fields has '%s': pass %s=" % (field, field))
                values = values.detach().reshape(tokens, -1).to("cpu", torch.float64)
                columns.append(values)
                # %r: the shortest text that reads back as the same double (and
                # so as the same float32, bfloat16 or half the model computed in).
                formats.append(",".join(["%r"] * values.shape[1]))
        if not tokens:
            return
        line = " ".join(formats) + "\n"
        # One formatting call for the whole batch: the columns side by side, flattened.
        text = (line * tokens) % tuple(torch.cat(columns, dim=1).flatten().tolist())
        with self._lock:
            if self._closed:
                raise ValueError("write to a closed MoeLogWriter")
            name = domain if domain is not None else self.domain
            if name is not None and name != self._written_domain:
                if re.search(r"\s", name) or not name:
                    raise ValueError("domain: a name without white space")
                self._file.write("#domain %s\n" % name)
                self._written_domain = name
            self._file.write(text)
            self._tokens[int(layer)] = self._tokens.get(int(layer), 0) + tokens

    def close(self):
        with self._lock:
            if not self._closed:
                self._closed = True
                self._file.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def _close_at_exit(ref):
    writer = ref()
    if writer is not None:
        writer.close()


# A router module: Mixtral's block_sparse_moe.gate, Qwen-MoE's, OLMoE's and
# DeepSeek's mlp.gate, or a module named router.
_GATE = re.compile(r"(^|\.)(gate|router)$")
_LAYER = re.compile(r"(?:^|\.)layers?\.(\d+)\.")


class _Handle:
    def __init__(self, hooks):
        self._hooks = hooks

    def remove(self):
        for hook in self._hooks:
            hook.remove()
        self._hooks = []


def attach(model, writer, match=None, logits=False):
    """Registers forward hooks on the router gates of model that log each
    forward pass to writer; returns a handle whose remove() takes them off.

    match: a regular expression (or a callable taking the module's name) for
    the gate modules; by default names ending in ".gate" or ".router". The
    layer index is the number after "layers." in the module's name.

    A gate that returns the router logits [tokens, N] (an nn.Linear, as in
    Mixtral, Qwen-MoE and OLMoE) has them scored (writer.score) and the top
    writer.topk taken, best first, with their scores as weights. A gate that
    returns (topk_ids, topk_weights, ...) (DeepSeek-V2/V3's MoEGate) is logged
    as it chose; with logits=True its logits are the gate's weight applied to
    its input. logits=True needs "logits" in writer.fields.
    """
    if match is None:
        wanted = _GATE.search
    elif callable(match):
        wanted = match
    else:
        wanted = re.compile(match).search
    hooks = []
    for name, module in model.named_modules():
        if not name or not wanted(name):
            continue
        found = _LAYER.search(name + ".")
        if not found:
            raise ValueError("%s: no layer index in the module's name" % name)
        hooks.append(module.register_forward_hook(_hook(writer, int(found.group(1)), logits)))
    if not hooks:
        raise ValueError("no router module found (give match=)")
    return _Handle(hooks)


def _hook(writer, layer, want_logits):
    def hook(module, inputs, output):
        with torch.no_grad():
            if isinstance(output, (tuple, list)):
                ids, weights = output[0], output[1]
                raw = None
                if want_logits:
                    hidden = inputs[0].reshape(-1, inputs[0].shape[-1])
                    raw = torch.nn.functional.linear(hidden.float(), module.weight.float())
            else:
                raw = output.reshape(-1, output.shape[-1]).float()
                scores = torch.sigmoid(raw) if writer.score == "sigmoid" else raw.softmax(dim=-1)
                weights, ids = torch.topk(scores, writer.topk, dim=-1)
            writer.write(layer, ids, weights=weights, logits=raw if want_logits else None)
    return hook
