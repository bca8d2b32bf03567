interface Entry<T> {
  time: number;
  seq: number;
  payload: T;
}

/** The baseline: a binary heap of entry objects with a comparator, one allocation per event. */
export class NaiveEventQueue<T> {
  readonly #heap: Entry<T>[] = [];
  #seq = 0;

  get size(): number {
    return this.#heap.length;
  }

  push(time: number, payload: T): void {
    const heap = this.#heap;
    heap.push({ time, seq: this.#seq++, payload });
    let i = heap.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!less(heap[i] as Entry<T>, heap[p] as Entry<T>)) break;
      [heap[i], heap[p]] = [heap[p] as Entry<T>, heap[i] as Entry<T>];
      i = p;
    }
  }

  pop(): T | undefined {
    const heap = this.#heap;
    const top = heap[0];
    const last = heap.pop();
    if (heap.length > 0 && last) {
      heap[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < heap.length && less(heap[l] as Entry<T>, heap[m] as Entry<T>)) m = l;
        if (r < heap.length && less(heap[r] as Entry<T>, heap[m] as Entry<T>)) m = r;
        if (m === i) break;
        [heap[i], heap[m]] = [heap[m] as Entry<T>, heap[i] as Entry<T>];
        i = m;
      }
    }
    return top?.payload;
  }
}

function less<T>(a: Entry<T>, b: Entry<T>): boolean {
  return a.time < b.time || (a.time === b.time && a.seq < b.seq);
}
