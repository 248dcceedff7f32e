import type { FixEdit } from '../analysis/diagnostic';
import type { DesignEdge, DesignNode, Position } from '../design';

/** Nodes and edges copied from a design, as they travel through the clipboard. */
export interface ClipboardFragment {
  nodes: DesignNode[];
  edges: DesignEdge[];
}

/**
 * What the user asked the editor to do, in design terms. The editor never edits the text itself:
 * it sends one of these, and whoever owns the document turns it into one edit.
 */
export type EditIntention =
  /**
   * The structure edits (addLayer, connect, disconnect, delete, move) act on the design's own layers,
   * or, with `block`, on the layers of that block's definition, where the block's inputs and outputs
   * (by the names its `inputs` and `outputs` give them) can be wired like layers.
   */
  /** A new layer of `layerType` at `position`, with the layer's defaults for required parameters; optionally fed by `connectFrom`. */
  | { kind: 'addLayer'; layerType: string; position: Position; params?: Record<string, unknown>; connectFrom?: string; block?: string }
  /** A connection from `source`'s output to `target`'s input. */
  | { kind: 'connect'; source: string; target: string; block?: string }
  | { kind: 'disconnect'; source: string; target: string; block?: string }
  /** Removes nodes (with their connections) and connections. */
  | { kind: 'delete'; nodeIds: string[]; edges: { source: string; target: string }[]; block?: string }
  /** New positions, e.g. at the end of a drag or after auto-layout. */
  | { kind: 'move'; positions: Record<string, Position>; block?: string }
  /** Sets parameters; a null value removes the parameter so its default applies. */
  | { kind: 'setParams'; nodeId: string; params: Record<string, unknown> }
  /** A new display name (empty removes it) and/or a new id (connections follow). */
  | { kind: 'rename'; nodeId: string; name?: string; newId?: string }
  /** Inserts copied nodes with fresh ids, shifted so their top-left corner lands at `position`. */
  | { kind: 'paste'; fragment: ClipboardFragment; position: Position }
  /** One of the analysis' suggested fixes. */
  | { kind: 'applyFix'; edit: FixEdit }
  /** Moves the layers `nodeIds` into a new block (named `blockName`, or a free "Block…") and puts one instance of it in their place. */
  | { kind: 'makeBlock'; nodeIds: string[]; blockName?: string }
  /** How many copies of its block an instance runs one after the other; null removes `repeat` (one copy). */
  | { kind: 'setRepeat'; nodeId: string; repeat: number | null }
  /** Sets parameters of the node `nodeId` inside the definition of `block` (a value may be a "$parameter" expression); null removes one. */
  | { kind: 'setBlockNodeParams'; block: string; nodeId: string; params: Record<string, unknown> };

export type EditIntentionKind = EditIntention['kind'];

/** The intentions that may act inside a block's definition (they carry `block`). */
export type StructureIntention = Extract<EditIntention, { kind: 'addLayer' | 'connect' | 'disconnect' | 'delete' | 'move' }>;
