// Types of consoleDocuments.js, which the browser loads as it is (no build step).
export const documents: Readonly<Record<string, string>>;
export const purposes: readonly string[];
