import { Badge } from "@mantine/core";
import type { CustomerStatus } from "@/api";
import { STATUS_COLORS } from "../constants";

export function CustomerStatusBadge({ status }: { status: CustomerStatus }) {
  return (
    <Badge color={STATUS_COLORS[status] ?? "gray"} variant="light">
      {status}
    </Badge>
  );
}
