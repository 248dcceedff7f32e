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
