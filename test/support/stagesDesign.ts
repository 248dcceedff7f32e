/**
 * A design text with two shape-keeping layers (a "same" convolution and a relu) between an input and
 * a classifier: the layers a block is made of, which a stage can then repeat.
 */
export const STAGES_DESIGN = `{
  "format": "cnn-designer",
  "version": 1,
  "name": "Stages",
  "nodes": [
    { "id": "input", "type": "Input", "params": { "shape": [16, 16, 3] }, "position": { "x": 100, "y": 0 } },
    { "id": "conv", "type": "Conv2D", "params": { "filters": 8, "kernelSize": 3, "padding": "same" }, "position": { "x": 100, "y": 130 } },
    { "id": "relu", "type": "Activation", "params": { "fn": "relu" }, "position": { "x": 100, "y": 260 } },
    { "id": "flatten", "type": "Flatten", "params": {}, "position": { "x": 100, "y": 390 } },
    { "id": "fc", "type": "Dense", "params": { "units": 10 }, "position": { "x": 100, "y": 520 } }
  ],
  "edges": [
    { "source": "input", "target": "conv" },
    { "source": "conv", "target": "relu" },
    { "source": "relu", "target": "flatten" },
    { "source": "flatten", "target": "fc" }
  ],
  "training": {}
}
`;
