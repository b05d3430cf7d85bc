/**
 * Offboarding: take users' access to workspaces away completely. Per workspace and chunk of users,
 * their active keys there are disabled (or deleted), their direct guardrail assignments there
 * unassigned, and only then are they removed (the API refuses to remove a member who still has an
 * active key in the workspace). In the default workspace, which every organisation member belongs
 * to, the keys and guardrails go and the membership stays: reported as such, not as a failure.
 *
 * @since 0.1.0
 */
import { Effect, Option, Schema, Stream } from "effect"
import { Guardrails } from "../Guardrails.ts"
import { Keys, type KeysError } from "../Keys.ts"
import { Workspaces } from "../Workspaces.ts"
import type { JobDefinition, PlanOptions } from "./Definitions.ts"
import * as Engine from "./Engine.ts"
import * as Core from "./MembershipCore.ts"
import * as Reading from "./Reading.ts"
import { resolveWorkspaces } from "./Selection.ts"
import * as Specs from "./Specs.ts"

/**
 * A key offboarding disables or deletes: one of a leaving user's active keys in the workspace.
 *
 * @since 0.1.0
 * @category models
 */
export class PlannedKey extends Schema.Class<PlannedKey>("PlannedKey")({
  hash: Schema.String,
  name: Schema.String,
  /** The masked key, e.g. `sk-or-v1-abc...1234`. */
  label: Schema.String,
  /** Its creator (the leaving user). */
  userId: Schema.String
}) {}

/**
 * A leaving user's direct assignment to a guardrail of the workspace, which offboarding removes.
 *
 * @since 0.1.0
 * @category models
 */
export class PlannedUnassignment extends Schema.Class<PlannedUnassignment>("PlannedUnassignment")({
  guardrailId: Schema.String,
  guardrailName: Schema.String,
  userId: Schema.String
}) {}

/**
 * One workspace's part of an offboarding plan.
 *
 * @since 0.1.0
 * @category models
 */
export class WorkspacePlan extends Schema.Class<WorkspacePlan>("OffboardingWorkspacePlan")({
  /** The name or glob that selected it. */
  ref: Schema.String,
  slug: Schema.String,
  workspaceId: Schema.String,
  /** The default workspace: memberships there cannot be removed, they stay. */
  isDefault: Schema.optionalWith(Schema.Boolean, { exact: true, default: () => false }),
  /** Chunks of at most 100 members to remove. */
  chunks: Schema.Array(Schema.Array(Schema.String)),
  /** Users not members there. */
  unchanged: Schema.Array(Schema.String),
  /** Members whose membership stays (the default workspace). */
  stays: Schema.optionalWith(Schema.Array(Schema.String), { exact: true, default: () => [] }),
  /** The leaving users' active keys in the workspace, disabled or deleted first. */
  keys: Schema.Array(PlannedKey),
  /** Their direct guardrail assignments in the workspace, removed before the membership. */
  unassign: Schema.Array(PlannedUnassignment)
}) {}

/**
 * @since 0.1.0
 * @category models
 */
export class OffboardingPlan extends Schema.TaggedClass<OffboardingPlan>()("OffboardingPlan", {
  spec: Specs.OffboardingSpec,
  /** Every workspace the spec selected, including those with nothing to change. */
  workspaces: Schema.Array(WorkspacePlan),
  /** Users that could not be resolved: reported, not guessed. */
  problems: Schema.Array(Engine.ReportItem),
  /** Calls the plan needs (the minimum, before any bisection). */
  calls: Schema.Number
}) {
  /** `disable` (default) or `delete`. */
  get keyAction(): Specs.KeyAction {
    return this.spec.keys ?? "disable"
  }
}

const KIND = "offboarding"

/** Why a membership is in place already: the user was not a member there when planned. */
const NOT_A_MEMBER = "not a member"

/**
 * "remove from team-a": workspaces by slug.
 *
 * @since 0.1.0
 * @category describing
 */
export const actionOf = (slug: string) => `remove from ${slug}`

/** "disable key ci (sk-or-v1-abc...1234) of user_x in team-a" */
const keyAction = (action: Specs.KeyAction, key: PlannedKey, slug: string) => `${action} key ${key.name} (${key.label}) of ${key.userId} in ${slug}`
const unassignAction = (u: PlannedUnassignment, slug: string) => `unassign guardrail ${u.guardrailName} in ${slug}`

