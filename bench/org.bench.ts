/**
 * Organisation as code at scale (simulator in its own process, 20 ms latency, 50 requests/s): an
 * empty organisation (the default workspace and 10,000 members) brought to a file of 10 workspaces ×
 * 1,000 members, each with three budgets and a guardrail assigned to 200 of them, by `Org.apply`;
 * then a plan of the same file against the converged organisation. Prints wall time against the lower
 * bound (the fewest requests ÷ the rate), requests against the fewest, and what the plan sent.
 *
 *   npm run bench:org            (BENCH_WORKSPACES, BENCH_MEMBERS to change the sizes)
 */
import { NodeHttpClient } from "@effect/platform-node"
import { Effect, Layer, ManagedRuntime, Redacted, Stream } from "effect"
import { mkdtempSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Guardrails } from "../src/Guardrails.ts"
import { Journal } from "../src/jobs/index.ts"
import * as OrgApply from "../src/jobs/OrgApply.ts"
import * as OrgPlan from "../src/jobs/OrgPlan.ts"
import * as OrgSpec from "../src/jobs/OrgSpec.ts"
import { Keys } from "../src/Keys.ts"
import * as OpenRouterClient from "../src/OpenRouterClient.ts"
import { Organization } from "../src/Organization.ts"
import { Workspaces } from "../src/Workspaces.ts"
import { spawnSimulator } from "./spawn-simulator.ts"

const WORKSPACES = Number(process.env.BENCH_WORKSPACES ?? 10)
const MEMBERS = Number(process.env.BENCH_MEMBERS ?? 1_000)
const ASSIGNED = Math.min(200, MEMBERS)
const RATE = 50
const PAGE = 100
const BUDGETS = { daily: 10, weekly: 50, monthly: 200 }

const sim = await spawnSimulator({
  seed: "bench-org",
  latency: "20 millis",
  rateLimit: { requestsPerSecond: RATE },
  organization: { members: WORKSPACES * MEMBERS, workspaces: 1 }
})
const runtime = ManagedRuntime.make(
  Layer.mergeAll(Workspaces.Default, Organization.Default, Keys.Default, Guardrails.Default).pipe(
    Layer.provide(OpenRouterClient.layer({ apiKey: Redacted.make(sim.managementKey), baseUrl: sim.baseUrl })),
    Layer.provide(NodeHttpClient.layerUndici),
    Layer.merge(Journal.layer(join(mkdtempSync(join(tmpdir(), "bench-org-")), "journal.sqlite")))
  )
)

// the file: members by e-mail, as a team would write it
const emails = await runtime.runPromise(
  Effect.flatMap(Organization, (o) => Stream.runCollect(o.streamMembers())).pipe(Effect.map((c) => [...c].map((m) => m.email)))
)
const workspaces: Record<string, unknown> = {}
for (let w = 0; w < WORKSPACES; w++) {
  const members = emails.slice(w * MEMBERS, (w + 1) * MEMBERS)
  workspaces[`team-${w + 1}`] = {
    name: `Team ${w + 1}`,
    budgets: BUDGETS,
    members,
    guardrails: { standard: { limitUsd: 100, resetInterval: "monthly", members: members.slice(0, ASSIGNED) } }
  }
}
const spec = await runtime.runPromise(OrgSpec.decode({ version: 1, workspaces }))

// the fewest requests: GET /key, the workspace and member listings, then per workspace one create,
// one PUT per budget, the member chunks, the guardrail and its assignment chunks
const chunks = (n: number) => Math.ceil(n / PAGE)
const reads = 1 + chunks(1) + chunks(WORKSPACES * MEMBERS)
const writes = WORKSPACES * (1 + Object.keys(BUDGETS).length + chunks(MEMBERS) + 1 + chunks(ASSIGNED))
const fewest = reads + writes
const bound = fewest / RATE

const before = (await sim.log()).length
const started = performance.now()
const report = await runtime.runPromise(OrgApply.apply(spec, { rate: RATE, concurrency: 8 }))
const seconds = (performance.now() - started) / 1000
const applyLog = (await sim.log()).slice(before)

const planStarted = performance.now()
const plan = await runtime.runPromise(OrgPlan.plan(spec, { rate: RATE, concurrency: 8 }))
const planSeconds = (performance.now() - planStarted) / 1000
const planLog = (await sim.log()).slice(before + applyLog.length)

const pad = (s: string | number, n: number) => String(s).padStart(n)
console.log(`\nOrg.apply: empty organisation → ${WORKSPACES} workspaces × ${MEMBERS.toLocaleString("en-US")} members, budgets and a guardrail each`)
console.log(`simulator: 20 ms latency, ${RATE} req/s\n`)
console.log(`${"".padEnd(28)}${pad("measured", 12)}${pad("bound", 12)}${pad("ratio", 10)}`)
console.log(
  `${"apply wall time (s)".padEnd(28)}${pad(seconds.toFixed(2), 12)}${pad(bound.toFixed(2), 12)}${
    pad((seconds / bound).toFixed(3), 10)
  }  (target ≤ 1.15)`
)
console.log(`${"apply requests".padEnd(28)}${pad(applyLog.length, 12)}${pad(fewest, 12)}${pad((applyLog.length / fewest).toFixed(3), 10)}`)
console.log(`${"  of which 429".padEnd(28)}${pad(applyLog.filter((r) => r.status === 429).length, 12)}`)
console.log(`${"  failed items".padEnd(28)}${pad(report.failed.length, 12)}`)
console.log(`${"plan after (s)".padEnd(28)}${pad(planSeconds.toFixed(2), 12)}${pad((planLog.length / RATE).toFixed(2), 12)}`)
console.log(
  `${"plan after: requests".padEnd(28)}${pad(planLog.length, 12)}   all GET: ${
    planLog.every((r) => r.method === "GET")
  }, changes pending: ${plan.actions.length}`
)

await runtime.dispose()
await sim.stop()
