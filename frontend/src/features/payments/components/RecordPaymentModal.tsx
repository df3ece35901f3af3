import {
  Alert,
  Button,
  Checkbox,
  Group,
  Modal,
  SegmentedControl,
  Select,
  Stack,
  Text,
  Textarea,
  TextInput,
} from "@mantine/core";
import { useForm } from "@mantine/form";
import { IconAlertTriangle } from "@tabler/icons-react";
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
import {
  cardPaymentsKey,
  useGateway,
  useOpenInvoices,
  useRecordPayment,
  useSavedCards,
  type PaymentCreate,
  type PaymentDetail,
  type SavedCard,
} from "../api";
import { cardExpiry, cardLabel, isPaid, PAYMENT_METHOD_LABELS, PAYMENT_METHODS } from "../constants";
import { requireStripeJs } from "../stripe";
import { DeclinedNotice, PaymentFollowUp, type Authentication } from "./PaymentFollowUp";
import { PaymentResult } from "./PaymentResult";

const MAX_NOTE = 300;

/** The invoice the dialog is opened for (the invoice page): preselected, its amount due prefilled. */
export type PayableInvoice = Pick<Invoice, "invoice_id" | "invoice_number" | "amount_due" | "currency">;

/** Where the money goes: the open invoices oldest due first (the API's default), one invoice, or a service's balance. */
type Target = "auto" | "invoice" | "service";

/** Money taken elsewhere (recorded), or a saved card charged through Stripe now. */
type Source = "record" | "charge";

const schema = z
  .object({
    source: z.enum(["record", "charge"]),
    payment_method_id: z.string().nullable(),
    customer_present: z.boolean(),
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
    if (values.source === "charge" && !values.payment_method_id) {
      ctx.addIssue({ code: "custom", path: ["payment_method_id"], message: "Pick the card" });
    }
  });
type Values = z.infer<typeof schema>;

/**
 * The body the form's values make: an invoice or a service (never both), blank options left
 * out; charging a saved card pays by card, with whether the customer can pass 3-D Secure.
 */
export function paymentBody(customerId: number, values: Values): PaymentCreate {
  const body: PaymentCreate = {
    customer_id: customerId,
    amount: normalizeAmount(values.amount),
    method: values.source === "charge" ? "card" : values.method,
  };
  if (values.source === "charge" && values.payment_method_id) {
    body.payment_method_id = Number(values.payment_method_id);
    body.customer_present = values.customer_present;
  }
  if (values.target === "invoice" && values.invoice_id) body.invoice_id = Number(values.invoice_id);
  if (values.target === "service" && values.service_id) body.service_id = Number(values.service_id);
  if (values.note.trim()) body.note = values.note.trim();
  return body;
}

/** "23.9880" → "23.988": the amount due as a user would type it. */
const asTyped = (amount: string) => formatMoney(amount);

/** The card a charge starts with: the default unless it has expired, else the first that has not. */
function preselected(cards: SavedCard[]): SavedCard | undefined {
  return cards.find((c) => c.is_default && !c.expired) ?? cards.find((c) => !c.expired);
}

/** The API names the card `card_id` in some 422s: that is this form's `payment_method_id`. */
const FIELD_ALIASES: Record<string, string> = { card_id: "payment_method_id" };

