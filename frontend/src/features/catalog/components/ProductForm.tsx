import {
  ActionIcon,
  Alert,
  Anchor,
  Button,
  Divider,
  Group,
  Input,
  Modal,
  MultiSelect,
  NativeSelect,
  SegmentedControl,
  Select,
  SimpleGrid,
  Stack,
  Switch,
  Text,
  Textarea,
  TextInput,
} from "@mantine/core";
import { useForm } from "@mantine/form";
import { IconCopy, IconX } from "@tabler/icons-react";
import { zod4Resolver } from "mantine-form-zod-resolver";
import { useState } from "react";
import { Link, useNavigate } from "react-router";
import { z } from "zod";
import { isApiError } from "@/api";
import { nullIfBlank, showFormError, withoutNulls } from "@/lib/forms";
import { notifySuccess } from "@/lib/notify";
import {
  useCreateProduct,
  useProductOptions,
  useTemplateNames,
  useUpdateProduct,
  type Product,
  type ProductCreate,
  type ProductUpdate,
} from "../api";
import {
  ADDON_BASE_CATEGORIES,
  BILLING_PERIODS,
  BILLING_PERIOD_LABELS,
  BUNDLE_CHILD_CATEGORIES,
  CATEGORIES,
  CATEGORY_LABELS,
  PROMO_TARGET_CATEGORIES,
} from "../constants";
import { MONEY_RE, PERCENT_RE } from "../money";

const MONEY_MSG = "A non-negative amount with up to 4 decimals, e.g. 9.99";
const money = z.string().trim().regex(MONEY_RE, MONEY_MSG);
const optionalMoney = z.union([z.literal(""), money]);
const count = z.union([
  z.literal(""),
  z
    .string()
    .trim()
    .regex(/^\d{1,9}$/, "A whole number ≥ 0"),
]);

