import type { OpenedBlock } from './buildBlockView';

interface BreadcrumbProps {
  designName: string;
  opened: OpenedBlock;
  /** Shows the level `depth` of the path: 0 the design, 1 the first instance opened, and so on. */
  onGoTo(depth: number): void;
}

/**
 * Where the canvas is: the design, then each opened instance's block ("MNIST › Stem (stem) › Block (block_1)");
 * every level but the last goes back to it.
 */
export function Breadcrumb({ designName, opened, onGoTo }: BreadcrumbProps) {
  const { trail } = opened;
  return (
    <nav className="cnn-breadcrumb" aria-label="Breadcrumb" data-testid="breadcrumb">
      <button type="button" data-testid="breadcrumb-design" title="Back to the design" onClick={() => onGoTo(0)}>
        {designName}
      </button>
      {trail.slice(0, -1).map((level, i) => (
        <span key={i}>
          <span aria-hidden="true">›</span>{' '}
          <button type="button" data-testid="breadcrumb-level" data-depth={i + 1} title={`Back to ${level.blockName}`} onClick={() => onGoTo(i + 1)}>
            {level.blockName} ({level.instanceId})
          </button>
        </span>
      ))}
      <span aria-hidden="true">›</span>
      <span data-testid="breadcrumb-block" aria-current="page">
        {opened.blockName} ({opened.instanceId})
      </span>
      <span className="cnn-muted">Edits here change the block, and so every instance of it.</span>
    </nav>
  );
}
