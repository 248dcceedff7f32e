/**
 * The choices the settings form offers. Kept here rather than imported from the trainer, whose modules
 * load TF.js and image decoders the extension host must not load; a test keeps the lists equal.
 */
export const DATASET_CHOICES = ['mnist-sample', 'mnist', 'fashion-mnist', 'cifar10', 'imagefolder'];
export const BACKEND_CHOICES = ['auto', 'tensorflow-gpu', 'tensorflow', 'wasm', 'cpu'];
