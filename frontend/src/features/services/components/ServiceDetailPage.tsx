import { Anchor, Button, Group, SimpleGrid, Stack, Table, Text } from "@mantine/core";
import { useState } from "react";
import { Link, useParams } from "react-router";
import { usePermission } from "@/api";
import {
  ActionButtons,
  DetailCard,
  DetailPage,
  Field,
  FieldGrid,
  PageHeader,
  PriceSnapshot,
  ReasonModal,
  TransitionTimeline,
  useReasonAction,
} from "@/components";
import { ServiceProvisioningCard } from "@/features/provisioning";
import { formatDateTime } from "@/lib/format";
import { formatMoney } from "@/lib/money";
import { useService, useServiceAction, useServices, type ServiceDetail } from "../api";
import { SERVICE_ACTION_LABELS, SERVICE_STATUS_LABELS, serviceActionsFor } from "../constants";
import { BalancesCard } from "./BalancesCard";
import { ChangePlanModal } from "./ChangePlanModal";
import { LedgerCard } from "./LedgerCard";
import { ServiceStatusBadge } from "./ServiceStatusBadge";
import { UsageCard } from "./UsageCard";

function StatusHistory({ service }: { service: ServiceDetail }) {
  return (
    <TransitionTimeline
      testId="service-history"
      empty="No status changes yet"
      items={[...service.status_history].reverse().map((h, index) => ({
        key: `${h.created_at}-${index}`,
        from: h.from_status ? <ServiceStatusBadge status={h.from_status} /> : null,
        to: <ServiceStatusBadge status={h.to_status} />,
        at: h.created_at,
        notes: [h.user_id !== null && `user #${h.user_id}`],
        reason: h.reason,
      }))}
    />
  );
}

