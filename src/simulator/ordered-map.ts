/**
 * A `Map` whose values in insertion order (a listing's order) are kept as an array, rebuilt only after a
 * change: a page of a listing then costs its own size, not the whole list's.
 */
export class OrderedMap<K, V> extends Map<K, V> {
  private ordered: Array<V> | undefined
  /** `changed` runs after every change (to drop caches built over several maps). */
  constructor(private readonly changed?: () => void) {
    super()
  }
  override set(key: K, value: V) {
    this.ordered = undefined
    super.set(key, value)
    this.changed?.()
    return this
  }
  override delete(key: K) {
    const deleted = super.delete(key)
    if (deleted) {
      this.ordered = undefined
      this.changed?.()
    }
    return deleted
  }
  override clear() {
    this.ordered = undefined
    super.clear()
    this.changed?.()
  }
  /** The values in insertion order; the same array until the next change. */
  inOrder(): ReadonlyArray<V> {
    return this.ordered ??= [...this.values()]
  }
}
