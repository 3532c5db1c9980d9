/** Milliseconds in `count` hours: the agreement counts deadlines in hours. */
export const hours = (count: number) => count * 3600 * 1000;

/** Milliseconds in `count` days: the agreement counts validities and expiries in days. */
export const days = (count: number) => count * 24 * hours(1);
