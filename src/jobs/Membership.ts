/**
 * Onboarding and offboarding: put users into (or take them out of) workspaces in the fewest
 * `bulkAddMembers` / `bulkRemoveMembers` calls, isolating refused users by bisection.
 *
 * Onboarding can then assign a guardrail to the users in its workspace. Offboarding takes the access
 * away completely: per workspace and chunk of users, their active keys there are disabled (or
 * deleted), their direct guardrail assignments there unassigned, and only then are they removed (the
 * API refuses to remove a member who still has an active key in the workspace).
 *
 * @since 0.1.0
 */
import { Effect, Option, Schema, Stream } from "effect"
import { InvalidRequestError } from "../Errors.ts"
import { Guardrails } from "../Guardrails.ts"
import { Keys, type KeysError } from "../Keys.ts"
import { Organization } from "../Organization.ts"
import { Workspaces, type WorkspacesError } from "../Workspaces.ts"
import * as BudgetPolicy from "./BudgetPolicy.ts"
import * as Engine from "./Engine.ts"
import { resolveWorkspaces } from "./Selection.ts"
import * as Specs from "./Specs.ts"

/** A key offboarding disables or deletes: one of a leaving user's active keys in the workspace. */
export class PlannedKey extends Schema.Class<PlannedKey>("PlannedKey")({
  hash: Schema.String,
  name: Schema.String,
  /** The masked key, e.g. `sk-or-v1-abc...1234`. */
  label: Schema.String,
  /** Its creator (the leaving user). */
  userId: Schema.String
}) {}

/** A leaving user's direct assignment to a guardrail of the workspace, which offboarding removes. */
export class PlannedUnassignment extends Schema.Class<PlannedUnassignment>("PlannedUnassignment")({
  guardrailId: Schema.String,
  guardrailName: Schema.String,
  userId: Schema.String
}) {}

/** The guardrail an onboarding assigns to the users of its workspace. */
export class GuardrailPlan extends Schema.Class<GuardrailPlan>("GuardrailPlan")({
  id: Schema.String,
  name: Schema.String,
  workspaceId: Schema.String,
  slug: Schema.String,
  /** Users to assign once they are members (new members and members not yet assigned). */
  assign: Schema.Array(Schema.String),
  /** Users already assigned: not sent again. */
  unchanged: Schema.Array(Schema.String)
}) {}

/** One workspace's part of a membership plan. */
export class WorkspacePlan extends Schema.Class<WorkspacePlan>("WorkspacePlan")({
  /** The name or glob that selected it. */
  ref: Schema.String,
  slug: Schema.String,
  /** Absent when the workspace does not exist yet (it will be created). */
  workspaceId: Schema.optionalWith(Schema.String, { exact: true }),
  create: Schema.Boolean,
  /** Chunks of at most 100 user ids to add or remove. */
  chunks: Schema.Array(Schema.Array(Schema.String)),
  /** Users already in the desired state. */
  unchanged: Schema.Array(Schema.String),
  /** Offboarding: the leaving users' active keys in the workspace, disabled or deleted first. */
  keys: Schema.optionalWith(Schema.Array(PlannedKey), { exact: true }),
  /** Offboarding: their direct guardrail assignments in the workspace, removed before the membership. */
  unassign: Schema.optionalWith(Schema.Array(PlannedUnassignment), { exact: true })
}) {}

const planFields = {
  workspaces: Schema.Array(WorkspacePlan),
  /** Users that could not be resolved: reported, not guessed. */
  problems: Schema.Array(Engine.ReportItem),
  /** Calls the plan needs (the minimum, before any bisection). */
  calls: Schema.Number
}

export class OnboardingPlan extends Schema.TaggedClass<OnboardingPlan>()("OnboardingPlan", {
  spec: Specs.OnboardingSpec,
  ...planFields,
  /** With `spec.guardrail`: whom it is assigned to. */
  guardrail: Schema.optionalWith(GuardrailPlan, { exact: true })
}) {
  get direction() {
    return "add" as const
  }
}

