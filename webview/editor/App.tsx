import { ReactFlowProvider } from '@xyflow/react';
import { Editor } from './Editor';

/** The editor webview's root: the canvas library's context around the editor. */
export function App() {
  return (
    <ReactFlowProvider>
      <Editor />
    </ReactFlowProvider>
  );
}
