/**
 * Guardrails: the Guardrails service over loopback against the simulator (every operation, each
 * documented error, validation before sending, every listing as a lazy Stream), and the simulator's
 * rules on its state.
 */
import { describe, expect, it } from "@effect/vitest"
import { Chunk, Effect, Stream } from "effect"
import { Guardrails, operations } from "../src/Guardrails.ts"
import { CreateGuardrailRequest, Guardrail, UpdateGuardrailRequest } from "../src/GuardrailsDomain.ts"
import * as RetryPolicy from "../src/RetryPolicy.ts"
import { Refusal } from "../src/simulator/access.ts"
import { Simulator } from "../src/simulator/index.ts"
import { OrganizationState } from "../src/simulator/state.ts"
import { accessLayer, accessWithKey, recorded } from "./support.ts"

const noRetry = { retry: RetryPolicy.none }
const unknownId = "00000000-0000-4000-a000-000000000000"
const pathOf = (template: string) => new RegExp(`^${template.replace(/:[A-Za-z]+/g, "[^/]+")}$`)

/** A team workspace, two of its members and one organisation member outside it. */
const teamWorkspace = Effect.gen(function*() {
  const sim = yield* Simulator
  const workspace = sim.state.workspaces().find((w) => w.id !== sim.state.defaultWorkspaceId)!
  const members = sim.state.workspaceMembers(workspace.id).map((m) => m.userId)
  const outsider = sim.state.members().find((m) => !members.includes(m.id))!.id
  return { sim, workspace, members, outsider }
})

const ids = <A extends { readonly userId?: string; readonly keyHash?: string }>(items: Chunk.Chunk<A>) =>
  Chunk.toReadonlyArray(items).map((item) => item.userId ?? item.keyHash)

