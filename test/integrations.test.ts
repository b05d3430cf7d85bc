/**
 * BYOK credentials, SCIM group mappings and observability destinations over loopback against the
 * simulator: every operation, each documented error, the contract's rules (a second mapping of a group
 * → 409, at most 5 destinations per type → 409, …), validation before sending, lazy listings, and the
 * secrets (provider keys, destination credentials) never shown: not in answers, errors, spans, or an
 * error whose server echoed the request.
 */
import { NodeHttpClient } from "@effect/platform-node"
import { describe, expect, it } from "@effect/vitest"
import { Chunk, Context, Effect, Inspectable, Layer, Redacted, Stream } from "effect"
import { createHash } from "node:crypto"
import * as Byok from "../src/Byok.ts"
import type { AnyDeclaration } from "../src/internal/declaration.ts"
import * as Observability from "../src/Observability.ts"
import * as OpenRouterClient from "../src/OpenRouterClient.ts"
import * as RetryPolicy from "../src/RetryPolicy.ts"
import * as Scim from "../src/Scim.ts"
import { Simulator, type SimulatorOptions } from "../src/simulator/index.ts"
import { clientLayer, rawServer, recorded, recordingTracer } from "./support.ts"

const noRetry = { retry: RetryPolicy.none }
const unknownId = "00000000-0000-4000-a000-000000000000"
const sha256 = (text: string) => createHash("sha256").update(text).digest("hex")

const services = Layer.mergeAll(Byok.Byok.Default, Scim.Scim.Default, Observability.Observability.Default)
const layer = (simulator: SimulatorOptions = {}, client: { readonly retry: RetryPolicy.RetryPolicy } = noRetry) =>
  services.pipe(
    Layer.provideMerge(clientLayer(client)),
    Layer.provide(NodeHttpClient.layerUndici),
    Layer.provideMerge(Simulator.layer({ seed: "test", ...simulator }))
  )

/** The three services against another base URL or with another key (no retries). */
const servicesWith = (options: { apiKey?: Redacted.Redacted<string>; baseUrl?: string }) =>
  Effect.gen(function*() {
    const sim = yield* Simulator
    const context = yield* Layer.build(
      services.pipe(
        Layer.provide(OpenRouterClient.layer({ apiKey: options.apiKey ?? sim.managementKey, baseUrl: options.baseUrl ?? sim.baseUrl, ...noRetry })),
        Layer.provide(NodeHttpClient.layerUndici)
      )
    )
    return {
      byok: Context.get(context, Byok.Byok),
      scim: Context.get(context, Scim.Scim),
      observability: Context.get(context, Observability.Observability)
    }
  })

/** A server that refuses everything with a 400 whose message quotes the request body (a careless proxy). */
const echoingServer = rawServer((request, response) => {
  let body = ""
  request.on("data", (chunk) => (body += chunk))
  request.on("end", () => {
    response.writeHead(400, { "content-type": "application/json" })
    response.end(JSON.stringify({ error: { code: 400, message: `rejected: ${body}` } }))
  })
})

const pathOf = (template: string) => new RegExp(`^${template.replace(/:[A-Za-z]+/g, "[^/]+")}$`)

/** Every documented status of each declaration maps to its typed error; 418 to the default error. */
const documentedErrorsMap = (calls: ReadonlyArray<readonly [AnyDeclaration, Effect.Effect<unknown, { readonly _tag: string }>]>) =>
  Effect.gen(function*() {
    const sim = yield* Simulator
    for (const [declaration, call] of calls) {
      for (const error of declaration.errors) {
        yield* sim.inject({ method: declaration.method, path: pathOf(declaration.template), status: error.status })
        expect([declaration.name, (yield* Effect.flip(call))._tag]).toEqual([declaration.name, error._tag])
      }
      yield* sim.inject({ method: declaration.method, path: pathOf(declaration.template), status: 418 })
      expect([declaration.name, (yield* Effect.flip(call))._tag]).toEqual([declaration.name, "OpenRouterDefaultError"])
    }
  })

/** Nothing we can print or trace shows the secret. */
const expectHidden = (secret: string, ...things: ReadonlyArray<unknown>) => {
  for (const thing of things) {
    for (const shown of [String(thing), Inspectable.format(thing), JSON.stringify(thing) ?? "", (thing as Error)?.message ?? ""]) {
      expect(shown).not.toContain(secret)
    }
  }
}

