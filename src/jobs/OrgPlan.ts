/**
 * `Org.plan`: the difference between an organisation file and the organisation, as actions a person
 * reads (`describe`) and a machine runs (`Org.apply`). Reads everything once (see `OrgState`), changes
 * nothing. Removes only what `prune` allows, and even then refuses a plan that removes more than
 * `maxRemovals` of an area's items in a workspace; never touches a `protect`ed workspace, never
 * deletes the default workspace, never removes the creator of the key in use from anything.
 *
 * @since 0.1.0
 */
import { Effect, Option, PubSub, Schema, Stream } from "effect"
import { type BudgetInterval } from "../Domain.ts"
import { InvalidRequestError } from "../Errors.ts"
import type { Guardrail } from "../GuardrailsDomain.ts"
import { Keys } from "../Keys.ts"
import * as Engine from "./Engine.ts"
import { PlannedKey, PlannedUnassignment } from "./Offboarding.ts"
import * as OrgSpec from "./OrgSpec.ts"
import * as OrgState from "./OrgState.ts"
import { globMatcher } from "./Selection.ts"
import { BudgetIntervals } from "./Specs.ts"

// --- actions ----------------------------------------------------------------------------------------

const Setting = Schema.Struct({ field: Schema.String, from: Schema.Unknown, to: Schema.Unknown })
/**
 * @since 0.1.0
 * @category models
 */
export type Setting = typeof Setting.Type

const Interval = Schema.Literal(...BudgetIntervals)

/**
 * @since 0.1.0
 * @category models
 */
export class BudgetStep extends Schema.Class<BudgetStep>("BudgetStep")({
  interval: Interval,
  /** The limit now (absent: no budget for that interval). */
  from: Schema.optionalWith(Schema.Number, { exact: true }),
  /** The limit wanted (absent: delete it, `prune.budgets`). */
  to: Schema.optionalWith(Schema.Number, { exact: true })
}) {}

/** Members of an action: user ids, and how a person reads each (their e-mail). */
const people = { userIds: Schema.Array(Schema.String), people: Schema.Array(Schema.String) }
const where = { slug: Schema.String, workspaceId: Schema.optionalWith(Schema.String, { exact: true }) }

/**
 * @since 0.1.0
 * @category models
 */
export class CreateWorkspace extends Schema.TaggedClass<CreateWorkspace>()("CreateWorkspace", {
  slug: Schema.String,
  /** The settings to create it with (the file's, encoded). */
  settings: Schema.Record({ key: Schema.String, value: Schema.Unknown })
}) {}

/**
 * @since 0.1.0
 * @category models
 */
export class UpdateWorkspace extends Schema.TaggedClass<UpdateWorkspace>()("UpdateWorkspace", {
  slug: Schema.String,
  workspaceId: Schema.String,
  changes: Schema.Array(Setting)
}) {}

/**
 * @since 0.1.0
 * @category models
 */
export class DeleteWorkspace extends Schema.TaggedClass<DeleteWorkspace>()("DeleteWorkspace", {
  slug: Schema.String,
  workspaceId: Schema.String
}) {}

/**
 * One workspace's budgets, in an order that keeps daily < weekly < monthly < lifetime at every step.
 *
 * @since 0.1.0
 * @category models
 */
export class SetBudgets extends Schema.TaggedClass<SetBudgets>()("SetBudgets", { ...where, steps: Schema.Array(BudgetStep) }) {}

/**
 * @since 0.1.0
 * @category models
 */
export class AddMembers extends Schema.TaggedClass<AddMembers>()("AddMembers", { ...where, ...people }) {}

/**
 * Members to remove (prune), as offboarding does: their keys there disabled, their guardrails unassigned, then removed.
 *
 * @since 0.1.0
 * @category models
 */
