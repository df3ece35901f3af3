import { Badge } from "@mantine/core";

/** Whether the page gets live updates over the socket (else it polls). */
export function LiveBadge({ live }: { live: boolean }) {
  return (
    <Badge color={live ? "green" : "gray"} variant="dot" data-testid="provision-live">
      {live ? "Live" : "Offline"}
    </Badge>
  );
}