describe("Byok over loopback", () => {
  it.scoped("create, get, list by provider, stream, rotate the key in place, restrict, delete", () =>
    Effect.gen(function*() {
      const sim = yield* Simulator
      const byok = yield* Byok.Byok
      const secret = "sk-proj-abcdefghijklmnopqrstuvwxyz0123456789"
      const made = yield* byok.create({ provider: "openai", key: Redacted.make(secret), name: "ci openai" })
      expect(made.data).toMatchObject({ provider: "openai", name: "ci openai", workspaceId: sim.state.defaultWorkspaceId, disabled: false })
      expect(made.data.label).toBe("sk-...6789")
      expect(made.data.sortOrder).toBe(1) // the seeded "Production OpenAI" is tried first
      expect(sim.state.byok().find((c) => c.key.id === made.data.id)?.fingerprint).toBe(sha256(secret))
      const { id } = made.data
      expect((yield* byok.get({ id })).data.id).toBe(id)
      const openai = yield* byok.list({ provider: "openai" })
      expect(openai.data.map((k) => k.id)).toContain(id)
      expect(openai.data.every((k) => k.provider === "openai")).toBe(true)
      const everything = Chunk.toReadonlyArray(yield* Stream.runCollect(byok.stream({ pageSize: 1 })))
      expect(everything.map((k) => k.id)).toEqual(
        sim.state.byok().filter((c) => c.key.workspaceId === sim.state.defaultWorkspaceId).map((c) => c.key.id)
      )

      const rotated = "sk-proj-rotated-0000000000000000000000000000WXYZ"
      const hash = sim.state.apiKeys()[0]!.hash
      const updated = yield* byok.update({ id, key: Redacted.make(rotated), allowedApiKeyHashes: [hash], isFallback: true })
      expect(updated.data).toMatchObject({ id, label: "sk-...WXYZ", allowedApiKeyHashes: [hash], isFallback: true })
      expect(sim.state.byok().find((c) => c.key.id === id)?.fingerprint).toBe(sha256(rotated))
      expect((yield* byok.update({ id, allowedApiKeyHashes: null })).data.allowedApiKeyHashes).toBeNull()
      expectHidden(secret, made, updated, openai)
      expectHidden(rotated, updated)

      expect(yield* byok.delete({ id })).toMatchObject({ deleted: true })
      expect((yield* Effect.flip(byok.get({ id })))._tag).toBe("NotFoundResponseError")
      expect((yield* Effect.flip(byok.update({ id, disabled: true })))._tag).toBe("NotFoundResponseError")
      expect((yield* Effect.flip(byok.delete({ id })))._tag).toBe("NotFoundResponseError")
    }).pipe(Effect.provide(layer())))

  it.scoped("the API's refusals: an unknown workspace, an allowlist naming keys that do not exist (400)", () =>
    Effect.gen(function*() {
      const byok = yield* Byok.Byok
      const key = Redacted.make("sk-proj-0123456789")
      expect((yield* Effect.flip(byok.list({ workspaceId: unknownId })))._tag).toBe("BadRequestResponseError")
      expect((yield* Effect.flip(byok.create({ provider: "openai", key, workspaceId: unknownId })))._tag).toBe("BadRequestResponseError")
      const refused = yield* Effect.flip(byok.create({ provider: "openai", key, allowedApiKeyHashes: ["a".repeat(64)] }))
      expect(refused._tag).toBe("BadRequestResponseError")
      expect(refused.message).toMatch(/API keys not found/)
    }).pipe(Effect.provide(layer())))

  it.scoped("the provider key never shows: not in a refusal of bad input, a span, or an error quoting the request", () =>
    Effect.gen(function*() {
      const sim = yield* Simulator
      const byok = yield* Byok.Byok
      const secret = "sk-ant-api03-very-secret-provider-key"
      yield* sim.clearRequests
      const plain = yield* Effect.flip(byok.create({ provider: "anthropic", key: secret as never }))
      expect(plain._tag).toBe("InvalidRequestError")
      expect(plain.message).toMatch(/key: must be a Redacted string/)
      const empty = yield* Effect.flip(byok.update({ id: unknownId, key: Redacted.make("") }))
      expect(empty._tag).toBe("InvalidRequestError")
      expectHidden(secret, plain)
      expect(yield* recorded).toEqual([])

      const { spans, tracer } = recordingTracer()
      yield* byok.create({ provider: "anthropic", key: Redacted.make(secret) }).pipe(Effect.withTracer(tracer))
      expect(spans.map((s) => s.name)).toEqual(["Byok.create"])
      expectHidden(secret, spans.map((s) => [s.name, [...s.attributes]]))

      const echoing = yield* servicesWith({ baseUrl: yield* echoingServer })
      const echoed = yield* Effect.flip(echoing.byok.create({ provider: "anthropic", key: Redacted.make(secret) }))
      expect(echoed._tag).toBe("BadRequestResponseError")
      expect(echoed.message).toContain("[REDACTED]")
      expectHidden(secret, echoed)
      const echoedUpdate = yield* Effect.flip(echoing.byok.update({ id: unknownId, key: Redacted.make(secret) }))
      expect(echoedUpdate.message).toContain("[REDACTED]")
      expectHidden(secret, echoedUpdate)
    }).pipe(Effect.provide(layer())))

  it.scoped("bad input is a typed error and nothing is sent", () =>
    Effect.gen(function*() {
      const sim = yield* Simulator
      const byok = yield* Byok.Byok
      const key = Redacted.make("sk-proj-0123456789")
      yield* sim.clearRequests
      const invalid: Array<Effect.Effect<unknown, { readonly _tag: string }>> = [
        byok.create({ provider: "nope" as never, key }),
        byok.create({ provider: "openai", key, name: "x".repeat(256) }),
        byok.create({ provider: "openai", key, allowedApiKeyHashes: [] }),
        byok.create({ provider: "openai", key, allowedApiKeyHashes: ["ABC"] }),
        byok.create({ provider: "openai", key, workspaceId: "production" }),
        byok.update({ id: "not-a-uuid", disabled: true }),
        byok.list({ limit: 101 }),
        byok.list({ provider: "nope" as never }),
        Stream.runDrain(byok.stream({ pageSize: 0 }))
      ]
      for (const call of invalid) expect((yield* Effect.flip(call))._tag).toBe("InvalidRequestError")
      expect(yield* recorded).toEqual([])
    }).pipe(Effect.provide(layer())))
})

