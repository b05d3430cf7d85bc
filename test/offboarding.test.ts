/**
 * Offboarding that completes, and onboarding with a guardrail, against the simulator over loopback:
 * a leaving user's keys in several workspaces are disabled (or deleted), their direct guardrails
 * unassigned and their memberships removed; nothing outside the selected workspaces is touched; a
 * key gone meanwhile counts as done; a re-run changes nothing.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Layer, Stream } from "effect"
import { mkdtempSync, readFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Guardrails } from "../src/Guardrails.ts"
import { Engine, Journal, Offboarding, Onboarding } from "../src/jobs/index.ts"
import { Keys } from "../src/Keys.ts"
import * as RetryPolicy from "../src/RetryPolicy.ts"
import { Simulator, type SimulatorOptions, start } from "../src/simulator/index.ts"
import { Workspaces } from "../src/Workspaces.ts"
import { runIn, workDir } from "./cli-support.ts"
import { accessWithKey, servicesLayer } from "./support.ts"

const fast = { retry: RetryPolicy.make({ jitter: false, initialDelay: "5 millis", maxDelay: "50 millis", maxRetries: 8 }) }
const journal = () => Journal.layer(join(mkdtempSync(join(tmpdir(), "offboarding-")), "journal.sqlite"))
const layer = (sim: SimulatorOptions = {}) =>
  Layer.mergeAll(Keys.Default, Guardrails.Default).pipe(
    Layer.provideMerge(servicesLayer({ seed: "offboarding", ...sim }, fast)),
    Layer.merge(journal())
  )

const changing = Effect.map(Effect.flatMap(Simulator, (sim) => sim.requests), (requests) => requests.filter((r) => r.method !== "GET"))

const slugId = (slug: string) => Effect.map(Simulator, (sim) => sim.state.workspaces().find((w) => w.slug === slug)!.id)

/** A member of the organisation (not SCIM-managed) who will hold keys and guardrails in several workspaces. */
const leaver = Effect.map(Simulator, (sim) => {
  const scim = new Set(sim.state.scimManaged())
  return sim.state.members().find((m, i) => i > 0 && !scim.has(m.id))!.id
})

/** The user's direct guardrail assignments, by the workspace of the guardrail. */
const guardrailsOf = (userId: string) =>
  Effect.gen(function*() {
    const guardrails = yield* Guardrails
    const sim = yield* Simulator
    const workspaceOf = new Map<string, string>()
    for (const w of sim.state.workspaces()) {
      yield* Stream.runForEach(guardrails.stream({ workspaceId: w.id }), (g) => Effect.sync(() => workspaceOf.set(g.id, w.slug)))
    }
    const all = yield* Stream.runCollect(guardrails.streamAllMemberAssignments())
    return [...all].filter((a) => a.userId === userId).map((a) => workspaceOf.get(a.guardrailId)!)
  })

/** Make `userId` a member of each workspace, with two keys there and a direct guardrail. */
const equip = (userId: string, slugs: ReadonlyArray<string>) =>
  Effect.gen(function*() {
    const workspaces = yield* Workspaces
    const keys = yield* Keys
    const guardrails = yield* Guardrails
    const made: Array<string> = []
    for (const slug of slugs) {
      const id = yield* slugId(slug)
      yield* workspaces.bulkAddMembers({ id, userIds: [userId] })
      for (const name of [`${slug}-ci`, `${slug}-notebook`]) {
        made.push((yield* keys.create({ name, workspaceId: id, creatorUserId: userId })).data.hash)
      }
      const guardrail = (yield* guardrails.list({ workspaceId: id })).data[0] ??
        (yield* guardrails.create({ name: `${slug} guard`, workspaceId: id })).data
      yield* guardrails.assignMembers({ id: guardrail.id, memberUserIds: [userId] })
    }
    return made
  })

