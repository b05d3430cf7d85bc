/**
 * The simulator's SCIM groups and group → workspace mappings (their endpoints: scim.ts).
 *
 * Rules: groups come from the identity provider (seeded, read-only here); a group maps to a workspace
 * once — a second mapping of the same group to the same workspace is a 409 whatever its role; a
 * mapping adds the group's members who are not in the workspace yet, with its role (those are the
 * members it "granted"); changing the role changes theirs; deleting it with `keep_members=false`
 * removes them, with `true` leaves them as manually managed members. Unknown group or workspace: 404.
 */
import { WorkspaceMember } from "../Domain.ts"
import { type CreateScimGroupMappingRequest, ScimGroup, ScimGroupMapping, type ScimRole } from "../ScimDomain.ts"
import { hash, prng, type Random, uuid } from "./random.ts"
import type { OrganizationState } from "./state.ts"

const iso = (ms: number) => new Date(ms).toISOString()
const GROUPS = ["Engineering", "Data Science", "Finance", "Contractors", "Support"]

export type Refused = { readonly status: 400 | 404 | 409; readonly message: string }
export const isRefused = (u: unknown): u is Refused => typeof u === "object" && u !== null && "status" in u && "message" in u

export class ScimState {
  readonly groups = new Map<string, ScimGroup>()
  /** The organisation members in each group (what the identity provider pushed). */
  readonly groupMembers = new Map<string, ReadonlyArray<string>>()
  readonly mappings = new Map<string, ScimGroupMapping>()
  /** Per mapping, the members it added to its workspace. */
  readonly granted = new Map<string, Set<string>>()
  private readonly random: Random

  constructor(private readonly org: OrganizationState, seed: string) {
    const random = prng(hash(`scim:${seed}`))
    this.random = random
    const epoch = Date.parse("2025-02-01T00:00:00Z")
    GROUPS.forEach((displayName, i) => {
      const group = new ScimGroup({
        id: uuid(random),
        organizationId: org.organizationId,
        externalId: i === GROUPS.length - 1 ? null : `okta-${uuid(random).slice(0, 8)}`,
        displayName,
        createdAt: iso(epoch + i * 86_400_000),
        updatedAt: iso(epoch + i * 86_400_000)
      }, true)
      this.groups.set(group.id, group)
      this.groupMembers.set(group.id, org.members.filter(() => random() < 0.08).map((m) => m.id))
    })
    // the first group is already mapped to the first team workspace
    const team = [...org.workspaces.values()].find((w) => w.id !== org.defaultWorkspaceId)
    const first = [...this.groups.values()][0]
    if (team && first) this.create({ scimGroupId: first.id, workspaceId: team.id, role: "member" }, epoch + 10 * 86_400_000)
  }

  private workspaceMembers(workspaceId: string) {
    return this.org.workspaceMembers.get(workspaceId)!
  }

  create(request: CreateScimGroupMappingRequest, now = Date.now()): ScimGroupMapping | Refused {
    if (!this.groups.has(request.scimGroupId)) return { status: 404, message: "SCIM group not found" }
    if (!this.org.workspaces.has(request.workspaceId)) return { status: 404, message: "Workspace not found" }
    for (const existing of this.mappings.values()) {
      if (existing.scimGroupId === request.scimGroupId && existing.workspaceId === request.workspaceId) {
        return {
          status: 409,
          message: `This group is already mapped to this workspace (mapping ${existing.id}, role ${existing.role}); update its role instead`
        }
      }
    }
    const mapping = new ScimGroupMapping({
      id: uuid(this.random),
      organizationId: this.org.organizationId,
      scimGroupId: request.scimGroupId,
      workspaceId: request.workspaceId,
      role: request.role,
      createdAt: iso(now),
      updatedAt: iso(now)
    }, true)
    this.mappings.set(mapping.id, mapping)
    const granted = new Set<string>()
    // the default workspace holds every member already: nothing to grant there
    if (request.workspaceId !== this.org.defaultWorkspaceId) {
      const members = this.workspaceMembers(request.workspaceId)
      for (const userId of this.groupMembers.get(request.scimGroupId) ?? []) {
        if (members.has(userId)) continue
        this.setMember(request.workspaceId, userId, request.role, iso(now))
        granted.add(userId)
      }
    }
    this.granted.set(mapping.id, granted)
    return mapping
  }

  private setMember(workspaceId: string, userId: string, role: ScimRole, createdAt: string) {
    const previous = this.workspaceMembers(workspaceId).get(userId)
    this.workspaceMembers(workspaceId).set(
      userId,
      new WorkspaceMember({ id: previous?.id ?? uuid(this.random), workspaceId, userId, role, createdAt: previous?.createdAt ?? createdAt }, true)
    )
  }

  get(id: string): ScimGroupMapping | Refused {
    return this.mappings.get(id) ?? { status: 404, message: "SCIM group mapping not found" }
  }

  update(id: string, role: ScimRole, now = Date.now()): ScimGroupMapping | Refused {
    const mapping = this.mappings.get(id)
    if (!mapping) return { status: 404, message: "SCIM group mapping not found" }
    const updated = new ScimGroupMapping({ ...mapping, role, updatedAt: iso(now) }, true)
    this.mappings.set(id, updated)
    for (const userId of this.granted.get(id) ?? []) {
      if (this.workspaceMembers(mapping.workspaceId).has(userId)) this.setMember(mapping.workspaceId, userId, role, iso(now))
    }
    return updated
  }

  delete(id: string, keepMembers: boolean): true | Refused {
    const mapping = this.mappings.get(id)
    if (!mapping) return { status: 404, message: "SCIM group mapping not found" }
    this.mappings.delete(id)
    if (!keepMembers) {
      for (const userId of this.granted.get(id) ?? []) this.workspaceMembers(mapping.workspaceId)?.delete(userId)
    }
    this.granted.delete(id)
    return true
  }
}
