/**
 * The simulated organisation's guardrails with their member and key assignments, with the API's rules:
 * a guardrail belongs to a workspace; users who are not members of a non-default workspace cannot be
 * assigned to its guardrails; a key holds at most one guardrail and a member at most one direct guardrail
 * per workspace, and assigning replaces the previous one; a workspace's default guardrail answers 404
 * until an update materialises it, and its name cannot change.
 */
import {
  ContentFilter,
  ContentFilterBuiltin,
  type CreateGuardrailRequest,
  Guardrail,
  KeyAssignment,
  MemberAssignment,
  type UpdateGuardrailRequest
} from "../GuardrailsDomain.ts"
import { badRequest, DAY, type Directory, iso, notFound, type Outcome, Refusal, workspaceOf } from "./access.ts"
import type { KeyState, KeyWatcher, StoredKey } from "./keys-state.ts"
import { OrderedMap } from "./ordered-map.ts"
import { pick, type Random, uuid } from "./random.ts"

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

/** Key assignments by key hash (a key holds at most one guardrail), indexed by guardrail too. */
class KeyAssignmentMap extends OrderedMap<string, KeyAssignment> {
  private readonly byGuardrail = new Map<string, OrderedMap<string, KeyAssignment>>()
  override set(hash: string, assignment: KeyAssignment) {
    const previous = this.get(hash)
    if (previous && previous.guardrailId !== assignment.guardrailId) this.byGuardrail.get(previous.guardrailId)?.delete(hash)
    let assigned = this.byGuardrail.get(assignment.guardrailId)
    if (!assigned) {
      assigned = new OrderedMap()
      this.byGuardrail.set(assignment.guardrailId, assigned)
    }
    assigned.set(hash, assignment)
    return super.set(hash, assignment)
  }
  override delete(hash: string) {
    const previous = this.get(hash)
    if (previous) this.byGuardrail.get(previous.guardrailId)?.delete(hash)
    return super.delete(hash)
  }
  override clear() {
    this.byGuardrail.clear()
    super.clear()
  }
  /** A guardrail's key assignments, in the order they were made. */
  of(guardrailId: string): ReadonlyArray<KeyAssignment> {
    return this.byGuardrail.get(guardrailId)?.inOrder() ?? []
  }
  /** A deleted guardrail's key assignments go with it. */
  dropGuardrail(guardrailId: string) {
    for (const hash of [...this.byGuardrail.get(guardrailId)?.keys() ?? []]) this.delete(hash)
    this.byGuardrail.delete(guardrailId)
  }
}

export class GuardrailState implements KeyWatcher {
  readonly byId = new Map<string, Guardrail>()
  /** Member assignments by guardrail, then by user. */
  readonly memberAssignments = new Map<string, OrderedMap<string, MemberAssignment>>()
  /** Key assignments by key hash: a key holds at most one guardrail. */
  readonly keyAssignments = new KeyAssignmentMap()
  /** Every member assignment, guardrail by guardrail (the organisation-wide listing), until the next change. */
  private allMembers: ReadonlyArray<MemberAssignment> | undefined

  constructor(private readonly org: Directory, private readonly keys: KeyState, private readonly random: Random) {
    keys.watch(this)
  }

  // --- seeding ---------------------------------------------------------------------------------------

  /**
   * One or two guardrails in each workspace, some members and keys directly assigned, and every other
   * team workspace's default guardrail configured (by `index`, the workspace's place in the listing).
   */
  seed(workspaceId: string, index: number, epoch: number) {
    const random = this.random
    const workspace = this.org.workspaces.get(workspaceId)!
    const workspaceName = workspace.name
    const isDefault = workspaceId === this.org.defaultWorkspaceId
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
    for (const key of this.keys.inWorkspace(workspaceId)) {
      if (random() < 0.2) this.assignKey(pick(random, made), key, at)
    }
    // every other team workspace has configured its default guardrail
    if (!isDefault && index % 2 === 0) {
      this.putGuardrail(this.newGuardrail({ name: this.defaultGuardrailName(workspaceName), workspaceId }, {
        id: workspace.defaultGuardrailId,
        createdAt: at,
        limitUsd: 1000,
        resetInterval: "monthly"
      }))
    }
  }

  // --- the keys they hold ----------------------------------------------------------------------------

  /** An assignment shows the key's current name and label. */
  keyStored(key: StoredKey) {
    const assignment = this.keyAssignments.get(key.hash)
    if (assignment) {
      this.keyAssignments.set(key.hash, new KeyAssignment({ ...assignment, keyName: key.name, keyLabel: key.label }, true))
    }
  }

