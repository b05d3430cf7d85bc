/**
 * API keys: the Keys service over loopback against the simulator (every operation, each documented
 * error, validation before sending, the secret never shown), and the simulator's rules on its state.
 */
import { NodeHttpClient } from "@effect/platform-node"
import { describe, expect, it } from "@effect/vitest"
import { Chunk, Effect, Inspectable, Redacted, Stream } from "effect"
import { createHash } from "node:crypto"
import { Keys, operations } from "../src/Keys.ts"
import { ApiKey, CreateKeyRequest, UpdateKeyRequest } from "../src/KeysDomain.ts"
import * as OpenRouterClient from "../src/OpenRouterClient.ts"
import * as RetryPolicy from "../src/RetryPolicy.ts"
import { Refusal } from "../src/simulator/access.ts"
import { Simulator } from "../src/simulator/index.ts"
import type { StoredKey } from "../src/simulator/keys-state.ts"
import { OrganizationState } from "../src/simulator/state.ts"
import { Workspaces } from "../src/Workspaces.ts"
import { accessLayer, accessWithKey, rawServer, recorded, recordingTracer } from "./support.ts"

const noRetry = { retry: RetryPolicy.none }
const unknownWorkspace = "00000000-0000-4000-a000-000000000000"

/** The route of a declaration as a RegExp over the simulator's paths (for injected answers). */
const pathOf = (template: string) => new RegExp(`^${template.replace(/:[A-Za-z]+/g, "[^/]+")}$`)

/** A team workspace (not the default one) and a member of it holding an active key there. */
const keyHolder = Effect.gen(function*() {
  const sim = yield* Simulator
  const key = sim.state.apiKeys().find((k) =>
    k.active && k.workspaceId !== sim.state.defaultWorkspaceId &&
    sim.state.workspaceMembers(k.workspaceId).some((m) => m.userId === k.creatorUserId) &&
    !sim.state.scimManaged().includes(k.userId)
  )!
  return { workspaceId: key.workspaceId, userId: key.userId, key }
})

