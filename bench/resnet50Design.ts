import { emptyDesign, type Design } from '../src/core/design';

/**
 * ResNet-50 as torchvision.models.resnet50 defines it (bottleneck blocks 3, 4, 6, 3; stride on the
 * 3×3 convolution), built in code so the benches need no Python: 25.6 M parameters, 177 layers.
 */
export function resnet50Design(): Design {
  const design = emptyDesign('ResNet-50');
  const bn = { momentum: 0.9, epsilon: 0.00001 };
  const add = (id: string, type: string, params: Record<string, unknown>, ...sources: string[]): string => {
    design.nodes.push({ id, type, params });
    for (const source of sources) design.edges.push({ source, target: id });
    return id;
  };
  const conv = (id: string, filters: number, kernelSize: number, strides: number, source: string): string =>
    add(id, 'Conv2D', { filters, kernelSize, strides, padding: (kernelSize - 1) / 2, useBias: false }, source);

  let x = add('input', 'Input', { shape: [224, 224, 3] });
  x = conv('conv1', 64, 7, 2, x);
  x = add('bn1', 'BatchNorm', bn, x);
  x = add('relu', 'Activation', { fn: 'relu' }, x);
  x = add('maxpool', 'MaxPool2D', { poolSize: 3, strides: 2, padding: 1 }, x);
  const stages: [blocks: number, width: number][] = [[3, 64], [4, 128], [6, 256], [3, 512]];
  stages.forEach(([blocks, width], stage) => {
    for (let block = 0; block < blocks; block++) {
      const p = `layer${stage + 1}_${block}`;
      const stride = block === 0 && stage > 0 ? 2 : 1;
      let y = conv(`${p}_conv1`, width, 1, 1, x);
      y = add(`${p}_bn1`, 'BatchNorm', bn, y);
      y = add(`${p}_relu1`, 'Activation', { fn: 'relu' }, y);
      y = conv(`${p}_conv2`, width, 3, stride, y);
      y = add(`${p}_bn2`, 'BatchNorm', bn, y);
      y = add(`${p}_relu2`, 'Activation', { fn: 'relu' }, y);
      y = conv(`${p}_conv3`, width * 4, 1, 1, y);
      y = add(`${p}_bn3`, 'BatchNorm', bn, y);
      let shortcut = x;
      if (block === 0) {
        shortcut = conv(`${p}_downsample_conv`, width * 4, 1, stride, x);
        shortcut = add(`${p}_downsample_bn`, 'BatchNorm', bn, shortcut);
      }
      const sum = add(`${p}_add`, 'Add', {}, y, shortcut);
      x = add(`${p}_relu3`, 'Activation', { fn: 'relu' }, sum);
    }
  });
  x = add('avgpool', 'GlobalAvgPool2D', {}, x);
  add('fc', 'Dense', { units: 1000, activation: 'softmax' }, x);
  return design;
}
