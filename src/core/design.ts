/**
 * The `.cnn.json` design format, version 1. The text document is the only source of truth;
 * these types describe a document that has been parsed and structurally normalized.
 */

import type { TrainingSettings } from './training/trainingSettingsSpec';

export const DESIGN_FORMAT = 'cnn-designer';
export const DESIGN_VERSION = 1;

/** Channels-last tensor shape without the batch axis: [H, W, C], [L, C] or [N]. */
export type Shape = number[];

export interface Position {
  x: number;
  y: number;
}

export interface DesignNode {
  id: string;
  type: string;
  /** Optional display name; the id is used where it is absent. */
  name?: string;
  params: Record<string, unknown>;
  position?: Position;
  /** Keys this version does not know, kept verbatim on round trip. */
  extra?: Record<string, unknown>;
}

export interface DesignEdge {
  source: string;
  target: string;
  extra?: Record<string, unknown>;
}

export type { OptimizerName, ScheduleName, TrainingSettings } from './training/trainingSettingsSpec';

export interface Design {
  format: typeof DESIGN_FORMAT;
  version: number;
  name: string;
  description?: string;
  nodes: DesignNode[];
  edges: DesignEdge[];
  training: TrainingSettings;
  extra?: Record<string, unknown>;
}

/** A fresh, empty design. */
export function emptyDesign(name = 'Untitled'): Design {
  return { format: DESIGN_FORMAT, version: DESIGN_VERSION, name, nodes: [], edges: [], training: {} };
}
