/**
 * Onboarding: add users (ids or e-mails) to workspaces in the fewest `bulkAddMembers` calls, creating
 * missing workspaces by slug and setting their budgets if asked, and assigning a guardrail to the
 * users of its workspace. Every write — a workspace created, a budget set, a chunk of members added —
 * is a planned operation the journal records.
 *
 * ```ts
 * const spec = yield* OnboardingSpec.decode({ users: ["ada@example.com"], workspaces: ["team-a"] })
 * const report = yield* Onboarding.apply(spec)
 * ```
 *
 * @since 0.1.0
 */
import { Deferred, Effect, Option, Schema, Stream } from "effect"
import { InvalidRequestError } from "../Errors.ts"
import { Guardrails } from "../Guardrails.ts"
import { Workspaces } from "../Workspaces.ts"
import * as BudgetPolicy from "./BudgetPolicy.ts"
import type { JobDefinition, PlanOptions } from "./Definitions.ts"
import * as Engine from "./Engine.ts"
import * as Core from "./MembershipCore.ts"
import * as Reading from "./Reading.ts"
import { resolveWorkspaces } from "./Selection.ts"
import * as Specs from "./Specs.ts"

/**
 * The guardrail an onboarding assigns to the users of its workspace.
 *
 * @since 0.1.0
 * @category models
 */
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

/**
 * One workspace's part of an onboarding plan.
 *
 * @since 0.1.0
 * @category models
 */
export class WorkspacePlan extends Schema.Class<WorkspacePlan>("OnboardingWorkspacePlan")({
  /** The name or glob that selected it. */
  ref: Schema.String,
  slug: Schema.String,
  /** Absent when the workspace does not exist yet (it will be created). */
  workspaceId: Schema.optionalWith(Schema.String, { exact: true }),
  create: Schema.Boolean,
  /** Chunks of at most 100 user ids to add. */
  chunks: Schema.Array(Schema.Array(Schema.String)),
  /** Users already members. */
  unchanged: Schema.Array(Schema.String),
  /** Budget changes (with `spec.budgets`), in an order that keeps lifetime > monthly > weekly > daily. */
  budgets: Schema.optionalWith(Schema.Array(BudgetPolicy.BudgetChange), { exact: true })
}) {}

/**
 * @since 0.1.0
 * @category models
 */
export class OnboardingPlan extends Schema.TaggedClass<OnboardingPlan>()("OnboardingPlan", {
  spec: Specs.OnboardingSpec,
  /** Every workspace the spec selected, including those with nothing to change. */
  workspaces: Schema.Array(WorkspacePlan),
  /** Users that could not be resolved: reported, not guessed. */
  problems: Schema.Array(Engine.ReportItem),
  /** Calls the plan needs (the minimum, before any bisection). */
  calls: Schema.Number,
  /** With `spec.guardrail`: whom it is assigned to. */
  guardrail: Schema.optionalWith(GuardrailPlan, { exact: true })
}) {}

const KIND = "onboarding"

/**
 * "add to team-a": workspaces by slug.
 *
 * @since 0.1.0
 * @category describing
 */
export const actionOf = (slug: string) => `add to ${slug}`

/** "assign guardrail Team strict in team-a" */
const assignAction = (guardrail: GuardrailPlan) => `assign guardrail ${guardrail.name} in ${guardrail.slug}`

/**
 * The guardrail an onboarding assigns: it must belong to one of the selected workspaces. Users already
 * assigned to it are left alone; every other wanted user is assigned once a member.
 */
