/**
 * The Workspaces and Organization services over real loopback HTTP against the simulator:
 * every operation's happy path and documented errors, validation before sending, and pagination.
 */
import { HttpClient, HttpClientRequest } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import { Chunk, Effect, Exit, Redacted, Stream } from "effect"
import { Workspace, WorkspaceBudget } from "../src/Domain.ts"
import { Organization } from "../src/Organization.ts"
import * as RetryPolicy from "../src/RetryPolicy.ts"
import { Simulator } from "../src/simulator/index.ts"
import { Workspaces } from "../src/Workspaces.ts"
import { rawServer, recorded, servicesLayer, withKey } from "./support.ts"

const noRetry = { retry: RetryPolicy.none }

describe("Workspaces", () => {
  it.scoped("list returns a page with totalCount; stream walks every workspace", () =>
    Effect.gen(function*() {
      const workspaces = yield* Workspaces
      const page = yield* workspaces.list({ offset: 0, limit: 2 })
      expect(page.data).toHaveLength(2)
      expect(page.data[0]).toBeInstanceOf(Workspace)
      expect(page.totalCount).toBeGreaterThan(2)
      const all = yield* Stream.runCollect(workspaces.stream({ pageSize: 2 }))
      expect(all.length).toBe(page.totalCount)
      expect(new Set(Chunk.toReadonlyArray(all).map((w) => w.id)).size).toBe(page.totalCount)
      expect(Chunk.toReadonlyArray(all).some((w) => w.slug === "default")).toBe(true)
    }).pipe(Effect.provide(servicesLayer())))

  it.scoped("create, get by id and slug (static accessor too), update, delete", () =>
    Effect.gen(function*() {
      const workspaces = yield* Workspaces
      const created = yield* workspaces.create({
        name: "Production",
        slug: "production",
        description: "prod",
        defaultTextModel: "openai/gpt-4o",
        ioLoggingSamplingRate: 0.5,
        isDataDiscountLoggingEnabled: true
      })
      expect(created.data).toBeInstanceOf(Workspace)
      expect(created.data).toMatchObject({
        name: "Production",
        slug: "production",
        description: "prod",
        defaultTextModel: "openai/gpt-4o",
        ioLoggingSamplingRate: 0.5,
        isDataDiscountLoggingEnabled: true
      })
      const bySlug = yield* Workspaces.get({ id: "production" })
      const byId = yield* workspaces.get({ id: created.data.id })
      expect(bySlug.data.id).toBe(created.data.id)
      expect(byId.data.slug).toBe("production")

      const updated = yield* workspaces.update({ id: "production", name: "Prod", description: null })
      expect(updated.data).toMatchObject({ id: created.data.id, name: "Prod", description: null, slug: "production" })

      const deleted = yield* workspaces.delete({ id: created.data.id })
      expect(deleted.deleted).toBe(true)
      const gone = yield* Effect.flip(workspaces.get({ id: "production" }))
      expect(gone._tag).toBe("NotFoundResponseError")
    }).pipe(Effect.provide(servicesLayer())))

  it.scoped("documented errors: 400 duplicate slug, 404 unknown, 403 for the default workspace", () =>
    Effect.gen(function*() {
      const workspaces = yield* Workspaces
      const duplicate = yield* Effect.flip(workspaces.create({ name: "Default again", slug: "default" }))
      expect(duplicate._tag).toBe("BadRequestResponseError")
      expect(duplicate).toMatchObject({ status: 400, method: "POST", path: "/workspaces" })

      const missing = yield* Effect.flip(workspaces.get({ id: "no-such-workspace" }))
      expect(missing._tag).toBe("NotFoundResponseError")
      expect(missing).toMatchObject({ status: 404, code: 404, method: "GET", path: "/workspaces/no-such-workspace" })

      for (
        const error of yield* Effect.all([
          Effect.flip(workspaces.update({ id: "no-such-workspace", name: "x" })),
          Effect.flip(workspaces.delete({ id: "no-such-workspace" })),
          Effect.flip(workspaces.listBudgets({ id: "no-such-workspace" })),
          Effect.flip(workspaces.listMembers({ id: "no-such-workspace" })),
          Effect.flip(workspaces.bulkAddMembers({ id: "no-such-workspace", userIds: ["user_x"] }))
        ])
      ) {
        expect(error._tag).toBe("NotFoundResponseError")
      }

      const defaultDelete = yield* Effect.flip(workspaces.delete({ id: "default" }))
      expect(defaultDelete._tag).toBe("ForbiddenResponseError")
    }).pipe(Effect.provide(servicesLayer({}, noRetry))))

  it.scoped("disabled_server_tools: set on create, replaced and cleared on update, returned on reads", () =>
    Effect.gen(function*() {
      const workspaces = yield* Workspaces
      const sim = yield* Simulator
      const created = yield* workspaces.create({
        name: "Tools",
        slug: "tools",
        disabledServerTools: ["openrouter:web_search", "openrouter:bash"]
      })
      expect(created.data.disabledServerTools).toEqual(["openrouter:web_search", "openrouter:bash"])
      // an open enum: a tool this client does not know yet passes through
      const replaced = yield* workspaces.update({ id: "tools", disabledServerTools: ["openrouter:some_future_tool"] })
      expect(replaced.data.disabledServerTools).toEqual(["openrouter:some_future_tool"])
      expect((yield* workspaces.get({ id: "tools" })).data.disabledServerTools).toEqual(["openrouter:some_future_tool"])
      const cleared = yield* workspaces.update({ id: "tools", disabledServerTools: [] })
      expect(cleared.data.disabledServerTools).toBeNull()
      // the simulator reads the body's snake_case disabled_server_tools: what it stored is what was sent
      expect(sim.state.workspaces().find((w) => w.slug === "tools")!.disabledServerTools).toBeNull()
    }).pipe(Effect.provide(servicesLayer())))

  it.scoped("the default workspace is deleted only with confirmDefaultWorkspaceDeletion: true", () =>
    Effect.gen(function*() {
      const workspaces = yield* Workspaces
      const sim = yield* Simulator
      const refused = yield* Effect.flip(workspaces.delete({ id: "default" }))
      expect(refused._tag).toBe("ForbiddenResponseError")
      expect(refused.message).toMatch(/confirm_default_workspace_deletion/)
      // false is sent as false, and is not a confirmation
      yield* Effect.flip(workspaces.delete({ id: "default", confirmDefaultWorkspaceDeletion: false }))
      const confirmed = yield* workspaces.delete({ id: "default", confirmDefaultWorkspaceDeletion: true })
      expect(confirmed.deleted).toBe(true)
      const queries = (yield* sim.requests).filter((r) => r.method === "DELETE").map((r) => r.query)
      expect(queries).toEqual(["", "confirm_default_workspace_deletion=false", "confirm_default_workspace_deletion=true"])
    }).pipe(Effect.provide(servicesLayer({}, noRetry))))

  it.scoped("a workspace with active API keys cannot be deleted (400)", () =>
    Effect.gen(function*() {
      const sim = yield* Simulator
      const workspaces = yield* Workspaces
      const withKeys = sim.state.workspaces().find((w) =>
        w.slug !== "default" && sim.state.apiKeys().some((k) => k.workspaceId === w.id && k.active)
      )!
      expect(withKeys).toBeDefined()
      const error = yield* Effect.flip(workspaces.delete({ id: withKeys.id }))
      expect(error._tag).toBe("BadRequestResponseError")
      expect(error.message).toMatch(/API key/i)
    }).pipe(Effect.provide(servicesLayer({}, noRetry))))

  it.scoped("401 for an unknown key, and the key never shows in the error", () =>
    Effect.gen(function*() {
      const workspaces = yield* Workspaces
      const error = yield* Effect.flip(workspaces.list())
      expect(error._tag).toBe("UnauthorizedResponseError")
      expect(error.message).toContain("OPENROUTER_API_KEY")
      const text = `${error.message} ${JSON.stringify(error)} ${String(error)} ${error.stack ?? ""}`
      expect(text).not.toContain("sk-or-v1-very-secret")
    }).pipe(Effect.provide(servicesLayer({}, { ...noRetry, apiKey: Redacted.make("sk-or-v1-very-secret") }))))

  it.scoped("403 with a non-management key names the remedy", () =>
    Effect.gen(function*() {
      const sim = yield* Simulator
      const workspaces = yield* withKey(sim.inferenceKey)
      const error = yield* Effect.flip(workspaces.create({ name: "X", slug: "x" }))
      expect(error._tag).toBe("ForbiddenResponseError")
      expect(error.message).toContain("management key")
    }).pipe(Effect.provide(servicesLayer({}, noRetry))))

  it.scoped("budgets: set, get, list, the lifetime > monthly > weekly > daily rule, delete", () =>
    Effect.gen(function*() {
      const workspaces = yield* Workspaces
      const { data: ws } = yield* workspaces.create({ name: "Budgets", slug: "budgets" })
      const monthly = yield* workspaces.setBudget({ id: ws.id, interval: "monthly", limitUsd: 100 })
      expect(monthly.data).toBeInstanceOf(WorkspaceBudget)
      expect(monthly.data).toMatchObject({ limitUsd: 100, resetInterval: "monthly", workspaceId: ws.id })
      const lifetime = yield* workspaces.setBudget({
        id: "budgets",
        interval: "lifetime",
        limitUsd: 1000,
        includeByokInBudgets: true
      })
      expect(lifetime.data.resetInterval).toBeNull()
      expect(lifetime.data.interval).toBe("lifetime")
      expect(lifetime.includeByokInBudgets).toBe(true)

      const tooHigh = yield* Effect.flip(workspaces.setBudget({ id: ws.id, interval: "weekly", limitUsd: 150 }))
      expect(tooHigh._tag).toBe("BadRequestResponseError")

      const got = yield* workspaces.getBudget({ id: ws.id, interval: "monthly" })
      expect(got.data.limitUsd).toBe(100)
      const list = yield* workspaces.listBudgets({ id: ws.id })
      expect(list.data.map((b) => b.interval).sort()).toEqual(["lifetime", "monthly"])
      expect(list.includeByokInBudgets).toBe(true)

      expect((yield* workspaces.deleteBudget({ id: ws.id, interval: "monthly" })).deleted).toBe(true)
      const missing = yield* Effect.flip(workspaces.getBudget({ id: ws.id, interval: "monthly" }))
      expect(missing._tag).toBe("NotFoundResponseError")
      const missingDelete = yield* Effect.flip(workspaces.deleteBudget({ id: ws.id, interval: "monthly" }))
      expect(missingDelete._tag).toBe("NotFoundResponseError")
    }).pipe(Effect.provide(servicesLayer({}, noRetry))))

  it.scoped("members: add, skip existing, unknown id fails the whole call, remove, blocked removal", () =>
    Effect.gen(function*() {
      const sim = yield* Simulator
      const workspaces = yield* Workspaces
      const organization = yield* Organization
      const orgMembers = Chunk.toReadonlyArray(yield* Stream.runCollect(organization.streamMembers()))
      const [a, b, c] = orgMembers.map((m) => m.id)
      const { data: ws } = yield* workspaces.create({ name: "Team", slug: "team" })

      const added = yield* workspaces.bulkAddMembers({ id: "team", userIds: [a!, b!] })
      expect(added.addedCount).toBe(2)
      expect(added.data.map((m) => m.userId).sort()).toEqual([a, b].sort())
      expect(added.data.every((m) => m.workspaceId === ws.id)).toBe(true)

      const again = yield* workspaces.bulkAddMembers({ id: "team", userIds: [a!, c!] })
      expect(again.addedCount).toBe(1)

      const unknown = yield* Effect.flip(workspaces.bulkAddMembers({ id: "team", userIds: [c!, "user_not_in_org"] }))
      expect(unknown._tag).toBe("BadRequestResponseError")
      expect(unknown.message).toContain("user_not_in_org")

      const members = yield* Stream.runCollect(workspaces.streamMembers({ id: "team", pageSize: 2 }))
      expect(Chunk.toReadonlyArray(members).map((m) => m.userId).sort()).toEqual([a, b, c].sort())

      const removed = yield* workspaces.bulkRemoveMembers({ id: ws.id, userIds: [a!, "user_never_member"] })
      expect(removed.removedCount).toBe(1)
      expect((yield* workspaces.listMembers({ id: "team" })).totalCount).toBe(2)

      const blocked = sim.state.apiKeys().find((k) => k.active && sim.state.workspaces().some((w) => w.id === k.workspaceId && w.slug !== "default"))!
      const blockedError = yield* Effect.flip(
        workspaces.bulkRemoveMembers({ id: blocked.workspaceId, userIds: [blocked.userId] })
      )
      expect(blockedError._tag).toBe("BadRequestResponseError")
    }).pipe(Effect.provide(servicesLayer({}, noRetry))))

  it.scoped("the default workspace lists every organization member", () =>
    Effect.gen(function*() {
      const workspaces = yield* Workspaces
      const organization = yield* Organization
      const org = yield* organization.listMembers({ limit: 1 })
      const members = yield* workspaces.listMembers({ id: "default", limit: 1 })
      expect(members.totalCount).toBe(org.totalCount)
    }).pipe(Effect.provide(servicesLayer())))
})

