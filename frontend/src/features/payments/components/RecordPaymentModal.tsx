import {
  Alert,
  Button,
  Group,
  Modal,
  SegmentedControl,
  Select,
  Stack,
  Table,
  Text,
  Textarea,
  TextInput,
} from "@mantine/core";
import { useForm } from "@mantine/form";
import { IconAlertTriangle, IconCircleCheck } from "@tabler/icons-react";
import { zod4Resolver } from "mantine-form-zod-resolver";
import { useState } from "react";
import { z } from "zod";
import { isApiError, usePermission } from "@/api";
import {
  amountProblem,
  invoiceLabel,
  newIdempotencyKey,
  normalizeAmount,
  useCustomerServices,
  type Invoice,
} from "@/features/billing";
import { formatMoney } from "@/lib/money";
import { errorMessage } from "@/lib/notify";
import { useOpenInvoices, useRecordPayment, type PaymentCreate, type PaymentDetail } from "../api";
import { PAYMENT_METHOD_LABELS, PAYMENT_METHODS } from "../constants";
import { ReceiptButton } from "./ReceiptButton";

const MAX_NOTE = 300;

/** The invoice the dialog is opened for (the invoice page): preselected, its amount due prefilled. */
export type PayableInvoice = Pick<Invoice, "invoice_id" | "invoice_number" | "amount_due" | "currency">;

/** Where the money goes: the open invoices oldest due first (the API's default), one invoice, or a service's balance. */
type Target = "auto" | "invoice" | "service";

const schema = z
  .object({
    target: z.enum(["auto", "invoice", "service"]),
    invoice_id: z.string().nullable(),
    service_id: z.string().nullable(),
    amount: z.string().superRefine((value, ctx) => {
      const problem = amountProblem(value);
      if (problem) ctx.addIssue({ code: "custom", message: problem });
    }),
    method: z.enum(PAYMENT_METHODS, { error: "Pick how it was paid" }),
    note: z.string().max(MAX_NOTE, `At most ${MAX_NOTE} characters`),
  })
  .superRefine((values, ctx) => {
    if (values.target === "invoice" && !values.invoice_id) {
      ctx.addIssue({ code: "custom", path: ["invoice_id"], message: "Pick the invoice" });
    }
    if (values.target === "service" && !values.service_id) {
      ctx.addIssue({ code: "custom", path: ["service_id"], message: "Pick the service" });
    }
  });
type Values = z.infer<typeof schema>;

/** The body the form's values make: an invoice or a service (never both), blank options left out. */
export function paymentBody(customerId: number, values: Values): PaymentCreate {
  const body: PaymentCreate = {
    customer_id: customerId,
    amount: normalizeAmount(values.amount),
    method: values.method,
  };
  if (values.target === "invoice" && values.invoice_id) body.invoice_id = Number(values.invoice_id);
  if (values.target === "service" && values.service_id) body.service_id = Number(values.service_id);
  if (values.note.trim()) body.note = values.note.trim();
  return body;
}

/** "23.9880" → "23.988": the amount due as a user would type it. */
const asTyped = (amount: string) => formatMoney(amount);

interface FormProps {
  customerId: number;
  currency: string | null;
  invoice?: PayableInvoice;
  onDone: (payment: PaymentDetail) => void;
  onCancel: () => void;
}

