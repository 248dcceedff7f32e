import { webviewHtml, type EditorHtmlResources } from '../editorHtml';

export type TrainingPanelResources = EditorHtmlResources;

/**
 * The training panel's page: nothing remote, scripts only with the nonce, styles only from the
 * extension's own stylesheet (the panel sets element styles through the CSSOM, which CSP allows),
 * images only as data the panel draws itself.
 */
export function trainingPanelHtml(r: TrainingPanelResources): string {
  return webviewHtml(r, { allowInlineStyles: false });
}
