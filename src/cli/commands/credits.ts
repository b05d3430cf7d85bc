/** `credits`: the credits bought, used and left, organisation-wide. */
import * as Effect from "effect/Effect"
import { Credits } from "../../Credits.ts"
import * as Cli from "../command.ts"
import { $, usd } from "../common.ts"
import { type Column, outputOptions, printRecord } from "../output.ts"

interface Shown {
  readonly totalCredits: number
  readonly totalUsage: number
  readonly remaining: number
}

const fields: ReadonlyArray<Column<Shown>> = [
  { header: "BOUGHT", value: (c) => usd(c.totalCredits), keep: true },
  { header: "USED", value: (c) => usd(c.totalUsage), keep: true },
  { header: "LEFT", value: (c) => usd(c.remaining), keep: true }
]

export const credits = Cli.make("credits", {
  config: outputOptions,
  summary: "credits bought, used and left, in USD (BYOK spend is not credits)",
  examples: [[`${$} credits`], [`${$} credits -q`, "only what is left, e.g. for a script"]]
}, (a) =>
  Effect.gen(function*() {
    const { data } = yield* (yield* Credits).get()
    const shown: Shown = { totalCredits: data.totalCredits, totalUsage: data.totalUsage, remaining: Math.round(data.remaining * 1e6) / 1e6 }
    yield* printRecord(shown, { ...a, fields, id: (c) => String(c.remaining) })
  }))
