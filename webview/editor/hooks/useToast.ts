import { useEffect, useState } from 'react';

/** How long a notice stays on screen. */
const TOAST_MS = 6000;

/** A short notice at the bottom of the editor (a refused edit, a copy, a saved file) that goes away by itself. */
export function useToast(): [toast: string | undefined, showToast: (message: string) => void] {
  const [toast, setToast] = useState<string>();
  useEffect(() => {
    if (!toast) return undefined;
    const timer = setTimeout(() => setToast(undefined), TOAST_MS);
    return () => clearTimeout(timer);
  }, [toast]);
  return [toast, setToast];
}
