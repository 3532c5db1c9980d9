// Types of csv.js, which the browser loads as it is (no build step).
export function csvCell(value: unknown): string;
export function csvColumns(entries: readonly Record<string, unknown>[]): string[];
export function toCsv(entries: readonly Record<string, unknown>[]): string;
export function toJsonLines(entries: readonly unknown[]): string;
export function download(name: string, type: string, text: string): void;
