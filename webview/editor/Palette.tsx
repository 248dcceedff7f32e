import { memo, useMemo, useState } from 'react';
import { LAYER_CATALOG } from '../../src/core/layers/layerCatalog';
import { LAYER_GROUPS } from '../../src/core/layers/layerType';
import { VscodeTextfield, textOf } from './controls';

/** Drag type carried by palette items; the canvas only accepts drops of this type. */
export const LAYER_DRAG_TYPE = 'application/x-cnn-layer';

const GROUP_TITLES: Record<string, string> = {
  input: 'Input',
  convolution: 'Convolution',
  pooling: 'Pooling',
  dense: 'Dense',
  reshape: 'Reshape',
  regularization: 'Regularization',
  normalization: 'Normalization',
  activation: 'Activation',
  merge: 'Merge',
};

/** Every layer type, grouped; drag one onto the canvas, or press Enter on it to add it. */
export const Palette = memo(function Palette({ onAdd }: { onAdd: (layerType: string) => void }) {
  const [query, setQuery] = useState('');
  const groups = useMemo(() => {
    const q = query.trim().toLowerCase();
    return LAYER_GROUPS.map((group) => ({
      group,
      layers: LAYER_CATALOG.filter((l) => l.group === group && (!q || `${l.type} ${l.label} ${l.description}`.toLowerCase().includes(q))),
    })).filter((g) => g.layers.length > 0);
  }, [query]);
  return (
    <aside className="cnn-palette" aria-label="Layer palette" data-testid="palette">
      <VscodeTextfield className="cnn-input" type="search" placeholder="Search layers" label="Search layers" data-testid="palette-search" value={query} onInput={(e) => setQuery(textOf(e))} />
      {groups.map(({ group, layers }) => (
        <section key={group} data-testid="palette-group" data-group={group}>
          <h3>{GROUP_TITLES[group] ?? group}</h3>
          {layers.map((layer) => (
            <div
              key={layer.type}
              className="cnn-palette-item"
              role="button"
              tabIndex={0}
              draggable
              title={layer.description}
              data-testid={`palette-item-${layer.type}`}
              data-layer-type={layer.type}
              onDragStart={(e) => {
                e.dataTransfer.setData(LAYER_DRAG_TYPE, layer.type);
                e.dataTransfer.effectAllowed = 'copy';
              }}
              onDoubleClick={() => onAdd(layer.type)}
              onKeyDown={(e) => {
                if (e.key === 'Enter' || e.key === ' ') {
                  e.preventDefault();
                  onAdd(layer.type);
                }
              }}
            >
              {layer.label}
            </div>
          ))}
        </section>
      ))}
    </aside>
  );
});