export class OffboardingPlan extends Schema.TaggedClass<OffboardingPlan>()("OffboardingPlan", {
  spec: Specs.OffboardingSpec,
  ...planFields
}) {
  get direction() {
    return "remove" as const
  }
}

export type MembershipPlan = OnboardingPlan | OffboardingPlan
export type Direction = "add" | "remove"

const CHUNK = 100
const chunk = <A>(items: ReadonlyArray<A>, size: number) =>
  Array.from({ length: Math.ceil(items.length / size) }, (_, i) => items.slice(i * size, (i + 1) * size))

/** A stable key for a chunk of ids (journal keys must not depend on chunk order). */
const keyOf = (direction: string, workspaceId: string, ids: ReadonlyArray<string>) => {
  let h = 0x811c9dc5
  for (const id of [...ids].sort()) for (let i = 0; i < id.length; i++) h = Math.imul(h ^ id.charCodeAt(i), 0x01000193)
  return `${direction}:${workspaceId}:${ids.length}:${(h >>> 0).toString(36)}`
}

const userItem = (key: string, action: string, outcome: Engine.ReportItem["outcome"], reason?: string) =>
  new Engine.ReportItem({ kind: "user", key, action, outcome, ...(reason !== undefined ? { reason } : {}) })

/** "add to team-a" / "remove from team-a": workspaces by slug. */
export const actionOf = (direction: Direction, slug: string) => direction === "add" ? `add to ${slug}` : `remove from ${slug}`

export interface PlanOptions {
  /** Workspaces read at once, ≥ 1. Default 4. */
  readonly concurrency?: number
  /** Requests per second while reading, ≥ 1 (the job's gate when called inside one). Default 10. */
  readonly rate?: number
}

const kindOf = (direction: Direction) => direction === "add" ? "onboarding" : "offboarding"

/** The users of a spec as organization member ids; e-mails no member has are reported, not guessed. */
const resolveUsers = (direction: Direction, users: ReadonlyArray<string>) =>
  Effect.gen(function*() {
    const organization = yield* Organization
    const problems: Array<Engine.ReportItem> = []
    const emails = new Set(users.filter((u) => u.includes("@")).map((u) => u.toLowerCase()))
    const byEmail = new Map<string, string>()
    if (emails.size > 0) {
      yield* Stream.runForEach(organization.streamMembers(), (member) =>
        Effect.sync(() => {
          if (emails.has(member.email.toLowerCase())) byEmail.set(member.email.toLowerCase(), member.id)
        }))
    }
    const ids: Array<string> = []
    for (const user of users) {
      if (!user.includes("@")) ids.push(user)
      else {
        const id = byEmail.get(user.toLowerCase())
        if (id) ids.push(id)
        else problems.push(userItem(user, direction, "failed", "no organization member has this e-mail"))
      }
    }
    return { wanted: [...new Set(ids)], problems }
  })

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

/**
 * The guardrail an onboarding assigns: it must belong to one of the selected workspaces. Users already
 * assigned to it are left alone; every other wanted user is assigned once a member.
 */
const guardrailPlan = (id: string, selected: ReadonlyArray<{ readonly id: string; readonly slug: string }>, wanted: ReadonlyArray<string>) =>
  Effect.gen(function*() {
    const guardrails = yield* Guardrails
    const workspaces = yield* Workspaces
    const found = yield* guardrails.get({ id }).pipe(
      Effect.catchTag(
        "NotFoundResponseError",
        () =>
          Effect.fail(
            new InvalidRequestError({
              operation: "onboarding",
              issue: `guardrail ${id} does not exist (or is a workspace default that is not configured yet)`
            })
          )
      )
    )
    const guardrail = found.data
    const workspace = selected.find((w) => w.id === guardrail.workspaceId)
    if (!workspace) {
      const home = guardrail.workspaceId === null
        ? undefined
        : yield* Effect.map(Effect.option(workspaces.find({ id: guardrail.workspaceId })), (o) => Option.flatten(o))
      const where = guardrail.workspaceId === null
        ? "belongs to no workspace (a legacy guardrail)"
        : `belongs to workspace ${Option.match(home ?? Option.none(), { onNone: () => guardrail.workspaceId!, onSome: (w) => w.slug })}`
      return yield* new InvalidRequestError({
        operation: "onboarding",
        issue:
          `guardrail ${guardrail.name} (${id}) ${where}, which is not among the selected workspaces: add it with --workspace, or choose a guardrail of one of them`
      })
    }
    const wantedSet = new Set(wanted)
    const assigned = new Set<string>()
    yield* Stream.runForEach(guardrails.streamMemberAssignments({ id }), (a) =>
      Effect.sync(() => {
        if (wantedSet.has(a.userId)) assigned.add(a.userId)
      }))
    return new GuardrailPlan({
      id,
      name: guardrail.name,
      workspaceId: workspace.id,
      slug: workspace.slug,
      assign: wanted.filter((u) => !assigned.has(u)),
      unchanged: wanted.filter((u) => assigned.has(u))
    })
  })

