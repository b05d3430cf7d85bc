/**
 * A job's progress on stderr, from the engine's events: the items a person cares about (users, files,
 * budgets, keys) done/failed/skipped, the rate, the ETA as `4m 12s`, and the current rate-limit pause.
 * The first line names the job and the host it runs against.
 *
 * On a terminal one line is redrawn in place, never wider than the terminal (a wider line would wrap
 * and every redraw would add a line); otherwise a plain line every few seconds, for logs.
 */
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as PubSub from "effect/PubSub"
import * as Queue from "effect/Queue"
import * as Schedule from "effect/Schedule"
import type * as Engine from "../jobs/Engine.ts"
import { displayWidth, formatDuration, terminalWidth, truncate } from "./output.ts"

/** Where progress goes: process.stderr, or anything with the same shape (tests). */
export interface ProgressStream {
  readonly write: (text: string) => unknown
  readonly isTTY?: boolean | undefined
  readonly columns?: number | undefined
}

export interface ProgressOptions {
  /** The host the job runs against, for the first line. */
  readonly target?: string
  readonly stream?: ProgressStream
  /** How often a line is printed when not on a terminal. Default 3 seconds. */
  readonly every?: Duration.DurationInput
}

export interface ProgressState {
  jobId: string
  kind: string
  unit: string
  /** Items the plan covers, when known. */
  items: number | undefined
  operations: number
  /** Items settled, by the report's outcomes: the final counts are the report's totals. */
  done: number
  /** In place already (`already-done`). */
  already: number
  failed: number
  skipped: number
  unknown: number
  waiting: number
  /** Items settled without a request of this run (the plan's, an earlier run's): not part of its rate. */
  earlier: number
  pausedUntil: number
  pauseStatus: number | undefined
  started: number
}

export const initialState = (now: number): ProgressState => ({
  jobId: "",
  kind: "job",
  unit: "operations",
  items: undefined,
  operations: 0,
  done: 0,
  already: 0,
  failed: 0,
  skipped: 0,
  unknown: 0,
  waiting: 0,
  earlier: 0,
  pausedUntil: 0,
  pauseStatus: undefined,
  started: now
})

const outcomes = ["done", "already", "failed", "skipped", "unknown", "waiting"] as const

/** Items settled so far, every outcome. */
export const settledCount = (state: ProgressState) => outcomes.reduce((n, o) => n + state[o], 0)

const add = (state: ProgressState, counts: Partial<Engine.Settled>) => {
  for (const outcome of outcomes) state[outcome] += counts[outcome] ?? 0
}

/**
 * Apply one event to the counts: each settled item is counted by exactly one event (`Succeeded`,
 * `Failed`, `Settled`), so the final counts are the report's. Reads `Planned` defensively (older
 * engines sent it without `items`/`unit`).
 */
export const applyEvent = (state: ProgressState, event: Engine.JobEvent): void => {
  const e = event as any
  switch (event._tag) {
    case "Planned":
      state.jobId = e.jobId ?? state.jobId
      state.kind = e.kind ?? state.kind
      state.unit = e.unit ?? "operations"
      state.operations = e.total ?? 0
      state.items = e.items ?? e.total
      break
    case "Succeeded":
    case "Failed":
      add(state, event)
      break
    case "Settled": {
      const before = settledCount(state)
      add(state, event)
      state.earlier += settledCount(state) - before
      break
    }
    case "Paused":
      if (e.until > state.pausedUntil) {
        state.pausedUntil = e.until
        state.pauseStatus = e.status
      }
      break
  }
}

const count = (n: number) => n.toLocaleString("en-US")

/** "1 change", "2 changes": a unit (given plural) for a count. */
const counted = (n: number, unit: string) => `${count(n)} ${n === 1 && unit.endsWith("s") ? unit.slice(0, -1) : unit}`

