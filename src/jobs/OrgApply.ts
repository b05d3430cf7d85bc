/**
 * `Org.apply`: make the organisation match its file, as one journaled job (resumable with the same
 * job id, rate-gated, chunks bisected). Every step is valid when it is sent: workspaces are created
 * before their budgets, guardrails and members; budgets are set in an order that keeps daily < weekly
 * < monthly < lifetime; a guardrail is created, and its members added to the workspace, before it is
 * assigned; a pruned member's keys there are disabled and their guardrails unassigned before they are
 * removed, as offboarding does. A second apply of the same file plans nothing and sends nothing.
 *
 * Operations that need another's result (a new workspace's id, a new guardrail's id, members added)
 * wait for it; they come after it in the engine's list, which starts operations in order, so a wait
 * never holds up what it waits for.
 *
 * @since 0.1.0
 */
import { Deferred, Effect, Ref } from "effect"
import { Guardrails } from "../Guardrails.ts"
import { Keys } from "../Keys.ts"
import { Workspaces } from "../Workspaces.ts"
import type { JobDefinition, JobError, JobServices } from "./Definitions.ts"
import * as Engine from "./Engine.ts"
import * as Offboarding from "./Offboarding.ts"
import * as OrgPlan from "./OrgPlan.ts"
import * as OrgSpec from "./OrgSpec.ts"

const CHUNK = 100
const chunk = <A>(items: ReadonlyArray<A>) =>
  Array.from({ length: Math.ceil(items.length / CHUNK) }, (_, i) => items.slice(i * CHUNK, (i + 1) * CHUNK))

/** A stable short digest (journal keys must not depend on order). */
const digest = (parts: ReadonlyArray<string>) => {
  let h = 0x811c9dc5
  for (const part of [...parts].sort()) for (let i = 0; i < part.length; i++) h = Math.imul(h ^ part.charCodeAt(i), 0x01000193)
  return `${parts.length}:${(h >>> 0).toString(36)}`
}

type Kind = Engine.ReportItem["kind"]
const report = (kind: Kind, key: string, action: string, outcome: Engine.ReportItem["outcome"], reason?: string) =>
  new Engine.ReportItem({ kind, key, action, outcome, ...(reason !== undefined ? { reason } : {}) })

const failed = (error: { readonly message: string }) => error.message

/** The API takes a non-empty list or null: the file's `[]` is "none". */
const wire = (settings: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(settings).map(([k, v]) => [k, Array.isArray(v) && v.length === 0 ? null : v]))

/**
 * Send ids in one call; a 400 splits them in halves until the refused ones are isolated, so
 * everyone else is still done and each refusal is reported with the server's message.
 */
const bisect = <E extends { readonly _tag: string; readonly message: string }, R>(
  call: (ids: ReadonlyArray<string>) => Effect.Effect<unknown, E, R>,
  item: (id: string, outcome: Engine.ReportItem["outcome"], reason?: string) => Engine.ReportItem,
  ids: ReadonlyArray<string>
): Effect.Effect<ReadonlyArray<Engine.ReportItem>, never, R> =>
  call(ids).pipe(
    Effect.as(ids.map((id) => item(id, "done"))),
    Effect.catchAll((error): Effect.Effect<ReadonlyArray<Engine.ReportItem>, never, R> => {
      const reason = (error as { serverMessage?: string }).serverMessage ?? error.message
      if (error._tag !== "BadRequestResponseError") return Effect.succeed(ids.map((id) => item(id, "failed", error.message)))
      if (ids.length === 1) return Effect.succeed([item(ids[0]!, "failed", reason)])
      const half = Math.ceil(ids.length / 2)
      return Effect.map(Effect.all([bisect(call, item, ids.slice(0, half)), bisect(call, item, ids.slice(half))]), ([a, b]) => [...a, ...b])
    })
  )

/** A value some operations wait for (a created workspace's or guardrail's id; undefined: it failed). */
const promise = () => Deferred.make<string | undefined>()

