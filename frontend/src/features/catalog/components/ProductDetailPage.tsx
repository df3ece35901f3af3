import { Anchor, Badge, Button, Card, Code, Group, Stack, Text, Title } from "@mantine/core";
import { useDisclosure } from "@mantine/hooks";
import { IconBan, IconPencil } from "@tabler/icons-react";
import type { ReactNode } from "react";
import { Link, useParams } from "react-router";
import { usePermission } from "@/api";
import { confirmAction, DetailPage, Field, FieldGrid, PageHeader } from "@/components";
import { formatDateTime, orDash } from "@/lib/format";
import { formatMoney, formatPercent } from "@/lib/money";
import { notifyError, notifySuccess } from "@/lib/notify";
import { useDisableProduct, useProduct, type Product } from "../api";
import { BILLING_PERIOD_LABELS } from "../constants";
import { CategoryBadge } from "./CategoryBadge";
import { ProductFormModal } from "./ProductForm";

const ProductLink = ({ id }: { id: number }) => (
  <Anchor component={Link} to={`/products/${id}`}>
    #{id}
  </Anchor>
);

const allowance = (value: number | null, unit: string) => (value === null ? "None included" : `${value} ${unit}`);

function Section({ title, children }: { title: string; children: ReactNode }) {
  return (
    <Card withBorder radius="md" padding="lg">
      <Title order={4} mb="md">
        {title}
      </Title>
      <FieldGrid cols={{ base: 1, sm: 2, md: 4 }}>{children}</FieldGrid>
    </Card>
  );
}