describe("Scim over loopback", () => {
  const teamOf = Effect.map(Simulator, (sim) => sim.state.workspaces().filter((w) => w.id !== sim.state.defaultWorkspaceId))

  it.scoped("groups as a page and a Stream; the seeded mapping is listed", () =>
    Effect.gen(function*() {
      const sim = yield* Simulator
      const scim = yield* Scim.Scim
      const page = yield* scim.listGroups({ limit: 2 })
      expect(page.totalCount).toBe(sim.state.scimGroups().length)
      expect(page.data).toHaveLength(2)
      const all = Chunk.toReadonlyArray(yield* Stream.runCollect(scim.streamGroups({ pageSize: 2 })))
      expect(all.map((g) => g.id)).toEqual(sim.state.scimGroups().map((g) => g.id))
      const mappings = Chunk.toReadonlyArray(yield* Stream.runCollect(scim.streamMappings()))
      expect(mappings.map((m) => m.id)).toEqual(sim.state.scimMappings().map((m) => m.id))
    }).pipe(Effect.provide(layer())))

  it.scoped("a mapping grants the group's members its role; a second mapping of the group is a 409; the role follows updates", () =>
    Effect.gen(function*() {
      const sim = yield* Simulator
      const scim = yield* Scim.Scim
      const workspace = (yield* teamOf)[1]!
      const group = sim.state.scimGroups()[1]!
      const people = sim.state.scimGroupMembers(group.id)
      const before = new Set(sim.state.workspaceMembers(workspace.id).map((m) => m.userId))
      const newcomers = people.filter((id) => !before.has(id))
      expect(newcomers.length).toBeGreaterThan(0)

      const made = yield* scim.createMapping({ scimGroupId: group.id, workspaceId: workspace.id, role: "member" })
      expect(made.data).toMatchObject({ scimGroupId: group.id, workspaceId: workspace.id, role: "member" })
      const roleOf = (userId: string) => sim.state.workspaceMembers(workspace.id).find((m) => m.userId === userId)?.role
      for (const id of newcomers) expect(roleOf(id)).toBe("member")

      const twice = yield* Effect.flip(scim.createMapping({ scimGroupId: group.id, workspaceId: workspace.id, role: "admin" }))
      expect(twice._tag).toBe("ConflictResponseError")
      expect(twice.message).toMatch(/already mapped/)
      expect((yield* Effect.flip(scim.createMapping({ scimGroupId: group.id, workspaceId: workspace.id, role: "member" })))._tag)
        .toBe("ConflictResponseError")

      const promoted = yield* scim.updateMapping({ id: made.data.id, role: "admin" })
      expect(promoted.data.role).toBe("admin")
      expect((yield* scim.getMapping({ id: made.data.id })).data.role).toBe("admin")
      for (const id of newcomers) expect(roleOf(id)).toBe("admin")
      // members who were there before the mapping keep their own role
      for (const id of people.filter((id) => before.has(id))) expect(roleOf(id)).not.toBeUndefined()
    }).pipe(Effect.provide(layer())))

  it.scoped("deleting a mapping: keepMembers true leaves its members, false removes them (and only them)", () =>
    Effect.gen(function*() {
      const sim = yield* Simulator
      const scim = yield* Scim.Scim
      const [first, second] = (yield* teamOf).slice(1, 3)
      const group = sim.state.scimGroups()[2]!
      const members = (workspaceId: string) => new Set(sim.state.workspaceMembers(workspaceId).map((m) => m.userId))
      for (const [workspace, keepMembers] of [[first!, true], [second!, false]] as const) {
        const before = members(workspace.id)
        const made = yield* scim.createMapping({ scimGroupId: group.id, workspaceId: workspace.id, role: "member" })
        const granted = [...members(workspace.id)].filter((id) => !before.has(id))
        expect(granted.length).toBeGreaterThan(0)
        expect(yield* scim.deleteMapping({ id: made.data.id, keepMembers })).toMatchObject({ deleted: true })
        expect([...members(workspace.id)].sort()).toEqual(keepMembers ? [...before, ...granted].sort() : [...before].sort())
        expect((yield* Effect.flip(scim.getMapping({ id: made.data.id })))._tag).toBe("NotFoundResponseError")
      }
    }).pipe(Effect.provide(layer())))

  it.scoped("the API's refusals: an unknown group or workspace (404), a delete that does not say keep_members (400)", () =>
    Effect.gen(function*() {
      const sim = yield* Simulator
      const scim = yield* Scim.Scim
      const group = sim.state.scimGroups()[0]!
      expect((yield* Effect.flip(scim.createMapping({ scimGroupId: unknownId, workspaceId: sim.state.defaultWorkspaceId, role: "member" })))._tag)
        .toBe("NotFoundResponseError")
      expect((yield* Effect.flip(scim.createMapping({ scimGroupId: group.id, workspaceId: unknownId, role: "member" })))._tag)
        .toBe("NotFoundResponseError")
      expect((yield* Effect.flip(scim.updateMapping({ id: unknownId, role: "admin" })))._tag).toBe("NotFoundResponseError")
      expect((yield* Effect.flip(scim.deleteMapping({ id: unknownId, keepMembers: true })))._tag).toBe("NotFoundResponseError")
      // the client cannot leave keep_members out; a raw request that does is refused by the API
      const id = sim.state.scimMappings()[0]!.id
      const raw = yield* Effect.promise(() =>
        fetch(`${sim.baseUrl}/scim/group-mappings/${id}`, {
          method: "DELETE",
          headers: { authorization: `Bearer ${Redacted.value(sim.managementKey)}` }
        })
      )
      expect(raw.status).toBe(400)
      expect(sim.state.scimMappings().map((m) => m.id)).toContain(id)
      expect((yield* Effect.flip(scim.deleteMapping({ id } as never)))._tag).toBe("InvalidRequestError")
    }).pipe(Effect.provide(layer())))

  it.scoped("bad input is a typed error and nothing is sent", () =>
    Effect.gen(function*() {
      const sim = yield* Simulator
      const scim = yield* Scim.Scim
      yield* sim.clearRequests
      const invalid: Array<Effect.Effect<unknown, { readonly _tag: string }>> = [
        scim.createMapping({ scimGroupId: "group", workspaceId: unknownId, role: "member" }),
        scim.createMapping({ scimGroupId: unknownId, workspaceId: unknownId, role: "owner" as never }),
        scim.updateMapping({ id: unknownId, role: "" as never }),
        scim.deleteMapping({ id: unknownId, keepMembers: "false" as never }),
        scim.listGroups({ offset: -1 }),
        Stream.runDrain(scim.streamMappings({ pageSize: 1000 }))
      ]
      for (const call of invalid) expect((yield* Effect.flip(call))._tag).toBe("InvalidRequestError")
      expect(yield* recorded).toEqual([])
    }).pipe(Effect.provide(layer())))
})