/** The operations of a plan, in an order where every wait is for an operation listed before it. */
export const operationsOf = (plan: OrgPlan.OrgPlan, options: { readonly concurrency: number }) =>
  Effect.gen(function*() {
    const workspaces = yield* Workspaces
    const guardrails = yield* Guardrails
    const context = yield* Effect.context<Workspaces | Guardrails | Keys>()
    const operations: Array<Engine.PlannedOperation> = []

    // ids known now, or promised by the operation that creates them
    const workspaceIds = new Map<string, Deferred.Deferred<string | undefined>>()
    const guardrailIds = new Map<string, Deferred.Deferred<string | undefined>>()
    const membersAdded = new Map<string, { readonly pending: Ref.Ref<number>; readonly done: Deferred.Deferred<void> }>()
    const workspaceOf = (slug: string, known?: string) =>
      known !== undefined
        ? Effect.succeed<string | undefined>(known)
        : Effect.suspend(() => {
          const created = workspaceIds.get(slug)
          // a plan always creates a workspace it has no id for (OrgPlan), so this is a defect
          return created ? Deferred.await(created) : Effect.dieMessage(`org apply: no operation creates workspace ${slug}`)
        })
    const guardrailKey = (slug: string, name: string) => `${slug}\u0000${name}`

    const needWorkspace = (
      slug: string,
      known: string | undefined,
      kind: Kind,
      key: string,
      action: string,
      then: (id: string) => Effect.Effect<ReadonlyArray<Engine.ReportItem>>
    ) =>
      Effect.flatMap(workspaceOf(slug, known), (id) =>
        id === undefined
          ? Effect.succeed([report(kind, key, action, "failed", `not done: workspace ${slug} could not be created (see above)`)])
          : then(id))

    const by = <T extends OrgPlan.OrgAction["_tag"]>(tag: T) =>
      plan.actions.filter((a): a is Extract<OrgPlan.OrgAction, { _tag: T }> => a._tag === tag)

    // 1. workspaces: created (or found by slug after an ambiguous failure) and updated
    for (const action of by("CreateWorkspace")) {
      const done = yield* promise()
      workspaceIds.set(action.slug, done)
      operations.push({
        key: `org:create-workspace:${action.slug}`,
        payload: { slug: action.slug },
        items: 1,
        run: Effect.gen(function*() {
          const { name, ...settings } = wire(action.settings) as { name: string }
          const made = yield* Effect.either(workspaces.create({ ...(settings as object), name, slug: action.slug }))
          if (made._tag === "Left") {
            yield* Deferred.succeed(done, undefined)
            return [report("workspace", action.slug, "create workspace", "failed", failed(made.left))]
          }
          yield* Deferred.succeed(done, made.right.data.id)
          return [report("workspace", action.slug, "create workspace", "done")]
        }).pipe(Effect.onInterrupt(() => Deferred.succeed(done, undefined)))
      })
    }
    for (const action of by("UpdateWorkspace")) {
      operations.push({
        key: `org:update-workspace:${action.slug}:${digest(action.changes.map((c) => `${c.field}=${JSON.stringify(c.to)}`))}`,
        payload: { slug: action.slug, changes: action.changes },
        items: action.changes.length,
        run: workspaces.update({ id: action.workspaceId, ...(wire(Object.fromEntries(action.changes.map((c) => [c.field, c.to]))) as object) }).pipe(
          Effect.as(action.changes.map((c) => report("workspace", action.slug, `${c.field} → ${JSON.stringify(c.to)}`, "done"))),
          Effect.catchAll((error) =>
            Effect.succeed(action.changes.map((c) => report("workspace", action.slug, `update ${c.field}`, "failed", failed(error))))
          )
        )
      })
    }

    // 2. budgets, one workspace at a time in the plan's safe order
    for (const action of by("SetBudgets")) {
      const stepText = (s: OrgPlan.BudgetStep) =>
        s.to === undefined ? `delete ${s.interval} budget (was ${s.from} USD)` : `${s.interval} budget ${s.from ?? "none"} → ${s.to} USD`
      operations.push({
        key: `org:budgets:${action.slug}:${action.steps.map((s) => `${s.interval}=${s.to ?? "-"}`).join(",")}`,
        payload: { slug: action.slug, steps: action.steps.map((s) => ({ ...s })) },
        items: action.steps.length,
        run: needWorkspace(action.slug, action.workspaceId, "budget", action.slug, "set budgets", (id) =>
          Effect.forEach(action.steps, (step) => {
            const call: Effect.Effect<unknown, { readonly message: string }> = step.to === undefined
              ? workspaces.deleteBudget({ id, interval: step.interval })
              : workspaces.setBudget({ id, interval: step.interval, limitUsd: step.to })
            return call.pipe(
              Effect.as(report("budget", `${action.slug}:${step.interval}`, stepText(step), "done")),
              Effect.catchAll((error) => Effect.succeed(report("budget", `${action.slug}:${step.interval}`, stepText(step), "failed", failed(error))))
            )
          }))
      })
    }

    // 3. guardrails: created (their ids promised to the assignments) and updated
    for (const action of by("CreateGuardrail")) {
      const done = yield* promise()
      guardrailIds.set(guardrailKey(action.slug, action.name), done)
      operations.push({
        key: `org:create-guardrail:${action.slug}:${action.name}`,
        payload: { slug: action.slug, name: action.name },
        items: 1,
        run: needWorkspace(action.slug, action.workspaceId, "workspace", action.slug, `create guardrail ${action.name}`, (workspaceId) =>
          Effect.gen(function*() {
            const made = yield* Effect.either(guardrails.create({ ...(wire(action.settings) as object), name: action.name, workspaceId }))
            if (made._tag === "Left") {
              yield* Deferred.succeed(done, undefined)
              return [report("workspace", action.slug, `create guardrail ${action.name}`, "failed", failed(made.left))]
            }
            yield* Deferred.succeed(done, made.right.data.id)
            return [report("workspace", action.slug, `create guardrail ${action.name}`, "done")]
          })).pipe(Effect.ensuring(Deferred.succeed(done, undefined)))
      })
    }
    for (const action of by("UpdateGuardrail")) {
      operations.push({
        key: `org:update-guardrail:${action.guardrailId}:${
          digest(action.changes.map((c) => `${c.field}=${JSON.stringify(c.to)}`))
        }`,
        payload: { slug: action.slug, name: action.name, changes: action.changes },
        items: action.changes.length,
        run: guardrails.update({ id: action.guardrailId, ...(wire(Object.fromEntries(action.changes.map((c) => [c.field, c.to]))) as object) }).pipe(
          Effect.as(action.changes.map((c) =>
            report("workspace", action.slug, `guardrail ${action.name}: ${c.field} → ${JSON.stringify(c.to)}`, "done")
          )),
          Effect.catchAll((error) =>
            Effect.succeed(action.changes.map((c) =>
              report("workspace", action.slug, `guardrail ${action.name}: ${c.field}`, "failed", failed(error))
            ))
          )
        )
      })
    }

    // 4. members added, in chunks of 100; the assignments of this workspace wait for all of them
    for (const action of by("AddMembers")) {
      const chunks = chunk(action.userIds)
      const done = yield* Deferred.make<void>()
      const pending = yield* Ref.make(chunks.length)
      membersAdded.set(action.slug, { pending, done })
      const finishOne = Effect.flatMap(
        Ref.updateAndGet(pending, (n) =>
          n - 1),
        (n) => (n === 0 ? Deferred.succeed(done, undefined) : Effect.void)
      )
      const action_ = `add to ${action.slug}`
      for (const ids of chunks) {
        operations.push({
          key: `org:add:${action.slug}:${digest(ids)}`,
          payload: { slug: action.slug, userIds: ids },
          items: ids.length,
          run: needWorkspace(action.slug, action.workspaceId, "membership", ids[0]!, action_, (id) =>
            bisect(
              (chunkIds) => workspaces.bulkAddMembers({ id, userIds: chunkIds }),
              (userId, outcome, reason) => report("membership", userId, action_, outcome, reason),
              ids
            )).pipe(Effect.ensuring(finishOne))
        })
      }
    }

    // 5. guardrails assigned, once they exist and the workspace's new members are in
    for (const action of by("AssignGuardrail")) {
      const text = `assign guardrail ${action.name} in ${action.slug}`
      for (const ids of chunk(action.userIds)) {
        operations.push({
          key: `org:assign:${action.slug}:${action.name}:${digest(ids)}`,
          payload: { slug: action.slug, name: action.name, userIds: ids },
          items: ids.length,
          run: Effect.gen(function*() {
            const added = membersAdded.get(action.slug)
            if (added) yield* Deferred.await(added.done)
            const id = action.guardrailId ?? (yield* Deferred.await(guardrailIds.get(guardrailKey(action.slug, action.name))!))
            if (id === undefined) {
              return ids.map((u) =>
                report("guardrail-assignment", u, text, "failed", `not done: guardrail ${action.name} could not be created (see above)`)
              )
            }
            return yield* bisect(
              (chunkIds) => guardrails.assignMembers({ id, memberUserIds: chunkIds }),
              (userId, outcome, reason) => report("guardrail-assignment", userId, text, outcome, reason),
              ids
            )
          })
        })
      }
    }

    // 6. removals (prune): assignments, then members (as offboarding does), guardrails, workspaces
    for (const action of by("UnassignGuardrail")) {
      const text = `unassign guardrail ${action.name} in ${action.slug}`
      for (const ids of chunk(action.userIds)) {
        operations.push({
          key: `org:unassign:${action.guardrailId}:${digest(ids)}`,
          payload: { slug: action.slug, name: action.name, userIds: ids },
          items: ids.length,
          run: bisect(
            (chunkIds) => guardrails.unassignMembers({ id: action.guardrailId, memberUserIds: chunkIds }),
            (userId, outcome, reason) => report("guardrail-assignment", userId, text, outcome, reason),
            ids
          )
        })
      }
    }
    for (const action of by("RemoveMembers")) {
      // as offboarding does, with its own step: their keys there disabled, their direct guardrails there
      // unassigned, then the memberships (a member whose key could not be disabled is not sent)
      const removing = new Set(action.userIds)
      const workspace = { slug: action.slug, workspaceId: action.workspaceId, keys: action.keys, unassign: action.unassign }
      for (const ids of chunk(action.userIds)) {
        const inChunk = new Set(ids)
        operations.push({
          key: `org:remove:${action.slug}:${digest(ids)}`,
          payload: { slug: action.slug, userIds: ids },
          items: ids.length + action.keys.filter((k) => inChunk.has(k.userId)).length +
            action.unassign.filter((u) => inChunk.has(u.userId)).length,
          run: Effect.provide(Offboarding.removeChunk(workspace, ids, removing, "disable", options.concurrency), context)
        })
      }
    }
    for (const action of by("DeleteGuardrail")) {
      const text = `delete guardrail ${action.name}`
      operations.push({
        key: `org:delete-guardrail:${action.guardrailId}`,
        payload: { slug: action.slug, name: action.name },
        items: 1,
        run: guardrails.delete({ id: action.guardrailId }).pipe(
          Effect.as([report("workspace", action.slug, text, "done")]),
          Effect.catchTag("NotFoundResponseError", () => Effect.succeed([report("workspace", action.slug, text, "already-done", "already gone")])),
          Effect.catchAll((error) => Effect.succeed([report("workspace", action.slug, text, "failed", failed(error))]))
        )
      })
    }
    for (const action of by("DeleteWorkspace")) {
      operations.push({
        key: `org:delete-workspace:${action.workspaceId}`,
        payload: { slug: action.slug },
        items: 1,
        run: workspaces.delete({ id: action.workspaceId }).pipe(
          Effect.as([report("workspace", action.slug, "delete workspace", "done")]),
          Effect.catchTag("NotFoundResponseError", () =>
            Effect.succeed([report("workspace", action.slug, "delete workspace", "already-done", "already gone")])),
          Effect.catchAll((error) =>
            Effect.succeed([report("workspace", action.slug, "delete workspace", "failed", failed(error))])
          )
        )
      })
    }
    return operations
  })

