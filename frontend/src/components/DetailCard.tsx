import { Card, Group, Title } from "@mantine/core";
import type { ReactNode } from "react";

interface DetailCardProps {
  /** A small heading; `extra` (a link, a button) sits on its right. */
  title?: ReactNode;
  extra?: ReactNode;
  testId?: string;
  children: ReactNode;
}

/** One bordered section of a detail page. */
export function DetailCard({ title, extra, testId, children }: DetailCardProps) {
  return (
    <Card withBorder radius="md" padding="lg" data-testid={testId}>
      {title &&
        (extra ? (
          <Group justify="space-between" mb="md">
            <Title order={5}>{title}</Title>
            {extra}
          </Group>
        ) : (
          <Title order={5} mb="md">
            {title}
          </Title>
        ))}
      {children}
    </Card>
  );
}
