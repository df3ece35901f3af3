/**
 * "New contract" (GetSim) for one customer: pick a product, a SIM and number (auto-assigned by
 * default), an optional site, review, create. One Idempotency-Key per wizard run, so a double
 * click or a retry after a lost response cannot sell twice.
 */
import {
  Alert,
  Anchor,
  Badge,
  Button,
  Card,
  Checkbox,
  Group,
  Select,
  SimpleGrid,
  Stack,
  Stepper,
  Table,
  Text,
  UnstyledButton,
} from "@mantine/core";
import { useDebouncedValue } from "@mantine/hooks";
import { IconAlertTriangle, IconCheck } from "@tabler/icons-react";
import { notifications } from "@mantine/notifications";
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { useMemo, useState } from "react";
import { useNavigate, useParams } from "react-router";
import { api, isApiError, unwrapPage, type Customer } from "@/api";
import { PageBreadcrumbs, PageHeader, QueryState } from "@/components";
import { BILLING_PERIOD_LABELS, useProducts, type Product } from "@/features/catalog";
import { useCustomer, useSites } from "@/features/customers";
import { allowance } from "@/lib/format";
import { formatMoney, formatPercent } from "@/lib/money";
import { errorMessage } from "@/lib/notify";
import { useDocumentTitle } from "@/lib/useDocumentTitle";
import { useCreateContract, type ContractCreate } from "../api";

const SIM_TEMPLATE = "SIM Card";
const NUMBER_TEMPLATE = "Phone Number";

/** Which step an API refusal is about. */
const STEP_PRODUCT = 0;
const STEP_SIM = 1;
const STEP_REVIEW = 2;

function newKey(): string {
  if (typeof crypto !== "undefined" && typeof crypto.randomUUID === "function") return crypto.randomUUID();
  return "10000000-1000-4000-8000-100000000000".replace(/[018]/g, (c) =>
    (Number(c) ^ ((Math.random() * 16) >> (Number(c) / 4))).toString(16),
  );
}

/** The step a create error belongs on (docs/contracts.md: GetSim refusals). */
export function stepOfError(error: unknown): number {
  if (!isApiError(error)) return STEP_REVIEW;
  if (["product_disabled", "product_not_eligible"].includes(error.code)) return STEP_PRODUCT;
  if (error.code === "inventory_unavailable") return STEP_SIM;
  const fields = Object.keys(error.fieldErrors);
  if (fields.includes("product_id")) return STEP_PRODUCT;
  if (fields.some((f) => f === "sim_iccid" || f === "msisdn")) return STEP_SIM;
  // An unknown ICCID/MSISDN is a 404 from the SIM step's choices.
  if (error.status === 404 && /sim|iccid|msisdn|number|inventory/i.test(error.message)) return STEP_SIM;
  if (fields.includes("site_id")) return STEP_SIM;
  return STEP_REVIEW;
}

function ProductCard({ product, selected, onSelect }: { product: Product; selected: boolean; onSelect: () => void }) {
  const period = BILLING_PERIOD_LABELS[product.billing_period] ?? product.billing_period;
  return (
    <UnstyledButton onClick={onSelect} data-testid={`wizard-product-${product.product_id}`} aria-pressed={selected}>
      <Card
        withBorder
        radius="md"
        padding="md"
        h="100%"
        style={selected ? { borderColor: "var(--mantine-color-blue-filled)", borderWidth: 2 } : undefined}
      >
        <Group justify="space-between" wrap="nowrap" mb="xs">
          <Text fw={600}>{product.product_name}</Text>
          {selected && <IconCheck size={18} color="var(--mantine-color-blue-filled)" />}
        </Group>
        <Text size="lg" fw={700}>
          {formatMoney(product.retail_cost, product.currency)}
          <Text span size="sm" c="dimmed" fw={400}>
            {" "}
            / {period}
          </Text>
        </Text>
        <Text size="sm" c="dimmed">
          Setup fee {formatMoney(product.retail_setup_cost, product.currency)} · {product.contract_term_months ?? 0}{" "}
          months
        </Text>
        <Group gap={4} mt="xs">
          <Badge variant="light" size="sm">
            {allowance(product.data_mb, "MB")}
          </Badge>
          <Badge variant="light" size="sm">
            {allowance(product.voice_minutes, "min")}
          </Badge>
          <Badge variant="light" size="sm">
            {allowance(product.sms, "SMS")}
          </Badge>
        </Group>
      </Card>
    </UnstyledButton>
  );
}