describe("validation happens before anything is sent", () => {
  it.scoped("every rule yields InvalidRequestError and no request", () =>
    Effect.gen(function*() {
      const workspaces = yield* Workspaces
      const organization = yield* Organization
      const attempts: Array<Effect.Effect<unknown, { readonly _tag: string }>> = [
        workspaces.create({ name: "Bad", slug: "Bad Slug" }),
        workspaces.create({ name: "Bad", slug: "double--hyphen" }),
        workspaces.create({ name: "Bad", slug: "x".repeat(51) }),
        workspaces.create({ name: "", slug: "ok" }),
        workspaces.create({ name: "n".repeat(101), slug: "ok" }),
        workspaces.create({ name: "ok", slug: "ok", description: "d".repeat(501) }),
        workspaces.create({ name: "ok", slug: "ok", ioLoggingSamplingRate: 0 }),
        workspaces.update({ id: "ok", ioLoggingSamplingRate: 1.5 }),
        workspaces.get({ id: "" }),
        workspaces.bulkAddMembers({ id: "ok", userIds: [] }),
        workspaces.bulkAddMembers({ id: "ok", userIds: [""] }),
        workspaces.bulkRemoveMembers({ id: "ok", userIds: Array.from({ length: 101 }, (_, i) => `user_${i}`) }),
        workspaces.setBudget({ id: "ok", interval: "monthly", limitUsd: 0 }),
        workspaces.setBudget({ id: "ok", interval: "monthly", limitUsd: -5 }),
        workspaces.setBudget({ id: "ok", interval: "yearly" as any, limitUsd: 5 }),
        workspaces.list({ limit: 0 }),
        workspaces.list({ limit: 101 }),
        workspaces.list({ offset: -1 }),
        workspaces.listMembers({ id: "ok", limit: 1.5 }),
        organization.listMembers({ limit: 1000 })
      ]
      for (const attempt of attempts) {
        const error = yield* Effect.flip(attempt)
        expect(error._tag).toBe("InvalidRequestError")
      }
      const pageSize = yield* Effect.flip(Stream.runDrain(workspaces.stream({ pageSize: 500 })))
      expect(pageSize._tag).toBe("InvalidRequestError")
      expect(yield* recorded).toHaveLength(0)

      const slugError = yield* Effect.flip(workspaces.create({ name: "Bad", slug: "Bad Slug" }))
      expect(slugError.message).toContain("slug")
      expect(slugError.message).toContain("nothing was sent")
    }).pipe(Effect.provide(servicesLayer())))
})