describe("Observability over loopback", () => {
  const langfuse = (name: string, secret = "sk-lf-0123456789abcdef") => ({
    type: "langfuse" as const,
    name,
    config: { baseUrl: "https://cloud.langfuse.com", publicKey: "pk-lf-public", secretKey: Redacted.make(secret) }
  })

  it.scoped("create, get, list, stream, update (a partial config keeps the rest; masked values are ignored), delete", () =>
    Effect.gen(function*() {
      const sim = yield* Simulator
      const observability = yield* Observability.Observability
      const secret = "sk-lf-1111111111111111-secret"
      const made = yield* observability.create({ ...langfuse("staging traces", secret), samplingRate: 0.5 })
      expect(made.data).toMatchObject({
        type: "langfuse",
        name: "staging traces",
        enabled: true,
        privacyMode: false,
        samplingRate: 0.5,
        apiKeyHashes: null
      })
      expect(made.data.config.publicKey).toBe("pk-lf-public")
      expect(Redacted.isRedacted(made.data.config.secretKey)).toBe(true)
      expect(Redacted.value(made.data.config.secretKey as Redacted.Redacted<string>)).toBe("sk-l...cret")
      const stored = sim.state.destinations().find((d) => d.destination.id === made.data.id)!
      expect(stored.fingerprints.get("secretKey")).toBe(sha256(secret))
      const { id } = made.data
      expect((yield* observability.get({ id })).data.name).toBe("staging traces")
      const all = Chunk.toReadonlyArray(yield* Stream.runCollect(observability.stream({ pageSize: 1 })))
      expect(all.map((d) => d.id)).toContain(id)
      expect((yield* observability.list()).totalCount).toBe(all.length)

      // sending back what GET answered (masked) changes nothing; a new header is stored, masked
      const echoedBack = yield* observability.update({
        id,
        name: "staging",
        config: { secretKey: made.data.config.secretKey, headers: { "x-team": Redacted.make("data-platform-token") } }
      })
      expect(echoedBack.data.name).toBe("staging")
      expect(echoedBack.data.config.publicKey).toBe("pk-lf-public")
      const after = sim.state.destinations().find((d) => d.destination.id === id)!
      expect(after.fingerprints.get("secretKey")).toBe(sha256(secret))
      expect(after.fingerprints.get("headers.x-team")).toBe(sha256("data-platform-token"))
      const disabled = yield* observability.update({
        id,
        enabled: false,
        filterRules: { groups: [{ logic: "or", rules: [{ field: "model", operator: "contains", value: "gpt" }] }] }
      })
      expect(disabled.data.enabled).toBe(false)
      expect(disabled.data.filterRules?.groups[0]?.rules[0]).toEqual({ field: "model", operator: "contains", value: "gpt" })
      expectHidden(secret, made, echoedBack, disabled)
      expectHidden("data-platform-token", echoedBack)

      expect(yield* observability.delete({ id })).toMatchObject({ deleted: true })
      expect((yield* Effect.flip(observability.get({ id })))._tag).toBe("NotFoundResponseError")
      expect((yield* Effect.flip(observability.update({ id, enabled: true })))._tag).toBe("NotFoundResponseError")
      expect((yield* Effect.flip(observability.delete({ id })))._tag).toBe("NotFoundResponseError")
    }).pipe(Effect.provide(layer())))

  it.scoped("at most 5 destinations per type per workspace, names unique in a workspace (409)", () =>
    Effect.gen(function*() {
      const sim = yield* Simulator
      const observability = yield* Observability.Observability
      const existing = sim.state.destinations().filter((d) =>
        d.destination.type === "langfuse" && d.destination.workspaceId === sim.state.defaultWorkspaceId
      ).length
      for (let i = existing; i < 5; i++) yield* observability.create(langfuse(`langfuse ${i}`))
      const sixth = yield* Effect.flip(observability.create(langfuse("one too many")))
      expect(sixth._tag).toBe("ConflictResponseError")
      expect(sixth.message).toMatch(/at most 5 langfuse/)
      // another type, another workspace: fine
      yield* observability.create({ type: "webhook", name: "hook", config: { url: "https://example.com/hook" } })
      const team = sim.state.workspaces().find((w) => w.id !== sim.state.defaultWorkspaceId)!
      yield* observability.create({ ...langfuse("langfuse 1"), workspaceId: team.id })
      // the same name in the same workspace, by create or by rename
      expect((yield* Effect.flip(observability.create({ type: "webhook", name: "hook", config: { url: "https://example.com/2" } })))._tag)
        .toBe("ConflictResponseError")
      const other = yield* observability.create({ type: "webhook", name: "hook 2", config: { url: "https://example.com/2" } })
      expect((yield* Effect.flip(observability.update({ id: other.data.id, name: "hook" })))._tag).toBe("ConflictResponseError")
    }).pipe(Effect.provide(layer())))

  it.scoped("the API's refusals: missing config fields, unknown workspace or key (400), locked privacy (403)", () =>
    Effect.gen(function*() {
      const sim = yield* Simulator
      const observability = yield* Observability.Observability
      const missing = yield* Effect.flip(observability.create({ type: "s3", name: "archive", config: { bucketName: "traces" } }))
      expect(missing._tag).toBe("BadRequestResponseError")
      expect(missing.message).toMatch(/accessKeyId, secretAccessKey/)
      expect((yield* Effect.flip(observability.list({ workspaceId: unknownId })))._tag).toBe("BadRequestResponseError")
      expect((yield* Effect.flip(observability.create({ ...langfuse("x"), workspaceId: unknownId })))._tag).toBe("BadRequestResponseError")
      expect((yield* Effect.flip(observability.create({ ...langfuse("x"), apiKeyHashes: ["f".repeat(64)] })))._tag).toBe("BadRequestResponseError")
      const locked = sim.state.privacyLocked()[0]!
      const made = yield* observability.create({ ...langfuse("private"), workspaceId: locked, privacyMode: true })
      const refused = yield* Effect.flip(observability.update({ id: made.data.id, privacyMode: false }))
      expect(refused._tag).toBe("ForbiddenResponseError")
      expect(refused.message).toMatch(/locked/)
      expect((yield* observability.update({ id: made.data.id, samplingRate: 0.1 })).data.privacyMode).toBe(true)
    }).pipe(Effect.provide(layer())))

  it.scoped("credentials never show: not in a refusal of bad input, a span, or an error quoting the request", () =>
    Effect.gen(function*() {
      const sim = yield* Simulator
      const observability = yield* Observability.Observability
      const secret = "dd-api-key-0123456789abcdef-secret"
      yield* sim.clearRequests
      const plain = yield* Effect.flip(observability.create({ type: "datadog", name: "dd", config: { apiKey: secret, mlApp: "app" } }))
      expect(plain._tag).toBe("InvalidRequestError")
      expect(plain.message).toMatch(/credentials .* must be an object|Redacted strings/)
      const header = yield* Effect.flip(observability.update({ id: unknownId, config: { headers: { Authorization: `Bearer ${secret}` } } }))
      expect(header._tag).toBe("InvalidRequestError")
      expectHidden(secret, plain, header)
      expect(yield* recorded).toEqual([])

      const { spans, tracer } = recordingTracer()
      const made = yield* observability.create({ type: "datadog", name: "dd", config: { apiKey: Redacted.make(secret), mlApp: "app" } }).pipe(
        Effect.withTracer(tracer)
      )
      expect(spans.map((s) => s.name)).toEqual(["Observability.create"])
      expectHidden(secret, made, spans.map((s) => [s.name, [...s.attributes]]))

      const echoing = yield* servicesWith({ baseUrl: yield* echoingServer })
      const config = { apiKey: Redacted.make(secret), mlApp: "app", headers: { Authorization: Redacted.make(`Bearer ${secret}`) } }
      const echoed = yield* Effect.flip(echoing.observability.create({ type: "datadog", name: "dd", config }))
      expect(echoed._tag).toBe("BadRequestResponseError")
      expect(echoed.message).toContain("[REDACTED]")
      expectHidden(secret, echoed)
      expectHidden(secret, yield* Effect.flip(echoing.observability.update({ id: unknownId, config })))
    }).pipe(Effect.provide(layer())))

  it.scoped("bad input is a typed error and nothing is sent", () =>
    Effect.gen(function*() {
      const sim = yield* Simulator
      const observability = yield* Observability.Observability
      yield* sim.clearRequests
      const invalid: Array<Effect.Effect<unknown, { readonly _tag: string }>> = [
        observability.create({ ...langfuse("x"), type: "splunk" as never }),
        observability.create({ ...langfuse(""), name: "" }),
        observability.create({ ...langfuse("x"), samplingRate: 0 }),
        observability.create({ ...langfuse("x"), samplingRate: 1.5 }),
        observability.create({ ...langfuse("x"), apiKeyHashes: [] }),
        observability.create({ ...langfuse("x"), config: "secret" as never }),
        observability.update({ id: unknownId, filterRules: { groups: [{ rules: [{ field: "cost", operator: "equals" }] }] } as never }),
        observability.update({ id: "nope", enabled: true }),
        observability.list({ workspaceId: "default" }),
        Stream.runDrain(observability.stream({ offset: -1 }))
      ]
      for (const call of invalid) expect((yield* Effect.flip(call))._tag).toBe("InvalidRequestError")
      expect(yield* recorded).toEqual([])
    }).pipe(Effect.provide(layer())))
})

