/**
 * The simulated organisation's access: API keys per workspace and guardrails with their member and key
 * assignments, with the API's rules. Seeded from its own generator, so adding it changed no other id.
 *
 * Rules (from the contract and the issue): a key is active unless disabled (an expired key still counts:
 * the API checks `disabled`); a guardrail belongs to a workspace; users who are not members of a
 * non-default workspace cannot be assigned to its guardrails; a key holds at most one guardrail and a
 * member at most one direct guardrail per workspace, and assigning replaces the previous one; a
 * workspace's default guardrail answers 404 until an update materialises it, and its name cannot change.
 */
import { Redacted } from "effect"
import { createHash } from "node:crypto"
import {
  ContentFilter,
  ContentFilterBuiltin,
  type CreateGuardrailRequest,
  Guardrail,
  KeyAssignment,
  MemberAssignment,
  type UpdateGuardrailRequest
} from "../GuardrailsDomain.ts"
import { ApiKey, type CreateKeyRequest, CurrentKey, type UpdateKeyRequest } from "../KeysDomain.ts"
import { limitRemainingOf } from "./activity-state.ts"
import { base62, hash as hash32, pick, prng, type Random, uuid } from "./random.ts"
import type { OrganizationState } from "./state.ts"

/** A key as the simulator keeps it: the API's shape, plus the names older tests use. */
export class StoredKey extends ApiKey {
  /** Active = not disabled; only active keys block removing their creator from the workspace. */
  get active(): boolean {
    return !this.disabled
  }
  /** The creator ("" when the key has none). */
  get userId(): string {
    return this.creatorUserId ?? ""
  }
}

/** The API refusing a request: answered as `{ error: { code: status, message } }`. */
export class Refusal<S extends 400 | 404 = 400 | 404> {
  constructor(readonly status: S, readonly message: string) {}
}

const badRequest = (message: string) => new Refusal(400 as const, message)
const notFound = (message: string) => new Refusal(404 as const, message)

/** A result, or the API's refusal with one of the statuses the operation documents. */
export type Outcome<A, S extends 400 | 404 = 400 | 404> = A | Refusal<S>

const KEY_NAMES = ["ci", "prod", "staging", "notebook", "batch-jobs", "eval", "agent", "dev", "backfill", "demo"]
const RESETS = ["daily", "weekly", "monthly", null] as const
const LIMITS = [null, null, 25, 50, 100, 500] as const
const DAY = 86_400_000

const iso = (ms: number) => new Date(ms).toISOString()
const hex = (random: Random, length: number) => Array.from({ length }, () => Math.floor(random() * 16).toString(16)).join("")
const round2 = (n: number) => Math.round(n * 100) / 100

/** A new plaintext key, its hash (how the API addresses it) and its label (the masked key). */
const secretOf = (random: Random) => {
  const body = hex(random, 64)
  const key = `sk-or-v1-${body}`
  return { key, hash: createHash("sha256").update(key).digest("hex"), label: `sk-or-v1-${body.slice(0, 3)}...${body.slice(-4)}` }
}

const unique = (ids: ReadonlyArray<string>) => [...new Set(ids)]

const ZDR_FIELDS = ["enforceZdrAnthropic", "enforceZdrGoogle", "enforceZdrOpenai", "enforceZdrXai", "enforceZdrOther"] as const

/**
 * A request's settings as the guardrail stores them: filters get their system-assigned labels, and the
 * deprecated `enforceZdr` fills each per-provider field the request leaves out.
 */
const storedSettings = (request: UpdateGuardrailRequest | CreateGuardrailRequest): Partial<Guardrail> => {
  const { contentFilterBuiltins, contentFilters, ...rest } = request as UpdateGuardrailRequest
  const settings: Record<string, unknown> = { ...rest }
  if (request.enforceZdr !== undefined) {
    for (const field of ZDR_FIELDS) if (request[field] === undefined) settings[field] = request.enforceZdr
  }
  if (contentFilterBuiltins !== undefined) {
    settings.contentFilterBuiltins = contentFilterBuiltins?.map((entry) =>
      new ContentFilterBuiltin({ ...entry, label: `[${entry.slug.toUpperCase().replace(/-/g, "_")}]` }, true)
    ) ?? null
  }
  if (contentFilters !== undefined) {
    settings.contentFilters = contentFilters?.map((entry) => new ContentFilter(entry, true)) ?? null
  }
  return settings as Partial<Guardrail>
}