export class RemoveMembers extends Schema.TaggedClass<RemoveMembers>()("RemoveMembers", {
  slug: Schema.String,
  workspaceId: Schema.String,
  ...people,
  keys: Schema.Array(PlannedKey),
  unassign: Schema.Array(PlannedUnassignment)
}) {}

/**
 * @since 0.1.0
 * @category models
 */
export class CreateGuardrail extends Schema.TaggedClass<CreateGuardrail>()("CreateGuardrail", {
  ...where,
  name: Schema.String,
  settings: Schema.Record({ key: Schema.String, value: Schema.Unknown })
}) {}

/**
 * @since 0.1.0
 * @category models
 */
export class UpdateGuardrail extends Schema.TaggedClass<UpdateGuardrail>()("UpdateGuardrail", {
  slug: Schema.String,
  guardrailId: Schema.String,
  name: Schema.String,
  changes: Schema.Array(Setting)
}) {}

/**
 * @since 0.1.0
 * @category models
 */
export class DeleteGuardrail extends Schema.TaggedClass<DeleteGuardrail>()("DeleteGuardrail", {
  slug: Schema.String,
  guardrailId: Schema.String,
  name: Schema.String
}) {}

/**
 * Assign a guardrail (absent id: created by this plan) to members of its workspace.
 *
 * @since 0.1.0
 * @category models
 */
export class AssignGuardrail extends Schema.TaggedClass<AssignGuardrail>()("AssignGuardrail", {
  ...where,
  name: Schema.String,
  guardrailId: Schema.optionalWith(Schema.String, { exact: true }),
  ...people
}) {}

/**
 * @since 0.1.0
 * @category models
 */
export class UnassignGuardrail extends Schema.TaggedClass<UnassignGuardrail>()("UnassignGuardrail", {
  slug: Schema.String,
  name: Schema.String,
  guardrailId: Schema.String,
  ...people
}) {}

/**
 * @since 0.1.0
 * @category schemas
 */
export const OrgAction = Schema.Union(
  CreateWorkspace,
  UpdateWorkspace,
  DeleteWorkspace,
  SetBudgets,
  AddMembers,
  RemoveMembers,
  CreateGuardrail,
  UpdateGuardrail,
  DeleteGuardrail,
  AssignGuardrail,
  UnassignGuardrail
)
/**
 * @since 0.1.0
 * @category models
 */
export type OrgAction = typeof OrgAction.Type

/**
 * @since 0.1.0
 * @category models
 */
export class OrgPlan extends Schema.TaggedClass<OrgPlan>()("OrgPlan", {
  spec: OrgSpec.OrgSpec,
  /** In the order they are applied. */
  actions: Schema.Array(OrgAction),
  /** What the file names that the plan leaves alone, and why (protected workspaces, the key's creator). */
  notes: Schema.Array(Schema.String),
  /** The removal guard the plan passed ("25%" or a count). */
  maxRemovals: Schema.String
}) {}

// --- errors -----------------------------------------------------------------------------------------

/**
 * @since 0.1.0
 * @category models
 */
export class PruneRefusal extends Schema.Class<PruneRefusal>("PruneRefusal")({
  slug: Schema.String,
  area: Schema.Literal("members", "guardrails", "budgets", "workspaces"),
  removing: Schema.Number,
  current: Schema.Number
}) {}

/**
 * The plan would remove more than `maxRemovals` allows somewhere: nothing was changed.
 *
 * @since 0.1.0
 * @category errors
 */
export class PruneLimitError extends Schema.TaggedError<PruneLimitError>()("PruneLimitError", {
  maxRemovals: Schema.String,
  refusals: Schema.Array(PruneRefusal)
}) {
  override get message() {
    return this.describeWith("maxRemovals")
  }

  /**
   * The message, naming the option that allows more (the CLI says `--max-removals`).
   *
   * @since 0.1.0
   */
  describeWith(option: string) {
    const lines = this.refusals.map((r) =>
      `${r.area === "workspaces" ? "the organisation" : r.slug}: ${r.removing} of ${r.current} ${r.area}${
        r.current > 0 ? ` (${Math.round((r.removing / r.current) * 100)} %)` : ""
      }`
    )
    const needed = Math.max(...this.refusals.map((r) => r.removing))
    return `the plan would remove more than the limit of ${this.maxRemovals} per area and workspace, so nothing was changed:\n  ` +
      `${lines.join("\n  ")}\nIf that is meant, allow it with ${option} ${needed} (a count) or a larger share (e.g. ${option} 100%), ` +
      `or add what should stay to the file`
  }
}

