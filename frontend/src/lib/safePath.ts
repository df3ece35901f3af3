/**
 * Where to send the user after signing in, from a `next` query parameter or router state: only
 * a same-origin path ("/customers/12?tab=billing") is accepted. Anything that could leave the
 * site — "//evil.example", "https://evil.example", "javascript:…", "/\evil.example" (browsers
 * read the backslash as a slash) — gives null, so the caller falls back to home.
 */
export function safeNextPath(value: unknown): string | null {
  if (typeof value !== "string") return null;
  if (!value.startsWith("/") || value.startsWith("//") || value.startsWith("/\\")) return null;
  // No control characters or whitespace that URL parsing strips ("/\t/evil.example" → "//evil.example").
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f\s]/.test(value.split("?")[0]!.split("#")[0]!)) return null;
  try {
    const base = "https://omnicrm.invalid";
    const url = new URL(value, base);
    if (url.origin !== base) return null;
    return `${url.pathname}${url.search}${url.hash}`;
  } catch {
    return null;
  }
}
