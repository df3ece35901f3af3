/** List state (page, filters, sort) kept in the URL so it survives reloads and can be shared. */
import { useCallback, useMemo } from "react";
import { useSearchParams } from "react-router";

type Patch<K extends string> = Partial<Record<K, string | number | null | undefined>>;

export function useUrlParams<K extends string>(keys: readonly K[]) {
  const [searchParams, setSearchParams] = useSearchParams();

  const values = useMemo(
    () => Object.fromEntries(keys.map((k) => [k, searchParams.get(k) ?? ""])) as Record<K, string>,
    // eslint-disable-next-line react-hooks/exhaustive-deps -- keys is a constant list
    [searchParams],
  );

  /** Merge `patch` into the URL; any change other than the page goes back to page 1. */
  const update = useCallback(
    (patch: Patch<K>) =>
      setSearchParams(
        (prev) => {
          const next = new URLSearchParams(prev);
          for (const [key, value] of Object.entries(patch)) {
            if (value === null || value === undefined || value === "") next.delete(key);
            else next.set(key, String(value));
          }
          if (!("page" in patch)) next.delete("page");
          return next;
        },
        { replace: true },
      ),
    [setSearchParams],
  );

  return [values, update] as const;
}
