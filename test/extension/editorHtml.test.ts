import assert from 'node:assert/strict';
import { createNonce, editorHtml } from '../../src/extension/editorHtml';

describe('editorHtml (webview page and its Content-Security-Policy)', () => {
  const html = editorHtml({
    cspSource: 'https://file+.vscode-resource.vscode-cdn.net',
    scriptUri: 'https://file+.vscode-resource.vscode-cdn.net/ext/dist/webview/editor.js',
    styleUri: 'https://file+.vscode-resource.vscode-cdn.net/ext/dist/webview/editor.css',
    nonce: 'abc123',
    title: 'a "quoted" <name>',
  });
  const csp = /http-equiv="Content-Security-Policy" content="([^"]+)"/.exec(html)![1];

  it('runs only scripts carrying the nonce and loads nothing remote', () => {
    assert.match(csp, /default-src 'none'/);
    assert.match(csp, /script-src 'nonce-abc123'(;|$)/);
    assert.doesNotMatch(csp, /unsafe-eval|\*|https?:\/\/(?!file\+\.vscode-resource)/);
    const scripts = [...html.matchAll(/<script([^>]*)>/g)].map((m) => m[1]);
    assert.equal(scripts.length, 1);
    assert.match(scripts[0], /nonce="abc123"/);
  });

  it('escapes what it puts into attributes and the title', () => {
    assert.match(html, /<title>a &quot;quoted&quot; &lt;name&gt;<\/title>/);
  });

  it('makes a fresh 32-character alphanumeric nonce each time', () => {
    const a = createNonce();
    const b = createNonce();
    assert.match(a, /^[A-Za-z0-9]{32}$/);
    assert.notEqual(a, b);
  });

  it('draws the nonce from the cryptographic generator, not from the predictable Math.random', () => {
    const original = Math.random;
    Math.random = () => 0.5;
    try {
      const nonces = new Set(Array.from({ length: 20 }, () => createNonce()));
      assert.equal(nonces.size, 20, 'nonces stay unpredictable when Math.random is constant');
    } finally {
      Math.random = original;
    }
  });
});
