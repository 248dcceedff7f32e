import type { FeatureMapLayer, MisclassifiedImageView, PickedImage, TestImageView, TrainingResult } from './resultTypes';
import { h, percent } from './dom';
import { pixelCanvas, scaleFor } from './pixels';

/** Heat colour of a confusion cell: its share of the row, on the theme's chart blue. */
const cellStyle = (count: number, rowTotal: number, diagonal: boolean): string => {
  const share = rowTotal === 0 ? 0 : count / rowTotal;
  const hue = diagonal ? 'var(--vscode-charts-blue, #3794ff)' : 'var(--vscode-charts-red, #f14c4c)';
  return `background: color-mix(in srgb, ${hue} ${Math.round(share * 100)}%, transparent)`;
};

/** Confusion-matrix heatmap: rows are true classes, columns predicted, each cell the count (its data-value). */
export function confusionMatrix(confusion: number[][], classNames: string[]): HTMLElement {
  const name = (k: number) => classNames[k] ?? String(k);
  const header = h('tr', {}, h('th', { className: 'corner' }, 'true \\ predicted'), ...confusion.map((_, k) => h('th', { scope: 'col', title: name(k) }, name(k))));
  const rows = confusion.map((row, t) => {
    const total = row.reduce((a, b) => a + b, 0);
    return h(
      'tr',
      {},
      h('th', { scope: 'row' }, name(t)),
      ...row.map((count, p) =>
        h('td', { style: cellStyle(count, total, t === p), 'data-true': t, 'data-predicted': p, 'data-value': count, title: `true ${name(t)}, predicted ${name(p)}: ${count}` }, count),
      ),
    );
  });
  return h('table', { className: 'confusion', 'data-testid': 'confusion-matrix' }, h('thead', {}, header), h('tbody', {}, ...rows));
}

/** Per-class accuracy as labelled bars. */
export function perClassAccuracy(values: number[], classNames: string[]): HTMLElement {
  return h(
    'div',
    { className: 'per-class', 'data-testid': 'per-class-accuracy' },
    ...values.map((v, k) =>
      h(
        'div',
        { className: 'bar-row', 'data-class': classNames[k] ?? String(k), 'data-value': v },
        h('span', { className: 'bar-label' }, classNames[k] ?? String(k)),
        h('span', { className: 'bar' }, h('span', { className: 'bar-fill', style: `width: ${(v * 100).toFixed(1)}%` })),
        h('span', { className: 'bar-value' }, percent(v, 1)),
      ),
    ),
  );
}

/** One clickable test image with its true and predicted labels; picking it asks for its feature maps. */
function imageCard(m: TestImageView, classNames: string[], shape: number[], testId: string, onPick: (image: PickedImage) => void, markWrong = false): HTMLElement {
  const [height, width, channels] = shape;
  const name = (k: number) => classNames[k] ?? String(k);
  const correct = m.trueLabel === m.predictedLabel;
  return h(
    'button',
    {
      type: 'button',
      className: `image-card ${correct ? 'correct' : 'wrong'}`,
      'data-testid': testId,
      'data-index': m.index,
      'data-true': name(m.trueLabel),
      'data-predicted': name(m.predictedLabel),
      'data-correct': String(correct),
      title: `Test image ${m.index}${correct ? '' : ' (misclassified)'}: show its feature maps`,
      onclick: (event: Event) => {
        // One picked image across the gallery and the misclassified grid.
        for (const card of document.querySelectorAll('.image-card.picked')) card.classList.remove('picked');
        (event.currentTarget as HTMLElement).classList.add('picked');
        onPick({ pixels: m.pixels, shape, label: m.trueLabel });
      },
    },
    pixelCanvas(m.pixels, height, width, channels, scaleFor(width, 56)),
    h('span', { className: 'true-label' }, `true: ${name(m.trueLabel)}`),
    h('span', { className: 'pred-label' }, `pred: ${name(m.predictedLabel)} (${percent(m.confidence, 0)})`),
    ...(markWrong && !correct ? [h('span', { className: 'wrong-mark', 'data-testid': 'misclassified-mark' }, '✗ misclassified')] : []),
  );
}

/** The misclassified test images with their true and predicted labels; clicking one picks it for the feature maps. */
export function misclassifiedGrid(images: MisclassifiedImageView[], classNames: string[], shape: number[], onPick: (image: PickedImage) => void): HTMLElement {
  return h('div', { className: 'image-grid', 'data-testid': 'misclassified-grid' }, ...images.map((m) => imageCard(m, classNames, shape, 'misclassified-image', onPick)));
}

/**
 * The results' gallery of test images (the first few of each class), right or wrong: misclassified
 * ones are marked; clicking any picks it for the feature maps, as in the misclassified grid.
 */
export function testGallery(images: TestImageView[], classNames: string[], shape: number[], onPick: (image: PickedImage) => void): HTMLElement {
  return h('div', { className: 'image-grid', 'data-testid': 'test-gallery' }, ...images.map((m) => imageCard(m, classNames, shape, 'gallery-image', onPick, true)));
}

/** The first convolution's filters as images (each channel scaled on its own by the trainer). */
export function filterImages(filters: NonNullable<TrainingResult['firstConvFilters']>): HTMLElement {
  const channels = filters.inChannels === 3 ? 3 : 1;
  const perFilter = filters.inChannels === 3 ? [filters.filters] : [filters.filters.map((f) => f.filter((_, i) => i % filters.inChannels === 0))];
  return h(
    'div',
    { className: 'filters', 'data-testid': 'conv-filters', 'data-layer': filters.layerName },
    h('div', { className: 'caption' }, `${filters.layerName}: ${filters.filters.length} filters, ${filters.height}×${filters.width}${filters.inChannels > 1 && filters.inChannels !== 3 ? ' (first input channel)' : ''}`),
    h('div', { className: 'filter-grid' }, ...perFilter[0].map((f) => pixelCanvas(f, filters.height, filters.width, channels, scaleFor(filters.width, 40)))),
  );
}

/** Every convolution layer's activation maps for the picked image. */
export function featureMaps(layers: FeatureMapLayer[]): HTMLElement {
  return h(
    'div',
    { className: 'feature-maps', 'data-testid': 'feature-maps' },
    ...layers.map((layer) =>
      h(
        'section',
        { className: 'feature-layer', 'data-layer': layer.layerName },
        h('div', { className: 'caption' }, `${layer.layerName}: ${layer.channels} channels, ${layer.height}×${layer.width}${layer.maps.length < layer.channels ? ` (first ${layer.maps.length} shown)` : ''}`),
        h('div', { className: 'filter-grid' }, ...layer.maps.map((m) => pixelCanvas(m, layer.height, layer.width, 1, scaleFor(layer.width, 64)))),
      ),
    ),
  );
}
