/**
 * What one request costs the simulator, counted in the objects it reads, not timed: a page of a listing
 * reads about its own size, however large the organisation. The organisation is built first and its lists
 * are watched (every element read from them is counted), then served by the simulator's own handler.
 */
import { HttpServerRequest, HttpServerResponse } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Redacted } from "effect"
import { type Core, coreOf, Dropped } from "../src/simulator/app.ts"
import type { OrderedMap } from "../src/simulator/ordered-map.ts"
import { OrganizationState } from "../src/simulator/state.ts"

/** Counts reads. */
interface Counter {
  reads: number
}

/** The array, counting every element read from it (slice, map, spread and index all read elements). */
const watched = <A>(array: ReadonlyArray<A>, counter: Counter): ReadonlyArray<A> =>
  new Proxy(array, {
    get(target, property, receiver) {
      if (typeof property === "string" && /^\d+$/.test(property)) counter.reads++
      return Reflect.get(target, property, receiver)
    }
  })

/**
 * Counts every value read from an ordered map: through its iterators or `forEach` (the whole map) or its
 * ordered list (element by element). Look-ups (`get`, `has`) read one and are not counted.
 */
const watchMap = <K, V>(map: OrderedMap<K, V>, counter: Counter) => {
  const proto = Object.getPrototypeOf(map)
  for (const name of ["values", "entries", "keys", "forEach", Symbol.iterator]) {
    const original = proto[name] as (...args: Array<unknown>) => unknown
    Object.defineProperty(map, name, {
      configurable: true,
      value: (...args: Array<unknown>) => {
        counter.reads += map.size
        return original.apply(map, args)
      }
    })
  }
  const inOrder = proto.inOrder as () => ReadonlyArray<V>
  let source: ReadonlyArray<V> | undefined
  let list: ReadonlyArray<V> = []
  Object.defineProperty(map, "inOrder", {
    configurable: true,
    value: () => {
      const ordered = inOrder.call(map)
      if (ordered !== source) [source, list] = [ordered, watched(ordered, counter)]
      return list
    }
  })
  return map
}

const organisation = (members: number, keyPageSize = 100) => {
  const state = new OrganizationState("cost", { members, workspaces: 3, keyPageSize })
  const core = coreOf(state, { seed: "cost" })
  // the default workspace's members are the organisation's, implicitly
  const orgMembers: Counter = { reads: 0 }
  Object.defineProperty(state, "members", { value: watched(state.members, orgMembers) })
  const team = [...state.workspaces.values()].find((w) => w.id !== state.defaultWorkspaceId)!
  return { state, core, orgMembers, team }
}

/** A fresh counter over these maps. */
const watching = (maps: Iterable<OrderedMap<unknown, unknown>>): Counter => {
  const counter = { reads: 0 }
  for (const map of maps) watchMap(map, counter)
  return counter
}

const send = (core: Core, method: string, path: string, body?: unknown) =>
  Effect.gen(function*() {
    const request = new Request(`http://simulator.invalid/api/v1${path}`, {
      method,
      headers: { authorization: `Bearer ${Redacted.value(core.managementKey)}`, "content-type": "application/json" },
      ...(body === undefined ? {} : { body: JSON.stringify(body) })
    })
    const answer = yield* core.handle(HttpServerRequest.fromWeb(request))
    if (answer === Dropped) throw new Error(`${method} ${path}: dropped`)
    const response = HttpServerResponse.toWeb(answer)
    return { status: response.status, body: yield* Effect.promise(() => response.json()) }
  })

/** Every page of a workspace's members, as a client reads them. */
const allPages = (core: Core, workspaceId: string, limit: number) =>
  Effect.gen(function*() {
    const seen: Array<string> = []
    for (let offset = 0;; offset += limit) {
      const { body } = yield* send(core, "GET", `/workspaces/${workspaceId}/members?offset=${offset}&limit=${limit}`)
      seen.push(...body.data.map((m: { user_id: string }) => m.user_id))
      if (offset + limit >= body.total_count) return seen
    }
  })

