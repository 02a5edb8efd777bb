/** Shape helpers for building kernel metadata: core's, re-exported for the kernel modules. */
export { sizeOf, stridesOf, broadcastStrides, collapse, sameShape } from '@grokkit/core/backend';
