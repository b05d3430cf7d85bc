/**
 * The organisation as it is, read once for `Org.export` and `Org.plan` with the fewest list requests:
 * the workspaces (one listing), the organisation's members (one listing, for e-mails), and per
 * workspace only what is asked: its members (never for the default workspace, which holds every
 * organisation member implicitly), its budgets, its guardrails; the direct guardrail assignments of
 * the whole organisation come from one organisation-wide listing instead of one per guardrail.
 *
 * @since 0.1.0
 */
import { Effect } from "effect"
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

const PAGE = 100

/**
 * Every item of an offset/limit listing in the fewest requests: the first page says how many there
 * are, the other pages are then read at once (`concurrency`), in order. The same requests as paging
 * one by one, without waiting a round trip for each.
 */
const allPages = <A, E, R>(
  fetch: (
    page: { readonly offset: number; readonly limit: number }
  ) => Effect.Effect<{ readonly data: ReadonlyArray<A>; readonly totalCount: number }, E, R>,
  concurrency: number
) =>
  Effect.gen(function*() {
    const first = yield* fetch({ offset: 0, limit: PAGE })
    if (first.data.length < PAGE || first.totalCount <= PAGE) return first.data
    const offsets = Array.from({ length: Math.ceil(first.totalCount / PAGE) - 1 }, (_, i) => (i + 1) * PAGE)
    const rest = yield* Effect.forEach(offsets, (offset) => Effect.map(fetch({ offset, limit: PAGE }), (page) => page.data), { concurrency })
    return [...first.data, ...rest.flat()]
  })

/** Read the organisation (nothing is changed). */
export const read = (options: ReadOptions) =>
  Effect.gen(function*() {
    const workspaces = yield* Workspaces
    const organization = yield* Organization
    const guardrails = yield* Guardrails
    const concurrency = options.concurrency
    const [all, members] = yield* Effect.all([
      allPages((page) => workspaces.list(page), concurrency),
      allPages((page) => organization.listMembers(page), concurrency)
    ], { concurrency: 2 })
    const selected = all.filter(options.select)
    const needs = new Map(selected.map((w) => [w.id, options.needs(w)]))
    const wantsAssignments = [...needs.values()].some((n) => n.guardrails)
    const assignments = new Map<string, Array<string>>()
    const readAssignments = wantsAssignments
      ? Effect.map(allPages((page) => guardrails.listAllMemberAssignments(page), concurrency), (all) => {
        for (const a of all) {
          const list = assignments.get(a.guardrailId)
          if (list) list.push(a.userId)
          else assignments.set(a.guardrailId, [a.userId])
        }
      })
      : Effect.void
    let done = 0
    const readOne = (workspace: Workspace) =>
      Effect.gen(function*() {
        const need = needs.get(workspace.id)!
        const isDefault = workspace.slug === DEFAULT_SLUG
        const [memberIds, budgets, list] = yield* Effect.all([
          need.members && !isDefault
            ? Effect.map(
              allPages((page) => workspaces.listMembers({ id: workspace.id, ...page }), concurrency),
              (list): ReadonlySet<string> | undefined => new Set(list.map((m) => m.userId))
            )
            : Effect.succeed(undefined),
          need.budgets
            ? Effect.map(workspaces.listBudgets({ id: workspace.id }), (r) => new Map(r.data.map((b) => [b.interval, b.limitUsd])))
            : Effect.succeed(undefined),
          need.guardrails
            ? allPages((page) => guardrails.list({ workspaceId: workspace.id, ...page }), concurrency)
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