/** A card the API declined (402 `payment_declined`), shown in the dialog. */
interface Decline {
  message: string;
  code: string | null;
  paymentId: number | null;
}

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
  // instead of taking the money twice. Only a declined card (a definite answer: nothing was
  // taken) gets a new one, so that another card or method can be tried.
  const [idempotencyKey, setIdempotencyKey] = useState(newIdempotencyKey);
  const canSeeInvoices = usePermission("invoice.read");
  const canSeeServices = usePermission("service.read");
  const canSeeCards = usePermission("payment.read");
  const openInvoices = useOpenInvoices(customerId, canSeeInvoices);
  const services = useCustomerServices(customerId, canSeeServices);
  const gateway = useGateway(canSeeCards);
  const cardPayments = cardPaymentsKey(gateway.data) !== null;
  const savedCards = useSavedCards(customerId, canSeeCards && cardPayments);
  const cards = savedCards.data ?? [];
  const canCharge = cardPayments && preselected(cards) !== undefined;
  const [failure, setFailure] = useState<string | null>(null);
  const [decline, setDecline] = useState<Decline | null>(null);
  const form = useForm<Values>({
    mode: "controlled",
    initialValues: {
      source: "record",
      payment_method_id: null,
      customer_present: false,
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
    setDecline(null);
    const charging = values.source === "charge" && canCharge;
    record.mutate(
      { body: paymentBody(customerId, charging ? values : { ...values, source: "record" }), idempotencyKey },
      {
        onSuccess: onDone,
        onError: (error) => {
          if (isApiError(error, "payment_declined")) {
            const { payment_id, failure_code } = error.body;
            setDecline({
              message: error.message,
              code: typeof failure_code === "string" ? failure_code : null,
              paymentId: typeof payment_id === "number" ? payment_id : null,
            });
            setIdempotencyKey(newIdempotencyKey());
            return;
          }
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
            ? Object.entries(error.fieldErrors)
                .map(([field, message]) => [FIELD_ALIASES[field] ?? field, message] as const)
                .filter(([field]) => known.includes(field))
            : [];
          if (fields.length) form.setErrors(Object.fromEntries(fields));
          else setFailure(errorMessage(error));
        },
      },
    );
  });

  const target = form.values.target as Target;
  const source: Source = canCharge ? (form.values.source as Source) : "record";
  const chooseSource = (value: string) => {
    form.setFieldValue("source", value as Source);
    // The customer's default card (when it has not expired) is picked for a charge.
    if (value === "charge" && !form.values.payment_method_id) {
      const card = preselected(cards);
      if (card) form.setFieldValue("payment_method_id", String(card.payment_method_id));
    }
  };
  return (
    <form onSubmit={submit} noValidate data-testid="payment-form">
      <Stack>
        {failure && (
          <Alert color="red" icon={<IconAlertTriangle size={18} />} data-testid="payment-error">
            {failure}
          </Alert>
        )}
        {decline && (
          <DeclinedNotice
            message={`${decline.message} Pick another card or method to try again.`}
            code={decline.code}
            paymentId={decline.paymentId}
          />
        )}
        {canCharge && (
          <SegmentedControl
            fullWidth
            data={[
              { value: "record", label: "Record a payment" },
              { value: "charge", label: "Charge a saved card" },
            ]}
            value={source}
            onChange={chooseSource}
            data-testid="payment-source"
          />
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
        {source === "record" ? (
          <Select
            label="Method"
            required
            allowDeselect={false}
            data={PAYMENT_METHODS.map((value) => ({ value, label: PAYMENT_METHOD_LABELS[value] }))}
            data-testid="payment-method"
            {...form.getInputProps("method")}
          />
        ) : (
          <>
            <Select
              label="Card"
              description="Charged through Stripe now; the payment is applied once the money is in"
              required
              allowDeselect={false}
              data={cards.map((c) => ({
                value: String(c.payment_method_id),
                label: `${cardLabel(c)} · ${c.expired ? "expired" : "expires"} ${cardExpiry(c)}${c.is_default ? " · default" : ""}`,
                disabled: c.expired,
              }))}
              data-testid="payment-card"
              {...form.getInputProps("payment_method_id")}
            />
            <Checkbox
              label="Customer is present (can pass 3-D Secure)"
              description="If their bank asks, they confirm the payment here. Otherwise such a payment waits."
              data-testid="payment-customer-present"
              {...form.getInputProps("customer_present", { type: "checkbox" })}
            />
          </>
        )}
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
            {source === "charge" ? "Charge card" : "Record payment"}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

/**
 * The dialog's content for one opening: the form, then what the payment did. A card payment
 * the bank wants the customer to authenticate (202 `requires_action` with a client secret) is
 * handed to Stripe.js (`handleNextAction`: the 3-D Secure challenge), then followed until
 * Stripe settles it.
 */
function RecordPayment(props: Omit<FormProps, "onDone"> & { onClose: () => void }) {
  const [payment, setPayment] = useState<PaymentDetail | null>(null);
  const [authentication, setAuthentication] = useState<Authentication | null>(null);
  const gateway = useGateway(usePermission("payment.read"));

  const authenticate = async (publishableKey: string, clientSecret: string) => {
    setAuthentication({ state: "authenticating" });
    let stripeError: string | null = null;
    try {
      const stripe = await requireStripeJs(publishableKey);
      const result = await stripe.handleNextAction({ clientSecret });
      if (result.error) stripeError = result.error.message ?? "The authentication did not pass.";
    } catch (error) {
      stripeError = errorMessage(error);
    }
    // Whatever Stripe.js said, the API has the last word: read the payment until it settles.
    setAuthentication({ state: "polling", since: Date.now(), stripeError });
  };

  const onDone = (answered: PaymentDetail) => {
    setPayment(answered);
    const publishableKey = cardPaymentsKey(gateway.data);
    if (answered.status === "requires_action" && answered.client_secret && publishableKey) {
      void authenticate(publishableKey, answered.client_secret);
    }
  };

  if (payment && isPaid(payment.status)) return <PaymentResult payment={payment} onClose={props.onClose} />;
  if (payment) return <PaymentFollowUp payment={payment} authentication={authentication} onClose={props.onClose} />;
  return <RecordPaymentForm {...props} onDone={onDone} />;
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

/**
 * Record a payment taken elsewhere (a card terminal, cash, a bank transfer, a voucher), or,
 * when card payments are on and the customer has a saved card, charge that card through Stripe.
 */
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
