"""Converts a torchvision network into a CNN Designer design plus PyTorch reference data, so that
the designer's analysis (and, later, its exports) can be checked against the real network.

The network is built with random weights (never downloaded), traced with torch.fx (torch.nn layers
stay whole; torchvision's own blocks are traced through) and run once on a seeded input. Every fx
node becomes one design node by a rule on its module type or function, never by model name:

  nn.Conv2d → Conv2D, nn.BatchNorm2d → BatchNorm (Keras momentum = 1 − PyTorch's), nn.ReLU →
  Activation, add / += → Add, torch.cat(dim=1) → Concat, AdaptiveAvgPool2d(1) + flatten →
  GlobalAvgPool2D, Linear → Dense, ...

Types and parameters are those of docs/format.md, plus the agreed issue-15 format for layers the
catalog does not have yet (Multiply, Upsample2D, ChannelSlice, ...); the test decides which of them
today's catalog knows. Node ids are module paths with '.' → '_' (a module called again gets
`_2`, `_3`); functional calls are `<op>_<n>`.

Usage:
  /usr/bin/python3 test/reference/torchvisionToDesign.py --model mobilenet_v2 --input 3,224,224 --out DIR
    [--literal] [--depthwise] [--save-weights] [--seed 0]

Writes DIR/<model>_<C>x<H>x<W>.cnn.json and DIR/<model>_<C>x<H>x<W>.reference.json; with
--save-weights also .state_dict.pt (the network's weights, batch-norm statistics randomized so that
they matter) and .io.pt ({"input": NCHW tensor, "outputs": [tensors]}). Models: any classification
or segmentation builder of torchvision.models (fcn_*, deeplabv3_*, lraspp_*), and `unet` (the paper's,
572×572 → 388×388 with crops, defined below). --list prints them.

--literal emits each PyTorch op as its own type even where today's catalog has an exact equivalent
(AdaptiveAvgPool2d(7) stays AdaptiveAvgPool2D instead of AvgPool2D at a divisible size, flatten stays
a node); --depthwise writes depthwise convolutions as DepthwiseConv2D instead of Conv2D with groups.

The reference JSON holds, per design node: its PyTorch output shape channels-last without batch,
its trainable parameters and batch-norm statistics (PyTorch convention), the torch op it came from
and the state_dict keys of its tensors; totals; the types/parameters it used from the new format;
and the ops that have no design equivalent at all (`unsupported`, the design is then incomplete).
"""
import argparse
import inspect
import json
import math
import operator
import os
import sys
import traceback

import torch
import torch.fx
import torch.fx._symbolic_trace as fx_trace
import torch.nn as nn
import torch.nn.functional as F
import torchvision
from torchvision import models as tvm
from torchvision.models import segmentation as tvseg
import torchvision.models.shufflenetv2 as tv_shufflenet
from torchvision.ops import StochasticDepth


# ---------------------------------------------------------------------------------------------
# U-Net (Ronneberger et al. 2015): valid 3×3 convolutions, 2×2 max pooling, 2×2 up-convolutions,
# center-cropped skips. 572×572×1 → 388×388×2.


def center_crop(skip, reference):
    """Crops `skip` around its center to the height and width of `reference` (a U-Net skip)."""
    h, w = reference.shape[-2:]
    top = (skip.shape[-2] - h) // 2
    left = (skip.shape[-1] - w) // 2
    return skip[:, :, top : top + h, left : left + w]


class DoubleConv(nn.Sequential):
    def __init__(self, cin, cout):
        super().__init__(nn.Conv2d(cin, cout, 3), nn.ReLU(inplace=True), nn.Conv2d(cout, cout, 3), nn.ReLU(inplace=True))


class UNet(nn.Module):
    def __init__(self, in_channels=1, num_classes=2, widths=(64, 128, 256, 512, 1024)):
        super().__init__()
        self.down = nn.ModuleList()
        cin = in_channels
        for w in widths:
            self.down.append(DoubleConv(cin, w))
            cin = w
        self.pool = nn.MaxPool2d(2)
        self.upconv = nn.ModuleList()
        self.up = nn.ModuleList()
        for w in reversed(widths[:-1]):
            self.upconv.append(nn.ConvTranspose2d(cin, w, 2, stride=2))
            self.up.append(DoubleConv(2 * w, w))
            cin = w
        self.head = nn.Conv2d(cin, num_classes, 1)

    def forward(self, x):
        skips = []
        for i, block in enumerate(self.down):
            x = block(x)
            if i < len(self.down) - 1:
                skips.append(x)
                x = self.pool(x)
        for upconv, block, skip in zip(self.upconv, self.up, reversed(skips)):
            x = upconv(x)
            x = torch.cat([center_crop(skip, x), x], 1)
            x = block(x)
        return self.head(x)


# Functions traced as one call (one design node) rather than through their body.
LEAF_FUNCTIONS = [(tv_shufflenet.__dict__, "channel_shuffle"), (globals(), "center_crop")]
for entry in LEAF_FUNCTIONS:
    if entry not in fx_trace._wrapped_fns_to_patch:
        fx_trace._wrapped_fns_to_patch.append(entry)

_proxy_iter = torch.fx.proxy.Proxy.__iter__


def _iter_pieces(self):
    """`a, b = x.chunk(2, dim=1)`: torch.fx finds the unpacking from bytecode, which fails on Python
    3.11; chunk with a constant count (or split with a list of sizes) has a known number of pieces."""
    node = self.node
    name = getattr(node.target, "__name__", node.target)
    count = None
    if name == "chunk":
        count = node.kwargs.get("chunks", node.args[1] if len(node.args) > 1 else None)
    elif name == "split":
        sizes = node.kwargs.get("split_size_or_sections", node.args[1] if len(node.args) > 1 else None)
        count = len(sizes) if isinstance(sizes, (list, tuple)) else None
    if isinstance(count, int):
        return iter([self.tracer.create_proxy("call_function", operator.getitem, (self, i), {}) for i in range(count)])
    return _proxy_iter(self)


torch.fx.proxy.Proxy.__iter__ = _iter_pieces

LEAF_MODULES = (
    nn.Conv1d, nn.Conv2d, nn.ConvTranspose1d, nn.ConvTranspose2d,
    nn.BatchNorm1d, nn.BatchNorm2d, nn.LayerNorm, nn.GroupNorm, nn.InstanceNorm1d, nn.InstanceNorm2d,
    nn.MaxPool1d, nn.MaxPool2d, nn.AvgPool1d, nn.AvgPool2d,
    nn.AdaptiveAvgPool1d, nn.AdaptiveAvgPool2d, nn.AdaptiveMaxPool1d, nn.AdaptiveMaxPool2d,
    nn.ReLU, nn.ReLU6, nn.LeakyReLU, nn.ELU, nn.GELU, nn.SiLU, nn.Hardswish, nn.Hardsigmoid, nn.Hardtanh,
    nn.Sigmoid, nn.Tanh, nn.Mish, nn.Softplus, nn.PReLU, nn.Softmax, nn.LogSoftmax,
    nn.Linear, nn.Dropout, nn.Dropout1d, nn.Dropout2d, nn.Flatten, nn.Identity,
    nn.Upsample, nn.ZeroPad2d, nn.ConstantPad2d, nn.ReflectionPad2d, nn.ReplicationPad2d, nn.ChannelShuffle,
    StochasticDepth,
)


