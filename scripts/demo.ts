/**
 * `npm start`: the library against the embedded simulator — workspaces, budgets, members and the
 * organization, with a little rate limiting and injected faults so retries show.
 *
 * Against the real API: set OPENROUTER_API_KEY (a management key) and run the same calls with
 * `OpenRouterClient.layerConfig()` instead of the simulator's layer.
 */
import { NodeHttpClient, NodeRuntime } from "@effect/platform-node"
import { Chunk, Console, Effect, Layer, Stream } from "effect"
import { OpenRouterClient, Organization, Workspaces } from "openrouter-effect"
import { Simulator } from "openrouter-effect/simulator"

const Live = Layer.mergeAll(Workspaces.Workspaces.Default, Organization.Organization.Default).pipe(
  Layer.provideMerge(
    Layer.unwrapEffect(Effect.map(Simulator, (sim) =>
      OpenRouterClient.layer({ apiKey: sim.managementKey, baseUrl: sim.baseUrl, appTitle: "openrouter-effect demo" })
    ))
  ),
  Layer.provide(NodeHttpClient.layerUndici),
  Layer.provideMerge(
    Simulator.layer({
      seed: "demo",
      organization: { members: 2000, workspaces: 12 },
      files: { count: 5000 },
      latency: "2 millis",
      rateLimit: { requestsPerSecond: 200, burst: 50 },
      faults: { rate: 0.03, statuses: [500, 502, 503] }
    })
  )
)

const step = (title: string) => Console.log(`\n▸ ${title}`)

const program = Effect.gen(function*() {
  const sim = yield* Simulator
  const workspaces = yield* Workspaces.Workspaces
  const organization = yield* Organization.Organization
  yield* Console.log(`OpenRouter simulator at ${sim.baseUrl} (seed "demo"; 3% injected 5xx, 200 req/s limit)`)

  yield* step("Organization members, streamed page by page")
  const members = Chunk.toReadonlyArray(yield* Stream.runCollect(organization.streamMembers({ pageSize: 100 })))
  yield* Console.log(`  ${members.length} members, e.g. ${members.slice(0, 3).map((m) => m.email).join(", ")}`)

  yield* step("Workspaces")
  const all = Chunk.toReadonlyArray(yield* Stream.runCollect(workspaces.stream()))
  for (const w of all) yield* Console.log(`  ${w.slug.padEnd(14)} ${w.name.padEnd(14)} ${w.id}`)

  yield* step("Create a workspace (safe to retry: a lost response is reconciled by slug)")
  const existing = yield* workspaces.find({ id: "demo-production" })
  const created = existing._tag === "Some"
    ? existing.value
    : (yield* workspaces.create({ name: "Demo Production", slug: "demo-production", description: "made by npm start" })).data
  yield* Console.log(`  ${created.slug} → ${created.id}`)

  yield* step("Budgets: lifetime > monthly > weekly > daily")
  for (const [interval, limitUsd] of [["lifetime", 5000], ["monthly", 1000], ["weekly", 300], ["daily", 50]] as const) {
    const budget = yield* workspaces.setBudget({ id: created.id, interval, limitUsd })
    yield* Console.log(`  ${interval.padEnd(8)} ${budget.data.limitUsd} USD`)
  }
  const refused = yield* Effect.flip(workspaces.setBudget({ id: created.id, interval: "weekly", limitUsd: 2000 }))
  yield* Console.log(`  weekly 2000 USD refused: ${refused._tag} — ${refused.message.split(". ")[0]}`)

  yield* step("Members: bulk add 250 organization members in chunks of 100")
  const ids = members.slice(0, 250).map((m) => m.id)
  let added = 0
  for (let i = 0; i < ids.length; i += 100) {
    added += (yield* workspaces.bulkAddMembers({ id: created.id, userIds: ids.slice(i, i + 100) })).addedCount
  }
  const count = (yield* workspaces.listMembers({ id: created.id, limit: 1 })).totalCount
  yield* Console.log(`  added ${added}; the workspace now lists ${count} members`)
  const removed = yield* workspaces.bulkRemoveMembers({ id: created.id, userIds: ids.slice(10, 20) })
  yield* Console.log(`  removed ${removed.removedCount}`)

  yield* step("Typed errors, checked before sending")
  const invalid = yield* Effect.flip(workspaces.create({ name: "Bad", slug: "Not A Slug" }))
  yield* Console.log(`  ${invalid._tag}: ${invalid.message}`)
  const missing = yield* Effect.flip(workspaces.get({ id: "no-such-workspace" }))
  yield* Console.log(`  ${missing._tag}: ${missing.message}`)

  const requests = yield* sim.requests
  const byStatus = new Map<number, number>()
  for (const r of requests) byStatus.set(r.status, (byStatus.get(r.status) ?? 0) + 1)
  yield* step("What the simulator saw")
  yield* Console.log(
    `  ${requests.length} requests: ${[...byStatus].sort(([a], [b]) => a - b).map(([s, n]) => `${n}× ${s}`).join(", ")}`
  )
  yield* Console.log("  (429s and 5xx were retried by the client's Schedule; every call above succeeded)")
})

program.pipe(Effect.provide(Live), NodeRuntime.runMain)