const callsOf = (plans: ReadonlyArray<WorkspacePlan>, guardrail?: GuardrailPlan) =>
  plans.reduce((n, p) =>
    n + p.chunks.length + (p.create ? 1 : 0) + (p.keys?.length ?? 0) +
    new Set((p.unassign ?? []).map((u) => u.guardrailId)).size, 0) +
  (guardrail ? Math.ceil(guardrail.assign.length / CHUNK) : 0)

/** Read the server's state and compute the minimal operations for a decoded spec. Changes nothing. */
const planSpec = (direction: Direction, spec: Specs.OnboardingSpec | Specs.OffboardingSpec, concurrency: number) =>
  Effect.gen(function*() {
    const workspaces = yield* Workspaces
    const operation = kindOf(direction)
    const create = direction === "add" && spec instanceof Specs.OnboardingSpec && spec.ensureWorkspaces === true
    const selection = yield* resolveWorkspaces(operation, spec.workspaces, { create })
    const { problems, wanted } = yield* resolveUsers(direction, spec.users)
    const guardrailId = spec instanceof Specs.OnboardingSpec ? spec.guardrail : undefined
    const guardrail = guardrailId === undefined ? undefined : yield* guardrailPlan(guardrailId, selection.selected, wanted)
    const leaving = new Set(wanted)

    // each workspace's current members (and, offboarding, the users' keys and guardrails there), read concurrently
    const existing = yield* Effect.forEach(selection.selected, (workspace) =>
      Effect.gen(function*() {
        const current = new Set<string>()
        yield* Stream.runForEach(workspaces.streamMembers({ id: workspace.id }), (member) => Effect.sync(() => current.add(member.userId)))
        const needed = (id: string) => (direction === "add" ? !current.has(id) : current.has(id))
        const access = direction === "remove" ? yield* accessIn(workspace.id, leaving) : undefined
        return new WorkspacePlan({
          ref: workspace.ref,
          slug: workspace.slug,
          workspaceId: workspace.id,
          create: false,
          chunks: chunk(wanted.filter(needed), CHUNK),
          unchanged: wanted.filter((id) => !needed(id)),
          ...(access ?? {})
        })
      }), { concurrency })
    const created = selection.missing.map((slug) => new WorkspacePlan({ ref: slug, slug, create: true, chunks: chunk(wanted, CHUNK), unchanged: [] }))
    const plans = [...existing, ...created]
    const fields = { workspaces: plans, problems, calls: callsOf(plans, guardrail) }
    return direction === "add"
      ? new OnboardingPlan({ spec: spec as Specs.OnboardingSpec, ...fields, ...(guardrail ? { guardrail } : {}) })
      : new OffboardingPlan({ spec: spec as Specs.OffboardingSpec, ...fields })
  })

const specSchema = (direction: Direction) => direction === "add" ? Specs.OnboardingSpec : Specs.OffboardingSpec
const planSchema = (direction: Direction) => direction === "add" ? OnboardingPlan : OffboardingPlan

/** Plan from a spec (an instance or its encoded form); anything else fails with `InvalidRequestError`. */
export const plan = (direction: Direction, input: unknown, options: PlanOptions = {}) =>
  Effect.gen(function*() {
    const spec = yield* Specs.decode(specSchema(direction), kindOf(direction))(input)
    const { concurrency } = yield* Engine.checkOptions(options)
    return yield* planSpec(direction, spec, concurrency)
  }).pipe(Engine.gated(options))