for (const mode of ["disable", "delete"] as const) {
  describe(`offboarding (keys: ${mode})`, () => {
    it.scopedLive(
      "a user with keys in several workspaces ends with no active key, no direct guardrail and no membership there",
      () =>
        Effect.gen(function*() {
          const sim = yield* Simulator
          const user = yield* leaver
          const selected = ["engineering", "research"]
          const made = yield* equip(user, [...selected, "marketing"])
          const selectedIds = new Set(yield* Effect.forEach(selected, slugId))
          const inSelected = sim.state.apiKeys().filter((k) => k.userId === user && k.active && selectedIds.has(k.workspaceId))
          expect(inSelected.length).toBeGreaterThanOrEqual(4)
          expect(yield* guardrailsOf(user)).toEqual(expect.arrayContaining([...selected, "marketing"]))
          yield* sim.clearRequests

          const spec = { users: [user], workspaces: selected, ...(mode === "delete" ? { keys: "delete" as const } : {}) }
          const planned = yield* Offboarding.plan(spec)
          expect(yield* changing).toHaveLength(0)
          // the plan names each key (name and label) per workspace, and the guardrails
          const plannedKeys = planned.workspaces.flatMap((w) => (w.keys ?? []).map((k) => `${w.slug}:${k.name}:${k.label}`))
          expect(plannedKeys.sort()).toEqual(
            inSelected.map((k) => `${sim.state.workspaces().find((w) => w.id === k.workspaceId)!.slug}:${k.name}:${k.label}`).sort()
          )
          expect(planned.workspaces.flatMap((w) => (w.unassign ?? []).map((u) => u.userId))).toEqual([user, user])
          // as a person reads it: each key by name, label and workspace
          const text = Offboarding.describe(planned)
          expect(text).toContain(`  - first ${mode} ${inSelected.length} keys of theirs (active keys keep a member from being removed):`)
          for (const w of planned.workspaces) {
            for (const k of w.keys ?? []) expect(text).toContain(`    - ${k.name}  ${k.label}  ${w.slug}  (${user})`)
          }

          const report = yield* Offboarding.apply(planned)
          expect(report.failed).toEqual([])
          const actions = report.items.filter((i) => i.key === user || i.action.includes(` of ${user} in `)).map((i) => i.action)
          expect(actions).toEqual(expect.arrayContaining([
            "remove from engineering",
            "remove from research",
            `${mode} key engineering-ci (${
              sim.state.apiKeys().find((k) => k.hash === made[0])?.label ?? inSelected.find((k) => k.name === "engineering-ci")!.label
            }) of ${user} in engineering`
          ]))
          // each change counted in its own unit: memberships, keys, guardrail assignments
          const kinds = (kind: string) => report.items.filter((i) => i.kind === kind && i.outcome === "done").length
          expect([kinds("membership"), kinds("key"), kinds("guardrail-assignment")]).toEqual([2, inSelected.length, 2])
          expect(actions.filter((a) => a.startsWith("unassign guardrail"))).toHaveLength(2)
          expect(Offboarding.describeUsers(report)).toEqual([
            `  ${user}: ${inSelected.length} keys ${
              mode === "delete" ? "deleted" : "disabled"
            }, 2 guardrails unassigned, removed from engineering, research`
          ])

          // the person ends with no access in the selected workspaces…
          const keysNow = sim.state.apiKeys().filter((k) => k.userId === user && selectedIds.has(k.workspaceId))
          expect(keysNow.filter((k) => k.active)).toEqual([])
          expect(keysNow.length).toBe(mode === "delete" ? 0 : inSelected.length)
          for (const slug of selected) expect(sim.state.workspaceMembers(slug).some((m) => m.userId === user)).toBe(false)
          expect(yield* guardrailsOf(user)).toEqual(["marketing"])
          // …and keeps everything elsewhere
          expect(sim.state.workspaceMembers("marketing").some((m) => m.userId === user)).toBe(true)
          const marketing = yield* slugId("marketing")
          expect(sim.state.apiKeys().filter((k) => k.userId === user && k.workspaceId === marketing && k.active)).toHaveLength(2)

          // a re-run changes nothing
          yield* sim.clearRequests
          const again = yield* Offboarding.apply(spec)
          expect(yield* changing).toHaveLength(0)
          expect(again.failed).toEqual([])
        }).pipe(Effect.provide(layer())),
      60_000
    )
  })
}

