/**
 * The PostgreSQL backend of the journal (`@effect/sql-pg`), loaded only when a journal is a
 * `postgres://` URL. Errors name the server by its URL without the password, and never carry it.
 *
 * @since 0.2.0
 */
import type { SqlClient } from "@effect/sql"
import { PgClient } from "@effect/sql-pg"
import type { SqlError } from "@effect/sql/SqlError"
import { Cause, Duration, Layer, Redacted } from "effect"
import type { PgConfig } from "../Journal.ts"
import { JournalError } from "./errors.ts"

/** Every secret the config holds, to be cut out of any message we pass on. */
const secretsOf = (config: PgConfig): ReadonlyArray<string> => {
  const secrets: Array<string> = []
  if (config.password) secrets.push(Redacted.value(config.password))
  if (config.url) {
    try {
      const password = new URL(Redacted.value(config.url)).password
      if (password) secrets.push(password, decodeURIComponent(password))
    } catch {
      // an unparsable URL: pg will say so; its text is not repeated
    }
    secrets.push(Redacted.value(config.url))
  }
  return secrets.filter((s) => s.length > 0).sort((a, b) => b.length - a.length)
}

const scrub = (config: PgConfig) => (text: string) => secretsOf(config).reduce((t, secret) => t.split(secret).join("<redacted>"), text)

const innermost = (cause: unknown): unknown => {
  let current = cause
  for (let i = 0; i < 5; i++) {
    const next = (current as { cause?: unknown } | null)?.cause
    if (next === undefined || next === null) break
    current = next
  }
  return current
}

/** What a PostgreSQL (or network) error means for the journal at `target`, and what to do. */
export const describe = (target: string, config: PgConfig) => (cause: unknown): JournalError => {
  const error = innermost(cause) as { code?: string; message?: string } | null
  const code = typeof error?.code === "string" ? error.code : ""
  const text = scrub(config)(error?.message ?? String(error))
  const fail = (reason: string, hint: string) => new JournalError({ target, reason, hint })
  if (code === "ECONNREFUSED" || code === "ENOTFOUND" || code === "EAI_AGAIN" || code === "ETIMEDOUT" || code === "EHOSTUNREACH") {
    return fail(`the PostgreSQL server cannot be reached (${code})`, "check that it is running and that the URL's host and port are right")
  }
  if (code === "28P01" || code === "28000") return fail(`the server refused the login (${text})`, "check the user name and password")
  if (code === "3D000") return fail(`the database does not exist (${text})`, "create it (createdb), or name an existing one in the URL")
  if (code === "42501") return fail(`permission denied (${text})`, "grant this user the right to create and write tables in the database")
  if (code.startsWith("57P") || code.startsWith("08") || /terminat|ECONNRESET|Connection timed out|closed/i.test(text)) {
    return fail(
      `the connection to the PostgreSQL server was lost (${text})`,
      "check that the server is running, then run the job again with the same job id to resume it"
    )
  }
  return fail(`PostgreSQL failed (${text})`, "check the server and the URL")
}

export const fault = (target: string, config: PgConfig) => (error: SqlError): JournalError => describe(target, config)(error.cause ?? error)

/** A PostgreSQL client for the journal; a server that cannot be reached is a `JournalError`. */
export const clientLayer = (config: PgConfig, target: string): Layer.Layer<SqlClient.SqlClient, JournalError> =>
  PgClient.layer({
    url: config.url,
    host: config.host,
    port: config.port,
    database: config.database,
    username: config.username,
    password: config.password,
    connectTimeout: config.connectTimeout ?? Duration.seconds(5),
    applicationName: "openrouter-effect journal"
  }).pipe(
    Layer.catchAllCause((cause) => {
      const failure = Cause.failureOption(cause)
      const error = failure._tag === "Some" ? failure.value : Cause.squash(cause)
      return Layer.fail(describe(target, config)((error as { cause?: unknown })?.cause ?? error))
    })
  )
