/**
 * Sorting for the many short lists render sorts: tag keys, a stream's cross-account grants, a role's account scopes,
 * tens of thousands of lists of a few items each on a large mesh. `Array.prototype.sort` allocates about 1 KiB of work
 * space per call whatever the length (V8's TimSort state: a copy of the list and the pending-run stack), ~40 MiB of
 * garbage per render of 10,000 streams; an insertion sort of a short list allocates nothing. Longer lists still go
 * to `Array.prototype.sort`. Both are stable, so the order is the same either way.
 */

/** Lists up to this length are insertion-sorted (quadratic, so only short ones). */
const SHORT_LIST = 16;

/** Sorts `items` in place, stably, and returns it, like `items.sort(compare)`. */
export function sortInPlace<T>(items: T[], compare: (a: T, b: T) => number): T[] {
  if (items.length > SHORT_LIST) return items.sort(compare);
  for (let i = 1; i < items.length; i++) {
    const item = items[i] as T;
    let j = i - 1;
    for (; j >= 0 && compare(items[j] as T, item) > 0; j--) items[j + 1] = items[j] as T;
    items[j + 1] = item;
  }
  return items;
}

/** UTF-16 code unit order, the order of `Array.prototype.sort` without a comparator. */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Sorts strings in place like `items.sort()`, and returns them. */
export function sortStrings(items: string[]): string[] {
  return sortInPlace(items, compareStrings);
}
