/**
 * `npm start`: the main job on the embedded simulator — a realistic organisation (2,500 members,
 * 14 workspaces, 6,000 files, a little rate limiting and a few injected faults), then onboarding
 * from a bundled CSV, a budget policy, and a file cleanup (plan, then apply), with progress bars,
 * a summary, and reports in ./reports/.
 *
 * Against the real API: `openrouter-admin onboard --users-file scripts/data/onboard.csv …` with
 * OPENROUTER_API_KEY set (see the README), or this program with `OpenRouterClient.layerConfig()`.
 */
import { NodeHttpClient, NodeRuntime } from "@effect/platform-node"
import { Console, Effect, Fiber, Layer, PubSub } from "effect"
import { mkdirSync, writeFileSync } from "node:fs"
import { Files, OpenRouterClient, Organization, Workspaces } from "openrouter-effect"
import { Simulator } from "openrouter-effect/simulator"
import { progress, readUsers, summary } from "../src/cli/jobs.ts"
import { BudgetPolicy, type Engine, FileCleanup, Journal, Onboarding } from "../src/jobs/index.ts"

const Live = Layer.mergeAll(Workspaces.Workspaces.Default, Organization.Organization.Default, Files.Files.Default).pipe(
  Layer.provideMerge(
    Layer.unwrapEffect(Effect.map(Simulator, (sim) =>
      OpenRouterClient.layer({
        apiKey: sim.managementKey,
        baseUrl: sim.baseUrl,
        appTitle: "openrouter-effect demo"
      })))
  ),
  Layer.provide(NodeHttpClient.layerUndici),
  Layer.provideMerge(
    Simulator.layer({
      seed: "demo",
      organization: { members: 2500, workspaces: 14 },
      files: { count: 6000 },
      latency: "5 millis",
      rateLimit: { requestsPerSecond: 100, burst: 60 },
      faults: { rate: 0.01, statuses: [500, 502, 503] }
    })
  ),
  Layer.merge(Journal.layer(".openrouter-effect/demo-journal.sqlite"))
)

const heading = (title: string) => Console.log(`\n━━ ${title}`)

/** Apply with a progress bar; write the report. */
const withProgress = <E, R>(name: string, apply: (options: Engine.ApplyOptions) => Effect.Effect<Engine.JobReport, E, R>) =>
  Effect.gen(function*() {
    const events = yield* PubSub.unbounded<Engine.JobEvent>()
    const bar = yield* Effect.fork(progress(events))
    const report = yield* apply({ concurrency: 8, rate: 120, events })
    yield* Fiber.await(bar)
    yield* summary(report, false)
    mkdirSync("reports", { recursive: true })
    writeFileSync(`reports/${name}.json`, JSON.stringify(report, null, 2))
    yield* Console.log(`  report: reports/${name}.json`)
    return report
  })

const program = Effect.gen(function*() {
  const sim = yield* Simulator
  yield* Console.log(`OpenRouter simulator at ${sim.baseUrl}: 2,500 members, 14 workspaces, 6,000 files; 100 req/s limit, 1% injected 5xx`)

  yield* heading("Onboarding from scripts/data/onboard.csv into engineering, research and a new 'new-hires' workspace")
  const users = readUsers("scripts/data/onboard.csv")
  const onboardingPlan = yield* Onboarding.plan(
    { users, workspaces: ["engineering", "research", "new-hires"], ensureWorkspaces: true, budgets: { monthly: 600, daily: 20 } },
    { concurrency: 4, rate: 80 }
  )
  yield* Console.log(
    `  plan: ${users.length} users, ${onboardingPlan.calls} calls, ${onboardingPlan.problems.length} problems (${
      onboardingPlan.problems.map((p) => p.key).join(", ")
    })`
  )
  yield* withProgress("onboarding", (options) => Onboarding.apply(onboardingPlan, options))

  yield* heading("Budget policy on every workspace: daily 25 < weekly 150 < monthly 500 < lifetime 5000 USD")
  const policy = { budgets: { daily: 25, weekly: 150, monthly: 500, lifetime: 5000 }, workspaces: ["*"] }
  const budgetPlan = yield* BudgetPolicy.plan(policy)
  yield* Console.log(`  plan: ${budgetPlan.workspaces.length} workspaces to change, ${budgetPlan.unchanged} budgets already right`)
  yield* withProgress("budget-policy", (options) => BudgetPolicy.apply(budgetPlan, options))

  yield* heading("File cleanup: text files older than a year")
  const selection = { olderThan: "365 days", mimeType: "text/*" } as const
  const cleanupPlan = yield* FileCleanup.plan(selection)
  yield* Console.log(`  plan: ${cleanupPlan.count} files, ${(cleanupPlan.bytes / 1024 / 1024).toFixed(1)} MB; e.g.`)
  for (const file of cleanupPlan.sample.slice(0, 5)) {
    yield* Console.log(`    ${file.filename.padEnd(22)} ${file.mimeType.padEnd(22)} ${file.createdAt.slice(0, 10)}`)
  }
  yield* withProgress("file-cleanup", (options) => FileCleanup.apply(cleanupPlan, options))

  const requests = yield* sim.requests
  const byStatus = new Map<number, number>()
  for (const r of requests) byStatus.set(r.status, (byStatus.get(r.status) ?? 0) + 1)
  yield* heading("What the simulator saw")
  yield* Console.log(`  ${requests.length} requests: ${[...byStatus].sort(([a], [b]) => a - b).map(([s, n]) => `${n}× ${s === 0 ? "dropped" : s}`).join(", ")}`)
  yield* Console.log("  429s paused every worker; 5xx were retried by the client's Schedule. Run it again: the journal and the")
  yield* Console.log("  server state make the second run change nothing new.")
})

program.pipe(Effect.provide(Live), Effect.scoped, NodeRuntime.runMain)
