import { Alert, Anchor, Button, Group, Stack, Text } from "@mantine/core";
import { IconBan, IconCash, IconSend } from "@tabler/icons-react";
import { useState } from "react";
import { Link, useParams } from "react-router";
import { usePermission } from "@/api";
import {
  confirmAction,
  DetailCard,
  DetailPage,
  Field,
  FieldGrid,
  PageHeader,
  ReasonModal,
  useReasonAction,
} from "@/components";
import { RecordPaymentModal } from "@/features/payments";
import { formatDate, formatDateTime } from "@/lib/format";
import { notifyError, notifySuccess } from "@/lib/notify";
import { useInvoice, useIssueInvoice, useVoidInvoice, type InvoiceDetail } from "../api";
import { canIssue, canVoid, INVOICE_KIND_LABELS, invoiceLabel, OPEN_STATUSES } from "../constants";
import { InvoiceKindBadge, InvoiceStatusBadge } from "./Badges";
import { formatPeriod, InvoiceBody } from "./InvoiceBody";
import { InvoicePdfButton } from "./InvoicePdfButton";

function IssueButton({ invoice }: { invoice: InvoiceDetail }) {
  const issue = useIssueInvoice(invoice.invoice_id);
  const run = () =>
    confirmAction({
      title: `Issue ${invoiceLabel(invoice)}?`,
      message:
        "It gets its number, issue and due dates, and the customer is e-mailed. An issued invoice is only undone by a credit note.",
      confirmLabel: "Issue",
      danger: false,
      onConfirm: () =>
        issue.mutate(undefined, {
          onSuccess: (issued) => notifySuccess(`Issued as ${issued.invoice_number ?? "a draft"}.`),
          onError: (error) => notifyError(error, "Could not issue the invoice"),
        }),
    });
  return (
    <Button leftSection={<IconSend size={16} />} onClick={run} loading={issue.isPending} data-testid="invoice-issue">
      Issue
    </Button>
  );
}

/** An invoice with money still owed on it: a payment can be recorded against it. */
const isPayable = (invoice: InvoiceDetail) =>
  invoice.kind === "invoice" && (OPEN_STATUSES as readonly string[]).includes(invoice.status);

/** Where a void invoice went: the credit note that cancelled it (or, for a draft, back to billing). */
function VoidNotice({ invoice }: { invoice: InvoiceDetail }) {
  return (
    <Alert color="dark" icon={<IconBan size={18} />} title="Void" data-testid="invoice-void-notice">
      <Text size="sm">
        {formatDateTime(invoice.voided_at)}: {invoice.void_reason ?? "no reason given"}.
      </Text>
      {invoice.credited_by_id !== null ? (
        <Text size="sm">
          Cancelled by credit note{" "}
          <Anchor component={Link} to={`/invoices/${invoice.credited_by_id}`} data-testid="invoice-credit-note">
            #{invoice.credited_by_id}
          </Anchor>
          .
        </Text>
      ) : (
        <Text size="sm">A void draft's lines go on the customer's next invoice.</Text>
      )}
    </Alert>
  );
}

