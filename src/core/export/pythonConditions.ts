import type { CopyLineLanguage } from './unifyCopyLines';

/** How Python code (PyTorch's and Keras') reads the values of a line and writes the conditions between copies of a block. */
export const pythonConditions: Pick<CopyLineLanguage, 'value' | 'branches' | 'equals'> = {
  value: /(\b\d+(?:\.\d+)?(?:e[+-]?\d+)?\b|\bTrue\b|\bFalse\b)/,
  branches: (cases) => cases.flatMap((c, i) => [c.test === undefined ? 'else:' : `${i === 0 ? 'if' : 'elif'} ${c.test}:`, ...(c.lines.length ? c.lines : ['pass']).map((l) => `    ${l}`)]),
  equals: (variable, literals) => (literals.length === 1 ? `${variable} == ${literals[0]}` : `${variable} in (${literals.join(', ')})`),
};
