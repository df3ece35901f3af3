import { useEffect } from "react";

export const APP_TITLE = "OmniCRM";

/** "Customers" → "Customers · OmniCRM"; nothing (still loading, say) → "OmniCRM". */
export function documentTitle(title?: string | null): string {
  const page = title?.trim();
  return page ? `${page} · ${APP_TITLE}` : APP_TITLE;
}

/**
 * Name the browser tab after the page: every routed page calls this once with what it shows
 * ("Customers", "Customer Jane Doe", "Import #12"). Leaving the page puts back "OmniCRM".
 */
export function useDocumentTitle(title?: string | null) {
  const text = documentTitle(title);
  useEffect(() => {
    document.title = text;
  }, [text]);
  useEffect(
    () => () => {
      document.title = APP_TITLE;
    },
    [],
  );
}