  /** A deleted key leaves no assignment behind. */
  keyDeleted(hash: string) {
    this.keyAssignments.delete(hash)
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
    this.byId.set(guardrail.id, guardrail)
    if (!this.memberAssignments.has(guardrail.id)) {
      this.memberAssignments.set(guardrail.id, new OrderedMap(() => this.allMembers = undefined))
    }
    return guardrail
  }

  /** A workspace whose default guardrail has this id and is not configured yet. */
  private unconfiguredDefault(id: string) {
    if (this.byId.has(id)) return undefined
    for (const workspace of this.org.workspaces.values()) if (workspace.defaultGuardrailId === id) return workspace
    return undefined
  }

  private isDefaultGuardrail(guardrail: Guardrail) {
    const workspace = guardrail.workspaceId === null ? undefined : this.org.workspaces.get(guardrail.workspaceId)
    return workspace?.defaultGuardrailId === guardrail.id
  }

  listGuardrails(workspaceId: string | undefined): Outcome<ReadonlyArray<Guardrail>, 400> {
    const id = workspaceOf(this.org, workspaceId)
    if (id instanceof Refusal) return id
    return [...this.byId.values()].filter((guardrail) => guardrail.workspaceId === id)
  }

  getGuardrail(id: string): Outcome<Guardrail, 404> {
    return this.byId.get(id) ??
      notFound(this.unconfiguredDefault(id) ? "The workspace default guardrail has not been configured yet" : "Guardrail not found")
  }

  createGuardrail(request: CreateGuardrailRequest, now = Date.now()): Outcome<Guardrail, 400> {
    const workspaceId = workspaceOf(this.org, request.workspaceId)
    if (workspaceId instanceof Refusal) return workspaceId
    return this.putGuardrail(
      this.newGuardrail({ name: request.name, workspaceId }, { ...storedSettings(request), id: uuid(this.random), createdAt: iso(now) })
    )
  }

  /** Update a guardrail, or materialise an unconfigured workspace default guardrail. */
  updateGuardrail(id: string, changes: UpdateGuardrailRequest, now = Date.now()): Outcome<Guardrail> {
    const existing = this.byId.get(id)
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
    if (!this.byId.delete(id)) return notFound("Guardrail not found")
    this.memberAssignments.delete(id)
    this.allMembers = undefined
    this.keyAssignments.dropGuardrail(id)
    return true
  }

  // --- assignments -----------------------------------------------------------------------------------

  private assignMember(guardrail: Guardrail, userId: string, createdAt: string) {
    // a member holds at most one direct guardrail per workspace: assigning replaces it
    for (const other of this.byId.values()) {
      if (other.id !== guardrail.id && other.workspaceId === guardrail.workspaceId) {
        this.memberAssignments.get(other.id)?.delete(userId)
      }
    }
    this.memberAssignments.get(guardrail.id)!.set(
      userId,
      new MemberAssignment({
        id: uuid(this.random),
        userId,
        organizationId: this.org.organizationId,
        guardrailId: guardrail.id,
        assignedBy: this.org.actor,
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
        assignedBy: this.org.actor,
        createdAt
      }, true)
    )
  }

  memberAssignmentsOf(id: string): Outcome<ReadonlyArray<MemberAssignment>, 404> {
    const assignments = this.memberAssignments.get(id)
    return assignments ? assignments.inOrder() : notFound("Guardrail not found")
  }

  keyAssignmentsOf(id: string): Outcome<ReadonlyArray<KeyAssignment>, 404> {
    if (!this.byId.has(id)) return notFound("Guardrail not found")
    return this.keyAssignments.of(id)
  }

  allMemberAssignments(): ReadonlyArray<MemberAssignment> {
    return this.allMembers ??= [...this.memberAssignments.values()].flatMap((byUser) => byUser.inOrder())
  }

  allKeyAssignments(): ReadonlyArray<KeyAssignment> {
    return this.keyAssignments.inOrder()
  }

  /** Assign members; those already assigned to this guardrail are not counted again. */
  assignMembers(id: string, userIds: ReadonlyArray<string>, now = Date.now()): Outcome<number> {
    const guardrail = this.byId.get(id)
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
    const guardrail = this.byId.get(id)
    if (!guardrail) return notFound("Guardrail not found")
    const keys = unique(hashes).map((hash) => [hash, this.keys.byHash.get(hash)] as const)
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
    if (!this.byId.has(id)) return notFound("Guardrail not found")
    return unique(hashes).filter((hash) => this.keyAssignments.get(hash)?.guardrailId === id && this.keyAssignments.delete(hash)).length
  }

  /** A deleted workspace takes its guardrails (and their assignments) with it. */
  dropWorkspace(workspaceId: string) {
    for (const guardrail of [...this.byId.values()]) {
      if (guardrail.workspaceId === workspaceId) this.deleteGuardrail(guardrail.id)
    }
  }
}
