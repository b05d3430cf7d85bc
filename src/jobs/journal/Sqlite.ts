/**
 * The SQLite backend of the journal: opens the file after checking what SQLite itself reports badly
 * (a directory that cannot be created or written, a read-only file, a file that is not a journal, a
 * damaged one), and turns SQLite's errors into a `JournalError` naming the file and what to do.
 *
 * @since 0.2.0
 */
import type { SqlClient } from "@effect/sql"
import { SqliteClient } from "@effect/sql-sqlite-node"
import type { SqlError } from "@effect/sql/SqlError"
import { Cause, Effect, Layer } from "effect"
import { accessSync, closeSync, constants, mkdirSync, openSync, readSync, statSync } from "node:fs"
import { dirname } from "node:path"
import { JournalError } from "./errors.ts"

const SQLITE_HEADER = "SQLite format 3\u0000"

const codeOf = (cause: unknown): string | undefined => {
  const code = (cause as { code?: unknown } | null)?.code
  return typeof code === "string" ? code : undefined
}

const messageOf = (cause: unknown) => (cause instanceof Error ? cause.message : String(cause))

const elsewhere = "or point the job at another journal file"

/** What an SQLite (or file system) error means for the journal at `file`, and what to do. */
export const describe = (file: string, cause: unknown): JournalError => {
  const code = codeOf(cause) ?? ""
  const fail = (reason: string, hint: string) => new JournalError({ target: file, reason, hint })
  if (code === "SQLITE_READONLY" || code.startsWith("SQLITE_READONLY_") || code === "EROFS") {
    return fail("the journal cannot be written (the file or its directory is read-only)", `make both writable for this user, ${elsewhere}`)
  }
  if (code === "SQLITE_CANTOPEN" || code === "EACCES" || code === "EPERM") {
    return fail(
      `the journal cannot be opened (${messageOf(cause)})`,
      `check that this user may read and write the file and its directory, ${elsewhere}`
    )
  }
  if (code === "SQLITE_NOTADB") {
    return fail("the file is not a journal (not an SQLite database)", `move it aside if it is not yours to overwrite, ${elsewhere}`)
  }
  if (code === "SQLITE_CORRUPT" || code.startsWith("SQLITE_CORRUPT_")) {
    return fail(
      "the journal is damaged (truncated or overwritten)",
      `restore it from a backup, or move it aside and start again (jobs recorded in it can no longer be resumed), ${elsewhere}`
    )
  }
  if (code === "SQLITE_FULL" || code === "ENOSPC") return fail("the disk is full", "free some space, or choose a journal on another disk")
  if (code === "SQLITE_BUSY" || code === "SQLITE_LOCKED") {
    return fail("the journal stayed locked by another process", "try again once the other run has finished writing")
  }
  if (code.startsWith("SQLITE_IOERR")) return fail(`the journal cannot be read or written (${messageOf(cause)})`, "check the disk and the file")
  return fail(`the journal failed (${messageOf(cause)})`, "check the file, or choose another journal")
}

export const fault = (file: string) => (error: SqlError): JournalError => describe(file, error.cause ?? error)

/**
 * Check what can be checked before opening: SQLite reports a read-only directory or file only at the
 * first write, and a garbage file as "not a database" at the first read.
 */
const preflight = (file: string): JournalError | undefined => {
  const fail = (reason: string, hint: string) => new JournalError({ target: file, reason, hint })
  const dir = dirname(file)
  try {
    mkdirSync(dir, { recursive: true })
  } catch (cause) {
    const code = codeOf(cause)
    if (code === "ENOTDIR" || code === "EEXIST") return fail(`${dir} is not a directory`, elsewhere.replace(/^or p/, "P"))
    return fail(`its directory ${dir} cannot be created (${code ?? messageOf(cause)})`, `create it with write access for this user, ${elsewhere}`)
  }
  let exists = true
  try {
    const stat = statSync(file)
    if (stat.isDirectory()) return fail("it is a directory, not a file", "name the journal file itself (for example journal.sqlite inside it)")
  } catch {
    exists = false
  }
  try {
    accessSync(dir, constants.W_OK)
  } catch {
    return fail(
      `its directory ${dir} is not writable (SQLite writes its lock and log files beside the journal)`,
      `make the directory writable for this user, ${elsewhere}`
    )
  }
  if (!exists) return undefined
  try {
    accessSync(file, constants.R_OK | constants.W_OK)
  } catch {
    return fail("the file is read-only for this user", `make it writable (chmod u+rw), ${elsewhere}`)
  }
  const header = Buffer.alloc(16)
  let read = 0
  try {
    const fd = openSync(file, "r")
    try {
      read = readSync(fd, header, 0, 16, 0)
    } finally {
      closeSync(fd)
    }
  } catch (cause) {
    return describe(file, cause)
  }
  if (read === 0) return undefined // an empty file: SQLite makes a journal of it
  if (read < 16 || header.toString("latin1") !== SQLITE_HEADER) {
    return fail("the file is not a journal (not an SQLite database)", `move it aside if it is not yours to overwrite, ${elsewhere}`)
  }
  return undefined
}

/** An SQLite client on `file`, checked (and integrity-checked) before any job uses it. */
export const clientLayer = (file: string): Layer.Layer<SqlClient.SqlClient, JournalError> =>
  Layer.unwrapEffect(Effect.sync(() => {
    const problem = preflight(file)
    if (problem) return Layer.fail(problem)
    const client = SqliteClient.layer({ filename: file })
    const checked = Layer.effectDiscard(
      Effect.gen(function*() {
        const sql = yield* SqliteClient.SqliteClient
        // a truncated or overwritten journal shows here, before any job reads it
        const rows = yield* sql<{ quick_check: string }>`PRAGMA quick_check`
        const verdict = rows.map((r) => Object.values(r)[0]).join("; ")
        if (verdict !== "ok") {
          return yield* new JournalError({
            target: file,
            reason: `the journal is damaged (${verdict.slice(0, 200)})`,
            hint: `restore it from a backup, or move it aside and start again (jobs recorded in it can no longer be resumed), ${elsewhere}`
          })
        }
      }).pipe(Effect.catchTag("SqlError", (error) => Effect.fail(fault(file)(error))))
    )
    return Layer.provideMerge(checked, client).pipe(
      // better-sqlite3 throws from its constructor (and the WAL pragma): a defect inside the layer
      Layer.catchAllCause((cause) => {
        const failure = Cause.failureOption(cause)
        if (failure._tag === "Some") {
          const error = failure.value
          return Layer.fail(error instanceof JournalError ? error : fault(file)(error as unknown as SqlError))
        }
        return Layer.fail(describe(file, Cause.squash(cause)))
      })
    )
  }))
