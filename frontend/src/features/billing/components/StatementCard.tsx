import { Anchor, Group, Table, Text, TextInput } from "@mantine/core";
import { useState } from "react";
import { Link } from "react-router";
import { DetailCard, EmptyRow, QueryState } from "@/components";
import { formatDate } from "@/lib/format";
import { formatMoney } from "@/lib/money";
import { useStatement, type Statement } from "../api";
import { DAY_RE, isoDay } from "../validation";

/** The first of the month, three months back: a quarter's statement by default. */
function defaultFrom(today: Date): string {
  return isoDay(new Date(today.getFullYear(), today.getMonth() - 2, 1));
}

/** The money columns zero-padded the same way: "0" is shown as "—" so the entries read. */
const amount = (value: string, currency: string) => (/^-?0*(\.0*)?$/.test(value) ? "—" : formatMoney(value, currency));

/** What each line is: a document, or money paid on (or refunded from) the invoice it links to. */
const LINE_KIND_LABELS: Record<Statement["lines"][number]["kind"], string> = {
  invoice: "Invoice",
  credit_note: "Credit note",
  payment: "Payment",
  refund: "Refund",
};

/** Every amount in the statement's own currency (the API sends it). */
function StatementTable({ statement }: { statement: Statement }) {
  const { currency } = statement;
  return (
    <Table.ScrollContainer minWidth={760}>
      <Table verticalSpacing="xs" data-testid="statement-table">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Date</Table.Th>
            <Table.Th>Document</Table.Th>
            <Table.Th>Description</Table.Th>
            <Table.Th ta="right">Debit</Table.Th>
            <Table.Th ta="right">Credit</Table.Th>
            <Table.Th ta="right">Balance</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          <Table.Tr>
            <Table.Td>{formatDate(statement.date_from)}</Table.Td>
            <Table.Td colSpan={4}>
              <Text size="sm" fw={500}>
                Opening balance
              </Text>
            </Table.Td>
            <Table.Td ta="right" fw={500} data-testid="statement-opening">
              {formatMoney(statement.opening_balance, currency)}
            </Table.Td>
          </Table.Tr>
          {statement.lines.length === 0 && <EmptyRow colSpan={6}>Nothing issued in this period</EmptyRow>}
          {statement.lines.map((line, index) => (
            // A payment and its refund can share an invoice and a reference: the index tells them apart.
            <Table.Tr
              key={`${index}-${line.invoice_id}-${line.reference}`}
              data-testid="statement-line"
              data-kind={line.kind}
            >
              <Table.Td style={{ whiteSpace: "nowrap" }}>{formatDate(line.date)}</Table.Td>
              <Table.Td>
                <Anchor component={Link} to={`/invoices/${line.invoice_id}`} size="sm" ff="monospace">
                  {line.reference}
                </Anchor>
                <Text size="xs" c="dimmed">
                  {LINE_KIND_LABELS[line.kind] ?? line.kind}
                </Text>
              </Table.Td>
              <Table.Td>{line.description}</Table.Td>
              <Table.Td ta="right" style={{ whiteSpace: "nowrap" }}>
                {amount(line.debit, currency)}
              </Table.Td>
              <Table.Td ta="right" style={{ whiteSpace: "nowrap" }}>
                {amount(line.credit, currency)}
              </Table.Td>
              <Table.Td ta="right" style={{ whiteSpace: "nowrap" }}>
                {formatMoney(line.balance, currency)}
              </Table.Td>
            </Table.Tr>
          ))}
          <Table.Tr>
            <Table.Td>{formatDate(statement.date_to)}</Table.Td>
            <Table.Td colSpan={4}>
              <Text size="sm" fw={600}>
                Closing balance
              </Text>
            </Table.Td>
            <Table.Td ta="right" fw={700} data-testid="statement-closing">
              {formatMoney(statement.closing_balance, currency)}
            </Table.Td>
          </Table.Tr>
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}

/** The account statement: opening balance, each invoice and credit note issued in the period, closing balance. */
export function StatementCard({ customerId }: { customerId: number }) {
  const [from, setFrom] = useState(() => defaultFrom(new Date()));
  const [to, setTo] = useState(() => isoDay(new Date()));
  const complete = DAY_RE.test(from) && DAY_RE.test(to);
  // ISO days compare as strings.
  const ordered = !complete || from <= to;
  const statement = useStatement(customerId, from, to, complete && ordered);

  return (
    <DetailCard
      title="Statement"
      testId="billing-statement"
      extra={
        <Group gap="xs" align="flex-start">
          <TextInput
            type="date"
            size="xs"
            aria-label="From"
            value={from}
            onChange={(e) => setFrom(e.currentTarget.value)}
            data-testid="statement-from"
          />
          <Text size="sm" c="dimmed" mt={4}>
            to
          </Text>
          <TextInput
            type="date"
            size="xs"
            aria-label="To"
            value={to}
            onChange={(e) => setTo(e.currentTarget.value)}
            error={ordered ? undefined : "Not before the start"}
            data-testid="statement-to"
          />
        </Group>
      }
    >
      {!complete ? (
        <Text size="sm" c="dimmed">
          Pick both days.
        </Text>
      ) : !ordered ? (
        <Text size="sm" c="red" data-testid="statement-range-error">
          The end of the period is before its start.
        </Text>
      ) : (
        <QueryState query={statement}>{(s) => <StatementTable statement={s} />}</QueryState>
      )}
    </DetailCard>
  );
}