/** The leaving users' active keys in a workspace and their direct assignments to its guardrails. */
const accessIn = (workspaceId: string, leaving: ReadonlySet<string>) =>
  Effect.gen(function*() {
    const keys = yield* Keys
    const guardrails = yield* Guardrails
    // read everything before changing anything: disabling keys moves the offsets of this listing
    const planned = Stream.filterMap(keys.stream({ workspaceId, includeDisabled: false }), (key) =>
      key.creatorUserId !== null && leaving.has(key.creatorUserId) && !key.disabled
        ? Option.some(new PlannedKey({ hash: key.hash, name: key.name, label: key.label, userId: key.creatorUserId }))
        : Option.none())
    const keysThere = [...yield* Stream.runCollect(planned)]
    const unassign: Array<PlannedUnassignment> = []
    yield* Stream.runForEach(guardrails.stream({ workspaceId }), (guardrail) =>
      Stream.runForEach(guardrails.streamMemberAssignments({ id: guardrail.id }), (assignment) =>
        Effect.sync(() => {
          if (leaving.has(assignment.userId)) {
            unassign.push(new PlannedUnassignment({ guardrailId: guardrail.id, guardrailName: guardrail.name, userId: assignment.userId }))
          }
        })))
    return { keys: keysThere, unassign }
  })

const callsOf = (plans: ReadonlyArray<WorkspacePlan>) =>
  plans.reduce((n, p) => n + p.chunks.length + p.keys.length + new Set(p.unassign.map((u) => u.guardrailId)).size, 0)

const planSpec = (spec: Specs.OffboardingSpec, concurrency: number, reading: Reading.Reporter) =>
  Effect.gen(function*() {
    const selection = yield* resolveWorkspaces(KIND, spec.workspaces)
    const { problems, wanted } = yield* Core.resolveUsers(KIND, spec.users, reading)
    const leaving = new Set(wanted)
    const counter = reading("workspace", selection.selected.length)
    const workspaces = yield* Effect.forEach(selection.selected, (workspace) =>
      Effect.gen(function*() {
        const isDefault = Core.isDefaultWorkspace(workspace)
        // every organisation member belongs to the default workspace (its listing is the whole
        // organisation, not read): nobody leaves it
        const current = isDefault ? leaving : yield* Core.membersOf(workspace.id, reading, workspace.slug)
        const members = wanted.filter((id) => current.has(id))
        const access = yield* accessIn(workspace.id, leaving)
        yield* counter.one
        return new WorkspacePlan({
          ref: workspace.ref,
          slug: workspace.slug,
          workspaceId: workspace.id,
          isDefault,
          chunks: isDefault ? [] : Core.chunk(members),
          unchanged: wanted.filter((id) => !current.has(id)),
          stays: isDefault ? members : [],
          ...access
        })
      }), { concurrency })
    return new OffboardingPlan({ spec, workspaces, problems, calls: callsOf(workspaces) })
  })

/**
 * Plan from an `OffboardingSpec` (or its encoded form); anything else fails with `InvalidRequestError`.
 * Changes nothing.
 *
 * @since 0.1.0
 * @category planning
 */
export const plan = (input: unknown, options: PlanOptions = {}) =>
  Effect.gen(function*() {
    const spec = yield* Specs.decode(Specs.OffboardingSpec, KIND)(input)
    const { concurrency } = yield* Engine.checkOptions(options)
    return yield* planSpec(spec, concurrency, Reading.reporter(options.events))
  }).pipe(Engine.gated(options))

/** Disable or delete one key; a key already gone counts as in place. Never fails: failures are items. */
const retireKey = (action: Specs.KeyAction, key: PlannedKey, slug: string) =>
  Effect.flatMap(Keys, (keys) => {
    const item = (outcome: Engine.ReportItem["outcome"], reason?: string) => Core.item("key", key.hash, keyAction(action, key, slug), outcome, reason)
    const call: Effect.Effect<void, KeysError<"delete"> | KeysError<"update">> = action === "delete"
      ? Effect.asVoid(keys.delete({ hash: key.hash }))
      : Effect.asVoid(keys.update({ hash: key.hash, disabled: true }))
    return call.pipe(
      Effect.as(item("done")),
      Effect.catchTag("NotFoundResponseError", () => Effect.succeed(item("already-done", "the key is already gone"))),
      Effect.catchAll((error) => Effect.succeed(item("failed", error.message)))
    )
  })