export class AccessState {
  /** Keys by workspace, then by hash (insertion order is the listing order). */
  readonly keysByWorkspace = new Map<string, Map<string, StoredKey>>()
  readonly keyByHash = new Map<string, StoredKey>()
  readonly guardrails = new Map<string, Guardrail>()
  /** Member assignments by guardrail, then by user. */
  readonly memberAssignments = new Map<string, Map<string, MemberAssignment>>()
  /** Key assignments by key hash: a key holds at most one guardrail. */
  readonly keyAssignments = new Map<string, KeyAssignment>()
  /** The simulator's own keys (`GET /key` answers for the one in use). */
  readonly callers = new Map<string, "management" | "inference">()
  readonly organizationId: string
  /** Who the management key acts as (`assigned_by`, the default creator). */
  readonly actor: string | null
  private readonly random: Random

  constructor(private readonly org: OrganizationState, seed: string, readonly keyPageSize = 100) {
    const random = prng(hash32(`access:${seed}`))
    this.random = random
    this.organizationId = `org_${base62(random, 24)}`
    this.actor = org.members[0]?.id ?? null
    this.seed(Date.parse("2025-01-01T00:00:00Z"))
  }

  // --- seeding ---------------------------------------------------------------------------------------

  private seed(epoch: number) {
    const random = this.random
    let index = 0
    for (const workspace of this.org.workspaces.values()) {
      const isDefault = workspace.id === this.org.defaultWorkspaceId
      const holders = isDefault
        ? this.org.members.filter(() => random() < 0.1).map((m) => m.id)
        : this.org.membersOf(workspace.id).map((m) => m.userId)
      holders.forEach((userId, i) => {
        const roll = random()
        const count = isDefault || roll < 0.8 ? (roll < 0.3 ? 2 : 1) : 0
        for (let k = 0; k < count; k++) {
          // odd team workspaces: their first member surely holds an active key (the removal rule has a case)
          const mustBeActive = !isDefault && index % 2 === 1 && i === 0 && k === 0
          this.seedKey(workspace.id, userId, epoch, mustBeActive)
        }
      })
      // a key whose creator has left the organisation
      if (!isDefault && random() < 0.5) this.seedKey(workspace.id, `user_${base62(random, 27)}`, epoch, false)
      this.seedGuardrails(workspace.id, workspace.name, isDefault, index, epoch)
      index++
    }
  }

  private seedKey(workspaceId: string, creator: string, epoch: number, mustBeActive: boolean) {
    const random = this.random
    const { hash, label } = secretOf(random)
    const createdAt = epoch + Math.floor(random() * 120) * DAY
    const expiry = random()
    const limit = pick(random, LIMITS)
    const usage = round2(random() * (limit ?? 80) * 1.1)
    const byok = round2(random() < 0.2 ? random() * 20 : 0)
    this.putKey(
      new StoredKey({
        hash,
        name: pick(random, KEY_NAMES),
        label,
        disabled: !mustBeActive && random() < 0.12,
        workspaceId,
        createdAt: iso(createdAt),
        updatedAt: random() < 0.5 ? null : iso(createdAt + DAY),
        limit,
        limitRemaining: limit === null ? null : round2(Math.max(0, limit - usage)),
        limitReset: limit === null ? null : pick(random, RESETS),
        includeByokInLimit: random() < 0.2,
        creatorUserId: creator,
        // ~10% expired (a date in early 2025), ~45% never expire, the rest in 2027
        expiresAt: expiry < 0.1 && !mustBeActive
          ? iso(epoch + (30 + Math.floor(random() * 60)) * DAY)
          : expiry < 0.55
          ? null
          : iso(Date.parse("2027-01-01T00:00:00Z") + Math.floor(random() * 365) * DAY),
        usage,
        usageDaily: round2(usage * 0.05),
        usageWeekly: round2(usage * 0.2),
        usageMonthly: round2(usage * 0.6),
        byokUsage: byok,
        byokUsageDaily: 0,
        byokUsageWeekly: round2(byok * 0.2),
        byokUsageMonthly: round2(byok * 0.6)
      }, true)
    )
  }

