/**
 * A priority queue of events ordered by (time, insertion sequence): a binary heap kept in typed
 * arrays (time, sequence, payload slot) so that pushing and popping allocate nothing. Events at
 * the same time come out in the order they went in, which makes every run deterministic.
 */
export class EventQueue<T> {
  #times: Float64Array;
  #seqs: Float64Array;
  #slots: Int32Array;
  #payloads: (T | undefined)[];
  #freeSlots: Int32Array;
  #freeCount: number;
  #size = 0;
  #nextSeq = 0;

  constructor(initialCapacity = 1024) {
    const cap = Math.max(16, initialCapacity);
    this.#times = new Float64Array(cap);
    this.#seqs = new Float64Array(cap);
    this.#slots = new Int32Array(cap);
    this.#payloads = new Array<T | undefined>(cap).fill(undefined);
    this.#freeSlots = new Int32Array(cap);
    for (let i = 0; i < cap; i++) this.#freeSlots[i] = cap - 1 - i;
    this.#freeCount = cap;
  }

  get size(): number {
    return this.#size;
  }

  /** Time of the earliest event, or Infinity when empty. */
  peekTime(): number {
    return this.#size > 0 ? (this.#times[0] as number) : Number.POSITIVE_INFINITY;
  }

  push(time: number, payload: T): void {
    if (this.#size === this.#times.length) this.#grow();
    const slot = this.#freeSlots[--this.#freeCount] as number;
    this.#payloads[slot] = payload;
    const seq = this.#nextSeq++;
    const times = this.#times;
    const seqs = this.#seqs;
    const slots = this.#slots;
    let i = this.#size++;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const pt = times[parent] as number;
      if (pt < time || (pt === time && (seqs[parent] as number) < seq)) break;
      times[i] = pt;
      seqs[i] = seqs[parent] as number;
      slots[i] = slots[parent] as number;
      i = parent;
    }
    times[i] = time;
    seqs[i] = seq;
    slots[i] = slot;
  }

  /** Removes and returns the earliest event's payload (undefined when empty). */
  pop(): T | undefined {
    if (this.#size === 0) return undefined;
    const times = this.#times;
    const seqs = this.#seqs;
    const slots = this.#slots;
    const topSlot = slots[0] as number;
    const payload = this.#payloads[topSlot];
    this.#payloads[topSlot] = undefined;
    this.#freeSlots[this.#freeCount++] = topSlot;
    const size = --this.#size;
    if (size > 0) {
      const t = times[size] as number;
      const s = seqs[size] as number;
      const sl = slots[size] as number;
      let i = 0;
      const half = size >> 1;
      while (i < half) {
        let child = 2 * i + 1;
        let ct = times[child] as number;
        let cs = seqs[child] as number;
        const right = child + 1;
        if (right < size) {
          const rt = times[right] as number;
          const rs = seqs[right] as number;
          if (rt < ct || (rt === ct && rs < cs)) {
            child = right;
            ct = rt;
            cs = rs;
          }
        }
        if (t < ct || (t === ct && s < cs)) break;
        times[i] = ct;
        seqs[i] = cs;
        slots[i] = slots[child] as number;
        i = child;
      }
      times[i] = t;
      seqs[i] = s;
      slots[i] = sl;
    }
    return payload;
  }

  #grow(): void {
    const old = this.#times.length;
    const cap = old * 2;
    const times = new Float64Array(cap);
    times.set(this.#times);
    const seqs = new Float64Array(cap);
    seqs.set(this.#seqs);
    const slots = new Int32Array(cap);
    slots.set(this.#slots);
    const free = new Int32Array(cap);
    free.set(this.#freeSlots.subarray(0, this.#freeCount));
    for (let i = old; i < cap; i++) free[this.#freeCount++] = cap - 1 - (i - old);
    this.#times = times;
    this.#seqs = seqs;
    this.#slots = slots;
    this.#freeSlots = free;
    this.#payloads.length = cap;
    this.#payloads.fill(undefined, old);
  }
}
