/**
 * Users files: a CSV with an `email` and/or `user_id` (or `id`) column — any case, quoted or not,
 * separated by `,`, `;` or tabs, with or without a BOM — or, without a recognised header, one user per
 * line. Every value must be an e-mail or a user id; a line that is neither is an error naming its
 * line, and a binary file is refused. Parsed with `csv-parse`.
 *
 * @since 0.1.0
 */
import { parse } from "csv-parse/sync"
import { Effect, Schema } from "effect"
import { readFile, stat } from "node:fs/promises"

/**
 * @since 0.1.0
 * @category errors
 */
export class UsersFileError extends Schema.TaggedError<UsersFileError>()("UsersFileError", {
  path: Schema.String,
  reason: Schema.String
}) {
  override get message() {
    return `users file ${this.path}: ${this.reason}`
  }
}

const isUserId = (s: string) => /^user_[A-Za-z0-9_-]+$/.test(s)
const isEmail = (s: string) => /^[^\s@,;"']+@[^\s@,;"']+\.[^\s@,;"']+$/.test(s)

/** `User ID`, `user-id`, `USER_ID` → `userid`. */
const normalize = (header: string) => header.toLowerCase().replace(/[^a-z]/g, "")

/**
 * Parse the text of a users file; `source` names it in errors.
 *
 * @since 0.1.0
 * @category constructors
 */
export const parseUsers = (text: string, source = "users file"): Effect.Effect<Array<string>, UsersFileError> =>
  Effect.suspend(() => {
    const fail = (reason: string) => Effect.fail(new UsersFileError({ path: source, reason }))
    // binary: NUL bytes, invalid UTF-8 (decoded as U+FFFD) or other control characters
    if (/[\u0000-\u0008\u000e-\u001f\ufffd]/.test(text)) return fail("this is not a text file (binary content); give a CSV or one user per line")
    let records: Array<{ record: Array<string>; info: { lines: number } }>
    try {
      records = parse(text, {
        bom: true,
        delimiter: [",", ";", "\t"],
        comment: "#",
        comment_no_infix: true,
        skip_empty_lines: true,
        relax_column_count: true,
        trim: true,
        info: true
      }) as any
    } catch (error) {
      return fail(`not a valid CSV: ${(error as Error).message}`)
    }
    records = records.filter((r) => r.record.some((cell) => cell !== ""))
    if (records.length === 0) return fail("no users in it")
    const header = records[0]!.record.map(normalize)
    const idColumn = header.findIndex((h) => h === "userid" || h === "id")
    const emailColumn = header.findIndex((h) => h === "email")
    const users: Array<string> = []
    if (idColumn < 0 && emailColumn < 0) {
      // no recognised header: one user per line
      for (const { info, record } of records) {
        const values = record.filter((cell) => cell !== "")
        if (values.length > 1) {
          return fail(`line ${info.lines}: several values but no header naming the columns (email, user_id)`)
        }
        const value = values[0]!
        if (!isUserId(value) && !isEmail(value)) {
          return fail(`line ${info.lines}: "${value.slice(0, 60)}" is neither an e-mail nor a user id (user_…)`)
        }
        users.push(value)
      }
      return Effect.succeed(users)
    }
    for (const { info, record } of records.slice(1)) {
      const id = idColumn >= 0 ? record[idColumn] ?? "" : ""
      const email = emailColumn >= 0 ? record[emailColumn] ?? "" : ""
      if (id !== "" && !isUserId(id)) return fail(`line ${info.lines}: "${id.slice(0, 60)}" is not a user id (user_…)`)
      if (email !== "" && !isEmail(email)) return fail(`line ${info.lines}: "${email.slice(0, 60)}" is not an e-mail address`)
      if (id === "" && email === "") return fail(`line ${info.lines}: neither an e-mail nor a user id`)
      users.push(id !== "" ? id : email)
    }
    if (users.length === 0) return fail("a header but no users")
    return Effect.succeed(users)
  })

/**
 * Read and parse a users file: missing files, directories and binary files are typed errors.
 *
 * @since 0.1.0
 * @category constructors
 */
export const read = (path: string): Effect.Effect<Array<string>, UsersFileError> =>
  Effect.gen(function*() {
    const info = yield* Effect.tryPromise({
      try: () => stat(path),
      catch: (error) =>
        new UsersFileError({
          path,
          reason: (error as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : `cannot read it (${(error as Error).message})`
        })
    })
    if (info.isDirectory()) return yield* new UsersFileError({ path, reason: "is a directory, not a file" })
    const bytes = yield* Effect.tryPromise({
      try: () => readFile(path),
      catch: (error) => new UsersFileError({ path, reason: `cannot read it (${(error as Error).message})` })
    })
    return yield* parseUsers(new TextDecoder("utf-8").decode(bytes), path)
  })
