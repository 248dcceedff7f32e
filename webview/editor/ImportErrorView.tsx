import type { ImportFailure } from './hooks/useHostConnection';

/**
 * Shown instead of the canvas when a model file (ONNX) does not import: what failed and every
 * problem with its place in the file (node, operator, position), as `cnn-designer import` lists them.
 */
export function ImportErrorView({ failure }: { failure: ImportFailure }) {
  return (
    <div className="cnn-error-view" data-testid="import-error-view" role="alert">
      <h2 data-testid="import-error-title">{failure.title}</h2>
      <ul className="cnn-import-problems">
        {failure.problems.map((problem, i) => (
          <li key={i} data-testid="import-problem">
            {problem.location && <strong data-testid="import-problem-location">{problem.location}: </strong>}
            <span>{problem.message}</span>
          </li>
        ))}
      </ul>
      <p className="cnn-muted">
        {failure.fileName} is shown read-only and nothing was written. The designer imports the convolutional networks torch.onnx.export writes (convolutions, pooling, batch norm,
        activations, residual additions, concatenations, dense layers).
      </p>
    </div>
  );
}