class LeafTracer(torch.fx.Tracer):
    """torch.nn layers (and their subclasses, e.g. torchvision's LayerNorm2d) and StochasticDepth stay whole."""

    def is_leaf_module(self, m, qualname):
        return isinstance(m, LEAF_MODULES) or super().is_leaf_module(m, qualname)


class Recorder(torch.fx.Interpreter):
    """Runs the traced graph, keeping every node's value (shapes recorded before in-place ops mutate)."""

    def __init__(self, gm):
        super().__init__(gm)
        self.values = {}
        self.shapes = {}

    def run_node(self, n):
        value = super().run_node(n)
        self.values[n] = value
        if torch.is_tensor(value):
            self.shapes[n] = list(value.shape)
        return value


def list_models():
    classification = sorted(n for n, f in vars(tvm).items() if inspect.isfunction(f) and not n.startswith("_") and not n.startswith("get_") and n != "list_models")
    segmentation = sorted(n for n, f in vars(tvseg).items() if inspect.isfunction(f) and not n.startswith("_"))
    return classification + segmentation + ["unet"]


def build_model(name):
    if name == "unet":
        return UNet()
    builder = getattr(tvseg, name, None) if hasattr(tvseg, name) else getattr(tvm, name, None)
    if builder is None or not inspect.isfunction(builder):
        raise SystemExit(f"unknown model {name!r}; --list prints the models")
    kwargs = {"weights": None}
    params = inspect.signature(builder).parameters
    if "weights_backbone" in params:
        kwargs["weights_backbone"] = None
    return builder(**kwargs)


# ---------------------------------------------------------------------------------------------


def single(v):
    """(3, 3) → 3, (3, 5) → [3, 5], 3 → 3."""
    if isinstance(v, (tuple, list)):
        v = [int(x) for x in v]
        return v[0] if all(x == v[0] for x in v) else v
    return int(v)


def pair(v, dims=2):
    return [int(x) for x in v] if isinstance(v, (tuple, list)) else [int(v)] * dims


def keras_momentum(m):
    return round(1 - m, 10)


def channels_last(shape, layout):
    """PyTorch shape with batch → design shape: channels moved last for 'cf' tensors, batch dropped."""
    dims = list(shape[1:])
    if layout == "sq":
        return [dims[0]]
    if layout == "cf" and len(dims) >= 2:
        return dims[1:] + dims[:1]
    return dims


class Unsupported(Exception):
    pass


