/**
 * Job specs: each job's parameters as a `Schema` class, decoded before any request. The encoded form
 * is plain JSON (it is what the journal and plan files store); messages name the field and the fix.
 *
 * ```ts
 * const spec = yield* OnboardingSpec.decode({ users: ["ada@example.com"], workspaces: ["team-a"] })
 * yield* Onboarding.apply(spec)                        // or the encoded form: { users: […], workspaces: […] }
 * ```
 *
 * `Spec.decode(input)` is the safe constructor: an `Effect` failing with `InvalidRequestError` (naming
 * the field and the fix), never a defect. `Spec.make(fields)` (from `Schema.Class`) throws a
 * `ParseError` on invalid fields: use it only for values known to be valid.
 *
 * To extend a spec, add an optional field: specs saved by earlier versions still decode.
 *
 * @since 0.1.0
 */
import { Duration, Effect, Either, ParseResult, Schema } from "effect"
import { BudgetInterval } from "../Domain.ts"
import { InvalidRequestError } from "../Errors.ts"
import { Uuid } from "../KeysDomain.ts"
import type { JobKind, JobSpec } from "./Definitions.ts"

export type {
  /**
   * The same as `Definitions.JobKind`.
   *
   * @since 0.1.0
   * @category models
   */
  JobKind,
  /**
   * The same as `Definitions.JobSpec`.
   *
   * @since 0.1.0
   * @category models
   */
  JobSpec
}

// --- building blocks --------------------------------------------------------------------------------

const hasControl = (s: string) => /[\u0000-\u001f\u007f]/.test(s)

/** A short, printable, non-blank string (no control characters), at most `max` characters. */
const Text = (what: string, max: number) =>
  Schema.String.pipe(
    Schema.filter((s) => {
      if (s.trim() === "") return `${what} must not be empty`
      if (s.length > max) return `${what} is longer than ${max} characters`
      if (hasControl(s)) return `${what} contains control characters`
      if (s !== s.trim()) return `${what} has leading or trailing spaces`
      return true
    })
  )

/**
 * A user: an organization member's id (`user_…`) or e-mail.
 *
 * @since 0.1.0
 * @category schemas
 */
export const UserRef = Text("a user", 320).pipe(
  Schema.filter((s) =>
    /^user_[A-Za-z0-9_-]+$/.test(s) || /^[^\s@,;"']+@[^\s@,;"']+\.[^\s@,;"']+$/.test(s) ||
    `"${s.slice(0, 60)}" is neither a user id (user_…) nor an e-mail address`
  ),
  Schema.annotations({ identifier: "UserRef" })
)

/**
 * A workspace selector: an exact id, an exact slug, or a glob over slugs and names (`team-*`, `Eng*`), never over ids.
 *
 * @since 0.1.0
 * @category schemas
 */
export const WorkspaceRef = Text("a workspace", 128).pipe(Schema.annotations({ identifier: "WorkspaceRef" }))

/**
 * A glob over file names or MIME types (`*.tmp`, `text/*`).
 *
 * @since 0.1.0
 * @category schemas
 */
export const Glob = Text("a pattern", 256).pipe(Schema.annotations({ identifier: "Glob" }))

const NonEmpty = <S extends Schema.Schema.Any>(item: S, what: string, max: number) =>
  Schema.Array(item).pipe(
    Schema.filter((a) => a.length === 0 ? `give at least one ${what}` : a.length > max ? `at most ${max} ${what}s per job` : true)
  )

/**
 * @since 0.1.0
 * @category schemas
 */
export const Users = NonEmpty(UserRef, "user", 1_000_000)
/**
 * @since 0.1.0
 * @category schemas
 */
export const Workspaces = NonEmpty(WorkspaceRef, "workspace", 10_000)

/**
 * `"all"`, or a non-empty list of ids, slugs and globs: an empty list never means everything.
 *
 * @since 0.1.0
 * @category schemas
 */
export const WorkspaceScope = Schema.Union(Schema.Literal("all"), Workspaces)
/**
 * @since 0.1.0
 * @category models
 */
