/**
 * Key hygiene: select API keys across workspaces (their creator left the organisation, they expired,
 * they used a share of their limit, or by name/label glob), plan (each key and why), then disable
 * (default, reversible) or delete them through the engine. A key outside the selection can never be
 * touched: the step that changes a key checks the same predicate again on the planned metadata.
 *
 * @since 0.1.0
 */
import { Effect, Schema, Stream } from "effect"
import { Keys, type KeysError } from "../Keys.ts"
import { Organization } from "../Organization.ts"
import type { JobDefinition, PlanOptions } from "./Definitions.ts"
import * as Engine from "./Engine.ts"
import * as Reading from "./Reading.ts"
import { globMatcher, resolveWorkspaces } from "./Selection.ts"
import * as Specs from "./Specs.ts"

const KIND = "key-hygiene"

/**
 * A key as planned: what the selection looked at, and why it was selected.
 *
 * @since 0.1.0
 * @category models
 */
export class KeyRef extends Schema.Class<KeyRef>("KeyRef")({
  hash: Schema.String,
  name: Schema.String,
  /** The masked key, e.g. `sk-or-v1-abc...1234` (never the key). */
  label: Schema.String,
  workspaceId: Schema.String,
  /** The workspace's slug (reports name workspaces by slug). */
  workspace: Schema.String,
  creatorUserId: Schema.NullOr(Schema.String),
  disabled: Schema.Boolean,
  expiresAt: Schema.NullOr(Schema.String),
  limit: Schema.NullOr(Schema.Number),
  usage: Schema.Number,
  /** Why it is selected: "creator left the organisation", "expired 2025-03-01", "used 95% of its limit", … */
  reasons: Schema.Array(Schema.String)
}) {}

/**
 * @since 0.1.0
 * @category models
 */
export class KeyHygienePlan extends Schema.TaggedClass<KeyHygienePlan>()("KeyHygienePlan", {
  spec: Specs.KeyHygieneSpec,
  /** The instant "expired" was judged at (ms since the epoch). */
  now: Schema.Number,
  /** Creators of listed keys who were not organisation members when planned. */
  orphanedCreators: Schema.Array(Schema.String),
  keys: Schema.Array(KeyRef),
  /** Every workspace the spec selected (slugs), keys in it or not. */
  workspaces: Schema.optionalWith(Schema.Array(Schema.String), { exact: true, default: () => [] })
}) {
  get count() {
    return this.keys.length
  }
  get action(): Specs.KeyAction {
    return this.spec.action ?? "disable"
  }
}

type Matchable = Pick<KeyRef, "name" | "label" | "creatorUserId" | "disabled" | "limit" | "usage"> & {
  readonly expiresAt?: string | null | undefined
}

const percent = (n: number) => `${Math.round(n * 100)}%`

/**
 * The selection as a function of a key's metadata: the reasons it is selected, or `undefined` when
 * it is not (the single source of truth for what is changed). Globs narrow; the reasons asked for
 * (orphaned, expired, over limit) are alternatives: a key needs one of them.
 *
 * @since 0.1.0
 * @category selection
 */
export const selector = (spec: Specs.KeyHygieneSpec, now: number, orphaned: ReadonlySet<string>) => {
  const name = spec.name === undefined ? undefined : globMatcher(spec.name)
  const label = spec.label === undefined ? undefined : globMatcher(spec.label)
  const wanted = spec.reasons
  return (key: Matchable): ReadonlyArray<string> | undefined => {
    // a disabled key has nothing left to disable
    if (key.disabled && (spec.action ?? "disable") === "disable") return undefined
    if (name !== undefined && !name(key.name)) return undefined
    if (label !== undefined && !label(key.label)) return undefined
    const reasons: Array<string> = []
    if (spec.orphaned && key.creatorUserId !== null && orphaned.has(key.creatorUserId)) {
      reasons.push(`creator ${key.creatorUserId} is no longer an organisation member`)
    }
    if (spec.expired && key.expiresAt != null && Date.parse(key.expiresAt) <= now) reasons.push(`expired ${key.expiresAt}`)
    if (spec.overLimit !== undefined && key.limit !== null && key.usage >= spec.overLimit * key.limit) {
      reasons.push(`used ${key.limit > 0 ? percent(key.usage / key.limit) : "all"} of its ${key.limit} USD limit (≥ ${percent(spec.overLimit)})`)
    }
    if (wanted.length > 0) return reasons.length > 0 ? reasons : undefined
    if (spec.allKeys) return ["every key selected (allKeys)"]
    return [[name && `name matches ${spec.name}`, label && `label matches ${spec.label}`].filter(Boolean).join(", ")]
  }
}