/** The first line: which job, where, and how much (two lines when one would not fit). */
export const headerLines = (state: ProgressState, target: string | undefined, width: number): Array<string> => {
  const job = `${state.jobId.startsWith(state.kind) ? "" : `${state.kind} `}${state.jobId}${target ? ` on ${target}` : ""}`
  const size = state.items === undefined
    ? "planning"
    : `${counted(state.items, state.unit)}${state.unit === "operations" ? "" : ` in ${counted(state.operations, "operations")}`}`
  const one = `${job}: ${size}`
  return displayWidth(one) <= width ? [one] : [truncate(job, width), truncate(size, width)]
}

/**
 * The status line at `now`, within `width` columns: the least useful parts go first when it does not
 * fit (the bar, then the pause detail, the rate, the ETA), and the rest is cut with `…` as a last resort.
 */
export const statusLine = (state: ProgressState, now: number, width: number, withBar = true): string => {
  const settled = settledCount(state)
  const total = state.items
  const elapsed = Math.max(now - state.started, 1)
  const rate = ((settled - state.earlier) / elapsed) * 1000
  const remaining = total !== undefined ? Math.max(total - settled, 0) : undefined
  const counts = `${count(settled)}${total !== undefined ? `/${count(total)}` : ""} ${state.unit}`
  // the report's words (Counts.lines): "already in place" etc. only when there are some
  const outcome = [
    `${count(state.done)} done`,
    ...(state.already > 0 ? [`${count(state.already)} already in place`] : []),
    `${count(state.failed)} failed`,
    `${count(state.skipped)} skipped`,
    ...(state.unknown > 0 ? [`${count(state.unknown)} unknown`] : []),
    ...(state.waiting > 0 ? [`${count(state.waiting)} waiting`] : [])
  ].join(", ")
  const rateText = `${rate >= 10 ? Math.round(rate) : rate.toFixed(1)}/s`
  const eta = remaining === undefined || remaining === 0
    ? undefined
    : rate > 0
    ? `ETA ${formatDuration(Math.max((remaining / rate) * 1000, 1000))}`
    : undefined
  const pause = state.pausedUntil > now
    ? `paused ${formatDuration(Math.ceil((state.pausedUntil - now) / 1000) * 1000)}${state.pauseStatus ? ` (${state.pauseStatus})` : ""}`
    : undefined
  const shortPause = state.pausedUntil > now ? "paused" : undefined
  const bar = (cells: number) => {
    const filled = total ? Math.min(cells, Math.round((settled / total) * cells)) : 0
    return `[${"#".repeat(filled)}${".".repeat(cells - filled)}]`
  }
  const candidates: Array<ReadonlyArray<string | undefined>> = [
    ...(withBar ? [[`${bar(20)} ${counts}`, outcome, rateText, eta, pause], [`${bar(10)} ${counts}`, outcome, rateText, eta, pause]] : []),
    [counts, outcome, rateText, eta, pause],
    [counts, outcome, eta, pause],
    [counts, outcome, eta, shortPause],
    [counts, `${count(state.failed)} failed`, eta, shortPause],
    [counts, `${count(state.failed)} failed`]
  ]
  for (const parts of candidates) {
    const line = parts.filter((p) => p !== undefined).join("  ")
    if (displayWidth(line) <= width) return line
  }
  return truncate(candidates.at(-1)!.join("  "), width)
}

