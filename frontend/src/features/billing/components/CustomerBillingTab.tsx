import { Box, Button, Card, CloseButton, Group, Stack, Text, Title } from "@mantine/core";
import { IconCash, IconFileInvoice, IconPlayerPlay, IconPlus } from "@tabler/icons-react";
import { useState } from "react";
import { usePermission } from "@/api";
import { DetailCard, ListFooter, QueryState } from "@/components";
import { PaymentsCard, RecordPaymentModal, SavedCardsCard } from "@/features/payments";
import { formatMoney } from "@/lib/money";
import { notifyError } from "@/lib/notify";
import { useBalanceDue, useInvoices, useStartRun } from "../api";
import { useLiveBillingRun } from "../socket";
import { ChargeCreditModal } from "./ChargeCreditModal";
import { InvoicesTable } from "./InvoicesTable";
import { ProformaModal } from "./ProformaModal";
import { RunProgress } from "./RunProgress";
import { StatementCard } from "./StatementCard";
import { TransactionsCard } from "./TransactionsCard";

/** Who may open the customer's Billing tab: anyone who may read invoices, transactions or payments. */
export function useCanSeeBilling(): boolean {
  const invoices = usePermission("invoice.read");
  const transactions = usePermission("transaction.read");
  const payments = usePermission("payment.read");
  return invoices || transactions || payments;
}

function BalanceDueValue({ customerId, currency }: { customerId: number; currency: string | null }) {
  const balance = useBalanceDue(customerId);
  return (
    <QueryState query={balance}>
      {(b) => (
        <Stack gap={0}>
          <Text fz={28} fw={700} data-testid="billing-balance-due">
            {b.byCurrency.length === 0
              ? formatMoney("0", currency)
              : b.byCurrency.map((c) => formatMoney(c.amount, c.currency)).join(" + ")}
          </Text>
          <Text size="sm" c="dimmed" data-testid="billing-open-invoices">
            {b.count === 0 ? "No open invoices" : `On ${b.count} open ${b.count === 1 ? "invoice" : "invoices"}`}
          </Text>
        </Stack>
      )}
    </QueryState>
  );
}

/** The run started from this tab, followed live until it is done. */
function LiveRun({ runId, onDismiss }: { runId: number; onDismiss: () => void }) {
  const { run, live } = useLiveBillingRun(runId);
  if (!run) return null;
  return (
    <Card withBorder radius="md" padding="md" data-testid="customer-billing-run">
      <Group align="flex-start" wrap="nowrap" gap="sm">
        <Box flex={1}>
          <RunProgress run={run} live={live} />
        </Box>
        <CloseButton aria-label="Hide the run" onClick={onDismiss} size="sm" />
      </Group>
    </Card>
  );
}

const INVOICE_PAGE_SIZE = 10;

function CustomerInvoices({ customerId }: { customerId: number }) {
  const [page, setPage] = useState(1);
  const [pageSize, setPageSize] = useState(INVOICE_PAGE_SIZE);
  const invoices = useInvoices({ customer_id: customerId, page, page_size: pageSize });
  return (
    <DetailCard title="Invoices" testId="billing-invoices">
      <QueryState query={invoices}>
        {({ items, pagination }) => (
          <>
            <InvoicesTable
              rows={items}
              withCustomer={false}
              empty="No invoices yet"
              loading={invoices.isPlaceholderData}
              testId="customer-invoices-table"
            />
            <ListFooter
              pagination={pagination}
              pageSize={pageSize}
              noun={pagination.total === 1 ? "invoice" : "invoices"}
              onPage={setPage}
              onPageSize={(size) => {
                setPageSize(size);
                setPage(1);
              }}
            />
          </>
        )}
      </QueryState>
    </DetailCard>
  );
}

interface CustomerBillingTabProps {
  customerId: number;
  /** The customer's currency, for what has none of its own: an empty balance due, a new charge's amount. */
  currency: string | null;
}

/** A customer's billing: what they owe, their invoices, payments and transactions, the statement, and the staff actions. */
export function CustomerBillingTab({ customerId, currency }: CustomerBillingTabProps) {
  const canReadInvoices = usePermission("invoice.read");
  const canReadTransactions = usePermission("transaction.read");
  const canWriteTransactions = usePermission("transaction.write");
  const canRun = usePermission("invoice.write");
  const canReadPayments = usePermission("payment.read");
  const canWritePayments = usePermission("payment.write");
  const [chargeOpen, setChargeOpen] = useState(false);
  const [paymentOpen, setPaymentOpen] = useState(false);
  const [proformaOpen, setProformaOpen] = useState(false);
  const [runId, setRunId] = useState<number | null>(null);
  const start = useStartRun();

  const runBilling = () =>
    start.mutate(
      { customer_id: customerId },
      {
        onSuccess: (run) => setRunId(run.billing_run_id),
        onError: (error) => notifyError(error, "Could not start the billing run"),
      },
    );

  return (
    <Stack data-testid="customer-billing">
      <Card withBorder radius="md" padding="lg">
        <Group justify="space-between" align="flex-start" wrap="wrap">
          <Stack gap={4}>
            <Title order={5}>Balance due</Title>
            {canReadInvoices ? (
              <BalanceDueValue customerId={customerId} currency={currency} />
            ) : (
              <Text size="sm" c="dimmed">
                Needs the invoice.read permission
              </Text>
            )}
          </Stack>
          <Group gap="xs">
            {canWritePayments && (
              <Button
                variant="default"
                leftSection={<IconCash size={16} />}
                onClick={() => setPaymentOpen(true)}
                data-testid="billing-record-payment"
              >
                Record payment
              </Button>
            )}
            {canWriteTransactions && (
              <Button
                variant="default"
                leftSection={<IconPlus size={16} />}
                onClick={() => setChargeOpen(true)}
                data-testid="billing-add-charge"
              >
                Add charge / credit
              </Button>
            )}
            {canReadInvoices && (
              <Button
                variant="default"
                leftSection={<IconFileInvoice size={16} />}
                onClick={() => setProformaOpen(true)}
                data-testid="billing-proforma"
              >
                Pro-forma
              </Button>
            )}
            {canRun && (
              <Button
                leftSection={<IconPlayerPlay size={16} />}
                onClick={runBilling}
                loading={start.isPending}
                data-testid="billing-run-customer"
              >
                Run billing for this customer
              </Button>
            )}
          </Group>
        </Group>
      </Card>
      {runId !== null && <LiveRun runId={runId} onDismiss={() => setRunId(null)} />}
      {canReadInvoices && <CustomerInvoices customerId={customerId} />}
      {canReadPayments && <PaymentsCard customerId={customerId} />}
      {canReadPayments && <SavedCardsCard customerId={customerId} />}
      {canReadTransactions && <TransactionsCard customerId={customerId} />}
      {canReadInvoices && <StatementCard customerId={customerId} />}
      <ChargeCreditModal
        opened={chargeOpen}
        onClose={() => setChargeOpen(false)}
        customerId={customerId}
        currency={currency}
      />
      <RecordPaymentModal
        opened={paymentOpen}
        onClose={() => setPaymentOpen(false)}
        customerId={customerId}
        currency={currency}
      />
      <ProformaModal opened={proformaOpen} onClose={() => setProformaOpen(false)} customerId={customerId} />
    </Stack>
  );
}