/** Remove users' direct assignments to one guardrail; a guardrail already gone counts as in place. */
const unassignFrom = (guardrailId: string, assignments: ReadonlyArray<PlannedUnassignment>, slug: string) =>
  Effect.flatMap(Guardrails, (guardrails) => {
    const items = (outcome: Engine.ReportItem["outcome"], count: number, reason?: string) =>
      assignments.map((u, i) =>
        i < count
          ? Core.item("guardrail-assignment", u.userId, unassignAction(u, slug), outcome, reason)
          : Core.item("guardrail-assignment", u.userId, unassignAction(u, slug), "already-done", "already unassigned")
      )
    return guardrails.unassignMembers({ id: guardrailId, memberUserIds: assignments.map((u) => u.userId) }).pipe(
      Effect.map((answer) => items("done", answer.unassignedCount)),
      Effect.catchTag("NotFoundResponseError", () => Effect.succeed(items("already-done", assignments.length, "the guardrail is already gone"))),
      Effect.catchAll((error) => Effect.succeed(items("failed", assignments.length, error.message)))
    )
  })

const removeCall = (workspaceId: string) => (ids: ReadonlyArray<string>) =>
  Effect.map(
    Effect.flatMap(Workspaces, (workspaces) => workspaces.bulkRemoveMembers({ id: workspaceId, userIds: ids })),
    (answer): Core.Changed => answer.removedCount
  )

/** The default workspace (however it is named): its memberships stay, and that is not a failure. */
const staysInDefault = (message: string) =>
  Core.isImplicitMembershipRefusal(message) ? { outcome: "skipped" as const, reason: Core.STAYS_DEFAULT } : undefined

/**
 * Offboard one chunk of users (at most 100) from one workspace, in the order the API needs: their keys
 * there disabled (or deleted), their guardrail assignments there removed, then the memberships of
 * those in `removing`. A user whose key could not be disabled is not sent for removal (the API would
 * refuse it): reported instead. Never fails: failures are items. (Organisation as code reuses it.)
 *
 * @since 0.1.0
 * @category applying
 */
export const removeChunk = (
  workspace: {
    readonly slug: string
    readonly workspaceId: string
    readonly keys: ReadonlyArray<PlannedKey>
    readonly unassign: ReadonlyArray<PlannedUnassignment>
  },
  users: ReadonlyArray<string>,
  removing: ReadonlySet<string>,
  mode: Specs.KeyAction,
  concurrency: number
): Effect.Effect<ReadonlyArray<Engine.ReportItem>, never, Keys | Guardrails | Workspaces> =>
  Effect.gen(function*() {
    const inChunk = new Set(users)
    const keys = workspace.keys.filter((k) => inChunk.has(k.userId))
    const keyItems = yield* Effect.forEach(keys, (key) => retireKey(mode, key, workspace.slug), { concurrency })
    const assignments = workspace.unassign.filter((u) => inChunk.has(u.userId))
    const unassignItems = (yield* Effect.forEach(
      Core.groupBy(assignments, (u) => u.guardrailId),
      ([guardrailId, group]) => unassignFrom(guardrailId, group, workspace.slug),
      { concurrency }
    )).flat()
    const action = actionOf(workspace.slug)
    const holders = new Map(workspace.keys.map((k) => [k.hash, k.userId]))
    const stillHolding = new Set(keyItems.filter((i) => i.outcome === "failed").map((i) => holders.get(i.key)!))
    const blocked = users.filter((id) => removing.has(id) && stillHolding.has(id)).map((id) =>
      Core.item(
        "membership",
        id,
        action,
        "failed",
        "not removed: a key of theirs in this workspace could not be disabled (see above); re-run to retry"
      )
    )
    const ids = users.filter((id) => removing.has(id) && !stillHolding.has(id))
    const removed = ids.length === 0 ? [] : yield* Core.bisect({
      call: removeCall(workspace.workspaceId),
      kind: "membership",
      action,
      already: "already not a member",
      refusal: staysInDefault
    }, ids)
    return [...keyItems, ...unassignItems, ...blocked, ...removed]
  })