/**
 * Send one chunk; a 400 splits it in halves until the refused users are isolated, so everyone else
 * is still done and each offender is reported with the server's message.
 */
const bisect = <E extends { readonly _tag: string; readonly message: string }, R>(
  call: (ids: ReadonlyArray<string>) => Effect.Effect<unknown, E, R>,
  action: string,
  ids: ReadonlyArray<string>
): Effect.Effect<ReadonlyArray<Engine.ReportItem>, never, R> =>
  call(ids).pipe(
    Effect.as(ids.map((id) => userItem(id, action, "done"))),
    Effect.catchAll((error): Effect.Effect<ReadonlyArray<Engine.ReportItem>, never, R> => {
      if (error._tag !== "BadRequestResponseError") return Effect.succeed(ids.map((id) => userItem(id, action, "failed", error.message)))
      if (ids.length === 1) {
        return Effect.succeed([userItem(ids[0]!, action, "failed", (error as { serverMessage?: string }).serverMessage ?? error.message)])
      }
      const half = Math.ceil(ids.length / 2)
      return Effect.map(
        Effect.all([bisect(call, action, ids.slice(0, half)), bisect(call, action, ids.slice(half))]),
        ([left, right]) => [...left, ...right]
      )
    })
  )

const membershipCall = (direction: Direction, workspaceId: string) => (ids: ReadonlyArray<string>) =>
  Effect.flatMap(
    Workspaces,
    (workspaces): Effect.Effect<void, WorkspacesError<"bulkAddMembers"> | WorkspacesError<"bulkRemoveMembers">> =>
      direction === "add"
        ? Effect.asVoid(workspaces.bulkAddMembers({ id: workspaceId, userIds: ids }))
        : Effect.asVoid(workspaces.bulkRemoveMembers({ id: workspaceId, userIds: ids }))
  )

const assignCall = (guardrailId: string) => (ids: ReadonlyArray<string>) =>
  Effect.flatMap(Guardrails, (guardrails) => guardrails.assignMembers({ id: guardrailId, memberUserIds: ids }))

/** "assign guardrail Team strict in team-a" */
const assignAction = (guardrail: GuardrailPlan) => `assign guardrail ${guardrail.name} in ${guardrail.slug}`
const keyAction = (action: Specs.KeyAction, key: PlannedKey, slug: string) => `${action} key ${key.name} (${key.label}) in ${slug}`
const unassignAction = (u: PlannedUnassignment, slug: string) => `unassign guardrail ${u.guardrailName} in ${slug}`

/** Disable or delete one key; a key already gone counts as done. Never fails: failures are items. */
const retireKey = (action: Specs.KeyAction, key: PlannedKey, slug: string) =>
  Effect.flatMap(Keys, (keys) => {
    const item = (outcome: Engine.ReportItem["outcome"], reason?: string) => userItem(key.userId, keyAction(action, key, slug), outcome, reason)
    const call: Effect.Effect<void, KeysError<"delete"> | KeysError<"update">> = action === "delete"
      ? Effect.asVoid(keys.delete({ hash: key.hash }))
      : Effect.asVoid(keys.update({ hash: key.hash, disabled: true }))
    return call.pipe(
      Effect.as(item("done")),
      Effect.catchTag("NotFoundResponseError", () => Effect.succeed(item("already-done", "the key is already gone"))),
      Effect.catchAll((error) => Effect.succeed(item("failed", error.message)))
    )
  })

/** Remove users' direct assignments to one guardrail; a guardrail already gone counts as done. */
const unassignFrom = (guardrailId: string, assignments: ReadonlyArray<PlannedUnassignment>, slug: string) =>
  Effect.flatMap(Guardrails, (guardrails) => {
    const items = (outcome: Engine.ReportItem["outcome"], reason?: string) =>
      assignments.map((u) => userItem(u.userId, unassignAction(u, slug), outcome, reason))
    return guardrails.unassignMembers({ id: guardrailId, memberUserIds: assignments.map((u) => u.userId) }).pipe(
      Effect.as(items("done")),
      Effect.catchTag("NotFoundResponseError", () => Effect.succeed(items("already-done", "the guardrail is already gone"))),
      Effect.catchAll((error) => Effect.succeed(items("failed", error.message)))
    )
  })