/** Every key the spec selects, listed from the server (each workspace read in full before anything changes). */
const listSelected = (spec: Specs.KeyHygieneSpec, now: number, concurrency: number, reading: Reading.Reporter) =>
  Effect.gen(function*() {
    const keys = yield* Keys
    const organization = yield* Organization
    const selection = yield* resolveWorkspaces(KIND, spec.workspaces)
    const includeDisabled = (spec.action ?? "disable") === "delete"
    const counter = reading("workspace", selection.selected.length)
    const listed = (yield* Effect.forEach(selection.selected, (workspace) => {
      // the keys of one workspace, counted as they are read (the API gives no total)
      const inside = reading(`keys of ${workspace.slug}`, undefined)
      return Effect.map(
        Stream.runCollect(Stream.tap(keys.stream({ workspaceId: workspace.id, includeDisabled }), () => inside.one)),
        (chunk) => [...chunk].map((key) => ({ key, workspace }))
      ).pipe(Effect.tap(() => Effect.zipRight(inside.end, counter.one)))
    }, { concurrency })).flat()
    // orphaned: the creators among these keys who are not members (read only when asked)
    const orphaned = new Set<string>()
    if (spec.orphaned) {
      const members = new Set<string>()
      yield* Stream.runForEach(organization.streamMembers(), (m) => Effect.sync(() => members.add(m.id)))
      for (const { key } of listed) if (key.creatorUserId !== null && !members.has(key.creatorUserId)) orphaned.add(key.creatorUserId)
    }
    const select = selector(spec, now, orphaned)
    const selected = listed.flatMap(({ key, workspace }) => {
      const reasons = select(key)
      return reasons === undefined ? [] : [
        new KeyRef({
          hash: key.hash,
          name: key.name,
          label: key.label,
          workspaceId: workspace.id,
          workspace: workspace.slug,
          creatorUserId: key.creatorUserId,
          disabled: key.disabled,
          expiresAt: key.expiresAt ?? null,
          limit: key.limit,
          usage: key.usage,
          reasons
        })
      ]
    })
    return {
      keys: selected,
      orphaned: [...orphaned].filter((id) => selected.some((k) => k.creatorUserId === id)),
      workspaces: selection.selected.map((w) => w.slug),
      listed: new Set(listed.map(({ key }) => key.hash))
    }
  })

/**
 * Plan from a spec (an instance or its encoded form); anything else fails with `InvalidRequestError`. Changes nothing.
 *
 * @since 0.1.0
 * @category planning
 */
export const plan = (input: unknown, options: PlanOptions = {}) =>
  Effect.gen(function*() {
    const spec = yield* Specs.decode(Specs.KeyHygieneSpec, KIND)(input)
    const { concurrency } = yield* Engine.checkOptions(options)
    const now = Date.now()
    const { keys, orphaned, workspaces } = yield* listSelected(spec, now, concurrency, Reading.reporter(options.events))
    return new KeyHygienePlan({ spec, now, orphanedCreators: orphaned, keys, workspaces })
  }).pipe(Engine.gated(options))

/** "disable ci (sk-or-v1-abc...1234) in engineering" */
const actionOf = (action: Specs.KeyAction, key: KeyRef) => `${action} ${key.name} (${key.label}) in ${key.workspace}`

const execute = (current: KeyHygienePlan, extra: ReadonlyArray<Engine.ReportItem>, options: Engine.ApplyOptions) =>
  Effect.gen(function*() {
    const keys = yield* Keys
    const action = current.action
    // checked again right before each change: nothing outside the selection can be touched
    const select = selector(current.spec, current.now, new Set(current.orphanedCreators))
    const item = (key: KeyRef, outcome: Engine.ReportItem["outcome"], reason?: string) =>
      new Engine.ReportItem({ kind: "key", key: key.hash, action: actionOf(action, key), outcome, ...(reason !== undefined ? { reason } : {}) })
    const operations = current.keys.map((key): Engine.PlannedOperation => {
      const call: Effect.Effect<void, KeysError<"delete"> | KeysError<"update">> = action === "delete"
        ? Effect.asVoid(keys.delete({ hash: key.hash }))
        : Effect.asVoid(keys.update({ hash: key.hash, disabled: true }))
      return {
        key: `${action}:${key.hash}`,
        payload: { ...key },
        items: 1,
        run: select(key) === undefined
          ? Effect.succeed([item(key, "skipped", "outside the selection")])
          : call.pipe(
            Effect.as([item(key, "done", key.reasons.join("; "))]),
            Effect.catchTag("NotFoundResponseError", () => Effect.succeed([item(key, "already-done", "the key is already gone")])),
            Effect.catchAll((error) => Effect.succeed([item(key, "failed", error.message)]))
          )
      }
    })
    return yield* Engine.run({ kind: KIND, spec: current.spec, unit: "keys", operations, extraItems: extra }, options)
  })

