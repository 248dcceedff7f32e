/**
 * The TF.js version the training kernels were checked against. Kept apart from the kernels so
 * that code which must not load TF.js (the extension host's engine installer) can read it.
 */
export const TESTED_TFJS_VERSION = '4.22.0';