const groupBy = <A>(items: ReadonlyArray<A>, keyOf: (a: A) => string) => {
  const groups = new Map<string, Array<A>>()
  for (const item of items) {
    const key = keyOf(item)
    const group = groups.get(key)
    if (group) group.push(item)
    else groups.set(key, [item])
  }
  return groups
}

/**
 * Offboard one chunk of users from one workspace, in the order the API needs: their keys there
 * disabled (or deleted), their guardrail assignments there removed, then their memberships. A user
 * whose key could not be disabled is not sent for removal (the API would refuse it): reported instead.
 */
const offboardChunk = (
  workspace: WorkspacePlan & { readonly workspaceId: string },
  users: ReadonlyArray<string>,
  removing: ReadonlySet<string>,
  keyAction: Specs.KeyAction,
  concurrency: number
) =>
  Effect.gen(function*() {
    const inChunk = new Set(users)
    const keys = (workspace.keys ?? []).filter((k) => inChunk.has(k.userId))
    const keyItems = yield* Effect.forEach(keys, (key) => retireKey(keyAction, key, workspace.slug), { concurrency })
    const assignments = (workspace.unassign ?? []).filter((u) => inChunk.has(u.userId))
    const unassignItems = (yield* Effect.forEach(
      groupBy(assignments, (u) => u.guardrailId),
      ([guardrailId, group]) => unassignFrom(guardrailId, group, workspace.slug),
      { concurrency }
    )).flat()
    const action = actionOf("remove", workspace.slug)
    const stillHolding = new Set(keyItems.filter((i) => i.outcome === "failed").map((i) => i.key))
    const blocked = users.filter((id) => removing.has(id) && stillHolding.has(id)).map((id) =>
      userItem(id, action, "failed", "not removed: a key of theirs in this workspace could not be disabled (see above); re-run to retry")
    )
    const ids = users.filter((id) => removing.has(id) && !stillHolding.has(id))
    const removed = ids.length === 0 ? [] : yield* bisect(membershipCall("remove", workspace.workspaceId), action, ids)
    return [...keyItems, ...unassignItems, ...blocked, ...removed]
  })

/**
 * Restrict a fresh plan to a saved one: only users the saved plan had for each workspace, and only
 * workspaces, keys and assignments it had; what it planned that no longer applies is reported as skipped.
 */