function InvoiceDetails({ invoice }: { invoice: InvoiceDetail }) {
  const canWrite = usePermission("invoice.write");
  const canVoidInvoices = usePermission("invoice.void");
  const canRecordPayment = usePermission("payment.write");
  const [paymentOpen, setPaymentOpen] = useState(false);
  const reason = useReasonAction(useVoidInvoice(invoice.invoice_id), (voided) =>
    voided.credited_by_id !== null
      ? `${invoiceLabel(voided)} is void: credit note #${voided.credited_by_id} cancels it.`
      : `${invoiceLabel(voided)} is void.`,
  );

  return (
    <>
      <PageHeader
        title={
          <Group gap="sm">
            <span style={{ fontFamily: "monospace" }} data-testid="invoice-number">
              {invoiceLabel(invoice)}
            </span>
            <InvoiceKindBadge kind={invoice.kind} testId="invoice-kind" />
            <InvoiceStatusBadge status={invoice.status} testId="invoice-status" />
          </Group>
        }
        description={`${INVOICE_KIND_LABELS[invoice.kind]} #${invoice.invoice_id} · ${invoice.currency}`}
        actions={
          <>
            <InvoicePdfButton invoice={invoice} />
            {canRecordPayment && isPayable(invoice) && (
              <Button
                leftSection={<IconCash size={16} />}
                onClick={() => setPaymentOpen(true)}
                data-testid="invoice-record-payment"
              >
                Record payment
              </Button>
            )}
            {canWrite && canIssue(invoice) && <IssueButton invoice={invoice} />}
            {canVoidInvoices && canVoid(invoice) && (
              <Button
                variant="light"
                color="red"
                leftSection={<IconBan size={16} />}
                onClick={() => reason.open("void")}
                data-testid="invoice-void"
              >
                Void
              </Button>
            )}
          </>
        }
      />
      <Stack>
        {invoice.status === "void" && <VoidNotice invoice={invoice} />}
        <DetailCard>
          <FieldGrid cols={{ base: 2, sm: 4 }}>
            <Field label="Customer">
              <Anchor component={Link} to={`/customers/${invoice.customer_id}`} data-testid="invoice-customer">
                {invoice.customer_name || `#${invoice.customer_id}`}
              </Anchor>
            </Field>
            <Field label="Issued" testId="invoice-issue-date">
              {formatDate(invoice.issue_date)}
            </Field>
            <Field label="Due" testId="invoice-due-date">
              {formatDate(invoice.due_date)}
            </Field>
            <Field label="Period" testId="invoice-period">
              {formatPeriod(invoice.period_start, invoice.period_end)}
            </Field>
            {invoice.credit_note_for_id !== null && (
              <Field label="Credit note for">
                <Anchor component={Link} to={`/invoices/${invoice.credit_note_for_id}`} data-testid="invoice-credits">
                  #{invoice.credit_note_for_id}
                </Anchor>
              </Field>
            )}
            {invoice.billing_run_id !== null && (
              <Field label="Billing run">
                <Anchor component={Link} to={`/billing/runs/${invoice.billing_run_id}`}>
                  #{invoice.billing_run_id}
                </Anchor>
              </Field>
            )}
            <Field label="Created">{formatDateTime(invoice.created_at)}</Field>
          </FieldGrid>
        </DetailCard>
        <DetailCard title="Lines">
          <InvoiceBody document={invoice} />
        </DetailCard>
      </Stack>
      <RecordPaymentModal
        opened={paymentOpen}
        onClose={() => setPaymentOpen(false)}
        customerId={invoice.customer_id}
        currency={invoice.currency}
        invoice={invoice}
      />
      <ReasonModal
        title={reason.action ? `Void ${invoiceLabel(invoice)}` : null}
        confirmLabel="Void"
        danger
        description={
          invoice.status === "draft"
            ? "The draft is discarded; its lines go on the customer's next invoice."
            : "A credit note is issued that reverses every line; this invoice stays on record as void."
        }
        pending={reason.pending}
        error={reason.failure}
        onSubmit={reason.submit}
        onClose={reason.close}
      />
    </>
  );
}

export function InvoiceDetailPage() {
  const invoiceId = Number(useParams().invoiceId);
  const invoice = useInvoice(invoiceId);
  return (
    <DetailPage
      testId="invoice-page"
      breadcrumbs={[
        { label: "Invoices", to: "/invoices" },
        { label: invoice.data ? invoiceLabel(invoice.data) : `#${invoiceId}` },
      ]}
      title={`Invoice ${invoice.data ? invoiceLabel(invoice.data) : `#${invoiceId}`}`}
      query={invoice}
    >
      {(i) => <InvoiceDetails invoice={i} />}
    </DetailPage>
  );
}
