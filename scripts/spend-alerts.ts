/**
 * Spend alerts on a Schedule: every SPEND_EVERY (default 1 hour), check every workspace budget and key
 * limit against SPEND_THRESHOLD (default 80%); when anything is at or over it, post a Slack-compatible
 * message (`{ text, blocks }`) to SPEND_WEBHOOK_URL, or print it when that is not set. The first check
 * that finds nothing after one that alerted posts an "All clear" (so the channel knows the alert is over);
 * other checks that find nothing print one line. A failed check or post is printed and the schedule goes
 * on (an all-clear that could not be posted is tried again on the next check).
 *
 *   SPEND_WEBHOOK_URL=https://hooks.slack.com/… npx tsx scripts/spend-alerts.ts
 *
 * Also: SPEND_TOP=5 (add the 5 keys that spent most this month), SPEND_WORKSPACES='team-*,research'
 * (ids, slugs or globs), RUN_ONCE=1 (one check now; exit 3 when anything crossed, as `spend check` does),
 * SPEND_ALERTS_ALL_CLEAR=1 (post the all-clear after every check that finds nothing: a heartbeat, and the
 * way to have one at all with RUN_ONCE from cron, where no run knows what the previous one found).
 * Embedded simulator unless OPENROUTER_API_KEY is set.
 */
import { HttpClient, HttpClientRequest } from "@effect/platform"
import { NodeHttpClient, NodeRuntime } from "@effect/platform-node"
import { Console, Duration, Effect, Layer, Option, Redacted, Ref, Schedule } from "effect"
import { Activity, Analytics } from "openrouter-effect"
import * as Spend from "openrouter-effect/spend"
import { Live } from "./live.ts"

const env = (name: string) => process.env[name]?.trim() || undefined

const settings = Effect.gen(function*() {
  const raw = env("SPEND_THRESHOLD") ?? "80%"
  const percent = /^(\d+(?:\.\d+)?)%$/.exec(raw)
  const threshold = percent ? Number(percent[1]) / 100 : /^(\d*\.\d+|1|0)$/.test(raw) ? Number(raw) : NaN
  if (!(threshold > 0)) return yield* Effect.fail(`SPEND_THRESHOLD=${raw}: give a share above 0, as 80% or 0.8`)
  const top = env("SPEND_TOP") === undefined ? 0 : Number(env("SPEND_TOP"))
  if (!Number.isInteger(top) || top < 0) return yield* Effect.fail(`SPEND_TOP=${env("SPEND_TOP")}: give a whole number of keys`)
  const every = Duration.decodeUnknown(env("SPEND_EVERY") ?? "1 hour")
  if (every._tag === "None" || !Duration.greaterThan(every.value, Duration.zero)) {
    return yield* Effect.fail(`SPEND_EVERY=${env("SPEND_EVERY")}: give a duration such as "15 minutes" or "1 hour"`)
  }
  const webhook = env("SPEND_WEBHOOK_URL")
  if (webhook !== undefined && !/^https?:\/\/\S+$/.test(webhook)) return yield* Effect.fail("SPEND_WEBHOOK_URL is not an http(s) URL")
  const allClear = env("SPEND_ALERTS_ALL_CLEAR")
  if (allClear !== undefined && allClear !== "1" && allClear !== "0") {
    return yield* Effect.fail(`SPEND_ALERTS_ALL_CLEAR=${allClear}: give 1 (post an all-clear after every quiet check) or 0`)
  }
  const workspaces: Spend.WorkspaceRefs = env("SPEND_WORKSPACES")?.split(",").map((s) => s.trim()).filter((s) => s !== "") ?? "all"
  // the webhook URL is a secret (it lets anyone post to the channel): never printed
  return {
    threshold,
    top,
    every: every.value,
    webhook: webhook === undefined ? undefined : Redacted.make(webhook),
    workspaces,
    allClearEveryTime: allClear === "1"
  }
})

/** Post the message; transient failures (network, 429, 5xx) are retried a few times. */
const post = (url: Redacted.Redacted<string>, body: unknown) =>
  Effect.gen(function*() {
    const client = (yield* HttpClient.HttpClient).pipe(
      HttpClient.filterStatusOk,
      HttpClient.retryTransient({ schedule: Schedule.exponential("500 millis"), times: 3 })
    )
    yield* client.execute(HttpClientRequest.post(Redacted.value(url)).pipe(HttpClientRequest.bodyUnsafeJson(body)))
  }).pipe(
    Effect.scoped,
    Effect.mapError((error) => `the webhook refused the message: ${error._tag === "ResponseError" ? error.response.status : error.reason}`)
  )

/** Post the message, or print it when there is no webhook. */
const deliver = (s: Effect.Effect.Success<typeof settings>, stamp: string, message: { readonly text: string }, summary: string) =>
  s.webhook === undefined
    ? Console.log(`${stamp} (SPEND_WEBHOOK_URL not set: printing)\n${message.text}`)
    : Effect.zipRight(post(s.webhook, message), Console.log(`${stamp} posted to the webhook: ${summary}`))

/** One check. `lastAlert` is when this process last alerted (none once an all-clear went out). */
const once = (s: Effect.Effect.Success<typeof settings>, lastAlert: Ref.Ref<Option.Option<number>>) =>
  Effect.gen(function*() {
    const result = yield* Spend.check({ threshold: s.threshold, top: s.top, workspaces: s.workspaces })
    const stamp = new Date(result.at).toISOString()
    if (result.crossed.length > 0) {
      yield* deliver(s, stamp, Spend.Alerts.slackMessage(result), Spend.Alerts.checkLines(result)[0]!)
      yield* Ref.set(lastAlert, Option.some(result.at))
      return result
    }
    const alerted = yield* Ref.get(lastAlert)
    if (Option.isNone(alerted) && !s.allClearEveryTime) {
      yield* Console.log(`${stamp} ${Spend.Alerts.checkLines(result)[0]}`)
      return result
    }
    const since = Option.getOrUndefined(alerted)
    yield* deliver(s, stamp, Spend.Alerts.allClearMessage(result, since), Spend.Alerts.allClearLine(result, since))
    // only once it is out: a failed post is tried again by the next quiet check
    yield* Ref.set(lastAlert, Option.none())
    return result
  })

const program = Effect.gen(function*() {
  const s = yield* settings
  const lastAlert = yield* Ref.make(Option.none<number>())
  if (process.env.RUN_ONCE) {
    const result = yield* once(s, lastAlert)
    if (result.crossed.length > 0) process.exitCode = 3
    return
  }
  // a failed check or post is said and the schedule goes on
  const guarded = once(s, lastAlert).pipe(
    Effect.catchAll((error) => Console.error(`${new Date().toISOString()} error: ${typeof error === "string" ? error : error.message}`))
  )
  yield* Effect.repeat(guarded, Schedule.spaced(s.every))
})

program.pipe(
  Effect.catchAll((error) =>
    Effect.zipRight(
      Console.error(`error: ${typeof error === "string" ? error : error.message}`),
      Effect.sync(() => (process.exitCode = typeof error === "string" || error._tag === "InvalidRequestError" ? 2 : 1))
    )
  ),
  Effect.provide(Layer.mergeAll(Activity.Activity.Default, Analytics.Analytics.Default, NodeHttpClient.layerUndici).pipe(Layer.provideMerge(Live))),
  NodeRuntime.runMain
)
