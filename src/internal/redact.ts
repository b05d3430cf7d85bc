/**
 * Keep secrets a caller handed over (a provider key, a destination's credentials) out of the errors a
 * request can fail with: a server or proxy that echoes the body would otherwise put them in
 * `serverMessage` or a response snippet, and from there into logs and reports.
 */
import { Redacted } from "effect"

const fields = ["serverMessage", "snippet", "reason", "issue"] as const

/** The plain values of the secrets in `value` (Redacted anywhere inside it), longest first. */
export const secretsIn = (value: unknown, found: Array<string> = []): Array<string> => {
  if (Redacted.isRedacted(value)) {
    const plain: unknown = Redacted.value(value)
    if (typeof plain === "string" && plain.length >= 4) found.push(plain)
  } else if (Array.isArray(value)) { for (const item of value) secretsIn(item, found) }
  else if (typeof value === "object" && value !== null) { for (const item of Object.values(value)) secretsIn(item, found) }
  return found.sort((a, b) => b.length - a.length)
}

/** The error with every occurrence of the secrets replaced by `[REDACTED]` in its text fields. */
export const scrubError = (secrets: ReadonlyArray<string>) => <E>(error: E): E => {
  if (secrets.length === 0 || typeof error !== "object" || error === null) return error
  const changes: Record<string, string> = {}
  for (const field of fields) {
    const text = (error as Record<string, unknown>)[field]
    if (typeof text !== "string") continue
    let scrubbed = text
    for (const secret of secrets) scrubbed = scrubbed.split(secret).join("[REDACTED]")
    if (scrubbed !== text) changes[field] = scrubbed
  }
  if (Object.keys(changes).length === 0) return error
  return Object.assign(Object.create(Object.getPrototypeOf(error)), error, changes) as E
}