export type WorkspaceScope = typeof WorkspaceScope.Type

/** A positive amount in USD. */
const Usd = Schema.Number.pipe(
  Schema.filter((n) => (Number.isFinite(n) && n > 0 && n <= 1e9) || "must be a positive amount in USD")
)

/**
 * The budget intervals, smallest first (the API's order: lifetime > monthly > weekly > daily).
 *
 * @since 0.1.0
 * @category constants
 */
export const BudgetIntervals = BudgetInterval.literals
export type {
  /**
   * The same as the client's `BudgetInterval`.
   *
   * @since 0.1.0
   * @category models
   */
  BudgetInterval
}

/**
 * Limits per interval; lifetime > monthly > weekly > daily among those given.
 *
 * @since 0.1.0
 * @category schemas
 */
export const Budgets = Schema.Struct({
  daily: Schema.optionalWith(Usd, { exact: true }),
  weekly: Schema.optionalWith(Usd, { exact: true }),
  monthly: Schema.optionalWith(Usd, { exact: true }),
  lifetime: Schema.optionalWith(Usd, { exact: true })
}).pipe(
  Schema.filter((budgets) => {
    const given = BudgetIntervals.filter((interval) => budgets[interval] !== undefined)
    if (given.length === 0) return "give at least one of daily, weekly, monthly, lifetime"
    for (let i = 1; i < given.length; i++) {
      const [low, high] = [given[i - 1]!, given[i]!]
      if (!(budgets[high]! > budgets[low]!)) {
        return `budgets must satisfy lifetime > monthly > weekly > daily, but ${high} (${budgets[high]}) ≤ ${low} (${budgets[low]})`
      }
    }
    return true
  })
)
/**
 * @since 0.1.0
 * @category models
 */
export type Budgets = typeof Budgets.Type

/**
 * `30d`, `12h`, `90m`, `45s`, `2w` or an Effect duration (`30 days`) as milliseconds, if positive.
 *
 * @since 0.1.0
 * @category utils
 */
export const ageMillis = (text: string): number | undefined => {
  const short = /^(\d+(?:\.\d+)?)\s*([smhdw])$/.exec(text.trim())
  const input = short
    ? `${short[1]} ${({ s: "seconds", m: "minutes", h: "hours", d: "days", w: "weeks" } as const)[short[2] as "s"]}`
    : text.trim()
  if (!/^\d+(\.\d+)?\s+(nanos?|micros?|millis?|seconds?|minutes?|hours?|days?|weeks?)$/.test(input)) return undefined
  const millis = Duration.toMillis(Duration.decode(input as Duration.DurationInput))
  return Number.isFinite(millis) && millis > 0 ? millis : undefined
}

/**
 * A positive age: `30d`, `12h`, `90m`, `45s`, `2w`, or `30 days`.
 *
 * @since 0.1.0
 * @category schemas
 */
export const Age = Schema.String.pipe(
  Schema.filter((s) =>
    (s.length <= 64 && ageMillis(s) !== undefined) ||
    `"${s.slice(0, 40)}" is not a positive age: use e.g. 30d, 12h, 90m, 45s, 2w or "30 days"`
  ),
  Schema.annotations({ identifier: "Age" })
)

/**
 * An ISO 8601 date or date-time (`2025-01-31`, `2025-01-31T12:00:00Z`).
 *
 * @since 0.1.0
 * @category schemas
 */
export const IsoDate = Schema.String.pipe(
  Schema.filter((s) =>
    (/^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?)?$/.test(s) && Number.isFinite(Date.parse(s))) ||
    `"${s.slice(0, 40)}" is not an ISO date: use e.g. 2025-01-31 or 2025-01-31T12:00:00Z`
  ),
  Schema.annotations({ identifier: "IsoDate" })
)

const Bytes = Schema.Number.pipe(
  Schema.filter((n) => (Number.isSafeInteger(n) && n >= 0) || "must be a whole number of bytes ≥ 0")
)

