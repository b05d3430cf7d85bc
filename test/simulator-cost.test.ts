/**
 * What one request costs the simulator, counted in the objects it reads, not timed: a page of a listing
 * reads about its own size, however large the organisation. The organisation is built first and its lists
 * are watched (every element read from them is counted), then served by the simulator's own handler.
 */
import { HttpServerRequest, HttpServerResponse } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Redacted } from "effect"
import type { WorkspaceMember } from "../src/Domain.ts"
import { type Core, coreOf, Dropped } from "../src/simulator/app.ts"
import { MemberMap, OrganizationState } from "../src/simulator/state.ts"

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

/** A workspace's member map counting every member read from it, through the map or its ordered list. */
class WatchedMemberMap extends MemberMap implements Counter {
  reads = 0
  private watchedOrder: readonly [ReadonlyArray<WorkspaceMember>, ReadonlyArray<WorkspaceMember>] | undefined
  override inOrder() {
    const ordered = super.inOrder()
    if (this.watchedOrder?.[0] !== ordered) this.watchedOrder = [ordered, watched(ordered, this)]
    return this.watchedOrder[1]
  }
  override values() {
    this.reads += this.size
    return super.values()
  }
  override entries() {
    this.reads += this.size
    return super.entries()
  }
  override [Symbol.iterator]() {
    return this.entries()
  }
  override forEach(each: (member: WorkspaceMember, userId: string, map: Map<string, WorkspaceMember>) => void) {
    this.reads += this.size
    super.forEach(each)
  }
}

const organisation = (members: number) => {
  const state = new OrganizationState("cost", { members, workspaces: 3 })
  const core = coreOf(state, { seed: "cost" })
  // the default workspace's members are the organisation's, implicitly
  const orgMembers: Counter = { reads: 0 }
  Object.defineProperty(state, "members", { value: watched(state.members, orgMembers) })
  const team = [...state.workspaces.values()].find((w) => w.id !== state.defaultWorkspaceId)!
  const teamMembers = new WatchedMemberMap()
  for (const [userId, member] of state.workspaceMembers.get(team.id)!) teamMembers.set(userId, member)
  state.workspaceMembers.set(team.id, teamMembers)
  teamMembers.reads = 0
  return { state, core, orgMembers, team, teamMembers }
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
      const { core, team, teamMembers } = organisation(5_000)
      const size = teamMembers.size
      const limit = 50
      expect(size).toBeGreaterThan(10 * limit)
      const seen = yield* allPages(core, team.id, limit)
      expect(seen).toEqual([...teamMembers.keys()])
      // the listing's order is built once (size reads), then each page reads its own members
      expect(teamMembers.reads).toBeLessThanOrEqual(2 * size)
      // a change rebuilds it once, not on every later page
      const { body } = yield* send(core, "POST", `/workspaces/${team.id}/members/add`, {
        user_ids: [[...core.state.members()].find((m) => !teamMembers.has(m.id))!.id]
      })
      expect(body.added_count).toBe(1)
      teamMembers.reads = 0
      yield* allPages(core, team.id, limit)
      expect(teamMembers.reads).toBeLessThanOrEqual(2 * (size + 1))
    }))
})
