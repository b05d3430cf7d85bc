/**
 * Secrets a command hands to the API (a BYOK provider key, a destination's config with credentials)
 * come from a file or stdin, never from a flag (where `ps` and shell history would see them). On a
 * terminal with no file given, the secret is typed with the input hidden.
 */
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import { readFileSync } from "node:fs"
import { usage } from "./errors.ts"
import { readHidden } from "./runtime.ts"

/** The whole text of `path` (`-` is stdin), or a usage error naming the flag. */
export const readSource = (flag: string, path: string) =>
  Effect.try({
    try: () => readFileSync(path === "-" ? 0 : path, "utf8"),
    catch: (error) => usage(`${flag} ${path}: cannot read it (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`)
  })

/**
 * A secret on one line: from `--FLAG FILE` (its first non-empty line), `--FLAG -` (stdin), or typed
 * hidden on a terminal. Piped without the flag, a usage error says how to give it. Never echoed.
 */
export const secretFrom = (
  options: { readonly flag: string; readonly file: Option.Option<string>; readonly what: string; readonly required: boolean }
) =>
  Effect.gen(function*() {
    const firstLine = (text: string) => text.split(/\r?\n/).map((l) => l.trim()).find((l) => l !== "") ?? ""
    if (Option.isSome(options.file)) {
      const secret = firstLine(yield* readSource(options.flag, options.file.value))
      if (secret === "") {
        return yield* Effect.fail(usage(`${options.flag} ${options.file.value} is empty: put the ${options.what} on its first line`))
      }
      return Option.some(Redacted.make(secret))
    }
    if (!options.required) return Option.none()
    if (!process.stdin.isTTY) {
      return yield* Effect.fail(
        usage(`give the ${options.what} with ${options.flag} FILE, or ${options.flag} - to read it from stdin (never as a flag value)`)
      )
    }
    const typed = firstLine(yield* readHidden(`${options.what} (input hidden): `))
    if (typed === "") return yield* Effect.fail(usage(`no ${options.what} typed: nothing was sent`))
    return Option.some(Redacted.make(typed))
  })