describe("documented errors, keys and spans", () => {
  it.scoped("each documented error status maps to its typed error; an undocumented one to the default error", () =>
    Effect.gen(function*() {
      const byok = yield* Byok.Byok
      const scim = yield* Scim.Scim
      const observability = yield* Observability.Observability
      const key = Redacted.make("sk-proj-0123456789")
      yield* documentedErrorsMap([
        [Byok.operations.list, byok.list()],
        [Byok.operations.create, byok.create({ provider: "openai", key })],
        [Byok.operations.get, byok.get({ id: unknownId })],
        [Byok.operations.update, byok.update({ id: unknownId, disabled: true })],
        [Byok.operations.delete, byok.delete({ id: unknownId })],
        [Scim.operations.listGroups, scim.listGroups()],
        [Scim.operations.listMappings, scim.listMappings()],
        [Scim.operations.createMapping, scim.createMapping({ scimGroupId: unknownId, workspaceId: unknownId, role: "member" })],
        [Scim.operations.getMapping, scim.getMapping({ id: unknownId })],
        [Scim.operations.updateMapping, scim.updateMapping({ id: unknownId, role: "admin" })],
        [Scim.operations.deleteMapping, scim.deleteMapping({ id: unknownId, keepMembers: true })],
        [Observability.operations.list, observability.list()],
        [Observability.operations.create, observability.create({ type: "webhook", name: "h", config: { url: "https://x" } })],
        [Observability.operations.get, observability.get({ id: unknownId })],
        [Observability.operations.update, observability.update({ id: unknownId, enabled: true })],
        [Observability.operations.delete, observability.delete({ id: unknownId })]
      ])
    }).pipe(Effect.provide(layer())))

  it.scoped("an inference key: 403 where the contract documents it, else 401; an unknown key: 401", () =>
    Effect.gen(function*() {
      const sim = yield* Simulator
      const inference = yield* servicesWith({ apiKey: sim.inferenceKey })
      const key = Redacted.make("sk-proj-0123456789")
      expect((yield* Effect.flip(inference.byok.create({ provider: "openai", key })))._tag).toBe("ForbiddenResponseError")
      expect((yield* Effect.flip(inference.byok.list()))._tag).toBe("UnauthorizedResponseError")
      expect((yield* Effect.flip(inference.scim.listGroups()))._tag).toBe("UnauthorizedResponseError")
      expect((yield* Effect.flip(inference.observability.create({ type: "webhook", name: "h", config: { url: "https://x" } })))._tag)
        .toBe("ForbiddenResponseError")
      const stranger = yield* servicesWith({ apiKey: Redacted.make("sk-or-v1-not-a-real-key") })
      expect((yield* Effect.flip(stranger.observability.list()))._tag).toBe("UnauthorizedResponseError")
    }).pipe(Effect.provide(layer())))

  it.scoped("each operation runs in a span named after it", () =>
    Effect.gen(function*() {
      const sim = yield* Simulator
      const { spans, tracer } = recordingTracer()
      yield* Effect.gen(function*() {
        yield* (yield* Byok.Byok).list()
        yield* (yield* Scim.Scim).listGroups()
        yield* (yield* Scim.Scim).getMapping({ id: sim.state.scimMappings()[0]!.id })
        yield* (yield* Observability.Observability).list()
      }).pipe(Effect.withTracer(tracer))
      expect(spans.map((s) => s.name)).toEqual(["Byok.list", "Scim.listGroups", "Scim.getMapping", "Observability.list"])
    }).pipe(Effect.provide(layer())))
})

