import type { VscodeCheckbox as CheckboxElement } from '@vscode-elements/elements/dist/vscode-checkbox/vscode-checkbox.js';
import type { VscodeSingleSelect as SingleSelectElement } from '@vscode-elements/elements/dist/vscode-single-select/vscode-single-select.js';
import type { VscodeTextfield as TextfieldElement } from '@vscode-elements/elements/dist/vscode-textfield/vscode-textfield.js';

// Each control from its own module: the package's index defines every vscode-elements component
// (a side effect the bundler must keep), so importing from it would bundle all of them.
export { default as VscodeButton } from '@vscode-elements/react-elements/dist/components/VscodeButton.js';
export { default as VscodeCheckbox } from '@vscode-elements/react-elements/dist/components/VscodeCheckbox.js';
export { default as VscodeOption } from '@vscode-elements/react-elements/dist/components/VscodeOption.js';
export { default as VscodeSingleSelect } from '@vscode-elements/react-elements/dist/components/VscodeSingleSelect.js';
export { default as VscodeTextfield } from '@vscode-elements/react-elements/dist/components/VscodeTextfield.js';

/**
 * The editor's form controls are vscode-elements web components (through their React wrappers).
 * Their events are plain DOM events whose listener sits on the element itself, so `currentTarget` is the control.
 */
export type { CheckboxElement, SingleSelectElement, TextfieldElement };

/** The text of a vscode-textfield, from its input or change event. */
export const textOf = (e: Event): string => (e.currentTarget as TextfieldElement).value;
/** The value of a vscode-single-select, from its change event. */
export const selectedOf = (e: Event): string => (e.currentTarget as SingleSelectElement).value;
/** Whether a vscode-checkbox is ticked, from its change event. */
export const checkedOf = (e: Event): boolean => (e.currentTarget as CheckboxElement).checked;

/** What vscode-elements' select list shows at most, and each option's height (its own constants). */
const LIST_ROWS = 10;
const OPTION_HEIGHT = 22;

/**
 * Makes a select open its list on the side with room for it, just before it opens: the component
 * always opens downward unless told, so a select low in the inspector spilled past the window.
 */
export function placeListWithRoom(select: SingleSelectElement, optionCount: number): void {
  const rect = select.getBoundingClientRect();
  const listHeight = Math.min(optionCount, LIST_ROWS) * OPTION_HEIGHT + 4;
  const below = window.innerHeight - rect.bottom;
  select.position = below >= listHeight || below >= rect.top ? 'below' : 'above';
}
