/**
 * `auth status`: which API this talks to and what the configured key is (`GET /key`): a management
 * key or not, its label, limit and usage. Never the key itself. Exit 0 for a management key; 2 (with
 * what to do) for a key that cannot manage the organisation or that the API refuses.
 */
import { Console, Effect } from "effect"
import { Engine } from "../../jobs/index.ts"
import { Keys } from "../../Keys.ts"
import { OpenRouterClient } from "../../OpenRouterClient.ts"
import * as Cli from "../command.ts"
import { $ } from "../common.ts"
import { describeTarget, json, wantsJson } from "../runtime.ts"

const usd = (n: number | null | undefined) => (n == null ? "none" : `${n} USD`)

const status = Cli.make("status", {
  config: { json },
  summary: "the API this talks to and whether the configured key is a management key (label, limit, usage; never the key)",
  examples: [[`${$} auth status`], [`${$} auth status --api-key-file ~/.openrouter/management.key`]]
}, (args) =>
  Effect.gen(function*() {
    const client = yield* OpenRouterClient
    const keys = yield* Keys
    const current = yield* keys.current().pipe(
      Effect.catchTag("UnauthorizedResponseError", (error) =>
        Effect.fail(Cli.usage(`the API refused the configured key (${error.serverMessage}): check OPENROUTER_API_KEY (or --api-key-file)`)))
    )
    const key = current.data
    if (wantsJson(args.json)) {
      const { rateLimit: _deprecated, ...fields } = JSON.parse(JSON.stringify(key)) as Record<string, unknown>
      yield* Console.log(JSON.stringify({ target: client.baseUrl, production: describeTarget(client.baseUrl) !== client.baseUrl, ...fields }))
    } else {
      const lines: Array<[string, string]> = [
        ["target", describeTarget(client.baseUrl)],
        ["management key", key.isManagementKey ? "yes" : "no (it cannot manage workspaces, members, keys or guardrails)"],
        ["label", key.label],
        [
          "limit",
          key.limit === null ? "none" : `${usd(key.limit)}${key.limitReset ? `, resets ${key.limitReset}` : ""}, ${usd(key.limitRemaining)} remaining`
        ],
        ["usage", `${usd(key.usage)} (today ${usd(key.usageDaily)}, this week ${usd(key.usageWeekly)}, this month ${usd(key.usageMonthly)})`],
        ["expires", key.expiresAt ?? "never"],
        ["free tier", key.isFreeTier ? "yes" : "no"]
      ]
      for (const [name, value] of lines) {
        yield* Console.log(`${name.padEnd(15)} ${value}`)
      }
    }
    if (!key.isManagementKey) {
      return yield* Effect.fail(Cli.usage(new Engine.ManagementKeyRequiredError({ label: key.label }).message))
    }
  }))

export const auth = Cli.group("auth", "the configured API key: is it a management key", [status])
