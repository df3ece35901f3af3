import { Anchor, Group, SimpleGrid, Stack, Table, Text } from "@mantine/core";
import { Link } from "react-router";
import { EmptyRow } from "@/components";
import { formatDate } from "@/lib/format";
import { formatMoney, formatPercent } from "@/lib/money";
import type { DocumentLine, InvoiceDetail, Proforma, TaxRate } from "../api";
import { lastDay } from "../period";
import { TransactionKindBadge } from "./Badges";

type Document = InvoiceDetail | Proforma;

/**
 * A period as the API sends it, `[start, end)` (`end` exclusive), shown with its last day as
 * the line's description words it: 2026-03-01..2026-04-01 is "1 Mar 2026 – 31 Mar 2026".
 * "—" for a line that covers no period.
 */
export function formatPeriod(start: string | null, end: string | null): string {
  if (!start && !end) return "—";
  return `${formatDate(start)} – ${formatDate(end === null ? null : lastDay(end))}`;
}

/** A stored line's transaction is unique on its invoice; a pro-forma's lines have none (null). */
const lineKey = (line: DocumentLine, index: number) =>
  line.transaction_id === null ? `${line.description}-${index}` : `transaction-${line.transaction_id}`;

function LineRow({ line, currency }: { line: DocumentLine; currency: string }) {
  return (
    <Table.Tr data-testid="invoice-line" data-kind={line.kind} opacity={line.void ? 0.5 : 1}>
      <Table.Td>
        <Text size="sm">{line.description}</Text>
        <Group gap={6}>
          <TransactionKindBadge kind={line.kind} />
          {line.service_id !== null && (
            <Anchor component={Link} to={`/services/${line.service_id}`} size="xs">
              {line.service_name ?? `Service #${line.service_id}`}
            </Anchor>
          )}
        </Group>
      </Table.Td>
      <Table.Td style={{ whiteSpace: "nowrap" }} data-testid="invoice-line-period">
        {formatPeriod(line.period_start, line.period_end)}
      </Table.Td>
      <Table.Td ta="right" style={{ whiteSpace: "nowrap" }} data-testid="invoice-line-amount">
        {formatMoney(line.amount, currency)}
      </Table.Td>
      <Table.Td ta="right">{formatPercent(line.tax_percentage)}</Table.Td>
      <Table.Td ta="right" style={{ whiteSpace: "nowrap" }}>
        {formatMoney(line.tax_amount, currency)}
      </Table.Td>
      <Table.Td ta="right" style={{ whiteSpace: "nowrap" }} fw={500}>
        {formatMoney(line.total, currency)}
      </Table.Td>
    </Table.Tr>
  );
}

/** The lines: description, the period each covers, net, tax rate, tax and total. */
export function InvoiceLines({ document }: { document: Document }) {
  return (
    <Table.ScrollContainer minWidth={720}>
      <Table verticalSpacing="xs" data-testid="invoice-lines">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Description</Table.Th>
            <Table.Th>Period</Table.Th>
            <Table.Th ta="right">Amount (net)</Table.Th>
            <Table.Th ta="right">Tax rate</Table.Th>
            <Table.Th ta="right">Tax</Table.Th>
            <Table.Th ta="right">Total</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {document.lines.length === 0 && <EmptyRow colSpan={6}>Nothing to bill</EmptyRow>}
          {document.lines.map((line: DocumentLine, index: number) => (
            <LineRow key={lineKey(line, index)} line={line} currency={document.currency} />
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}

/** Net and tax per tax rate. */
export function TaxSummary({ rates, currency }: { rates: TaxRate[]; currency: string }) {
  if (rates.length === 0) return null;
  return (
    <Table verticalSpacing={4} data-testid="invoice-tax-summary" w="auto">
      <Table.Thead>
        <Table.Tr>
          <Table.Th>Tax rate</Table.Th>
          <Table.Th ta="right">Net</Table.Th>
          <Table.Th ta="right">Tax</Table.Th>
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {rates.map((rate) => (
          <Table.Tr key={rate.tax_percentage} data-testid="tax-rate" data-rate={rate.tax_percentage}>
            <Table.Td>{formatPercent(rate.tax_percentage)}</Table.Td>
            <Table.Td ta="right">{formatMoney(rate.net, currency)}</Table.Td>
            <Table.Td ta="right">{formatMoney(rate.tax, currency)}</Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}

function Total({ label, value, testId, strong }: { label: string; value: string; testId: string; strong?: boolean }) {
  return (
    <Group justify="space-between" gap="xl" wrap="nowrap">
      <Text size="sm" c={strong ? undefined : "dimmed"} fw={strong ? 600 : undefined}>
        {label}
      </Text>
      <Text size="sm" fw={strong ? 700 : 500} data-testid={testId}>
        {value}
      </Text>
    </Group>
  );
}

/** Subtotal, tax, total and, for a real invoice, what was paid and what is still due. */
export function InvoiceTotals({ document, withPayments = true }: { document: Document; withPayments?: boolean }) {
  const money = (value: string) => formatMoney(value, document.currency);
  return (
    <Stack gap={4} miw={240} data-testid="invoice-totals">
      <Total label="Subtotal" value={money(document.subtotal)} testId="invoice-subtotal" />
      <Total label="Tax" value={money(document.tax_total)} testId="invoice-tax-total" />
      <Total label="Total" value={money(document.total)} testId="invoice-total" strong />
      {withPayments && (
        <>
          <Total label="Paid" value={money(document.amount_paid)} testId="invoice-amount-paid" />
          <Total label="Amount due" value={money(document.amount_due)} testId="invoice-amount-due" strong />
        </>
      )}
    </Stack>
  );
}

/** Lines, then the tax summary beside the totals. */
export function InvoiceBody({ document, withPayments }: { document: Document; withPayments?: boolean }) {
  return (
    <Stack>
      <InvoiceLines document={document} />
      <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="lg">
        <div>
          <TaxSummary rates={document.tax_summary} currency={document.currency} />
        </div>
        <Group justify="flex-end" align="flex-start">
          <InvoiceTotals document={document} withPayments={withPayments} />
        </Group>
      </SimpleGrid>
    </Stack>
  );
}
