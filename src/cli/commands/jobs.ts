/**
 * `jobs list|show`: the journal's jobs: running (a live lease), interrupted, stopped (the holder died
 * without finishing), finished; who holds a running job and since when; how to resume one.
 */
import { Args } from "@effect/cli"
import { Console, Effect, Option } from "effect"
import { Journal } from "../../jobs/index.ts"
import * as Cli from "../command.ts"
import { $ } from "../common.ts"
import { common, names } from "../job-commands.ts"
import { definitions, isJobKind } from "../job-definitions.ts"
import { journalLayer, phraseJobError, showTarget } from "../job-runner.ts"
import { wantsJson } from "../runtime.ts"

const quote = (s: string) => (/^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`)
const journalOptions = { journal: common.journal, json: common.json }

/** The record's holder: the runner applying it, or the one that died holding it. */
const holderOf = (job: Journal.JobRecord) => job.holder

const holderText = (holder: Journal.Holder | undefined) =>
  holder === undefined
    ? ""
    : `pid ${holder.pid} on ${holder.host} since ${holder.startedAt}${holder.renewedAt ? `, last seen ${holder.renewedAt}` : ""}`

/** A spec for reading: lists longer than a few entries as their count and first entries (`--json` has them all). */
const specText = (spec: unknown): string =>
  typeof spec !== "object" || spec === null
    ? JSON.stringify(spec)
    : Object.entries(spec).map(([field, value]) =>
      Array.isArray(value) && value.length > 5
        ? `${field}: ${value.length.toLocaleString("en-US")} (${value.slice(0, 3).map((v) => JSON.stringify(v)).join(", ")}, …)`
        : `${field}: ${JSON.stringify(value)}`
    ).join("; ")

/** A journal fault (unreadable, corrupt) in words: the journal's own errors, whatever the job. */
const phrased = <A, E, R>(self: Effect.Effect<A, E, R>) => Effect.catchAll(self, phraseJobError(names, "onboarding"))

const jobsList = Cli.makeLocal("list", {
  config: journalOptions,
  summary: "jobs in the journal, newest first: running, interrupted, stopped or finished, and who holds a running one (`jobs show ID` for its spec)",
  examples: [[`${$} jobs list`], [`${$} jobs list --journal postgres://jobs@db/openrouter --json`]]
}, (args) =>
  Effect.gen(function*() {
    const journal = yield* Journal.Journal
    const jobs = yield* journal.list()
    // one line per job without its spec (a 10,000-user onboarding's spec is 10,000 ids): `jobs show ID` has it
    if (wantsJson(args.json)) {
      return yield* Effect.forEach(jobs, ({ spec: _spec, ...job }) => Console.log(JSON.stringify(job)), { discard: true })
    }
    if (jobs.length === 0) return yield* Console.log(`no jobs in ${showTarget(journal.target)}`)
    for (const job of jobs) {
      const ops = Object.entries(job.operations).map(([status, n]) => `${n} ${status}`).join(", ")
      const holder = holderOf(job)
      const who = holder === undefined
        ? ""
        : job.status === "running"
        ? `  (held by ${holderText(holder)})`
        : job.status === "stopped"
        ? `  (its runner, ${holderText(holder)}, died without finishing)`
        : ""
      yield* Console.log(`${job.id}  ${job.kind}  ${job.status}  ${job.createdAt}  ${ops}${who}`)
    }
  }).pipe(Effect.provide(journalLayer(args.journal)), phrased))

const jobsShow = Cli.makeLocal("show", {
  config: { id: Args.text({ name: "JOB_ID" }), ...journalOptions },
  summary: "one job: its spec, its state and holder, where it stopped, how to resume it",
  examples: [[`${$} jobs show onboarding-20260101-ab12`]]
}, (args) =>
  Effect.gen(function*() {
    const journal = yield* Journal.Journal
    const job = yield* journal.get(args.id)
    if (Option.isNone(job)) return yield* Effect.fail(Cli.usage(`no job ${args.id} in ${showTarget(journal.target)}: see \`${$} jobs list\``))
    if (wantsJson(args.json)) return yield* Console.log(JSON.stringify(job.value))
    const { createdAt, finishedAt, id, kind, operations, spec, status, updatedAt } = job.value
    const holder = holderOf(job.value)
    yield* Console.log(`job ${id} (${kind}): ${status}`)
    if (holder !== undefined && status === "running") {
      yield* Console.log(`  held by ${holderText(holder)}${holder.expiresAt ? `; lease expires ${holder.expiresAt}` : ""}`)
    }
    if (holder !== undefined && status === "stopped") yield* Console.log(`  its runner (${holderText(holder)}) died without finishing`)
    yield* Console.log(`  started ${createdAt}, last run ${updatedAt}${finishedAt ? `, finished ${finishedAt}` : ""}`)
    yield* Console.log(`  operations: ${Object.entries(operations).map(([s, n]) => `${n} ${s}`).join(", ") || "none"}`)
    const described = specText(spec)
    yield* Console.log(`  spec: ${described}${described.includes(", …)") ? ` (all of it: ${$} jobs show ${quote(id)} --json)` : ""}`)
    if (status !== "finished" && isJobKind(kind)) {
      const journalFlag = Option.match(args.journal, { onNone: () => "", onSome: (j) => ` --journal ${quote(showTarget(j))}` })
      yield* Console.log(`  resume: ${$} ${names.command(kind)} --job-id ${quote(id)}${definitions[kind].destructive ? " --yes" : ""}${journalFlag}`)
    }
  }).pipe(Effect.provide(journalLayer(args.journal)), phrased))

export const jobs = Cli.group("jobs", "the job journal: list jobs, show one", [jobsList, jobsShow])
