/**
 * The layer the example scripts share: the real API when OPENROUTER_API_KEY is set, otherwise an
 * embedded simulator (so every script can be tried without an account).
 */
import type { HttpClient } from "@effect/platform"
import { NodeHttpClient } from "@effect/platform-node"
import { type ConfigError, Console, Effect, Layer } from "effect"
import { Files, Guardrails, Keys, OpenRouterClient, Organization, Workspaces } from "openrouter-effect"
import { type Engine, Journal } from "openrouter-effect/jobs"
import { Simulator, type SimulatorStartError } from "openrouter-effect/simulator"

const services = Layer.mergeAll(
  Workspaces.Workspaces.Default,
  Organization.Organization.Default,
  Files.Files.Default,
  Keys.Keys.Default,
  Guardrails.Guardrails.Default
)

const client: Layer.Layer<
  OpenRouterClient.OpenRouterClient,
  ConfigError.ConfigError | SimulatorStartError,
  HttpClient.HttpClient
> = process.env.OPENROUTER_API_KEY
  ? OpenRouterClient.layerConfig()
  : Layer.unwrapEffect(Effect.map(Simulator, (sim) => OpenRouterClient.layer({ apiKey: sim.managementKey, baseUrl: sim.baseUrl }))).pipe(
    Layer.provide(Simulator.layer({ seed: "demo", organization: { members: 2500, workspaces: 14 }, files: { count: 6000 } }))
  )

export const Live = services.pipe(
  Layer.provideMerge(client),
  Layer.provide(NodeHttpClient.layerUndici),
  Layer.merge(Journal.layer(process.env.OPENROUTER_JOURNAL ?? ".openrouter-effect/journal.sqlite"))
)

/**
 * The exit code a run's report calls for: 1 when items failed (said on stderr, with what to do),
 * otherwise left as it is. Scripts end with it so cron and CI see failures.
 */
export const exitFor = (report: Engine.JobReport) =>
  Effect.gen(function*() {
    if (report.failed.length === 0) return
    process.exitCode = 1
    yield* Console.error(`${report.failed.length} items failed (listed above); fix them and run this again: the job resumes`)
  })
