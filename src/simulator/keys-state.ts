/**
 * The simulated organisation's API keys, per workspace, with the API's rules: a key is active unless
 * disabled (an expired key still counts: the API checks `disabled`); its creator must belong to the
 * organisation and, outside the default workspace, to the key's workspace; the plaintext secret is
 * returned once, at creation, and never stored.
 */
import { Redacted } from "effect"
import { createHash } from "node:crypto"
import { ApiKey, type CreateKeyRequest, CurrentKey, type UpdateKeyRequest } from "../KeysDomain.ts"
import { badRequest, DAY, type Directory, iso, notFound, type Outcome, Refusal, workspaceOf } from "./access.ts"
import { OrderedMap } from "./ordered-map.ts"
import { base62, pick, type Random } from "./random.ts"

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

/** Told of every stored or deleted key (the guardrails' key assignments follow their keys). */
export interface KeyWatcher {
  keyStored(key: StoredKey): void
  keyDeleted(hash: string): void
}

/** The figures a key's limit is measured against. */
interface LimitFigures {
  readonly limit: number | null
  readonly limitReset: string | null
  readonly includeByokInLimit: boolean
  readonly usage: number
  readonly usageDaily: number
  readonly usageWeekly: number
  readonly usageMonthly: number
  readonly byokUsage: number
  readonly byokUsageDaily: number
  readonly byokUsageWeekly: number
  readonly byokUsageMonthly: number
}

/** What is left of a key's limit: the limit less the usage of its reset period (BYOK too when it counts). */
export const limitRemainingOf = (key: LimitFigures): number | null => {
  if (key.limit === null) return null
  const [credits, byok] = key.limitReset === "daily"
    ? [key.usageDaily, key.byokUsageDaily]
    : key.limitReset === "weekly"
    ? [key.usageWeekly, key.byokUsageWeekly]
    : key.limitReset === "monthly"
    ? [key.usageMonthly, key.byokUsageMonthly]
    : [key.usage, key.byokUsage]
  const used = credits + (key.includeByokInLimit ? byok : 0)
  return Math.max(0, Math.round((key.limit - used) * 1_000_000) / 1_000_000)
}

const KEY_NAMES = ["ci", "prod", "staging", "notebook", "batch-jobs", "eval", "agent", "dev", "backfill", "demo"]
const RESETS = ["daily", "weekly", "monthly", null] as const
const LIMITS = [null, null, 25, 50, 100, 500] as const

const hex = (random: Random, length: number) => Array.from({ length }, () => Math.floor(random() * 16).toString(16)).join("")
const round2 = (n: number) => Math.round(n * 100) / 100

/** A new plaintext key, its hash (how the API addresses it) and its label (the masked key). */
const secretOf = (random: Random) => {
  const body = hex(random, 64)
  const key = `sk-or-v1-${body}`
  return { key, hash: createHash("sha256").update(key).digest("hex"), label: `sk-or-v1-${body.slice(0, 3)}...${body.slice(-4)}` }
}

/** A workspace's keys by hash, in the listing's order, and the active ones among them (built once per change). */
class KeyMap extends OrderedMap<string, StoredKey> {
  private activeOf: ReadonlyArray<StoredKey> | undefined
  private activeOnes: ReadonlyArray<StoredKey> = []
  active(): ReadonlyArray<StoredKey> {
    const all = this.inOrder()
    if (this.activeOf !== all) {
      this.activeOf = all
      this.activeOnes = all.filter((key) => key.active)
    }
    return this.activeOnes
  }
}

export class KeyState {
  /** Keys by workspace, then by hash (insertion order is the listing order). */
  readonly byWorkspace = new Map<string, KeyMap>()
  readonly byHash = new Map<string, StoredKey>()
  /**
   * Active keys by workspace, then by creator (null: none), counted: the removal and deletion rules ask
   * this on every request, so they cost a look-up, not a scan of the workspace's keys.
   */
  private readonly activeByCreator = new Map<string, Map<string | null, number>>()
  /** The simulator's own keys (`GET /key` answers for the one in use). */
  readonly callers = new Map<string, "management" | "inference">()
  private readonly watchers: Array<KeyWatcher> = []

  constructor(private readonly org: Directory, private readonly random: Random, readonly keyPageSize = 100) {}

  watch(watcher: KeyWatcher) {
    this.watchers.push(watcher)
  }

  // --- seeding ---------------------------------------------------------------------------------------

