/**
 * API keys: the simulator's rules, checked on its state directly.
 */
import { describe, expect, it } from "@effect/vitest"
import { createHash } from "node:crypto"
import { CreateKeyRequest, UpdateKeyRequest } from "../src/KeysDomain.ts"
import { Refusal, type StoredKey } from "../src/simulator/access-state.ts"
import { OrganizationState } from "../src/simulator/state.ts"

const ok = <A>(outcome: A | Refusal): A => {
  if (outcome instanceof Refusal) throw new Error(`refused: ${outcome.status} ${outcome.message}`)
  return outcome
}
const refused = (outcome: unknown) => (outcome instanceof Refusal ? outcome.status : "not refused")

const teamWorkspaces = (state: OrganizationState) =>
  [...state.workspaces.values()].filter((w) => w.id !== state.defaultWorkspaceId)

describe("simulated keys", () => {
  it("are seeded from the seed: most team members hold a key, some disabled, some expired", () => {
    const state = new OrganizationState("keys", { members: 300 })
    expect(new OrganizationState("keys", { members: 300 }).apiKeys.map((k) => k.hash)).toEqual(
      state.apiKeys.map((k) => k.hash)
    )
    for (const workspace of teamWorkspaces(state)) {
      const members = state.membersOf(workspace.id).map((m) => m.userId)
      const holders = members.filter((userId) => state.apiKeys.some((k) => k.workspaceId === workspace.id && k.creatorUserId === userId))
      expect(holders.length).toBeGreaterThan(members.length / 2)
    }
    const keys = state.apiKeys
    const now = Date.now()
    expect(keys.some((k) => k.disabled)).toBe(true)
    expect(keys.some((k) => k.isExpiredAt(now))).toBe(true)
    expect(keys.some((k) => k.creatorUserId !== null && !state.memberById.has(k.creatorUserId))).toBe(true)
    expect(keys.some((k) => k.workspaceId === state.defaultWorkspaceId)).toBe(true)
  })

  it("the removal rule follows real keys: disabling or deleting them lets the member go", () => {
    const state = new OrganizationState("keys")
    const key = state.apiKeys.find((k) => k.active && k.workspaceId !== state.defaultWorkspaceId)!
    const held = (): Array<StoredKey> =>
      state.apiKeys.filter((k) => k.workspaceId === key.workspaceId && k.creatorUserId === key.creatorUserId && k.active)
    expect(state.holdsActiveKey(key.workspaceId, key.userId)).toBe(true)
    const [first, ...rest] = held()
    ok(state.access.updateKey(first!.hash, new UpdateKeyRequest({ disabled: true })))
    for (const other of rest) ok(state.access.deleteKey(other.hash))
    expect(state.holdsActiveKey(key.workspaceId, key.userId)).toBe(false)
    expect(state.apiKeys.find((k) => k.hash === first!.hash)?.disabled).toBe(true)
    expect(refused(state.access.getKey(rest[0]?.hash ?? "gone"))).toBe(404)
  })

  it("create: the secret hashes to the key's hash; workspace, creator and expiry are checked", () => {
    const state = new OrganizationState("keys")
    const workspace = teamWorkspaces(state)[0]!
    const member = state.membersOf(workspace.id)[0]!.userId
    const outsider = state.members.find((m) => !state.workspaceMembers.get(workspace.id)!.has(m.id))!.id
    const made = ok(state.access.createKey(new CreateKeyRequest({ name: "ci", workspaceId: workspace.id, creatorUserId: member, limit: 50, limitReset: "monthly" })))
    expect(createHash("sha256").update(made.secret).digest("hex")).toBe(made.key.hash)
    expect(made.key.label).not.toContain(made.secret.slice(12))
    expect(state.holdsActiveKey(workspace.id, member)).toBe(true)
    expect(made.key.limitRemaining).toBe(50)

    const create = (fields: ConstructorParameters<typeof CreateKeyRequest>[0]) => state.access.createKey(new CreateKeyRequest(fields))
    expect(refused(create({ name: "x", workspaceId: "00000000-0000-4000-a000-000000000000" }))).toBe(400)
    expect(refused(create({ name: "x", workspaceId: workspace.id, creatorUserId: outsider }))).toBe(400)
    expect(refused(create({ name: "x", creatorUserId: "user_nobody" }))).toBe(400)
    expect(refused(create({ name: "x", expiresAt: "2020-01-01T00:00:00Z" }))).toBe(400)
    // the default workspace: every organisation member belongs to it
    expect(ok(create({ name: "x", creatorUserId: outsider })).key.workspaceId).toBe(state.defaultWorkspaceId)
  })

  it("list: the default workspace unless told, disabled keys only when asked, pages until an empty one", () => {
    const state = new OrganizationState("keys", { members: 400, keyPageSize: 7 })
    const workspace = teamWorkspaces(state)[0]!
    const all = state.apiKeys.filter((k) => k.workspaceId === workspace.id)
    const pages = (includeDisabled: boolean) => {
      const seen: Array<StoredKey> = []
      for (let offset = 0;; offset += 7) {
        const page = ok(state.access.listKeys({ workspaceId: workspace.id, includeDisabled, offset }))
        if (page.length === 0) return seen
        expect(page.length).toBeLessThanOrEqual(7)
        seen.push(...page)
      }
    }
    expect(pages(true).map((k) => k.hash)).toEqual(all.map((k) => k.hash))
    expect(pages(false).map((k) => k.hash)).toEqual(all.filter((k) => !k.disabled).map((k) => k.hash))
    expect(ok(state.access.listKeys({})).every((k) => k.workspaceId === state.defaultWorkspaceId)).toBe(true)
  })

  it("GET /key says which key is calling", () => {
    const state = new OrganizationState("keys")
    expect(state.access.currentKey("management").isManagementKey).toBe(true)
    expect(state.access.currentKey("inference").isManagementKey).toBe(false)
  })

  it("deleting a workspace takes its keys with it", () => {
    const state = new OrganizationState("keys")
    const workspace = teamWorkspaces(state)[0]!
    state.remove(workspace.id)
    expect(state.apiKeys.some((k) => k.workspaceId === workspace.id)).toBe(false)
  })
})