/** The actions of a fresh plan that a saved plan also has (same target, same values); the rest is reported as skipped. */
export const restrict = (fresh: OrgPlan.OrgPlan, saved: OrgPlan.OrgPlan) => {
  const stale: Array<Engine.ReportItem> = []
  const identity = (a: OrgPlan.OrgAction) => `${a._tag}\u0000${a.slug}\u0000${"name" in a ? a.name : ""}`
  const savedBy = new Map(saved.actions.map((a) => [identity(a), a]))
  const freshIds = new Set(fresh.actions.map(identity))
  const gone = "no longer applies: the organisation changed since the plan (plan again to see what is needed)"
  for (const a of saved.actions) {
    if (!freshIds.has(identity(a))) stale.push(report("workspace", a.slug, a._tag, "skipped", gone))
  }
  const actions = fresh.actions.flatMap((a): Array<OrgPlan.OrgAction> => {
    const was = savedBy.get(identity(a))
    if (!was) return []
    if ("userIds" in a && "userIds" in was) {
      const allowed = new Set(was.userIds)
      const keep = a.userIds.map((id, i) => [id, a.people[i]!] as const).filter(([id]) => allowed.has(id))
      if (keep.length === 0) return []
      if (a._tag === "RemoveMembers") {
        const ids = new Set(keep.map(([id]) => id))
        return [
          new OrgPlan.RemoveMembers({
            ...a,
            userIds: keep.map(([id]) => id),
            people: keep.map(([, p]) => p),
            keys: a.keys.filter((k) => ids.has(k.userId)),
            unassign: a.unassign.filter((u) => ids.has(u.userId))
          })
        ]
      }
      return [Object.assign(Object.create(Object.getPrototypeOf(a)), a, { userIds: keep.map(([id]) => id), people: keep.map(([, p]) => p) })]
    }
    if ("changes" in a && "changes" in was) {
      const wanted = new Set(was.changes.map((c) => `${c.field}=${JSON.stringify(c.to)}`))
      const changes = a.changes.filter((c) => wanted.has(`${c.field}=${JSON.stringify(c.to)}`))
      return changes.length === 0 ? [] : [Object.assign(Object.create(Object.getPrototypeOf(a)), a, { changes })]
    }
    if (a._tag === "SetBudgets" && was._tag === "SetBudgets") {
      const wanted = new Set(was.steps.map((s) => `${s.interval}=${s.to}`))
      const steps = a.steps.filter((s) => wanted.has(`${s.interval}=${s.to}`))
      return steps.length === 0 ? [] : [new OrgPlan.SetBudgets({ ...a, steps })]
    }
    return [a]
  })
  return { plan: new OrgPlan.OrgPlan({ ...fresh, actions }), stale }
}