  private seedGuardrails(workspaceId: string, workspaceName: string, isDefault: boolean, index: number, epoch: number) {
    const random = this.random
    const at = iso(epoch + index * DAY)
    const names = isDefault ? ["Organization baseline"] : [`${workspaceName} standard`, `${workspaceName} strict`]
    const made = names.slice(0, isDefault ? 1 : 1 + Math.floor(random() * 2)).map((name, i) =>
      this.putGuardrail(this.newGuardrail({ name, workspaceId }, {
        id: uuid(random),
        createdAt: at,
        limitUsd: i === 0 ? 500 : 100,
        resetInterval: "monthly",
        allowedProviders: i === 0 ? null : ["openai", "anthropic"],
        enforceZdrAnthropic: i > 0,
        enforceZdrOpenai: i > 0
      }))
    )
    // some members directly assigned (at most one per workspace), some keys
    if (!isDefault) {
      for (const member of this.org.membersOf(workspaceId)) {
        if (random() < 0.3) this.assignMember(pick(random, made), member.userId, at)
      }
    }
    for (const key of this.keysIn(workspaceId).values()) {
      if (random() < 0.2) this.assignKey(pick(random, made), key, at)
    }
    // every other team workspace has configured its default guardrail
    if (!isDefault && index % 2 === 0) {
      const workspace = this.org.workspaces.get(workspaceId)!
      this.putGuardrail(this.newGuardrail({ name: this.defaultGuardrailName(workspaceName), workspaceId }, {
        id: workspace.defaultGuardrailId,
        createdAt: at,
        limitUsd: 1000,
        resetInterval: "monthly"
      }))
    }
  }

  // --- keys --------------------------------------------------------------------------------------------

  private putKey(key: StoredKey) {
    this.keysIn(key.workspaceId).set(key.hash, key)
    this.keyByHash.set(key.hash, key)
    // an assignment shows the key's current name and label
    const assignment = this.keyAssignments.get(key.hash)
    if (assignment) {
      this.keyAssignments.set(key.hash, new KeyAssignment({ ...assignment, keyName: key.name, keyLabel: key.label }, true))
    }
    return key
  }

  /** A workspace's keys (a workspace created after seeding starts with none). */
  private keysIn(workspaceId: string) {
    let keys = this.keysByWorkspace.get(workspaceId)
    if (!keys) {
      keys = new Map()
      this.keysByWorkspace.set(workspaceId, keys)
    }
    return keys
  }

  /** Every key, for tests and the workspace rules. */
  allKeys(): ReadonlyArray<StoredKey> {
    return [...this.keyByHash.values()]
  }

  hasActiveKeys(workspaceId: string): boolean {
    for (const key of this.keysByWorkspace.get(workspaceId)?.values() ?? []) if (key.active) return true
    return false
  }

  holdsActiveKey(workspaceId: string, userId: string): boolean {
    for (const key of this.keysByWorkspace.get(workspaceId)?.values() ?? []) {
      if (key.active && key.creatorUserId === userId) return true
    }
    return false
  }

  /** The workspace a request names (a UUID), or the default one when it names none. */
  private workspaceOf(workspaceId: string | undefined): Outcome<string, 400> {
    if (workspaceId === undefined) return this.org.defaultWorkspaceId
    return this.org.workspaces.has(workspaceId) ? workspaceId : badRequest(`Workspace ${workspaceId} not found`)
  }

  /** One page of a workspace's keys (the API has no `limit`: pages of a fixed size until an empty one). */
  listKeys(query: { workspaceId?: string; includeDisabled?: boolean; offset?: number }): Outcome<ReadonlyArray<StoredKey>, 400> {
    const workspaceId = this.workspaceOf(query.workspaceId)
    if (workspaceId instanceof Refusal) return workspaceId
    const keys = [...this.keysIn(workspaceId).values()]
    const shown = query.includeDisabled ? keys : keys.filter((key) => !key.disabled)
    const offset = query.offset ?? 0
    return shown.slice(offset, offset + this.keyPageSize)
  }

  getKey(hash: string): Outcome<StoredKey, 404> {
    return this.keyByHash.get(hash) ?? notFound("API key not found")
  }

