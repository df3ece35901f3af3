import {
  Alert,
  Anchor,
  Button,
  Group,
  Modal,
  SegmentedControl,
  Select,
  SimpleGrid,
  Stack,
  Switch,
  TagsInput,
  Text,
  Textarea,
  TextInput,
} from "@mantine/core";
import { useForm } from "@mantine/form";
import { IconCopy } from "@tabler/icons-react";
import { zod4Resolver } from "mantine-form-zod-resolver";
import { useEffect, useState } from "react";
import { Link, useNavigate } from "react-router";
import { z } from "zod";
import { isApiError, type Customer, type CustomerCreate, type CustomerUpdate } from "@/api";
import { nullIfBlank, showFormError, withoutNulls } from "@/lib/forms";
import { notifySuccess } from "@/lib/notify";
import { useCreateCustomer, useCustomerDefaults, useUpdateCustomer } from "../api";
import { ACCOUNT_TYPES, PAYMENT_TYPES, PAYMENT_TYPE_LABELS, SETTABLE_STATUSES } from "../constants";

const schema = z
  .object({
    customer_name: z.string().trim().min(1, "Enter the customer's name").max(200),
    customer_account_type: z.enum(ACCOUNT_TYPES),
    customer_payment_type: z.enum(PAYMENT_TYPES),
    // "" keeps an archived customer archived; a status restores it.
    customer_status: z.union([z.enum(SETTABLE_STATUSES), z.literal("")]),
    currency: z
      .string()
      .trim()
      // Blank on create: the server applies the operator's DEFAULT_CURRENCY.
      .regex(/^([A-Za-z]{3})?$/, "A 3-letter ISO code, e.g. USD"),
    customer_enabled: z.boolean(),
    email: z.union([z.literal(""), z.email("Enter a valid email")]),
    phone: z
      .string()
      .trim()
      .regex(/^[+\d\s().-]*$/, "Use digits, spaces and an optional leading +"),
    tax_identifier: z.string().trim().max(64),
    contract_start_date: z.string(),
    contract_end_date: z.string(),
    tags: z.array(z.string().trim().min(1).max(50)).max(20, "At most 20 tags"),
    notes: z.string().max(10000),
  })
  .refine((v) => !v.contract_start_date || !v.contract_end_date || v.contract_end_date >= v.contract_start_date, {
    path: ["contract_end_date"],
    message: "The contract cannot end before it starts",
  });

type Values = z.infer<typeof schema>;

/** The PATCH body: every field, blanks as null so a cleared input clears the field. */
function toUpdate(values: Values): CustomerUpdate {
  return {
    customer_name: values.customer_name.trim(),
    customer_account_type: values.customer_account_type,
    customer_payment_type: values.customer_payment_type,
    ...(values.customer_status ? { customer_status: values.customer_status } : {}),
    customer_enabled: values.customer_enabled,
    currency: values.currency.trim().toUpperCase(),
    email: nullIfBlank(values.email),
    phone: nullIfBlank(values.phone),
    tax_identifier: nullIfBlank(values.tax_identifier),
    contract_start_date: nullIfBlank(values.contract_start_date),
    contract_end_date: nullIfBlank(values.contract_end_date),
    tags: values.tags,
    notes: nullIfBlank(values.notes),
  };
}

/** The POST body: blanks left out so the server applies its defaults; status starts Open. */
function toCreate(values: Values): CustomerCreate {
  const { customer_status: _status, currency, ...body } = toUpdate(values);
  return withoutNulls({ ...body, customer_name: values.customer_name.trim(), currency: nullIfBlank(currency ?? "") });
}

function initialValues(customer?: Customer): Values {
  return {
    customer_name: customer?.customer_name ?? "",
    customer_account_type: customer?.customer_account_type ?? "Individual",
    customer_payment_type: customer?.customer_payment_type ?? "prepaid",
    customer_status: !customer ? "Open" : customer.customer_status === "Archived" ? "" : customer.customer_status,
    // A new customer starts in the operator's currency, filled in once the defaults are read.
    currency: customer?.currency ?? "",
    notes: customer?.notes ?? "",
    customer_enabled: customer?.customer_enabled ?? true,
    email: customer?.email ?? "",
    phone: customer?.phone ?? "",
    tax_identifier: customer?.tax_identifier ?? "",
    contract_start_date: customer?.contract_start_date?.slice(0, 10) ?? "",
    contract_end_date: customer?.contract_end_date?.slice(0, 10) ?? "",
    tags: customer?.tags ?? [],
  };
}

interface CustomerFormProps {
  customer?: Customer;
  onDone: (customer: Customer) => void;
  onCancel: () => void;
}

