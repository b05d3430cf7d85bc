/**
 * Onboarding and offboarding: put users into (or take them out of) workspaces in the fewest
 * `bulkAddMembers` / `bulkRemoveMembers` calls, isolating refused users by bisection.
 *
 * @since 0.1.0
 */
import { Effect, Option, Stream } from "effect"
import type { BudgetInterval } from "../Domain.ts"
import { InvalidRequestError } from "../Errors.ts"
import { Organization } from "../Organization.ts"
import { Workspaces, type WorkspacesError } from "../Workspaces.ts"
import * as BudgetPolicy from "./BudgetPolicy.ts"
import * as Engine from "./Engine.ts"

export interface MembershipParams {
  /** User ids (`user_…`) and/or e-mails of organization members. */
  readonly users: ReadonlyArray<string>
  /** Workspace ids or slugs. */
  readonly workspaces: ReadonlyArray<string>
  /** Onboarding only: create missing workspaces (by slug; the name is the slug). */
  readonly ensureWorkspaces?: boolean
  /** Onboarding only: budgets each workspace should have. */
  readonly budgets?: Partial<Record<BudgetInterval, number>>
}

export interface WorkspacePlan {
  readonly ref: string
  /** Undefined when the workspace does not exist yet (it will be created). */
  readonly workspaceId: string | undefined
  readonly create: boolean
  /** Chunks of at most 100 user ids to add or remove. */
  readonly chunks: ReadonlyArray<ReadonlyArray<string>>
  /** Users already in the desired state. */
  readonly unchanged: ReadonlyArray<string>
}

export interface MembershipPlan {
  readonly direction: "add" | "remove"
  readonly params: MembershipParams
  readonly workspaces: ReadonlyArray<WorkspacePlan>
  /** Users that could not be resolved or workspaces that cannot be used: reported, not guessed. */
  readonly problems: ReadonlyArray<Engine.ReportItem>
  /** Calls the plan needs (the minimum, before any bisection). */
  readonly calls: number
}

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

export interface PlanOptions {
  /** Workspaces read at once. Default 4. */
  readonly concurrency?: number
  /** Requests per second while reading. Default 10. */
  readonly rate?: number
}

/** Read the server's state and compute the minimal operations. Changes nothing. */
export const plan = (direction: "add" | "remove", params: MembershipParams, options: PlanOptions = {}) =>
  Effect.gen(function*() {
    const workspaces = yield* Workspaces
    const organization = yield* Organization
    const action = direction === "add" ? "add" : "remove"
    if (params.users.length === 0) {
      return yield* new InvalidRequestError({ operation: direction === "add" ? "onboard" : "offboard", issue: "no users given" })
    }
    const problems: Array<Engine.ReportItem> = []
    // e-mails resolve through the organization's members; unknown ones are reported, not guessed
    const emails = new Set(params.users.filter((u) => u.includes("@")).map((u) => u.toLowerCase()))
    const byEmail = new Map<string, string>()
    if (emails.size > 0) {
      yield* Stream.runForEach(organization.streamMembers(), (member) =>
        Effect.sync(() => {
          if (emails.has(member.email.toLowerCase())) byEmail.set(member.email.toLowerCase(), member.id)
        }))
    }
    const ids: Array<string> = []
    for (const user of params.users) {
      if (!user.includes("@")) ids.push(user)
      else {
        const id = byEmail.get(user.toLowerCase())
        if (id) ids.push(id)
        else problems.push(userItem(user, action, "failed", "no organization member has this e-mail"))
      }
    }
    const wanted = [...new Set(ids)]

    // each workspace's current members, read concurrently (under the plan's rate gate)
    const perWorkspace = yield* Effect.forEach(params.workspaces, (ref) =>
      Effect.gen(function*() {
        const found = yield* workspaces.find({ id: ref })
        if (Option.isNone(found)) {
          if (direction === "add" && params.ensureWorkspaces) {
            return { ref, workspaceId: undefined, create: true, chunks: chunk(wanted, CHUNK), unchanged: [] } as WorkspacePlan
          }
          problems.push(
            new Engine.ReportItem({ kind: "workspace", key: ref, action, outcome: "failed", reason: "workspace not found" })
          )
          return undefined
        }
        const current = new Set<string>()
        yield* Stream.runForEach(workspaces.streamMembers({ id: found.value.id }), (member) =>
          Effect.sync(() => current.add(member.userId)))
        const needed = (id: string) => (direction === "add" ? !current.has(id) : current.has(id))
        const todo = wanted.filter(needed)
        const unchanged = wanted.filter((id) => !needed(id))
        return { ref, workspaceId: found.value.id, create: false, chunks: chunk(todo, CHUNK), unchanged } as WorkspacePlan
      }), { concurrency: options.concurrency ?? 4 })
    const plans = perWorkspace.filter((p): p is WorkspacePlan => p !== undefined)
    const result: MembershipPlan = {
      direction,
      params,
      workspaces: plans,
      problems,
      calls: plans.reduce((n, p) => n + p.chunks.length + (p.create ? 1 : 0), 0)
    }
    return result
  }).pipe(Engine.gated({ rate: options.rate }))