const guardrailPlan = (
  id: string,
  selected: ReadonlyArray<{ readonly id: string; readonly slug: string }>,
  wanted: ReadonlyArray<string>
) =>
  Effect.gen(function*() {
    const guardrails = yield* Guardrails
    const workspaces = yield* Workspaces
    const found = yield* guardrails.get({ id }).pipe(
      Effect.catchTag("NotFoundResponseError", () =>
        Effect.fail(
          new InvalidRequestError({
            operation: KIND,
            issue: `guardrail ${id} does not exist (or is a workspace default that is not configured yet)`
          })
        ))
    )
    const guardrail = found.data
    const workspace = selected.find((w) => w.id === guardrail.workspaceId)
    if (!workspace) {
      const home = guardrail.workspaceId === null
        ? Option.none()
        : Option.flatten(yield* Effect.option(workspaces.find({ id: guardrail.workspaceId })))
      const where = guardrail.workspaceId === null
        ? "belongs to no workspace (a legacy guardrail)"
        : `belongs to workspace ${Option.match(home, { onNone: () => guardrail.workspaceId!, onSome: (w) => w.slug })}`
      return yield* new InvalidRequestError({
        operation: KIND,
        issue:
          `guardrail ${guardrail.name} (${id}) ${where}, which is not among the selected workspaces: select that workspace too, or choose a guardrail of one of them`
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

const callsOf = (plans: ReadonlyArray<WorkspacePlan>, guardrail: GuardrailPlan | undefined) =>
  plans.reduce((n, p) => n + p.chunks.length + (p.create ? 1 : 0) + (p.budgets?.length ?? 0), 0) +
  (guardrail ? Math.ceil(guardrail.assign.length / Core.CHUNK) : 0)

/** Every budget of `budgets`, from none, in a safe order (a workspace about to be created has none). */
const allBudgets = (budgets: Specs.Budgets) =>
  BudgetPolicy.ordered(
    Specs.BudgetIntervals.flatMap((interval) =>
      budgets[interval] === undefined ? [] : [new BudgetPolicy.BudgetChange({ interval, to: budgets[interval] })]
    )
  )

const planSpec = (spec: Specs.OnboardingSpec, concurrency: number, reading: Reading.Reporter) =>
  Effect.gen(function*() {
    const selection = yield* resolveWorkspaces(KIND, spec.workspaces, { create: spec.ensureWorkspaces === true })
    const { problems, wanted } = yield* Core.resolveUsers(KIND, spec.users, reading, { idsMustBeMembers: true })
    const guardrail = spec.guardrail === undefined ? undefined : yield* guardrailPlan(spec.guardrail, selection.selected, wanted)
    const read = reading("workspace", selection.selected.length)
    const existing = yield* Effect.forEach(selection.selected, (workspace) =>
      Effect.gen(function*() {
        const current = yield* Core.membersOf(workspace.id, reading, workspace.slug)
        const budgets = spec.budgets === undefined ? undefined : (yield* BudgetPolicy.changesFor(workspace.id, spec.budgets)).changes
        yield* read.one
        return new WorkspacePlan({
          ref: workspace.ref,
          slug: workspace.slug,
          workspaceId: workspace.id,
          create: false,
          chunks: Core.chunk(wanted.filter((id) => !current.has(id))),
          unchanged: wanted.filter((id) => current.has(id)),
          ...(budgets !== undefined ? { budgets } : {})
        })
      }), { concurrency })
    const created = selection.missing.map((slug) =>
      new WorkspacePlan({
        ref: slug,
        slug,
        create: true,
        chunks: Core.chunk(wanted),
        unchanged: [],
        ...(spec.budgets !== undefined ? { budgets: allBudgets(spec.budgets) } : {})
      })
    )
    const workspaces = [...existing, ...created]
    return new OnboardingPlan({
      spec,
      workspaces,
      problems,
      calls: callsOf(workspaces, guardrail),
      ...(guardrail ? { guardrail } : {})
    })
  })

/**
 * Plan from an `OnboardingSpec` (or its encoded form); anything else fails with `InvalidRequestError`.
 * Changes nothing.
 *
 * @since 0.1.0
 * @category planning
 */
export const plan = (input: unknown, options: PlanOptions = {}) =>
  Effect.gen(function*() {
    const spec = yield* Specs.decode(Specs.OnboardingSpec, KIND)(input)
    const { concurrency } = yield* Engine.checkOptions(options)
    return yield* planSpec(spec, concurrency, Reading.reporter(options.events))
  }).pipe(Engine.gated(options))

/**
 * A fresh plan restricted to a saved one: only users the saved plan had for each workspace, only the
 * budget changes it had; what it planned that the server now shows in place is reported as such.
 */
const restrict = (fresh: OnboardingPlan, saved: OnboardingPlan): OnboardingPlan => {
  const savedBySlug = new Map(saved.workspaces.map((w) => [w.slug, w]))
  const freshSlugs = new Set(fresh.workspaces.map((w) => w.slug))
  const stale: Array<Engine.ReportItem> = []
  const already = "already in place: the server shows it done since the plan was made"
  const budgetKey = (c: BudgetPolicy.BudgetChange) => `${c.interval}\u0000${c.to}`
  // what the saved plan had in a workspace the fresh one no longer selects: said, not dropped
  for (const was of saved.workspaces) {
    if (freshSlugs.has(was.slug)) continue
    for (const id of was.chunks.flat()) stale.push(Core.item("membership", id, actionOf(was.slug), "skipped", Core.NO_LONGER_SELECTED))
    for (const c of was.budgets ?? []) stale.push(BudgetPolicy.budgetItem(was.slug, c, "skipped", Core.NO_LONGER_SELECTED))
  }
  const workspaces = fresh.workspaces.flatMap((w) => {
    const was = savedBySlug.get(w.slug)
    if (!was) {
      // selected now, not when the plan was made: nothing of it is done
      if (w.create) stale.push(Core.item("workspace", w.slug, `create ${w.slug}`, "skipped", Core.OUTSIDE_PLAN))
      for (const id of w.chunks.flat()) stale.push(Core.item("membership", id, actionOf(w.slug), "skipped", Core.OUTSIDE_PLAN))
      for (const c of w.budgets ?? []) stale.push(BudgetPolicy.budgetItem(w.slug, c, "skipped", Core.OUTSIDE_PLAN))
      return []
    }
    const allowed = new Set(was.chunks.flat())
    const now = new Set(w.chunks.flat())
    for (const id of allowed) if (!now.has(id)) stale.push(Core.item("membership", id, actionOf(w.slug), "already-done", already))
    // needed now (removed by hand since, say), but not in the plan
    for (const id of now) if (!allowed.has(id)) stale.push(Core.item("membership", id, actionOf(w.slug), "skipped", Core.OUTSIDE_PLAN))
    const savedBudgets = new Set((was.budgets ?? []).map(budgetKey))
    const freshBudgets = new Set((w.budgets ?? []).map(budgetKey))
    const budgets = w.budgets?.filter((c) => savedBudgets.has(budgetKey(c)))
    for (const c of was.budgets ?? []) {
      if (!freshBudgets.has(budgetKey(c))) stale.push(BudgetPolicy.budgetItem(w.slug, c, "already-done", already))
    }
    for (const c of w.budgets ?? []) {
      if (!savedBudgets.has(budgetKey(c))) stale.push(BudgetPolicy.budgetItem(w.slug, c, "skipped", Core.OUTSIDE_PLAN))
    }
    const wasUnchanged = new Set(was.unchanged)
    return [
      new WorkspacePlan({
        ...w,
        create: w.create && was.create,
        chunks: Core.chunk(w.chunks.flat().filter((id) => allowed.has(id))),
        // members then and now: in place, as the plan said
        unchanged: w.unchanged.filter((id) => wasUnchanged.has(id)),
        ...(budgets !== undefined ? { budgets } : {})
      })
    ]
  })
  let guardrail: GuardrailPlan | undefined
  if (saved.guardrail && fresh.guardrail) {
    const allowed = new Set(saved.guardrail.assign)
    const now = new Set(fresh.guardrail.assign)
    for (const id of allowed) {
      if (!now.has(id)) stale.push(Core.item("guardrail-assignment", id, assignAction(saved.guardrail), "already-done", already))
    }
    for (const id of now) {
      if (!allowed.has(id)) stale.push(Core.item("guardrail-assignment", id, assignAction(fresh.guardrail), "skipped", Core.OUTSIDE_PLAN))
    }
    const wasUnchanged = new Set(saved.guardrail.unchanged)
    guardrail = new GuardrailPlan({
      ...fresh.guardrail,
      assign: fresh.guardrail.assign.filter((id) => allowed.has(id)),
      unchanged: fresh.guardrail.unchanged.filter((id) => wasUnchanged.has(id))
    })
  }
  return new OnboardingPlan({
    spec: saved.spec,
    workspaces,
    problems: [...saved.problems, ...stale],
    calls: callsOf(workspaces, guardrail),
    ...(guardrail ? { guardrail } : {})
  })
}

const addCall = (workspaceId: () => Effect.Effect<string, string>) => (ids: ReadonlyArray<string>) =>
  Effect.gen(function*() {
    const workspaces = yield* Workspaces
    const id = yield* workspaceId().pipe(Effect.mapError((reason) => new InvalidRequestError({ operation: KIND, issue: reason })))
    const added = yield* workspaces.bulkAddMembers({ id, userIds: ids })
    return new Set(added.data.map((m) => m.userId)) as Core.Changed
  })

const assignCall = (guardrailId: string) => (ids: ReadonlyArray<string>) =>
  Effect.map(
    Effect.flatMap(Guardrails, (guardrails) => guardrails.assignMembers({ id: guardrailId, memberUserIds: ids })),
    (answer): Core.Changed => answer.assignedCount
  )

/** Every member of the organisation belongs to the default workspace already. */
const implicitMember = (message: string) =>
  Core.isImplicitMembershipRefusal(message) ? { outcome: "already-done" as const, reason: Core.STAYS_DEFAULT } : undefined

/** The operations of a plan: workspaces created first, then budgets, members, guardrail assignments. */
const execute = (current: OnboardingPlan, options: Engine.ApplyOptions) =>
  Effect.gen(function*() {
    const context = yield* Effect.context<Workspaces | Guardrails>()
    const creates: Array<Engine.PlannedOperation> = []
    const writes: Array<Engine.PlannedOperation> = []
    const setup: Array<Engine.ReportItem> = []
    const guardrail = current.guardrail
    for (const w of current.workspaces) {
      // the id of a workspace this run creates is known once its create operation ran
      let workspaceId: () => Effect.Effect<string, string> = () => Effect.succeed(w.workspaceId!)
      if (w.create) {
        const made = yield* Deferred.make<string, string>()
        workspaceId = () => Deferred.await(made)
        creates.push({
          key: `create:${w.slug}`,
          payload: { slug: w.slug },
          items: 1,
          run: Effect.provide(createWorkspace(w.slug, made), context)
        })
      }
      const needsId = <A extends ReadonlyArray<Engine.ReportItem>>(
        self: (id: string) => Effect.Effect<A, never, Workspaces | Guardrails>,
        orElse: (reason: string) => ReadonlyArray<Engine.ReportItem>
      ) =>
        Effect.provide(
          Effect.matchEffect(workspaceId(), { onFailure: (reason) => Effect.succeed(orElse(reason)), onSuccess: self }),
          context
        )
      const notCreated = (reason: string) => `not done: workspace ${w.slug} could not be created (${reason})`
      if (w.budgets !== undefined && w.budgets.length > 0) {
        const changes = w.budgets
        writes.push({
          key: BudgetPolicy.operationKey(w.workspaceId ?? w.slug, changes),
          payload: { workspace: w.workspaceId ?? w.slug, changes: changes.map((c) => ({ ...c })) },
          items: changes.length,
          run: needsId(
            (id) => BudgetPolicy.setBudgets(id, w.slug, changes),
            (reason) => changes.map((c) => BudgetPolicy.budgetItem(w.slug, c, "failed", notCreated(reason)))
          )
        })
      }
      const action = actionOf(w.slug)
      // in place before this job: "already in place", like what another runner did first
      for (const userId of w.unchanged) setup.push(Core.item("membership", userId, action, "already-done", "already a member"))
      // in the guardrail's workspace, those added are assigned the guardrail right after
      const assigning = guardrail && guardrail.workspaceId === w.workspaceId ? guardrail : undefined
      const toAssign = new Set(assigning?.assign ?? [])
      const add: Core.BulkCall<unknown & { _tag: string; message: string }, Workspaces> = {
        call: addCall(workspaceId),
        kind: "membership",
        action,
        already: "already a member",
        refusal: implicitMember
      }
      for (const ids of w.chunks) {
        const assignHere = assigning ? ids.filter((id) => toAssign.has(id)) : []
        // an assignment whose member could not be added is not sent: said, not left out
        const notAssigned = (users: ReadonlyArray<string>, reason: string) =>
          assigning ? users.map((id) => Core.item("guardrail-assignment", id, assignAction(assigning), "skipped", reason)) : []
        writes.push({
          key: Core.keyOf("add", w.workspaceId ?? w.slug, ids),
          payload: { workspace: w.workspaceId ?? w.slug, userIds: ids },
          items: ids.length + assignHere.length,
          run: needsId(
            () =>
              Effect.gen(function*() {
                const added = yield* Core.bisect(add, ids)
                if (!assigning) return added
                const failed = new Set(added.filter((i) => i.outcome === "failed").map((i) => i.key))
                const members = assignHere.filter((id) => !failed.has(id))
                const assigned = members.length === 0 ? [] : yield* Core.bisect(assignBulk(assigning), members)
                return [...added, ...assigned, ...notAssigned(assignHere.filter((id) => failed.has(id)), "not assigned: the user could not be added")]
              }),
            (reason) => [
              ...ids.map((id) => Core.item("membership", id, action, "failed", notCreated(reason))),
              ...notAssigned(assignHere, notCreated(reason))
            ]
          )
        })
      }
      if (assigning) {
        // members already in the workspace who are not assigned yet
        const adding = new Set(w.chunks.flat())
        for (const ids of Core.chunk(assigning.assign.filter((u) => !adding.has(u)))) {
          writes.push({
            key: Core.keyOf(`assign:${assigning.id}`, w.workspaceId!, ids),
            payload: { guardrailId: assigning.id, userIds: ids },
            items: ids.length,
            run: Effect.provide(Core.bisect(assignBulk(assigning), ids), context)
          })
        }
        for (const userId of assigning.unchanged) {
          setup.push(Core.item("guardrail-assignment", userId, assignAction(assigning), "already-done", "already assigned"))
        }
      }
    }
    return yield* Engine.run({
      kind: KIND,
      spec: current.spec,
      // memberships, unless workspaces, budgets or a guardrail's assignments are changed beside them
      unit: creates.length > 0 || writes.some((o) => o.key.startsWith("budgets:")) || guardrail ? "changes" : definition.unit,
      // creates first: the operations that need a created workspace's id follow them in this order
      operations: [...creates, ...writes],
      extraItems: [...current.problems, ...setup]
    }, options)
  })

const assignBulk = (guardrail: GuardrailPlan): Core.BulkCall<unknown & { _tag: string; message: string }, Guardrails> => ({
  call: assignCall(guardrail.id),
  kind: "guardrail-assignment",
  action: assignAction(guardrail),
  already: "already assigned"
})

/** Create a workspace by slug (looked up first: a re-run, or a create whose answer was lost, finds it). */
const createWorkspace = (slug: string, made: Deferred.Deferred<string, string>) =>
  Effect.gen(function*() {
    const workspaces = yield* Workspaces
    const item = (outcome: Engine.ReportItem["outcome"], reason?: string) => Core.item("workspace", slug, `create ${slug}`, outcome, reason)
    const found = yield* Effect.either(workspaces.find({ id: slug }))
    if (found._tag === "Right" && Option.isSome(found.right)) {
      yield* Deferred.succeed(made, found.right.value.id)
      return [item("already-done", "it exists already")]
    }
    const created = yield* Effect.either(workspaces.create({ name: slug, slug }))
    if (created._tag === "Left") {
      yield* Deferred.fail(made, created.left.message)
      return [item("failed", created.left.message)]
    }
    yield* Deferred.succeed(made, created.right.data.id)
    return [item("done")]
  })

/**
 * Apply a spec (plan from the server, then run), or a saved plan: re-read from the server first, only
 * what the saved plan has and still applies is done. A re-run with the same job id resumes: the
 * server's state decides what is still needed. `trusted`: a plan made moments ago in the same run.
 *
 * @since 0.1.0
 * @category applying
 */
export const apply = (input: unknown, options: Engine.ApplyJobOptions = {}) =>
  Engine.applyJob({
    kind: KIND,
    planSchema: OnboardingPlan,
    plan,
    recheck: (saved, concurrency) =>
      Effect.map(planSpec(saved.spec, concurrency, Reading.reporter(options.events)), (fresh) => ({
        plan: restrict(fresh, saved),
        stale: []
      })),
    execute: (current, _stale, options) => execute(current, options)
  })(input, options)

// --- what a person reads ---------------------------------------------------------------------------

/**
 * The plan's lines: "+ add 103 users to 2 workspaces (206 memberships, 4 calls)", then every selected
 * workspace (those with nothing to change too), budgets, the guardrail and the problems.
 *
 * @since 0.1.0
 * @category describing
 */
export const describe = (plan: OnboardingPlan): ReadonlyArray<string> => {
  const { plural, sample } = Core
  const users = new Set(plan.workspaces.flatMap((w) => w.chunks.flat()))
  const memberships = plan.workspaces.reduce((n, w) => n + w.chunks.flat().length, 0)
  const touched = plan.workspaces.filter((w) => w.chunks.length > 0 || w.create)
  const lines = [
    `+ add ${plural(users.size, "user")} to ${plural(touched.length, "workspace")} (${plural(memberships, "membership")}, ${
      plural(plan.calls, "call")
    })`
  ]
  for (const w of plan.workspaces) {
    const ids = w.chunks.flat()
    if (w.create) lines.push(`  + create workspace ${w.slug}, then add ${plural(ids.length, "user")}`)
    else if (ids.length > 0) lines.push(`  + ${w.slug}: ${plural(ids.length, "user")}${sample(ids)}${alsoAlready(w)}`)
    else lines.push(`  = ${w.slug}: nothing to add (${plural(w.unchanged.length, "user")} already members)`)
    for (const c of w.budgets ?? []) lines.push(`    ~ ${BudgetPolicy.budgetAction(c)}`)
  }
  if (plan.guardrail) {
    const g = plan.guardrail
    lines.push(`  + assign guardrail ${g.name} (${g.slug}) to ${plural(g.assign.length, "user")}${sample(g.assign)}`)
    if (g.unchanged.length > 0) lines.push(`  = ${plural(g.unchanged.length, "user")} already assigned to it (left alone)`)
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

const alsoAlready = (w: WorkspacePlan) => w.unchanged.length > 0 ? `; ${Core.plural(w.unchanged.length, "user")} already members` : ""

/**
 * Does the plan change nothing?
 *
 * @since 0.1.0
 * @category describing
 */
export const isEmpty = (plan: OnboardingPlan) => plan.calls === 0

/**
 * The onboarding job.
 *
 * @since 0.1.0
 * @category definitions
 */
export const definition: JobDefinition<"onboarding", Specs.OnboardingSpec, OnboardingPlan> = {
  kind: KIND,
  spec: Specs.OnboardingSpec,
  planSchema: OnboardingPlan,
  unit: "memberships",
  destructive: false,
  plan,
  apply,
  describe,
  isEmpty
}
