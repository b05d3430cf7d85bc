/**
 * Small pieces the API commands share: optional flags, list printing with `--limit`, the record a
 * delete prints, a workspace named by id or slug, users named by id or e-mail, and the confirmation a
 * destructive single command asks for.
 */
import { Options } from "@effect/cli"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import { createInterface } from "node:readline"
import { Organization } from "../Organization.ts"
import { Workspaces } from "../Workspaces.ts"
import { usage } from "./errors.ts"
import { type Column, type OutputFlags, printRecord, printRows } from "./output.ts"

export const $ = "openrouter-admin"

export const optionalText = (name: string, description: string) => Options.text(name).pipe(Options.withDescription(description), Options.optional)

/** `{ [key]: value }` when the option is set, `{}` otherwise: for building a request from flags. */
export const some = <A, K extends string>(option: Option.Option<A>, key: K): { [P in K]?: A } =>
  Option.match(option, { onNone: () => ({}), onSome: (v) => ({ [key]: v }) as { [P in K]?: A } })

export const usd = (n: number | null | undefined) => (n === null || n === undefined ? "" : `$${n.toFixed(2)}`)

/** `--limit` must be a positive number: 0 is not "everything". */
const checkedLimit = (limit: Option.Option<number>) =>
  Option.isSome(limit) && limit.value < 1
    ? Effect.fail(usage(`--limit ${limit.value}: give a number of rows, 1 or more`))
    : Effect.succeed(limit)

/** Print a list command's rows with its flags. */
export const list = <A, E, R>(
  flags: OutputFlags & { readonly limit: Option.Option<number> },
  rows: Stream.Stream<A, E, R>,
  columns: ReadonlyArray<Column<A>>,
  idOf: (row: A) => string
) => Effect.flatMap(checkedLimit(flags.limit), (limit) => printRows(rows, { ...flags, limit, columns, id: idOf }))

/** What a delete prints: what was deleted (its id for `-q`). */
export const deleted = (flags: OutputFlags, what: string) => () => printRecord({ deleted: what }, { ...flags, id: () => what })

/** The workspace's UUID for `--workspace` (an id or a slug), when one is given. */
export const workspaceIdOf = (workspace: Option.Option<string>) =>
  Option.match(workspace, {
    onNone: () => Effect.succeed({}),
    onSome: (ref) =>
      Effect.flatMap(Workspaces, (w) => Effect.map(w.get({ id: ref }), (r) => ({ workspaceId: r.data.id }))).pipe(
        Effect.catchTag(
          "NotFoundResponseError",
          () => Effect.fail(usage(`--workspace ${ref}: no workspace has this id or slug (see \`${$} workspaces list\`)`))
        )
      )
  })

// --- users by id or e-mail ----------------------------------------------------------------------------

/**
 * User ids for `refs` (ids or e-mails): e-mails are looked up among the organisation's members (read
 * only when an e-mail is given). An e-mail nobody has is an input error naming it: nothing is sent.
 */
export const userIdsOf = (refs: ReadonlyArray<string>) =>
  Effect.gen(function*() {
    const emails = new Set(refs.filter((r) => r.includes("@")).map((r) => r.toLowerCase()))
    if (emails.size === 0) return [...new Set(refs)]
    const organization = yield* Organization
    const byEmail = new Map<string, string>()
    yield* Stream.runForEach(
      organization.streamMembers().pipe(Stream.takeWhile(() => byEmail.size < emails.size)),
      (member) =>
        Effect.sync(() => {
          const email = member.email.toLowerCase()
          if (emails.has(email)) byEmail.set(email, member.id)
        })
    )
    const unknown = [...emails].filter((e) => !byEmail.has(e))
    if (unknown.length > 0) {
      return yield* Effect.fail(usage(
        `${unknown.length === 1 ? "no organization member has the e-mail" : "no organization member has these e-mails:"} ${
          unknown.join(", ")
        }: nothing was sent (see \`${$} org members\`)`
      ))
    }
    return [...new Set(refs.map((r) => (r.includes("@") ? byEmail.get(r.toLowerCase())! : r)))]
  })

// --- confirmation ---------------------------------------------------------------------------------------

/** Whether a person is there to answer (stdin and stderr are a terminal). */
export const interactive = () => Boolean(process.stdin.isTTY && process.stderr.isTTY)

/** One line typed on the terminal, after `question` on stderr. */
export const ask = (question: string) =>
  Effect.async<string>((resume) => {
    const rl = createInterface({ input: process.stdin, output: process.stderr })
    let answered = false
    rl.question(question, (answer) => {
      answered = true
      rl.close()
      resume(Effect.succeed(answer.trim()))
    })
    // the input ended (Ctrl-D) without an answer: that is not a yes
    rl.once("close", () => {
      if (!answered) resume(Effect.succeed(""))
    })
    return Effect.sync(() => rl.close())
  })

/**
 * A destructive single command's confirmation: with `--yes`, none; on a terminal, the person types
 * `expected` (the resource's slug or name) after reading `what`; piped, it refuses (exit 2) and says
 * to pass `--yes`. Nothing is sent before it passes.
 */
export const confirmDestructive = (options: {
  readonly yes: boolean
  /** What will happen, e.g. `delete workspace "Research" (research)`. */
  readonly what: string
  /** What the person types. */
  readonly expected: string
  /** Extra lines said before asking (what else is destroyed). */
  readonly details?: ReadonlyArray<string>
}) =>
  Effect.gen(function*() {
    if (options.yes) return
    if (!interactive()) {
      return yield* Effect.fail(usage(`this would ${options.what} and there is no terminal to confirm on: pass --yes`))
    }
    for (const line of options.details ?? []) process.stderr.write(`${line}\n`)
    const answer = yield* ask(`This will ${options.what}. Type ${JSON.stringify(options.expected)} to confirm: `)
    if (answer !== options.expected) return yield* Effect.fail(usage("not confirmed: nothing was changed"))
  })

export const yesOption = Options.boolean("yes").pipe(
  Options.withAlias("y"),
  Options.withDescription("do it without asking (required when there is no terminal)")
)