describe("Guardrails over loopback", () => {
  it.scoped("create, get, update, list and stream, delete", () =>
    Effect.gen(function*() {
      const guardrails = yield* Guardrails
      const { workspace } = yield* teamWorkspace
      const made = yield* guardrails.create({
        name: "team-a",
        workspaceId: workspace.id,
        limitUsd: 100,
        resetInterval: "monthly",
        allowedProviders: ["openai", "anthropic"],
        enforceZdr: true,
        contentFilterBuiltins: [{ slug: "email", action: "redact" }]
      })
      expect(made.data).toBeInstanceOf(Guardrail)
      expect(made.data).toMatchObject({ name: "team-a", workspaceId: workspace.id, limitUsd: 100, enforceZdrOpenai: true })
      expect(made.data.contentFilterBuiltins?.[0]?.label).toBe("[EMAIL]")
      const { id } = made.data
      expect((yield* guardrails.get({ id })).data.name).toBe("team-a")
      const updated = yield* guardrails.update({ id, name: "team-a2", allowedProviders: null, limitUsd: null })
      expect(updated.data).toMatchObject({ name: "team-a2", allowedProviders: null, limitUsd: null })

      const page = yield* guardrails.list({ workspaceId: workspace.id, limit: 1 })
      expect(page.data).toHaveLength(1)
      const all = yield* Stream.runCollect(guardrails.stream({ workspaceId: workspace.id, pageSize: 1 }))
      expect(all.length).toBe(page.totalCount)
      expect(Chunk.toReadonlyArray(all).map((g) => g.id)).toContain(id)
      const inDefault = yield* Stream.runCollect(guardrails.stream())
      expect(Chunk.toReadonlyArray(inDefault).map((g) => g.id)).not.toContain(id)

      expect(yield* guardrails.delete({ id })).toMatchObject({ deleted: true })
      expect((yield* Effect.flip(guardrails.get({ id })))._tag).toBe("NotFoundResponseError")
      expect((yield* Effect.flip(guardrails.delete({ id })))._tag).toBe("NotFoundResponseError")
      expect((yield* Effect.flip(guardrails.update({ id, limitUsd: 1 })))._tag).toBe("NotFoundResponseError")
    }).pipe(Effect.provide(accessLayer({}, noRetry))))

  it.scoped("member assignments: assign, list per guardrail and organisation-wide, replace, unassign", () =>
    Effect.gen(function*() {
      const guardrails = yield* Guardrails
      const { members, outsider, workspace } = yield* teamWorkspace
      const [a, b, c] = members
      const first = (yield* guardrails.create({ name: "first", workspaceId: workspace.id })).data.id
      const second = (yield* guardrails.create({ name: "second", workspaceId: workspace.id })).data.id
      expect((yield* guardrails.assignMembers({ id: first, memberUserIds: [a!, b!, c!] })).assignedCount).toBe(3)
      expect((yield* guardrails.assignMembers({ id: first, memberUserIds: [a!] })).assignedCount).toBe(0)
      expect(ids(yield* Stream.runCollect(guardrails.streamMemberAssignments({ id: first, pageSize: 2 })))).toEqual([a, b, c])
      // a member holds one direct guardrail per workspace: assigning to another moves them
      expect((yield* guardrails.assignMembers({ id: second, memberUserIds: [a!] })).assignedCount).toBe(1)
      expect(ids(yield* Stream.runCollect(guardrails.streamMemberAssignments({ id: first })))).toEqual([b, c])
      const everywhere = yield* Stream.runCollect(guardrails.streamAllMemberAssignments({ pageSize: 7 }))
      const page = yield* guardrails.listAllMemberAssignments({ limit: 1 })
      expect(everywhere.length).toBe(page.totalCount)
      expect(Chunk.toReadonlyArray(everywhere).filter((x) => x.userId === a && [first, second].includes(x.guardrailId)))
        .toHaveLength(1)

      const refused = yield* Effect.flip(guardrails.assignMembers({ id: first, memberUserIds: [outsider] }))
      expect(refused._tag).toBe("BadRequestResponseError")
      expect(refused.message).toMatch(/not members of the guardrail's workspace/)
      expect((yield* Effect.flip(guardrails.assignMembers({ id: unknownId, memberUserIds: [a!] })))._tag)
        .toBe("NotFoundResponseError")
      expect((yield* guardrails.unassignMembers({ id: first, memberUserIds: [b!, a!] })).unassignedCount).toBe(1)
      expect((yield* guardrails.listMemberAssignments({ id: first })).totalCount).toBe(1)
    }).pipe(Effect.provide(accessLayer({}, noRetry))))

  it.scoped("key assignments: a key holds one guardrail, assigning replaces it; other workspaces' keys are refused", () =>
    Effect.gen(function*() {
      const guardrails = yield* Guardrails
      const { sim, workspace } = yield* teamWorkspace
      const [k1, k2] = sim.state.apiKeys().filter((k) => k.workspaceId === workspace.id).map((k) => k.hash)
      const foreign = sim.state.apiKeys().find((k) => k.workspaceId !== workspace.id)!.hash
      const first = (yield* guardrails.create({ name: "first", workspaceId: workspace.id })).data.id
      const second = (yield* guardrails.create({ name: "second", workspaceId: workspace.id })).data.id
      expect((yield* guardrails.assignKeys({ id: first, keyHashes: [k1!, k2!] })).assignedCount).toBe(2)
      expect((yield* guardrails.assignKeys({ id: second, keyHashes: [k1!] })).assignedCount).toBe(1)
      expect(ids(yield* Stream.runCollect(guardrails.streamKeyAssignments({ id: first })))).toEqual([k2])
      expect(ids(yield* Stream.runCollect(guardrails.streamKeyAssignments({ id: second })))).toEqual([k1])
      const all = yield* Stream.runCollect(guardrails.streamAllKeyAssignments())
      expect(Chunk.toReadonlyArray(all).filter((x) => x.keyHash === k1)).toHaveLength(1)
      expect((yield* guardrails.listAllKeyAssignments({ limit: 1 })).totalCount).toBe(all.length)
      expect((yield* Effect.flip(guardrails.assignKeys({ id: first, keyHashes: [foreign] })))._tag).toBe("BadRequestResponseError")
      expect((yield* Effect.flip(guardrails.listKeyAssignments({ id: unknownId })))._tag).toBe("NotFoundResponseError")
      expect((yield* guardrails.unassignKeys({ id: first, keyHashes: [k1!, k2!] })).unassignedCount).toBe(1)
    }).pipe(Effect.provide(accessLayer({}, noRetry))))

  it.scoped("a workspace's default guardrail: 404 until an update materialises it; its name cannot change", () =>
    Effect.gen(function*() {
      const guardrails = yield* Guardrails
      const sim = yield* Simulator
      const workspace = sim.state.workspaces().find((w) => w.slug === "default")!
      const id = workspace.defaultGuardrailId
      const missing = yield* Effect.flip(guardrails.get({ id }))
      expect(missing._tag).toBe("NotFoundResponseError")
      expect(missing.message).toMatch(/not been configured/)
      expect((yield* Effect.flip(guardrails.update({ id, name: "mine" })))._tag).toBe("BadRequestResponseError")
      const made = yield* guardrails.update({ id, limitUsd: 250, resetInterval: "weekly" })
      expect(made.data).toMatchObject({ id, workspaceId: workspace.id, limitUsd: 250 })
      expect((yield* guardrails.get({ id })).data.limitUsd).toBe(250)
    }).pipe(Effect.provide(accessLayer({}, noRetry))))

  it.scoped("each documented error status maps to its typed error; an undocumented one to the default error", () =>
    Effect.gen(function*() {
      const sim = yield* Simulator
      const guardrails = yield* Guardrails
      const id = unknownId
      const calls: Record<keyof typeof operations, Effect.Effect<unknown, { readonly _tag: string }>> = {
        list: guardrails.list(),
        create: guardrails.create({ name: "x" }),
        get: guardrails.get({ id }),
        update: guardrails.update({ id, limitUsd: 1 }),
        delete: guardrails.delete({ id }),
        listKeyAssignments: guardrails.listKeyAssignments({ id }),
        assignKeys: guardrails.assignKeys({ id, keyHashes: ["h"] }),
        unassignKeys: guardrails.unassignKeys({ id, keyHashes: ["h"] }),
        listMemberAssignments: guardrails.listMemberAssignments({ id }),
        assignMembers: guardrails.assignMembers({ id, memberUserIds: ["u"] }),
        unassignMembers: guardrails.unassignMembers({ id, memberUserIds: ["u"] }),
        listAllKeyAssignments: guardrails.listAllKeyAssignments(),
        listAllMemberAssignments: guardrails.listAllMemberAssignments()
      }
      for (const [name, call] of Object.entries(calls)) {
        const declaration = operations[name as keyof typeof operations]
        for (const error of declaration.errors) {
          yield* sim.inject({ method: declaration.method, path: pathOf(declaration.template), status: error.status })
          expect([name, (yield* Effect.flip(call))._tag]).toEqual([name, error._tag])
        }
        // the guardrail operations document no 429: it is the default error, still retryable
        yield* sim.inject({ method: declaration.method, path: pathOf(declaration.template), status: 429 })
        expect([name, (yield* Effect.flip(call))._tag]).toEqual([name, "OpenRouterDefaultError"])
      }
    }).pipe(Effect.provide(accessLayer({}, noRetry))))

  it.scoped("an inference key is refused (403 where documented, else 401); an unknown key is 401", () =>
    Effect.gen(function*() {
      const sim = yield* Simulator
      const inference = yield* accessWithKey(sim.inferenceKey)
      expect((yield* Effect.flip(inference.guardrails.create({ name: "x" })))._tag).toBe("ForbiddenResponseError")
      expect((yield* Effect.flip(inference.guardrails.list()))._tag).toBe("UnauthorizedResponseError")
    }).pipe(Effect.provide(accessLayer({}, noRetry))))

  it.scoped("bad input is a typed error and nothing is sent", () =>
    Effect.gen(function*() {
      const sim = yield* Simulator
      const guardrails = yield* Guardrails
      yield* sim.clearRequests
      const invalid: ReadonlyArray<Effect.Effect<unknown, { readonly _tag: string }>> = [
        guardrails.create({ name: "" }),
        guardrails.create({ name: "x".repeat(201) }),
        guardrails.create({ name: "x", description: "d".repeat(1001) }),
        guardrails.create({ name: "x", resetInterval: "yearly" as never }),
        guardrails.create({ name: "x", limitUsd: -1 }),
        guardrails.create({ name: "x", allowedModels: [] }),
        guardrails.create({ name: "x", workspaceId: "team-a" }),
        guardrails.create({ name: "x", contentFilterBuiltins: [{ slug: "pin-code" as never, action: "block" }] }),
        guardrails.get({ id: "not-a-uuid" }),
        guardrails.update({ id: unknownId, name: "" }),
        guardrails.list({ limit: 101 }),
        guardrails.list({ offset: -1 }),
        guardrails.assignMembers({ id: unknownId, memberUserIds: [] }),
        guardrails.unassignMembers({ id: unknownId, memberUserIds: [""] }),
        guardrails.assignKeys({ id: unknownId, keyHashes: [] }),
        guardrails.listAllMemberAssignments({ limit: 0 }),
        Stream.runDrain(guardrails.streamMemberAssignments({ id: "nope" })),
        Stream.runDrain(guardrails.stream({ pageSize: 1000 })),
        guardrails.create(undefined as never)
      ]
      for (const call of invalid) expect((yield* Effect.flip(call))._tag).toBe("InvalidRequestError")
      expect(yield* recorded).toHaveLength(0)
    }).pipe(Effect.provide(accessLayer({}, noRetry))))
})

const ok = <A>(outcome: A | Refusal): A => {
  if (outcome instanceof Refusal) throw new Error(`refused: ${outcome.status} ${outcome.message}`)
  return outcome
}
const refused = (outcome: unknown) => (outcome instanceof Refusal ? outcome.status : "not refused")

const setup = () => {
  const state = new OrganizationState("guardrails", { members: 200 })
  const guardrails = state.guardrails
  const workspace = [...state.workspaces.values()].find((w) => w.id !== state.defaultWorkspaceId)!
  const members = state.membersOf(workspace.id).map((m) => m.userId)
  const outsider = state.members.find((m) => !members.includes(m.id))!.id
  const first = ok(guardrails.createGuardrail(new CreateGuardrailRequest({ name: "first", workspaceId: workspace.id })))
  const second = ok(guardrails.createGuardrail(new CreateGuardrailRequest({ name: "second", workspaceId: workspace.id })))
  return { state, guardrails, workspace, members, outsider, first, second }
}

describe("simulated guardrails", () => {
  it("are seeded with member and key assignments", () => {
    const { guardrails } = setup()
    expect(guardrails.byId.size).toBeGreaterThan(3)
    expect(guardrails.allMemberAssignments().length).toBeGreaterThan(0)
    expect(guardrails.allKeyAssignments().length).toBeGreaterThan(0)
  })

  it("a guardrail belongs to a workspace: listed there, created in the default one unless told", () => {
    const { guardrails, first, state, workspace } = setup()
    expect(ok(guardrails.listGuardrails(workspace.id)).map((g) => g.id)).toContain(first.id)
    const placed = ok(guardrails.createGuardrail(new CreateGuardrailRequest({ name: "org-wide" })))
    expect(placed.workspaceId).toBe(state.defaultWorkspaceId)
    expect(ok(guardrails.listGuardrails(undefined)).map((g) => g.id)).toContain(placed.id)
    expect(refused(guardrails.createGuardrail(
      new CreateGuardrailRequest({
        name: "x",
        workspaceId: "00000000-0000-4000-a000-000000000000"
      })
    ))).toBe(400)
  })

  it("non-members of a team workspace cannot be assigned; in the default workspace anyone in the organisation can", () => {
    const { guardrails, first, members, outsider } = setup()
    expect(refused(guardrails.assignMembers(first.id, [members[0]!, outsider]))).toBe(400)
    expect(ok(guardrails.memberAssignmentsOf(first.id)).map((a) => a.userId)).not.toContain(members[0])
    expect(refused(guardrails.assignMembers(first.id, ["user_nobody"]))).toBe(400)
    const orgWide = ok(guardrails.createGuardrail(new CreateGuardrailRequest({ name: "org-wide" })))
    expect(ok(guardrails.assignMembers(orgWide.id, [outsider]))).toBe(1)
    expect(refused(guardrails.assignMembers("00000000-0000-4000-a000-000000000000", [outsider]))).toBe(404)
  })

  it("a member holds at most one direct guardrail per workspace: assigning replaces it", () => {
    const { guardrails, first, members, second } = setup()
    const [a, b] = members
    expect(ok(guardrails.assignMembers(first.id, [a!, b!, a!]))).toBe(2)
    expect(ok(guardrails.assignMembers(first.id, [a!]))).toBe(0)
    expect(ok(guardrails.assignMembers(second.id, [a!]))).toBe(1)
    expect(ok(guardrails.memberAssignmentsOf(first.id)).map((x) => x.userId)).toEqual([b])
    expect(guardrails.allMemberAssignments().filter((x) => x.userId === a && [first.id, second.id].includes(x.guardrailId)))
      .toHaveLength(1)
    expect(ok(guardrails.unassignMembers(second.id, [a!, b!]))).toBe(1)
  })

  it("a key holds at most one guardrail: assigning replaces it; keys of other workspaces are refused", () => {
    const { guardrails, first, second, state, workspace } = setup()
    const key = state.apiKeys.find((k) => k.workspaceId === workspace.id)!
    const foreign = state.apiKeys.find((k) => k.workspaceId !== workspace.id)!
    expect(ok(guardrails.assignKeys(first.id, [key.hash]))).toBe(1)
    expect(ok(guardrails.assignKeys(second.id, [key.hash]))).toBe(1)
    expect(ok(guardrails.keyAssignmentsOf(first.id))).toHaveLength(0)
    expect(ok(guardrails.keyAssignmentsOf(second.id)).map((x) => x.keyHash)).toEqual([key.hash])
    expect(refused(guardrails.assignKeys(first.id, [foreign.hash]))).toBe(400)
    expect(refused(guardrails.assignKeys(first.id, ["no-such-hash"]))).toBe(400)
    expect(ok(guardrails.unassignKeys(first.id, [key.hash]))).toBe(0)
    expect(ok(guardrails.unassignKeys(second.id, [key.hash]))).toBe(1)
    // a deleted key leaves no assignment behind
    ok(guardrails.assignKeys(first.id, [key.hash]))
    ok(state.keys.deleteKey(key.hash))
    expect(guardrails.allKeyAssignments().some((x) => x.keyHash === key.hash)).toBe(false)
  })

  it("a workspace's default guardrail is 404 until an update materialises it; its name cannot change", () => {
    const { guardrails, state } = setup()
    const unconfigured = [...state.workspaces.values()].find((w) => !guardrails.byId.has(w.defaultGuardrailId))!
    expect(refused(guardrails.getGuardrail(unconfigured.defaultGuardrailId))).toBe(404)
    expect(refused(guardrails.updateGuardrail(unconfigured.defaultGuardrailId, new UpdateGuardrailRequest({ name: "mine" })))).toBe(400)
    const made = ok(guardrails.updateGuardrail(unconfigured.defaultGuardrailId, new UpdateGuardrailRequest({ limitUsd: 10 })))
    expect(made.workspaceId).toBe(unconfigured.id)
    expect(ok(guardrails.getGuardrail(unconfigured.defaultGuardrailId)).limitUsd).toBe(10)
    expect(refused(guardrails.updateGuardrail(made.id, new UpdateGuardrailRequest({ name: "renamed" })))).toBe(400)
  })

  it("update replaces collections; enforceZdr fills the per-provider fields left out; delete drops assignments", () => {
    const { guardrails, first, members } = setup()
    const updated = ok(guardrails.updateGuardrail(
      first.id,
      new UpdateGuardrailRequest({
        name: "renamed",
        allowedProviders: ["openai"],
        enforceZdr: true,
        enforceZdrXai: false,
        contentFilterBuiltins: [{ slug: "email", action: "redact" }]
      })
    ))
    expect(updated.name).toBe("renamed")
    expect(updated.allowedProviders).toEqual(["openai"])
    expect([updated.enforceZdrOpenai, updated.enforceZdrXai]).toEqual([true, false])
    expect(updated.contentFilterBuiltins?.[0]?.label).toBe("[EMAIL]")
    ok(guardrails.assignMembers(first.id, [members[0]!]))
    ok(guardrails.deleteGuardrail(first.id))
    expect(refused(guardrails.getGuardrail(first.id))).toBe(404)
    expect(refused(guardrails.memberAssignmentsOf(first.id))).toBe(404)
    expect(refused(guardrails.deleteGuardrail(first.id))).toBe(404)
  })
})

describe("Guardrails.create over a flaky connection", () => {
  it.scopedLive("never replayed after an ambiguous failure (500: the server made it), retried after a 429", () =>
    Effect.gen(function*() {
      const sim = yield* Simulator
      const guardrails = yield* Guardrails
      const count = Effect.map(guardrails.list(), (page) => page.totalCount)
      const posts = Effect.map(recorded, (all) => all.filter((r) => r.method === "POST" && r.path === "/guardrails").length)
      const before = yield* count
      yield* sim.clearRequests
      yield* sim.inject({ method: "POST", path: /^\/guardrails$/, status: 500, after: "handle" })
      expect((yield* Effect.flip(guardrails.create({ name: "maybe" })))._tag).toBe("InternalServerResponseError")
      expect(yield* posts).toBe(1)
      expect(yield* count).toBe(before + 1)
      yield* sim.inject({ method: "POST", path: /^\/guardrails$/, status: 429 })
      yield* guardrails.create({ name: "after a refusal" })
      expect(yield* posts).toBe(3)
      expect(yield* count).toBe(before + 2)
    }).pipe(Effect.provide(accessLayer({}, { retry: RetryPolicy.make({ initialDelay: "1 millis", jitter: false }) }))))
})
