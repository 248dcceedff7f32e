import type { OpenedBlock } from './buildBlockView';

interface BreadcrumbProps {
  designName: string;
  opened: OpenedBlock;
  onClose(): void;
}

/** Where the canvas is: the design, then the opened instance's block ("MNIST › Block (block_1)"); the design's name goes back. */
export function Breadcrumb({ designName, opened, onClose }: BreadcrumbProps) {
  return (
    <nav className="cnn-breadcrumb" aria-label="Breadcrumb" data-testid="breadcrumb">
      <button type="button" data-testid="breadcrumb-design" title="Back to the design" onClick={onClose}>
        {designName}
      </button>
      <span aria-hidden="true">›</span>
      <span data-testid="breadcrumb-block" aria-current="page">
        {opened.blockName} ({opened.instanceId})
      </span>
      <span className="cnn-muted">Parameters edited here change the block, and so every instance of it.</span>
    </nav>
  );
}
