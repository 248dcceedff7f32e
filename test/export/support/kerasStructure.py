"""Reads exported tf.keras files without TensorFlow: compiles each (as py_compile does) and lists the
layers it builds, with their keyword arguments and the layers they are called on.

Usage: python kerasStructure.py FILES.json RESULTS.json   (FILES.json: {id: path})
"""
import ast
import json
import sys


def layer_class(call):
    func = call.func
    if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and func.value.id == "layers":
        return func.attr
    if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and func.value.id == "keras" and func.attr == "Input":
        return "InputLayer"
    if isinstance(func, ast.Name) and func.id.startswith("Cnn"):
        return func.id
    return None


def structure(source, path):
    tree = ast.parse(source, path)
    compile(tree, path, "exec")
    layers = {}
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        cls = layer_class(node)
        if cls is not None:
            kwargs = {k.arg: ast.literal_eval(k.value) for k in node.keywords}
            # The walk may have met the call applying this layer first: keep what it recorded.
            layers.setdefault(kwargs["name"], {}).update({"className": cls, "kwargs": kwargs})
        elif isinstance(node.func, ast.Call) and layer_class(node.func) is not None:
            # layers.X(...)(inputs): the functional API.
            arg = node.args[0]
            names = [e.id for e in arg.elts] if isinstance(arg, ast.List) else [arg.id]
            name = ast.literal_eval(next(k.value for k in node.func.keywords if k.arg == "name"))
            layers.setdefault(name, {})["callInputs"] = names
        elif isinstance(node.func, ast.Attribute) and node.func.attr == "Sequential":
            elements = node.args[0].elts
            names = [ast.literal_eval(next(k.value for k in e.keywords if k.arg == "name")) for e in elements]
            for previous, name in zip(names, names[1:]):
                layers.setdefault(name, {})["sequentialInput"] = previous
    variables = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Call):
            call = node.value
            inner = call.func if isinstance(call.func, ast.Call) else call
            if layer_class(inner) is not None:
                name = ast.literal_eval(next(k.value for k in inner.keywords if k.arg == "name"))
                variables[node.targets[0].id] = name
    for name, layer in layers.items():
        if "callInputs" in layer:
            layer["inputs"] = [variables[v] for v in layer.pop("callInputs")]
        elif "sequentialInput" in layer:
            layer["inputs"] = [layer.pop("sequentialInput")]
        else:
            layer["inputs"] = []
    return {"sequential": any(isinstance(n, ast.Attribute) and n.attr == "Sequential" for n in ast.walk(tree)), "layers": layers}


def main():
    files = json.load(open(sys.argv[1]))
    results = {}
    for key, path in files.items():
        try:
            results[key] = structure(open(path).read(), path)
        except Exception as err:
            results[key] = {"error": f"{type(err).__name__}: {err}"}
    json.dump(results, open(sys.argv[2], "w"))


if __name__ == "__main__":
    main()
