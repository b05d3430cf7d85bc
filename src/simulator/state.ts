/**
 * The simulated organisation, in memory: members, workspaces (with a default one), budgets,
 * workspace members, and (in `keys` and `guardrails`) API keys and guardrails. Seeded and deterministic:
 * the same seed gives the same ids.
 */
import { type BudgetInterval, OrganizationMember, Workspace, WorkspaceBudget, WorkspaceMember } from "../Domain.ts"
import type { Directory } from "./access.ts"
import { GuardrailState } from "./guardrails-state.ts"
import { KeyState, type StoredKey } from "./keys-state.ts"
import { OrderedMap } from "./ordered-map.ts"
import { base62, hash, pick, prng, type Random, uuid } from "./random.ts"

export interface OrganizationOptions {
  /** Organization members. Default 200. */
  readonly members?: number
  /** Workspaces including the default one. Default 6. */
  readonly workspaces?: number
  /** Keys per page of `GET /keys` (the API takes no limit). Default 100. */
  readonly keyPageSize?: number
}

/** A simulated API key (the API's shape, with `active` and `userId` for the workspace rules). */
export type ApiKey = StoredKey

export interface Member extends OrganizationMember {}

const FIRST = ["Ada", "Alan", "Grace", "Linus", "Margaret", "Ken", "Barbara", "Dennis", "Radia", "Edsger", "Frances", "John"]
const LAST = ["Lovelace", "Turing", "Hopper", "Torvalds", "Hamilton", "Thompson", "Liskov", "Ritchie", "Perlman", "Dijkstra", "Allen", "McCarthy"]
const TEAMS = [
  "engineering",
  "research",
  "marketing",
  "sales",
  "support",
  "finance",
  "legal",
  "design",
  "data",
  "platform",
  "security",
  "growth",
  "ops",
  "mobile",
  "web",
  "ml"
]

const iso = (ms: number) => new Date(ms).toISOString()

/** A workspace's members by user id, in the listing's order (see {@link OrderedMap}). */
export class MemberMap extends OrderedMap<string, WorkspaceMember> {}

export class OrganizationState implements Directory {
  readonly members: Array<Member> = []
  readonly memberById = new Map<string, Member>()
  readonly scimManaged = new Set<string>()
  readonly workspaces = new Map<string, Workspace>()
  readonly budgets = new Map<string, Map<BudgetInterval, WorkspaceBudget>>()
  readonly workspaceMembers = new Map<string, MemberMap>()
  readonly defaultWorkspaceId: string
  readonly organizationId: string
  /** Who the management key acts as (`assigned_by`, the default creator). */
  readonly actor: string | null
  readonly keys: KeyState
  /** Guardrails with their member and key assignments. */
  readonly guardrails: GuardrailState
  readonly random: Random
  /** Cached JSON of `{ data: workspace }`, dropped on change (GET is the benchmark's hot path). */
  readonly workspaceJson = new Map<string, string>()

  constructor(seed: string, options: OrganizationOptions = {}) {
    const random = prng(hash(`org:${seed}`))
    this.random = random
    const epoch = Date.parse("2025-01-01T00:00:00Z")
    const memberCount = options.members ?? 200
    for (let i = 0; i < memberCount; i++) {
      const first = pick(random, FIRST)
      const last = pick(random, LAST)
      const named = random() > 0.05
      const member = new OrganizationMember({
        id: `user_${base62(random, 27)}`,
        firstName: named ? first : null,
        lastName: named ? last : null,
        email: `${first.toLowerCase()}.${last.toLowerCase()}.${i}@example.com`,
        role: i % 25 === 0 ? "org:admin" : "org:member"
      })
      this.members.push(member)
      this.memberById.set(member.id, member)
      if (i % 50 === 7) this.scimManaged.add(member.id)
    }
    const creator = this.members[0]?.id ?? null
    const workspaceCount = Math.max(1, options.workspaces ?? 6)
    let defaultId = ""
    for (let w = 0; w < workspaceCount; w++) {
      const slug = w === 0 ? "default" : w <= TEAMS.length ? TEAMS[w - 1]! : `team-${w}`
      const workspace = new Workspace({
        id: uuid(random),
        defaultGuardrailId: uuid(random),
        name: w === 0 ? "Default" : slug.charAt(0).toUpperCase() + slug.slice(1),
        slug,
        description: w === 0 ? "The organization's default workspace" : `The ${slug} team`,
        defaultTextModel: w % 2 === 0 ? "openai/gpt-4o" : null,
        defaultImageModel: null,
        defaultProviderSort: w % 3 === 0 ? "price" : null,
        isObservabilityIoLoggingEnabled: false,
        isObservabilityBroadcastEnabled: false,
        isDataDiscountLoggingEnabled: w % 2 === 1,
        ioLoggingSamplingRate: 1,
        ioLoggingApiKeyIds: null,
        includeByokInBudgets: false,
        createdAt: iso(epoch + w * 86_400_000),
        updatedAt: null,
        createdBy: creator
      })
      if (w === 0) defaultId = workspace.id
      this.workspaces.set(workspace.id, workspace)
      this.budgets.set(workspace.id, new Map())
      this.workspaceMembers.set(workspace.id, new MemberMap())
      if (w === 0) continue
      // a share of the organization in each team workspace
      const share = 0.1 + random() * 0.2
      for (const member of this.members) {
        if (random() < share) this.addMember(workspace.id, member.id, iso(epoch + w * 86_400_000))
      }
      if (w % 2 === 1) {
        this.setBudget(workspace.id, "monthly", 1000)
        this.setBudget(workspace.id, "weekly", 300)
      }
    }
    this.defaultWorkspaceId = defaultId
    // keys and guardrails draw from a generator of their own, so adding them changed no other id
    const accessRandom = prng(hash(`access:${seed}`))
    this.organizationId = `org_${base62(accessRandom, 24)}`
    this.actor = this.members[0]?.id ?? null
    this.keys = new KeyState(this, accessRandom, options.keyPageSize)
    this.guardrails = new GuardrailState(this, this.keys, accessRandom)
    // workspace by workspace: its keys, then its guardrails (which take some of those keys)
    let index = 0
    for (const workspaceId of this.workspaces.keys()) {
      this.keys.seed(workspaceId, index, epoch)
      this.guardrails.seed(workspaceId, index, epoch)
      index++
    }
  }

