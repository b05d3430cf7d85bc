/**
 * What a person reads about budgets and limits: the utilisation tables, the check's findings as lines,
 * as a JSON document for a webhook, and as a Slack-compatible message body (`{ text, blocks }`).
 *
 * @since 0.2.0
 */
import { formatShare, formatUsd } from "./Render.ts"
import type { BudgetUse, CheckResult, KeyUse, Utilisation } from "./Utilisation.ts"

const when = (iso: string | null) => (iso === null ? "never resets" : `resets ${iso.slice(0, 16).replace("T", " ")} UTC`)

const intervalWord = { daily: "daily", weekly: "weekly", monthly: "monthly", lifetime: "lifetime" } as const

/**
 * One budget: `workspace engineering (id): monthly budget $812.40 of $1,000.00 (81.2%), resets …`.
 *
 * @since 0.1.0
 * @category rendering
 */
export const describeBudget = (b: BudgetUse) =>
  `workspace ${b.slug} (${b.workspaceId}): ${intervalWord[b.interval]} budget ${b.atLeast ? "at least " : ""}${formatUsd(b.spentUsd)} of ${
    formatUsd(b.limitUsd)
  } (${formatShare(b.share)}), ${when(b.resetsAt)}${b.includeByok ? ", BYOK included" : ""}`

/**
 * One key: `key ci (hash) in engineering: $47.00 of its $50.00 monthly limit (94.0%), resets …`.
 *
 * @since 0.1.0
 * @category rendering
 */
export const describeKey = (k: KeyUse) =>
  `key ${k.name} (${k.hash}) in ${k.slug}${k.disabled ? " (disabled)" : ""}: ${formatUsd(k.usedUsd)} of its ${formatUsd(k.limitUsd)} ${
    k.limitReset ?? "lifetime"
  } limit (${formatShare(k.share)}), ${when(k.resetsAt)}${k.includeByok ? ", BYOK included" : ""}`

/**
 * @since 0.1.0
 * @category rendering
 */
export const describe = (u: BudgetUse | KeyUse) => (u.kind === "budget" ? describeBudget(u) : describeKey(u))

const percent = (share: number) => `${Math.round(share * 1000) / 10}%`

/**
 * The findings as lines: a summary that counts them, each crossing, then the top spenders if asked.
 *
 * @since 0.1.0
 * @category rendering
 */
export const checkLines = (result: CheckResult): ReadonlyArray<string> => {
  const { budgets, keys } = result.checked
  const checked = `${budgets} budget${budgets === 1 ? "" : "s"} and ${keys} key limit${keys === 1 ? "" : "s"} checked`
  const crossedBudgets = result.crossed.filter((c) => c.kind === "budget").length
  const crossedKeys = result.crossed.length - crossedBudgets
  const lines = [
    result.crossed.length === 0
      ? `Nothing at or over ${percent(result.threshold)}: ${checked}.`
      : `At or over ${percent(result.threshold)}: ${crossedBudgets} budget${crossedBudgets === 1 ? "" : "s"}, ${crossedKeys} key limit${
        crossedKeys === 1 ? "" : "s"
      } (${checked}).`,
    ...result.crossed.map((c) => `  ${describe(c)}`)
  ]
  if (result.top.length > 0) {
    lines.push(`Top ${result.top.length} key${result.top.length === 1 ? "" : "s"} by spend this UTC month:`)
    for (const t of result.top) {
      lines.push(`  ${t.name} (${t.hash}) in ${t.slug}: ${formatUsd(t.monthUsd)} this month, ${formatUsd(t.todayUsd)} today`)
    }
  }
  return lines
}

/**
 * The check as one JSON document (for a webhook or a script): findings, counts, and the summary text.
 *
 * @since 0.1.0
 * @category rendering
 */
export const checkJson = (result: CheckResult) => ({
  threshold: result.threshold,
  at: new Date(result.at).toISOString(),
  workspaces: result.scope.all ? "all" : result.scope.workspaces,
  needsAttention: result.crossed.length > 0,
  checked: result.checked,
  crossed: result.crossed,
  top: result.top,
  text: checkLines(result).join("\n")
})

/** Lines as a Slack-compatible body: the first as the header, each other one a section; all of them as `text`. */
const slackBody = (lines: ReadonlyArray<string>) => ({
  text: lines.join("\n"),
  blocks: [
    { type: "header", text: { type: "plain_text", text: `OpenRouter spend: ${lines[0]}`.slice(0, 150) } },
    ...lines.slice(1).map((line) => ({ type: "section", text: { type: "mrkdwn", text: line.trim() } }))
  ]
})

/**
 * A Slack-compatible incoming-webhook body: `text` (the fallback) and one section per finding.
 *
 * @since 0.1.0
 * @category rendering
 */
export const slackMessage = (result: CheckResult) => slackBody(checkLines(result))

/**
 * The line said when a check finds nothing after one that did: `All clear since the alert of 2026-12-01
 * 09:00 UTC. Nothing at or over 80%: 3 budgets and 12 key limits checked.`
 *
 * @since 0.2.0
 * @category rendering
 */
export const allClearLine = (result: CheckResult, lastAlertAt?: number) =>
  `All clear${lastAlertAt === undefined ? "" : ` since the alert of ${new Date(lastAlertAt).toISOString().slice(0, 16).replace("T", " ")} UTC`}. ${
    checkLines(result)[0]
  }`

/**
 * {@link allClearLine} as a Slack-compatible body.
 *
 * @since 0.2.0
 * @category rendering
 */
export const allClearMessage = (result: CheckResult, lastAlertAt?: number) => slackBody([allClearLine(result, lastAlertAt)])

/**
 * Utilisation as lines for a terminal: each workspace budget, then each key limit, largest share first.
 *
 * @since 0.1.0
 * @category rendering
 */
export const utilisationLines = (u: Utilisation): ReadonlyArray<string> => {
  const at = new Date(u.at).toISOString().slice(0, 16).replace("T", " ")
  return [
    `Budgets and limits at ${at} UTC (days, weeks from Monday and months in UTC; a workspace's spend counts BYOK only when its budgets do).`,
    u.budgets.length === 0 ? "Workspace budgets: none set." : `Workspace budgets (${u.budgets.length}):`,
    ...u.budgets.map((b) => `  ${describeBudget(b)}`),
    u.keys.length === 0 ? "Key limits: no key has a limit." : `Key limits (${u.keys.length}):`,
    ...u.keys.map((k) => `  ${describeKey(k)}`)
  ]
}

/**
 * Utilisation as plain data.
 *
 * @since 0.1.0
 * @category rendering
 */
export const utilisationJson = (u: Utilisation) => ({
  at: new Date(u.at).toISOString(),
  workspaces: u.scope.all ? "all" : u.scope.workspaces,
  budgets: u.budgets,
  keys: u.keys
})