function ProductDetails({ product: p }: { product: Product }) {
  const canWrite = usePermission("product.write");
  const [editing, { open, close }] = useDisclosure(false);
  const disable = useDisableProduct(p.product_id);

  return (
    <>
      <PageHeader
        title={
          <Group gap="sm">
            {p.product_name}
            <CategoryBadge category={p.category} />
            <Badge color={p.enabled ? "teal" : "gray"} variant="light" data-testid="product-enabled-badge">
              {p.enabled ? "Enabled" : "Disabled"}
            </Badge>
          </Group>
        }
        description={`Product #${p.product_id} · ${p.product_slug}`}
        actions={
          canWrite && (
            <>
              <Button
                variant="default"
                leftSection={<IconPencil size={16} />}
                onClick={open}
                data-testid="product-edit"
              >
                Edit
              </Button>
              {p.enabled && (
                <Button
                  variant="light"
                  color="red"
                  leftSection={<IconBan size={16} />}
                  loading={disable.isPending}
                  data-testid="product-disable"
                  onClick={() =>
                    confirmAction({
                      title: `Disable ${p.product_name}?`,
                      message:
                        "It can no longer be sold. Existing services keep their prices; you can enable it again by editing it.",
                      confirmLabel: "Disable",
                      onConfirm: () =>
                        disable.mutate(undefined, {
                          onSuccess: () => notifySuccess(`${p.product_name} disabled.`),
                          onError: (e) => notifyError(e),
                        }),
                    })
                  }
                >
                  Disable
                </Button>
              )}
            </>
          )
        }
      />
      <Stack>
        {p.description && (
          <Text size="sm" style={{ whiteSpace: "pre-wrap" }}>
            {p.description}
          </Text>
        )}
        <Section title="Prices">
          <Field label="Retail">{formatMoney(p.retail_cost, p.currency)}</Field>
          <Field label="Retail setup">{formatMoney(p.retail_setup_cost, p.currency)}</Field>
          <Field label="Wholesale">{formatMoney(p.wholesale_cost, p.currency)}</Field>
          <Field label="Wholesale setup">{formatMoney(p.wholesale_setup_cost, p.currency)}</Field>
          <Field label="Billing period">{BILLING_PERIOD_LABELS[p.billing_period] ?? p.billing_period}</Field>
          <Field label="Tax">{formatPercent(p.tax_percentage)}</Field>
          <Field label="Contract term">{p.contract_term_months ? `${p.contract_term_months} months` : "None"}</Field>
          <Field label="Sold to">
            {[p.prepaid_eligible && "Prepaid", p.postpaid_eligible && "Postpaid"].filter(Boolean).join(", ") || "—"}
          </Field>
        </Section>
        <Section title="Allowances and rates">
          <Field label="Data">{allowance(p.data_mb, "MB")}</Field>
          <Field label="Voice">{allowance(p.voice_minutes, "minutes")}</Field>
          <Field label="SMS">{allowance(p.sms, "SMS")}</Field>
          <span />
          <Field label="Per MB">{p.rate_per_mb === null ? "Not rated" : formatMoney(p.rate_per_mb, p.currency)}</Field>
          <Field label="Per minute">
            {p.rate_per_minute === null ? "Not rated" : formatMoney(p.rate_per_minute, p.currency)}
          </Field>
          <Field label="Per SMS">
            {p.rate_per_sms === null ? "Not rated" : formatMoney(p.rate_per_sms, p.currency)}
          </Field>
        </Section>
        <Section title="Charging alerts">
          <Field label="Unused allowance" testId="product-allowance-rollover-value">
            {p.allowance_rollover ? "Rolls over (up to one period)" : "Expires"}
          </Field>
          <Field label="Usage alerts" testId="product-allowance-alerts-value">
            {p.allowance_alerts.length ? p.allowance_alerts.map((pct) => `${pct}%`).join(", ") : "None"}
          </Field>
          <Field label="Low balance alert" testId="product-low-balance-alert-value">
            {p.low_balance_alert === null ? "None" : `Below ${formatMoney(p.low_balance_alert, p.currency)}`}
          </Field>
          <Field label="When used up" testId="product-exhausted-play-value">
            {p.exhausted_play === null ? "Nothing" : <Code>{p.exhausted_play}</Code>}
          </Field>
        </Section>
        {p.category === "bundle" && (
          <Section title="Bundle contents">
            <Field label="Products, in order">
              <Group gap="xs" data-testid="product-bundle-list">
                {p.bundle_children.map((id, i) => (
                  <ProductLink key={`${id}-${i}`} id={id} />
                ))}
              </Group>
            </Field>
          </Section>
        )}
        {p.category === "addon" && (
          <Section title="Add-on">
            <Field label="Compatible with">
              <Group gap="xs">
                {p.addon_compatible_with.map((id) => (
                  <ProductLink key={id} id={id} />
                ))}
              </Group>
            </Field>
          </Section>
        )}
        {p.category === "promo" && (
          <Section title="Promotion">
            <Field label="Discounted product">
              {p.promo_target_product_id === null ? "—" : <ProductLink id={p.promo_target_product_id} />}
            </Field>
            <Field label="Discount">
              {p.promo_discount_percent !== null
                ? formatPercent(p.promo_discount_percent)
                : formatMoney(p.promo_discount_amount, p.currency)}
            </Field>
            <Field label="For">{p.promo_months === null ? "—" : `${p.promo_months} months`}</Field>
          </Section>
        )}
        <Section title="Provisioning">
          <Field label="Playbook">{orDash(p.provisioning_play)}</Field>
          <Field label="Inventory items">
            {p.inventory_items_list.length ? p.inventory_items_list.join(", ") : "None"}
          </Field>
          <Field label="Created">{formatDateTime(p.created_at)}</Field>
          <Field label="Updated">{formatDateTime(p.updated_at)}</Field>
        </Section>
        <Card withBorder radius="md" padding="lg">
          <Text size="xs" c="dimmed" tt="uppercase" fw={600} mb={4}>
            Provisioning variables
          </Text>
          <Code block>{JSON.stringify(p.provisioning_json_vars ?? {}, null, 2)}</Code>
        </Card>
      </Stack>
      <ProductFormModal opened={editing} onClose={close} product={p} />
    </>
  );
}

export function ProductDetailPage() {
  const productId = Number(useParams().productId);
  const product = useProduct(productId);
  return (
    <DetailPage
      breadcrumbs={[{ label: "Products", to: "/products" }, { label: product.data?.product_name ?? `#${productId}` }]}
      title={`Product ${product.data?.product_name ?? `#${productId}`}`}
      query={product}
    >
      {(p) => <ProductDetails product={p} />}
    </DetailPage>
  );
}