describe("offboarding, details", () => {
  it.scopedLive(
    "every workspace ('*'): the default keeps its members (stays, not a failure), loses their keys; a re-run changes nothing",
    () =>
      Effect.gen(function*() {
        const sim = yield* Simulator
        const keys = yield* Keys
        const user = yield* leaver
        yield* equip(user, ["engineering"])
        const inDefault = (yield* keys.create({ name: "default-laptop", creatorUserId: user })).data
        expect(inDefault.workspaceId).toBe(sim.state.defaultWorkspaceId)
        const spec = { users: [user], workspaces: ["*"] }
        const planned = yield* Offboarding.plan(spec)
        const home = planned.workspaces.find((w) => w.slug === "default")!
        expect([home.isDefault, home.chunks, home.stays, home.keys.map((k) => k.hash)]).toEqual([true, [], [user], [inDefault.hash]])
        expect(Offboarding.describe(planned)).toContain(`  = default: 1 membership stays (default workspace); 1 key to disable`)
        const report = yield* Offboarding.apply(planned)
        expect(report.failed).toEqual([])
        const stays = report.items.filter((i) => i.kind === "membership" && i.action === "remove from default")
        expect(stays.map((i) => [i.key, i.outcome, i.reason])).toEqual([[
          user,
          "skipped",
          "stays (default workspace): every organisation member belongs to it"
        ]])
        expect(sim.state.apiKeys().find((k) => k.hash === inDefault.hash)!.active).toBe(false)
        expect(sim.state.workspaceMembers("engineering").some((m) => m.userId === user)).toBe(false)
        expect(Offboarding.describeUsers(report).join("\n")).toContain("stays in default (default workspace)")
        // the API was never asked to remove anyone from the default workspace
        const removes = (yield* sim.requests).filter((r) => r.path === `/workspaces/${sim.state.defaultWorkspaceId}/members/remove`)
        expect(removes).toEqual([])
        yield* sim.clearRequests
        const again = yield* Offboarding.apply(spec)
        expect(again.failed).toEqual([])
        expect(yield* changing).toHaveLength(0)
      }).pipe(Effect.provide(layer())),
    60_000
  )

  it.scopedLive(
    "a default workspace the plan did not recognise: the API's refusal is reported as 'stays', not as a failure",
    () =>
      Effect.gen(function*() {
        const sim = yield* Simulator
        const user = yield* leaver
        const home = sim.state.workspaces().find((w) => w.id === sim.state.defaultWorkspaceId)!
        const planned = yield* Offboarding.plan({ users: [user], workspaces: ["sales"] })
        // a saved plan that names the default workspace as an ordinary one (as another tool might)
        const forged = new Offboarding.OffboardingPlan({
          ...planned,
          workspaces: [
            new Offboarding.WorkspacePlan({ ref: "x", slug: "home", workspaceId: home.id, chunks: [[user]], unchanged: [], keys: [], unassign: [] })
          ]
        })
        const report = yield* Offboarding.apply(forged, { trusted: true })
        expect(report.failed).toEqual([])
        expect(report.items.map((i) => [i.kind, i.outcome, i.reason])).toEqual([[
          "membership",
          "skipped",
          "stays (default workspace): every organisation member belongs to it"
        ]])
      }).pipe(Effect.provide(layer())),
    60_000
  )

  it.scopedLive("a key gone or disabled since the plan counts as done; the membership is still removed", () =>
    Effect.gen(function*() {
      const sim = yield* Simulator
      const keys = yield* Keys
      const user = yield* leaver
      const [first, second] = yield* equip(user, ["sales"])
      const planned = yield* Offboarding.plan({ users: [user], workspaces: ["sales"], keys: "delete" })
      yield* keys.delete({ hash: first! })
      yield* keys.update({ hash: second!, disabled: true })
      const report = yield* Offboarding.apply(planned, { trusted: true })
      expect(report.failed).toEqual([])
      const keyItems = report.items.filter((i) => i.action.startsWith("delete key"))
      expect(keyItems.map((i) => i.outcome).sort()).toEqual(["already-done", "done"])
      expect(keyItems.find((i) => i.outcome === "already-done")!.reason).toContain("already gone")
      expect(sim.state.workspaceMembers("sales").some((m) => m.userId === user)).toBe(false)
    }).pipe(Effect.provide(layer())), 60_000)

  it.scopedLive("a key that cannot be disabled keeps its creator from being sent for removal, and says why", () =>
    Effect.gen(function*() {
      const sim = yield* Simulator
      const user = yield* leaver
      const made = yield* equip(user, ["support"])
      yield* sim.clearRequests
      // every attempt at one key answers 500: the client retries, then gives up
      for (let i = 0; i < 12; i++) yield* sim.inject({ method: "PATCH", path: `/keys/${made[0]}`, status: 500 })
      const report = yield* Offboarding.apply({ users: [user], workspaces: ["support"] })
      const failed = report.failed.map((i) => i.action)
      expect(failed).toEqual(expect.arrayContaining([expect.stringMatching(/^disable key support-ci/), "remove from support"]))
      expect(report.failed.find((i) => i.action === "remove from support")!.reason).toContain("could not be disabled")
      expect(sim.state.workspaceMembers("support").some((m) => m.userId === user)).toBe(true)
      expect((yield* changing).filter((r) => /^\/workspaces\/.*\/members\/remove$/.test(r.path))).toHaveLength(0)
    }).pipe(Effect.provide(layer())), 60_000)

  it.scopedLive("jobs check the key first: the inference key is refused before anything is read", () =>
    Effect.gen(function*() {
      const sim = yield* Simulator
      const { keys } = yield* accessWithKey(sim.inferenceKey)
      const refused = yield* Effect.flip(Effect.provideService(Engine.requireManagementKey, Keys, keys))
      expect(refused._tag).toBe("ManagementKeyRequiredError")
      expect(refused.message).toContain("not a management key")
      expect(refused.message).not.toContain("sk-or-v1-inf-")
      expect((yield* sim.requests).map((r) => r.path)).toEqual(["/key"])
      const current = yield* Engine.requireManagementKey
      expect(current.isManagementKey).toBe(true)
    }).pipe(Effect.provide(layer())), 30_000)
})

