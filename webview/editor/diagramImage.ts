import type { Position } from '../../src/core/design';

export interface DiagramBlock {
  id: string;
  position: Position;
  width: number;
  height: number;
  lines: string[];
  status: string;
}

const escapeXml = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** The theme's colours, read from VS Code's CSS variables so the image matches what is on screen. */
function themeColors(): { bg: string; fg: string; border: string; edge: string; error: string; warning: string } {
  const style = getComputedStyle(document.body);
  const v = (name: string, fallback: string): string => style.getPropertyValue(name).trim() || fallback;
  return {
    bg: v('--vscode-editor-background', '#ffffff'),
    fg: v('--vscode-editor-foreground', '#1f1f1f'),
    border: v('--vscode-panel-border', '#888888'),
    edge: v('--vscode-editorLineNumber-foreground', '#888888'),
    error: v('--vscode-errorForeground', '#e51400'),
    warning: v('--vscode-editorWarning-foreground', '#bf8803'),
  };
}

/** A stand-alone SVG of the diagram for reports: blocks with their text and the shape-labelled connections. */
export function diagramSvg(blocks: DiagramBlock[], edges: { source: string; target: string; label: string }[]): string {
  const c = themeColors();
  const pad = 20;
  const minX = Math.min(...blocks.map((b) => b.position.x)) - pad;
  const minY = Math.min(...blocks.map((b) => b.position.y)) - pad;
  const maxX = Math.max(...blocks.map((b) => b.position.x + b.width)) + pad;
  const maxY = Math.max(...blocks.map((b) => b.position.y + b.height)) + pad;
  const byId = new Map(blocks.map((b) => [b.id, b]));
  const parts: string[] = [];
  for (const e of edges) {
    const s = byId.get(e.source);
    const t = byId.get(e.target);
    if (!s || !t) continue;
    const x1 = s.position.x + s.width / 2;
    const y1 = s.position.y + s.height;
    const x2 = t.position.x + t.width / 2;
    const y2 = t.position.y;
    const my = (y1 + y2) / 2;
    parts.push(`<path d="M${x1},${y1} C${x1},${my} ${x2},${my} ${x2},${y2}" fill="none" stroke="${c.edge}" stroke-width="1.5"/>`);
    if (e.label) parts.push(`<text x="${(x1 + x2) / 2 + 4}" y="${my}" font-size="10" fill="${c.fg}" opacity="0.8">${escapeXml(e.label)}</text>`);
  }
  for (const b of blocks) {
    const stroke = b.status === 'error' ? c.error : b.status === 'warning' ? c.warning : c.border;
    parts.push(`<rect x="${b.position.x}" y="${b.position.y}" width="${b.width}" height="${b.height}" rx="6" fill="${c.bg}" stroke="${stroke}" stroke-width="${b.status === 'ok' ? 1 : 2}"/>`);
    b.lines.forEach((line, i) => {
      parts.push(`<text x="${b.position.x + 8}" y="${b.position.y + 16 + i * 15}" font-size="${i === 0 ? 12 : 11}" font-weight="${i === 0 ? 600 : 400}" fill="${c.fg}">${escapeXml(line)}</text>`);
    });
  }
  const width = maxX - minX;
  const height = maxY - minY;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="${minX} ${minY} ${width} ${height}" font-family="sans-serif">
<rect x="${minX}" y="${minY}" width="${width}" height="${height}" fill="${c.bg}"/>
${parts.join('\n')}
</svg>
`;
}

/** Renders the SVG to a PNG at `scale` and returns it base64-encoded (without the data: prefix). */
export async function svgToPngBase64(svg: string, scale = 2): Promise<string> {
  const image = new Image();
  const url = `data:image/svg+xml;base64,${btoa(unescape(encodeURIComponent(svg)))}`;
  await new Promise<void>((resolve, reject) => {
    image.onload = () => resolve();
    image.onerror = () => reject(new Error('The diagram could not be rendered to PNG.'));
    image.src = url;
  });
  const canvas = document.createElement('canvas');
  canvas.width = Math.ceil(image.width * scale);
  canvas.height = Math.ceil(image.height * scale);
  const ctx = canvas.getContext('2d')!;
  ctx.scale(scale, scale);
  ctx.drawImage(image, 0, 0);
  return canvas.toDataURL('image/png').replace(/^data:image\/png;base64,/, '');
}
