import { SimpleGrid, Stack, Text, type SimpleGridProps } from "@mantine/core";
import type { CSSProperties, ReactNode } from "react";

/** One labelled value on a detail page; a long word wraps rather than overflows (see `FieldGrid`). */
export function Field({ label, children, testId }: { label: string; children: ReactNode; testId?: string }) {
  return (
    <Stack gap={2}>
      <Text size="xs" c="dimmed" tt="uppercase" fw={600}>
        {label}
      </Text>
      <Text
        size="sm"
        component="div"
        style={{ wordBreak: "var(--field-word-break, break-word)" as "break-word" }}
        data-testid={testId}
      >
        {children}
      </Text>
    </Stack>
  );
}

interface FieldGridProps {
  /** Three columns from `sm` up unless told otherwise. */
  cols?: SimpleGridProps["cols"];
  /** Break values anywhere (serials, ICCIDs, URLs), not only where a word overflows. */
  breakAll?: boolean;
  testId?: string;
  children: ReactNode;
}

/** The grid of `Field`s on a detail page. */
export function FieldGrid({ cols = { base: 1, sm: 3 }, breakAll, testId, children }: FieldGridProps) {
  return (
    <SimpleGrid
      cols={cols}
      spacing="lg"
      style={breakAll ? ({ "--field-word-break": "break-all" } as CSSProperties) : undefined}
      data-testid={testId}
    >
      {children}
    </SimpleGrid>
  );
}
