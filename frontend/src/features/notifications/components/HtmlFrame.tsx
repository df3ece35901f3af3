/**
 * An e-mail's HTML, shown in a sandboxed frame: `sandbox=""` gives it an opaque origin, with no
 * scripts, forms, pop-ups or navigation, so a message (whatever facts went into it) can neither
 * run code in the app nor reach its session. Never `dangerouslySetInnerHTML`.
 */
export function HtmlFrame({
  html,
  title,
  testId,
  height = 520,
}: {
  html: string;
  title: string;
  testId: string;
  height?: number;
}) {
  return (
    <iframe
      sandbox=""
      srcDoc={html}
      title={title}
      referrerPolicy="no-referrer"
      data-testid={testId}
      style={{
        width: "100%",
        height,
        border: "1px solid var(--mantine-color-default-border)",
        borderRadius: "var(--mantine-radius-sm)",
        background: "white",
      }}
    />
  );
}