/**
 * A fresh plan restricted to a saved one: only the members, keys and assignments it had; what it
 * planned that the server now shows in place is reported as such.
 */
const restrict = (fresh: OffboardingPlan, saved: OffboardingPlan): OffboardingPlan => {
  const savedBySlug = new Map(saved.workspaces.map((w) => [w.slug, w]))
  const freshSlugs = new Set(fresh.workspaces.map((w) => w.slug))
  const stale: Array<Engine.ReportItem> = []
  const already = "already in place: the server shows it done since the plan was made"
  const id = (u: PlannedUnassignment) => `${u.guardrailId}\u0000${u.userId}`
  /** Everything a workspace's plan would change, as items with `outcome` and `reason`. */
  const itemsOf = (w: WorkspacePlan, outcome: Engine.ReportItem["outcome"], reason: string) => [
    ...w.keys.map((k) => Core.item("key", k.hash, keyAction(saved.keyAction, k, w.slug), outcome, reason)),
    ...w.unassign.map((u) => Core.item("guardrail-assignment", u.userId, unassignAction(u, w.slug), outcome, reason)),
    ...w.chunks.flat().map((userId) => Core.item("membership", userId, actionOf(w.slug), outcome, reason))
  ]
  // what the saved plan had in a workspace the fresh one no longer selects: said, not dropped
  for (const was of saved.workspaces) if (!freshSlugs.has(was.slug)) stale.push(...itemsOf(was, "skipped", Core.NO_LONGER_SELECTED))
  const workspaces = fresh.workspaces.flatMap((w) => {
    const was = savedBySlug.get(w.slug)
    if (!was) {
      // selected now, not when the plan was made: nothing of it is done
      stale.push(...itemsOf(w, "skipped", Core.OUTSIDE_PLAN))
      return []
    }
    const allowed = new Set(was.chunks.flat())
    const now = new Set(w.chunks.flat())
    for (const id of allowed) if (!now.has(id)) stale.push(Core.item("membership", id, actionOf(w.slug), "already-done", already))
    // needed now (added by hand since, say), but not in the plan
    for (const id of now) if (!allowed.has(id)) stale.push(Core.item("membership", id, actionOf(w.slug), "skipped", Core.OUTSIDE_PLAN))
    const freshKeys = new Set(w.keys.map((k) => k.hash))
    const savedKeys = new Set(was.keys.map((k) => k.hash))
    for (const k of was.keys) {
      if (!freshKeys.has(k.hash)) stale.push(Core.item("key", k.hash, keyAction(saved.keyAction, k, w.slug), "already-done", already))
    }
    for (const k of w.keys) {
      if (!savedKeys.has(k.hash)) stale.push(Core.item("key", k.hash, keyAction(saved.keyAction, k, w.slug), "skipped", Core.OUTSIDE_PLAN))
    }
    const freshIds = new Set(w.unassign.map(id))
    const savedIds = new Set(was.unassign.map(id))
    for (const u of was.unassign) {
      if (!freshIds.has(id(u))) stale.push(Core.item("guardrail-assignment", u.userId, unassignAction(u, w.slug), "already-done", already))
    }
    for (const u of w.unassign) {
      if (!savedIds.has(id(u))) stale.push(Core.item("guardrail-assignment", u.userId, unassignAction(u, w.slug), "skipped", Core.OUTSIDE_PLAN))
    }
    const wasUnchanged = new Set(was.unchanged)
    return [
      new WorkspacePlan({
        ...w,
        chunks: Core.chunk(w.chunks.flat().filter((id) => allowed.has(id))),
        // not members then nor now: in place, as the plan said
        unchanged: w.unchanged.filter((id) => wasUnchanged.has(id)),
        stays: w.stays.filter((id) => was.stays.includes(id)),
        keys: w.keys.filter((k) => savedKeys.has(k.hash)),
        unassign: w.unassign.filter((u) => savedIds.has(id(u)))
      })
    ]
  })
  return new OffboardingPlan({ spec: saved.spec, workspaces, problems: [...saved.problems, ...stale], calls: callsOf(workspaces) })
}

