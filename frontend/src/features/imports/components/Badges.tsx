import { Badge, ThemeIcon, Tooltip } from "@mantine/core";
import { IconPackages, IconUsers } from "@tabler/icons-react";
import type { Import, ImportStatus } from "../api";
import { IMPORT_STATUS_COLORS, IMPORT_STATUS_LABELS, importKindLabel } from "../constants";

export function ImportStatusBadge({ status, testId }: { status: ImportStatus; testId?: string }) {
  return (
    <Badge color={IMPORT_STATUS_COLORS[status] ?? "gray"} variant="light" data-testid={testId} data-status={status}>
      {IMPORT_STATUS_LABELS[status] ?? status}
    </Badge>
  );
}

/** A dry run checked every row and wrote nothing. */
export function DryRunBadge({ testId }: { testId?: string }) {
  return (
    <Badge color="violet" variant="outline" data-testid={testId}>
      Dry run
    </Badge>
  );
}

/** Whether the progress arrives live over the socket (else it is polled). */
export function LiveBadge({ live, testId }: { live: boolean; testId?: string }) {
  return (
    <Badge color={live ? "green" : "gray"} variant="dot" data-testid={testId}>
      {live ? "Live" : "Polling"}
    </Badge>
  );
}

/**
 * What an import makes, as an icon named by its label and tooltip ("Subscribers", "Stock: SIM
 * Card"): it adds no text to the cell it sits in.
 */
export function KindIcon({ job, testId }: { job: Pick<Import, "kind" | "template">; testId?: string }) {
  const label = importKindLabel(job);
  const Icon = job.kind === "stock" ? IconPackages : IconUsers;
  return (
    <Tooltip label={label}>
      <ThemeIcon
        variant="light"
        size="sm"
        color={job.kind === "stock" ? "teal" : "blue"}
        role="img"
        aria-label={label}
        data-testid={testId}
        data-kind={job.kind}
      >
        <Icon size={14} />
      </ThemeIcon>
    </Tooltip>
  );
}

/** A stock import's inventory template. */
export function TemplateBadge({ template, testId }: { template: string; testId?: string }) {
  return (
    <Badge color="teal" variant="light" tt="none" leftSection={<IconPackages size={12} />} data-testid={testId}>
      {template}
    </Badge>
  );
}