describe("pagination", () => {
  const membersLayer = (members: number) => servicesLayer({ organization: { members } })

  it.scoped("0 items: one request, empty stream", () =>
    Effect.gen(function*() {
      const workspaces = yield* Workspaces
      yield* workspaces.create({ name: "Empty", slug: "empty" })
      const sim = yield* Simulator
      yield* sim.clearRequests
      const items = yield* Stream.runCollect(workspaces.streamMembers({ id: "empty" }))
      expect(items.length).toBe(0)
      expect((yield* recorded).length).toBe(1)
    }).pipe(Effect.provide(servicesLayer())))

  it.scoped("1 item, an exact multiple of the page size, and many pages", () =>
    Effect.gen(function*() {
      const organization = yield* Organization
      const sim = yield* Simulator
      const one = yield* Stream.runCollect(organization.streamMembers({ pageSize: 1, offset: 199 }))
      expect(one.length).toBe(1)
      expect((yield* recorded).length).toBe(1)

      yield* sim.clearRequests
      const exact = yield* Stream.runCollect(organization.streamMembers({ pageSize: 100 }))
      expect(exact.length).toBe(200)
      // the second page reaches totalCount: no third request for an empty page
      expect((yield* recorded).length).toBe(2)

      yield* sim.clearRequests
      const many = yield* Stream.runCollect(organization.streamMembers({ pageSize: 7 }))
      expect(many.length).toBe(200)
      expect(new Set(Chunk.toReadonlyArray(many).map((m) => m.id)).size).toBe(200)
      expect((yield* recorded).length).toBe(Math.ceil(200 / 7))
    }).pipe(Effect.provide(membersLayer(200))))

  it.scoped("lazy: a page is fetched only when pulled", () =>
    Effect.gen(function*() {
      const organization = yield* Organization
      const firstThree = yield* Stream.runCollect(Stream.take(organization.streamMembers({ pageSize: 10 }), 3))
      expect(firstThree.length).toBe(3)
      expect((yield* recorded).length).toBe(1)
      const pages = yield* Stream.runCollect(Stream.take(organization.memberPages({ pageSize: 10 }), 2))
      expect(pages.length).toBe(2)
      expect((yield* recorded).length).toBe(3)
    }).pipe(Effect.provide(membersLayer(200))))

  it.scoped("a server that ignores offset fails with PaginationError instead of looping", () =>
    Effect.gen(function*() {
      const organization = yield* Organization
      const error = yield* Effect.flip(Stream.runDrain(organization.streamMembers({ pageSize: 10 })))
      expect(error._tag).toBe("PaginationError")
      expect((yield* recorded).length).toBe(2)
    }).pipe(
      Effect.provide(servicesLayer({ organization: { members: 200 } }, {
        // a proxy-like transform that drops the offset, as a broken server would ignore it
        transformClient: HttpClient.mapRequest(HttpClientRequest.setUrlParam("offset", "0"))
      }))
    ))
})