/** A searchable select over the free (`new`) items of one template; the value is the serial. */
function FreeItemSelect({
  template,
  label,
  value,
  onChange,
  error,
  testId,
}: {
  template: string;
  label: string;
  value: string | null;
  onChange: (serial: string | null) => void;
  error?: string;
  testId: string;
}) {
  const [search, setSearch] = useState("");
  const [q] = useDebouncedValue(search, 300);
  const query = { template, state: ["new" as const], q: q.trim() || undefined, page_size: 50, sort: "serial" };
  const items = useQuery({
    queryKey: ["inventory", "list", "free", query],
    queryFn: ({ signal }) => unwrapPage(api.GET("/crm/inventory/", { params: { query }, signal })),
    placeholderData: keepPreviousData,
  });
  const serials = (items.data?.items ?? []).map((i) => i.serial);
  const data = value && !serials.includes(value) ? [value, ...serials] : serials;
  return (
    <Select
      label={label}
      placeholder={`Search free ${template.toLowerCase()}s`}
      searchable
      clearable
      data={data}
      value={value}
      onChange={onChange}
      searchValue={search}
      onSearchChange={setSearch}
      filter={({ options }) => options}
      nothingFoundMessage={items.isFetching ? "Searching…" : `No free ${template.toLowerCase()}`}
      error={error}
      data-testid={testId}
    />
  );
}

function StepError({ message }: { message: string | null }) {
  if (!message) return null;
  return (
    <Alert color="red" icon={<IconAlertTriangle size={18} />} data-testid="wizard-error" mb="md">
      {message}
    </Alert>
  );
}

