/**
 * A node id that is not in `taken`, derived from a layer type: "Conv2D" → "conv2d_1", "conv2d_2"...,
 * or from an existing id ("conv1" → "conv1_copy", "conv1_copy2"...) when copying.
 */
export function uniqueNodeId(base: string, taken: ReadonlySet<string>, style: 'type' | 'copy' = 'type'): string {
  if (style === 'copy') {
    if (!taken.has(`${base}_copy`)) return `${base}_copy`;
    for (let i = 2; ; i++) if (!taken.has(`${base}_copy${i}`)) return `${base}_copy${i}`;
  }
  const stem = base.toLowerCase().replace(/[^a-z0-9]+/g, '_').replace(/^_+|_+$/g, '') || 'layer';
  for (let i = 1; ; i++) if (!taken.has(`${stem}_${i}`)) return `${stem}_${i}`;
}
