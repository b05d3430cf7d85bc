/** `budgets apply`: the budget-policy job's command, from its entry in the job table. */
import * as Cli from "../command.ts"
import { jobCommand } from "../job-commands.ts"

export const budgets = Cli.group("budgets", "budget policies across workspaces", [jobCommand("budget-policy")])