// --- the specs --------------------------------------------------------------------------------------

const membershipFields = {
  /** User ids (`user_…`) and/or e-mails of organization members. */
  users: Users,
  /** Workspace ids, slugs, or globs over slugs and names; each must match at least one workspace. */
  workspaces: Workspaces
}

/**
 * A guardrail's id (a UUID).
 *
 * @since 0.1.0
 * @category schemas
 */
export const GuardrailId = Uuid.pipe(Schema.annotations({ identifier: "GuardrailId" }))

/**
 * Onboarding: add users to workspaces (creating missing ones by slug and setting budgets if asked).
 *
 * @since 0.1.0
 * @category models
 */
export class OnboardingSpec extends Schema.Class<OnboardingSpec>("OnboardingSpec")({
  ...membershipFields,
  /** Create workspaces that do not exist (by slug; the name is the slug). Globs never create. */
  ensureWorkspaces: Schema.optionalWith(Schema.Boolean, { exact: true }),
  /** Budgets each workspace should have. */
  budgets: Schema.optionalWith(Budgets, { exact: true }),
  /**
   * A guardrail to assign to the users in its workspace (one of `workspaces`), once they are members;
   * users already assigned are left alone.
   */
  guardrail: Schema.optionalWith(GuardrailId, { exact: true })
}) {
  /**
   * Decode the encoded form (or re-check an instance): `InvalidRequestError` naming the field and the fix, never a defect.
   *
   * @since 0.1.0
   */
  static decode(input: unknown): Effect.Effect<OnboardingSpec, InvalidRequestError> {
    return decode(OnboardingSpec, "onboarding")(input)
  }
  get kind() {
    return "onboarding" as const
  }
}

/**
 * What happens to a key: `disable` (reversible) or `delete`.
 *
 * @since 0.1.0
 * @category schemas
 */
export const KeyAction = Schema.Literal("disable", "delete")
/**
 * @since 0.1.0
 * @category models
 */
export type KeyAction = typeof KeyAction.Type

/**
 * Offboarding: take users' access away in workspaces: their active keys there are disabled (default)
 * or deleted, their direct guardrail assignments there unassigned, then their memberships removed.
 *
 * @since 0.1.0
 * @category models
 */
export class OffboardingSpec extends Schema.Class<OffboardingSpec>("OffboardingSpec")({
  ...membershipFields,
  /** What to do with the users' keys in those workspaces (default `disable`). */
  keys: Schema.optionalWith(KeyAction, { exact: true })
}) {
  /**
   * Decode the encoded form (or re-check an instance): `InvalidRequestError` naming the field and the fix, never a defect.
   *
   * @since 0.1.0
   */
  static decode(input: unknown): Effect.Effect<OffboardingSpec, InvalidRequestError> {
    return decode(OffboardingSpec, "offboarding")(input)
  }
  get kind() {
    return "offboarding" as const
  }
}

/**
 * The same budgets across workspaces: `"all"` or an explicit list (an empty list is refused).
 *
 * @since 0.1.0
 * @category models
 */
export class BudgetPolicySpec extends Schema.Class<BudgetPolicySpec>("BudgetPolicySpec")({
  budgets: Budgets,
  workspaces: WorkspaceScope
}) {
  /**
   * Decode the encoded form (or re-check an instance): `InvalidRequestError` naming the field and the fix, never a defect.
   *
   * @since 0.1.0
   */
  static decode(input: unknown): Effect.Effect<BudgetPolicySpec, InvalidRequestError> {
    return decode(BudgetPolicySpec, "budget-policy")(input)
  }
  get kind() {
    return "budget-policy" as const
  }
}

const fileFilters = ["olderThan", "createdBefore", "name", "mimeType", "minSize", "maxSize", "downloadable"] as const

/**
 * File cleanup: at least one filter (or a workspace list), or `all: true` to mean every file.
 *
 * @since 0.1.0
 * @category models
 */