// --- options ----------------------------------------------------------------------------------------

/**
 * @since 0.1.0
 * @category models
 */
export interface PlanOptions {
  readonly concurrency?: number | undefined
  readonly rate?: number | undefined
  readonly events?: Engine.ApplyOptions["events"] | undefined
  /** At most this many removals per area and workspace: a count (`10`) or a share of the current items (`"25%"`, default). */
  readonly maxRemovals?: number | string | undefined
}

/**
 * `25%` → a share, `10` → a count; anything else is refused.
 *
 * @since 0.1.0
 * @category constructors
 */
export const parseMaxRemovals = (value: number | string | undefined) => {
  const text = String(value ?? "25%").trim()
  const share = /^(\d+(?:\.\d+)?)\s*%$/.exec(text)
  if (share) {
    const percent = Number(share[1])
    if (percent <= 100) return Effect.succeed({ text: `${percent}%`, allows: (n: number, of: number) => n <= (of * percent) / 100 })
  }
  if (/^\d+$/.test(text)) return Effect.succeed({ text, allows: (n: number) => n <= Number(text) })
  return Effect.fail(
    new InvalidRequestError({
      operation: "org plan",
      issue: `maxRemovals must be a share such as 25% (0–100 %) or a count such as 10, got ${JSON.stringify(value)}`
    })
  )
}

// --- comparing --------------------------------------------------------------------------------------

/** Lists compare as sets, and an empty list is no list (the API answers null for both). */
const normal = (value: unknown): unknown => {
  if (value === undefined || (Array.isArray(value) && value.length === 0)) return null
  if (Array.isArray(value)) return JSON.stringify([...value].map((v) => JSON.stringify(v)).sort())
  return value
}
const same = (a: unknown, b: unknown) => JSON.stringify(normal(a)) === JSON.stringify(normal(b))

const changesOf = (wanted: Record<string, unknown>, current: Record<string, unknown>, fields: ReadonlyArray<string>) =>
  fields.flatMap((field) =>
    wanted[field] === undefined || same(wanted[field], current[field]) ? [] : [{ field, from: current[field] ?? null, to: wanted[field] }]
  )

/** The settings the file writes for a workspace or guardrail, as they are sent. */
const settingsOf = (source: Record<string, unknown>, fields: ReadonlyArray<string>) =>
  Object.fromEntries(fields.flatMap((f) => (source[f] === undefined ? [] : [[f, source[f]]])))

const ORDER = BudgetIntervals

/** The largest limit below `interval` and the smallest above it must stay below and above it. */
const allowed = (budgets: ReadonlyMap<BudgetInterval, number>, interval: BudgetInterval, limit: number) =>
  [...budgets].every(([other, value]) => other === interval || (ORDER.indexOf(other) < ORDER.indexOf(interval) ? value < limit : value > limit))

/**
 * Budget steps in an order where every intermediate state keeps daily < weekly < monthly < lifetime:
 * deletions first (they only loosen), then repeatedly the first change that is valid now (lowering
 * from the narrowest interval, raising from the widest). A valid target is always reachable this way.
 *
 * @since 0.1.0
 * @category planning
 */