function Wizard({ customer }: { customer: Customer }) {
  const navigate = useNavigate();
  const [idempotencyKey] = useState(newKey);
  const [step, setStep] = useState(STEP_PRODUCT);
  const [productId, setProductId] = useState<number | null>(null);
  const [autoAssign, setAutoAssign] = useState(true);
  const [sim, setSim] = useState<string | null>(null);
  const [msisdn, setMsisdn] = useState<string | null>(null);
  const [siteId, setSiteId] = useState<string | null>(null);
  const [failure, setFailure] = useState<{ step: number; message: string; fields: Record<string, string> } | null>(
    null,
  );
  const create = useCreateContract();

  const paymentType = customer.customer_payment_type;
  const eligibility = paymentType === "prepaid" ? { prepaid_eligible: true } : { postpaid_eligible: true };
  const products = useProducts({
    enabled: true,
    ...eligibility,
    category: ["standalone", "bundle"],
    page_size: 100,
    sort: "product_name",
  });
  const sellable = useMemo(
    () =>
      (products.data?.items ?? []).filter(
        (p) => p.enabled && (paymentType === "prepaid" ? p.prepaid_eligible : p.postpaid_eligible),
      ),
    [products.data, paymentType],
  );
  // A product is sold only in the customer's billing currency (the API refuses the others).
  const eligible = sellable.filter((p) => p.currency === customer.currency);
  const otherCurrency = sellable.length - eligible.length;
  const product = eligible.find((p) => p.product_id === productId) ?? null;
  const sites = useSites(customer.customer_id);
  const binds = (template: string) => !product || (product.inventory_items_list ?? []).includes(template);

  const body: ContractCreate = {
    customer_id: customer.customer_id,
    product_id: productId ?? 0,
    ...(!autoAssign && sim && binds(SIM_TEMPLATE) ? { sim_iccid: sim } : {}),
    ...(!autoAssign && msisdn && binds(NUMBER_TEMPLATE) ? { msisdn } : {}),
    ...(siteId ? { site_id: Number(siteId) } : {}),
  };
  const site = sites.data?.items.find((s) => String(s.site_id) === siteId);

  const canNext = step === STEP_PRODUCT ? product !== null : true;
  const go = (next: number) => {
    setStep(next);
  };
  const submit = () => {
    if (create.isPending) return;
    setFailure(null);
    create.mutate(
      { body, idempotencyKey },
      {
        onSuccess: (contract) => {
          const to = `/contracts/${contract.contract_id}`;
          notifications.show({
            color: "teal",
            title: "Contract created",
            message: (
              <>
                <Anchor
                  href={to}
                  onClick={(event) => {
                    event.preventDefault();
                    void navigate(to);
                  }}
                  data-testid="contract-created-link"
                >
                  {contract.contract_number}
                </Anchor>{" "}
                for {customer.customer_name}
                {contract.product_name ? ` (${contract.product_name})` : ""}.
              </>
            ),
          });
          void navigate(to);
        },
        onError: (error) => {
          const where = stepOfError(error);
          setFailure({ step: where, message: errorMessage(error), fields: isApiError(error) ? error.fieldErrors : {} });
          setStep(where);
        },
      },
    );
  };
  const errorOn = (s: number) => (failure?.step === s ? failure.message : null);

  return (
    <>
      {customer.customer_status !== "Open" && (
        <Alert color="yellow" mb="md" icon={<IconAlertTriangle size={18} />} data-testid="wizard-customer-warning">
          This customer is {customer.customer_status}: only Open customers can sign a contract.
        </Alert>
      )}
      <Stepper active={step} onStepClick={(s) => s < step && go(s)} allowNextStepsSelect={false} mb="lg">
        <Stepper.Step label="Product" description={product?.product_name ?? "Pick a plan"}>
          <StepError message={errorOn(STEP_PRODUCT)} />
          {otherCurrency > 0 && (
            <Text size="sm" c="dimmed" mb="sm" data-testid="wizard-other-currency">
              {otherCurrency} {otherCurrency === 1 ? "product is" : "products are"} priced in another currency than{" "}
              {customer.currency}, this customer&apos;s, and not offered.
            </Text>
          )}
          <QueryState query={products}>
            {() =>
              eligible.length === 0 ? (
                <Text c="dimmed" data-testid="wizard-no-products">
                  No enabled products are eligible for {paymentType} customers billed in {customer.currency}.
                </Text>
              ) : (
                <SimpleGrid cols={{ base: 1, sm: 2, lg: 3 }} spacing="md" data-testid="wizard-products">
                  {eligible.map((p) => (
                    <ProductCard
                      key={p.product_id}
                      product={p}
                      selected={p.product_id === productId}
                      onSelect={() => {
                        setProductId(p.product_id);
                        if (failure?.step === STEP_PRODUCT) setFailure(null);
                      }}
                    />
                  ))}
                </SimpleGrid>
              )
            }
          </QueryState>
        </Stepper.Step>
        <Stepper.Step label="SIM and number" description={autoAssign ? "Auto-assign" : "Chosen"}>
          <StepError message={errorOn(STEP_SIM)} />
          <Stack maw={520}>
            <Checkbox
              label="Auto-assign a free SIM and number"
              description="The oldest free items in stock are reserved for this contract."
              checked={autoAssign}
              onChange={(e) => setAutoAssign(e.currentTarget.checked)}
              data-testid="wizard-auto-assign"
            />
            {!autoAssign && binds(SIM_TEMPLATE) && (
              <FreeItemSelect
                template={SIM_TEMPLATE}
                label="SIM (ICCID)"
                value={sim}
                onChange={setSim}
                error={failure?.step === STEP_SIM ? failure.fields.sim_iccid : undefined}
                testId="wizard-sim"
              />
            )}
            {!autoAssign && binds(NUMBER_TEMPLATE) && (
              <FreeItemSelect
                template={NUMBER_TEMPLATE}
                label="Phone number (MSISDN)"
                value={msisdn}
                onChange={setMsisdn}
                error={failure?.step === STEP_SIM ? failure.fields.msisdn : undefined}
                testId="wizard-msisdn"
              />
            )}
            {!autoAssign && (
              <Text size="xs" c="dimmed">
                Left blank, a free one is picked.
              </Text>
            )}
            <Select
              label="Site"
              placeholder={sites.data?.items.length ? "None" : "The customer has no sites"}
              data={(sites.data?.items ?? []).map((s) => ({
                value: String(s.site_id),
                label: [s.site_name, s.address_line_1, s.city].filter(Boolean).join(", ") || `Site #${s.site_id}`,
              }))}
              value={siteId}
              onChange={setSiteId}
              clearable
              error={failure?.step === STEP_SIM ? failure.fields.site_id : undefined}
              data-testid="wizard-site"
            />
          </Stack>
        </Stepper.Step>
        <Stepper.Step label="Review" description="Check and create">
          <StepError message={errorOn(STEP_REVIEW)} />
          {product && (
            <Card withBorder radius="md" padding="lg" maw={640} data-testid="wizard-review">
              <Table>
                <Table.Tbody>
                  <Table.Tr>
                    <Table.Th>Customer</Table.Th>
                    <Table.Td>
                      {customer.customer_name} ({paymentType})
                    </Table.Td>
                  </Table.Tr>
                  <Table.Tr>
                    <Table.Th>Product</Table.Th>
                    <Table.Td>{product.product_name}</Table.Td>
                  </Table.Tr>
                  <Table.Tr>
                    <Table.Th>Price</Table.Th>
                    <Table.Td>
                      {formatMoney(product.retail_cost, product.currency)} /{" "}
                      {BILLING_PERIOD_LABELS[product.billing_period] ?? product.billing_period} · tax{" "}
                      {formatPercent(product.tax_percentage)}
                    </Table.Td>
                  </Table.Tr>
                  <Table.Tr>
                    <Table.Th>Setup fee</Table.Th>
                    <Table.Td>{formatMoney(product.retail_setup_cost, product.currency)}</Table.Td>
                  </Table.Tr>
                  <Table.Tr>
                    <Table.Th>Term</Table.Th>
                    <Table.Td>{product.contract_term_months ?? 0} months</Table.Td>
                  </Table.Tr>
                  <Table.Tr>
                    <Table.Th>SIM</Table.Th>
                    <Table.Td ff="monospace">{body.sim_iccid ?? "Auto-assign"}</Table.Td>
                  </Table.Tr>
                  <Table.Tr>
                    <Table.Th>Number</Table.Th>
                    <Table.Td ff="monospace">{body.msisdn ?? "Auto-assign"}</Table.Td>
                  </Table.Tr>
                  <Table.Tr>
                    <Table.Th>Site</Table.Th>
                    <Table.Td>{site ? site.site_name || `#${site.site_id}` : "—"}</Table.Td>
                  </Table.Tr>
                </Table.Tbody>
              </Table>
            </Card>
          )}
        </Stepper.Step>
      </Stepper>
      <Group justify="space-between" maw={960}>
        <Button
          variant="default"
          disabled={step === STEP_PRODUCT}
          onClick={() => go(step - 1)}
          data-testid="wizard-back"
        >
          Back
        </Button>
        {step < STEP_REVIEW ? (
          <Button disabled={!canNext} onClick={() => go(step + 1)} data-testid="wizard-next">
            Next
          </Button>
        ) : (
          <Button
            onClick={submit}
            loading={create.isPending}
            disabled={!product || customer.customer_status !== "Open"}
            data-testid="wizard-create"
          >
            Create contract
          </Button>
        )}
      </Group>
    </>
  );
}

export function ContractWizardPage() {
  const customerId = Number(useParams().customerId);
  const customer = useCustomer(customerId);
  useDocumentTitle(`New contract · ${customer.data?.customer_name ?? `Customer #${customerId}`}`);
  return (
    <>
      <PageBreadcrumbs
        items={[
          { label: "Customers", to: "/customers" },
          { label: customer.data?.customer_name ?? `#${customerId}`, to: `/customers/${customerId}` },
          { label: "New contract" },
        ]}
      />
      <PageHeader title="New contract" description={customer.data ? `For ${customer.data.customer_name}` : undefined} />
      <QueryState query={customer}>
        {(c) =>
          c.customer_status === "Open" ? (
            <Wizard customer={c} />
          ) : (
            <Alert color="yellow" icon={<IconAlertTriangle size={18} />} data-testid="wizard-not-open">
              {c.customer_name} is {(c.customer_status ?? "not open").toLowerCase()}: contracts are sold to open
              customers only.
            </Alert>
          )
        }
      </QueryState>
    </>
  );
}