const restrict = (fresh: MembershipPlan, saved: MembershipPlan): MembershipPlan => {
  const direction = saved.direction
  const savedBySlug = new Map(saved.workspaces.map((w) => [w.slug, w]))
  const stale: Array<Engine.ReportItem> = []
  const gone = "no longer applies: the server already shows it done"
  const workspaces = fresh.workspaces.flatMap((w) => {
    const was = savedBySlug.get(w.slug)
    if (!was) return []
    const allowed = new Set(was.chunks.flat())
    const now = new Set(w.chunks.flat())
    for (const id of allowed) {
      if (!now.has(id)) stale.push(userItem(id, actionOf(direction, w.slug), "skipped", gone))
    }
    const access: { keys?: ReadonlyArray<PlannedKey>; unassign?: ReadonlyArray<PlannedUnassignment> } = {}
    if (was.keys !== undefined) {
      const freshKeys = new Set((w.keys ?? []).map((k) => k.hash))
      const action = (saved.spec as Specs.OffboardingSpec).keys ?? "disable"
      for (const k of was.keys) if (!freshKeys.has(k.hash)) stale.push(userItem(k.userId, keyAction(action, k, w.slug), "skipped", gone))
      access.keys = (w.keys ?? []).filter((k) => was.keys!.some((s) => s.hash === k.hash))
    }
    if (was.unassign !== undefined) {
      const id = (u: PlannedUnassignment) => `${u.guardrailId}\u0000${u.userId}`
      const freshIds = new Set((w.unassign ?? []).map(id))
      const savedIds = new Set(was.unassign.map(id))
      for (const u of was.unassign) if (!freshIds.has(id(u))) stale.push(userItem(u.userId, unassignAction(u, w.slug), "skipped", gone))
      access.unassign = (w.unassign ?? []).filter((u) => savedIds.has(id(u)))
    }
    return [
      new WorkspacePlan({
        ...w,
        create: w.create && was.create,
        chunks: chunk(w.chunks.flat().filter((id) => allowed.has(id)), CHUNK),
        unchanged: [],
        ...access
      })
    ]
  })
  let guardrail: GuardrailPlan | undefined
  if (saved instanceof OnboardingPlan && saved.guardrail && fresh instanceof OnboardingPlan && fresh.guardrail) {
    const allowed = new Set(saved.guardrail.assign)
    const now = new Set(fresh.guardrail.assign)
    for (const id of allowed) if (!now.has(id)) stale.push(userItem(id, assignAction(saved.guardrail), "skipped", gone))
    guardrail = new GuardrailPlan({ ...fresh.guardrail, assign: fresh.guardrail.assign.filter((id) => allowed.has(id)), unchanged: [] })
  }
  const fields = { workspaces, problems: [...saved.problems, ...stale], calls: callsOf(workspaces, guardrail) }
  return direction === "add"
    ? new OnboardingPlan({ spec: saved.spec as Specs.OnboardingSpec, ...fields, ...(guardrail ? { guardrail } : {}) })
    : new OffboardingPlan({ spec: saved.spec as Specs.OffboardingSpec, ...fields })
}