export const orderBudgets = (current: ReadonlyMap<BudgetInterval, number>, steps: ReadonlyArray<BudgetStep>) => {
  const state = new Map(current)
  const ordered: Array<BudgetStep> = []
  for (const step of steps.filter((s) => s.to === undefined)) {
    state.delete(step.interval)
    ordered.push(step)
  }
  const pending = steps.filter((s) => s.to !== undefined)
  const preference = (s: BudgetStep) =>
    s.from !== undefined && s.to! < s.from ? ORDER.indexOf(s.interval) : 10 + (ORDER.length - ORDER.indexOf(s.interval))
  pending.sort((a, b) => preference(a) - preference(b))
  while (pending.length > 0) {
    const index = Math.max(0, pending.findIndex((s) => allowed(state, s.interval, s.to!)))
    const [step] = pending.splice(index, 1)
    state.set(step!.interval, step!.to!)
    ordered.push(step!)
  }
  return ordered
}

// --- planning ---------------------------------------------------------------------------------------

const guardrailRecord = (g: Guardrail) => g as unknown as Record<string, unknown>

/**
 * Read the organisation and compute the actions for a decoded spec. Changes nothing.
 *
 * @since 0.1.0
 * @category planning
 */
export const planSpec = (spec: OrgSpec.OrgSpec, options: PlanOptions = {}) =>
  Effect.gen(function*() {
    const { concurrency } = yield* Engine.checkOptions(options)
    const guard = yield* parseMaxRemovals(options.maxRemovals)
    const current = yield* Engine.requireManagementKey
    const prune = spec.prune ?? {}
    const protectedBy = (spec.protect ?? []).map(globMatcher)
    const isProtected = (slug: string) => protectedBy.some((matches) => matches(slug))
    const wantedBySlug = new Map(Object.entries(spec.workspaces))
    const removingMembers = (w: OrgSpec.WorkspaceSpec) => prune.members === true && w.members !== undefined

    const state = yield* OrgState.read({
      select: (w) => wantedBySlug.has(w.slug) && !isProtected(w.slug),
      needs: (w) => {
        const wanted = wantedBySlug.get(w.slug)!
        return {
          members: wanted.members !== undefined || Object.values(wanted.guardrails ?? {}).some((g) => g.members !== undefined),
          budgets: wanted.budgets !== undefined,
          guardrails: wanted.guardrails !== undefined || removingMembers(wanted)
        }
      },
      concurrency,
      ...(options.events
        ? { progress: (what, done, total) => Effect.asVoid(PubSub.publish(options.events!, { _tag: "Reading", what, done, total })) }
        : {})
    })

    // every member the file names, as organisation member ids; names nobody has are errors with their line
    const issues: Array<OrgSpec.OrgSpecIssue> = []
    const resolve = (path: ReadonlyArray<PropertyKey>, refs: ReadonlyArray<string>) => {
      const ids: Array<string> = []
      refs.forEach((ref, index) => {
        const isList = ref.startsWith("people:")
        const listName = ref.slice("people:".length)
        const persons = isList ? spec.people?.[listName] ?? [] : [ref]
        persons.forEach((person, i) => {
          const at = isList ? ["people", listName, i] : [...path, index]
          const member = person.includes("@") ? state.byEmail.get(person.toLowerCase()) : state.byId.get(person)
          if (member) ids.push(member.id)
          else {
            issues.push(OrgSpec.issueAt(
              spec,
              at,
              person.includes("@") ? `no organisation member has the e-mail ${person}` : `no organisation member has the id ${person}`
            ))
          }
        })
      })
      return [...new Set(ids)]
    }
    const personOf = (id: string) => OrgState.personOf(state, id)
    const peopleOf = (ids: ReadonlyArray<string>) => ({ userIds: ids, people: ids.map(personOf) })

    const actions: Array<OrgAction> = []
    const removals: Array<OrgAction> = []
    const notes: Array<string> = []
    const refusals: Array<PruneRefusal> = []
    const check = (slug: string, area: PruneRefusal["area"], removing: number, currentCount: number) => {
      if (removing > 0 && !guard.allows(removing, currentCount)) {
        refusals.push(new PruneRefusal({ slug, area, removing, current: currentCount }))
      }
    }
    const keeper = current.creatorUserId
    const stateBySlug = new Map(state.workspaces.map((w) => [w.workspace.slug, w]))
    const keyReads: Array<{ readonly action: RemoveMembers; readonly workspaceId: string }> = []

    for (const [slug, wanted] of Object.entries(spec.workspaces).sort(([a], [b]) => a.localeCompare(b))) {
      if (isProtected(slug)) {
        notes.push(`${slug}: protected, left as it is`)
        continue
      }
      const at = ["workspaces", slug]
      const existing = stateBySlug.get(slug)
      const isDefault = slug === OrgState.DEFAULT_SLUG
      if (isDefault && wanted.members !== undefined) {
        issues.push(OrgSpec.issueAt(
          spec,
          [...at, "members"],
          "the default workspace holds every organisation member implicitly: remove its members list"
        ))
      }
      const members = wanted.members === undefined ? undefined : resolve([...at, "members"], wanted.members)
      const guardrailMembers = new Map(
        Object.entries(wanted.guardrails ?? {}).map((
          [name, g]
        ) => [name, g.members === undefined ? undefined : resolve([...at, "guardrails", name, "members"], g.members)])
      )
      const settings = settingsOf(wanted as Record<string, unknown>, OrgSpec.workspaceSettings)

      if (existing === undefined) {
        actions.push(new CreateWorkspace({ slug, settings: { name: slug, ...settings } }))
        if (wanted.budgets) {
          const steps = ORDER.flatMap((i) => wanted.budgets![i] === undefined ? [] : [new BudgetStep({ interval: i, to: wanted.budgets![i]! })])
          if (steps.length > 0) actions.push(new SetBudgets({ slug, steps: orderBudgets(new Map(), steps) }))
        }
        if (members && members.length > 0) actions.push(new AddMembers({ slug, ...peopleOf(members) }))
        for (const [name, g] of Object.entries(wanted.guardrails ?? {})) {
          actions.push(new CreateGuardrail({ slug, name, settings: settingsOf(g as Record<string, unknown>, OrgSpec.guardrailSettings) }))
          const assign = guardrailMembers.get(name)
          if (assign && assign.length > 0) actions.push(new AssignGuardrail({ slug, name, ...peopleOf(assign) }))
        }
        continue
      }

      const workspace = existing.workspace
      const workspaceId = workspace.id
      const changes = changesOf(settings, workspace as unknown as Record<string, unknown>, OrgSpec.workspaceSettings)
      if (changes.length > 0) actions.push(new UpdateWorkspace({ slug, workspaceId, changes }))

      if (wanted.budgets && existing.budgets) {
        const have = existing.budgets
        const steps: Array<BudgetStep> = []
        for (const interval of ORDER) {
          const to = wanted.budgets[interval]
          const from = have.get(interval)
          if (to !== undefined && to !== from) steps.push(new BudgetStep({ interval, to, ...(from !== undefined ? { from } : {}) }))
          if (to === undefined && from !== undefined && prune.budgets === true) steps.push(new BudgetStep({ interval, from }))
        }
        check(slug, "budgets", steps.filter((s) => s.to === undefined).length, have.size)
        if (steps.length > 0) actions.push(new SetBudgets({ slug, workspaceId, steps: orderBudgets(have, steps) }))
      }

      const currentMembers = existing.members
      if (members && currentMembers && !isDefault) {
        const adding = members.filter((id) => !currentMembers.has(id))
        if (adding.length > 0) actions.push(new AddMembers({ slug, workspaceId, ...peopleOf(adding) }))
        if (prune.members === true) {
          const wantedSet = new Set(members)
          const leaving = [...currentMembers].filter((id) => !wantedSet.has(id)).sort((a, b) => personOf(a).localeCompare(personOf(b)))
          const kept = leaving.filter((id) => id === keeper)
          if (kept.length > 0) notes.push(`${slug}: ${personOf(kept[0]!)} is kept: they created the key in use`)
          const removing = leaving.filter((id) => id !== keeper)
          check(slug, "members", removing.length, currentMembers.size)
          if (removing.length > 0) {
            const leavingSet = new Set(removing)
            const unassign = (existing.guardrails ?? []).flatMap(({ guardrail, members: assigned }) =>
              assigned.filter((id) => leavingSet.has(id)).map((userId) =>
                new PlannedUnassignment({ guardrailId: guardrail.id, guardrailName: guardrail.name, userId })
              )
            )
            const action = new RemoveMembers({ slug, workspaceId, ...peopleOf(removing), keys: [], unassign })
            removals.push(action)
            keyReads.push({ action, workspaceId })
          }
        }
      }

      if (wanted.guardrails && existing.guardrails) {
        const byName = new Map<string, OrgState.GuardrailState>()
        for (const g of existing.guardrails) {
          if (byName.has(g.guardrail.name) && wanted.guardrails[g.guardrail.name] !== undefined) {
            issues.push(OrgSpec.issueAt(
              spec,
              [...at, "guardrails", g.guardrail.name],
              `${slug} has two guardrails named ${g.guardrail.name} (${
                byName.get(g.guardrail.name)!.guardrail.id
              } and ${g.guardrail.id}): rename one in OpenRouter so the file can name it`
            ))
          }
          byName.set(g.guardrail.name, g)
        }
        const removedHere = new Set(
          removals.filter((r): r is RemoveMembers => r instanceof RemoveMembers && r.slug === slug).flatMap((r) => r.userIds)
        )
        for (const [name, g] of Object.entries(wanted.guardrails)) {
          const have = byName.get(name)
          const wantedSettings = settingsOf(g as Record<string, unknown>, OrgSpec.guardrailSettings)
          const assign = guardrailMembers.get(name)
          if (!have) {
            actions.push(new CreateGuardrail({ slug, workspaceId, name, settings: wantedSettings }))
            if (assign && assign.length > 0) actions.push(new AssignGuardrail({ slug, workspaceId, name, ...peopleOf(assign) }))
            continue
          }
          const guardrailId = have.guardrail.id
          const changed = changesOf(wantedSettings, guardrailRecord(have.guardrail), OrgSpec.guardrailSettings)
          if (changed.length > 0) actions.push(new UpdateGuardrail({ slug, guardrailId, name, changes: changed }))
          if (assign) {
            const assigned = new Set(have.members)
            const adding = assign.filter((id) => !assigned.has(id))
            if (adding.length > 0) actions.push(new AssignGuardrail({ slug, workspaceId, name, guardrailId, ...peopleOf(adding) }))
            if (prune.members === true) {
              const wantedSet = new Set(assign)
              // members leaving the workspace are unassigned by their removal
              const extra = have.members.filter((id) => !wantedSet.has(id) && !removedHere.has(id) && id !== keeper)
              check(`${slug} (guardrail ${name})`, "members", extra.length, have.members.length)
              if (extra.length > 0) removals.push(new UnassignGuardrail({ slug, name, guardrailId, ...peopleOf(extra) }))
            }
          }
        }
        if (prune.guardrails === true) {
          const extra = existing.guardrails.filter((g) =>
            wanted.guardrails![g.guardrail.name] === undefined && g.guardrail.id !== workspace.defaultGuardrailId
          )
          check(slug, "guardrails", extra.length, existing.guardrails.length)
          for (const g of extra) removals.push(new DeleteGuardrail({ slug, guardrailId: g.guardrail.id, name: g.guardrail.name }))
        }
      }
    }

    if (prune.workspaces === true) {
      const extra = state.all.filter((w) => !wantedBySlug.has(w.slug) && w.slug !== OrgState.DEFAULT_SLUG && !isProtected(w.slug))
      check("organisation", "workspaces", extra.length, state.all.length)
      for (const w of extra.sort((a, b) => a.slug.localeCompare(b.slug))) removals.push(new DeleteWorkspace({ slug: w.slug, workspaceId: w.id }))
    }

    if (issues.length > 0) return yield* new OrgSpec.OrgSpecError({ source: OrgSpec.sourceOf(spec), issues })
    if (refusals.length > 0) return yield* new PruneLimitError({ maxRemovals: guard.text, refusals })

    // the leaving members' active keys in their workspaces (never the key in use): disabled before removal
    const keys = yield* Keys
    const withKeys = yield* Effect.forEach(keyReads, ({ action, workspaceId }) =>
      Effect.gen(function*() {
        const leaving = new Set(action.userIds)
        const found = yield* Stream.runCollect(
          Stream.filterMap(keys.stream({ workspaceId, includeDisabled: false }), (key) =>
            key.creatorUserId !== null && leaving.has(key.creatorUserId) && !key.disabled && key.label !== current.label
              ? Option.some(new PlannedKey({ hash: key.hash, name: key.name, label: key.label, userId: key.creatorUserId }))
              : Option.none())
        )
        return new RemoveMembers({ ...action, keys: [...found] })
      }), { concurrency })
    const removalActions = removals.map((r) => (r instanceof RemoveMembers ? withKeys.find((w) => w.slug === r.slug)! : r))
    return new OrgPlan({ spec, actions: [...actions, ...removalActions], notes, maxRemovals: guard.text })
  })