  /** Create a key; the plaintext secret is returned this once and never stored. */
  createKey(request: CreateKeyRequest, now = Date.now()): Outcome<{ key: StoredKey; secret: string }, 400> {
    const workspaceId = this.workspaceOf(request.workspaceId)
    if (workspaceId instanceof Refusal) return workspaceId
    const creator = request.creatorUserId ?? null
    if (creator !== null) {
      if (!this.org.memberById.has(creator)) return badRequest(`User ${creator} is not a member of this organization`)
      if (workspaceId !== this.org.defaultWorkspaceId && !this.org.workspaceMembers.get(workspaceId)!.has(creator)) {
        return badRequest(`User ${creator} is not a member of workspace ${workspaceId}`)
      }
    }
    if (request.expiresAt != null && Date.parse(request.expiresAt) <= now) {
      return badRequest("expires_at must be in the future")
    }
    const generated = secretOf(this.random)
    // an external user's own secret becomes the key: addressed by its SHA-256 like any other
    const own = request.external?.apiKey === undefined ? undefined : Redacted.value(request.external.apiKey)
    const { hash, key, label } = own === undefined ? generated : {
      key: own,
      hash: createHash("sha256").update(own).digest("hex"),
      label: `${own.slice(0, 3)}...${own.slice(-4)}`
    }
    const limit = request.limit ?? null
    const stored = this.putKey(
      new StoredKey({
        hash,
        name: request.name,
        label,
        disabled: false,
        workspaceId,
        createdAt: iso(now),
        updatedAt: null,
        limit,
        limitRemaining: limit,
        limitReset: request.limitReset ?? null,
        includeByokInLimit: request.includeByokInLimit ?? false,
        creatorUserId: creator,
        expiresAt: request.expiresAt ?? null,
        externalUser: request.external?.user ?? null,
        usage: 0,
        usageDaily: 0,
        usageWeekly: 0,
        usageMonthly: 0,
        byokUsage: 0,
        byokUsageDaily: 0,
        byokUsageWeekly: 0,
        byokUsageMonthly: 0
      }, true)
    )
    return { key: stored, secret: key }
  }

  updateKey(hash: string, changes: UpdateKeyRequest, now = Date.now()): Outcome<StoredKey> {
    const key = this.keyByHash.get(hash)
    if (!key) return notFound("API key not found")
    const next = { ...key, ...changes }
    // what is left is measured over the limit's reset period (D: activity-state)
    return this.putKey(new StoredKey({ ...next, limitRemaining: limitRemainingOf(next), updatedAt: iso(now) }, true))
  }

  deleteKey(hash: string): Outcome<true, 404> {
    const key = this.keyByHash.get(hash)
    if (!key) return notFound("API key not found")
    this.keyByHash.delete(hash)
    this.keysByWorkspace.get(key.workspaceId)?.delete(hash)
    this.keyAssignments.delete(hash)
    return true
  }

  /** `GET /key`: what the calling key is. */
  currentKey(kind: "management" | "inference"): CurrentKey {
    const management = kind === "management"
    return new CurrentKey({
      isManagementKey: management,
      isProvisioningKey: management,
      isFreeTier: false,
      rateLimit: { requests: -1, interval: "10s", note: "This field is deprecated and safe to ignore." },
      allowedDataRegions: ["global", "europe", "us"],
      freeModelDailyRequests: management ? { limit: 0, remaining: 0, used: 0 } : { limit: 1000, remaining: 988, used: 12 },
      organizationId: this.organizationId,
      workspaceId: this.org.defaultWorkspaceId,
      label: management ? "sk-or-v1-mgm...0001" : "sk-or-v1-inf...0002",
      limit: management ? null : 100,
      limitRemaining: management ? null : 74.5,
      limitReset: management ? null : "monthly",
      includeByokInLimit: false,
      creatorUserId: this.actor,
      expiresAt: null,
      usage: management ? 0 : 25.5,
      usageDaily: management ? 0 : 1.5,
      usageWeekly: management ? 0 : 6,
      usageMonthly: management ? 0 : 25.5,
      byokUsage: 0,
      byokUsageDaily: 0,
      byokUsageWeekly: 0,
      byokUsageMonthly: 0
    }, true)
  }

  // --- guardrails ------------------------------------------------------------------------------------

  private defaultGuardrailName(workspaceName: string) {
    return `${workspaceName} (workspace default)`
  }

  private newGuardrail(
    placed: { readonly name: string; readonly workspaceId: string },
    extra: Partial<Guardrail> & { readonly id: string; readonly createdAt: string }
  ) {
    return new Guardrail(
      {
        description: null,
        limitUsd: null,
        resetInterval: null,
        includeByokInBudgets: false,
        allowedModels: null,
        allowedProviders: null,
        ignoredModels: null,
        ignoredProviders: null,
        contentFilterBuiltins: null,
        contentFilters: null,
        ...placed,
        ...extra,
        updatedAt: extra.updatedAt ?? null
      } as ConstructorParameters<typeof Guardrail>[0],
      true
    )
  }

