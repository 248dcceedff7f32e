"""Runs an exported tf.keras file's build_model() without TensorFlow, against stand-ins that record
every layer built: its class, keyword arguments (with the name evaluated, as block functions compute
it) and the layers it is called on.

Usage: python kerasTrace.py MODULE.py   Prints one JSON line: {layer name: {"className", "kwargs", "inputs"}}.
"""
import importlib.util
import json
import sys
import types

built = {}


class Tensor:
    def __init__(self, name):
        self.name = name


class Layer:
    def __init__(self, **kwargs):
        self._kwargs = kwargs
        self._name = kwargs.get("name")
        built[self._name] = {"className": type(self).__name__, "kwargs": kwargs, "inputs": None}

    def __call__(self, inputs):
        given = inputs if isinstance(inputs, list) else [inputs]
        built[self._name]["inputs"] = [t.name for t in given]
        return Tensor(self._name)


class LayersModule(types.ModuleType):
    Layer = Layer

    def __getattr__(self, cls):
        # layers.Conv2D(...) and the like: a Layer subclass named as Keras names it.
        made = type(cls, (Layer,), {"__init__": lambda self, *args, **kwargs: Layer.__init__(self, **kwargs) if not args else Layer.__init__(self, **dict(kwargs, args=list(args)))})
        setattr(self, cls, made)
        return made


layers = LayersModule("tensorflow.keras.layers")
keras = types.ModuleType("tensorflow.keras")
keras.layers = layers


def keras_input(shape, name):
    built[name] = {"className": "InputLayer", "kwargs": {"shape": list(shape), "name": name}, "inputs": []}
    return Tensor(name)


keras.Input = keras_input
keras.Model = lambda **kwargs: kwargs
keras.Sequential = lambda items, name=None: items
tensorflow = types.ModuleType("tensorflow")
tensorflow.keras = keras
sys.modules.update({"tensorflow": tensorflow, "tensorflow.keras": keras, "tensorflow.keras.layers": layers})

spec = importlib.util.spec_from_file_location("exported", sys.argv[1])
module = importlib.util.module_from_spec(spec)
spec.loader.exec_module(module)
module.build_model()
print(json.dumps(built, default=list))