/**
 * Plan from an `OrgSpec`, its encoded form (plain data, e.g. parsed JSON), or a file's text via
 * `OrgSpec.parse` first. Changes nothing; fails with `OrgSpecError` (every issue, with lines), or
 * `PruneLimitError` when the removals exceed `maxRemovals`.
 *
 * @since 0.1.0
 * @category planning
 */
export const plan = (input: unknown, options: PlanOptions = {}) =>
  Effect.gen(function*() {
    const spec = yield* OrgSpec.decode(input)
    return yield* planSpec(spec, options)
  }).pipe(Engine.gated(options))

// --- what a person reads ----------------------------------------------------------------------------

/**
 * How many each action adds, changes and removes (members, assignments and budgets one by one).
 *
 * @since 0.1.0
 * @category counting
 */
export const countsOf = (action: OrgAction) => {
  switch (action._tag) {
    case "CreateWorkspace":
    case "CreateGuardrail":
      return { add: 1, change: 0, remove: 0 }
    case "UpdateWorkspace":
    case "UpdateGuardrail":
      return { add: 0, change: action.changes.length, remove: 0 }
    case "DeleteWorkspace":
    case "DeleteGuardrail":
      return { add: 0, change: 0, remove: 1 }
    case "SetBudgets":
      return {
        add: action.steps.filter((s) => s.from === undefined).length,
        change: action.steps.filter((s) => s.from !== undefined && s.to !== undefined).length,
        remove: action.steps.filter((s) => s.to === undefined).length
      }
    case "AddMembers":
    case "AssignGuardrail":
      return { add: action.userIds.length, change: 0, remove: 0 }
    case "RemoveMembers":
    case "UnassignGuardrail":
      return { add: 0, change: 0, remove: action.userIds.length }
  }
}