/**
 * Send one chunk; a 400 splits it in halves until the refused users are isolated, so everyone else
 * is still added (or removed) and each offender is reported with the server's message.
 */
const bisect = (
  direction: "add" | "remove",
  workspaceId: string,
  ids: ReadonlyArray<string>
): Effect.Effect<ReadonlyArray<Engine.ReportItem>, never, Workspaces> =>
  Effect.gen(function*() {
    const workspaces = yield* Workspaces
    const call: Effect.Effect<void, WorkspacesError<"bulkAddMembers">> = direction === "add"
      ? Effect.asVoid(workspaces.bulkAddMembers({ id: workspaceId, userIds: ids }))
      : Effect.asVoid(workspaces.bulkRemoveMembers({ id: workspaceId, userIds: ids }))
    const action = `${direction} to ${workspaceId}`
    return yield* call.pipe(
      Effect.as(ids.map((id) => userItem(id, action, "done"))),
      Effect.catchTag("BadRequestResponseError", (error) => {
        if (ids.length === 1) return Effect.succeed([userItem(ids[0]!, action, "failed", error.serverMessage)])
        const half = Math.ceil(ids.length / 2)
        return Effect.map(
          Effect.all([bisect(direction, workspaceId, ids.slice(0, half)), bisect(direction, workspaceId, ids.slice(half))]),
          ([left, right]) => [...left, ...right]
        )
      }),
      Effect.catchAll((error) => Effect.succeed(ids.map((id) => userItem(id, action, "failed", error.message))))
    )
  })

/** Apply a plan (or plan first from params). Re-running with the same job id resumes. */
export const apply = (
  direction: "add" | "remove",
  input: MembershipPlan | MembershipParams,
  options: Engine.ApplyOptions = {}
) =>
  Effect.gen(function*() {
    const workspaces = yield* Workspaces
    const context = yield* Effect.context<Workspaces>()
    // a resume always re-reads the server: whatever an interrupted run did is not planned again
    const current = "direction" in input && options.jobId === undefined ? input : yield* plan(direction, "direction" in input ? input.params : input, {
          ...(options.concurrency !== undefined ? { concurrency: options.concurrency } : {}),
          ...(options.rate !== undefined ? { rate: options.rate } : {})
        })
    const operations: Array<Engine.PlannedOperation> = []
    const setup: Array<Engine.ReportItem> = []
    for (const workspacePlan of current.workspaces) {
      let workspaceId = workspacePlan.workspaceId
      if (workspacePlan.create) {
        // idempotent: look the slug up first (the client's create also reconciles by slug on retry)
        const existing = yield* workspaces.find({ id: workspacePlan.ref })
        const created = Option.isSome(existing)
          ? Effect.succeed(existing.value)
          : Effect.map(workspaces.create({ name: workspacePlan.ref, slug: workspacePlan.ref }), (r) => r.data)
        const outcome = yield* Effect.either(created)
        if (outcome._tag === "Left") {
          setup.push(new Engine.ReportItem({
            kind: "workspace",
            key: workspacePlan.ref,
            action: "create",
            outcome: "failed",
            reason: outcome.left.message
          }))
          continue
        }
        workspaceId = outcome.right.id
        setup.push(new Engine.ReportItem({ kind: "workspace", key: workspacePlan.ref, action: "create", outcome: "done" }))
      }
      const id = workspaceId!
      if (direction === "add" && current.params.budgets) {
        // the budget policy's own diff and ordering, for this one workspace
        const budgets = yield* Effect.either(BudgetPolicy.changesFor(id, current.params.budgets))
        if (budgets._tag === "Right") setup.push(...yield* BudgetPolicy.setBudgets(id, workspacePlan.ref, budgets.right.changes))
        else {
          setup.push(new Engine.ReportItem({
            kind: "budget",
            key: workspacePlan.ref,
            action: "read budgets",
            outcome: "failed",
            reason: budgets.left.message
          }))
        }
      }
      for (const userId of workspacePlan.unchanged) {
        setup.push(userItem(userId, `${direction} to ${id}`, "skipped", direction === "add" ? "already a member" : "not a member"))
      }
      for (const ids of workspacePlan.chunks) {
        operations.push({
          key: keyOf(direction, id, ids),
          payload: { workspaceId: id, userIds: ids },
          run: Effect.provide(bisect(direction, id, ids), context)
        })
      }
    }
    return yield* Engine.apply(
      direction === "add" ? "onboarding" : "offboarding",
      current.params,
      operations,
      [...current.problems, ...setup],
      options
    )
  })
