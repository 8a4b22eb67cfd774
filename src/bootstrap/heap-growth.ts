import { setFlagsFromString } from 'node:v8';

/**
 * Bounds how far V8 grows the old generation between full collections (see HEAP_GROWING_PERCENT). V8 reads the
 * factor at every collection, so setting it at boot applies to the whole life of the process.
 */
export function limitHeapGrowth(percent: number): void {
  if (percent > 0) setFlagsFromString(`--heap-growing-percent=${percent}`);
}