function BoundInventory({ service }: { service: ServiceDetail }) {
  if (service.inventory.length === 0) {
    return (
      <Text c="dimmed" size="sm">
        No inventory bound
      </Text>
    );
  }
  return (
    <Table data-testid="service-inventory">
      <Table.Thead>
        <Table.Tr>
          <Table.Th>Item</Table.Th>
          <Table.Th>Serial</Table.Th>
          <Table.Th>State</Table.Th>
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {service.inventory.map((i) => (
          <Table.Tr key={i.inventory_id}>
            <Table.Td>{i.item}</Table.Td>
            <Table.Td>
              <Anchor component={Link} to={`/inventory/items/${i.inventory_id}`} ff="monospace">
                {i.serial}
              </Anchor>
            </Table.Td>
            <Table.Td>{String(i.item_state ?? "—")}</Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}

/** Bundle children: the customer's services whose parent is this one. */
function BundleChildren({ service }: { service: ServiceDetail }) {
  const services = useServices({ customer_id: service.customer_id, page_size: 100 });
  const children = (services.data?.items ?? []).filter((s) => s.bundled_parent_id === service.service_id);
  if (children.length === 0) return null;
  return (
    <Field label="Bundle children">
      <Stack gap={2} data-testid="service-children">
        {children.map((c) => (
          <Group key={c.service_id} gap="xs">
            <Anchor component={Link} to={`/services/${c.service_id}`}>
              {c.service_name}
            </Anchor>
            <ServiceStatusBadge status={c.service_status} />
          </Group>
        ))}
      </Stack>
    </Field>
  );
}

function ServiceDetails({ service }: { service: ServiceDetail }) {
  const canWrite = usePermission("service.write");
  const reason = useReasonAction(
    useServiceAction(service.service_id),
    (updated) => `${updated.service_name}: ${SERVICE_STATUS_LABELS[updated.service_status]}.`,
  );
  const { action } = reason;
  const currency = (service.price_snapshot.currency as string | undefined) ?? null;
  // A plan changes on a live service outside a bundle (else 409 plan_change_refused); a bundle
  // parent's children are not known here, so the API refuses that one.
  const canChangePlan =
    canWrite &&
    (service.service_status === "active" || service.service_status === "suspended") &&
    service.bundled_parent_id === null;
  const [planOpen, setPlanOpen] = useState(false);

  return (
    <>
      <PageHeader
        title={
          <Group gap="sm">
            {service.service_name}
            <ServiceStatusBadge status={service.service_status} testId="service-status" />
          </Group>
        }
        description={
          <>
            Service #{service.service_id} · charging id{" "}
            {/* 32 hex digits in one word: let it break on a phone rather than widen the page. */}
            <span style={{ wordBreak: "break-all" }}>{service.service_uuid}</span>
          </>
        }
        actions={
          <>
            {canChangePlan && (
              <Button variant="default" onClick={() => setPlanOpen(true)} data-testid="service-change-plan">
                Change plan
              </Button>
            )}
            <ActionButtons
              actions={canWrite ? serviceActionsFor(service.service_status) : []}
              label={(a) => SERVICE_ACTION_LABELS[a]}
              danger="terminate"
              onAction={reason.open}
              testIdPrefix="service-action"
            />
          </>
        }
      />
      <SimpleGrid cols={{ base: 1, md: 3 }} spacing="md">
        <Stack style={{ gridColumn: "span 2" }}>
          <DetailCard>
            <FieldGrid>
              <Field label="Customer">
                <Anchor component={Link} to={`/customers/${service.customer_id}`} data-testid="service-customer">
                  {service.customer_name || `#${service.customer_id}`}
                </Anchor>
              </Field>
              <Field label="Product">
                <Anchor component={Link} to={`/products/${service.product_id}`} data-testid="service-product">
                  {service.product_name || `#${service.product_id}`}
                </Anchor>
              </Field>
              <Field label="Site">
                {service.site_id === null ? (
                  "—"
                ) : (
                  <Anchor
                    component={Link}
                    to={`/customers/${service.customer_id}?tab=sites`}
                    data-testid="service-site"
                  >
                    {service.site_name || `#${service.site_id}`}
                  </Anchor>
                )}
              </Field>
              <Field label="Retail cost">{formatMoney(service.retail_cost, currency)}</Field>
              <Field label="Wholesale cost">{formatMoney(service.wholesale_cost, currency)}</Field>
              <Field label="Billed">{service.service_billed ? "Yes" : "No"}</Field>
              <Field label="Started" testId="service-start-date">
                {formatDateTime(service.start_date)}
              </Field>
              <Field label="Ended">{formatDateTime(service.end_date)}</Field>
              <Field label="Created">{formatDateTime(service.created_at)}</Field>
              {service.bundled_parent_id !== null && (
                <Field label="Bundle parent">
                  <Anchor component={Link} to={`/services/${service.bundled_parent_id}`} data-testid="service-parent">
                    Service #{service.bundled_parent_id}
                  </Anchor>
                </Field>
              )}
              <BundleChildren service={service} />
            </FieldGrid>
          </DetailCard>
          <BalancesCard service={service} />
          <UsageCard serviceId={service.service_id} fallbackCurrency={currency} />
          <DetailCard title="Price snapshot">
            <PriceSnapshot snapshot={service.price_snapshot} />
          </DetailCard>
          <DetailCard title="Inventory">
            <BoundInventory service={service} />
          </DetailCard>
          <LedgerCard serviceId={service.service_id} fallbackCurrency={currency} />
          <ServiceProvisioningCard serviceId={service.service_id} testId="service-provisioning" />
        </Stack>
        <DetailCard title="Status history">
          <StatusHistory service={service} />
        </DetailCard>
      </SimpleGrid>
      <ReasonModal
        title={action ? `${SERVICE_ACTION_LABELS[action]} ${service.service_name}` : null}
        confirmLabel={action ? SERVICE_ACTION_LABELS[action] : ""}
        danger={action === "terminate"}
        description={
          action === "terminate"
            ? "Terminating returns the SIM and number to stock and closes the contract."
            : undefined
        }
        pending={reason.pending}
        error={reason.failure}
        onSubmit={reason.submit}
        onClose={reason.close}
      />
      <ChangePlanModal opened={planOpen} onClose={() => setPlanOpen(false)} service={service} />
    </>
  );
}

export function ServiceDetailPage() {
  const serviceId = Number(useParams().serviceId);
  const service = useService(serviceId);
  return (
    <DetailPage
      breadcrumbs={[{ label: "Services", to: "/services" }, { label: service.data?.service_name ?? `#${serviceId}` }]}
      title={`Service ${service.data?.service_name ?? `#${serviceId}`}`}
      query={service}
    >
      {(s) => <ServiceDetails service={s} />}
    </DetailPage>
  );
}
