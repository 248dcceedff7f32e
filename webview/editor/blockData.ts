import type { Diagnostic, FixEdit } from '../../src/core/analysis/diagnostic';

/** What one block on the canvas shows; plain data so unchanged blocks are not re-rendered. */
export interface BlockData extends Record<string, unknown> {
  id: string;
  title: string;
  type: string;
  label: string;
  summary: string;
  shape: string;
  params: number;
  status: 'ok' | Diagnostic['severity'];
  problem?: string;
  fix?: { title: string; edit: FixEdit };
  /** Cost relative to the costliest block (0..1), when the heat-map is on. */
  heat?: number;
  /** Share (0..1) of the design's params or MACs, when the heat-map is on. */
  share?: number;
  /** Inputs this layer type takes, to draw its ports. */
  maxInputs: number;
  /** A block instance: it opens on double-click. */
  instance?: boolean;
  /** A stage: how many copies of its block the instance runs (drawn stacked with a ×N badge). */
  repeat?: number;
  /** Inside an opened block: one of the block's inputs or outputs rather than a layer. */
  port?: 'in' | 'out';
  /** Inside an opened block: a layer whose `when` is false for this instance, so its input flows past it. */
  bypassed?: boolean;
}
