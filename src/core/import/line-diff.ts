/**
 * Keeping the user's bytes. yaml's `String(doc)` keeps comments, blank lines, quoting and flow/block style, but
 * applies one flow-collection padding to the whole file (`[a]` vs `[ a ]`). Import only adds nodes, so every
 * original line that the re-serialised document still has unchanged is put back exactly as the user wrote it:
 * a line diff (Myers) between the re-serialised original and the edited document maps them.
 */

/** Pairs [i, j] of equal lines of `a` and `b`, in order (a longest common subsequence, Myers' O((N+M)D)). */
export function commonLines(a: readonly string[], b: readonly string[]): [number, number][] {
  const n = a.length;
  const m = b.length;
  const max = n + m;
  const offset = max + 1;
  let v = new Int32Array(2 * max + 3);
  const trace: Int32Array[] = [];
  let found = false;
  for (let d = 0; d <= max && !found; d++) {
    trace.push(v.slice());
    const next = v.slice();
    for (let k = -d; k <= d; k += 2) {
      let x =
        k === -d || (k !== d && (v[offset + k - 1] as number) < (v[offset + k + 1] as number))
          ? (v[offset + k + 1] as number)
          : (v[offset + k - 1] as number) + 1;
      let y = x - k;
      while (x < n && y < m && a[x] === b[y]) {
        x++;
        y++;
      }
      next[offset + k] = x;
      if (x >= n && y >= m) {
        found = true;
        break;
      }
    }
    v = next;
  }
  trace.push(v.slice());
  // Walk back through the saved frontiers to collect the diagonal (equal) moves.
  const pairs: [number, number][] = [];
  let x = n;
  let y = m;
  for (let d = trace.length - 2; d >= 0 && (x > 0 || y > 0); d--) {
    const vd = trace[d] as Int32Array;
    const k = x - y;
    const prevK =
      k === -d || (k !== d && (vd[offset + k - 1] as number) < (vd[offset + k + 1] as number)) ? k + 1 : k - 1;
    const prevX = d === 0 ? 0 : (vd[offset + prevK] as number);
    const prevY = prevX - prevK;
    while (x > prevX && y > prevY) {
      x--;
      y--;
      pairs.push([x, y]);
    }
    if (d > 0) {
      x = prevX;
      y = prevY;
    }
  }
  return pairs.reverse();
}

/**
 * The edited document with every unchanged line restored to its original bytes. `normalised` is the original
 * re-serialised without edits; when it does not correspond line by line to `original` (the serialiser moved
 * lines), the edited text is returned as is.
 */
export function restoreLayout(original: string, normalised: string, edited: string): string {
  const orig = original.split('\n');
  const norm = normalised.split('\n');
  if (orig.length !== norm.length) return edited;
  const out = edited.split('\n');
  for (const [i, j] of commonLines(norm, out)) out[j] = orig[i] as string;
  return out.join('\n');
}
