import { Badge, Button, Card, Group, SimpleGrid, Stack, Text } from "@mantine/core";
import { useDisclosure } from "@mantine/hooks";
import { IconArchive, IconArchiveOff, IconPencil } from "@tabler/icons-react";
import { usePermission, type Customer } from "@/api";
import { confirmAction, Field } from "@/components";
import { formatDate, formatDateTime, orDash } from "@/lib/format";
import { notifyError, notifySuccess } from "@/lib/notify";
import { useArchiveCustomer, useUpdateCustomer } from "../api";
import { PAYMENT_TYPE_LABELS } from "../constants";
import { CustomerFormModal } from "./CustomerFormModal";

export function CustomerOverview({ customer }: { customer: Customer }) {
  const canWrite = usePermission("customer.write");
  const [editing, { open, close }] = useDisclosure(false);
  const archive = useArchiveCustomer(customer.customer_id);
  const restore = useUpdateCustomer(customer.customer_id);
  const archived = customer.customer_status === "Archived";

  return (
    <Card withBorder radius="md" padding="lg">
      {canWrite && (
        <Group justify="flex-end" mb="md">
          <Button variant="default" leftSection={<IconPencil size={16} />} onClick={open} data-testid="customer-edit">
            Edit
          </Button>
          {archived ? (
            <Button
              variant="light"
              leftSection={<IconArchiveOff size={16} />}
              loading={restore.isPending}
              data-testid="customer-restore"
              onClick={() =>
                restore.mutate(
                  { customer_status: "Open" },
                  {
                    onSuccess: () => notifySuccess(`${customer.customer_name} restored.`),
                    onError: (e) => notifyError(e),
                  },
                )
              }
            >
              Restore
            </Button>
          ) : (
            <Button
              variant="light"
              color="red"
              leftSection={<IconArchive size={16} />}
              loading={archive.isPending}
              data-testid="customer-archive"
              onClick={() =>
                confirmAction({
                  title: `Archive ${customer.customer_name}?`,
                  message: "The customer is kept for the records but no longer active.",
                  confirmLabel: "Archive",
                  onConfirm: () =>
                    archive.mutate(undefined, {
                      onSuccess: () => notifySuccess(`${customer.customer_name} archived.`),
                      onError: (e) => notifyError(e),
                    }),
                })
              }
            >
              Archive
            </Button>
          )}
        </Group>
      )}
      <SimpleGrid cols={{ base: 1, sm: 2, md: 3 }} spacing="lg">
        <Field label="Account type">{customer.customer_account_type}</Field>
        <Field label="Payment type">
          {PAYMENT_TYPE_LABELS[customer.customer_payment_type] ?? customer.customer_payment_type}
        </Field>
        <Field label="Enabled">{customer.customer_enabled ? "Yes" : "No"}</Field>
        <Field label="Currency">{customer.currency}</Field>
        <Field label="Email">{orDash(customer.email)}</Field>
        <Field label="Phone">{orDash(customer.phone)}</Field>
        <Field label="Tax identifier">{orDash(customer.tax_identifier)}</Field>
        <Field label="Contract start">{formatDate(customer.contract_start_date)}</Field>
        <Field label="Contract end">{formatDate(customer.contract_end_date)}</Field>
        <Field label="Tags">
          {customer.tags.length ? (
            <Group gap={4}>
              {customer.tags.map((t) => (
                <Badge key={t} variant="outline" size="sm">
                  {t}
                </Badge>
              ))}
            </Group>
          ) : (
            "—"
          )}
        </Field>
        <Field label="Created">{formatDateTime(customer.created_at)}</Field>
        <Field label="Updated">{formatDateTime(customer.updated_at)}</Field>
        {archived && <Field label="Archived">{formatDateTime(customer.archived_at)}</Field>}
      </SimpleGrid>
      {customer.notes && (
        <Stack gap={2} mt="lg">
          <Text size="xs" c="dimmed" tt="uppercase" fw={600}>
            Notes
          </Text>
          <Text size="sm" style={{ whiteSpace: "pre-wrap" }}>
            {customer.notes}
          </Text>
        </Stack>
      )}
      <CustomerFormModal opened={editing} onClose={close} customer={customer} />
    </Card>
  );
}