/**
 * @since 0.1.0
 * @category counting
 */
export const totalsOf = (plan: OrgPlan) =>
  plan.actions.map(countsOf).reduce((t, c) => ({ add: t.add + c.add, change: t.change + c.change, remove: t.remove + c.remove }), {
    add: 0,
    change: 0,
    remove: 0
  })

const value = (
  v: unknown
) => (v === null || v === undefined ? "none" : typeof v === "string" ? JSON.stringify(v) : Array.isArray(v) ? `[${v.join(", ")}]` : String(v))
const usd = (v: unknown) => (v === null || v === undefined ? "none" : `${String(v)} USD`)
const fieldText = (field: string) => (field === "limitUsd" ? "limit" : field)

/** The first three people in full (an e-mail or an id is never cut), then how many more. */
const list = (names: ReadonlyArray<string>) => `${names.slice(0, 3).join(", ")}${names.length > 3 ? `, and ${names.length - 3} more` : ""}`

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`

const lineOf = (action: OrgAction): string => {
  switch (action._tag) {
    case "CreateWorkspace":
      return `+ create workspace ${action.slug}`
    case "UpdateWorkspace":
      return action.changes.map((c) => `~ ${c.field} ${value(c.from)} → ${value(c.to)}`).join("\n")
    case "DeleteWorkspace":
      return `- delete workspace ${action.slug} (prune)`
    case "SetBudgets":
      return action.steps.map((s) =>
        s.to === undefined
          ? `- ${s.interval} budget ${usd(s.from)} (prune)`
          : s.from === undefined
          ? `+ ${s.interval} budget ${usd(s.to)}`
          : `~ ${s.interval} budget ${s.from} → ${usd(s.to)}`
      ).join("\n")
    case "AddMembers":
      return `+ ${plural(action.userIds.length, "member")} (${list(action.people)})`
    case "RemoveMembers": {
      const first = [
        action.keys.length > 0 ? `${plural(action.keys.length, "key")} of theirs here disabled` : "",
        action.unassign.length > 0 ? `${plural(action.unassign.length, "guardrail assignment")} removed` : ""
      ].filter((s) => s !== "")
      return `- ${plural(action.userIds.length, "member")} (prune: ${list(action.people)})${first.length > 0 ? `, ${first.join(" and ")} first` : ""}`
    }
    case "CreateGuardrail":
      return `+ create guardrail ${action.name}`
    case "UpdateGuardrail":
      return action.changes.map((c) =>
        `~ guardrail ${action.name}: ${fieldText(c.field)} ${
          c.field === "limitUsd" ? `${value(c.from)} → ${usd(c.to)}` : `${value(c.from)} → ${value(c.to)}`
        }`
      ).join("\n")
    case "DeleteGuardrail":
      return `- delete guardrail ${action.name} (prune)`
    case "AssignGuardrail":
      return `+ guardrail ${action.name}: assign ${plural(action.userIds.length, "member")} (${list(action.people)})`
    case "UnassignGuardrail":
      return `- guardrail ${action.name}: unassign ${plural(action.userIds.length, "member")} (prune: ${list(action.people)})`
  }
}

/**
 * The plan as a person reads it, per workspace, ending `Plan: 2 to add, 3 to change, 1 to remove.`
 *
 * @since 0.1.0
 * @category describing
 */
export const describe = (plan: OrgPlan): ReadonlyArray<string> => {
  const bySlug = new Map<string, Array<OrgAction>>()
  for (const action of plan.actions) {
    const group = bySlug.get(action.slug)
    if (group) group.push(action)
    else bySlug.set(action.slug, [action])
  }
  const lines: Array<string> = []
  for (const [slug, actions] of [...bySlug].sort(([a], [b]) => a.localeCompare(b))) {
    const head = actions.find((a) => a._tag === "CreateWorkspace" || a._tag === "DeleteWorkspace")
    lines.push(head ? lineOf(head) : slug)
    for (const action of actions) if (action !== head) { for (const line of lineOf(action).split("\n")) lines.push(`    ${line}`) }
  }
  for (const note of plan.notes) lines.push(`  (${note})`)
  const totals = totalsOf(plan)
  if (plan.actions.length === 0) lines.push("No changes: the organisation matches the file.")
  else lines.push(`Plan: ${totals.add} to add, ${totals.change} to change, ${totals.remove} to remove.`)
  return lines
}

/**
 * @since 0.1.0
 * @category guards
 */
export const isEmpty = (plan: OrgPlan) => plan.actions.length === 0