/**
 * Apply a spec (plan, then disable or delete) or a saved plan: the keys are listed again first and only
 * planned keys that are still selected are changed; the others are reported with why. `trusted`: a
 * plan made moments ago in the same run.
 *
 * @since 0.1.0
 * @category applying
 */
export const apply = (input: unknown, options: Engine.ApplyJobOptions = {}) =>
  Engine.applyJob({
    kind: KIND,
    planSchema: KeyHygienePlan,
    plan,
    execute,
    recheck: (saved, concurrency) =>
      Effect.gen(function*() {
        // the saved instant, not a new one: the plan is applied as it was made
        const fresh = yield* listSelected(saved.spec, saved.now, concurrency, Reading.reporter(options.events))
        const now = new Map(fresh.keys.map((k) => [k.hash, k]))
        const stale = saved.keys.filter((k) => !now.has(k.hash)).map((k) =>
          fresh.listed.has(k.hash)
            ? new Engine.ReportItem({
              kind: "key",
              key: k.hash,
              action: actionOf(saved.action, k),
              outcome: "skipped",
              reason: "not changed: the key is outside the plan's selection now"
            })
            : new Engine.ReportItem({
              kind: "key",
              key: k.hash,
              action: actionOf(saved.action, k),
              outcome: "already-done",
              reason: saved.action === "delete" ? "already gone" : "already gone or disabled"
            })
        )
        return { plan: new KeyHygienePlan({ ...saved, keys: saved.keys.filter((k) => now.has(k.hash)).map((k) => now.get(k.hash)!) }), stale }
      })
  })(input, options)

// --- what a person reads ---------------------------------------------------------------------------

const plural = (n: number, word: string) => `${n.toLocaleString("en-US")} ${word}${n === 1 ? "" : "s"}`

/** At most this many keys are listed one per line; the rest are counted (all of them are in the plan document). */
const LISTED = 100

/**
 * The plan's lines: "- disable 3 keys in 2 workspaces", each key and why, and the workspaces it looked in.
 *
 * @since 0.1.0
 * @category describing
 */
export const describe = (plan: KeyHygienePlan): ReadonlyArray<string> => {
  const workspaces = new Set(plan.keys.map((k) => k.workspace))
  const lines = [`- ${plan.action} ${plural(plan.count, "key")}${plan.count > 0 ? ` in ${plural(workspaces.size, "workspace")}` : ""}`]
  for (const k of plan.keys.slice(0, LISTED)) {
    lines.push(`  - ${k.name}  ${k.label}  ${k.workspace}  creator ${k.creatorUserId ?? "none"}: ${k.reasons.join("; ")}`)
  }
  if (plan.count > LISTED) lines.push(`  … and ${plan.count - LISTED} more (every key is in the plan document)`)
  if (plan.workspaces.length > 0) {
    lines.push(
      `  looked in ${plural(plan.workspaces.length, "workspace")}: ${plan.workspaces.slice(0, 50).join(", ")}${
        plan.workspaces.length > 50 ? ", …" : ""
      }`
    )
  }
  return lines
}

/**
 * @since 0.1.0
 * @category describing
 */
export const isEmpty = (plan: KeyHygienePlan) => plan.count === 0

/**
 * The key-hygiene job.
 *
 * @since 0.1.0
 * @category definitions
 */
export const definition: JobDefinition<"key-hygiene", Specs.KeyHygieneSpec, KeyHygienePlan> = {
  kind: KIND,
  spec: Specs.KeyHygieneSpec,
  planSchema: KeyHygienePlan,
  unit: "keys",
  destructive: true,
  plan,
  apply,
  describe,
  isEmpty
}
