import {
  Anchor,
  Breadcrumbs,
  Button,
  Card,
  Group,
  SimpleGrid,
  Stack,
  Table,
  Text,
  Timeline,
  Title,
} from "@mantine/core";
import { IconArrowRight } from "@tabler/icons-react";
import { useState } from "react";
import { Link, useParams } from "react-router";
import { usePermission } from "@/api";
import { PageHeader, QueryState } from "@/components";
import { formatMoney } from "@/features/catalog/money";
import { ServiceProvisioningCard } from "@/features/provisioning";
import { formatDateTime } from "@/lib/format";
import { errorMessage, notifySuccess } from "@/lib/notify";
import { useService, useServiceAction, useServices, type ServiceAction, type ServiceDetail } from "../api";
import { SERVICE_ACTION_LABELS, SERVICE_STATUS_LABELS, serviceActionsFor } from "../constants";
import { Field, PriceSnapshot } from "./PriceSnapshot";
import { ReasonModal } from "./ReasonModal";
import { ServiceStatusBadge } from "./ServiceStatusBadge";

function StatusHistory({ service }: { service: ServiceDetail }) {
  const entries = [...service.status_history].reverse();
  if (entries.length === 0) {
    return (
      <Text c="dimmed" size="sm">
        No status changes yet
      </Text>
    );
  }
  return (
    <Timeline bulletSize={20} lineWidth={2} data-testid="service-history">
      {entries.map((h, index) => (
        <Timeline.Item
          key={`${h.created_at}-${index}`}
          title={
            <Group gap={6}>
              {h.from_status ? <ServiceStatusBadge status={h.from_status} /> : <Text size="sm">created</Text>}
              <IconArrowRight size={14} />
              <ServiceStatusBadge status={h.to_status} />
            </Group>
          }
        >
          <Text size="xs" c="dimmed">
            {formatDateTime(h.created_at)}
            {h.user_id !== null ? ` · user #${h.user_id}` : ""}
          </Text>
          {h.reason && <Text size="sm">{h.reason}</Text>}
        </Timeline.Item>
      ))}
    </Timeline>
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
  const mutation = useServiceAction(service.service_id);
  const [action, setAction] = useState<ServiceAction | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  const actions = canWrite ? serviceActionsFor(service.service_status) : [];
  const currency = (service.price_snapshot.currency as string | undefined) ?? null;

  const open = (a: ServiceAction) => {
    setFailure(null);
    setAction(a);
  };
  const submit = (reason: string) => {
    if (!action) return;
    setFailure(null);
    mutation.mutate(
      { action, reason },
      {
        onSuccess: (updated) => {
          notifySuccess(`${updated.service_name}: ${SERVICE_STATUS_LABELS[updated.service_status]}.`);
          setAction(null);
        },
        onError: (error) => setFailure(errorMessage(error)),
      },
    );
  };

  return (
    <>
      <PageHeader
        title={
          <Group gap="sm">
            {service.service_name}
            <ServiceStatusBadge status={service.service_status} testId="service-status" />
          </Group>
        }
        description={`Service #${service.service_id} · charging id ${service.service_uuid}`}
        actions={actions.map((a) => (
          <Button
            key={a}
            variant={a === "terminate" ? "light" : "default"}
            color={a === "terminate" ? "red" : undefined}
            onClick={() => open(a)}
            data-testid={`service-action-${a}`}
          >
            {SERVICE_ACTION_LABELS[a]}
          </Button>
        ))}
      />
      <SimpleGrid cols={{ base: 1, md: 3 }} spacing="md">
        <Stack style={{ gridColumn: "span 2" }}>
          <Card withBorder radius="md" padding="lg">
            <SimpleGrid cols={{ base: 1, sm: 3 }} spacing="lg">
              <Field label="Customer">
                <Anchor component={Link} to={`/customers/${service.customer_id}`}>
                  #{service.customer_id}
                </Anchor>
              </Field>
              <Field label="Product">
                <Anchor component={Link} to={`/products/${service.product_id}`}>
                  #{service.product_id}
                </Anchor>
              </Field>
              <Field label="Site">{service.site_id === null ? "—" : `#${service.site_id}`}</Field>
              <Field label="Retail cost">{formatMoney(service.retail_cost, currency)}</Field>
              <Field label="Wholesale cost">{formatMoney(service.wholesale_cost, currency)}</Field>
              <Field label="Billed">{service.service_billed ? "Yes" : "No"}</Field>
              <Field label="Started">{formatDateTime(service.start_date)}</Field>
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
            </SimpleGrid>
          </Card>
          <Card withBorder radius="md" padding="lg">
            <Title order={5} mb="md">
              Price snapshot
            </Title>
            <PriceSnapshot snapshot={service.price_snapshot} />
          </Card>
          <Card withBorder radius="md" padding="lg">
            <Title order={5} mb="md">
              Inventory
            </Title>
            <BoundInventory service={service} />
          </Card>
          <ServiceProvisioningCard serviceId={service.service_id} testId="service-provisioning" />
        </Stack>
        <Card withBorder radius="md" padding="lg">
          <Title order={5} mb="md">
            Status history
          </Title>
          <StatusHistory service={service} />
        </Card>
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
        pending={mutation.isPending}
        error={failure}
        onSubmit={submit}
        onClose={() => setAction(null)}
      />
    </>
  );
}

export function ServiceDetailPage() {
  const serviceId = Number(useParams().serviceId);
  const service = useService(serviceId);
  return (
    <>
      <Breadcrumbs mb="xs">
        <Anchor component={Link} to="/services" size="sm">
          Services
        </Anchor>
        <Text size="sm">{service.data?.service_name ?? `#${serviceId}`}</Text>
      </Breadcrumbs>
      <QueryState query={service}>{(s) => <ServiceDetails service={s} />}</QueryState>
    </>
  );
}
