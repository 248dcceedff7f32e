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
  /**
   * A block instance only: how many copies of the block run one after the other (a stage), an
   * integer or a "$parameter" expression inside a block. Copies are numbered from 0.
   */
  repeat?: number | string;
  /** A block instance with `repeat` only: arguments of single copies, by copy number ("0" is the first). */
  overrides?: Record<string, Record<string, unknown>>;
  /**
   * A node inside a block only: a "$parameter" expression; when it is false the node is bypassed
   * (its one input flows straight to its consumers), as a ResNet block's downsample is; a left-out
   * Add passes on its first input, a residual connection only where the shape allows.
   */
  when?: boolean | string;
  /** Keys this version does not know, kept verbatim on round trip. */
  extra?: Record<string, unknown>;
}

export interface DesignEdge {
  source: string;
  target: string;
  /** When `source` is a block instance with several outputs: which one. */
  sourcePort?: string;
  /** When `target` is a block instance with several inputs: which one (otherwise they bind in edge order). */
  targetPort?: string;
  extra?: Record<string, unknown>;
}

/** A declared parameter of a block; a block parameter without a default must be given by every instance. */
export interface BlockParam {
  default?: unknown;
  /** One line for people and for generated code. */
  doc?: string;
}

/**
 * A named sub-network defined once and used as a node type ("instance") any number of times: its
 * nodes read the block's `inputs` by name, its `outputs` name the nodes whose outputs leave it, and
 * its node parameters may be "$parameter" expressions of the block's `params`.
 */
export interface BlockDefinition {
  description?: string;
  params: Record<string, BlockParam>;
  inputs: string[];
  outputs: string[];
  nodes: DesignNode[];
  edges: DesignEdge[];
  extra?: Record<string, unknown>;
}

/**
 * A block defined in another design file of the workspace, written in `blocks` as
 * `"Bottleneck": {"from": "./resnet-blocks.cnn.json"}`: the block of that name there (or the one
 * `block` names) is used here as if it were defined in this design.
 */
export interface BlockImport {
  /** The other design file, relative to this one's folder: "./blocks.cnn.json", "../shared/resnet.cnn.json". */
  from: string;
  /** The block's name in that file, when it differs from the name it has here. */
  block?: string;
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
  /** Reusable blocks by name; a node whose type names one is an instance of it. */
  blocks?: Record<string, BlockDefinition>;
  /** Blocks of other design files, by the name they have here (written in `blocks` with "from"). */
  blockImports?: Record<string, BlockImport>;
  extra?: Record<string, unknown>;
}

/** A fresh, empty design. */
export function emptyDesign(name = 'Untitled'): Design {
  return { format: DESIGN_FORMAT, version: DESIGN_VERSION, name, nodes: [], edges: [], training: {} };
}