export class FileCleanupSpec extends Schema.Class<FileCleanupSpec>("FileCleanupSpec")(
  Schema.Struct({
    /** `"all"` (default) or workspace ids, slugs, or globs over slugs and names. */
    workspaces: Schema.optionalWith(WorkspaceScope, { exact: true }),
    /** Files created more than this long ago (positive). */
    olderThan: Schema.optionalWith(Age, { exact: true }),
    /** Files created before this instant (ISO 8601). */
    createdBefore: Schema.optionalWith(IsoDate, { exact: true }),
    /** Filename glob, e.g. `*.tmp`. */
    name: Schema.optionalWith(Glob, { exact: true }),
    /** MIME type or glob, e.g. `text/*`. */
    mimeType: Schema.optionalWith(Glob, { exact: true }),
    minSize: Schema.optionalWith(Bytes, { exact: true }),
    maxSize: Schema.optionalWith(Bytes, { exact: true }),
    downloadable: Schema.optionalWith(Schema.Boolean, { exact: true }),
    /** Every file in the selected workspaces: required when no filter is given. */
    all: Schema.optionalWith(Schema.Boolean, { exact: true })
  }).pipe(
    Schema.filter((spec) => {
      const filtered = fileFilters.some((f) => spec[f] !== undefined) ||
        (spec.workspaces !== undefined && spec.workspaces !== "all")
      if (!filtered && spec.all !== true) {
        return "no filter given: this would select every file; add a filter (olderThan, name, mimeType, …) or all: true"
      }
      if (spec.minSize !== undefined && spec.maxSize !== undefined && spec.minSize > spec.maxSize) {
        return `minSize (${spec.minSize}) is larger than maxSize (${spec.maxSize})`
      }
      return true
    })
  )
) {
  /**
   * Decode the encoded form (or re-check an instance): `InvalidRequestError` naming the field and the fix, never a defect.
   *
   * @since 0.1.0
   */
  static decode(input: unknown): Effect.Effect<FileCleanupSpec, InvalidRequestError> {
    return decode(FileCleanupSpec, "file-cleanup")(input)
  }
  get kind() {
    return "file-cleanup" as const
  }
}

/** A share of a key's limit: `0.9` is 90 % (above 1: over the limit). */
const Share = Schema.Number.pipe(
  Schema.filter((n) => (Number.isFinite(n) && n > 0 && n <= 10) || "must be a share of the limit above 0, e.g. 0.9 for 90 %")
)

const keyReasons = ["orphaned", "expired", "overLimit"] as const
const keyCriteria = [...keyReasons, "name", "label"] as const

/**
 * Key hygiene: disable (default) or delete keys in the selected workspaces. A key is selected when it
 * has one of the reasons asked for (its creator left the organisation, it expired, it used at least
 * `overLimit` of its limit) and matches the `name`/`label` globs given; with globs alone, by name or
 * label. At least one criterion, or `allKeys: true` to mean every key: an empty selection is refused.
 *
 * @since 0.1.0
 * @category models
 */
