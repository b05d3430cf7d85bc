/**
 * The organisation as it is, read once for `Org.export` and `Org.plan` with the fewest list requests:
 * the workspaces (one listing), the organisation's members (one listing, for e-mails), and per
 * workspace only what is asked: its members (never for the default workspace, which holds every
 * organisation member implicitly), its budgets, its guardrails; the direct guardrail assignments of
 * the whole organisation come from one organisation-wide listing instead of one per guardrail.
 *
 * @since 0.1.0
 */
import { Effect, Stream } from "effect"
import type { BudgetInterval, OrganizationMember, Workspace } from "../Domain.ts"
import { Guardrails } from "../Guardrails.ts"
import type { Guardrail } from "../GuardrailsDomain.ts"
import { Organization } from "../Organization.ts"
import { Workspaces } from "../Workspaces.ts"

/** The default workspace's slug: it cannot be deleted, and every organisation member belongs to it. */
export const DEFAULT_SLUG = "default"

export interface GuardrailState {
  readonly guardrail: Guardrail
  /** User ids assigned to it directly. */
  readonly members: ReadonlyArray<string>
}

export interface WorkspaceState {
  readonly workspace: Workspace
  readonly isDefault: boolean
  /** User ids; undefined when not read (or the default workspace). */
  readonly members: ReadonlySet<string> | undefined
  /** Limits by interval; undefined when not read. */
  readonly budgets: ReadonlyMap<BudgetInterval, number> | undefined
  /** Undefined when not read. */
  readonly guardrails: ReadonlyArray<GuardrailState> | undefined
}

export interface OrgState {
  readonly members: ReadonlyArray<OrganizationMember>
  readonly byId: ReadonlyMap<string, OrganizationMember>
  /** By lower-cased e-mail. */
  readonly byEmail: ReadonlyMap<string, OrganizationMember>
  readonly workspaces: ReadonlyArray<WorkspaceState>
  readonly all: ReadonlyArray<Workspace>
}

export interface ReadOptions {
  /** Which workspaces to read in detail (by the workspace). */
  readonly select: (workspace: Workspace) => boolean
  /** What to read of a selected workspace. */
  readonly needs: (workspace: Workspace) => { readonly members: boolean; readonly budgets: boolean; readonly guardrails: boolean }
  readonly concurrency: number
  /** Called as parts are read ("workspace 3/14"). */
  readonly progress?: (what: string, done: number, total: number) => Effect.Effect<void>
}

/** Read the organisation (nothing is changed). */
export const read = (options: ReadOptions) =>
  Effect.gen(function*() {
    const workspaces = yield* Workspaces
    const organization = yield* Organization
    const guardrails = yield* Guardrails
    const [all, members] = yield* Effect.all([
      Effect.map(Stream.runCollect(workspaces.stream()), (c) => [...c]),
      Effect.map(Stream.runCollect(organization.streamMembers()), (c) => [...c])
    ], { concurrency: 2 })
    const selected = all.filter(options.select)
    const needs = new Map(selected.map((w) => [w.id, options.needs(w)]))
    const wantsAssignments = [...needs.values()].some((n) => n.guardrails)
    const assignments = new Map<string, Array<string>>()
    const readAssignments = wantsAssignments
      ? Stream.runForEach(guardrails.streamAllMemberAssignments(), (a) =>
        Effect.sync(() => {
          const list = assignments.get(a.guardrailId)
          if (list) list.push(a.userId)
          else assignments.set(a.guardrailId, [a.userId])
        }))
      : Effect.void
    let done = 0
    const readOne = (workspace: Workspace) =>
      Effect.gen(function*() {
        const need = needs.get(workspace.id)!
        const isDefault = workspace.slug === DEFAULT_SLUG
        const [memberIds, budgets, list] = yield* Effect.all([
          need.members && !isDefault
            ? Effect.map(
              Stream.runFold(workspaces.streamMembers({ id: workspace.id }), new Set<string>(), (set, m) => set.add(m.userId)),
              (set): ReadonlySet<string> | undefined => set
            )
            : Effect.succeed(undefined),
          need.budgets
            ? Effect.map(workspaces.listBudgets({ id: workspace.id }), (r) => new Map(r.data.map((b) => [b.interval, b.limitUsd])))
            : Effect.succeed(undefined),
          need.guardrails
            ? Effect.map(Stream.runCollect(guardrails.stream({ workspaceId: workspace.id })), (c) => [...c])
            : Effect.succeed(undefined)
        ], { concurrency: 3 })
        done++
        if (options.progress) yield* options.progress("workspace", done, selected.length)
        return { workspace, isDefault, memberIds, budgets, list }
      })
    const [read] = yield* Effect.all([Effect.forEach(selected, readOne, { concurrency: options.concurrency }), readAssignments], {
      concurrency: 2
    })
    const states: Array<WorkspaceState> = read.map((r) => ({
      workspace: r.workspace,
      isDefault: r.isDefault,
      members: r.memberIds,
      budgets: r.budgets,
      guardrails: r.list?.map((guardrail) => ({ guardrail, members: assignments.get(guardrail.id) ?? [] }))
    }))
    const state: OrgState = {
      members,
      byId: new Map(members.map((m) => [m.id, m])),
      byEmail: new Map(members.map((m) => [m.email.toLowerCase(), m])),
      workspaces: states,
      all
    }
    return state
  })

/** How a user id reads in a file and a plan: their e-mail when they are a member, else the id. */
export const personOf = (state: OrgState, userId: string) => state.byId.get(userId)?.email ?? userId