  private putGuardrail(guardrail: Guardrail) {
    this.guardrails.set(guardrail.id, guardrail)
    if (!this.memberAssignments.has(guardrail.id)) this.memberAssignments.set(guardrail.id, new Map())
    return guardrail
  }

  /** A workspace whose default guardrail has this id and is not configured yet. */
  private unconfiguredDefault(id: string) {
    if (this.guardrails.has(id)) return undefined
    for (const workspace of this.org.workspaces.values()) if (workspace.defaultGuardrailId === id) return workspace
    return undefined
  }

  private isDefaultGuardrail(guardrail: Guardrail) {
    const workspace = guardrail.workspaceId === null ? undefined : this.org.workspaces.get(guardrail.workspaceId)
    return workspace?.defaultGuardrailId === guardrail.id
  }

  listGuardrails(workspaceId: string | undefined): Outcome<ReadonlyArray<Guardrail>, 400> {
    const id = this.workspaceOf(workspaceId)
    if (id instanceof Refusal) return id
    return [...this.guardrails.values()].filter((guardrail) => guardrail.workspaceId === id)
  }

  getGuardrail(id: string): Outcome<Guardrail, 404> {
    return this.guardrails.get(id) ??
      notFound(this.unconfiguredDefault(id) ? "The workspace default guardrail has not been configured yet" : "Guardrail not found")
  }

  createGuardrail(request: CreateGuardrailRequest, now = Date.now()): Outcome<Guardrail, 400> {
    const workspaceId = this.workspaceOf(request.workspaceId)
    if (workspaceId instanceof Refusal) return workspaceId
    return this.putGuardrail(
      this.newGuardrail({ name: request.name, workspaceId }, { ...storedSettings(request), id: uuid(this.random), createdAt: iso(now) })
    )
  }

  /** Update a guardrail, or materialise an unconfigured workspace default guardrail. */
  updateGuardrail(id: string, changes: UpdateGuardrailRequest, now = Date.now()): Outcome<Guardrail> {
    const existing = this.guardrails.get(id)
    const workspace = existing ? undefined : this.unconfiguredDefault(id)
    if (!existing && !workspace) return notFound("Guardrail not found")
    const isDefault = existing ? this.isDefaultGuardrail(existing) : true
    if (isDefault && changes.name !== undefined && changes.name !== existing?.name) {
      return badRequest("A workspace default guardrail's name is derived from its workspace and cannot be changed")
    }
    const base = existing ??
      this.newGuardrail(
        { name: this.defaultGuardrailName(workspace!.name), workspaceId: workspace!.id },
        { id, createdAt: iso(now) }
      )
    return this.putGuardrail(new Guardrail({ ...base, ...storedSettings(changes), updatedAt: iso(now) }, true))
  }

  deleteGuardrail(id: string): Outcome<true, 404> {
    if (!this.guardrails.delete(id)) return notFound("Guardrail not found")
    this.memberAssignments.delete(id)
    for (const [hash, assignment] of this.keyAssignments) if (assignment.guardrailId === id) this.keyAssignments.delete(hash)
    return true
  }

  // --- assignments -----------------------------------------------------------------------------------

  private assignMember(guardrail: Guardrail, userId: string, createdAt: string) {
    // a member holds at most one direct guardrail per workspace: assigning replaces it
    for (const other of this.guardrails.values()) {
      if (other.id !== guardrail.id && other.workspaceId === guardrail.workspaceId) {
        this.memberAssignments.get(other.id)?.delete(userId)
      }
    }
    this.memberAssignments.get(guardrail.id)!.set(
      userId,
      new MemberAssignment({
        id: uuid(this.random),
        userId,
        organizationId: this.organizationId,
        guardrailId: guardrail.id,
        assignedBy: this.actor,
        createdAt
      }, true)
    )
  }

  private assignKey(guardrail: Guardrail, key: StoredKey, createdAt: string) {
    this.keyAssignments.set(
      key.hash,
      new KeyAssignment({
        id: uuid(this.random),
        keyHash: key.hash,
        keyName: key.name,
        keyLabel: key.label,
        guardrailId: guardrail.id,
        assignedBy: this.actor,
        createdAt
      }, true)
    )
  }

