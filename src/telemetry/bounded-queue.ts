/**
 * A FIFO with a fixed capacity that, when full, drops its oldest item to make
 * room and counts the drop: a sink that is down for an hour costs at most
 * `capacity` events of memory, and the newest events (what an operator looks
 * at first) survive. A ring buffer, so push and shift are O(1).
 */
export class DropOldestQueue<T> {
  readonly #items: Array<T | undefined>;
  #head = 0;
  #length = 0;
  #dropped = 0;
  /** Position of the head item: how many items ever left the queue. */
  #headPosition = 0;

  constructor(readonly capacity: number) {
    if (!Number.isSafeInteger(capacity) || capacity < 1) {
      throw new RangeError(`capacity: expected an integer >= 1, got ${capacity}`);
    }
    this.#items = new Array<T | undefined>(capacity);
  }

  get length(): number {
    return this.#length;
  }

  /** Items dropped since the queue was made. */
  get dropped(): number {
    return this.#dropped;
  }

  push(item: T): void {
    if (this.#length === this.capacity) {
      this.#removeHead();
      this.#dropped++;
    }
    this.#items[(this.#head + this.#length) % this.capacity] = item;
    this.#length++;
  }

  /**
   * Up to `max` of the oldest items, left in the queue (a batch is removed
   * only once delivered), and the position just past them for `removeBefore`.
   */
  peek(max: number): { items: T[]; end: number } {
    const items: T[] = [];
    for (let i = 0; i < Math.min(max, this.#length); i++)
      items.push(this.#items[(this.#head + i) % this.capacity] as T);
    return { items, end: this.#headPosition + items.length };
  }

  /**
   * Removes the items before position `end` (from `peek`). Items dropped
   * while the batch was being delivered count as removed, so a delivery
   * never takes newer, undelivered items with it.
   */
  removeBefore(end: number): void {
    while (this.#length > 0 && this.#headPosition < end) this.#removeHead();
  }

  #removeHead(): void {
    this.#items[this.#head] = undefined;
    this.#head = (this.#head + 1) % this.capacity;
    this.#length--;
    this.#headPosition++;
  }
}
