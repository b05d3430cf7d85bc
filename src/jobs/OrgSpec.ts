/**
 * Organisation as code: the desired-state file (`org.yaml` or `org.json`) as one `Schema`, `OrgSpec`.
 *
 * ```yaml
 * version: 1
 * people: { data-science: [ada@example.com, grace@example.com] }
 * workspaces:
 *   engineering:
 *     name: Engineering
 *     budgets: { daily: 25, monthly: 500 }
 *     members: [ada@example.com, user_2dHFt…, people:data-science]
 *     guardrails: { eu-only: { limitUsd: 100, resetInterval: monthly, members: [ada@example.com] } }
 * prune: { members: true }
 * protect: [default, "ops-*"]
 * ```
 *
 * What the file does not write is left as it is. Everything that can be checked without the server
 * is checked here, before any request (a member listed twice, budgets out of order, an unknown
 * `people:` list, a guardrail member who is not a member of its workspace); errors name the line and
 * column of the file ({@link parse}). {@link jsonSchema} is the JSON Schema of the same `Schema`.
 *
 * @since 0.1.0
 */
import { Effect, Either, JSONSchema, ParseResult, Schema } from "effect"
import { isMap, isPair, isScalar, isSeq, LineCounter, type Node, parseDocument } from "yaml"
import { SamplingRate, Slug, SpendingLimit, WorkspaceDescription, WorkspaceName } from "../Domain.ts"
import { GuardrailDescription, GuardrailInterval, GuardrailName } from "../GuardrailsDomain.ts"
import { DataRegion } from "../KeysDomain.ts"
import { Budgets, UserRef, WorkspaceRef } from "./Specs.ts"

// --- members ----------------------------------------------------------------------------------------

const PEOPLE = "people:"

/**
 * A named list of people (`data-science`), used in `members` as `people:data-science`.
 *
 * @since 0.1.0
 * @category schemas
 */
export const PeopleName = Schema.String.pipe(
  Schema.pattern(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/, {
    message: () => "a people list's name is letters, digits, \"-\", \"_\" or \".\" (at most 64), e.g. data-science"
  }),
  Schema.annotations({ identifier: "PeopleName" })
)

/**
 * A member: an e-mail, a user id (`user_…`), or `people:NAME` (every person of that list).
 *
 * @since 0.1.0
 * @category schemas
 */