describe("creates are never replayed after an ambiguous failure; everything else is retried", () => {
  const retrying = { retry: RetryPolicy.make({ initialDelay: "1 millis", jitter: false }) }

  it.scopedLive("Byok.create, Scim.createMapping, Observability.create: one POST after a 500, retried after a 429", () =>
    Effect.gen(function*() {
      const sim = yield* Simulator
      const byok = yield* Byok.Byok
      const scim = yield* Scim.Scim
      const observability = yield* Observability.Observability
      const mapped = new Set(sim.state.scimMappings().map((m) => `${m.scimGroupId} ${m.workspaceId}`))
      const pairs = sim.state.scimGroups().flatMap((g) =>
        sim.state.workspaces().filter((w) => !mapped.has(`${g.id} ${w.id}`)).map((w) => ({ scimGroupId: g.id, workspaceId: w.id }))
      )
      let pair = 0
      const cases: ReadonlyArray<{ path: string; create: () => Effect.Effect<unknown, { readonly _tag: string }>; count: () => number }> = [
        {
          path: "/byok",
          create: () => byok.create({ provider: "openai", key: Redacted.make("sk-proj-0123456789abcdef"), name: "maybe" }),
          count: () => sim.state.byok().length
        },
        {
          path: "/scim/group-mappings",
          create: () => scim.createMapping({ ...pairs[pair++]!, role: "member" }),
          count: () => sim.state.scimMappings().length
        },
        {
          path: "/observability/destinations",
          create: () => observability.create({ type: "webhook", name: `maybe ${pair++}`, config: { url: "https://hooks.example.com/traces" } }),
          count: () => sim.state.destinations().length
        }
      ]
      for (const { count, create, path } of cases) {
        const posts = Effect.map(recorded, (all) => all.filter((r) => r.method === "POST" && r.path === path).length)
        yield* sim.clearRequests
        const before = count()
        // the server made it, then the answer was a 500: a replay would make a twin
        yield* sim.inject({ method: "POST", path: new RegExp(`^${path}$`), status: 500, after: "handle" })
        expect([path, (yield* Effect.flip(create()))._tag]).toEqual([path, "InternalServerResponseError"])
        expect([path, yield* posts]).toEqual([path, 1])
        expect([path, count()]).toEqual([path, before + 1])
        // a 429 is a refusal (nothing was made): retried
        yield* sim.inject({ method: "POST", path: new RegExp(`^${path}$`), status: 429 })
        yield* create()
        expect([path, yield* posts]).toEqual([path, 3])
        expect([path, count()]).toEqual([path, before + 2])
      }
      // a read is retried after a 500
      const id = sim.state.scimMappings()[0]!.id
      yield* sim.clearRequests
      yield* sim.inject({ method: "GET", path: /^\/scim\/group-mappings\//, status: 500 })
      expect((yield* scim.getMapping({ id })).data.id).toBe(id)
      expect((yield* recorded).filter((r) => r.method === "GET")).toHaveLength(2)
    }).pipe(Effect.provide(layer({}, retrying))))
})
