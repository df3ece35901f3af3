import { Group, Modal, Stack, Text, TextInput } from "@mantine/core";
import { useState } from "react";
import { QueryState } from "@/components";
import { useProforma } from "../api";
import { DAY_RE } from "../validation";
import { InvoiceStatusBadge } from "./Badges";
import { formatPeriod, InvoiceBody } from "./InvoiceBody";

function ProformaView({ customerId }: { customerId: number }) {
  const [periodEnd, setPeriodEnd] = useState("");
  const valid = periodEnd === "" || DAY_RE.test(periodEnd);
  const proforma = useProforma(customerId, periodEnd || null, valid);
  return (
    <Stack>
      <Group justify="space-between" align="flex-end">
        <TextInput
          type="date"
          label="Bill up to"
          description="Blank: today"
          value={periodEnd}
          onChange={(e) => setPeriodEnd(e.currentTarget.value)}
          data-testid="proforma-period-end"
        />
        <Text size="sm" c="dimmed">
          Computed now and not saved: no number, nothing is billed.
        </Text>
      </Group>
      <QueryState query={proforma}>
        {(p) => (
          <Stack data-testid="proforma">
            <Group gap="xs">
              <InvoiceStatusBadge status={p.status} testId="proforma-status" />
              <Text size="sm">
                {p.customer_name}
                {p.period_start || p.period_end ? ` · ${formatPeriod(p.period_start, p.period_end)}` : ""}
              </Text>
            </Group>
            <InvoiceBody document={p} withPayments={false} />
          </Stack>
        )}
      </QueryState>
    </Stack>
  );
}

/** What the customer's next invoice would hold if billed now (GET /crm/invoice/proforma). */
export function ProformaModal({
  opened,
  onClose,
  customerId,
}: {
  opened: boolean;
  onClose: () => void;
  customerId: number;
}) {
  return (
    <Modal opened={opened} onClose={onClose} title="Pro-forma: the next invoice" size="xl">
      {opened && <ProformaView customerId={customerId} />}
    </Modal>
  );
}