export const MemberRef = Schema.String.pipe(
  Schema.filter((s) =>
    s.startsWith(PEOPLE)
      ? /^people:[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/.test(s) || `"${s.slice(0, 70)}" does not name a people list (people:NAME)`
      : Schema.is(UserRef)(s) || `"${String(s).slice(0, 60)}" is neither an e-mail, a user id (user_…) nor people:NAME`
  ),
  Schema.annotations({
    identifier: "MemberRef",
    jsonSchema: {
      description: "an e-mail, a user id (user_…), or people:NAME for a list under `people`",
      pattern: "^(people:[A-Za-z0-9][A-Za-z0-9_.-]{0,63}|user_[A-Za-z0-9_-]+|[^\\s@,;\"']+@[^\\s@,;\"']+\\.[^\\s@,;\"']+)$"
    }
  })
)

const Members = Schema.Array(MemberRef)

// --- workspaces -------------------------------------------------------------------------------------

const optional = <S extends Schema.Schema.All>(schema: S) => Schema.optionalWith(schema, { exact: true })
const nullable = <S extends Schema.Schema.All>(schema: S) => optional(Schema.NullOr(schema))
const NullableStrings = nullable(Schema.Array(Schema.String))

/**
 * A guardrail of a workspace, by name (unique within the workspace). Collections replace: the full set.
 *
 * @since 0.1.0
 * @category schemas
 */
export const GuardrailSpec = Schema.Struct({
  description: nullable(GuardrailDescription),
  /** USD; `null` is no limit. */
  limitUsd: nullable(SpendingLimit),
  /** `daily`, `weekly`, `monthly`; `null` never resets. */
  resetInterval: nullable(GuardrailInterval),
  includeByokInBudgets: optional(Schema.Boolean),
  allowedModels: NullableStrings,
  allowedProviders: NullableStrings,
  ignoredModels: NullableStrings,
  ignoredProviders: NullableStrings,
  /** `global`, `europe`, `us`; `null` (or `[]`): any region. */
  allowedDataRegions: nullable(Schema.Array(DataRegion)),
  enforceZdrAnthropic: nullable(Schema.Boolean),
  enforceZdrGoogle: nullable(Schema.Boolean),
  enforceZdrOpenai: nullable(Schema.Boolean),
  enforceZdrXai: nullable(Schema.Boolean),
  enforceZdrOther: nullable(Schema.Boolean),
  enableFreeModelPublication: nullable(Schema.Boolean),
  enableFreeModelTraining: nullable(Schema.Boolean),
  enablePaidModelTraining: nullable(Schema.Boolean),
  /** Members assigned to it directly (members of the workspace). */
  members: optional(Members)
}).annotations({ identifier: "GuardrailSpec" })
/**
 * @since 0.1.0
 * @category models
 */
export type GuardrailSpec = typeof GuardrailSpec.Type

/**
 * The guardrail settings the file manages (everything but `members`).
 *
 * @since 0.1.0
 * @category constants
 */
export const guardrailSettings = Object.keys(GuardrailSpec.fields).filter((k) => k !== "members") as ReadonlyArray<
  Exclude<keyof GuardrailSpec, "members">
>

/**
 * A workspace, by slug. Every setting the API has may appear; what is not written is left as it is.
 *
 * @since 0.1.0
 * @category schemas
 */
export const WorkspaceSpec = Schema.Struct({
  name: optional(WorkspaceName),
  description: nullable(WorkspaceDescription),
  defaultTextModel: nullable(Schema.String),
  defaultImageModel: nullable(Schema.String),
  defaultProviderSort: nullable(Schema.String),
  isObservabilityIoLoggingEnabled: optional(Schema.Boolean),
  isObservabilityBroadcastEnabled: optional(Schema.Boolean),
  isDataDiscountLoggingEnabled: optional(Schema.Boolean),
  ioLoggingSamplingRate: optional(SamplingRate),
  ioLoggingApiKeyIds: nullable(Schema.Array(Schema.Int)),
  /** Server tools disabled here (an open list); `[]` or `null`: none. */
  disabledServerTools: NullableStrings,
  /** USD per interval; lifetime > monthly > weekly > daily. */
  budgets: optional(Budgets),
  /** The workspace's members. The default workspace holds every organisation member implicitly: none here. */
  members: optional(Members),
  guardrails: optional(Schema.Record({ key: GuardrailName, value: GuardrailSpec }))
}).annotations({ identifier: "WorkspaceSpec" })
/**
 * @since 0.1.0
 * @category models
 */
export type WorkspaceSpec = typeof WorkspaceSpec.Type

/**
 * The workspace settings the file manages (those sent with create/update).
 *
 * @since 0.1.0
 * @category constants
 */
export const workspaceSettings = [
  "name",
  "description",
  "defaultTextModel",
  "defaultImageModel",
  "defaultProviderSort",
  "isObservabilityIoLoggingEnabled",
  "isObservabilityBroadcastEnabled",
  "isDataDiscountLoggingEnabled",
  "ioLoggingSamplingRate",
  "ioLoggingApiKeyIds",
  "disabledServerTools"
] as const satisfies ReadonlyArray<keyof WorkspaceSpec>

/**
 * What may be removed when it is not in the file; nothing by default.
 *
 * @since 0.1.0
 * @category schemas
 */
export const Prune = Schema.Struct({
  /** Members of a workspace (and direct guardrail assignments) the file's `members` lists do not name. */
  members: optional(Schema.Boolean),
  /** Guardrails of a workspace with a `guardrails` map that it does not name. */
  guardrails: optional(Schema.Boolean),
  /** Budget intervals of a workspace with a `budgets` map that it does not name. */
  budgets: optional(Schema.Boolean),
  /** Workspaces the file does not name (never the default workspace, never a protected one). */
  workspaces: optional(Schema.Boolean)
}).annotations({ identifier: "Prune" })
/**
 * @since 0.1.0
 * @category models
 */
export type Prune = typeof Prune.Type

// --- the file ---------------------------------------------------------------------------------------

/** A member listed twice in one list, after `people:` lists are expanded. */
const memberIssues = (
  members: ReadonlyArray<string>,
  at: ReadonlyArray<PropertyKey>,
  people: Readonly<Record<string, ReadonlyArray<string>>>
) => {
  const issues: Array<Schema.FilterIssue> = []
  const seen = new Map<string, { readonly where: string; readonly index: number }>()
  members.forEach((ref, index) => {
    const path = [...at, index]
    const expanded = ref.startsWith(PEOPLE) ? people[ref.slice(PEOPLE.length)] : [ref]
    if (expanded === undefined) {
      const names = Object.keys(people)
      issues.push({
        path,
        message: `${ref} names no list under people (${names.length === 0 ? "there are none" : `lists: ${names.sort().join(", ")}`})`
      })
      return
    }
    for (const person of expanded) {
      const key = person.includes("@") ? person.toLowerCase() : person
      const first = seen.get(key)
      const via = ref === person ? "" : ` (through ${ref})`
      if (first !== undefined) issues.push({ path, message: `${person}${via} is listed twice (also ${first.where})` })
      else seen.set(key, { where: `at ${[...at, index].map(String).join(".")}${via}`, index })
    }
  })
  return { issues, members: seen }
}

const checkSpec = (spec: {
  readonly people?: Readonly<Record<string, ReadonlyArray<string>>>
  readonly workspaces: Readonly<Record<string, WorkspaceSpec>>
}) => {
  const people = spec.people ?? {}
  const issues: Array<Schema.FilterIssue> = []
  for (const [name, list] of Object.entries(people)) {
    if (list.some((ref) => ref.startsWith(PEOPLE))) {
      issues.push({ path: ["people", name], message: "a people list names people, not other lists" })
    } else issues.push(...memberIssues(list, ["people", name], {}).issues)
  }
  for (const [slug, workspace] of Object.entries(spec.workspaces)) {
    const inWorkspace = workspace.members === undefined
      ? undefined
      : memberIssues(workspace.members, ["workspaces", slug, "members"], people)
    if (inWorkspace) issues.push(...inWorkspace.issues)
    // a member holds at most one direct guardrail per workspace (assigning replaces the previous one)
    const assignedTo = new Map<string, string>()
    for (const [name, guardrail] of Object.entries(workspace.guardrails ?? {})) {
      if (guardrail.members === undefined) continue
      const at = ["workspaces", slug, "guardrails", name, "members"]
      const own = memberIssues(guardrail.members, at, people)
      issues.push(...own.issues)
      for (const [person, { index }] of own.members) {
        const other = assignedTo.get(person)
        if (other !== undefined) {
          issues.push({
            path: [...at, index],
            message: `${person} is also a member of guardrail ${other}: a member holds one direct guardrail per workspace, keep one`
          })
        } else assignedTo.set(person, name)
      }
      if (inWorkspace && slug !== "default") {
        for (const [person, { index }] of own.members) {
          if (!inWorkspace.members.has(person)) {
            issues.push({
              path: [...at, index],
              message: `${person} is not among the members of ${slug}: a guardrail is assigned to members of its workspace`
            })
          }
        }
      }
    }
  }
  return issues.length === 0 ? true : issues
}

/**
 * The desired state of an organisation (the `org.yaml` file).
 *
 * @since 0.1.0
 * @category models
 */
export class OrgSpec extends Schema.Class<OrgSpec>("OrgSpec")(
  Schema.Struct({
    version: Schema.Literal(1),
    /** Named lists of people, usable wherever members are listed as `people:NAME`. */
    people: optional(Schema.Record({ key: PeopleName, value: Members })),
    /** Workspaces by slug. */
    workspaces: Schema.Record({ key: Slug, value: WorkspaceSpec }),
    prune: optional(Prune),
    /** Workspaces (slugs or globs) never changed or pruned. */
    protect: optional(Schema.Array(WorkspaceRef))
  }).pipe(Schema.filter(checkSpec))
) {
  get kind() {
    return "org" as const
  }
}

/**
 * The JSON Schema of the file, from the same `Schema` (for editors: `# yaml-language-server: $schema=…`).
 *
 * @since 0.1.0
 * @category utils
 */
export const jsonSchema = () => ({
  ...JSONSchema.make(OrgSpec),
  title: "openrouter-effect organisation file",
  description: "The desired state of an OpenRouter organisation: workspaces, budgets, members, guardrails (openrouter-admin org plan -f FILE)"
})

// --- reading a file ---------------------------------------------------------------------------------

/**
 * One thing wrong with the file: where (path, and line and column when read from text) and what.
 *
 * @since 0.1.0
 * @category models
 */
export class OrgSpecIssue extends Schema.Class<OrgSpecIssue>("OrgSpecIssue")({
  /** `workspaces.engineering.members.2`; empty for the whole file. */
  path: Schema.String,
  line: optional(Schema.Number),
  column: optional(Schema.Number),
  message: Schema.String
}) {}

/**
 * The file does not describe an organisation: every issue found, each with its line and column.
 *
 * @since 0.1.0
 * @category errors
 */
export class OrgSpecError extends Schema.TaggedError<OrgSpecError>()("OrgSpecError", {
  /** The file name (or "input" for a value given in code). */
  source: Schema.String,
  issues: Schema.Array(OrgSpecIssue)
}) {
  override get message() {
    const shown = this.issues.slice(0, 20).map((i) =>
      `${this.source}${i.line !== undefined ? `:${i.line}:${i.column}` : ""}: ${i.path === "" ? "" : `${i.path}: `}${i.message}`
    )
    const more = this.issues.length > 20 ? [`… and ${this.issues.length - 20} more`] : []
    return `${this.source} is not a valid organisation file, nothing was changed:\n  ${[...shown, ...more].join("\n  ")}`
  }
}

/**
 * Where a path of the file is: line and column (1-based), for a spec read by {@link parse}.
 *
 * @since 0.1.0
 * @category models
 */
export type Locate = (path: ReadonlyArray<PropertyKey>) => { readonly line: number; readonly column: number } | undefined

/** Specs read from text, with where each of their parts is (so later errors can name lines too). */
const sources = new WeakMap<OrgSpec, { readonly source: string; readonly locate: Locate }>()

/**
 * An issue at `path` of `spec`, with its line when the spec was read from a file.
 *
 * @since 0.1.0
 * @category utils
 */
export const issueAt = (spec: OrgSpec, path: ReadonlyArray<PropertyKey>, message: string) => {
  const where = sources.get(spec)?.locate(path)
  return new OrgSpecIssue({ path: path.map(String).join("."), message, ...(where ?? {}) })
}

/**
 * The source name of a spec (its file, or "input").
 *
 * @since 0.1.0
 * @category utils
 */
export const sourceOf = (spec: OrgSpec) => sources.get(spec)?.source ?? "input"

const decodeEither = Schema.decodeUnknownEither(OrgSpec, { errors: "all", onExcessProperty: "error" })

/** Record keys that fail their schema come back as "unexpected": say what a slug or name must be. */
const keyMessages: Record<string, string> = {
  Slug: "is not a workspace slug: lowercase letters and digits in words joined by single hyphens, e.g. \"team-a\"",
  GuardrailName: "is not a guardrail name: 1–200 characters",
  PeopleName: "is not a people list's name: letters, digits, \"-\", \"_\" or \".\" (at most 64), e.g. data-science"
}

const issuesOf = (error: ParseResult.ParseError, locate: Locate | undefined) =>
  ParseResult.ArrayFormatter.formatErrorSync(error).map((issue) => {
    const where = locate?.(issue.path)
    const key = /^is unexpected, expected: (\w+)$/.exec(issue.message)?.[1]
    const message = key !== undefined && keyMessages[key] !== undefined
      ? `"${String(issue.path.at(-1))}" ${keyMessages[key]}`
      : issue.message
    return new OrgSpecIssue({ path: issue.path.map(String).join("."), message, ...(where ?? {}) })
  })

/**
 * Decode an organisation spec: an `OrgSpec`, or its encoded form (plain data, e.g. parsed JSON);
 * anything else fails with {@link OrgSpecError} listing every issue.
 *
 * @since 0.1.0
 * @category constructors
 */
export const decode = (input: unknown, source = "input"): Effect.Effect<OrgSpec, OrgSpecError> =>
  Effect.suspend(() => {
    const plain = input instanceof OrgSpec ? { ...input } : input
    const decoded = Either.try(() => decodeEither(plain))
    if (Either.isLeft(decoded)) {
      return Effect.fail(new OrgSpecError({ source, issues: [new OrgSpecIssue({ path: "", message: "the input could not be read" })] }))
    }
    if (Either.isLeft(decoded.right)) {
      return Effect.fail(new OrgSpecError({ source, issues: issuesOf(decoded.right.left, undefined) }))
    }
    if (input instanceof OrgSpec && sources.has(input)) sources.set(decoded.right.right, sources.get(input)!)
    return Effect.succeed(decoded.right.right)
  })

/** The node at `path` of a YAML document and where it starts (the deepest part of the path that exists). */
const locator = (contents: Node | null, lines: LineCounter): Locate => (path) => {
  let node: unknown = contents
  let offset: number | undefined = (contents as Node | null)?.range?.[0]
  for (const segment of path) {
    if (isMap(node)) {
      const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === String(segment))
      if (!pair) break
      const key = pair.key as Node
      const value = pair.value as Node | null
      node = value
      // a key's own line: "12:7 memebers: is unexpected" points at the word written
      offset = key.range?.[0] ?? value?.range?.[0] ?? offset
    } else if (isSeq(node) && typeof segment === "number") {
      const item = node.items[segment]
      if (item === undefined) break
      node = isPair(item) ? item.value : item
      offset = (node as Node | null)?.range?.[0] ?? offset
    } else break
  }
  if (offset === undefined) return undefined
  const { col, line } = lines.linePos(offset)
  return { line, column: col }
}