/** The JSON textarea must hold an object (blank = {}). */
function parseJsonObject(text: string): Record<string, unknown> | null {
  if (!text.trim()) return {};
  try {
    const value: unknown = JSON.parse(text);
    return value && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

const schema = z
  .object({
    product_name: z.string().trim().min(1, "Enter the product's name").max(200),
    product_slug: z.union([
      z.literal(""),
      z
        .string()
        .trim()
        .regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, "Lower-case letters, digits and single hyphens"),
    ]),
    category: z.enum(CATEGORIES),
    description: z.string().max(10000),
    provisioning_play: z.union([
      z.literal(""),
      z
        .string()
        .trim()
        .regex(/^[a-z0-9_-]+$/, "Letters a-z, digits, _ and -"),
    ]),
    provisioning_json_vars: z
      .string()
      .refine((t) => parseJsonObject(t) !== null, 'Must be a JSON object, e.g. {"apn": "internet"}'),
    inventory_items_list: z.array(z.string()),
    retail_cost: money,
    retail_setup_cost: money,
    wholesale_cost: money,
    wholesale_setup_cost: money,
    rate_per_mb: optionalMoney,
    rate_per_minute: optionalMoney,
    rate_per_sms: optionalMoney,
    data_mb: count,
    voice_minutes: count,
    sms: count,
    billing_period: z.enum(BILLING_PERIODS),
    prepaid_eligible: z.boolean(),
    postpaid_eligible: z.boolean(),
    tax_percentage: z.string().trim().regex(PERCENT_RE, "0–100 with up to 2 decimals"),
    contract_term_months: z
      .string()
      .trim()
      .regex(/^\d{1,2}$/, "0–60 months")
      .refine((v) => Number(v) <= 60, "0–60 months"),
    currency: z
      .string()
      .trim()
      .regex(/^[A-Za-z]{3}$/, "A 3-letter ISO code, e.g. USD"),
    enabled: z.boolean(),
    bundle_children: z.array(z.string()),
    addon_compatible_with: z.array(z.string()),
    promo_target_product_id: z.string(),
    promo_discount_kind: z.enum(["percent", "amount"]),
    promo_discount_percent: z.string().trim(),
    promo_discount_amount: z.string().trim(),
    promo_months: z.string().trim(),
  })
  .superRefine((v, ctx) => {
    const issue = (path: string, message: string) => ctx.addIssue({ code: "custom", path: [path], message });
    if (!v.prepaid_eligible && !v.postpaid_eligible) {
      issue("postpaid_eligible", "Sell it to prepaid or postpaid customers (or both)");
    }
    if (v.category === "bundle" && v.bundle_children.length === 0) issue("bundle_children", "Add at least one product");
    if (v.category === "addon" && v.addon_compatible_with.length === 0) {
      issue("addon_compatible_with", "Pick at least one product it can be added to");
    }
    if (v.category === "promo") {
      if (!v.promo_target_product_id) issue("promo_target_product_id", "Pick the product the promotion discounts");
      if (v.promo_discount_kind === "percent" && !PERCENT_RE.test(v.promo_discount_percent)) {
        issue("promo_discount_percent", "0–100 with up to 2 decimals");
      }
      if (v.promo_discount_kind === "amount" && !MONEY_RE.test(v.promo_discount_amount)) {
        issue("promo_discount_amount", MONEY_MSG);
      }
      const months = Number(v.promo_months);
      if (!/^\d+$/.test(v.promo_months) || months < 1 || months > 36) issue("promo_months", "1–36 months");
    }
  });

export type ProductFormValues = z.infer<typeof schema>;

const intOrNull = (v: string) => (v.trim() === "" ? null : Number.parseInt(v, 10));

/** Every field but the category; blanks as null so a cleared input clears the field. */
function commonBody(v: ProductFormValues) {
  return {
    product_name: v.product_name.trim(),
    description: nullIfBlank(v.description),
    provisioning_play: nullIfBlank(v.provisioning_play),
    provisioning_json_vars: parseJsonObject(v.provisioning_json_vars) ?? {},
    inventory_items_list: v.inventory_items_list,
    // Money stays a string: exactly what was typed, trimmed.
    retail_cost: v.retail_cost.trim(),
    retail_setup_cost: v.retail_setup_cost.trim(),
    wholesale_cost: v.wholesale_cost.trim(),
    wholesale_setup_cost: v.wholesale_setup_cost.trim(),
    rate_per_mb: nullIfBlank(v.rate_per_mb),
    rate_per_minute: nullIfBlank(v.rate_per_minute),
    rate_per_sms: nullIfBlank(v.rate_per_sms),
    data_mb: intOrNull(v.data_mb),
    voice_minutes: intOrNull(v.voice_minutes),
    sms: intOrNull(v.sms),
    billing_period: v.billing_period,
    prepaid_eligible: v.prepaid_eligible,
    postpaid_eligible: v.postpaid_eligible,
    tax_percentage: v.tax_percentage.trim(),
    contract_term_months: Number.parseInt(v.contract_term_months, 10),
    currency: v.currency.trim().toUpperCase(),
    enabled: v.enabled,
  };
}

/** The fields of the product's own category only: others are a 422 on the server. */
function categoryBody(v: ProductFormValues) {
  switch (v.category) {
    case "bundle":
      return { bundle_children: v.bundle_children.map(Number) };
    case "addon":
      return { addon_compatible_with: v.addon_compatible_with.map(Number) };
    case "promo":
      // Exactly one kind of discount; the other is sent as null so a PATCH can switch kinds.
      return {
        promo_target_product_id: Number(v.promo_target_product_id),
        promo_discount_percent: v.promo_discount_kind === "percent" ? v.promo_discount_percent : null,
        promo_discount_amount: v.promo_discount_kind === "amount" ? v.promo_discount_amount : null,
        promo_months: Number.parseInt(v.promo_months, 10),
      };
    default:
      return {};
  }
}

export function toCreate(v: ProductFormValues): ProductCreate {
  return withoutNulls({
    ...commonBody(v),
    product_slug: nullIfBlank(v.product_slug),
    category: v.category,
    ...categoryBody(v),
  }) as ProductCreate;
}

export function toUpdate(v: ProductFormValues): ProductUpdate {
  const slug = nullIfBlank(v.product_slug);
  return { ...commonBody(v), ...(slug ? { product_slug: slug } : {}), ...categoryBody(v) };
}

function initialValues(p?: Product): ProductFormValues {
  const vars = p?.provisioning_json_vars;
  return {
    product_name: p?.product_name ?? "",
    product_slug: p?.product_slug ?? "",
    category: p?.category ?? "standalone",
    description: p?.description ?? "",
    provisioning_play: p?.provisioning_play ?? "",
    provisioning_json_vars: vars && Object.keys(vars).length ? JSON.stringify(vars, null, 2) : "",
    inventory_items_list: p?.inventory_items_list ?? [],
    retail_cost: p?.retail_cost ?? "",
    retail_setup_cost: p?.retail_setup_cost ?? "0",
    wholesale_cost: p?.wholesale_cost ?? "0",
    wholesale_setup_cost: p?.wholesale_setup_cost ?? "0",
    rate_per_mb: p?.rate_per_mb ?? "",
    rate_per_minute: p?.rate_per_minute ?? "",
    rate_per_sms: p?.rate_per_sms ?? "",
    data_mb: p?.data_mb?.toString() ?? "",
    voice_minutes: p?.voice_minutes?.toString() ?? "",
    sms: p?.sms?.toString() ?? "",
    billing_period: p?.billing_period ?? "monthly",
    prepaid_eligible: p?.prepaid_eligible ?? true,
    postpaid_eligible: p?.postpaid_eligible ?? true,
    tax_percentage: p?.tax_percentage ?? "0",
    contract_term_months: p?.contract_term_months?.toString() ?? "0",
    currency: p?.currency ?? "USD",
    enabled: p?.enabled ?? true,
    bundle_children: (p?.bundle_children ?? []).map(String),
    addon_compatible_with: (p?.addon_compatible_with ?? []).map(String),
    promo_target_product_id: p?.promo_target_product_id?.toString() ?? "",
    promo_discount_kind: p?.promo_discount_amount ? "amount" : "percent",
    promo_discount_percent: p?.promo_discount_percent ?? "",
    promo_discount_amount: p?.promo_discount_amount ?? "",
    promo_months: p?.promo_months?.toString() ?? "",
  };
}

type Form = ReturnType<typeof useForm<ProductFormValues>>;

/** The first error under `field` or any of its items ("bundle_children.1"). */
function errorUnder(form: Form, field: string) {
  const entry = Object.entries(form.errors).find(([k]) => k === field || k.startsWith(`${field}.`));
  return entry?.[1];
}

function useOptions(categories: Parameters<typeof useProductOptions>[0], enabled: boolean, selfId?: number) {
  const query = useProductOptions(categories, enabled);
  const options = (query.data?.items ?? [])
    .filter((p) => p.product_id !== selfId)
    .map((p) => ({ value: String(p.product_id), label: `${p.product_name} (#${p.product_id})` }));
  return { options, labelOf: (id: string) => options.find((o) => o.value === id)?.label ?? `#${id}` };
}

/** Ordered children; the same product may appear twice (two lines), so a list, not a set. */
function BundleSection({ form, selfId }: { form: Form; selfId?: number }) {
  const { options, labelOf } = useOptions([...BUNDLE_CHILD_CATEGORIES], true, selfId);
  const children = form.values.bundle_children;
  return (
    <Input.Wrapper label="Bundle contents" required error={errorUnder(form, "bundle_children")}>
      <Stack gap={4} mt={4} data-testid="product-bundle-children">
        {children.length === 0 && (
          <Text size="sm" c="dimmed">
            No products yet
          </Text>
        )}
        {children.map((id, index) => (
          <Group key={`${id}-${index}`} gap="xs" justify="space-between" wrap="nowrap">
            <Text size="sm">
              {index + 1}. {labelOf(id)}
            </Text>
            <ActionIcon
              variant="subtle"
              color="gray"
              aria-label={`Remove ${labelOf(id)}`}
              onClick={() => form.removeListItem("bundle_children", index)}
            >
              <IconX size={14} />
            </ActionIcon>
          </Group>
        ))}
        <NativeSelect
          aria-label="Add a product to the bundle"
          data={[{ value: "", label: "Add a standalone or add-on product…" }, ...options]}
          value=""
          onChange={(e) => e.currentTarget.value && form.insertListItem("bundle_children", e.currentTarget.value)}
          data-testid="product-bundle-add"
        />
      </Stack>
    </Input.Wrapper>
  );
}

function AddonSection({ form }: { form: Form }) {
  const { options } = useOptions([...ADDON_BASE_CATEGORIES], true);
  return (
    <MultiSelect
      label="Compatible with"
      description="The standalone products and bundles this add-on can be attached to"
      required
      searchable
      data={options}
      data-testid="product-addon-compatible"
      {...form.getInputProps("addon_compatible_with")}
      error={errorUnder(form, "addon_compatible_with")}
    />
  );
}

function PromoSection({ form, selfId }: { form: Form; selfId?: number }) {
  const { options } = useOptions([...PROMO_TARGET_CATEGORIES], true, selfId);
  const kind = form.values.promo_discount_kind;
  return (
    <Stack gap="sm">
      <NativeSelect
        label="Discounted product"
        required
        data={[{ value: "", label: "Pick a product…" }, ...options]}
        data-testid="product-promo-target"
        {...form.getInputProps("promo_target_product_id")}
      />
      <SimpleGrid cols={{ base: 1, sm: 3 }}>
        <Stack gap={4}>
          <Text size="sm" fw={500}>
            Discount
          </Text>
          <SegmentedControl
            data={[
              { value: "percent", label: "Percent" },
              { value: "amount", label: "Amount" },
            ]}
            data-testid="product-promo-kind"
            {...form.getInputProps("promo_discount_kind")}
          />
        </Stack>
        {kind === "percent" ? (
          <TextInput
            label="Percent off"
            required
            inputMode="decimal"
            rightSection="%"
            data-testid="product-promo-percent"
            {...form.getInputProps("promo_discount_percent")}
          />
        ) : (
          <TextInput
            label="Amount off"
            required
            inputMode="decimal"
            data-testid="product-promo-amount"
            {...form.getInputProps("promo_discount_amount")}
          />
        )}
        <TextInput
          label="For months"
          required
          inputMode="numeric"
          data-testid="product-promo-months"
          {...form.getInputProps("promo_months")}
        />
      </SimpleGrid>
    </Stack>
  );
}

function MoneyInput({
  form,
  field,
  label,
  required,
}: {
  form: Form;
  field: keyof ProductFormValues;
  label: string;
  required?: boolean;
}) {
  return (
    <TextInput
      label={label}
      required={required}
      inputMode="decimal"
      placeholder={required ? "0.00" : "not rated"}
      data-testid={`product-${field.replaceAll("_", "-")}`}
      {...form.getInputProps(field)}
    />
  );
}

interface ProductFormProps {
  product?: Product;
  onDone: (product: Product) => void;
  onCancel: () => void;
}

/** Create (no `product`) or edit a product. Server validation lands under the inputs. */
export function ProductForm({ product, onDone, onCancel }: ProductFormProps) {
  const create = useCreateProduct();
  const update = useUpdateProduct(product?.product_id ?? 0);
  const templates = useTemplateNames();
  const [duplicateOf, setDuplicateOf] = useState<number | null>(null);
  const form = useForm<ProductFormValues>({
    mode: "controlled",
    initialValues: initialValues(product),
    validate: zod4Resolver(schema),
  });
  const category = form.values.category;

  const submit = form.onSubmit((values) => {
    setDuplicateOf(null);
    const onError = (error: unknown) => {
      if (isApiError(error, "duplicate_product")) {
        const existing = Number(error.body.existing_product_id);
        if (Number.isFinite(existing) && error.body.existing_product_id != null) {
          setDuplicateOf(existing);
          form.setFieldError("product_slug", error.message);
          return;
        }
      }
      showFormError(form, error);
    };
    if (product) update.mutate(toUpdate(values), { onSuccess: onDone, onError });
    else create.mutate(toCreate(values), { onSuccess: onDone, onError });
  });

  // Keep names already on the product even if the template list cannot be read.
  const templateOptions = [...new Set([...(templates.data ?? []), ...form.values.inventory_items_list])];

  return (
    <form onSubmit={submit} noValidate data-testid="product-form">
      <Stack>
        {duplicateOf !== null && (
          <Alert
            color="orange"
            icon={<IconCopy size={18} />}
            title="This slug is taken"
            data-testid="product-duplicate"
          >
            <Text size="sm">
              Another product already uses this slug.{" "}
              <Anchor component={Link} to={`/products/${duplicateOf}`} onClick={onCancel}>
                Open product #{duplicateOf}
              </Anchor>
            </Text>
          </Alert>
        )}
        <SimpleGrid cols={{ base: 1, sm: 2 }}>
          <TextInput
            label="Name"
            required
            data-autofocus
            data-testid="product-name"
            {...form.getInputProps("product_name")}
          />
          <TextInput
            label="Slug"
            placeholder={product ? undefined : "made from the name"}
            data-testid="product-slug"
            {...form.getInputProps("product_slug")}
          />
        </SimpleGrid>
        <Stack gap={4}>
          <Text size="sm" fw={500}>
            Category
          </Text>
          <SegmentedControl
            data={CATEGORIES.map((value) => ({ value, label: CATEGORY_LABELS[value] }))}
            disabled={!!product}
            data-testid="product-category"
            {...form.getInputProps("category")}
          />
          {product && (
            <Text size="xs" c="dimmed">
              The category cannot change; create a new product instead.
            </Text>
          )}
        </Stack>
        {category === "bundle" && <BundleSection form={form} selfId={product?.product_id} />}
        {category === "addon" && <AddonSection form={form} />}
        {category === "promo" && <PromoSection form={form} selfId={product?.product_id} />}
        <Textarea
          label="Description"
          autosize
          minRows={2}
          maxRows={6}
          data-testid="product-description"
          {...form.getInputProps("description")}
        />

        <Divider label="Prices" labelPosition="left" />
        <SimpleGrid cols={{ base: 1, sm: 4 }}>
          <MoneyInput form={form} field="retail_cost" label="Retail (per period)" required />
          <MoneyInput form={form} field="retail_setup_cost" label="Retail setup" required />
          <MoneyInput form={form} field="wholesale_cost" label="Wholesale (per period)" required />
          <MoneyInput form={form} field="wholesale_setup_cost" label="Wholesale setup" required />
        </SimpleGrid>
        <SimpleGrid cols={{ base: 1, sm: 4 }}>
          <TextInput
            label="Currency"
            maxLength={3}
            data-testid="product-currency"
            {...form.getInputProps("currency")}
          />
          <TextInput
            label="Tax"
            inputMode="decimal"
            rightSection="%"
            data-testid="product-tax-percentage"
            {...form.getInputProps("tax_percentage")}
          />
          <Select
            label="Billing period"
            data={BILLING_PERIODS.map((value) => ({ value, label: BILLING_PERIOD_LABELS[value] }))}
            allowDeselect={false}
            data-testid="product-billing-period"
            {...form.getInputProps("billing_period")}
          />
          <TextInput
            label="Contract term (months)"
            inputMode="numeric"
            data-testid="product-contract-term"
            {...form.getInputProps("contract_term_months")}
          />
        </SimpleGrid>

        <Divider label="Allowances per period (blank = none included) and rates beyond them" labelPosition="left" />
        <SimpleGrid cols={{ base: 1, sm: 3 }}>
          <TextInput
            label="Data (MB)"
            inputMode="numeric"
            data-testid="product-data-mb"
            {...form.getInputProps("data_mb")}
          />
          <TextInput
            label="Voice (minutes)"
            inputMode="numeric"
            data-testid="product-voice-minutes"
            {...form.getInputProps("voice_minutes")}
          />
          <TextInput label="SMS" inputMode="numeric" data-testid="product-sms" {...form.getInputProps("sms")} />
          <MoneyInput form={form} field="rate_per_mb" label="Rate per MB" />
          <MoneyInput form={form} field="rate_per_minute" label="Rate per minute" />
          <MoneyInput form={form} field="rate_per_sms" label="Rate per SMS" />
        </SimpleGrid>

        <Divider label="Provisioning" labelPosition="left" />
        <SimpleGrid cols={{ base: 1, sm: 2 }}>
          <TextInput
            label="Provisioning playbook"
            placeholder="e.g. mobile_sim"
            data-testid="product-provisioning-play"
            {...form.getInputProps("provisioning_play")}
          />
          <MultiSelect
            label="Inventory items needed"
            description={templates.isError ? "Inventory templates could not be loaded" : undefined}
            data={templateOptions}
            searchable
            clearable
            data-testid="product-inventory-items"
            {...form.getInputProps("inventory_items_list")}
          />
        </SimpleGrid>
        <Textarea
          label="Provisioning variables (JSON object)"
          placeholder='{"apn": "internet"}'
          autosize
          minRows={3}
          maxRows={12}
          styles={{ input: { fontFamily: "monospace" } }}
          data-testid="product-json-vars"
          {...form.getInputProps("provisioning_json_vars")}
        />

        <Group gap="xl">
          <Switch
            label="Prepaid eligible"
            data-testid="product-prepaid"
            {...form.getInputProps("prepaid_eligible", { type: "checkbox" })}
          />
          <Switch
            label="Postpaid eligible"
            data-testid="product-postpaid"
            {...form.getInputProps("postpaid_eligible", { type: "checkbox" })}
          />
          <Switch
            label="Enabled"
            data-testid="product-enabled"
            {...form.getInputProps("enabled", { type: "checkbox" })}
          />
        </Group>
        <Group justify="flex-end" mt="sm">
          <Button variant="default" onClick={onCancel}>
            Cancel
          </Button>
          <Button type="submit" loading={create.isPending || update.isPending} data-testid="product-submit">
            {product ? "Save changes" : "Create product"}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

interface ProductFormModalProps {
  opened: boolean;
  onClose: () => void;
  /** Edit this product; create a new one when absent. */
  product?: Product;
}

export function ProductFormModal({ opened, onClose, product }: ProductFormModalProps) {
  const navigate = useNavigate();
  return (
    <Modal opened={opened} onClose={onClose} title={product ? "Edit product" : "New product"} size="xl">
      {opened && (
        <ProductForm
          product={product}
          onCancel={onClose}
          onDone={(saved) => {
            onClose();
            if (product) {
              notifySuccess("Product saved.");
            } else {
              notifySuccess(`${saved.product_name} created.`);
              navigate(`/products/${saved.product_id}`);
            }
          }}
        />
      )}
    </Modal>
  );
}
