import type { ParsedDesign } from '../../src/core/format/parseDesign';
import { postToHost } from './vscodeApi';
import { VscodeButton } from './controls';

/** Shown instead of the canvas when the text cannot be edited safely; the editor writes nothing then. */
export function ErrorView({ parsed }: { parsed: ParsedDesign }) {
  const first = parsed.syntaxError
    ? { message: parsed.syntaxError.message, line: parsed.syntaxError.line, column: parsed.syntaxError.column }
    : parsed.diagnostics.find((d) => d.severity === 'error') ?? parsed.diagnostics[0];
  return (
    <div className="cnn-error-view" data-testid="error-view" role="alert">
      <h2>{parsed.syntaxError ? 'This file is not valid JSON' : 'This file cannot be edited visually'}</h2>
      <p data-testid="error-message">{first?.message ?? 'The design could not be read.'}</p>
      {first?.line !== undefined && (
        <p data-testid="error-location" data-line={first.line} data-column={first.column}>
          Line {first.line}, column {first.column}
        </p>
      )}
      <p className="cnn-muted">The graph editor will not change this file until it is corrected as text.</p>
      <VscodeButton className="cnn-button" data-testid="open-as-text" onClick={() => postToHost({ type: 'command', command: 'openAsText' })}>
        Open as text
      </VscodeButton>
    </div>
  );
}
