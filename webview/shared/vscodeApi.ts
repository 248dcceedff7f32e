/** What VS Code gives a webview script: one instance per page, from `acquireVsCodeApi()`. */
export interface VsCodeApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}

declare function acquireVsCodeApi(): VsCodeApi;

/** The page's VS Code API; acquiring it twice throws, so every module shares this one. */
export const vscodeApi: VsCodeApi = acquireVsCodeApi();

let nextRequestId = 1;
/** A fresh id for a request whose reply must be matched to it. */
export const newRequestId = (): number => nextRequestId++;
