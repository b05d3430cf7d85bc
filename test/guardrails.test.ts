/**
 * Guardrails: the simulator's rules, checked on its state directly.
 */
import { describe, expect, it } from "@effect/vitest"
import { CreateGuardrailRequest, UpdateGuardrailRequest } from "../src/GuardrailsDomain.ts"
import { Refusal } from "../src/simulator/access-state.ts"
import { OrganizationState } from "../src/simulator/state.ts"

const ok = <A>(outcome: A | Refusal): A => {
  if (outcome instanceof Refusal) throw new Error(`refused: ${outcome.status} ${outcome.message}`)
  return outcome
}
const refused = (outcome: unknown) => (outcome instanceof Refusal ? outcome.status : "not refused")

const setup = () => {
  const state = new OrganizationState("guardrails", { members: 200 })
  const access = state.access
  const workspace = [...state.workspaces.values()].find((w) => w.id !== state.defaultWorkspaceId)!
  const members = state.membersOf(workspace.id).map((m) => m.userId)
  const outsider = state.members.find((m) => !members.includes(m.id))!.id
  const first = ok(access.createGuardrail(new CreateGuardrailRequest({ name: "first", workspaceId: workspace.id })))
  const second = ok(access.createGuardrail(new CreateGuardrailRequest({ name: "second", workspaceId: workspace.id })))
  return { state, access, workspace, members, outsider, first, second }
}

describe("simulated guardrails", () => {
  it("are seeded with member and key assignments", () => {
    const { access } = setup()
    expect(access.guardrails.size).toBeGreaterThan(3)
    expect(access.allMemberAssignments().length).toBeGreaterThan(0)
    expect(access.allKeyAssignments().length).toBeGreaterThan(0)
  })

  it("a guardrail belongs to a workspace: listed there, created in the default one unless told", () => {
    const { access, first, state, workspace } = setup()
    expect(ok(access.listGuardrails(workspace.id)).map((g) => g.id)).toContain(first.id)
    const placed = ok(access.createGuardrail(new CreateGuardrailRequest({ name: "org-wide" })))
    expect(placed.workspaceId).toBe(state.defaultWorkspaceId)
    expect(ok(access.listGuardrails(undefined)).map((g) => g.id)).toContain(placed.id)
    expect(refused(access.createGuardrail(new CreateGuardrailRequest({
      name: "x",
      workspaceId: "00000000-0000-4000-a000-000000000000"
    })))).toBe(400)
  })

  it("non-members of a team workspace cannot be assigned; in the default workspace anyone in the organisation can", () => {
    const { access, first, members, outsider } = setup()
    expect(refused(access.assignMembers(first.id, [members[0]!, outsider]))).toBe(400)
    expect(ok(access.memberAssignmentsOf(first.id)).map((a) => a.userId)).not.toContain(members[0])
    expect(refused(access.assignMembers(first.id, ["user_nobody"]))).toBe(400)
    const orgWide = ok(access.createGuardrail(new CreateGuardrailRequest({ name: "org-wide" })))
    expect(ok(access.assignMembers(orgWide.id, [outsider]))).toBe(1)
    expect(refused(access.assignMembers("00000000-0000-4000-a000-000000000000", [outsider]))).toBe(404)
  })

  it("a member holds at most one direct guardrail per workspace: assigning replaces it", () => {
    const { access, first, members, second } = setup()
    const [a, b] = members
    expect(ok(access.assignMembers(first.id, [a!, b!, a!]))).toBe(2)
    expect(ok(access.assignMembers(first.id, [a!]))).toBe(0)
    expect(ok(access.assignMembers(second.id, [a!]))).toBe(1)
    expect(ok(access.memberAssignmentsOf(first.id)).map((x) => x.userId)).toEqual([b])
    expect(access.allMemberAssignments().filter((x) => x.userId === a && [first.id, second.id].includes(x.guardrailId)))
      .toHaveLength(1)
    expect(ok(access.unassignMembers(second.id, [a!, b!]))).toBe(1)
  })

  it("a key holds at most one guardrail: assigning replaces it; keys of other workspaces are refused", () => {
    const { access, first, second, state, workspace } = setup()
    const key = state.apiKeys.find((k) => k.workspaceId === workspace.id)!
    const foreign = state.apiKeys.find((k) => k.workspaceId !== workspace.id)!
    expect(ok(access.assignKeys(first.id, [key.hash]))).toBe(1)
    expect(ok(access.assignKeys(second.id, [key.hash]))).toBe(1)
    expect(ok(access.keyAssignmentsOf(first.id))).toHaveLength(0)
    expect(ok(access.keyAssignmentsOf(second.id)).map((x) => x.keyHash)).toEqual([key.hash])
    expect(refused(access.assignKeys(first.id, [foreign.hash]))).toBe(400)
    expect(refused(access.assignKeys(first.id, ["no-such-hash"]))).toBe(400)
    expect(ok(access.unassignKeys(first.id, [key.hash]))).toBe(0)
    expect(ok(access.unassignKeys(second.id, [key.hash]))).toBe(1)
    // a deleted key leaves no assignment behind
    ok(access.assignKeys(first.id, [key.hash]))
    ok(access.deleteKey(key.hash))
    expect(access.allKeyAssignments().some((x) => x.keyHash === key.hash)).toBe(false)
  })

  it("a workspace's default guardrail is 404 until an update materialises it; its name cannot change", () => {
    const { access, state } = setup()
    const unconfigured = [...state.workspaces.values()].find((w) => !access.guardrails.has(w.defaultGuardrailId))!
    expect(refused(access.getGuardrail(unconfigured.defaultGuardrailId))).toBe(404)
    expect(refused(access.updateGuardrail(unconfigured.defaultGuardrailId, new UpdateGuardrailRequest({ name: "mine" })))).toBe(400)
    const made = ok(access.updateGuardrail(unconfigured.defaultGuardrailId, new UpdateGuardrailRequest({ limitUsd: 10 })))
    expect(made.workspaceId).toBe(unconfigured.id)
    expect(ok(access.getGuardrail(unconfigured.defaultGuardrailId)).limitUsd).toBe(10)
    expect(refused(access.updateGuardrail(made.id, new UpdateGuardrailRequest({ name: "renamed" })))).toBe(400)
  })

  it("update replaces collections; enforceZdr fills the per-provider fields left out; delete drops assignments", () => {
    const { access, first, members } = setup()
    const updated = ok(access.updateGuardrail(first.id, new UpdateGuardrailRequest({
      name: "renamed",
      allowedProviders: ["openai"],
      enforceZdr: true,
      enforceZdrXai: false,
      contentFilterBuiltins: [{ slug: "email", action: "redact" }]
    })))
    expect(updated.name).toBe("renamed")
    expect(updated.allowedProviders).toEqual(["openai"])
    expect([updated.enforceZdrOpenai, updated.enforceZdrXai]).toEqual([true, false])
    expect(updated.contentFilterBuiltins?.[0]?.label).toBe("[EMAIL]")
    ok(access.assignMembers(first.id, [members[0]!]))
    ok(access.deleteGuardrail(first.id))
    expect(refused(access.getGuardrail(first.id))).toBe(404)
    expect(refused(access.memberAssignmentsOf(first.id))).toBe(404)
    expect(refused(access.deleteGuardrail(first.id))).toBe(404)
  })
})