describe("onboarding with a guardrail", () => {
  it.scopedLive(
    "assigns it once the users are members, converges for members not yet assigned, never sends the assigned again",
    () =>
      Effect.gen(function*() {
        const sim = yield* Simulator
        const guardrails = yield* Guardrails
        const research = yield* slugId("research")
        const guardrail = (yield* guardrails.create({ name: "research onboarding", workspaceId: research })).data
        const members = new Set(sim.state.workspaceMembers("research").map((m) => m.userId))
        const outsiders = sim.state.members().filter((m) => !members.has(m.id)).slice(0, 130).map((m) => m.id)
        const insiders = [...members].slice(0, 5)
        yield* guardrails.assignMembers({ id: guardrail.id, memberUserIds: [insiders[0]!] })
        const spec = { users: [...outsiders, ...insiders], workspaces: ["research", "sales"], guardrail: guardrail.id }
        yield* sim.clearRequests

        const planned = yield* Onboarding.plan(spec)
        expect(yield* changing).toHaveLength(0)
        expect(planned.guardrail!.unchanged).toEqual([insiders[0]])
        expect([...planned.guardrail!.assign].sort()).toEqual([...outsiders, ...insiders.slice(1)].sort())

        const report = yield* Onboarding.apply(planned)
        expect(report.failed).toEqual([])
        const assigned = new Set([...yield* Stream.runCollect(guardrails.streamMemberAssignments({ id: guardrail.id }))].map((a) => a.userId))
        for (const id of spec.users) expect(assigned.has(id)).toBe(true)
        const assignCalls = (yield* changing).filter((r) => r.path.endsWith("/assignments/members"))
        // 130 new members in two chunks, 4 members not yet assigned in one call; the assigned one never sent
        expect(assignCalls).toHaveLength(3)

        yield* sim.clearRequests
        const again = yield* Onboarding.apply(spec)
        expect(again.failed).toEqual([])
        expect(yield* changing).toHaveLength(0)
      }).pipe(Effect.provide(layer({ organization: { members: 400 } }))),
    60_000
  )

  it.scopedLive(
    "a guardrail of a workspace outside the selection is an input error naming its workspace; nothing changes",
    () =>
      Effect.gen(function*() {
        const guardrails = yield* Guardrails
        const marketing = yield* slugId("marketing")
        const guardrail = (yield* guardrails.create({ name: "marketing only", workspaceId: marketing })).data
        const sim = yield* Simulator
        yield* sim.clearRequests
        const error = yield* Effect.flip(Onboarding.plan({ users: [sim.state.members()[3]!.id], workspaces: ["research"], guardrail: guardrail.id }))
        expect(error._tag).toBe("InvalidRequestError")
        expect(error.message).toContain("belongs to workspace marketing")
        const missing = yield* Effect.flip(
          Onboarding.apply({ users: [sim.state.members()[3]!.id], workspaces: ["research"], guardrail: "0df9e665-d932-5740-b2c7-b52af166bc11" })
        )
        expect(missing.message).toContain("does not exist")
        const invalid = yield* Effect.flip(
          Onboarding.plan({ users: [sim.state.members()[3]!.id], workspaces: ["research"], guardrail: "not-a-uuid" })
        )
        expect(invalid.message).toContain("guardrail")
        expect(yield* changing).toHaveLength(0)
      }).pipe(Effect.provide(layer())),
    30_000
  )
})