/** Create (no `customer`) or edit a customer. Server validation lands under the inputs. */
export function CustomerForm({ customer, onDone, onCancel }: CustomerFormProps) {
  const create = useCreateCustomer();
  const update = useUpdateCustomer(customer?.customer_id ?? 0);
  const [duplicateOf, setDuplicateOf] = useState<number | null>(null);
  const form = useForm<Values>({
    mode: "controlled",
    initialValues: initialValues(customer),
    validate: zod4Resolver(schema),
  });
  const defaults = useCustomerDefaults(!customer);
  const defaultCurrency = defaults.data?.currency;
  useEffect(() => {
    // Only into an untouched field: never overwrite what the user typed.
    if (!customer && defaultCurrency && !form.isTouched("currency") && !form.getValues().currency) {
      form.setFieldValue("currency", defaultCurrency);
    }
    // eslint-disable-next-line react-hooks/exhaustive-deps -- form is stable; run when the default arrives
  }, [customer, defaultCurrency]);

  const submit = form.onSubmit((values) => {
    setDuplicateOf(null);
    const onError = (error: unknown) => {
      if (isApiError(error, "duplicate_customer")) {
        const existing = Number(error.body.existing_customer_id);
        setDuplicateOf(Number.isFinite(existing) ? existing : null);
        if (!Number.isFinite(existing)) showFormError(form, error);
        return;
      }
      showFormError(form, error);
    };
    if (customer) update.mutate(toUpdate(values), { onSuccess: onDone, onError });
    else create.mutate(toCreate(values), { onSuccess: onDone, onError });
  });

  const pending = create.isPending || update.isPending;

  return (
    <form onSubmit={submit} noValidate data-testid="customer-form">
      <Stack>
        {duplicateOf !== null && (
          <Alert
            color="orange"
            icon={<IconCopy size={18} />}
            title="This customer already exists"
            data-testid="customer-duplicate"
          >
            <Text size="sm">
              A customer with the same email or phone is already on file.{" "}
              <Anchor component={Link} to={`/customers/${duplicateOf}`} onClick={onCancel}>
                Open customer #{duplicateOf}
              </Anchor>
            </Text>
          </Alert>
        )}
        <TextInput
          label="Name"
          required
          data-autofocus
          data-testid="customer-name"
          {...form.getInputProps("customer_name")}
        />
        <SimpleGrid cols={{ base: 1, sm: 2 }}>
          <Stack gap={4}>
            <Text size="sm" fw={500}>
              Account type
            </Text>
            <SegmentedControl
              data={[...ACCOUNT_TYPES]}
              data-testid="customer-account-type"
              {...form.getInputProps("customer_account_type")}
            />
          </Stack>
          <Stack gap={4}>
            <Text size="sm" fw={500}>
              Payment type
            </Text>
            <SegmentedControl
              data={PAYMENT_TYPES.map((value) => ({ value, label: PAYMENT_TYPE_LABELS[value] }))}
              data-testid="customer-payment-type"
              {...form.getInputProps("customer_payment_type")}
            />
          </Stack>
        </SimpleGrid>
        <SimpleGrid cols={{ base: 1, sm: 2 }}>
          <TextInput label="Email" type="email" data-testid="customer-email" {...form.getInputProps("email")} />
          <TextInput
            label="Phone"
            type="tel"
            placeholder="+44 20 7946 0000"
            data-testid="customer-phone"
            {...form.getInputProps("phone")}
          />
        </SimpleGrid>
        <SimpleGrid cols={{ base: 1, sm: 2 }}>
          <TextInput label="Tax identifier" data-testid="customer-tax-id" {...form.getInputProps("tax_identifier")} />
          <TextInput
            label="Currency"
            maxLength={3}
            placeholder={customer ? undefined : "Operator default"}
            data-testid="customer-currency"
            {...form.getInputProps("currency")}
          />
        </SimpleGrid>
        <SimpleGrid cols={{ base: 1, sm: 2 }}>
          <TextInput
            label="Contract start"
            type="date"
            data-testid="customer-contract-start"
            {...form.getInputProps("contract_start_date")}
          />
          <TextInput
            label="Contract end"
            type="date"
            data-testid="customer-contract-end"
            {...form.getInputProps("contract_end_date")}
          />
        </SimpleGrid>
        {customer && (
          <Select
            label="Status"
            data={[...SETTABLE_STATUSES]}
            placeholder={customer.customer_status === "Archived" ? "Archived: pick a status to restore" : undefined}
            description={
              customer.customer_status === "Archived"
                ? "Archive with the Archive button; a status restores it."
                : undefined
            }
            clearable={customer.customer_status === "Archived"}
            allowDeselect={customer.customer_status === "Archived"}
            data-testid="customer-status"
            {...form.getInputProps("customer_status")}
            value={form.values.customer_status || null}
            onChange={(v) => form.setFieldValue("customer_status", (v ?? "") as Values["customer_status"])}
          />
        )}
        <TagsInput
          label="Tags"
          placeholder="Type and press Enter"
          clearable
          data-testid="customer-tags"
          {...form.getInputProps("tags")}
        />
        <Textarea
          label="Notes"
          autosize
          minRows={2}
          maxRows={6}
          data-testid="customer-notes"
          {...form.getInputProps("notes")}
        />
        <Switch
          label="Enabled"
          data-testid="customer-enabled"
          {...form.getInputProps("customer_enabled", { type: "checkbox" })}
        />
        <Group justify="flex-end" mt="sm">
          <Button variant="default" onClick={onCancel}>
            Cancel
          </Button>
          <Button type="submit" loading={pending} data-testid="customer-submit">
            {customer ? "Save changes" : "Create customer"}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

interface CustomerFormModalProps {
  opened: boolean;
  onClose: () => void;
  /** Edit this customer; create a new one when absent. */
  customer?: Customer;
}

export function CustomerFormModal({ opened, onClose, customer }: CustomerFormModalProps) {
  const navigate = useNavigate();
  return (
    <Modal opened={opened} onClose={onClose} title={customer ? "Edit customer" : "New customer"} size="lg">
      {/* Mounted only while open, so each opening starts from fresh values. */}
      {opened && (
        <CustomerForm
          customer={customer}
          onCancel={onClose}
          onDone={(saved) => {
            onClose();
            if (customer) {
              notifySuccess("Customer saved.");
            } else {
              notifySuccess(`${saved.customer_name} created.`);
              navigate(`/customers/${saved.customer_id}`);
            }
          }}
        />
      )}
    </Modal>
  );
}