/** The operations of a plan (creating workspaces and setting onboarding budgets first). */
const execute = (current: MembershipPlan, options: Engine.ApplyOptions) =>
  Effect.gen(function*() {
    const { concurrency } = yield* Engine.checkOptions(options)
    const workspaces = yield* Workspaces
    const context = yield* Effect.context<Workspaces | Keys | Guardrails>()
    const direction = current.direction
    const operations: Array<Engine.PlannedOperation> = []
    const setup: Array<Engine.ReportItem> = []
    const guardrail = current instanceof OnboardingPlan ? current.guardrail : undefined
    for (const workspacePlan of current.workspaces) {
      let workspaceId = workspacePlan.workspaceId
      if (workspacePlan.create) {
        // idempotent: look the slug up first (the client's create also reconciles by slug on retry)
        const existing = yield* Effect.either(workspaces.find({ id: workspacePlan.slug }))
        const created = existing._tag === "Right" && existing.right._tag === "Some"
          ? Effect.succeed(existing.right.value)
          : Effect.map(workspaces.create({ name: workspacePlan.slug, slug: workspacePlan.slug }), (r) => r.data)
        const outcome = yield* Effect.either(created)
        const item = (result: "done" | "failed", reason?: string) =>
          new Engine.ReportItem({ kind: "workspace", key: workspacePlan.slug, action: "create", outcome: result, ...(reason ? { reason } : {}) })
        if (outcome._tag === "Left") {
          setup.push(item("failed", outcome.left.message))
          continue
        }
        workspaceId = outcome.right.id
        setup.push(item("done"))
      }
      const id = workspaceId!
      const budgets = current instanceof OnboardingPlan ? current.spec.budgets : undefined
      if (budgets) {
        // the budget policy's own diff and ordering, for this one workspace
        const changes = yield* Effect.either(BudgetPolicy.changesFor(id, budgets))
        if (changes._tag === "Right") setup.push(...yield* BudgetPolicy.setBudgets(id, workspacePlan.slug, changes.right.changes))
        else {
          setup.push(
            new Engine.ReportItem({
              kind: "budget",
              key: workspacePlan.slug,
              action: "read budgets",
              outcome: "failed",
              reason: changes.left.message
            })
          )
        }
      }
      const action = actionOf(direction, workspacePlan.slug)
      for (const userId of workspacePlan.unchanged) {
        setup.push(userItem(userId, action, "skipped", direction === "add" ? "already a member" : "not a member"))
      }
      if (direction === "remove") {
        // every leaving user with something to take away here, members to remove first
        const removing = new Set(workspacePlan.chunks.flat())
        const affected = [
          ...new Set([...removing, ...(workspacePlan.keys ?? []).map((k) => k.userId), ...(workspacePlan.unassign ?? []).map((u) => u.userId)])
        ]
        const plan = new WorkspacePlan({ ...workspacePlan, workspaceId: id }) as WorkspacePlan & { readonly workspaceId: string }
        const keyMode = (current.spec as Specs.OffboardingSpec).keys ?? "disable"
        for (const ids of chunk(affected, CHUNK)) {
          const inChunk = new Set(ids)
          const items = ids.filter((u) => removing.has(u)).length +
            (workspacePlan.keys ?? []).filter((k) => inChunk.has(k.userId)).length +
            (workspacePlan.unassign ?? []).filter((u) => inChunk.has(u.userId)).length
          operations.push({
            key: keyOf("remove", id, ids),
            payload: { workspaceId: id, userIds: ids },
            items,
            run: Effect.provide(offboardChunk(plan, ids, removing, keyMode, concurrency), context)
          })
        }
        continue
      }
      // onboarding: add, then (in the guardrail's workspace) assign the guardrail to those added
      const assigning = guardrail && guardrail.workspaceId === workspacePlan.workspaceId ? guardrail : undefined
      const toAssign = new Set(assigning?.assign ?? [])
      for (const ids of workspacePlan.chunks) {
        operations.push({
          key: keyOf(direction, id, ids),
          payload: { workspaceId: id, userIds: ids },
          items: ids.length + ids.filter((u) => toAssign.has(u)).length,
          run: Effect.provide(
            Effect.gen(function*() {
              const added = yield* bisect(membershipCall(direction, id), action, ids)
              if (!assigning) return added
              const members = added.filter((i) => i.outcome === "done" && toAssign.has(i.key)).map((i) => i.key)
              const assigned = members.length === 0 ? [] : yield* bisect(assignCall(assigning.id), assignAction(assigning), members)
              return [...added, ...assigned]
            }),
            context
          )
        })
      }
      if (assigning) {
        // members already in the workspace who are not assigned yet
        const adding = new Set(workspacePlan.chunks.flat())
        for (const ids of chunk(assigning.assign.filter((u) => !adding.has(u)), CHUNK)) {
          operations.push({
            key: keyOf(`assign:${assigning.id}`, id, ids),
            payload: { guardrailId: assigning.id, userIds: ids },
            items: ids.length,
            run: Effect.provide(bisect(assignCall(assigning.id), assignAction(assigning), ids), context)
          })
        }
        for (const userId of assigning.unchanged) setup.push(userItem(userId, assignAction(assigning), "skipped", "already assigned"))
      }
    }
    return yield* Engine.run({
      kind: kindOf(direction),
      spec: current.spec,
      // offboarding takes keys and guardrails away as well, and a guardrail is one more change per user
      unit: direction === "remove" || guardrail ? "changes" : "users",
      operations,
      extraItems: [...current.problems, ...setup]
    }, options)
  })

/**
 * Apply a spec (plan from the server, then run), or a saved plan: re-read from the server first, only
 * what the saved plan has and still applies is done, the rest is reported as skipped. A re-run with
 * the same job id resumes: the server's state decides what is still needed.
 *
 * `trusted` (for a plan made moments ago in the same run, as the CLI does): run the plan as it is.
 */
export const apply = (direction: Direction, input: unknown, options: Engine.ApplyJobOptions = {}) =>
  Engine.applyJob({
    kind: kindOf(direction),
    planSchema: planSchema(direction) as Schema.Schema<MembershipPlan, any>,
    plan: (spec, options) => plan(direction, spec, options),
    // restricting folds what no longer applies into the plan's problems
    recheck: (saved, concurrency) =>
      Effect.map(planSpec(direction, saved.spec, concurrency), (fresh) => ({ plan: restrict(fresh, saved), stale: [] })),
    execute: (current, _stale, options) => execute(current, options)
  })(input, options)
