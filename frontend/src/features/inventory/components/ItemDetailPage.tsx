import {
  Anchor,
  Breadcrumbs,
  Button,
  Card,
  Code,
  Group,
  SimpleGrid,
  Stack,
  Text,
  Timeline,
  Title,
} from "@mantine/core";
import { IconArrowRight } from "@tabler/icons-react";
import { useState, type ReactNode } from "react";
import { Link, useParams } from "react-router";
import { usePermission } from "@/api";
import { PageHeader, QueryState } from "@/components";
import { formatDateTime, orDash } from "@/lib/format";
import {
  useInventoryItem,
  useTemplate,
  type InventoryDetail,
  type InventoryTemplate,
  type TransitionAction,
} from "../api";
import { actionLabel, actionsFor } from "../constants";
import { StateBadge } from "./StateBadge";
import { TransitionModal } from "./TransitionModal";

const ITEMTEXTS = Array.from({ length: 20 }, (_, i) => i + 1);

function Field({ label, children }: { label: string; children: ReactNode }) {
  return (
    <Stack gap={2}>
      <Text size="xs" c="dimmed" tt="uppercase" fw={600}>
        {label}
      </Text>
      <Text size="sm" component="div" style={{ wordBreak: "break-all" }}>
        {children}
      </Text>
    </Stack>
  );
}

type ItemtextKey = `itemtext${number}`;

/** The itemtexts worth showing: those with a template label or a value, labelled from the template. */
export function labelledItemtexts(item: InventoryDetail, template: InventoryTemplate | undefined) {
  return ITEMTEXTS.flatMap((n) => {
    const value = (item as unknown as Record<ItemtextKey, string | null>)[`itemtext${n}`];
    const label = (template as unknown as Record<string, string | null> | undefined)?.[`itemtext${n}_label`];
    if (!label && (value === null || value === undefined || value === "")) return [];
    return [{ n, label: label || `Itemtext ${n}`, value }];
  });
}

const CustomerLink = ({ id }: { id: number | null }) =>
  id === null ? (
    <>—</>
  ) : (
    <Anchor component={Link} to={`/customers/${id}`}>
      #{id}
    </Anchor>
  );

function History({ item }: { item: InventoryDetail }) {
  const entries = [...item.history].sort((a, b) => b.inventory_history_id - a.inventory_history_id);
  if (entries.length === 0) {
    return (
      <Text c="dimmed" size="sm">
        No state changes yet
      </Text>
    );
  }
  return (
    <Timeline bulletSize={20} lineWidth={2} data-testid="item-history">
      {entries.map((h) => (
        <Timeline.Item
          key={h.inventory_history_id}
          title={
            <Group gap={6}>
              {h.from_state ? (
                <StateBadge state={h.from_state as InventoryDetail["item_state"]} />
              ) : (
                <Text size="sm">created</Text>
              )}
              <IconArrowRight size={14} />
              <StateBadge state={h.to_state as InventoryDetail["item_state"]} />
            </Group>
          }
        >
          <Text size="xs" c="dimmed">
            {formatDateTime(h.created_at)}
            {h.user_id !== null ? ` · user #${h.user_id}` : ""}
            {h.customer_id !== null ? ` · customer #${h.customer_id}` : ""}
            {h.service_id !== null ? ` · service #${h.service_id}` : ""}
          </Text>
          {h.reason && <Text size="sm">{h.reason}</Text>}
        </Timeline.Item>
      ))}
    </Timeline>
  );
}

function ItemDetails({ item }: { item: InventoryDetail }) {
  const canWrite = usePermission("inventory.write");
  const template = useTemplate(item.inventory_template_id);
  const [action, setAction] = useState<TransitionAction | null>(null);
  const [showConfig, setShowConfig] = useState(false);
  const isPhoneNumber = template.data ? template.data.serial_kind === "msisdn" : item.item === "Phone Number";
  const actions = actionsFor(item.item_state);

  return (
    <>
      <PageHeader
        title={
          <Group gap="sm">
            <span style={{ fontFamily: "monospace" }}>{item.serial}</span>
            <StateBadge state={item.item_state} />
          </Group>
        }
        description={`${item.item} · item #${item.inventory_id}`}
        actions={
          canWrite &&
          actions.map((a) => (
            <Button
              key={a}
              variant={a === "retire" ? "light" : "default"}
              color={a === "retire" ? "red" : undefined}
              onClick={() => setAction(a)}
              data-testid={`item-action-${a}`}
            >
              {actionLabel(a, item.item_state)}
            </Button>
          ))
        }
      />
      <SimpleGrid cols={{ base: 1, md: 3 }} spacing="md">
        <Stack style={{ gridColumn: "span 2" }}>
          <Card withBorder radius="md" padding="lg">
            <SimpleGrid cols={{ base: 1, sm: 3 }} spacing="lg">
              <Field label="Customer">
                <CustomerLink id={item.customer_id} />
              </Field>
              <Field label="Service">{orDash(item.service_id)}</Field>
              <Field label="Quarantined until">{formatDateTime(item.quarantined_until)}</Field>
              {labelledItemtexts(item, template.data).map(({ n, label, value }) => (
                <Field key={n} label={label}>
                  <span data-testid={`itemtext-${n}`}>{orDash(value)}</span>
                </Field>
              ))}
              {item.management_url && (
                <Field label="Management URL">
                  <Anchor href={item.management_url} target="_blank" rel="noreferrer">
                    {item.management_url}
                  </Anchor>
                </Field>
              )}
              <Field label="Created">{formatDateTime(item.created_at)}</Field>
              <Field label="Updated">{formatDateTime(item.updated_at)}</Field>
            </SimpleGrid>
          </Card>
          {item.config_content && (
            <Card withBorder radius="md" padding="lg">
              <Group justify="space-between">
                <Text size="xs" c="dimmed" tt="uppercase" fw={600}>
                  Configuration
                </Text>
                <Button size="xs" variant="subtle" onClick={() => setShowConfig((s) => !s)}>
                  {showConfig ? "Hide" : "Show (may contain secrets)"}
                </Button>
              </Group>
              {showConfig && (
                <Code block mt="sm">
                  {item.config_content}
                </Code>
              )}
            </Card>
          )}
        </Stack>
        <Card withBorder radius="md" padding="lg">
          <Title order={5} mb="md">
            History
          </Title>
          <History item={item} />
        </Card>
      </SimpleGrid>
      <TransitionModal item={item} action={action} isPhoneNumber={isPhoneNumber} onClose={() => setAction(null)} />
    </>
  );
}

export function ItemDetailPage() {
  const inventoryId = Number(useParams().inventoryId);
  const item = useInventoryItem(inventoryId);
  return (
    <>
      <Breadcrumbs mb="xs">
        <Anchor component={Link} to="/inventory" size="sm">
          Inventory
        </Anchor>
        <Anchor component={Link} to="/inventory/items" size="sm">
          Items
        </Anchor>
        <Text size="sm">{item.data?.serial ?? `#${inventoryId}`}</Text>
      </Breadcrumbs>
      <QueryState query={item}>{(i) => <ItemDetails item={i} />}</QueryState>
    </>
  );
}