export class KeyHygieneSpec extends Schema.Class<KeyHygieneSpec>("KeyHygieneSpec")(
  Schema.Struct({
    /** `"all"` or workspace ids, slugs, or globs over slugs and names. */
    workspaces: WorkspaceScope,
    /** Keys whose creator is no longer an organisation member. */
    orphaned: Schema.optionalWith(Schema.Boolean, { exact: true }),
    /** Keys past their `expiresAt`. */
    expired: Schema.optionalWith(Schema.Boolean, { exact: true }),
    /** Keys that used at least this share of their limit (keys without a limit never match). */
    overLimit: Schema.optionalWith(Share, { exact: true }),
    /** Key name glob, e.g. `tmp-*`. */
    name: Schema.optionalWith(Glob, { exact: true }),
    /** Key label glob (the masked key, e.g. `sk-or-v1-abc*`). */
    label: Schema.optionalWith(Glob, { exact: true }),
    /** Every key in the selected workspaces: required when no criterion is given. */
    allKeys: Schema.optionalWith(Schema.Boolean, { exact: true }),
    /** `disable` (default, reversible) or `delete`. */
    action: Schema.optionalWith(KeyAction, { exact: true })
  }).pipe(
    Schema.filter((spec) => {
      const criteria = keyCriteria.filter((c) => spec[c] !== undefined && spec[c] !== false)
      if (criteria.length === 0 && spec.allKeys !== true) {
        return "no criterion given: this would select every key; add one (orphaned, expired, overLimit, name, label) or allKeys: true"
      }
      if (criteria.length > 0 && spec.allKeys === true) {
        return `allKeys selects every key: give it alone, or criteria (${criteria.join(", ")}) without it`
      }
      return true
    })
  )
) {
  /**
   * Decode the encoded form (or re-check an instance): `InvalidRequestError` naming the field and the fix, never a defect.
   *
   * @since 0.1.0
   */
  static decode(input: unknown): Effect.Effect<KeyHygieneSpec, InvalidRequestError> {
    return decode(KeyHygieneSpec, "key-hygiene")(input)
  }
  get kind() {
    return "key-hygiene" as const
  }
  /** The reasons asked for (empty: name/label globs, or every key). */
  get reasons() {
    return keyReasons.filter((r) => this[r] !== undefined && this[r] !== false)
  }
}

// --- decoding ---------------------------------------------------------------------------------------

/**
 * Issues as `field: message` lines (the path names the field; the message says the fix).
 *
 * @since 0.1.0
 * @category utils
 */
export const formatIssues = (error: ParseResult.ParseError) =>
  ParseResult.ArrayFormatter.formatErrorSync(error)
    .slice(0, 5)
    .map((issue) => `${issue.path.length > 0 ? `${issue.path.join(".")}: ` : ""}${issue.message}`)
    .join("; ")

/**
 * Decode a spec instance or its encoded form; anything else fails with `InvalidRequestError`
 * (never a defect, never a request).
 *
 * @since 0.1.0
 * @category constructors
 */
export const decode = <S extends Schema.Schema<any, any, never>>(schema: S, operation: string) => {
  const decodeEither = Schema.decodeUnknownEither(schema, { errors: "all", onExcessProperty: "error" })
  return (input: unknown): Effect.Effect<Schema.Schema.Type<S>, InvalidRequestError> =>
    Effect.suspend(() => {
      // a decoded instance re-validates through its fields
      const plain = typeof schema === "function" && input instanceof (schema as any) ? { ...(input as object) } : input
      const decoded = Either.try(() => decodeEither(plain))
      if (Either.isLeft(decoded)) {
        return Effect.fail(new InvalidRequestError({ operation, issue: "the input could not be read" }))
      }
      return Either.isRight(decoded.right)
        ? Effect.succeed(decoded.right.right)
        : Effect.fail(new InvalidRequestError({ operation, issue: formatIssues(decoded.right.left) }))
    })
}

/**
 * The spec as plain JSON (what the journal and plan files store).
 *
 * @since 0.1.0
 * @category utils
 */
export const encode = (spec: JobSpec | { readonly kind: string }): unknown => {
  const { kind: _kind, ...fields } = spec as { readonly kind: string } & Record<string, unknown>
  return JSON.parse(JSON.stringify(fields))
}

/**
 * What differs between two encoded specs, e.g. `workspaces: saved ["a"], given ["b"]` (empty when equal).
 *
 * @since 0.1.0
 * @category utils
 */
export const differences = (saved: unknown, given: unknown): ReadonlyArray<string> => {
  const a = (saved ?? {}) as Record<string, unknown>
  const b = (given ?? {}) as Record<string, unknown>
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort()
  return keys.flatMap((key) => {
    const [x, y] = [JSON.stringify(a[key]), JSON.stringify(b[key])]
    return x === y ? [] : [`${key}: saved ${clip(x ?? "(none)")}, given ${clip(y ?? "(none)")}`]
  })
}

const clip = (s: string) => (s.length > 80 ? `${s.slice(0, 77)}…` : s)