describe("openrouter-admin offboard --workspace '*'", () => {
  it("exits 0 (the default workspace's memberships stay, its keys are disabled) and a re-run changes nothing", async () => {
    const sim = await start({ seed: "offboard-star", organization: { members: 200 } })
    try {
      const dir = workDir("offboard-star-")
      const run = runIn(dir)
      const scim = new Set(sim.service.state.scimManaged())
      const leavers = sim.service.state.members().filter((m, i) => i > 0 && !scim.has(m.id)).slice(0, 3).map((m) => m.id)
      const args = ["offboard", "--workspace", "*", ...leavers.flatMap((u) => ["--user", u]), "--yes", "--journal", "journal.sqlite"]
      const first = await run(sim, [...args, "--report", "report.json"])
      expect(first.stderr + first.stdout).not.toContain("failed:")
      expect(first.code).toBe(0)
      const report = JSON.parse(readFileSync(join(dir, "report.json"), "utf8"))
      const stays = report.items.filter((i: any) => i.kind === "membership" && i.action === "remove from default")
      expect(stays.map((i: any) => [i.outcome, i.reason])).toEqual(
        leavers.map(() => ["skipped", "stays (default workspace): every organisation member belongs to it"])
      )
      for (const w of sim.service.state.workspaces()) {
        if (w.id === sim.service.state.defaultWorkspaceId) continue
        for (const u of leavers) expect(sim.service.state.workspaceMembers(w.slug).some((m) => m.userId === u)).toBe(false)
      }
      expect(sim.service.state.apiKeys().filter((k) => leavers.includes(k.userId) && k.active)).toEqual([])
      const before = (await sim.requests()).length
      const again = await run(sim, args)
      expect(again.code).toBe(0)
      expect((await sim.requests()).slice(before).filter((r) => r.method !== "GET")).toEqual([])
    } finally {
      await sim.close()
    }
  }, 120_000)
})