function RecordPaymentForm({ customerId, currency, invoice, onDone, onCancel }: FormProps) {
  const record = useRecordPayment();
  // One key per opening of the dialog (this form is mounted only while it is open), sent with
  // every attempt: a double click or a retry after a lost response replays the first payment
  // instead of taking the money twice.
  const [idempotencyKey] = useState(newIdempotencyKey);
  const canSeeInvoices = usePermission("invoice.read");
  const canSeeServices = usePermission("service.read");
  const openInvoices = useOpenInvoices(customerId, canSeeInvoices);
  const services = useCustomerServices(customerId, canSeeServices);
  const [failure, setFailure] = useState<string | null>(null);
  const form = useForm<Values>({
    mode: "controlled",
    initialValues: {
      target: invoice ? "invoice" : "auto",
      invoice_id: invoice ? String(invoice.invoice_id) : null,
      service_id: null,
      amount: invoice ? asTyped(invoice.amount_due) : "",
      method: "card",
      note: "",
    },
    validate: zod4Resolver(schema),
  });

  // The preselected invoice is an option even before (or without) the list of open ones.
  const invoices: PayableInvoice[] = [...(openInvoices.data?.items ?? [])];
  if (invoice && !invoices.some((i) => i.invoice_id === invoice.invoice_id)) invoices.unshift(invoice);
  const targets = [
    { value: "auto", label: "Open invoices" },
    ...(canSeeInvoices || invoice ? [{ value: "invoice", label: "One invoice" }] : []),
    ...(canSeeServices ? [{ value: "service", label: "Top up a service" }] : []),
  ];

  const submit = form.onSubmit((values) => {
    setFailure(null);
    record.mutate(
      { body: paymentBody(customerId, values), idempotencyKey },
      {
        onSuccess: onDone,
        onError: (error) => {
          if (isApiError(error, "idempotency_key_reused")) {
            // An earlier attempt from this opening did record a payment (its answer was lost)
            // and the form has changed since: taking another is a new opening's decision.
            setFailure(
              `This dialog already recorded a payment${
                typeof error.body.payment_id === "number" ? ` (#${error.body.payment_id})` : ""
              } with other details. Close it and check the payments before recording another.`,
            );
            return;
          }
          // 422 field errors under their input; anything else (409 invoice_not_open, 404
          // customer, a network failure) above the form.
          const known = Object.keys(form.values);
          const fields = isApiError(error)
            ? Object.entries(error.fieldErrors).filter(([field]) => known.includes(field))
            : [];
          if (fields.length) form.setErrors(Object.fromEntries(fields));
          else setFailure(errorMessage(error));
        },
      },
    );
  });

  const target = form.values.target as Target;
  return (
    <form onSubmit={submit} noValidate data-testid="payment-form">
      <Stack>
        {failure && (
          <Alert color="red" icon={<IconAlertTriangle size={18} />} data-testid="payment-error">
            {failure}
          </Alert>
        )}
        <TextInput
          label="Amount"
          required
          inputMode="decimal"
          autoComplete="off"
          placeholder="12.50"
          data-autofocus
          rightSection={currency ? <Text size="xs">{currency}</Text> : undefined}
          rightSectionWidth={48}
          data-testid="payment-amount"
          {...form.getInputProps("amount")}
        />
        <Select
          label="Method"
          required
          allowDeselect={false}
          data={PAYMENT_METHODS.map((value) => ({ value, label: PAYMENT_METHOD_LABELS[value] }))}
          data-testid="payment-method"
          {...form.getInputProps("method")}
        />
        {targets.length > 1 && (
          <Stack gap={4}>
            <Text size="sm" fw={500}>
              Apply to
            </Text>
            <SegmentedControl fullWidth data={targets} data-testid="payment-target" {...form.getInputProps("target")} />
          </Stack>
        )}
        {target === "auto" && (
          <Text size="sm" c="dimmed" data-testid="payment-target-auto">
            Settles the customer's open invoices, oldest due first; the rest is kept as account credit.
          </Text>
        )}
        {target === "invoice" && (
          <Select
            label="Invoice"
            description="Settled first; the rest is kept as account credit"
            required
            placeholder={openInvoices.isPending && canSeeInvoices ? "Loading…" : "Pick an open invoice"}
            nothingFoundMessage="No open invoices"
            data={invoices.map((i) => ({
              value: String(i.invoice_id),
              label: `${invoiceLabel(i)} · due ${formatMoney(i.amount_due, i.currency)}`,
            }))}
            data-testid="payment-invoice"
            {...form.getInputProps("invoice_id")}
          />
        )}
        {target === "service" && (
          <Select
            label="Service"
            description="The amount is added to its prepaid balance, not to any invoice"
            required
            placeholder="Pick a service"
            nothingFoundMessage="No services"
            data={(services.data ?? []).map((s) => ({
              value: String(s.service_id),
              label: `${s.service_name} (#${s.service_id})`,
            }))}
            data-testid="payment-service"
            {...form.getInputProps("service_id")}
          />
        )}
        <Textarea
          label="Note"
          description="Optional: a reference, who paid"
          autosize
          minRows={1}
          maxLength={MAX_NOTE}
          data-testid="payment-note"
          {...form.getInputProps("note")}
        />
        <Group justify="flex-end">
          <Button variant="default" onClick={onCancel}>
            Cancel
          </Button>
          <Button type="submit" loading={record.isPending} data-testid="payment-submit">
            Record payment
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

/** What the recorded payment did: the invoices it settled, the credit left, or the service topped up. */
export function PaymentResult({ payment, onClose }: { payment: PaymentDetail; onClose: () => void }) {
  const money = (amount: string) => formatMoney(amount, payment.currency);
  const hasCredit = /[1-9]/.test(payment.credit);
  return (
    <Stack data-testid="payment-result">
      <Alert color="teal" icon={<IconCircleCheck size={18} />} title="Payment recorded">
        {money(payment.amount)} by {PAYMENT_METHOD_LABELS[payment.method] ?? payment.method}, receipt{" "}
        <Text span ff="monospace" size="sm" data-testid="payment-result-receipt">
          {payment.receipt_number}
        </Text>
        .
      </Alert>
      {payment.service_id !== null ? (
        <Text size="sm" data-testid="payment-result-topup">
          Added to the balance of service #{payment.service_id}.
        </Text>
      ) : (
        <>
          {payment.allocations.length > 0 ? (
            <Table data-testid="payment-result-allocations">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Invoice</Table.Th>
                  <Table.Th ta="right">Paid</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {payment.allocations.map((a) => (
                  <Table.Tr key={a.invoice_id} data-testid="payment-result-allocation">
                    <Table.Td ff="monospace">{a.invoice_number ?? `#${a.invoice_id}`}</Table.Td>
                    <Table.Td ta="right">{money(a.amount)}</Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          ) : (
            <Text size="sm">No open invoice to settle.</Text>
          )}
          <Text size="sm" data-testid="payment-result-credit">
            {hasCredit
              ? `${money(payment.credit)} is kept as account credit for the next invoice.`
              : "Nothing is left as account credit."}
          </Text>
        </>
      )}
      <Group justify="flex-end">
        <ReceiptButton payment={payment} testId="payment-result-download" />
        <Button onClick={onClose} data-testid="payment-done">
          Done
        </Button>
      </Group>
    </Stack>
  );
}

/** The dialog's content for one opening: the form, then what the payment did. */
function RecordPayment(props: Omit<FormProps, "onDone"> & { onClose: () => void }) {
  const [recorded, setRecorded] = useState<PaymentDetail | null>(null);
  if (recorded) return <PaymentResult payment={recorded} onClose={props.onClose} />;
  return <RecordPaymentForm {...props} onDone={setRecorded} />;
}

interface RecordPaymentModalProps {
  opened: boolean;
  onClose: () => void;
  customerId: number;
  /** The customer's currency, shown beside the amount. */
  currency: string | null;
  /** Open with this invoice picked and its amount due filled in. */
  invoice?: PayableInvoice;
}

/** Record a payment taken elsewhere (a card terminal, cash, a bank transfer, a voucher). */
export function RecordPaymentModal({ opened, onClose, customerId, currency, invoice }: RecordPaymentModalProps) {
  return (
    <Modal opened={opened} onClose={onClose} title="Record payment">
      {/* Mounted only while open: each opening starts empty, with a new Idempotency-Key. */}
      {opened && (
        <RecordPayment
          customerId={customerId}
          currency={currency ?? invoice?.currency ?? null}
          invoice={invoice}
          onCancel={onClose}
          onClose={onClose}
        />
      )}
    </Modal>
  );
}