describe("Keys over loopback", () => {
  it.scoped("create, get, update (disable), list with and without disabled keys, delete", () =>
    Effect.gen(function*() {
      const keys = yield* Keys
      const { userId, workspaceId } = yield* keyHolder
      const made = yield* keys.create({
        name: "ci",
        workspaceId,
        creatorUserId: userId,
        limit: 50,
        limitReset: "monthly",
        expiresAt: "2030-12-31T23:59:59Z"
      })
      expect(made.data).toBeInstanceOf(ApiKey)
      expect(Redacted.value(made.key)).toMatch(/^sk-or-v1-/)
      expect(made.data).toMatchObject({ name: "ci", workspaceId, creatorUserId: userId, limit: 50, limitReset: "monthly", disabled: false })
      const { hash } = made.data
      expect((yield* keys.get({ hash })).data.expiresAt).toBe("2030-12-31T23:59:59Z")

      const disabled = yield* keys.update({ hash, disabled: true, name: "ci-old", limit: null })
      expect(disabled.data).toMatchObject({ disabled: true, name: "ci-old", limit: null })
      const active = yield* Stream.runCollect(keys.stream({ workspaceId }))
      const everything = yield* Stream.runCollect(keys.stream({ workspaceId, includeDisabled: true }))
      expect(Chunk.toReadonlyArray(active).some((k) => k.hash === hash)).toBe(false)
      expect(Chunk.toReadonlyArray(everything).some((k) => k.hash === hash)).toBe(true)

      expect(yield* keys.delete({ hash })).toMatchObject({ deleted: true })
      expect((yield* Effect.flip(keys.get({ hash })))._tag).toBe("NotFoundResponseError")
      expect((yield* Effect.flip(keys.delete({ hash })))._tag).toBe("NotFoundResponseError")
    }).pipe(Effect.provide(accessLayer({}, noRetry))))

  it.scoped("stream pages by offset until an empty page; list defaults to the default workspace", () =>
    Effect.gen(function*() {
      const sim = yield* Simulator
      const keys = yield* Keys
      const workspace = sim.state.workspaces().find((w) => w.id !== sim.state.defaultWorkspaceId)!
      const expected = sim.state.apiKeys().filter((k) => k.workspaceId === workspace.id).map((k) => k.hash)
      expect(expected.length).toBeGreaterThan(7)
      yield* sim.clearRequests
      const all = yield* Stream.runCollect(keys.stream({ workspaceId: workspace.id, includeDisabled: true }))
      expect(Chunk.toReadonlyArray(all).map((k) => k.hash)).toEqual(expected)
      const lists = (yield* recorded).filter((r) => r.path === "/keys")
      // full pages, the last partial one, then the empty page that ends it
      expect(lists).toHaveLength(Math.ceil(expected.length / 7) + 1)
      expect(lists.map((r) => new URLSearchParams(r.query).get("offset"))).toEqual(
        lists.map((_, i) => String(Math.min(i * 7, expected.length)))
      )
      const page = yield* keys.list()
      expect(page.data.every((k) => k.workspaceId === sim.state.defaultWorkspaceId)).toBe(true)
      // a stream is lazy: nothing is fetched until pulled
      yield* sim.clearRequests
      const lazy = keys.stream({ workspaceId: workspace.id })
      expect(yield* recorded).toHaveLength(0)
      yield* Stream.runCollect(Stream.take(lazy, 1))
      expect(yield* recorded).toHaveLength(1)
    }).pipe(Effect.provide(accessLayer({ organization: { keyPageSize: 7, members: 300 } }, noRetry))))

  it.scoped("GET /key: the management key says so, an inference key says it is not one", () =>
    Effect.gen(function*() {
      const sim = yield* Simulator
      const keys = yield* Keys
      expect((yield* keys.current()).data.isManagementKey).toBe(true)
      const other = yield* accessWithKey(sim.inferenceKey)
      expect((yield* other.keys.current()).data.isManagementKey).toBe(false)
      // an inference key may ask about itself, nothing more
      expect((yield* Effect.flip(other.keys.create({ name: "x" })))._tag).toBe("ForbiddenResponseError")
      expect((yield* Effect.flip(other.keys.list()))._tag).toBe("UnauthorizedResponseError")
      const stranger = yield* accessWithKey(Redacted.make("sk-or-v1-not-a-real-key"))
      expect((yield* Effect.flip(stranger.keys.current()))._tag).toBe("UnauthorizedResponseError")
    }).pipe(Effect.provide(accessLayer({}, noRetry))))

  it.scoped("the API's refusals: unknown workspace, creator outside the workspace, expiry in the past", () =>
    Effect.gen(function*() {
      const sim = yield* Simulator
      const keys = yield* Keys
      const { workspaceId } = yield* keyHolder
      const members = sim.state.workspaceMembers(workspaceId).map((m) => m.userId)
      const outsider = sim.state.members().find((m) => !members.includes(m.id))!.id
      expect((yield* Effect.flip(keys.list({ workspaceId: unknownWorkspace })))._tag).toBe("BadRequestResponseError")
      const refused = yield* Effect.flip(keys.create({ name: "x", workspaceId, creatorUserId: outsider }))
      expect(refused._tag).toBe("BadRequestResponseError")
      expect(refused.message).toMatch(/not a member/)
      expect((yield* Effect.flip(keys.create({ name: "x", expiresAt: "2020-01-01T00:00:00Z" })))._tag)
        .toBe("BadRequestResponseError")
    }).pipe(Effect.provide(accessLayer({}, noRetry))))

  it.scoped("each documented error status maps to its typed error; an undocumented one to the default error", () =>
    Effect.gen(function*() {
      const sim = yield* Simulator
      const keys = yield* Keys
      const hash = sim.state.apiKeys()[0]!.hash
      const calls: Record<keyof typeof operations, Effect.Effect<unknown, { readonly _tag: string }>> = {
        current: keys.current(),
        list: keys.list({ includeDisabled: true }),
        create: keys.create({ name: "x" }),
        get: keys.get({ hash }),
        update: keys.update({ hash, disabled: false }),
        delete: keys.delete({ hash })
      }
      for (const [name, call] of Object.entries(calls)) {
        const declaration = operations[name as keyof typeof operations]
        for (const error of declaration.errors) {
          yield* sim.inject({ method: declaration.method, path: pathOf(declaration.template), status: error.status })
          expect([name, (yield* Effect.flip(call))._tag]).toEqual([name, error._tag])
        }
        yield* sim.inject({ method: declaration.method, path: pathOf(declaration.template), status: 409 })
        expect([name, (yield* Effect.flip(call))._tag]).toEqual([name, "OpenRouterDefaultError"])
      }
    }).pipe(Effect.provide(accessLayer({}, noRetry))))

  it.scoped("bad input is a typed error and nothing is sent", () =>
    Effect.gen(function*() {
      const sim = yield* Simulator
      const keys = yield* Keys
      yield* sim.clearRequests
      const invalid = [
        keys.create({ name: "" }),
        keys.create({ name: "x", limitReset: "yearly" as never }),
        keys.create({ name: "x", expiresAt: "2027-12-31" }),
        keys.create({ name: "x", expiresAt: "2027-12-31T23:59:59+02:00" }),
        keys.create({ name: "x", workspaceId: "production" }),
        keys.create({ name: "x", creatorUserId: "" }),
        keys.create({ name: "x", limit: -5 }),
        keys.update({ hash: "abc", limit: Number.POSITIVE_INFINITY }),
        keys.get({ hash: "" }),
        keys.update({ hash: "abc", limitReset: "hourly" as never }),
        keys.list({ offset: -1 }),
        keys.list({ workspaceId: "not-a-uuid" }),
        Stream.runDrain(keys.stream({ offset: 1.5 })),
        keys.create(null as never),
        keys.delete({} as never)
      ]
      for (const call of invalid) expect((yield* Effect.flip(call as Effect.Effect<unknown, { _tag: string }>))._tag).toBe("InvalidRequestError")
      expect(yield* recorded).toHaveLength(0)
    }).pipe(Effect.provide(accessLayer({}, noRetry))))

  it.scoped("create never exposes the key: not in String, JSON, inspection, spans or a malformed-answer error", () =>
    Effect.gen(function*() {
      const keys = yield* Keys
      const { spans, tracer } = recordingTracer()
      const made = yield* keys.create({ name: "secret-holder" }).pipe(Effect.withTracer(tracer))
      const secret = Redacted.value(made.key)
      const shown = [
        String(made),
        JSON.stringify(made),
        Inspectable.format(made),
        Inspectable.toStringUnknown(made),
        String(made.key),
        JSON.stringify({ made }),
        JSON.stringify(spans.map((s) => [s.name, [...s.attributes]]))
      ]
      expect(spans.map((s) => s.name)).toEqual(["Keys.create"])
      for (const text of shown) expect(text).not.toContain(secret)
      expect(shown.join("\n")).not.toContain(secret.slice(9, 30))
    }).pipe(Effect.provide(accessLayer({}, noRetry))))

  it.scoped("a malformed create answer fails without copying the body (and the secret) into the error", () =>
    Effect.gen(function*() {
      const secret = "sk-or-v1-0123456789abcdef0123456789abcdef"
      const baseUrl = yield* rawServer((_request, response) => {
        response.writeHead(201, { "content-type": "application/json" })
        response.end(JSON.stringify({ data: { hash: 5, name: secret }, key: secret }))
      })
      const error = yield* Effect.flip(
        Effect.flatMap(Keys, (keys) => keys.create({ name: "x" })).pipe(
          Effect.provide(Keys.Default),
          Effect.provide(OpenRouterClient.layer({ apiKey: Redacted.make("sk-or-v1-test"), baseUrl, retry: RetryPolicy.none })),
          Effect.provide(NodeHttpClient.layerUndici)
        )
      )
      expect(error._tag).toBe("ResponseValidationError")
      expect(`${error.message} ${JSON.stringify(error)} ${Inspectable.format(error)}`).not.toContain("0123456789abcdef")
    }))

  it.scopedLive("create is retried after a refusal (429) but never replayed after an ambiguous failure (500)", () =>
    Effect.gen(function*() {
      const sim = yield* Simulator
      const keys = yield* Keys
      const before = sim.state.apiKeys().length
      yield* sim.clearRequests
      yield* sim.inject({ method: "POST", path: /^\/keys$/, status: 500, after: "handle" })
      expect((yield* Effect.flip(keys.create({ name: "maybe" })))._tag).toBe("InternalServerResponseError")
      expect((yield* recorded).filter((r) => r.method === "POST")).toHaveLength(1)
      expect(sim.state.apiKeys().length).toBe(before + 1)
      yield* sim.inject({ method: "POST", path: /^\/keys$/, status: 429 })
      yield* keys.create({ name: "after-429" })
      expect((yield* recorded).filter((r) => r.method === "POST")).toHaveLength(3)
    }).pipe(Effect.provide(accessLayer({}, { retry: RetryPolicy.make({ initialDelay: "1 millis", jitter: false }) }))))

  it.scoped("the removal rule: a member with an active key cannot be removed; once the keys are disabled they can", () =>
    Effect.gen(function*() {
      const keys = yield* Keys
      const workspaces = yield* Workspaces
      const { userId, workspaceId } = yield* keyHolder
      const refused = yield* Effect.flip(workspaces.bulkRemoveMembers({ id: workspaceId, userIds: [userId] }))
      expect(refused._tag).toBe("BadRequestResponseError")
      expect(refused.message).toMatch(/active API keys/)
      const held = yield* Stream.runCollect(
        Stream.filter(keys.stream({ workspaceId }), (key) => key.creatorUserId === userId)
      )
      expect(held.length).toBeGreaterThan(0)
      yield* Effect.forEach(held, (key) => keys.update({ hash: key.hash, disabled: true }))
      expect((yield* workspaces.bulkRemoveMembers({ id: workspaceId, userIds: [userId] })).removedCount).toBe(1)
    }).pipe(Effect.provide(accessLayer({}, noRetry))))
})

