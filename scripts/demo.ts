/**
 * `npm start`: the main jobs on the embedded simulator — a realistic organisation (2,500 members,
 * 14 workspaces, 6,000 files, a little rate limiting and a few injected faults): onboarding from a
 * bundled CSV, a budget policy, and a file cleanup (plan, then apply), with the CLI's progress line, a
 * summary, and reports in ./reports/. Then each job is applied a second time against the same
 * simulator, re-planned from the server: the demo counts the changes those second runs make (none).
 *
 * Against the real API: `openrouter-admin onboard --users-file scripts/data/onboard.csv …` with
 * OPENROUTER_API_KEY set (see the README), or this program with `OpenRouterClient.layerConfig()`.
 */
import { NodeHttpClient, NodeRuntime } from "@effect/platform-node"
import { Console, Effect, Fiber, Layer, PubSub } from "effect"
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Files, Guardrails, Keys, OpenRouterClient, Organization, Workspaces } from "openrouter-effect"
import { BudgetPolicy, Counts, type Engine, FileCleanup, Journal, Onboarding, UsersFile } from "openrouter-effect/jobs"
import { Simulator } from "openrouter-effect/simulator"
import { formatBytes, formatDate, formatDuration } from "../src/cli/output.ts"
import { progress } from "../src/cli/progress.ts"

// a fresh journal per run, removed at the end: this simulator is fresh too, and a journal only speaks
// for the server it saw
const journalDir = mkdtempSync(join(tmpdir(), "openrouter-demo-"))

const Live = Layer.mergeAll(
  Workspaces.Workspaces.Default,
  Organization.Organization.Default,
  Files.Files.Default,
  Keys.Keys.Default,
  Guardrails.Guardrails.Default
).pipe(
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
  Layer.merge(Journal.layer(join(journalDir, "journal.sqlite")))
)

const heading = (title: string) => Console.log(`\n━━ ${title}`)
const count = (n: number) => n.toLocaleString("en-US")

/** Requests that changed something on the simulator so far (refused ones change nothing). */
const writes = Effect.flatMap(
  Simulator,
  (sim) => Effect.map(sim.requests, (log) => log.filter((r) => r.method !== "GET" && r.status >= 200 && r.status < 300).length)
)

/** Apply with the CLI's progress line; print a summary; write the report. */
const withProgress = <E, R>(name: string, apply: (options: Engine.ApplyOptions) => Effect.Effect<Engine.JobReport, E, R>) =>
  Effect.gen(function*() {
    const sim = yield* Simulator
    const events = yield* PubSub.unbounded<Engine.JobEvent>()
    const drawing = yield* Effect.fork(progress(events, { target: new URL(sim.baseUrl).host }))
    yield* Effect.yieldNow()
    const report = yield* apply({ concurrency: 8, rate: 120, events })
    yield* Fiber.join(drawing)
    yield* Console.log(
      `  ${report.jobId}: ${formatDuration(report.durationMs)}, ${count(report.requests)} requests, ${count(report.rateLimited)} rate-limited`
    )
    // one line per unit (memberships, budgets, files …): every count names what it counts
    const lines = Counts.lines(report.items)
    for (const line of lines.length > 0 ? lines : ["nothing to do"]) yield* Console.log(`    ${line}`)
    for (const item of report.failed.slice(0, 5)) yield* Console.log(`    failed: ${item.key} (${item.action}): ${item.reason ?? ""}`)
    if (report.failed.length > 5) yield* Console.log(`    … and ${report.failed.length - 5} more in the report`)
    mkdirSync("reports", { recursive: true })
    writeFileSync(`reports/${name}.json`, JSON.stringify(report, null, 2))
    yield* Console.log(`  report: reports/${name}.json`)
    return report
  })

// the onboarding's budgets agree with the policy: two jobs that disagree would undo each other on every run
const onboarding = { workspaces: ["engineering", "research", "new-hires"], ensureWorkspaces: true, budgets: { monthly: 500, daily: 25 } }
const policy = { budgets: { daily: 25, weekly: 150, monthly: 500, lifetime: 5000 }, workspaces: ["*"] }
const cleanup = { olderThan: "365d", mimeType: "text/*" }

