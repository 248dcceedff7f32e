import { randomInt } from 'node:crypto';

export interface EditorHtmlResources {
  /** The webview's `cspSource` (where local resources may be loaded from). */
  cspSource: string;
  scriptUri: string;
  styleUri: string;
  /** A fresh random value per page; only scripts carrying it run. */
  nonce: string;
  title: string;
}

/**
 * A nonce for the Content-Security-Policy: 32 random alphanumerics from the operating system's
 * cryptographic generator, so that no page content can predict it (Math.random can be predicted).
 */
export function createNonce(): string {
  const chars = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  let out = '';
  for (let i = 0; i < 32; i++) out += chars[randomInt(chars.length)];
  return out;
}

const escapeAttr = (s: string): string => s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/**
 * A webview page: nothing remote, scripts only with the nonce, styles and images only from the
 * extension's own files. `allowInlineStyles` is for pages whose libraries set `style` attributes.
 */
export function webviewHtml(r: EditorHtmlResources, options: { allowInlineStyles: boolean }): string {
  const csp = [
    "default-src 'none'",
    `img-src ${r.cspSource} data: blob:`,
    `style-src ${r.cspSource}${options.allowInlineStyles ? " 'unsafe-inline'" : ''}`,
    `font-src ${r.cspSource}`,
    `script-src 'nonce-${r.nonce}'`,
    "connect-src 'none'",
    "worker-src 'none'",
    "frame-src 'none'",
    "form-action 'none'",
    "base-uri 'none'",
  ].join('; ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${escapeAttr(csp)}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${escapeAttr(r.styleUri)}">
<title>${escapeAttr(r.title)}</title>
</head>
<body>
<div id="root"></div>
<script nonce="${escapeAttr(r.nonce)}" src="${escapeAttr(r.scriptUri)}"></script>
</body>
</html>
`;
}

/** The editor webview's page; the canvas library sets inline styles on its elements. */
export function editorHtml(r: EditorHtmlResources): string {
  return webviewHtml(r, { allowInlineStyles: true });
}
