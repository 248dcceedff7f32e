import type { Design } from '../design';

/** Words that cannot name a variable in Python or JavaScript, or that the generated code itself uses. */
const RESERVED = new Set([
  // Python keywords and constants
  'False', 'None', 'True', 'and', 'as', 'assert', 'async', 'await', 'break', 'class', 'continue', 'def', 'del', 'elif', 'else', 'except',
  'finally', 'for', 'from', 'global', 'if', 'import', 'in', 'is', 'lambda', 'nonlocal', 'not', 'or', 'pass', 'raise', 'return', 'try',
  'while', 'with', 'yield',
  // JavaScript keywords and globals the generated code relies on
  'arguments', 'case', 'catch', 'const', 'debugger', 'default', 'delete', 'do', 'enum', 'eval', 'export', 'extends', 'false', 'function',
  'implements', 'instanceof', 'interface', 'let', 'new', 'null', 'package', 'private', 'protected', 'public', 'static', 'super', 'switch',
  'this', 'throw', 'true', 'typeof', 'undefined', 'var', 'void', 'NaN', 'Infinity', 'Math', 'Object', 'Array', 'console', 'require',
  'module', 'exports',
  // Names of the generated code
  'self', 'torch', 'nn', 'F', 'tf', 'layers', 'x', 'model', 'inputs', 'outputs', 'buildModel', 'build_model', 'float', 'super_',
]);

/**
 * One identifier per node, valid in Python and JavaScript and unique in the design, as close to the
 * node id as possible: the PyTorch attribute and variable, the TF.js variable and the Keras layer
 * name of a node all use it, so the exports read like the design.
 */
export function identifierNames(design: Design): Map<string, string> {
  const names = new Map<string, string>();
  const taken = new Set<string>();
  for (const node of design.nodes) {
    if (names.has(node.id)) continue;
    let base = node.id.replace(/[^A-Za-z0-9_]/g, '_');
    if (!base || /^[0-9]/.test(base)) base = `n_${base}`;
    if (RESERVED.has(base)) base = `${base}_`;
    let name = base;
    for (let i = 2; taken.has(name); i++) name = `${base}_${i}`;
    taken.add(name);
    names.set(node.id, name);
  }
  return names;
}

/** The design name as a class name: "MNIST CNN (course lab)" → "MNISTCNNCourseLab". */
export function className(designName: string): string {
  const words = designName.split(/[^A-Za-z0-9]+/).filter(Boolean);
  const name = words.map((w) => w[0].toUpperCase() + w.slice(1)).join('');
  if (!name) return 'Net';
  return /^[0-9]/.test(name) ? `Net${name}` : name;
}

/** The design name as a file stem: "MNIST CNN (course lab)" → "mnist_cnn_course_lab". */
export function fileStem(designName: string): string {
  const stem = designName
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean)
    .join('_');
  if (!stem) return 'model';
  return /^[0-9]/.test(stem) ? `model_${stem}` : stem;
}