  /**
   * Most team members hold a key or two (the first member of odd team workspaces, by `index`, an active
   * one: those workspaces cannot be deleted and those members cannot be removed until the keys are off).
   */
  seed(workspaceId: string, index: number, epoch: number) {
    const random = this.random
    const isDefault = workspaceId === this.org.defaultWorkspaceId
    const holders = isDefault
      ? this.org.members.filter(() => random() < 0.1).map((m) => m.id)
      : this.org.membersOf(workspaceId).map((m) => m.userId)
    holders.forEach((userId, i) => {
      const roll = random()
      const count = isDefault || roll < 0.8 ? (roll < 0.3 ? 2 : 1) : 0
      for (let k = 0; k < count; k++) {
        // odd team workspaces: their first member surely holds an active key (the removal rule has a case)
        const mustBeActive = !isDefault && index % 2 === 1 && i === 0 && k === 0
        this.seedKey(workspaceId, userId, epoch, mustBeActive)
      }
    })
    // a key whose creator has left the organisation
    if (!isDefault && random() < 0.5) this.seedKey(workspaceId, `user_${base62(random, 27)}`, epoch, false)
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

  // --- keys --------------------------------------------------------------------------------------------

  private putKey(key: StoredKey) {
    const previous = this.byHash.get(key.hash)
    if (previous?.active) this.countActive(previous, -1)
    if (key.active) this.countActive(key, 1)
    this.keysIn(key.workspaceId).set(key.hash, key)
    this.byHash.set(key.hash, key)
    for (const watcher of this.watchers) watcher.keyStored(key)
    return key
  }

  private countActive(key: StoredKey, by: 1 | -1) {
    let counts = this.activeByCreator.get(key.workspaceId)
    if (!counts) {
      counts = new Map()
      this.activeByCreator.set(key.workspaceId, counts)
    }
    const count = (counts.get(key.creatorUserId) ?? 0) + by
    if (count > 0) counts.set(key.creatorUserId, count)
    else counts.delete(key.creatorUserId)
  }

  /** A workspace's keys (a workspace created after seeding starts with none). */
  private keysIn(workspaceId: string) {
    let keys = this.byWorkspace.get(workspaceId)
    if (!keys) {
      keys = new KeyMap()
      this.byWorkspace.set(workspaceId, keys)
    }
    return keys
  }

  /** A workspace's keys, in listing order. */
  inWorkspace(workspaceId: string): Iterable<StoredKey> {
    return this.byWorkspace.get(workspaceId)?.values() ?? []
  }

  /** Every key, for tests and the workspace rules. */
  all(): ReadonlyArray<StoredKey> {
    return [...this.byHash.values()]
  }

  hasActiveKeys(workspaceId: string): boolean {
    return (this.activeByCreator.get(workspaceId)?.size ?? 0) > 0
  }

  holdsActiveKey(workspaceId: string, userId: string): boolean {
    return this.activeByCreator.get(workspaceId)?.has(userId) ?? false
  }

  /** One page of a workspace's keys (the API has no `limit`: pages of a fixed size until an empty one). */
  listKeys(query: { workspaceId?: string; includeDisabled?: boolean; offset?: number }): Outcome<ReadonlyArray<StoredKey>, 400> {
    const workspaceId = workspaceOf(this.org, query.workspaceId)
    if (workspaceId instanceof Refusal) return workspaceId
    const keys = this.keysIn(workspaceId)
    const shown = query.includeDisabled ? keys.inOrder() : keys.active()
    const offset = query.offset ?? 0
    return shown.slice(offset, offset + this.keyPageSize)
  }

  getKey(hash: string): Outcome<StoredKey, 404> {
    return this.byHash.get(hash) ?? notFound("API key not found")
  }

  /** Create a key; the plaintext secret is returned this once and never stored. */
  createKey(request: CreateKeyRequest, now = Date.now()): Outcome<{ key: StoredKey; secret: string }, 400> {
    const workspaceId = workspaceOf(this.org, request.workspaceId)
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
    const key = this.byHash.get(hash)
    if (!key) return notFound("API key not found")
    const next = { ...key, ...changes }
    // what is left is measured over the limit's reset period
    return this.putKey(new StoredKey({ ...next, limitRemaining: limitRemainingOf(next), updatedAt: iso(now) }, true))
  }

  deleteKey(hash: string): Outcome<true, 404> {
    const key = this.byHash.get(hash)
    if (!key) return notFound("API key not found")
    if (key.active) this.countActive(key, -1)
    this.byHash.delete(hash)
    this.byWorkspace.get(key.workspaceId)?.delete(hash)
    for (const watcher of this.watchers) watcher.keyDeleted(hash)
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
      organizationId: this.org.organizationId,
      workspaceId: this.org.defaultWorkspaceId,
      label: management ? "sk-or-v1-mgm...0001" : "sk-or-v1-inf...0002",
      limit: management ? null : 100,
      limitRemaining: management ? null : 74.5,
      limitReset: management ? null : "monthly",
      includeByokInLimit: false,
      creatorUserId: this.org.actor,
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

  /** A deleted workspace takes its keys with it. */
  dropWorkspace(workspaceId: string) {
    for (const hash of [...this.keysIn(workspaceId).keys()]) this.deleteKey(hash)
    this.byWorkspace.delete(workspaceId)
    this.activeByCreator.delete(workspaceId)
  }
}
