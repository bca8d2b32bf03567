/**
 * A priority queue of events ordered by (time, insertion sequence): a binary heap kept in typed
 * arrays — time and sequence side by side in one array, so a comparison touches one cache line —
 * so pushing and popping allocate nothing. Events at the same time come out in the order they
 * went in, which makes every run deterministic.
 */
export class EventQueue<T> {
  /** keys[2i] = time, keys[2i+1] = sequence of heap entry i. */
  #keys: Float64Array;
  #slots: Int32Array;
  #payloads: (T | undefined)[];
  #freeSlots: Int32Array;
  #freeCount: number;
  #size = 0;
  #nextSeq = 0;

  constructor(initialCapacity = 1024) {
    const cap = Math.max(16, initialCapacity);
    this.#keys = new Float64Array(2 * cap);
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
    return this.#size > 0 ? (this.#keys[0] as number) : Number.POSITIVE_INFINITY;
  }

  push(time: number, payload: T): void {
    if (this.#size === this.#slots.length) this.#grow();
    const slot = this.#freeSlots[--this.#freeCount] as number;
    this.#payloads[slot] = payload;
    const seq = this.#nextSeq++;
    const keys = this.#keys;
    const slots = this.#slots;
    let i = this.#size++;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const pt = keys[2 * parent] as number;
      if (pt < time || (pt === time && (keys[2 * parent + 1] as number) < seq)) break;
      keys[2 * i] = pt;
      keys[2 * i + 1] = keys[2 * parent + 1] as number;
      slots[i] = slots[parent] as number;
      i = parent;
    }
    keys[2 * i] = time;
    keys[2 * i + 1] = seq;
    slots[i] = slot;
  }

  /** Removes and returns the earliest event's payload (undefined when empty). */
  pop(): T | undefined {
    if (this.#size === 0) return undefined;
    const keys = this.#keys;
    const slots = this.#slots;
    const topSlot = slots[0] as number;
    const payload = this.#payloads[topSlot];
    this.#payloads[topSlot] = undefined;
    this.#freeSlots[this.#freeCount++] = topSlot;
    const size = --this.#size;
    if (size > 0) {
      const t = keys[2 * size] as number;
      const s = keys[2 * size + 1] as number;
      const sl = slots[size] as number;
      let i = 0;
      const half = size >> 1;
      while (i < half) {
        let child = 2 * i + 1;
        let ct = keys[2 * child] as number;
        let cs = keys[2 * child + 1] as number;
        const right = child + 1;
        if (right < size) {
          const rt = keys[2 * right] as number;
          const rs = keys[2 * right + 1] as number;
          if (rt < ct || (rt === ct && rs < cs)) {
            child = right;
            ct = rt;
            cs = rs;
          }
        }
        if (t < ct || (t === ct && s < cs)) break;
        keys[2 * i] = ct;
        keys[2 * i + 1] = cs;
        slots[i] = slots[child] as number;
        i = child;
      }
      keys[2 * i] = t;
      keys[2 * i + 1] = s;
      slots[i] = sl;
    }
    return payload;
  }

  #grow(): void {
    const old = this.#slots.length;
    const cap = old * 2;
    const keys = new Float64Array(2 * cap);
    keys.set(this.#keys);
    const slots = new Int32Array(cap);
    slots.set(this.#slots);
    const free = new Int32Array(cap);
    free.set(this.#freeSlots.subarray(0, this.#freeCount));
    for (let i = old; i < cap; i++) free[this.#freeCount++] = cap - 1 - (i - old);
    this.#keys = keys;
    this.#slots = slots;
    this.#freeSlots = free;
    this.#payloads.length = cap;
    this.#payloads.fill(undefined, old);
  }
}