const program = Effect.gen(function*() {
  const sim = yield* Simulator
  yield* Console.log(`OpenRouter simulator at ${sim.baseUrl}: 2,500 members, 14 workspaces, 6,000 files; 100 req/s limit, 1% injected 5xx`)

  yield* heading("Onboarding from scripts/data/onboard.csv into engineering, research and a new 'new-hires' workspace")
  const users = yield* UsersFile.read("scripts/data/onboard.csv")
  const onboardingSpec = { users, ...onboarding }
  const onboardingPlan = yield* Onboarding.plan(onboardingSpec, { concurrency: 4, rate: 80 })
  yield* Console.log(
    `  plan: ${count(users.length)} users, ${count(onboardingPlan.workspaces.reduce((n, w) => n + w.chunks.flat().length, 0))} memberships to add, ${
      count(onboardingPlan.calls)
    } calls; ${onboardingPlan.problems.length} users not in the organisation (${onboardingPlan.problems.map((p) => p.key).join(", ")})`
  )
  const firstOnboarding = yield* withProgress("onboarding", (options) => Onboarding.apply(onboardingPlan, options))

  yield* heading("Budget policy on every workspace: daily 25 < weekly 150 < monthly 500 < lifetime 5000 USD")
  const budgetPlan = yield* BudgetPolicy.plan(policy)
  yield* Console.log(`  plan: ${budgetPlan.workspaces.length} workspaces to change, ${budgetPlan.unchanged} budgets already right`)
  yield* withProgress("budget-policy", (options) => BudgetPolicy.apply(budgetPlan, options))

  yield* heading("File cleanup: text files older than a year")
  const cleanupPlan = yield* FileCleanup.plan(cleanup)
  yield* Console.log(
    `  plan: ${count(cleanupPlan.count)} files, ${formatBytes(cleanupPlan.bytes)}, created before ${formatDate(cleanupPlan.cutoff)}; e.g.`
  )
  for (const file of cleanupPlan.sample.slice(0, 5)) {
    yield* Console.log(
      `    ${file.filename.padEnd(22)} ${file.workspace.padEnd(12)} ${formatBytes(file.sizeBytes).padStart(8)}  ${formatDate(file.createdAt)}`
    )
  }
  yield* withProgress("file-cleanup", (options) => FileCleanup.apply(cleanupPlan, options))

  const requests = yield* sim.requests
  const byStatus = new Map<number, number>()
  for (const r of requests) byStatus.set(r.status, (byStatus.get(r.status) ?? 0) + 1)
  yield* heading("What the simulator saw")
  yield* Console.log(
    `  ${count(requests.length)} requests: ${
      [...byStatus].sort(([a], [b]) => a - b).map(([s, n]) => `${count(n)}× ${s === 0 ? "dropped" : s}`).join(", ")
    }`
  )
  yield* Console.log("  429s paused every worker; 5xx were retried by the client's Schedule.")

  yield* heading("The same three jobs again, against the same simulator (re-planned from the server, new job ids)")
  const before = yield* writes
  const quiet = { concurrency: 8, rate: 120 }
  const again = [
    yield* Onboarding.apply(onboardingSpec, quiet),
    yield* BudgetPolicy.apply(policy, quiet),
    yield* FileCleanup.apply(cleanup, quiet)
  ]
  const changed = (yield* writes) - before
  for (const report of again) {
    yield* Console.log(`  ${report.kind.padEnd(14)} ${Counts.lines(report.items).join("; ") || "nothing to do"}`)
  }
  yield* Console.log(
    changed === 0
      ? "  second runs: 0 changes on the server: everything was already done (the users not in the organisation are reported again)."
      : `  second runs: ${changed} changing requests (expected none; the reports above say what they were)`
  )
  // The CSV plants four bad rows (three e-mails nobody in the organisation has, one id that is not a
  // member) to show how failures are reported. The demo succeeds when exactly those fail, on both runs,
  // and the second runs change nothing; `openrouter-admin onboard` on the same file exits 1 on them.
  const planted = new Set(["grace.unknown@example.com", "former.employee@example.com", "typo.hoper@exmaple.com", "user_NotAMemberOfThisOrg00000"])
  const unexpected = [firstOnboarding, ...again].flatMap((report) => report.failed).filter((item) => !planted.has(item.key.split(" ")[0]!))
  if (unexpected.length > 0 || changed > 0) {
    process.exitCode = 1
    yield* Console.error(
      `exit 1: ${unexpected.length} unexpected failures${
        changed > 0 ? `, ${changed} unexpected changes in the second runs` : ""
      } (listed in reports/)`
    )
  } else {
    yield* Console.log(
      "\ndone: only the CSV's four planted rows failed (3 unknown e-mails, 1 id outside the organisation), as intended;\n" +
        "`openrouter-admin onboard --users-file scripts/data/onboard.csv` exits 1 on them (some items failed)."
    )
  }
})

program.pipe(
  Effect.provide(Live),
  Effect.scoped,
  Effect.ensuring(Effect.sync(() => rmSync(journalDir, { recursive: true, force: true }))),
  NodeRuntime.runMain
)