/**
 * Read an organisation file (YAML, or JSON, which YAML includes): syntax errors (duplicate keys among
 * them, such as a guardrail name written twice in a workspace) and every schema issue come back as
 * one {@link OrgSpecError}, each issue with the line and column where it is.
 *
 * @since 0.1.0
 * @category constructors
 */
export const parse = (text: string, source = "org.yaml"): Effect.Effect<OrgSpec, OrgSpecError> =>
  Effect.suspend(() => {
    const lines = new LineCounter()
    const document = parseDocument(text, { lineCounter: lines, uniqueKeys: true, prettyErrors: false, version: "1.2" })
    if (document.errors.length > 0) {
      return Effect.fail(
        new OrgSpecError({
          source,
          issues: document.errors.map((error) => {
            const at = error.linePos?.[0] ?? lines.linePos(error.pos[0])
            const message = error.code === "DUPLICATE_KEY"
              ? "this key is written twice in the same map (a workspace slug, a guardrail name or a setting): keep one"
              : error.message.split("\n")[0]!.replace(/ at line \d+, column \d+:?$/, "")
            return new OrgSpecIssue({ path: "", line: at.line, column: at.col, message })
          })
        })
      )
    }
    const locate = locator(document.contents, lines)
    const decoded = Either.try(() => decodeEither(document.toJS({ maxAliasCount: 100 })))
    if (Either.isLeft(decoded)) {
      return Effect.fail(new OrgSpecError({ source, issues: [new OrgSpecIssue({ path: "", message: "the file could not be read" })] }))
    }
    if (Either.isLeft(decoded.right)) return Effect.fail(new OrgSpecError({ source, issues: issuesOf(decoded.right.left, locate) }))
    const spec = decoded.right.right
    sources.set(spec, { source, locate })
    return Effect.succeed(spec)
  })

/**
 * The spec as plain JSON data (what plan files and the journal store).
 *
 * @since 0.1.0
 * @category utils
 */
export const encode = (spec: OrgSpec): unknown => Schema.encodeSync(OrgSpec)(spec)

/**
 * Every member a list names, `people:` lists expanded, in order (e-mails as written).
 *
 * @since 0.1.0
 * @category utils
 */
export const expand = (spec: OrgSpec, members: ReadonlyArray<string>): ReadonlyArray<string> =>
  members.flatMap((ref) => ref.startsWith(PEOPLE) ? spec.people?.[ref.slice(PEOPLE.length)] ?? [] : [ref])

/**
 * The index in `members` a person comes from (for the line of an error about them).
 *
 * @since 0.1.0
 * @category utils
 */
export const indexOf = (spec: OrgSpec, members: ReadonlyArray<string>, person: string) =>
  members.findIndex((ref) => ref.startsWith(PEOPLE) ? (spec.people?.[ref.slice(PEOPLE.length)] ?? []).includes(person) : ref === person)