/** Run a plan as a journaled job. */
export const execute = (plan: OrgPlan.OrgPlan, stale: ReadonlyArray<Engine.ReportItem>, options: Engine.ApplyOptions) =>
  Effect.gen(function*() {
    const { concurrency } = yield* Engine.checkOptions(options)
    const context = yield* Effect.context<Workspaces | Guardrails | Keys>()
    // the plan left out the key in use (OrgPlan): no second GET /key here
    const operations = (yield* operationsOf(plan, { concurrency })).map((o) => ({
      ...o,
      run: Effect.provide(o.run, context)
    }))
    return yield* Engine.run({ kind: "org", spec: plan.spec, unit: "changes", operations, extraItems: stale }, options)
  })

/**
 * Apply an organisation file: a spec (planned, then run) or a saved `OrgPlan` (planned again and
 * restricted to what the saved plan had; what no longer applies is reported as skipped). `trusted`:
 * a plan made moments ago in the same run.
 */
export const apply = (input: unknown, options: Engine.ApplyJobOptions & OrgPlan.PlanOptions = {}) =>
  Engine.applyJob({
    kind: "org",
    planSchema: OrgPlan.OrgPlan,
    plan: (spec, o) => OrgPlan.plan(spec, { ...o, ...(options.maxRemovals !== undefined ? { maxRemovals: options.maxRemovals } : {}) }),
    recheck: (saved, concurrency) =>
      Effect.map(OrgPlan.planSpec(saved.spec, { concurrency, maxRemovals: saved.maxRemovals }), (fresh) => restrict(fresh, saved)),
    execute
  })(input, options)

/**
 * Organisation as code, one more entry of the job table (`Definitions.definitions.org`): plan files,
 * resume and the CLI's job commands derive from it like every job's.
 *
 * @since 0.1.0
 * @category definitions
 */
export const definition: JobDefinition<
  "org",
  OrgSpec.OrgSpec,
  OrgPlan.OrgPlan,
  JobError | OrgSpec.OrgSpecError | OrgPlan.PruneLimitError | Engine.ManagementKeyRequiredError,
  JobServices
> = {
  kind: "org",
  spec: OrgSpec.OrgSpec,
  planSchema: OrgPlan.OrgPlan,
  unit: "changes",
  destructive: true,
  plan: (spec, options) => OrgPlan.plan(spec, options ?? {}),
  apply: (input, options) => apply(input, options ?? {}),
  describe: OrgPlan.describe,
  isEmpty: OrgPlan.isEmpty
}