/** The operations of a plan: per workspace, a chunk of leaving users at a time. */
const execute = (current: OffboardingPlan, options: Engine.ApplyOptions) =>
  Effect.gen(function*() {
    const { concurrency } = yield* Engine.checkOptions(options)
    const context = yield* Effect.context<Workspaces | Keys | Guardrails>()
    const operations: Array<Engine.PlannedOperation> = []
    const setup: Array<Engine.ReportItem> = []
    for (const w of current.workspaces) {
      const action = actionOf(w.slug)
      for (const userId of w.unchanged) setup.push(Core.item("membership", userId, action, "already-done", NOT_A_MEMBER))
      for (const userId of w.stays) setup.push(Core.item("membership", userId, action, "skipped", Core.STAYS_DEFAULT))
      // every leaving user with something to take away here
      const removing = new Set(w.chunks.flat())
      const affected = [...new Set([...removing, ...w.keys.map((k) => k.userId), ...w.unassign.map((u) => u.userId)])]
      for (const ids of Core.chunk(affected)) {
        const inChunk = new Set(ids)
        const items = ids.filter((u) => removing.has(u)).length +
          w.keys.filter((k) => inChunk.has(k.userId)).length +
          w.unassign.filter((u) => inChunk.has(u.userId)).length
        operations.push({
          key: Core.keyOf("remove", w.workspaceId, ids),
          payload: { workspaceId: w.workspaceId, userIds: ids },
          items,
          run: Effect.provide(removeChunk(w, ids, removing, current.keyAction, concurrency), context)
        })
      }
    }
    return yield* Engine.run({
      kind: KIND,
      spec: current.spec,
      // keys and guardrails are taken away as well: one person stands for several changes
      unit: definition.unit,
      operations,
      extraItems: [...current.problems, ...setup]
    }, options)
  })

/**
 * Apply a spec (plan from the server, then run), or a saved plan: re-read from the server first, only
 * what the saved plan has and still applies is done. A re-run with the same job id resumes.
 * `trusted`: a plan made moments ago in the same run.
 *
 * @since 0.1.0
 * @category applying
 */
export const apply = (input: unknown, options: Engine.ApplyJobOptions = {}) =>
  Engine.applyJob({
    kind: KIND,
    planSchema: OffboardingPlan,
    plan,
    recheck: (saved, concurrency) =>
      Effect.map(planSpec(saved.spec, concurrency, Reading.reporter(options.events)), (fresh) => ({
        plan: restrict(fresh, saved),
        stale: []
      })),
    execute: (current, _stale, options) => execute(current, options)
  })(input, options)

// --- what a person reads ---------------------------------------------------------------------------

/** At most this many keys are listed one per line; the rest are counted (all of them are in the plan document). */
const LISTED = 100

/**
 * The plan's lines: "- remove 3 users from 2 workspaces (4 memberships, 9 calls)", every selected
 * workspace, each key to disable or delete and each guardrail to unassign.
 *
 * @since 0.1.0
 * @category describing
 */
export const describe = (plan: OffboardingPlan): ReadonlyArray<string> => {
  const { plural, sample } = Core
  const users = new Set(plan.workspaces.flatMap((w) => w.chunks.flat()))
  const memberships = plan.workspaces.reduce((n, w) => n + w.chunks.flat().length, 0)
  const touched = plan.workspaces.filter((w) => w.chunks.length > 0)
  const lines = [
    `- remove ${plural(users.size, "user")} from ${plural(touched.length, "workspace")} (${plural(memberships, "membership")}, ${
      plural(plan.calls, "call")
    })`
  ]
  for (const w of plan.workspaces) {
    const ids = w.chunks.flat()
    const access = [
      w.keys.length > 0 ? `${plural(w.keys.length, "key")} to ${plan.keyAction}` : "",
      w.unassign.length > 0 ? `${plural(w.unassign.length, "guardrail assignment")} to remove` : ""
    ].filter((s) => s !== "").join(", ")
    const also = access === "" ? "" : `; ${access}`
    if (w.isDefault) {
      lines.push(`  = ${w.slug}: ${plural(w.stays.length, "membership")} ${w.stays.length === 1 ? "stays" : "stay"} (default workspace)${also}`)
    } else if (ids.length > 0) lines.push(`  - ${w.slug}: ${plural(ids.length, "user")}${sample(ids)}${also}`)
    else lines.push(`  = ${w.slug}: no member to remove${also}`)
  }
  const unchanged = plan.workspaces.reduce((n, w) => n + w.unchanged.length, 0)
  if (unchanged > 0) lines.push(`  = ${plural(unchanged, "membership")} already absent (left alone)`)
  const keys = plan.workspaces.flatMap((w) => w.keys.map((k) => ({ ...k, slug: w.slug })))
  const unassign = plan.workspaces.flatMap((w) => w.unassign.map((u) => ({ ...u, slug: w.slug })))
  if (keys.length > 0) {
    lines.push(`  - first ${plan.keyAction} ${plural(keys.length, "key")} of theirs (active keys keep a member from being removed):`)
    for (const k of keys.slice(0, LISTED)) lines.push(`    - ${k.name}  ${k.label}  ${k.slug}  (${k.userId})`)
    if (keys.length > LISTED) lines.push(`    … and ${keys.length - LISTED} more (every key is in the plan document)`)
  }
  if (unassign.length > 0) {
    lines.push(`  - unassign ${plural(unassign.length, "direct guardrail assignment")}:`)
    for (const u of unassign.slice(0, LISTED)) lines.push(`    - ${u.guardrailName}  ${u.slug}  (${u.userId})`)
    if (unassign.length > LISTED) lines.push(`    … and ${unassign.length - LISTED} more`)
  }
  if (plan.problems.length > 0) {
    lines.push(
      `  ! ${plural(plan.problems.length, "problem")}: ${plan.problems.slice(0, 5).map((p) => `${p.key} (${p.reason ?? p.outcome})`).join(", ")}${
        plan.problems.length > 5 ? ", …" : ""
      }`
    )
  }
  return lines
}