const ok = <A>(outcome: A | Refusal): A => {
  if (outcome instanceof Refusal) throw new Error(`refused: ${outcome.status} ${outcome.message}`)
  return outcome
}
const refused = (outcome: unknown) => (outcome instanceof Refusal ? outcome.status : "not refused")

const teamWorkspaces = (state: OrganizationState) => [...state.workspaces.values()].filter((w) => w.id !== state.defaultWorkspaceId)

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
    ok(state.keys.updateKey(first!.hash, new UpdateKeyRequest({ disabled: true })))
    for (const other of rest) ok(state.keys.deleteKey(other.hash))
    expect(state.holdsActiveKey(key.workspaceId, key.userId)).toBe(false)
    expect(state.apiKeys.find((k) => k.hash === first!.hash)?.disabled).toBe(true)
    expect(refused(state.keys.getKey(rest[0]?.hash ?? "gone"))).toBe(404)
  })

  it("create: the secret hashes to the key's hash; workspace, creator and expiry are checked", () => {
    const state = new OrganizationState("keys")
    const workspace = teamWorkspaces(state)[0]!
    const member = state.membersOf(workspace.id)[0]!.userId
    const outsider = state.members.find((m) => !state.workspaceMembers.get(workspace.id)!.has(m.id))!.id
    const made = ok(
      state.keys.createKey(new CreateKeyRequest({ name: "ci", workspaceId: workspace.id, creatorUserId: member, limit: 50, limitReset: "monthly" }))
    )
    expect(createHash("sha256").update(made.secret).digest("hex")).toBe(made.key.hash)
    expect(made.key.label).not.toContain(made.secret.slice(12))
    expect(state.holdsActiveKey(workspace.id, member)).toBe(true)
    expect(made.key.limitRemaining).toBe(50)

    const create = (fields: ConstructorParameters<typeof CreateKeyRequest>[0]) => state.keys.createKey(new CreateKeyRequest(fields))
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
        const page = ok(state.keys.listKeys({ workspaceId: workspace.id, includeDisabled, offset }))
        if (page.length === 0) return seen
        expect(page.length).toBeLessThanOrEqual(7)
        seen.push(...page)
      }
    }
    expect(pages(true).map((k) => k.hash)).toEqual(all.map((k) => k.hash))
    expect(pages(false).map((k) => k.hash)).toEqual(all.filter((k) => !k.disabled).map((k) => k.hash))
    expect(ok(state.keys.listKeys({})).every((k) => k.workspaceId === state.defaultWorkspaceId)).toBe(true)
  })

  it("GET /key says which key is calling", () => {
    const state = new OrganizationState("keys")
    expect(state.keys.currentKey("management").isManagementKey).toBe(true)
    expect(state.keys.currentKey("inference").isManagementKey).toBe(false)
  })

  it("deleting a workspace takes its keys with it", () => {
    const state = new OrganizationState("keys")
    const workspace = teamWorkspaces(state)[0]!
    state.remove(workspace.id)
    expect(state.apiKeys.some((k) => k.workspaceId === workspace.id)).toBe(false)
  })
})
