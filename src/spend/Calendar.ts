/**
 * UTC calendar arithmetic for spend: the window of completed days `/activity` covers, and the day, week
 * (Monday–Sunday, as the keys' `usage_weekly` counts it) and month that budgets and limits reset on.
 * Dates are `YYYY-MM-DD` strings (how `/activity` writes them); instants are epoch milliseconds.
 *
 * @since 0.1.0
 */

const DAY = 86_400_000

/**
 * The `YYYY-MM-DD` UTC date of an instant.
 *
 * @since 0.1.0
 * @category utils
 */
export const utcDate = (ms: number): string => new Date(ms).toISOString().slice(0, 10)

/**
 * Midnight UTC of an instant's day.
 *
 * @since 0.1.0
 * @category utils
 */
export const startOfUtcDay = (ms: number): number => Math.floor(ms / DAY) * DAY

/**
 * The Monday 00:00 UTC that starts the instant's week.
 *
 * @since 0.1.0
 * @category utils
 */
export const startOfUtcWeek = (ms: number): number => {
  const day = startOfUtcDay(ms)
  const weekday = (new Date(day).getUTCDay() + 6) % 7 // Monday 0 … Sunday 6
  return day - weekday * DAY
}

/**
 * The first of the instant's month, 00:00 UTC.
 *
 * @since 0.1.0
 * @category utils
 */
export const startOfUtcMonth = (ms: number): number => {
  const date = new Date(ms)
  return Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), 1)
}

/**
 * @since 0.1.0
 * @category models
 */
export type ResetInterval = "daily" | "weekly" | "monthly"

/**
 * When a daily, weekly or monthly figure next starts again from zero (epoch ms).
 *
 * @since 0.1.0
 * @category utils
 */
export const nextReset = (interval: ResetInterval, now: number): number => {
  switch (interval) {
    case "daily":
      return startOfUtcDay(now) + DAY
    case "weekly":
      return startOfUtcWeek(now) + 7 * DAY
    case "monthly": {
      const date = new Date(now)
      return Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 1)
    }
  }
}

/**
 * The start of the current day, week or month (epoch ms).
 *
 * @since 0.1.0
 * @category utils
 */
export const startOf = (interval: ResetInterval, now: number): number =>
  interval === "daily" ? startOfUtcDay(now) : interval === "weekly" ? startOfUtcWeek(now) : startOfUtcMonth(now)

/**
 * The most completed days `/activity` reports.
 *
 * @since 0.1.0
 * @category constants
 */
export const MAX_DAYS = 30

/**
 * The window of a spend report at `now`: the last `days` completed UTC days (oldest first) and today,
 * which `/activity` does not report yet (its spend so far is in the keys' `usage_daily`).
 *
 * @since 0.1.0
 * @category models
 */
export interface SpendWindow {
  readonly days: ReadonlyArray<string>
  readonly today: string
}

/**
 * @since 0.1.0
 * @category utils
 */
export const windowOf = (now: number, days: number): SpendWindow => {
  const today = startOfUtcDay(now)
  return {
    days: Array.from({ length: days }, (_, i) => utcDate(today - (days - i) * DAY)),
    today: utcDate(today)
  }
}

/**
 * The completed days of the window that fall on or after `since` (epoch ms): this week's, this month's.
 *
 * @since 0.1.0
 * @category utils
 */
export const completedDaysSince = (window: SpendWindow, since: number): ReadonlyArray<string> => {
  const first = utcDate(since)
  return window.days.filter((day) => day >= first)
}