/**
 * What an offboarding did per user: "user_x: 2 keys disabled, 1 guardrail unassigned, removed from
 * engineering, research; stays in default" (at most `max` users, then a count).
 *
 * @since 0.1.0
 * @category describing
 */
export const describeUsers = (report: Engine.JobReport, max = 20): Array<string> => {
  const { plural } = Core
  const byUser = new Map<string, { keys: number; keyVerb: string; guardrails: number; removed: Array<string>; stays: Array<string> }>()
  const userOf = (id: string) => {
    const user = byUser.get(id) ?? { keys: 0, keyVerb: "disabled", guardrails: 0, removed: [], stays: [] }
    byUser.set(id, user)
    return user
  }
  for (const item of report.items) {
    if (item.kind === "membership" && item.reason === Core.STAYS_DEFAULT) {
      userOf(item.key).stays.push(item.action.slice("remove from ".length))
      continue
    }
    if (!(item.outcome === "done" || item.outcome === "already-done")) continue
    // never a member there: nothing was taken away
    if (item.kind === "membership" && item.reason === NOT_A_MEMBER) continue
    if (item.kind === "key") {
      const key = /^(disable|delete) key .* of (\S+) in \S+$/.exec(item.action)
      if (!key) continue
      const user = userOf(key[2]!)
      user.keys++
      user.keyVerb = key[1] === "delete" ? "deleted" : "disabled"
    } else if (item.kind === "guardrail-assignment") userOf(item.key).guardrails++
    else if (item.kind === "membership") userOf(item.key).removed.push(item.action.slice("remove from ".length))
  }
  const lines = [...byUser].slice(0, max).map(([id, u]) =>
    `  ${id}: ${
      [
        u.keys > 0 ? `${plural(u.keys, "key")} ${u.keyVerb}` : "",
        u.guardrails > 0 ? `${plural(u.guardrails, "guardrail")} unassigned` : "",
        u.removed.length > 0 ? `removed from ${u.removed.sort().join(", ")}` : "",
        u.stays.length > 0 ? `stays in ${u.stays.sort().join(", ")} (default workspace)` : ""
      ].filter((part) => part !== "").join(", ")
    }`
  )
  if (byUser.size > max) lines.push(`  … and ${byUser.size - max} more users (all in the report)`)
  return lines
}

/**
 * @since 0.1.0
 * @category describing
 */
export const isEmpty = (plan: OffboardingPlan) => plan.calls === 0

/**
 * The offboarding job.
 *
 * @since 0.1.0
 * @category definitions
 */
export const definition: JobDefinition<"offboarding", Specs.OffboardingSpec, OffboardingPlan> = {
  kind: KIND,
  spec: Specs.OffboardingSpec,
  planSchema: OffboardingPlan,
  unit: "changes",
  destructive: true,
  plan,
  apply,
  describe,
  isEmpty
}