  /** Every API key. */
  get apiKeys(): ReadonlyArray<ApiKey> {
    return this.keys.all()
  }

  /** A workspace by id or slug. */
  find(idOrSlug: string): Workspace | undefined {
    const byId = this.workspaces.get(idOrSlug)
    if (byId) return byId
    for (const workspace of this.workspaces.values()) if (workspace.slug === idOrSlug) return workspace
    return undefined
  }

  put(workspace: Workspace) {
    this.workspaces.set(workspace.id, workspace)
    this.workspaceJson.delete(workspace.id)
  }

  remove(workspaceId: string) {
    this.workspaces.delete(workspaceId)
    this.workspaceJson.delete(workspaceId)
    this.budgets.delete(workspaceId)
    this.workspaceMembers.delete(workspaceId)
    this.keys.dropWorkspace(workspaceId)
    this.guardrails.dropWorkspace(workspaceId)
  }

  addMember(workspaceId: string, userId: string, createdAt = new Date().toISOString()) {
    const member = new WorkspaceMember({
      id: uuid(this.random),
      workspaceId,
      userId,
      role: this.memberById.get(userId)?.role === "org:admin" ? "admin" : "member",
      createdAt
    })
    this.workspaceMembers.get(workspaceId)!.set(userId, member)
    return member
  }

  /**
   * One page of a workspace's members and their total, costing the page's size: the default
   * workspace's implicit members are built only for the page, the others read the ordered cache.
   */
  memberPage(workspaceId: string, offset: number, limit: number): { data: Array<WorkspaceMember>; totalCount: number } {
    if (workspaceId === this.defaultWorkspaceId) {
      return {
        data: this.members.slice(offset, offset + limit).map((member) => this.implicitMember(workspaceId, member)),
        totalCount: this.members.length
      }
    }
    const all = this.workspaceMembers.get(workspaceId)?.inOrder() ?? []
    return { data: all.slice(offset, offset + limit), totalCount: all.length }
  }

  private implicitMember(workspaceId: string, member: Member) {
    return new WorkspaceMember({
      id: `${workspaceId.slice(0, 8)}-${member.id}`,
      workspaceId,
      userId: member.id,
      role: member.role === "org:admin" ? "admin" : "member",
      createdAt: "2025-01-01T00:00:00.000Z"
    }, true) // built from members already checked: no validation on every page
  }

  /** Members of a workspace; the default workspace has every organization member implicitly. */
  membersOf(workspaceId: string): ReadonlyArray<WorkspaceMember> {
    if (workspaceId === this.defaultWorkspaceId) return this.members.map((member) => this.implicitMember(workspaceId, member))
    return this.workspaceMembers.get(workspaceId)?.inOrder() ?? []
  }

  setBudget(workspaceId: string, interval: BudgetInterval, limitUsd: number) {
    const existing = this.budgets.get(workspaceId)!.get(interval)
    const now = new Date().toISOString()
    const budget = new WorkspaceBudget({
      id: existing?.id ?? uuid(this.random),
      workspaceId,
      limitUsd,
      resetInterval: interval === "lifetime" ? null : interval,
      createdAt: existing?.createdAt ?? now,
      updatedAt: now
    })
    this.budgets.get(workspaceId)!.set(interval, budget)
    return budget
  }

  /** Active (not disabled) keys keep a workspace from being deleted. */
  hasActiveKeys(workspaceId: string) {
    return this.keys.hasActiveKeys(workspaceId)
  }

  /** A member who created an active key in the workspace cannot be removed from it. */
  holdsActiveKey(workspaceId: string, userId: string) {
    return this.keys.holdsActiveKey(workspaceId, userId)
  }
}

/** Budgets must strictly decrease as the interval narrows. */
export const BUDGET_ORDER: ReadonlyArray<BudgetInterval> = ["daily", "weekly", "monthly", "lifetime"]

/** The first pair of intervals that would break lifetime > monthly > weekly > daily, if any. */
export const budgetViolation = (
  budgets: ReadonlyMap<BudgetInterval, { readonly limitUsd: number }>,
  interval: BudgetInterval,
  limitUsd: number
): string | undefined => {
  const rank = BUDGET_ORDER.indexOf(interval)
  for (const [other, budget] of budgets) {
    if (other === interval) continue
    const otherRank = BUDGET_ORDER.indexOf(other)
    if (otherRank > rank && !(budget.limitUsd > limitUsd)) {
      return `the ${interval} budget (${limitUsd} USD) must be lower than the ${other} budget (${budget.limitUsd} USD)`
    }
    if (otherRank < rank && !(budget.limitUsd < limitUsd)) {
      return `the ${interval} budget (${limitUsd} USD) must be higher than the ${other} budget (${budget.limitUsd} USD)`
    }
  }
  return undefined
}