  memberAssignmentsOf(id: string): Outcome<ReadonlyArray<MemberAssignment>, 404> {
    const assignments = this.memberAssignments.get(id)
    return assignments ? [...assignments.values()] : notFound("Guardrail not found")
  }

  keyAssignmentsOf(id: string): Outcome<ReadonlyArray<KeyAssignment>, 404> {
    if (!this.guardrails.has(id)) return notFound("Guardrail not found")
    return [...this.keyAssignments.values()].filter((assignment) => assignment.guardrailId === id)
  }

  allMemberAssignments(): ReadonlyArray<MemberAssignment> {
    return [...this.memberAssignments.values()].flatMap((byUser) => [...byUser.values()])
  }

  allKeyAssignments(): ReadonlyArray<KeyAssignment> {
    return [...this.keyAssignments.values()]
  }

  /** Assign members; those already assigned to this guardrail are not counted again. */
  assignMembers(id: string, userIds: ReadonlyArray<string>, now = Date.now()): Outcome<number> {
    const guardrail = this.guardrails.get(id)
    if (!guardrail) return notFound("Guardrail not found")
    const ids = unique(userIds)
    const strangers = ids.filter((userId) => !this.org.memberById.has(userId))
    if (strangers.length > 0) return badRequest(`Users are not members of this organization: ${strangers.join(", ")}`)
    const workspaceId = guardrail.workspaceId
    if (workspaceId !== null && workspaceId !== this.org.defaultWorkspaceId) {
      const members = this.org.workspaceMembers.get(workspaceId)
      const outside = ids.filter((userId) => !members?.has(userId))
      if (outside.length > 0) {
        return badRequest(`Users are not members of the guardrail's workspace: ${outside.join(", ")}`)
      }
    }
    const assigned = this.memberAssignments.get(id)!
    const fresh = ids.filter((userId) => !assigned.has(userId))
    for (const userId of fresh) this.assignMember(guardrail, userId, iso(now))
    return fresh.length
  }

  /** Unassign members; ids not assigned to this guardrail are ignored (and not counted). */
  unassignMembers(id: string, userIds: ReadonlyArray<string>): Outcome<number, 404> {
    const assigned = this.memberAssignments.get(id)
    if (!assigned) return notFound("Guardrail not found")
    return unique(userIds).filter((userId) => assigned.delete(userId)).length
  }

  /** Assign keys of the guardrail's workspace; a key's previous guardrail is replaced. */
  assignKeys(id: string, hashes: ReadonlyArray<string>, now = Date.now()): Outcome<number> {
    const guardrail = this.guardrails.get(id)
    if (!guardrail) return notFound("Guardrail not found")
    const keys = unique(hashes).map((hash) => [hash, this.keyByHash.get(hash)] as const)
    const unknown = keys.filter(([, key]) => !key).map(([hash]) => hash)
    if (unknown.length > 0) return badRequest(`API keys not found: ${unknown.join(", ")}`)
    const elsewhere = keys.filter(([, key]) => guardrail.workspaceId !== null && key!.workspaceId !== guardrail.workspaceId)
    if (elsewhere.length > 0) {
      return badRequest(`API keys are not in the guardrail's workspace: ${elsewhere.map(([hash]) => hash).join(", ")}`)
    }
    const fresh = keys.filter(([hash]) => this.keyAssignments.get(hash)?.guardrailId !== id)
    for (const [, key] of fresh) this.assignKey(guardrail, key!, iso(now))
    return fresh.length
  }

  unassignKeys(id: string, hashes: ReadonlyArray<string>): Outcome<number, 404> {
    if (!this.guardrails.has(id)) return notFound("Guardrail not found")
    return unique(hashes).filter((hash) => this.keyAssignments.get(hash)?.guardrailId === id && this.keyAssignments.delete(hash)).length
  }

  /** A deleted workspace takes its keys and guardrails (and their assignments) with it. */
  dropWorkspace(workspaceId: string) {
    for (const hash of [...this.keysIn(workspaceId).keys()]) this.deleteKey(hash)
    this.keysByWorkspace.delete(workspaceId)
    for (const guardrail of [...this.guardrails.values()]) {
      if (guardrail.workspaceId === workspaceId) this.deleteGuardrail(guardrail.id)
    }
  }
}
