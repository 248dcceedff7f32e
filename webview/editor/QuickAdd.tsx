import { useEffect, useMemo, useRef, useState } from 'react';
import { LAYER_CATALOG } from '../../src/core/layers/layerCatalog';
import { VscodeTextfield, textOf, type TextfieldElement } from './controls';

/** Keyboard quick-add: type to filter layer types, arrows to choose, Enter to add, Escape to close. */
export function QuickAdd({ onAdd, onClose, connectingFrom }: { onAdd: (layerType: string) => void; onClose: () => void; connectingFrom?: string }) {
  const [query, setQuery] = useState('');
  const [index, setIndex] = useState(0);
  const input = useRef<TextfieldElement>(null);
  useEffect(() => input.current?.focus(), []);
  const matches = useMemo(() => {
    const q = query.trim().toLowerCase();
    const scored = LAYER_CATALOG.map((l) => {
      const name = `${l.type} ${l.label}`.toLowerCase();
      const score = !q ? 1 : l.type.toLowerCase().startsWith(q) || l.label.toLowerCase().startsWith(q) ? 3 : name.includes(q) ? 2 : l.description.toLowerCase().includes(q) ? 1 : 0;
      return { layer: l, score };
    });
    return scored.filter((s) => s.score > 0).sort((a, b) => b.score - a.score).map((s) => s.layer);
  }, [query]);
  const chosen = matches[Math.min(index, matches.length - 1)];
  return (
    <div className="cnn-quick-add-backdrop" onMouseDown={onClose}>
      <div className="cnn-quick-add" role="dialog" aria-label="Add a layer" data-testid="quick-add" onMouseDown={(e) => e.stopPropagation()}>
        <VscodeTextfield
          ref={input}
          className="cnn-input"
          placeholder={connectingFrom ? `Add a layer after ${connectingFrom}` : 'Add a layer'}
          label="Layer type"
          data-testid="quick-add-input"
          value={query}
          onInput={(e) => {
            setQuery(textOf(e));
            setIndex(0);
          }}
          onKeyDown={(e) => {
            if (e.key === 'ArrowDown') setIndex((i) => Math.min(i + 1, matches.length - 1));
            else if (e.key === 'ArrowUp') setIndex((i) => Math.max(i - 1, 0));
            else if (e.key === 'Enter' && chosen) onAdd(chosen.type);
            else if (e.key === 'Escape') onClose();
            else return;
            e.preventDefault();
          }}
        />
        <ul role="listbox">
          {matches.map((l) => (
            <li
              key={l.type}
              role="option"
              aria-selected={l === chosen}
              className={l === chosen ? 'active' : undefined}
              data-testid="quick-add-option"
              data-layer-type={l.type}
              onClick={() => onAdd(l.type)}
            >
              <strong>{l.label}</strong> <span>{l.description}</span>
            </li>
          ))}
        </ul>
      </div>
    </div>
  );
}
