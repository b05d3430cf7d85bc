/**
 * Onboarding and offboarding: put users into (or take them out of) workspaces in the fewest
 * `bulkAddMembers` / `bulkRemoveMembers` calls, isolating refused users by bisection.
 *
 * @since 0.1.0
 */
import { Effect, Schema, Stream } from "effect"
import { Organization } from "../Organization.ts"
import { Workspaces, type WorkspacesError } from "../Workspaces.ts"
import * as BudgetPolicy from "./BudgetPolicy.ts"
import * as Engine from "./Engine.ts"
import { resolveWorkspaces } from "./Selection.ts"
import * as Specs from "./Specs.ts"

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
  unchanged: Schema.Array(Schema.String)
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
  ...planFields
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

/** Read the server's state and compute the minimal operations for a decoded spec. Changes nothing. */
const planSpec = (direction: Direction, spec: Specs.OnboardingSpec | Specs.OffboardingSpec, concurrency: number) =>
  Effect.gen(function*() {
    const workspaces = yield* Workspaces
    const organization = yield* Organization
    const operation = kindOf(direction)
    const create = direction === "add" && spec instanceof Specs.OnboardingSpec && spec.ensureWorkspaces === true
    const selection = yield* resolveWorkspaces(operation, spec.workspaces, { create })
    const problems: Array<Engine.ReportItem> = []
    // e-mails resolve through the organization's members; unknown ones are reported, not guessed
    const emails = new Set(spec.users.filter((u) => u.includes("@")).map((u) => u.toLowerCase()))
    const byEmail = new Map<string, string>()
    if (emails.size > 0) {
      yield* Stream.runForEach(organization.streamMembers(), (member) =>
        Effect.sync(() => {
          if (emails.has(member.email.toLowerCase())) byEmail.set(member.email.toLowerCase(), member.id)
        }))
    }
    const ids: Array<string> = []
    for (const user of spec.users) {
      if (!user.includes("@")) ids.push(user)
      else {
        const id = byEmail.get(user.toLowerCase())
        if (id) ids.push(id)
        else problems.push(userItem(user, direction, "failed", "no organization member has this e-mail"))
      }
    }
    const wanted = [...new Set(ids)]

    // each workspace's current members, read concurrently (under the job's gate)
    const existing = yield* Effect.forEach(selection.selected, (workspace) =>
      Effect.gen(function*() {
        const current = new Set<string>()
        yield* Stream.runForEach(workspaces.streamMembers({ id: workspace.id }), (member) =>
          Effect.sync(() => current.add(member.userId)))
        const needed = (id: string) => (direction === "add" ? !current.has(id) : current.has(id))
        return new WorkspacePlan({
          ref: workspace.ref,
          slug: workspace.slug,
          workspaceId: workspace.id,
          create: false,
          chunks: chunk(wanted.filter(needed), CHUNK),
          unchanged: wanted.filter((id) => !needed(id))
        })
      }), { concurrency })
    const created = selection.missing.map((slug) =>
      new WorkspacePlan({ ref: slug, slug, create: true, chunks: chunk(wanted, CHUNK), unchanged: [] })
    )
    const plans = [...existing, ...created]
    const fields = {
      workspaces: plans,
      problems,
      calls: plans.reduce((n, p) => n + p.chunks.length + (p.create ? 1 : 0), 0)
    }
    return direction === "add"
      ? new OnboardingPlan({ spec: spec as Specs.OnboardingSpec, ...fields })
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
 * is still added (or removed) and each offender is reported with the server's message.
 */
const bisect = (
  direction: Direction,
  workspaceId: string,
  action: string,
  ids: ReadonlyArray<string>
): Effect.Effect<ReadonlyArray<Engine.ReportItem>, never, Workspaces> =>
  Effect.gen(function*() {
    const workspaces = yield* Workspaces
    const call: Effect.Effect<void, WorkspacesError<"bulkAddMembers">> = direction === "add"
      ? Effect.asVoid(workspaces.bulkAddMembers({ id: workspaceId, userIds: ids }))
      : Effect.asVoid(workspaces.bulkRemoveMembers({ id: workspaceId, userIds: ids }))
    return yield* call.pipe(
      Effect.as(ids.map((id) => userItem(id, action, "done"))),
      Effect.catchTag("BadRequestResponseError", (error) => {
        if (ids.length === 1) return Effect.succeed([userItem(ids[0]!, action, "failed", error.serverMessage)])
        const half = Math.ceil(ids.length / 2)
        return Effect.map(
          Effect.all([bisect(direction, workspaceId, action, ids.slice(0, half)), bisect(direction, workspaceId, action, ids.slice(half))]),
          ([left, right]) => [...left, ...right]
        )
      }),
      Effect.catchAll((error) => Effect.succeed(ids.map((id) => userItem(id, action, "failed", error.message))))
    )
  })

/**
 * Restrict a fresh plan to a saved one: only users the saved plan had for each workspace, and only
 * workspaces it had; what it planned that no longer applies is reported as skipped.
 */
const restrict = (fresh: MembershipPlan, saved: MembershipPlan): MembershipPlan => {
  const direction = saved.direction
  const savedBySlug = new Map(saved.workspaces.map((w) => [w.slug, w]))
  const stale: Array<Engine.ReportItem> = []
  const workspaces = fresh.workspaces.flatMap((w) => {
    const was = savedBySlug.get(w.slug)
    if (!was) return []
    const allowed = new Set(was.chunks.flat())
    const now = new Set(w.chunks.flat())
    for (const id of allowed) {
      if (!now.has(id)) stale.push(userItem(id, actionOf(direction, w.slug), "skipped", "no longer applies: the server already shows it done"))
    }
    return [new WorkspacePlan({
      ...w,
      create: w.create && was.create,
      chunks: chunk(w.chunks.flat().filter((id) => allowed.has(id)), CHUNK),
      unchanged: []
    })]
  })
  const fields = {
    workspaces,
    problems: [...saved.problems, ...stale],
    calls: workspaces.reduce((n, p) => n + p.chunks.length + (p.create ? 1 : 0), 0)
  }
  return direction === "add"
    ? new OnboardingPlan({ spec: saved.spec as Specs.OnboardingSpec, ...fields })
    : new OffboardingPlan({ spec: saved.spec as Specs.OffboardingSpec, ...fields })
}

/** The operations of a plan (creating workspaces and setting onboarding budgets first). */
const execute = (current: MembershipPlan, options: Engine.ApplyOptions) =>
  Effect.gen(function*() {
    const workspaces = yield* Workspaces
    const context = yield* Effect.context<Workspaces>()
    const direction = current.direction
    const operations: Array<Engine.PlannedOperation> = []
    const setup: Array<Engine.ReportItem> = []
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
          setup.push(new Engine.ReportItem({
            kind: "budget",
            key: workspacePlan.slug,
            action: "read budgets",
            outcome: "failed",
            reason: changes.left.message
          }))
        }
      }
      const action = actionOf(direction, workspacePlan.slug)
      for (const userId of workspacePlan.unchanged) {
        setup.push(userItem(userId, action, "skipped", direction === "add" ? "already a member" : "not a member"))
      }
      for (const ids of workspacePlan.chunks) {
        operations.push({
          key: keyOf(direction, id, ids),
          payload: { workspaceId: id, userIds: ids },
          items: ids.length,
          run: Effect.provide(bisect(direction, id, action, ids), context)
        })
      }
    }
    return yield* Engine.run({
      kind: kindOf(direction),
      spec: current.spec,
      unit: "users",
      operations,
      extraItems: [...current.problems, ...setup]
    }, options)
  })

const isPlanInput = (input: unknown) =>
  input instanceof OnboardingPlan || input instanceof OffboardingPlan ||
  (typeof input === "object" && input !== null && typeof (input as { _tag?: unknown })._tag === "string")

/**
 * Apply a spec (plan from the server, then run), or a saved plan: re-read from the server first, only
 * what the saved plan has and still applies is done, the rest is reported as skipped. A re-run with
 * the same job id resumes: the server's state decides what is still needed.
 *
 * `trusted` (for a plan made moments ago in the same run, as the CLI does): run the plan as it is.
 */
export const apply = (
  direction: Direction,
  input: unknown,
  options: Engine.ApplyOptions & { readonly trusted?: boolean } = {}
) =>
  Effect.gen(function*() {
    const { concurrency } = yield* Engine.checkOptions(options)
    if (!isPlanInput(input)) return yield* execute(yield* plan(direction, input, options), options)
    const saved = yield* Specs.decode(planSchema(direction), kindOf(direction))(input)
    if (options.trusted) return yield* execute(saved, options)
    return yield* execute(restrict(yield* planSpec(direction, saved.spec, concurrency), saved), options)
  }).pipe(Engine.gated(options))