describe("what a request costs the simulator", () => {
  it.effect("a page of the default workspace's members reads the page's members, not the organisation's", () =>
    Effect.gen(function*() {
      const { core, orgMembers, state } = organisation(5_000)
      for (const offset of [0, 2_500, 4_950]) {
        orgMembers.reads = 0
        const { body, status } = yield* send(core, "GET", `/workspaces/${state.defaultWorkspaceId}/members?offset=${offset}&limit=50`)
        expect(status).toBe(200)
        expect(body.total_count).toBe(5_000)
        expect(body.data).toHaveLength(50)
        expect(orgMembers.reads).toBeLessThanOrEqual(50)
      }
      // the organisation's own member listing too
      orgMembers.reads = 0
      const { body } = yield* send(core, "GET", "/organization/members?offset=1000&limit=100")
      expect(body.data).toHaveLength(100)
      expect(orgMembers.reads).toBeLessThanOrEqual(100)
    }))

  it.effect("reading every page of a team workspace reads each member about once, not once per page", () =>
    Effect.gen(function*() {
      const { core, state, team } = organisation(5_000)
      const members = state.workspaceMembers.get(team.id)!
      const expected = [...members.keys()]
      const size = members.size
      const limit = 50
      expect(size).toBeGreaterThan(10 * limit)
      const counter = watching([members])
      expect(yield* allPages(core, team.id, limit)).toEqual(expected)
      // the listing's order is built once (size reads), then each page reads its own members
      expect(counter.reads).toBeLessThanOrEqual(2 * size)
      // a change rebuilds it once, not on every later page
      const { body } = yield* send(core, "POST", `/workspaces/${team.id}/members/add`, {
        user_ids: [state.members.find((m) => !members.has(m.id))!.id]
      })
      expect(body.added_count).toBe(1)
      counter.reads = 0
      yield* allPages(core, team.id, limit)
      expect(counter.reads).toBeLessThanOrEqual(2 * (size + 1))
    }))

  it.effect("a page of a workspace's keys reads about its own size, with or without disabled keys", () =>
    Effect.gen(function*() {
      const pageSize = 25
      const { core, state } = organisation(5_000, pageSize)
      const keys = state.keys.byWorkspace.get(state.defaultWorkspaceId)!
      const size = keys.size
      expect(size).toBeGreaterThan(10 * pageSize)
      const all = [...state.keys.inWorkspace(state.defaultWorkspaceId)]
      const counter = watching([keys])
      for (const includeDisabled of [true, false]) {
        const seen: Array<string> = []
        for (let offset = 0;; offset += pageSize) {
          const { body } = yield* send(
            core,
            "GET",
            `/keys?workspace_id=${state.defaultWorkspaceId}&include_disabled=${includeDisabled}&offset=${offset}`
          )
          if (body.data.length === 0) break
          seen.push(...body.data.map((k: { hash: string }) => k.hash))
        }
        expect(seen).toEqual(all.filter((k) => includeDisabled || k.active).map((k) => k.hash))
      }
      // the order once, the active ones once, then each page its own keys (old: every key on every page)
      expect(counter.reads).toBeLessThanOrEqual(4 * size)
    }))

  it.effect("removing members checks each one's active keys by look-up, not by reading the workspace's keys", () =>
    Effect.gen(function*() {
      const { core, state, team } = organisation(5_000)
      const keys = state.keys.byWorkspace.get(team.id)!
      expect(keys.size).toBeGreaterThan(300)
      const userIds = state.membersOf(team.id).slice(0, 100).map((m) => m.userId)
      const holders = userIds.filter((userId) => state.holdsActiveKey(team.id, userId))
      expect(holders.length).toBeGreaterThan(0)
      const counter = watching([keys])
      const { body, status } = yield* send(core, "POST", `/workspaces/${team.id}/members/remove`, { user_ids: userIds })
      // refused: members holding active keys cannot be removed, and the answer names every one of them
      expect(status).toBe(400)
      for (const holder of holders) expect(body.error.message).toContain(holder)
      expect(counter.reads).toBeLessThanOrEqual(userIds.length)
    }))

  it.effect("guardrail assignment pages read about their own size, not every assignment in the organisation", () =>
    Effect.gen(function*() {
      const { core, state } = organisation(5_000)
      const guardrails = state.guardrails
      const memberMaps = [...guardrails.memberAssignments.values()]
      const members = memberMaps.reduce((n, map) => n + map.size, 0)
      const keys = guardrails.keyAssignments.size
      expect(members).toBeGreaterThan(200)
      expect(keys).toBeGreaterThan(200)
      const memberReads = watching(memberMaps)
      const keyReads = watching([guardrails.keyAssignments])
      /** Every page of a listing (limit 50), its items counted against its total. */
      const everyPage = (path: string) =>
        Effect.gen(function*() {
          let seen = 0
          for (let offset = 0;; offset += 50) {
            const { body } = yield* send(core, "GET", `${path}?offset=${offset}&limit=50`)
            seen += body.data.length
            if (offset + 50 >= body.total_count) return seen
          }
        })
      expect(yield* everyPage("/guardrails/assignments/members")).toBe(members)
      expect(yield* everyPage("/guardrails/assignments/keys")).toBe(keys)
      expect(memberReads.reads).toBeLessThanOrEqual(2 * members)
      expect(keyReads.reads).toBeLessThanOrEqual(2 * keys)
      // one guardrail's listings do not read the organisation's assignments at all
      const [busiest] = [...guardrails.memberAssignments.entries()].sort(([, a], [, b]) => b.size - a.size)[0]!
      memberReads.reads = 0
      keyReads.reads = 0
      yield* everyPage(`/guardrails/${busiest}/assignments/members`)
      yield* everyPage(`/guardrails/${busiest}/assignments/keys`)
      expect(memberReads.reads).toBeLessThanOrEqual(2 * guardrails.memberAssignments.get(busiest)!.size)
      expect(keyReads.reads).toBe(0)
    }))
})