describe("transport errors", () => {
  it.scoped("connection refused is a ConnectionError with method and path", () =>
    Effect.gen(function*() {
      const workspaces = yield* Workspaces
      const exit = yield* Effect.exit(workspaces.get({ id: "default" }))
      expect(Exit.isFailure(exit)).toBe(true)
      const error = yield* Effect.flip(workspaces.get({ id: "default" }))
      expect(error._tag).toBe("ConnectionError")
      expect(error).toMatchObject({ method: "GET", path: "/workspaces/default" })
    }).pipe(Effect.provide(servicesLayer({}, { ...noRetry, baseUrl: "http://127.0.0.1:1/api/v1" }))))

  it.scoped("a body that does not match the schema is a ResponseValidationError with a snippet", () =>
    Effect.gen(function*() {
      // a server that answers 200 with a workspace missing its required slug
      const baseUrl = yield* rawServer((_, res) => {
        res.writeHead(200, { "content-type": "application/json" })
        res.end(JSON.stringify({ data: { id: "ws_1", name: "No slug" } }))
      })
      const workspaces = yield* withKey(Redacted.make("sk-test"), baseUrl)
      const error = yield* Effect.flip(workspaces.get({ id: "default" }))
      expect(error._tag).toBe("ResponseValidationError")
      if (error._tag === "ResponseValidationError") {
        expect(error.snippet).toContain("No slug")
        expect(error.issue).toContain("slug")
        expect(error.status).toBe(200)
      }
    }).pipe(Effect.provide(servicesLayer({}, noRetry))))
})