class Converter:
    def __init__(self, model, input_shape, literal=False, depthwise=False):
        self.model = model.eval()
        self.input_shape = input_shape
        self.literal = literal
        self.depthwise = depthwise
        self.modules = dict(model.named_modules())
        self.nodes = []  # design nodes, in topological order
        self.edges = []
        self.ref = {}  # design id → reference entry
        self.value_of = {}  # fx node → (design id, layout, extra)
        self.unsupported = []
        self.ids = set()
        self.op_counts = {}
        self.module_calls = {}
        self.used_modules = set()
        self.used_params = set()
        self.new_format = {}

    # ---- ids and emission ------------------------------------------------------------------

    def module_id(self, target):
        base = target.replace(".", "_")
        k = self.module_calls.get(target, 0) + 1
        self.module_calls[target] = k
        return self.unique(base if k == 1 else f"{base}_{k}")

    def op_id(self, op):
        k = self.op_counts.get(op, 0) + 1
        self.op_counts[op] = k
        return self.unique(f"{op}_{k}")

    def unique(self, base):
        name, k = base, 1
        while name in self.ids:
            k += 1
            name = f"{base}_{k}"
        self.ids.add(name)
        return name

    def emit(self, fx_node, node_id, type_, params, inputs, layout="cf", source=None, state=None, extra=None, value_node=None):
        """Adds a design node computing fx_node's value from the design ids in `inputs`."""
        self.nodes.append({"id": node_id, "type": type_, "params": params})
        for src in inputs:
            self.edges.append({"source": src, "target": node_id})
        shape_node = value_node or fx_node
        entry = {
            "shape": channels_last(self.rec.shapes[shape_node], layout),
            "params": 0,
            "buffers": 0,
            "torch": source or describe(fx_node),
        }
        if state:
            entry["stateDict"] = state
            for info in state.values():
                tensor = self.state[info["key"]]
                if info["kind"] == "param":
                    entry["params"] += tensor.numel()
                elif info["kind"] == "buffer":
                    entry["buffers"] += tensor.numel()
        if extra:
            entry.update(extra)
        self.ref[node_id] = entry
        self.value_of[fx_node] = (node_id, layout, {})
        return node_id

    def alias(self, fx_node, source_fx, layout=None, marks=None):
        node_id, src_layout, src_marks = self.value_of[source_fx]
        merged = dict(src_marks)
        if marks is not None:
            merged = marks
        self.value_of[fx_node] = (node_id, layout or src_layout, merged)

    def note_new(self, type_, param=None):
        key = type_ if param is None else f"{type_}.{param}"
        self.new_format[key] = self.new_format.get(key, 0) + 1

    # ---- helpers -----------------------------------------------------------------------------

    def inp(self, arg):
        """Design id and layout of a tensor argument."""
        if not isinstance(arg, torch.fx.Node) or arg not in self.value_of:
            raise Unsupported(f"input {arg!r} is not a converted tensor")
        return self.value_of[arg]

    def module_state(self, target, module):
        """state_dict keys of a module's own tensors, with what they count as."""
        state = {}
        for name, p in module.named_parameters(recurse=True):
            key = f"{target}.{name}" if target else name
            state[name] = {"key": key, "kind": "param" if p.requires_grad else "frozen"}
        for name, b in module.named_buffers(recurse=True):
            if name.endswith("num_batches_tracked"):
                continue
            key = f"{target}.{name}" if target else name
            state[name] = {"key": key, "kind": "buffer"}
        if target in self.used_modules:
            # A module called again shares the first call's weights: count them once.
            state = {k: {**v, "kind": "shared"} for k, v in state.items()}
        self.used_modules.add(target)
        return state

    # ---- conversion --------------------------------------------------------------------------

    def run(self, seed=0):
        tracer = LeafTracer()
        graph = tracer.trace(self.model)
        self.gm = torch.fx.GraphModule(tracer.root, graph, self.model.__class__.__name__)
        torch.manual_seed(seed)
        self.input = torch.randn(1, *self.input_shape)
        self.rec = Recorder(self.gm)
        self.state = self.model.state_dict()
        with torch.no_grad():
            output = self.rec.run(self.input.clone())
        self.output = output
        for n in graph.nodes:
            try:
                self.convert(n)
            except Unsupported as e:
                self.unsupported.append({"node": n.name, "op": describe(n), "reason": str(e)})
                # Later nodes that use this value fail in turn; report only the first cause.
                self.value_of[n] = None
        return output

    def convert(self, n):
        if n.op == "placeholder":
            shape = channels_last(self.rec.shapes[n], "cf")
            self.nodes.append({"id": "input", "type": "Input", "params": {"shape": shape}})
            self.ids.add("input")
            self.ref["input"] = {"shape": shape, "params": 0, "buffers": 0, "torch": "input"}
            self.value_of[n] = ("input", "cf", {})
            return
        if n.op == "output":
            self.outputs = []
            for leaf in flatten_args(n.args[0]):
                if isinstance(leaf, torch.fx.Node) and self.value_of.get(leaf):
                    self.outputs.append({"id": self.value_of[leaf][0], "fx": leaf.name, "layout": self.value_of[leaf][1]})
            return
        if any(isinstance(a, torch.fx.Node) and a in self.value_of and self.value_of[a] is None for a in flatten_args((n.args, n.kwargs))):
            self.value_of[n] = None
            return
        value = self.rec.values.get(n)
        if not torch.is_tensor(value):
            # Shapes, sizes, tuples of chunks: not tensors of the design; their users look them up.
            self.value_of[n] = ("meta", None, {})
            return
        if n.op == "call_module":
            self.convert_module(n, self.modules[n.target])
        elif n.op == "get_attr":
            self.value_of[n] = ("param", None, {"target": n.target})
        else:
            self.convert_function(n)

    def convert_module(self, n, m):
        x = n.args[0]
        src, layout, marks = self.inp(x)
        in_shape = self.rec.shapes[x]
        nid = self.module_id(n.target)
        state = self.module_state(n.target, m)
        if isinstance(m, nn.Identity):
            return self.alias(n, x)
        if isinstance(m, (nn.Conv1d, nn.Conv2d)):
            self.need_layout(layout, "cf", m)
            dims = 2 if isinstance(m, nn.Conv2d) else 1
            cin = in_shape[1]
            depthwise = self.depthwise and dims == 2 and m.groups == cin and m.groups > 1 and m.out_channels % cin == 0
            p = {}
            if depthwise:
                type_ = "DepthwiseConv2D"
                p["kernelSize"] = single(m.kernel_size)
            else:
                type_ = f"Conv{dims}D"
                p["filters"] = m.out_channels
                p["kernelSize"] = single(m.kernel_size)
            p["strides"] = single(m.stride)
            p["padding"] = m.padding if isinstance(m.padding, str) else single(m.padding)
            if any(d != 1 for d in pair(m.dilation, dims)):
                p["dilationRate"] = single(m.dilation)
                if any(s != 1 for s in pair(m.stride, dims)):
                    self.note_new(type_, "dilationRate+strides")
            if depthwise:
                p["depthMultiplier"] = m.out_channels // cin
                self.note_new(type_)
            elif m.groups != 1:
                p["groups"] = m.groups
                self.note_new(type_, "groups")
            if m.padding_mode != "zeros":
                p["paddingMode"] = m.padding_mode
                self.note_new(type_, "paddingMode")
            p["useBias"] = m.bias is not None
            return self.emit(n, nid, type_, p, [src], "cf", state=state)
        if isinstance(m, (nn.ConvTranspose1d, nn.ConvTranspose2d)):
            self.need_layout(layout, "cf", m)
            dims = 2 if isinstance(m, nn.ConvTranspose2d) else 1
            type_ = f"Conv{dims}DTranspose"
            p = {"filters": m.out_channels, "kernelSize": single(m.kernel_size), "strides": single(m.stride), "padding": single(m.padding)}
            if any(o != 0 for o in pair(m.output_padding, dims)):
                p["outputPadding"] = single(m.output_padding)
            if any(d != 1 for d in pair(m.dilation, dims)):
                p["dilationRate"] = single(m.dilation)
            if m.groups != 1:
                p["groups"] = m.groups
            p["useBias"] = m.bias is not None
            self.note_new(type_)
            return self.emit(n, nid, type_, p, [src], "cf", state=state)
        if isinstance(m, (nn.BatchNorm1d, nn.BatchNorm2d)):
            self.need_layout(layout, "cf", m)
            if m.momentum is None or not m.affine or not m.track_running_stats:
                raise Unsupported("BatchNorm without affine, running statistics or momentum")
            return self.emit(n, nid, "BatchNorm", {"momentum": keras_momentum(m.momentum), "epsilon": m.eps}, [src], "cf", state=state)
        if isinstance(m, nn.LayerNorm):
            return self.convert_layer_norm(n, m, nid, src, layout, in_shape, state)
        if isinstance(m, nn.GroupNorm):
            self.need_layout(layout, "cf", m)
            p = {"groups": m.num_groups, "epsilon": m.eps}
            if not m.affine:
                p["affine"] = False
            self.note_new("GroupNorm")
            return self.emit(n, nid, "GroupNorm", p, [src], "cf", state=state)
        if isinstance(m, (nn.InstanceNorm1d, nn.InstanceNorm2d)):
            self.need_layout(layout, "cf", m)
            p = {"epsilon": m.eps}
            if m.affine:
                p["affine"] = True
            if m.track_running_stats:
                p["trackRunningStats"] = True
            type_ = "InstanceNorm"
            self.note_new(type_)
            return self.emit(n, nid, type_, p, [src], "cf", state=state)
        if isinstance(m, (nn.MaxPool1d, nn.MaxPool2d, nn.AvgPool1d, nn.AvgPool2d)):
            self.need_layout(layout, "cf", m)
            kind = "max" if isinstance(m, (nn.MaxPool1d, nn.MaxPool2d)) else "avg"
            dims = 2 if isinstance(m, (nn.MaxPool2d, nn.AvgPool2d)) else 1
            if kind == "max" and any(d != 1 for d in pair(m.dilation, dims)):
                raise Unsupported("max pooling with dilation")
            return self.pool(n, nid, kind, dims, m.kernel_size, m.stride, m.padding, m.ceil_mode,
                             getattr(m, "count_include_pad", True), src, in_shape, getattr(m, "divisor_override", None))
        if isinstance(m, (nn.AdaptiveAvgPool1d, nn.AdaptiveAvgPool2d, nn.AdaptiveMaxPool1d, nn.AdaptiveMaxPool2d)):
            self.need_layout(layout, "cf", m)
            kind = "avg" if isinstance(m, (nn.AdaptiveAvgPool1d, nn.AdaptiveAvgPool2d)) else "max"
            dims = 2 if isinstance(m, (nn.AdaptiveAvgPool2d, nn.AdaptiveMaxPool2d)) else 1
            return self.adaptive_pool(n, nid, kind, dims, m.output_size, src, in_shape)
        act = module_activation(m, in_shape, layout)
        if act is not None:
            fn, extra = act
            return self.activation(n, nid, fn, extra, src, layout, marks, state)
        if isinstance(m, nn.PReLU):
            p = {} if m.num_parameters > 1 else {"sharedAxes": "all"}
            self.note_new("PReLU")
            return self.emit(n, nid, "PReLU", p, [src], layout, state=state)
        if isinstance(m, nn.Linear):
            return self.dense(n, nid, m, src, layout, marks, in_shape, state)
        if isinstance(m, (nn.Dropout, nn.Dropout1d, nn.Dropout2d)):
            if isinstance(m, nn.Dropout):
                self.emit(n, nid, "Dropout", {"rate": m.p}, [src], layout)
            else:
                type_ = "SpatialDropout2D" if isinstance(m, nn.Dropout2d) else "SpatialDropout1D"
                self.note_new(type_)
                self.emit(n, nid, type_, {"rate": m.p}, [src], layout)
            self.value_of[n] = (nid, layout, marks)
            return nid
        if isinstance(m, StochasticDepth):
            if m.mode != "row":
                raise Unsupported(f"StochasticDepth mode {m.mode!r} (drops the whole batch)")
            self.note_new("DropPath")
            self.emit(n, nid, "DropPath", {"rate": m.p}, [src], layout)
            return nid
        if isinstance(m, nn.Flatten):
            if m.start_dim != 1 or m.end_dim != -1:
                raise Unsupported(f"Flatten({m.start_dim}, {m.end_dim})")
            return self.flatten(n, nid, x, src, layout, in_shape)
        if isinstance(m, nn.Upsample):
            return self.upsample(n, nid, src, layout, m.size, m.scale_factor, m.mode, m.align_corners, None)
        if isinstance(m, (nn.ZeroPad2d, nn.ConstantPad2d, nn.ReflectionPad2d, nn.ReplicationPad2d)):
            mode = "reflect" if isinstance(m, nn.ReflectionPad2d) else "replicate" if isinstance(m, nn.ReplicationPad2d) else "constant"
            return self.padding(n, nid, src, layout, m.padding, mode, getattr(m, "value", 0.0))
        if isinstance(m, nn.ChannelShuffle):
            self.need_layout(layout, "cf", m)
            self.note_new("ChannelShuffle")
            return self.emit(n, nid, "ChannelShuffle", {"groups": m.groups}, [src], "cf")
        raise Unsupported(f"no design layer for {type(m).__name__}")

    def need_layout(self, layout, wanted, what):
        if layout != wanted:
            raise Unsupported(f"{type(what).__name__ if not isinstance(what, str) else what} on a {'channels-last' if layout == 'cl' else 'channels-first'} tensor")

    def convert_layer_norm(self, n, m, nid, src, layout, in_shape, state):
        if len(m.normalized_shape) != 1:
            raise Unsupported(f"LayerNorm over {list(m.normalized_shape)} (only over channels)")
        channels_axis = -1 if layout == "cl" else 1
        if layout == "cl" or len(in_shape) == 2:
            if in_shape[-1] != m.normalized_shape[0]:
                raise Unsupported("LayerNorm not over the channel axis")
        else:
            # A LayerNorm subclass on channels-first images (torchvision's LayerNorm2d permutes
            # inside): accepted when it provably normalizes the channel axis.
            x = self.rec.values[n.args[0]]
            want = F.layer_norm(x.movedim(1, -1), m.normalized_shape, m.weight, m.bias, m.eps).movedim(-1, 1)
            got = self.rec.values[n]
            if in_shape[channels_axis] != m.normalized_shape[0] or not torch.allclose(got, want, atol=1e-5):
                raise Unsupported(f"{type(m).__name__} on a channels-first tensor that does not normalize channels")
        p = {"epsilon": m.eps}
        if not m.elementwise_affine:
            p["elementwiseAffine"] = False
        self.note_new("LayerNorm")
        return self.emit(n, nid, "LayerNorm", p, [src], layout, state=state)

    def activation(self, n, nid, fn, extra, src, layout, marks, state=None):
        if fn not in ("relu", "leakyRelu", "elu", "gelu", "sigmoid", "tanh", "softmax", "logSoftmax", "linear"):
            self.note_new("Activation", f"fn={fn}")
        for k in extra:
            self.note_new("Activation", k)
        self.emit(n, nid, "Activation", {"fn": fn, **extra}, [src], layout, state=state)
        self.value_of[n] = (nid, layout, marks)
        return nid

    def dense(self, n, nid, m, src, layout, marks, in_shape, state):
        if not (len(in_shape) == 2 or layout == "cl"):
            raise Unsupported("Linear on a channels-first tensor of more than 2 axes")
        if len(in_shape) > 2:
            self.note_new("Dense", "non-flat input")
        if "chw" in marks:
            # Our Flatten is channels-last: the weight's columns go from (C, H, W) to (H, W, C) order.
            state["weight"]["permuteColumnsFromCHW"] = marks["chw"]
        return self.emit(n, nid, "Dense", {"units": m.out_features, "useBias": m.bias is not None}, [src], layout, state=state)

    def pool(self, n, nid, kind, dims, kernel, stride, padding, ceil_mode, count_include_pad, src, in_shape, divisor=None):
        if divisor:
            raise Unsupported("average pooling with divisor_override")
        k = pair(kernel, dims)
        s = pair(stride if stride not in (None, [], ()) else kernel, dims)
        pad = pair(padding, dims)
        size = in_shape[2:]
        type_ = f"{'Max' if kind == 'max' else 'Avg'}Pool{dims}D"
        p = {"poolSize": single(k), "strides": single(s), "padding": single(pad)}
        if ceil_mode:
            floor = [(size[i] + 2 * pad[i] - k[i]) // s[i] + 1 for i in range(dims)]
            ceil = [pool_ceil_size(size[i], k[i], s[i], pad[i]) for i in range(dims)]
            same = [math.ceil(size[i] / s[i]) for i in range(dims)]
            same_before = [max((same[i] - 1) * s[i] + k[i] - size[i], 0) // 2 for i in range(dims)]
            if floor == ceil:
                pass  # ceil_mode changes nothing at this size
            elif not self.literal and all(x == 0 for x in pad) and ceil == same and all(b == 0 for b in same_before):
                # The last, partial window is exactly "same" padding's extra row after the input.
                p["padding"] = "same"
            else:
                p["ceilMode"] = True
                self.note_new(type_, "ceilMode")
        if kind == "avg" and not count_include_pad and any(x > 0 for x in pad):
            p["countIncludePad"] = False
            self.note_new(type_, "countIncludePad")
        return self.emit(n, nid, type_, p, [src], "cf")

    def adaptive_pool(self, n, nid, kind, dims, output_size, src, in_shape, functional=False):
        size = in_shape[2:]
        out = [size[i] if o is None else int(o) for i, o in enumerate(pair(output_size, dims) if not isinstance(output_size, (tuple, list)) else output_size)]
        glob = "GlobalAvgPool" if kind == "avg" else "GlobalMaxPool"
        if all(o == 1 for o in out) and dims == 2 and not self.literal:
            return self.global_pool(n, nid, f"{glob}2D", src, keep_dims=True)
        if not self.literal and all(size[i] % out[i] == 0 for i in range(dims)):
            k = [size[i] // out[i] for i in range(dims)]
            return self.emit(n, nid, f"{'Avg' if kind == 'avg' else 'Max'}Pool{dims}D", {"poolSize": single(k), "strides": single(k), "padding": 0}, [src], "cf")
        type_ = f"Adaptive{'Avg' if kind == 'avg' else 'Max'}Pool{dims}D"
        self.note_new(type_)
        return self.emit(n, nid, type_, {"outputSize": single(out)}, [src], "cf")

    def global_pool(self, n, nid, type_, src, keep_dims):
        """Global pooling. With keepDims, when every path from it is element-wise ops (dropout,
        activations) ending in flatten, it is Keras' layer without keepDims: the [1, 1, C] tensors
        in between are [C] ("sq" layout) and the flatten folds away."""
        if keep_dims and self.flows_to_flatten(n):
            return self.emit(n, nid, type_, {}, [src], "sq")
        p = {}
        if keep_dims:
            p["keepDims"] = True
            self.note_new(type_, "keepDims")
        return self.emit(n, nid, type_, p, [src], "cf")

    def flows_to_flatten(self, n):
        users = list(n.users)
        if not users:
            return False
        for u in users:
            if self.is_flatten_call(u):
                continue
            if self.is_elementwise(u) and self.flows_to_flatten(u):
                continue
            return False
        return True

    def is_flatten_call(self, u):
        if u.op == "call_module":
            m = self.modules[u.target]
            return isinstance(m, nn.Flatten) and m.start_dim == 1 and m.end_dim == -1
        name = u.target if isinstance(u.target, str) else getattr(u.target, "__name__", "")
        if name == "flatten":
            return u.kwargs.get("start_dim", u.args[1] if len(u.args) > 1 else 0) == 1
        if name in ("view", "reshape"):
            return u in self.rec.shapes and self.is_batch_flatten(u)
        return False

    def is_elementwise(self, u):
        """One-input ops that keep the shape and act per element: dropout and activations."""
        if u.op == "call_module":
            m = self.modules[u.target]
            return isinstance(m, (nn.Dropout, nn.Identity)) or module_activation(m, [1, 1], "cf") is not None and not isinstance(m, (nn.Softmax, nn.LogSoftmax))
        name = u.target if isinstance(u.target, str) else getattr(u.target, "__name__", "")
        return u.op in ("call_function", "call_method") and (name in ("dropout", "contiguous") or name in FUNCTION_ACTIVATIONS and "softmax" not in name)

    def flatten(self, n, nid, x, src, layout, in_shape):
        if len(in_shape) == 2 or layout == "sq":
            return self.alias(n, x, layout="cf")
        if layout != "cf":
            raise Unsupported("flatten of a channels-last tensor")
        self.emit(n, nid, "Flatten", {}, [src], "cf")
        marks = {"chw": in_shape[1:]} if math.prod(in_shape[2:]) > 1 else {}
        self.value_of[n] = (nid, "cf", marks)
        return nid

    def upsample(self, n, nid, src, layout, size, scale, mode, align_corners, size_source):
        self.need_layout(layout, "cf", "resampling")
        dims = len(self.rec.shapes[n]) - 2
        type_ = f"Upsample{dims}D"
        p = {}
        inputs = [src]
        if size_source is not None:
            inputs.append(size_source)
        elif size is not None:
            p["size"] = pair(size, dims) if dims == 2 else int(size if not isinstance(size, (tuple, list)) else size[0])
        elif scale is not None:
            p["scale"] = single(scale) if not isinstance(scale, float) else scale
        if mode in ("bilinear", "linear"):
            p["mode"] = mode
        elif mode != "nearest":
            raise Unsupported(f"resampling mode {mode!r}")
        else:
            p["mode"] = "nearest"
        if align_corners:
            p["alignCorners"] = True
        self.note_new(type_)
        return self.emit(n, nid, type_, p, inputs, "cf")

    def padding(self, n, nid, src, layout, pad, mode, value):
        self.need_layout(layout, "cf", "padding")
        dims = len(self.rec.shapes[n]) - 2
        pad = list(pad) if isinstance(pad, (tuple, list)) else [pad] * (2 * dims)
        if dims == 2:
            left, right, top, bottom = pad
            padding = [top, bottom, left, right]
            padding = padding[0] if len(set(padding)) == 1 else [top, left] if top == bottom and left == right else padding
        else:
            padding = pad[0] if pad[0] == pad[1] else pad
        p = {"padding": padding}
        if mode != "constant":
            p["mode"] = mode
        elif value:
            p["value"] = value
        type_ = f"Padding{dims}D"
        self.note_new(type_)
        return self.emit(n, nid, type_, p, [src], "cf")

    def convert_function(self, n):
        target = n.target
        name = target if isinstance(target, str) else getattr(target, "__name__", str(target))
        args, kwargs = n.args, n.kwargs
        tensors = [a for a in flatten_args((args, kwargs)) if isinstance(a, torch.fx.Node) and self.value_of.get(a) and self.value_of[a][0] not in ("meta", "param")]
        # Layout-only ops: the design's tensor is the same.
        if name in ("contiguous", "clone") or (name in ("permute",) and self.permute_alias(n)):
            return
        if name in ("dropout", "dropout2d", "alpha_dropout") and n.op == "call_function":
            x = args[0]
            src, layout, marks = self.inp(x)
            rate = kwargs.get("p", args[1] if len(args) > 1 else 0.5)
            nid = self.op_id(name)
            self.emit(n, nid, "Dropout", {"rate": rate}, [src], layout)
            self.value_of[n] = (nid, layout, marks)
            return
        act = function_activation(n, name, args, kwargs)
        if act is not None:
            fn, extra = act
            src, layout, marks = self.inp(args[0])
            if fn in ("softmax", "logSoftmax"):
                dim = kwargs.get("dim", args[1] if len(args) > 1 else None)
                if not is_channel_dim(dim, self.rec.shapes[args[0]], layout):
                    raise Unsupported(f"{name} over dim {dim}, not channels")
            return self.activation(n, self.op_id(name.rstrip("_")), fn, extra, src, layout, marks)
        if name in ("add", "iadd", "add_", "mul", "imul", "mul_", "sub", "truediv"):
            return self.binary(n, name.strip("_").lstrip("i") if name != "iadd" else "add", args, kwargs)
        if name == "cat":
            items = args[0]
            dim = kwargs.get("dim", args[1] if len(args) > 1 else 0)
            if len(items) == 1:
                return self.alias(n, items[0])  # torch.cat([x]) is x (DenseNet's first layer)
            srcs = [self.inp(a) for a in items]
            layouts = {s[1] for s in srcs}
            if len(layouts) != 1 or not is_channel_dim(dim, self.rec.shapes[items[0]], layouts.pop()):
                raise Unsupported(f"cat along dim {dim}, not channels")
            return self.emit(n, self.op_id("cat"), "Concat", {}, [s[0] for s in srcs], srcs[0][1])
        if name in ("flatten",) or (name in ("view", "reshape") and self.is_batch_flatten(n)):
            if name == "flatten":
                start = kwargs.get("start_dim", args[1] if len(args) > 1 else 0)
                end = kwargs.get("end_dim", args[2] if len(args) > 2 else -1)
                if start != 1 or end != -1:
                    raise Unsupported(f"flatten({start}, {end})")
            src, layout, _ = self.inp(args[0])
            return self.flatten(n, self.op_id("flatten"), args[0], src, layout, self.rec.shapes[args[0]])
        if name == "mean":
            dims = kwargs.get("dim", args[1] if len(args) > 1 else None)
            keep = kwargs.get("keepdim", args[2] if len(args) > 2 else False)
            shape = self.rec.shapes[args[0]]
            src, layout, _ = self.inp(args[0])
            dims = sorted(d % len(shape) for d in (dims if isinstance(dims, (list, tuple)) else [dims]))
            if layout != "cf" or len(shape) != 4 or dims != [2, 3]:
                raise Unsupported(f"mean over {dims}")
            nid = self.op_id("mean")
            if keep:
                return self.global_pool(n, nid, "GlobalAvgPool2D", src, keep_dims=True)
            return self.emit(n, nid, "GlobalAvgPool2D", {}, [src], "cf")
        if name in ("adaptive_avg_pool2d", "adaptive_max_pool2d", "adaptive_avg_pool1d", "adaptive_max_pool1d"):
            src, layout, _ = self.inp(args[0])
            self.need_layout(layout, "cf", name)
            out = kwargs.get("output_size", args[1] if len(args) > 1 else None)
            return self.adaptive_pool(n, self.op_id(name), "avg" if "avg" in name else "max", 2 if name.endswith("2d") else 1, out, src, self.rec.shapes[args[0]])
        if name in ("max_pool2d", "avg_pool2d", "max_pool1d", "avg_pool1d"):
            src, layout, _ = self.inp(args[0])
            self.need_layout(layout, "cf", name)
            b = bind(getattr(F, name), args, kwargs)
            if name.startswith("max") and any(d != 1 for d in pair(b.get("dilation", 1), 2 if name.endswith("2d") else 1)):
                raise Unsupported("max pooling with dilation")
            return self.pool(n, self.op_id(name), "max" if name.startswith("max") else "avg", 2 if name.endswith("2d") else 1,
                             b["kernel_size"], b.get("stride"), b.get("padding", 0), b.get("ceil_mode", False),
                             b.get("count_include_pad", True), src, self.rec.shapes[args[0]], b.get("divisor_override"))
        if name == "interpolate":
            b = bind(F.interpolate, args, kwargs)
            src, layout, _ = self.inp(b["input"])
            size = b.get("size")
            size_source = None
            if isinstance(size, torch.fx.Node) or (isinstance(size, (list, tuple)) and any(isinstance(s, torch.fx.Node) for s in size)):
                ref = self.shape_source(size)
                if ref is None:
                    raise Unsupported("interpolate to a computed size")
                size_source = self.inp(ref)[0]
            return self.upsample(n, self.op_id("interpolate"), src, layout, size, b.get("scale_factor"), b.get("mode", "nearest"), b.get("align_corners"), size_source)
        if name == "pad":
            b = bind(F.pad, args, kwargs)
            src, layout, _ = self.inp(b["input"])
            return self.padding(n, self.op_id("pad"), src, layout, b["pad"], b.get("mode", "constant"), b.get("value") or 0.0)
        if name == "channel_shuffle":
            src, layout, _ = self.inp(args[0])
            self.need_layout(layout, "cf", name)
            groups = kwargs.get("groups", args[1] if len(args) > 1 else None)
            self.note_new("ChannelShuffle")
            return self.emit(n, self.op_id("channel_shuffle"), "ChannelShuffle", {"groups": int(groups)}, [src], "cf")
        if name == "center_crop":
            src, layout, _ = self.inp(args[0])
            ref, _, _ = self.inp(args[1])
            self.note_new("Cropping2D")
            return self.emit(n, self.op_id("crop"), "Cropping2D", {}, [src, ref], "cf")
        if name == "getitem" and isinstance(args[0], torch.fx.Node):
            return self.getitem(n, args[0], args[1])
        raise Unsupported(f"no design layer for {name}")

    def permute_alias(self, n):
        """permute between channels-first (N, C, H, W) and channels-last (N, H, W, C): the same design tensor."""
        x = n.args[0]
        dims = list(n.args[1:]) if len(n.args) > 2 else list(n.args[1] if len(n.args) > 1 else n.kwargs.get("dims"))
        src, layout, marks = self.inp(x)
        rank = len(self.rec.shapes[x])
        to_last = [0] + list(range(2, rank)) + [1]
        to_first = [0, rank - 1] + list(range(1, rank - 1))
        if layout == "cf" and dims == to_last:
            self.value_of[n] = (src, "cl", marks)
            return True
        if layout == "cl" and dims == to_first:
            self.value_of[n] = (src, "cf", marks)
            return True
        return False

    def is_batch_flatten(self, n):
        shape = self.rec.shapes[n]
        return len(shape) == 2 and shape[0] == self.rec.shapes[n.args[0]][0]

    def shape_source(self, arg):
        """The tensor whose .shape / .size() an argument was computed from, if any."""
        seen = []
        stack = list(flatten_args(arg))
        while stack:
            a = stack.pop()
            if not isinstance(a, torch.fx.Node):
                continue
            if a.op == "call_function" and a.target is getattr and a.args[1] == "shape" or (a.op == "call_method" and a.target == "size"):
                seen.append(a.args[0])
                continue
            if a.op == "call_function" and a.target is operator.getitem:
                stack.append(a.args[0])
        return seen[0] if seen and all(s is seen[0] for s in seen) else None

    def binary(self, n, op, args, kwargs):
        a, b = args[0], args[1] if len(args) > 1 else kwargs.get("other")
        nodes = [x for x in (a, b) if isinstance(x, torch.fx.Node)]
        design = [self.value_of[x] for x in nodes]
        tensors = [d for d in design if d[0] not in ("meta", "param")]
        params = [d for d in design if d[0] == "param"]
        if op == "add" and len(tensors) == 2 and len(nodes) == 2 and "alpha" not in kwargs:
            if tensors[0][1] != tensors[1][1]:
                raise Unsupported("add of tensors in different layouts")
            return self.emit(n, self.op_id("add"), "Add", {}, [t[0] for t in tensors], tensors[0][1])
        if op == "mul" and len(tensors) == 2:
            if tensors[0][1] != tensors[1][1]:
                raise Unsupported("mul of tensors in different layouts")
            self.note_new("Multiply")
            return self.emit(n, self.op_id("mul"), "Multiply", {}, [t[0] for t in tensors], tensors[0][1])
        if op == "mul" and len(tensors) == 1 and len(params) == 1:
            target = params[0][2]["target"]
            p = self.gm.get_parameter(target) if hasattr(self.gm, "get_parameter") else None
            x_shape = self.rec.shapes[nodes[0] if self.value_of[nodes[0]][0] not in ("param",) else nodes[1]]
            channels = x_shape[1] if tensors[0][1] == "cf" else x_shape[-1]
            if p is not None and p.numel() == channels:
                # Named after the parameter (e.g. features_1_0_layer_scale), as a module would be.
                nid = self.unique(target.replace(".", "_"))
                self.used_params.add(target)
                self.note_new("LayerScale")
                init = float(f"{float(p.detach().flatten()[0]):.7g}")  # float32 → its shortest decimal
                state = {"scale": {"key": target, "kind": "param" if p.requires_grad else "frozen"}}
                return self.emit(n, nid, "LayerScale", {"initValue": init}, [tensors[0][0]], tensors[0][1], state=state)
        raise Unsupported(f"{op} of {len(tensors)} tensor(s) and {len(params)} parameter(s) and constants")

    def getitem(self, n, container, index):
        """One piece of x.chunk(k, dim=1) / torch.split(x, s, dim=1): a ChannelSlice."""
        if container.op not in ("call_method", "call_function") or getattr(container.target, "__name__", container.target) not in ("chunk", "split"):
            raise Unsupported("indexing a tensor")
        src_node = container.args[0]
        src, layout, _ = self.inp(src_node)
        kind = getattr(container.target, "__name__", container.target)
        dim = container.kwargs.get("dim", container.args[2] if len(container.args) > 2 else 0)
        if not is_channel_dim(dim, self.rec.shapes[src_node], layout):
            raise Unsupported(f"{kind} along dim {dim}, not channels")
        pieces = self.rec.values[container]
        start = sum(p.shape[dim] for p in pieces[:index])
        end = start + pieces[index].shape[dim]
        self.note_new("ChannelSlice")
        return self.emit(n, self.op_id("slice"), "ChannelSlice", {"start": start, "end": end}, [src], layout)


def pool_ceil_size(size, k, s, p):
    out = math.ceil((size + 2 * p - k) / s) + 1
    if (out - 1) * s >= size + p:  # the last window must start inside the input or the left padding
        out -= 1
    return out


def is_channel_dim(dim, shape, layout):
    if dim is None:
        return False
    d = dim % len(shape)
    return d == (1 if layout == "cf" else len(shape) - 1) or len(shape) == 2 and d == 1


# Argument names of functions that are C builtins (no inspectable signature) in torch 1.13.
BUILTIN_SIGNATURES = {
    "avg_pool2d": ["input", "kernel_size", "stride", "padding", "ceil_mode", "count_include_pad", "divisor_override"],
    "avg_pool1d": ["input", "kernel_size", "stride", "padding", "ceil_mode", "count_include_pad"],
    "max_pool2d": ["input", "kernel_size", "stride", "padding", "dilation", "ceil_mode", "return_indices"],
    "max_pool1d": ["input", "kernel_size", "stride", "padding", "dilation", "ceil_mode", "return_indices"],
}


def bind(fn, args, kwargs):
    name = getattr(fn, "__name__", "")
    if name in BUILTIN_SIGNATURES:
        return {**dict(zip(BUILTIN_SIGNATURES[name], args)), **kwargs}
    try:
        bound = inspect.signature(fn).bind(*args, **kwargs)
        return dict(bound.arguments)
    except ValueError:
        names = BUILTIN_SIGNATURES[name]
        return {**dict(zip(names, args)), **kwargs}


def flatten_args(a):
    if isinstance(a, (list, tuple)):
        for x in a:
            yield from flatten_args(x)
    elif isinstance(a, dict):
        for x in a.values():
            yield from flatten_args(x)
    else:
        yield a


def describe(n):
    if n.op == "call_module":
        return n.target
    target = n.target if isinstance(n.target, str) else getattr(n.target, "__name__", str(n.target))
    return f"{'.' if n.op == 'call_method' else ''}{target}()"


def module_activation(m, in_shape, layout):
    """Activation name and extra params of an activation module, or None."""
    if isinstance(m, nn.ReLU):
        return "relu", {}
    if isinstance(m, nn.ReLU6) or isinstance(m, nn.Hardtanh) and m.min_val == 0 and m.max_val == 6:
        return "relu6", {}
    if isinstance(m, nn.LeakyReLU):
        return "leakyRelu", ({} if m.negative_slope == 0.01 else {"alpha": m.negative_slope})
    if isinstance(m, nn.ELU):
        return "elu", ({} if m.alpha == 1.0 else {"alpha": m.alpha})
    if isinstance(m, nn.GELU):
        return ("gelu" if m.approximate == "none" else "geluTanh"), {}
    if isinstance(m, nn.SiLU):
        return "silu", {}
    if isinstance(m, nn.Hardswish):
        return "hardswish", {}
    if isinstance(m, nn.Hardsigmoid):
        return "hardsigmoid", {}
    if isinstance(m, nn.Sigmoid):
        return "sigmoid", {}
    if isinstance(m, nn.Tanh):
        return "tanh", {}
    if isinstance(m, nn.Mish):
        return "mish", {}
    if isinstance(m, nn.Softplus) and m.beta == 1 and m.threshold == 20:
        return "softplus", {}
    if isinstance(m, (nn.Softmax, nn.LogSoftmax)) and is_channel_dim(m.dim, in_shape, layout):
        return ("softmax" if isinstance(m, nn.Softmax) else "logSoftmax"), {}
    return None


FUNCTION_ACTIVATIONS = {
    "relu": "relu", "relu_": "relu", "relu6": "relu6", "silu": "silu", "hardswish": "hardswish", "hardsigmoid": "hardsigmoid",
    "sigmoid": "sigmoid", "sigmoid_": "sigmoid", "tanh": "tanh", "gelu": "gelu", "mish": "mish", "softplus": "softplus",
    "leaky_relu": "leakyRelu", "elu": "elu", "softmax": "softmax", "log_softmax": "logSoftmax",
}


def function_activation(n, name, args, kwargs):
    if name not in FUNCTION_ACTIVATIONS:
        return None
    fn = FUNCTION_ACTIVATIONS[name]
    extra = {}
    if name == "gelu" and kwargs.get("approximate", "none") == "tanh":
        fn = "geluTanh"
    if name == "leaky_relu":
        slope = kwargs.get("negative_slope", args[1] if len(args) > 1 else 0.01)
        if slope != 0.01:
            extra["alpha"] = slope
    if name == "elu":
        alpha = kwargs.get("alpha", args[1] if len(args) > 1 else 1.0)
        if alpha != 1.0:
            extra["alpha"] = alpha
    if name == "softplus" and (kwargs.get("beta", 1) != 1 or kwargs.get("threshold", 20) != 20):
        return None
    return fn, extra


# ---------------------------------------------------------------------------------------------


def convert(name, input_shape, literal=False, depthwise=False, seed=0):
    torch.manual_seed(seed)
    model = build_model(name)
    conv = Converter(model, input_shape, literal=literal, depthwise=depthwise)
    output = conv.run(seed)
    outputs = [o for o in flatten_args(output if not isinstance(output, dict) else list(output.values())) if torch.is_tensor(o)]
    conv.output_tensors = outputs
    # Only what the network computes counts: auxiliary heads unused in eval mode are left out.
    params = sum(e["params"] for e in conv.ref.values())
    buffers = sum(e["buffers"] for e in conv.ref.values())
    used = set()
    for e in conv.ref.values():
        used.update(info["key"] for info in e.get("stateDict", {}).values())
    unused = sorted(k for k in conv.state if k not in used and not k.endswith("num_batches_tracked"))
    tag = f"{name}_{'x'.join(map(str, input_shape))}"
    design = {
        "format": "cnn-designer",
        "version": 1,
        "name": f"{name} {'×'.join(map(str, input_shape))} (torchvision)",
        "description": f"torchvision.models {name}, converted by rule from a torch.fx trace at input {list(input_shape)} (channels-first).",
        "nodes": conv.nodes,
        "edges": conv.edges,
        "training": {},
    }
    reference = {
        "model": name,
        "input": list(input_shape),
        "versions": {"torch": torch.__version__, "torchvision": torchvision.__version__},
        "order": [nd["id"] for nd in conv.nodes],
        "nodes": conv.ref,
        "outputs": [o["id"] for o in getattr(conv, "outputs", [])],
        "outputShapes": [channels_last(list(o.shape), out["layout"]) for o, out in zip(outputs, getattr(conv, "outputs", []))],
        "totals": {
            "params": params,
            "buffers": buffers,
            "modelParams": sum(p.numel() for p in model.parameters() if p.requires_grad),
            "unusedStateKeys": unused,
        },
        "newFormat": dict(sorted(conv.new_format.items())),
        "unsupported": conv.unsupported,
    }
    return tag, design, reference, conv


def randomized_state(model, seed):
    """The model's state with batch-norm statistics and affine terms randomized, so a wrong mapping shows."""
    g = torch.Generator().manual_seed(seed + 1)
    source = model.state_dict()
    state = type(source)((k, v.clone()) for k, v in source.items())
    # Versioned modules (MNASNet) read their version from the metadata when loading.
    state._metadata = getattr(source, "_metadata", None)
    for name, m in model.named_modules():
        if isinstance(m, (nn.BatchNorm1d, nn.BatchNorm2d)) and m.track_running_stats:
            c = m.num_features
            state[f"{name}.running_mean"] = torch.randn(c, generator=g) * 0.1
            state[f"{name}.running_var"] = torch.rand(c, generator=g) * 0.5 + 0.75
            if m.affine:
                state[f"{name}.weight"] = torch.rand(c, generator=g) * 0.5 + 0.75
                state[f"{name}.bias"] = torch.randn(c, generator=g) * 0.1
    return state


def write_job(model_name, input_shape, out, literal=False, depthwise=False, save_weights=False, seed=0):
    """Converts one network into `out`; returns the printed summary (failures are written too)."""
    os.makedirs(out, exist_ok=True)
    tag = f"{model_name}_{'x'.join(map(str, input_shape))}"
    try:
        tag, design, reference, conv = convert(model_name, input_shape, literal, depthwise, seed)
    except Exception as e:  # tracing or running failed: say so in the reference, for the table
        reference = {"model": model_name, "input": input_shape, "error": f"{type(e).__name__}: {e}", "traceback": traceback.format_exc()}
        with open(os.path.join(out, f"{tag}.reference.json"), "w") as f:
            json.dump(reference, f, indent=1)
        return f"{tag}: conversion failed: {type(e).__name__}: {e}"
    if save_weights:
        state = randomized_state(conv.model, seed)
        conv.model.load_state_dict(state)
        with torch.no_grad():
            result = conv.model(conv.input.clone())
        outputs = [o for o in flatten_args(result if not isinstance(result, dict) else list(result.values())) if torch.is_tensor(o)]
        torch.save(state, os.path.join(out, f"{tag}.state_dict.pt"))
        torch.save({"input": conv.input, "outputs": outputs}, os.path.join(out, f"{tag}.io.pt"))
        reference["files"] = {"stateDict": f"{tag}.state_dict.pt", "io": f"{tag}.io.pt"}
    with open(os.path.join(out, f"{tag}.cnn.json"), "w") as f:
        json.dump(design, f, indent=2, ensure_ascii=False)
        f.write("\n")
    with open(os.path.join(out, f"{tag}.reference.json"), "w") as f:
        json.dump(reference, f, indent=1)
    t = reference["totals"]
    lines = [f"{tag}: {len(design['nodes'])} nodes, {t['params']:,} params + {t['buffers']:,} BN statistics, outputs {reference['outputShapes']}"]
    if reference["newFormat"]:
        lines.append("  new-format types/params: " + ", ".join(f"{k}×{v}" for k, v in reference["newFormat"].items()))
    for u in reference["unsupported"]:
        lines.append(f"  UNSUPPORTED {u['node']} ({u['op']}): {u['reason']}")
    if t["unusedStateKeys"]:
        lines.append(f"  not used in eval mode: {len(t['unusedStateKeys'])} state_dict entries (e.g. {t['unusedStateKeys'][0]})")
    return "\n".join(lines)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", help="torchvision builder name (resnet18, mobilenet_v2, fcn_resnet50, ...) or unet")
    ap.add_argument("--input", help="C,H,W, e.g. 3,224,224")
    ap.add_argument("--out", help="output folder")
    ap.add_argument("--literal", action="store_true", help="one new-format type per PyTorch op, even where today's catalog has an exact equivalent")
    ap.add_argument("--depthwise", action="store_true", help="depthwise convolutions as DepthwiseConv2D (default: Conv2D with groups)")
    ap.add_argument("--save-weights", action="store_true", help="also write .state_dict.pt and .io.pt for numeric checks")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--jobs", help='JSON file: [{"model": ..., "input": [C, H, W], "saveWeights": bool}, ...], converted in one process into --out')
    ap.add_argument("--list", action="store_true", help="print the models this script knows")
    a = ap.parse_args()
    if a.list:
        print("\n".join(list_models()))
        return
    torch.set_num_threads(max(1, min(4, os.cpu_count() or 1)))
    if a.jobs and a.out:
        for job in json.load(open(a.jobs)):
            print(write_job(job["model"], [int(x) for x in job["input"]], a.out, job.get("literal", a.literal), job.get("depthwise", a.depthwise),
                            job.get("saveWeights", a.save_weights), a.seed), flush=True)
        return
    if not (a.model and a.input and a.out):
        ap.error("--model, --input and --out (or --jobs and --out) are required")
    summary = write_job(a.model, [int(x) for x in a.input.split(",")], a.out, a.literal, a.depthwise, a.save_weights, a.seed)
    print(summary)
    if "conversion failed" in summary.split("\n")[0]:
        sys.exit(2)


if __name__ == "__main__":
    main()
