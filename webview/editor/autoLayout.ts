import type { Position } from '../../src/core/design';

export interface LayoutBox {
  id: string;
  width: number;
  height: number;
}

/** What the separately loaded layout engine (layoutEngine.ts, ELK) offers the editor. */
export interface LayoutEngine {
  layout(boxes: LayoutBox[], edges: { source: string; target: string }[]): Promise<Record<string, Position>>;
}

declare global {
  interface Window {
    /** Set by dist/webview/layoutEngine.js when it has loaded. */
    cnnDesignerLayoutEngine?: LayoutEngine;
  }
}

/** The layout engine's script, next to this bundle (dist/webview/). */
const ENGINE_FILE = 'layoutEngine.js';

// The editor's own <script> element, known only while the bundle first runs: its address locates
// the engine beside it (the webview URI the host gave it) and its nonce lets the engine's script
// pass the Content-Security-Policy.
const editorScript = document.currentScript instanceof HTMLScriptElement ? document.currentScript : undefined;

let engine: Promise<LayoutEngine> | undefined;

/**
 * The layout engine, loaded on first use: ELK is 1.5 MB of the editor's 2.1 MB, and most sessions
 * never lay out, so it is not part of the editor's bundle.
 */
function loadLayoutEngine(): Promise<LayoutEngine> {
  engine ??= new Promise<LayoutEngine>((resolve, reject) => {
    const script = document.createElement('script');
    script.src = new URL(ENGINE_FILE, editorScript?.src || document.baseURI).href;
    if (editorScript?.nonce) script.nonce = editorScript.nonce;
    script.onload = () => (window.cnnDesignerLayoutEngine ? resolve(window.cnnDesignerLayoutEngine) : reject(new Error('The layout engine loaded but did not start.')));
    script.onerror = () => reject(new Error(`The layout engine could not be loaded (${script.src}).`));
    document.head.append(script);
  }).catch((err: unknown) => {
    engine = undefined; // a later auto-layout tries again
    throw err;
  });
  return engine;
}

/** Top-to-bottom layered positions for the blocks (ELK's layered algorithm), top-left corners. */
export async function autoLayout(boxes: LayoutBox[], edges: { source: string; target: string }[]): Promise<Record<string, Position>> {
  return (await loadLayoutEngine()).layout(boxes, edges);
}