/** Draw progress from `events` until the job's `Finished` event. */
export const progress = (events: PubSub.PubSub<Engine.JobEvent>, options: ProgressOptions = {}) =>
  Effect.scoped(Effect.gen(function*() {
    const out = options.stream ?? process.stderr
    const tty = Boolean(out.isTTY)
    // a terminal's line leaves one column free: writing into the last one wraps on some terminals
    const width = () => Math.max(terminalWidth(out) - 1, 10)
    const every = Duration.toMillis(Duration.decode(options.every ?? "3 seconds"))
    const subscription = yield* PubSub.subscribe(events)
    const state = initialState(yield* Clock.currentTimeMillis)
    let headerShown = false
    let lastDraw = -Infinity
    let drawn = false

    const header = () => {
      if (headerShown || state.jobId === "") return
      headerShown = true
      out.write(headerLines(state, options.target, width()).map((line) => `${line}\n`).join(""))
    }
    const draw = (force: boolean) =>
      Effect.map(Clock.currentTimeMillis, (now) => {
        // nothing to show before the plan
        if (state.jobId === "" && !force) return
        if (!force && now - lastDraw < (tty ? 100 : every)) return
        lastDraw = now
        header()
        // a bar helps a person watching; in a log it is noise
        const line = statusLine(state, now, width(), tty)
        if (tty) out.write(`\r${line}\x1b[K`)
        else out.write(`${line}\n`)
        drawn = true
      })

    // redraws while nothing happens (a pause counting down, the ETA), and the periodic line for logs
    const ticker = yield* Effect.fork(Effect.repeat(draw(false), Schedule.spaced(tty ? "500 millis" : "1 second")))
    while (true) {
      const event = yield* Queue.take(subscription)
      if (event._tag === "Finished") {
        yield* Fiber.interrupt(ticker)
        const report = (event as any).report
        if (state.jobId === "" && report?.jobId) state.jobId = report.jobId
        yield* draw(true)
        if (tty && drawn) out.write("\n")
        return
      }
      if (event._tag === "TookOver") {
        if (tty && drawn) out.write("\r\x1b[K")
        out.write(`${tookOverLine(event)}\n`)
        continue
      }
      applyEvent(state, event)
      if (event._tag === "Planned") {
        header()
        continue
      }
      if (tty) yield* draw(false)
    }
  }))

/** `reading members 2,300/5,000` from a plan's `Reading` event. */
export const readingLine = (event: { readonly what: string; readonly done: number; readonly total?: number | undefined }, width: number) =>
  truncate(`planning: reading ${event.what} ${count(event.done)}${event.total !== undefined ? `/${count(event.total)}` : ""}`, width)

/**
 * What a plan is reading, from its `Reading` events, until interrupted (when the plan is made): on a
 * terminal one line redrawn in place, in a log a line every few seconds. Nothing when a plan publishes
 * nothing.
 */
export const reading = (events: PubSub.PubSub<Engine.JobEvent>, options: ProgressOptions = {}) =>
  Effect.scoped(Effect.gen(function*() {
    const out = options.stream ?? process.stderr
    const tty = Boolean(out.isTTY)
    const width = () => Math.max(terminalWidth(out) - 1, 10)
    const every = Duration.toMillis(Duration.decode(options.every ?? "3 seconds"))
    const subscription = yield* PubSub.subscribe(events)
    let last = -Infinity
    let drawn = false
    yield* Effect.addFinalizer(() => Effect.sync(() => tty && drawn && out.write("\r\x1b[K")))
    while (true) {
      const event = yield* Queue.take(subscription)
      if (event._tag === "Waiting") {
        out.write(`${waitingLine(event)}\n`)
        continue
      }
      if (event._tag !== "Reading") continue
      const now = yield* Clock.currentTimeMillis
      const e = event
      // on a terminal a finished count is drawn at once; in a log a line every few seconds (the first at once),
      // so a plan of many small workspaces does not print a line per workspace
      const finished = tty && e.total !== undefined && e.done >= e.total
      if (!finished && now - last < (tty ? 100 : every)) continue
      last = now
      drawn = true
      out.write(tty ? `\r${readingLine(e, width())}\x1b[K` : `${readingLine(e, width())}\n`)
    }
  }))

/** The line `--wait` prints while another runner holds the job. */
export const waitingLine = (
  event: { readonly jobId: string; readonly holder: { readonly host: string; readonly pid: number; readonly startedAt: string } }
) =>
  `waiting: job ${event.jobId} is being applied by pid ${event.holder.pid} on ${event.holder.host} (since ${event.holder.startedAt}); ` +
  `this run starts when it ends or its lease expires`

/** The line a takeover prints: whose lease expired, and since when it was silent. */
export const tookOverLine = (
  event: { readonly jobId: string; readonly previous: { readonly host?: string; readonly pid?: number; readonly renewedAt?: string | number } }
) =>
  `took over job ${event.jobId} from pid ${event.previous.pid ?? "?"} on ${event.previous.host ?? "?"}: its lease expired` +
  `${event.previous.renewedAt !== undefined ? ` (last renewed ${new Date(event.previous.renewedAt).toISOString()})` : ""}; resuming where it stopped`
