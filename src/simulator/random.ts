/** A small seeded PRNG so the simulated organisation is the same for the same seed. */

/** FNV-1a hash of a string to a 32-bit seed. */
export const hash = (text: string): number => {
  let h = 0x811c9dc5
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i)
    h = Math.imul(h, 0x01000193)
  }
  return h >>> 0
}

/** mulberry32: fast, good enough for test data and fault dice. */
export const prng = (seed: number) => {
  let a = seed >>> 0
  return (): number => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

export type Random = ReturnType<typeof prng>

const BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

export const base62 = (random: Random, length: number) => {
  let out = ""
  for (let i = 0; i < length; i++) out += BASE62[Math.floor(random() * 62)]
  return out
}

/** A number in base 62, left-padded to `width`. */
export const toBase62 = (n: number, width: number) => {
  let out = ""
  do {
    out = BASE62[n % 62] + out
    n = Math.floor(n / 62)
  } while (n > 0)
  return out.padStart(width, "0")
}

export const fromBase62 = (text: string): number => {
  let n = 0
  for (const ch of text) {
    const digit = BASE62.indexOf(ch)
    if (digit < 0) return Number.NaN
    n = n * 62 + digit
  }
  return n
}

export const uuid = (random: Random) => {
  const hex = Array.from({ length: 32 }, () => Math.floor(random() * 16).toString(16)).join("")
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`
}

export const pick = <A>(random: Random, items: ReadonlyArray<A>): A => items[Math.floor(random() * items.length)]!
